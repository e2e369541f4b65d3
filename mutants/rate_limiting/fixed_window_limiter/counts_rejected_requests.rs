//! Mutant: increments the counter before comparing it with the limit, so rejected
//! requests are counted too (and a client tracked even when nothing was allowed).

use std::collections::HashMap;
use std::mem;

pub struct FixedWindowLimiter {
    limit: u32,
    window_ms: u64,
    window: u64,
    counts: HashMap<String, u32>,
}

impl FixedWindowLimiter {
    pub fn new(limit: u32, window_ms: u64) -> Self {
        FixedWindowLimiter {
            limit,
            window_ms,
            window: 0,
            counts: HashMap::new(),
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        let window = now_ms / self.window_ms;
        if window != self.window {
            self.window = window;
            drop(mem::take(&mut self.counts));
        }
        let count = self.counts.entry(client.to_string()).or_insert(0);
        *count = count.saturating_add(1);
        *count <= self.limit
    }

    pub fn tracked_clients(&self) -> usize {
        self.counts.len()
    }
}
