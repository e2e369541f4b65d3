//! Mutant: the "textbook" index floor(percent * n / 100), used as a 0-based index (clamped
//! to the last sample): p50 of 10 samples returns the 6th smallest instead of the 5th.

use std::collections::VecDeque;

/// p50, p95 and p99 of one window, as returned by [`LatencyWindow::summary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
}

/// The latency samples of a sliding time window, with nearest-rank percentiles.
pub struct LatencyWindow {
    window_ms: u64,
    /// The window's samples as `(recorded_ms, latency_us)`, oldest first.
    arrivals: VecDeque<(u64, u64)>,
    /// The same latencies, ascending.
    sorted: Vec<u64>,
}

impl LatencyWindow {
    /// An empty window that keeps each sample for `window_ms` milliseconds.
    pub fn new(window_ms: u64) -> Self {
        LatencyWindow {
            window_ms,
            arrivals: VecDeque::new(),
            sorted: Vec::new(),
        }
    }

    /// Adds one sample, `latency_us` microseconds, finished at `now_ms` (never earlier
    /// than the previous call).
    pub fn record(&mut self, latency_us: u64, now_ms: u64) {
        self.expire(now_ms);
        if self.window_ms == 0 {
            return; // it would never be in the window
        }
        self.arrivals.push_back((now_ms, latency_us));
        let at = self.sorted.partition_point(|&v| v < latency_us);
        self.sorted.insert(at, latency_us);
    }

    /// The nearest-rank `percent`-th percentile (`percent` in `0..=100`) of the samples
    /// in the window at `now_ms`, or `None` if there are none. O(log n) at most.
    pub fn percentile(&mut self, percent: u32, now_ms: u64) -> Option<u64> {
        self.expire(now_ms);
        let n = self.sorted.len();
        if n == 0 {
            return None;
        }
        let index = (percent as usize * n / 100).min(n - 1);
        Some(self.sorted[index])
    }

    /// How many samples are in the window at the `now_ms` of the latest call.
    pub fn len(&self) -> usize {
        self.sorted.len()
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

    /// Drops the samples that are no longer in the window at `now_ms`.
    fn expire(&mut self, now_ms: u64) {
        while let Some(&(t, latency_us)) = self.arrivals.front() {
            if now_ms - t < self.window_ms {
                break;
            }
            self.arrivals.pop_front();
            let at = self.sorted.partition_point(|&v| v < latency_us);
            self.sorted.remove(at);
        }
    }
}
