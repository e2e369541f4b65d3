//! Mutant: computes the products in u64, where prev * window_ms overflows (a panic in debug
//! mode) for windows near u64::MAX.

use std::collections::HashMap;
use std::mem;

/// Allows each client about `limit` requests per `window_ms` milliseconds, estimating a
/// sliding window from the counts of the current and the previous fixed window.
pub struct SlidingCounterLimiter {
    limit: u32,
    window_ms: u64,
    /// The index of the window of the latest call.
    window: u64,
    /// Requests allowed per client in window `window`; never holds a 0.
    curr: HashMap<String, u32>,
    /// Requests allowed per client in window `window - 1`; never holds a 0.
    prev: HashMap<String, u32>,
    /// How many clients of `curr` are not in `prev`.
    only_in_curr: usize,
}

impl SlidingCounterLimiter {
    /// A limiter with windows `[k * window_ms, (k + 1) * window_ms)` that allows a
    /// request while the client's estimate is below `limit`. `window_ms` is at least 1.
    pub fn new(limit: u32, window_ms: u64) -> Self {
        assert!(window_ms > 0, "window_ms must be at least 1");
        SlidingCounterLimiter {
            limit,
            window_ms,
            window: 0,
            curr: HashMap::new(),
            prev: HashMap::new(),
            only_in_curr: 0,
        }
    }

    /// Whether `client` may make a request at `now_ms`: `true` if
    /// `prev * (window_ms - elapsed) / window_ms + curr < limit`, exactly (the request is
    /// counted in `curr`), `false` otherwise (nothing changes). `now_ms` never decreases
    /// between calls. Amortised O(1).
    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        let window = now_ms / self.window_ms;
        if window != self.window {
            if window - self.window == 1 {
                self.prev = mem::take(&mut self.curr);
            } else {
                drop(mem::take(&mut self.prev));
                drop(mem::take(&mut self.curr));
            }
            self.only_in_curr = 0;
            self.window = window;
        }
        let elapsed = now_ms % self.window_ms;
        let prev = self.prev.get(client).copied().unwrap_or(0);
        let curr = self.curr.get(client).copied().unwrap_or(0);
        let weighted = u64::from(prev) * (self.window_ms - elapsed);
        if weighted + u64::from(curr) * self.window_ms >= u64::from(self.limit) * self.window_ms {
            return false;
        }
        if curr == 0 {
            self.curr.insert(client.to_string(), 1);
            if prev == 0 {
                self.only_in_curr += 1;
            }
        } else {
            *self.curr.get_mut(client).expect("curr > 0") += 1;
        }
        true
    }

    /// How many clients have an allowed request in the window of the latest `allow` call
    /// or in the window before it (0 before any call). O(1).
    pub fn tracked_clients(&self) -> usize {
        self.prev.len() + self.only_in_curr
    }
}
