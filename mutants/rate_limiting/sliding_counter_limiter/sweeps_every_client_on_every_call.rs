//! Mutant: keeps (window, prev, curr) per client and, on every call, walks all clients
//! to roll their counters forward and drop the idle ones: correct answers, but `allow` is
//! O(clients) instead of O(1).

use std::collections::HashMap;

struct Counters {
    window: u64,
    prev: u32,
    curr: u32,
}

pub struct SlidingCounterLimiter {
    limit: u32,
    window_ms: u64,
    clients: HashMap<String, Counters>,
}

impl SlidingCounterLimiter {
    pub fn new(limit: u32, window_ms: u64) -> Self {
        SlidingCounterLimiter {
            limit,
            window_ms,
            clients: HashMap::new(),
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        let window = now_ms / self.window_ms;
        self.clients.retain(|_, c| {
            if c.window != window {
                c.prev = if window - c.window == 1 { c.curr } else { 0 };
                c.curr = 0;
                c.window = window;
            }
            c.prev > 0 || c.curr > 0
        });
        if self.limit == 0 {
            return false;
        }
        let c = self.clients.entry(client.to_string()).or_insert(Counters {
            window,
            prev: 0,
            curr: 0,
        });
        let elapsed = now_ms % self.window_ms;
        let window_ms = u128::from(self.window_ms);
        let weighted = u128::from(c.prev) * u128::from(self.window_ms - elapsed);
        if weighted + u128::from(c.curr) * window_ms >= u128::from(self.limit) * window_ms {
            if c.prev == 0 && c.curr == 0 {
                self.clients.remove(client);
            }
            return false;
        }
        c.curr += 1;
        true
    }

    pub fn tracked_clients(&self) -> usize {
        self.clients.len()
    }
}
