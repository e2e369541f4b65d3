//! Builds the min-heap by storing negated values in a max-heap (the Python heapq
//! trick), but -i32::MIN overflows i32.

use std::collections::BinaryHeap;

/// The running median of every value inserted so far.
pub struct MedianFinder {
    /// The smaller half, as a max-heap: its top is the largest of the small values.
    lower: BinaryHeap<i32>,
    /// The larger half, negated so that the max-heap's top is the smallest large value.
    upper: BinaryHeap<i32>,
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
            Some(&top) if value > top => self.upper.push(-value),
            _ => self.lower.push(value),
        }
        // Keep lower.len() == upper.len() or upper.len() + 1.
        if self.lower.len() > self.upper.len() + 1 {
            if let Some(top) = self.lower.pop() {
                self.upper.push(-top);
            }
        } else if self.upper.len() > self.lower.len() {
            if let Some(top) = self.upper.pop() {
                self.lower.push(-top);
            }
        }
    }

    /// The median of the values inserted so far, or `None` if there are none. O(1).
    pub fn median(&self) -> Option<f64> {
        let low = *self.lower.peek()?;
        if self.lower.len() > self.upper.len() {
            return Some(f64::from(low));
        }
        let high = -*self.upper.peek()?;
        // Both fit exactly in an f64, and so does their sum: no overflow, no rounding.
        Some((f64::from(low) + f64::from(high)) / 2.0)
    }

    /// How many values have been inserted.
    pub fn len(&self) -> usize {
        self.lower.len() + self.upper.len()
    }

    /// Whether no value has been inserted yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
