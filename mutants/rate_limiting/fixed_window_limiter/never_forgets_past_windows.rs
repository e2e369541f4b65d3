//! Mutant: keeps a (window, count) pair per client and resets it lazily when that client
//! returns, but never drops the counters of clients that do not come back: memory grows
//! with every client ever seen.

use std::collections::HashMap;

pub struct FixedWindowLimiter {
    limit: u32,
    window_ms: u64,
    counts: HashMap<String, (u64, u32)>,
}

impl FixedWindowLimiter {
    pub fn new(limit: u32, window_ms: u64) -> Self {
        FixedWindowLimiter {
            limit,
            window_ms,
            counts: HashMap::new(),
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        if self.limit == 0 {
            return false;
        }
        let window = now_ms / self.window_ms;
        let entry = self.counts.entry(client.to_string()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 < self.limit {
            entry.1 += 1;
            true
        } else {
            false
        }
    }

    pub fn tracked_clients(&self) -> usize {
        self.counts.len()
    }
}
