//! # latency_percentiles: p50, p95 and p99 over a sliding window
//!
//! A service's dashboard and its alerts watch the latency of the last minute as
//! percentiles: p50 (the typical request), p95 and p99 (the slow tail that one user in
//! twenty, or in a hundred, waits through). The mean hides the tail: 99 requests at 10 ms
//! and one at 5 s average 60 ms, which looks fine while a customer stared at a spinner.
//! So the SLO is written as "p99 under 300 ms over the last 60 s", and the alerting job
//! asks for it every few seconds while every finished request adds a sample. A
//! percentile has several textbook definitions that give different answers on the same
//! data, so the team fixed one, the *nearest-rank* method, and every service must report
//! exactly the same numbers for the same samples.
//!
//! ## The task
//!
//! Implement [`LatencyWindow`]: `record(latency_us, now_ms)` adds one sample,
//! `percentile(percent, now_ms)` reports a percentile of the samples of the window ending
//! at `now_ms`, and `len()` counts those samples. Keep the declared signatures; the
//! struct's fields are yours. [`LatencyWindow::summary`] is provided: it asks for p50,
//! p95 and p99. Time is a parameter (`now_ms`, milliseconds): never read the clock.
//!
//! ## Rules
//!
//! - A sample recorded at `t` is **in the window** at every `now_ms` with
//!   `now_ms - t < window_ms`: during the half-open interval `[t, t + window_ms)`. From
//!   `t + window_ms` on it has expired and never counts again.
//! - `record(latency_us, now_ms)` adds one sample. Every call is one sample: equal
//!   latencies and equal times each count.
//! - `percentile(percent, now_ms)` looks at the n samples in the window at `now_ms`:
//!   - n = 0: it returns `None` (no traffic is not "0 µs").
//!   - otherwise, with the samples sorted ascending as `s[1] <= s[2] <= ... <= s[n]`, it
//!     returns `Some(s[rank])` where **`rank = ceil(percent × n / 100)`**, computed
//!     exactly, and `rank = 1` when that is 0 (for `percent == 0`). So p100 is the
//!     largest sample, p0 the smallest, and the answer is always one of the samples
//!     (no interpolation, no mean of two values).
//!   - "Exactly" means in integers: `(percent × n).div_ceil(100)`. Floating point gets
//!     it wrong: `0.07 * 100.0` is `7.000000000000001` in `f64`, whose ceiling is 8, but
//!     p7 of 100 samples has rank 7.
//!   - `percent` is in `0..=100` (the checks pass nothing else).
//! - `len()` is the number of samples in the window at the `now_ms` of the latest call
//!   (`record` or `percentile`). Expired samples must really be dropped, so memory stays
//!   bounded by the traffic of one window.
//! - `now_ms` never decreases from one call to the next, across `record` and
//!   `percentile`; equal times are fine. You may rely on this.
//! - Latencies and times may be any `u64`, including `u64::MAX`; `window_ms` too.
//!   Nothing may overflow or panic (the checks run in debug mode, where an overflowing
//!   `+` panics).
//!
//! ## Example
//!
//! ```text
//! let mut w = LatencyWindow::new(60_000);           // the last 60 s
//! record 120, 80, 300, 95, 40, 1000, 110, 105, 2500, 90 (µs) at 0, 1_000, ..., 9_000 ms
//!   sorted: [40, 80, 90, 95, 105, 110, 120, 300, 1000, 2500]      n = 10
//! w.percentile(50, 9_000)   -> Some(105)    rank ceil(5.0) = 5
//! w.percentile(95, 9_000)   -> Some(2500)   rank ceil(9.5) = 10
//! w.percentile(90, 9_000)   -> Some(1000)   rank 9
//! w.percentile(11, 9_000)   -> Some(80)     rank ceil(1.1) = 2
//! w.percentile(0, 9_000)    -> Some(40)     rank 0 becomes 1
//! w.percentile(50, 63_500)  -> Some(105)    the samples of 0..=3_000 ms expired:
//!   sorted: [40, 90, 105, 110, 1000, 2500]                        n = 6, rank 3
//! w.percentile(67, 63_500)  -> Some(1000)   rank ceil(4.02) = 5
//! w.len()                   -> 6
//! w.summary(63_500)         -> Some(Summary { p50: 105, p95: 2500, p99: 2500 })
//! w.percentile(99, 70_000)  -> None         every sample expired
//! ```
//!
//! ## Edge cases
//!
//! - An empty window (new, or every sample expired) has no percentiles: `None`, and
//!   `len()` is 0.
//! - One sample is every percentile of its window.
//! - `window_ms == 0`: the interval `[t, t)` is empty, so no sample is ever in the
//!   window: `percentile` always returns `None` and `len()` stays 0.
//! - `window_ms == u64::MAX`: a sample at `t` stays until `t + u64::MAX`, beyond every
//!   `u64` time unless `t == 0` (then it expires at `now_ms == u64::MAX`). Computing
//!   `t + window_ms` overflows; `now_ms - t` does not.
//!
//! ## Complexity
//!
//! The alerting job asks for percentiles as often as samples arrive, over windows of
//! thousands of samples. `percentile` must take O(log n) time at most for n samples in
//! the window: it must not copy, sort or scan the window on each call (that is
//! O(n log n) or O(n)). So keep the samples of the window in sorted order as they come
//! and go. `record`, and forgetting an expired sample, may use O(log n) comparisons
//! plus one shift of a sorted `Vec` (`Vec::insert` / `Vec::remove` move the elements
//! with one fast `memmove`). The checks time rounds of one `record` and three
//! `percentile` calls with 128 and with 2048 samples in the window, and compare. Use
//! only the standard library.

use std::marker::PhantomData;

/// p50, p95 and p99 of one window, as returned by [`LatencyWindow::summary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
}

/// The latency samples of a sliding time window, with nearest-rank percentiles.
pub struct LatencyWindow {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl LatencyWindow {
    /// An empty window that keeps each sample for `window_ms` milliseconds.
    pub fn new(window_ms: u64) -> Self {
        todo!("create an empty window of {window_ms} ms")
    }

    /// Adds one sample, `latency_us` microseconds, finished at `now_ms` (never earlier
    /// than the previous call).
    pub fn record(&mut self, latency_us: u64, now_ms: u64) {
        todo!("record {latency_us} µs at {now_ms} ms")
    }

    /// The nearest-rank `percent`-th percentile (`percent` in `0..=100`) of the samples
    /// in the window at `now_ms`, or `None` if there are none. O(log n) at most.
    pub fn percentile(&mut self, percent: u32, now_ms: u64) -> Option<u64> {
        todo!("the p{percent} of the window at {now_ms} ms")
    }

    /// How many samples are in the window at the `now_ms` of the latest call.
    pub fn len(&self) -> usize {
        todo!("count the samples in the window")
    }

    /// Whether the window holds no sample (provided; it uses your `len`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// p50, p95 and p99 at `now_ms`, or `None` for an empty window (provided; it uses
    /// your `percentile`).
    pub fn summary(&mut self, now_ms: u64) -> Option<Summary> {
        Some(Summary {
            p50: self.percentile(50, now_ms)?,
            p95: self.percentile(95, now_ms)?,
            p99: self.percentile(99, now_ms)?,
        })
    }
}
