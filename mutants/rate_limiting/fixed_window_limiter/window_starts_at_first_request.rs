//! Mutant: each client's window starts at its first request (`[first, first + window_ms)`)
//! instead of at a multiple of `window_ms`.

use std::collections::HashMap;

pub struct FixedWindowLimiter {
    limit: u32,
    window_ms: u64,
    /// Per client: the start of its window and the requests allowed in it.
    windows: HashMap<String, (u64, u32)>,
}

impl FixedWindowLimiter {
    pub fn new(limit: u32, window_ms: u64) -> Self {
        FixedWindowLimiter {
            limit,
            window_ms,
            windows: HashMap::new(),
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        let window_ms = self.window_ms;
        if let Some(&(start, _)) = self.windows.get(client) {
            if now_ms - start >= window_ms {
                self.windows.remove(client);
            }
        }
        if self.limit == 0 {
            return false;
        }
        let entry = self
            .windows
            .entry(client.to_string())
            .or_insert((now_ms, 0));
        if entry.1 < self.limit {
            entry.1 += 1;
            true
        } else {
            false
        }
    }

    pub fn tracked_clients(&self) -> usize {
        self.windows.len()
    }
}
