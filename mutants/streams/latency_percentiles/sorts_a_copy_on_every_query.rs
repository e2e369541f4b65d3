//! Mutant: right answers, but every percentile call copies the window's latencies and
//! sorts them: O(n log n) per query instead of O(log n).

use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
}

pub struct LatencyWindow {
    window_ms: u64,
    arrivals: VecDeque<(u64, u64)>,
}

impl LatencyWindow {
    pub fn new(window_ms: u64) -> Self {
        LatencyWindow {
            window_ms,
            arrivals: VecDeque::new(),
        }
    }

    pub fn record(&mut self, latency_us: u64, now_ms: u64) {
        self.expire(now_ms);
        if self.window_ms > 0 {
            self.arrivals.push_back((now_ms, latency_us));
        }
    }

    pub fn percentile(&mut self, percent: u32, now_ms: u64) -> Option<u64> {
        self.expire(now_ms);
        let mut sorted: Vec<u64> = self.arrivals.iter().map(|&(_, v)| v).collect();
        sorted.sort();
        let rank = (percent as usize * sorted.len()).div_ceil(100).max(1);
        sorted.get(rank - 1).copied()
    }

    pub fn len(&self) -> usize {
        self.arrivals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn summary(&mut self, now_ms: u64) -> Option<Summary> {
        Some(Summary {
            p50: self.percentile(50, now_ms)?,
            p95: self.percentile(95, now_ms)?,
            p99: self.percentile(99, now_ms)?,
        })
    }

    fn expire(&mut self, now_ms: u64) {
        while let Some(&(t, _)) = self.arrivals.front() {
            if now_ms - t < self.window_ms {
                break;
            }
            self.arrivals.pop_front();
        }
    }
}
