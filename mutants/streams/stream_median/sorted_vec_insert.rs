//! Keeps every value in one sorted Vec: the median is an index away, but each insert
//! shifts every larger value one place to the right, O(n) per insert.

/// The running median of every value inserted so far.
pub struct MedianFinder {
    sorted: Vec<i32>,
}

impl Default for MedianFinder {
    fn default() -> Self {
        Self::new()
    }
}

impl MedianFinder {
    /// An empty finder: no values, no median.
    pub fn new() -> Self {
        MedianFinder { sorted: Vec::new() }
    }

    /// Adds one value to the stream.
    pub fn insert(&mut self, value: i32) {
        let at = self.sorted.partition_point(|&v| v <= value);
        self.sorted.insert(at, value);
    }

    /// The median of the values inserted so far, or `None` if there are none.
    pub fn median(&self) -> Option<f64> {
        let n = self.sorted.len();
        if n == 0 {
            return None;
        }
        if n % 2 == 1 {
            Some(f64::from(self.sorted[n / 2]))
        } else {
            Some((f64::from(self.sorted[n / 2 - 1]) + f64::from(self.sorted[n / 2])) / 2.0)
        }
    }

    /// How many values have been inserted.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Whether no value has been inserted yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
