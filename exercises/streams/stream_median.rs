//! # stream_median: the running median of a stream
//!
//! A checkout service reports, on a live dashboard, the median response time of its
//! requests (and the median order value of its orders). The median says more than the
//! mean here: one request stuck for 30 s behind a timeout drags the mean far up, while
//! the median, the typical request, barely moves. Requests finish thousands of times a
//! second and the dashboard asks for the median after every one of them, so keeping
//! every value in a list and sorting it on each query (O(n log n) per query, over a
//! stream that never ends) falls further behind the longer the service runs.
//!
//! Write [`MedianFinder`], which takes the values one at a time and can report the
//! median of everything seen so far at any moment.
//!
//! ## Rules
//!
//! - [`MedianFinder::new`] starts with no values.
//! - [`MedianFinder::insert`] adds one `i32`. Every value counts, duplicates included,
//!   and values arrive in any order: rising, falling, or all over the place.
//! - [`MedianFinder::median`] returns `None` when no value has been inserted. Otherwise,
//!   with the values sorted: for an odd count, the middle value; for an even count, the
//!   mean of the two middle values. It only reads: calling it again, without inserting,
//!   gives the same answer.
//! - The mean must be exact for any two `i32`s, as an `f64`: the mean of `i32::MAX` and
//!   `i32::MAX` is `2147483647.0`, of `i32::MIN` and `i32::MAX` it is `-0.5`, and of `1`
//!   and `2` it is `1.5`. Nothing may overflow or panic, whatever the values.
//! - [`MedianFinder::len`] is the number of values inserted so far.
//!
//! ## Example
//!
//! Response times in milliseconds, with the median after each insert:
//!
//! ```text
//! insert  values so far (sorted)        median()
//!  (none)  []                            None
//!  120     [120]                         Some(120.0)
//!  80      [80, 120]                     Some(100.0)
//!  300     [80, 120, 300]                Some(120.0)
//!  95      [80, 95, 120, 300]            Some(107.5)
//!  40      [40, 80, 95, 120, 300]        Some(95.0)
//! ```
//!
//! More cases: `[-1, 0]` gives `Some(-0.5)`; `[7, 7, 1, 1]` gives `Some(4.0)`;
//! `[7, 7, 7, 1, 1]` gives `Some(7.0)`; `[i32::MIN, i32::MIN]` gives
//! `Some(-2147483648.0)`.
//!
//! ## Complexity
//!
//! With n values inserted so far, `insert` must be O(log n) and `median` O(1); `len`
//! O(1). The checks time both at two stream sizes far apart, in the same run, and
//! compare: an `insert` that shifts or scans every stored value, or a `median` that
//! copies or sorts them, is too slow. Use only the standard library.

/// The running median of every value inserted so far.
pub struct MedianFinder {
    // The fields are your choice: replace this placeholder with your own.
    _replace_me: (),
}

impl Default for MedianFinder {
    fn default() -> Self {
        Self::new()
    }
}

impl MedianFinder {
    /// An empty finder: no values, no median.
    pub fn new() -> Self {
        todo!("create an empty MedianFinder")
    }

    /// Adds `value` to the stream. O(log n) in the number of values so far.
    pub fn insert(&mut self, value: i32) {
        todo!("insert {value}")
    }

    /// The median of the values inserted so far: `None` if there are none, the middle
    /// value for an odd count, the exact mean of the two middle values for an even
    /// count. O(1); it never changes the finder.
    pub fn median(&self) -> Option<f64> {
        todo!("return the median of the values so far")
    }

    /// How many values have been inserted.
    pub fn len(&self) -> usize {
        todo!("return the number of values inserted")
    }

    /// Whether no value has been inserted yet (provided; it uses your `len`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
