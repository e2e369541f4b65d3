//! Stores the values as they arrive and, on every median() call, clones and sorts them:
//! correct answers, but O(n log n) per query instead of O(1).

/// The running median of every value inserted so far.
pub struct MedianFinder {
    values: Vec<i32>,
}

impl Default for MedianFinder {
    fn default() -> Self {
        Self::new()
    }
}

impl MedianFinder {
    /// An empty finder: no values, no median.
    pub fn new() -> Self {
        MedianFinder { values: Vec::new() }
    }

    /// Adds one value to the stream.
    pub fn insert(&mut self, value: i32) {
        self.values.push(value);
    }

    /// The median of the values inserted so far, or `None` if there are none.
    pub fn median(&self) -> Option<f64> {
        let mut sorted = self.values.clone();
        sorted.sort_unstable();
        let n = sorted.len();
        if n == 0 {
            None
        } else if n % 2 == 1 {
            Some(f64::from(sorted[n / 2]))
        } else {
            Some((f64::from(sorted[n / 2 - 1]) + f64::from(sorted[n / 2])) / 2.0)
        }
    }

    /// How many values have been inserted.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no value has been inserted yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
