//! Mutant: counts every request in curr, rejected ones too, so a client that retries
//! while limited inflates its count and the next window's estimate.

use std::collections::HashMap;
use std::mem;

pub struct SlidingCounterLimiter {
    limit: u32,
    window_ms: u64,
    window: u64,
    curr: HashMap<String, u32>,
    prev: HashMap<String, u32>,
    only_in_curr: usize,
}

impl SlidingCounterLimiter {
    pub fn new(limit: u32, window_ms: u64) -> Self {
        SlidingCounterLimiter {
            limit,
            window_ms,
            window: 0,
            curr: HashMap::new(),
            prev: HashMap::new(),
            only_in_curr: 0,
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        let window = now_ms / self.window_ms;
        if window != self.window {
            if window - self.window == 1 {
                self.prev = mem::take(&mut self.curr);
            } else {
                self.prev = HashMap::new();
                self.curr = HashMap::new();
            }
            self.only_in_curr = 0;
            self.window = window;
        }
        let elapsed = now_ms % self.window_ms;
        let prev = self.prev.get(client).copied().unwrap_or(0);
        let curr = self.curr.get(client).copied().unwrap_or(0);
        let window_ms = u128::from(self.window_ms);
        let weighted = u128::from(prev) * u128::from(self.window_ms - elapsed);
        let allowed = weighted + u128::from(curr) * window_ms < u128::from(self.limit) * window_ms;
        if curr == 0 && prev == 0 {
            self.only_in_curr += 1;
        }
        *self.curr.entry(client.to_string()).or_insert(0) += 1;
        allowed
    }

    pub fn tracked_clients(&self) -> usize {
        self.prev.len() + self.only_in_curr
    }
}
