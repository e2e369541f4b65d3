//! Mutant: keeps a (window, count) pair per client and, on every call, walks all clients
//! to drop the stale ones: correct answers, but `allow` is O(clients) instead of O(1).

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
        let window = now_ms / self.window_ms;
        self.counts.retain(|_, (w, _)| *w == window);
        match self.counts.get_mut(client) {
            Some((_, count)) if *count < self.limit => {
                *count += 1;
                true
            }
            Some(_) => false,
            None if self.limit > 0 => {
                self.counts.insert(client.to_string(), (window, 1));
                true
            }
            None => false,
        }
    }

    pub fn tracked_clients(&self) -> usize {
        self.counts.len()
    }
}
