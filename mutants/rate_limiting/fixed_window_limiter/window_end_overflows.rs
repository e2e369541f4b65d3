//! Mutant: computes the end of the current window as `start + window_ms`, which
//! overflows (a panic in debug mode) for times or windows near `u64::MAX`.

use std::collections::HashMap;
use std::mem;

pub struct FixedWindowLimiter {
    limit: u32,
    window_ms: u64,
    start: u64,
    counts: HashMap<String, u32>,
}

impl FixedWindowLimiter {
    pub fn new(limit: u32, window_ms: u64) -> Self {
        FixedWindowLimiter {
            limit,
            window_ms,
            start: 0,
            counts: HashMap::new(),
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        if now_ms >= self.start + self.window_ms {
            self.start = now_ms / self.window_ms * self.window_ms;
            drop(mem::take(&mut self.counts));
        }
        match self.counts.get_mut(client) {
            Some(count) if *count < self.limit => {
                *count += 1;
                true
            }
            Some(_) => false,
            None if self.limit > 0 => {
                self.counts.insert(client.to_string(), 1);
                true
            }
            None => false,
        }
    }

    pub fn tracked_clients(&self) -> usize {
        self.counts.len()
    }
}
