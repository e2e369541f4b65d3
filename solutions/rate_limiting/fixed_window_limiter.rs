//! # fixed_window_limiter: a per-client request counter that resets every window
//! (reference solution)
//!
//! Windows are aligned to the clock, so every client is in the same window at the same
//! time, and `now_ms` never decreases: when the window index `now_ms / window_ms` moves
//! on, *every* stored counter belongs to a past window. So the limiter keeps the index of
//! the current window and one map of counters for it, and starts a fresh map when the
//! index changes. Each counter is inserted once and dropped once (with its map), which is
//! amortised O(1) per call; no call ever scans the clients.

use std::collections::HashMap;
use std::mem;

/// Allows each client at most `limit` requests per aligned window of `window_ms`
/// milliseconds.
pub struct FixedWindowLimiter {
    limit: u32,
    window_ms: u64,
    /// The index of the window of the latest call (`now_ms / window_ms`).
    window: u64,
    /// Requests allowed in window `window`, per client; never holds a 0.
    counts: HashMap<String, u32>,
}

impl FixedWindowLimiter {
    /// A limiter that allows each client `limit` requests in every window
    /// `[k * window_ms, (k + 1) * window_ms)`. `window_ms` is at least 1.
    pub fn new(limit: u32, window_ms: u64) -> Self {
        assert!(window_ms > 0, "window_ms must be at least 1");
        FixedWindowLimiter {
            limit,
            window_ms,
            window: 0,
            counts: HashMap::new(),
        }
    }

    /// Whether `client` may make a request at `now_ms`: `true` counts the request in the
    /// client's counter for the window of `now_ms`; `false` (limit reached) changes
    /// nothing. `now_ms` never decreases between calls. Amortised O(1).
    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        let window = now_ms / self.window_ms;
        if window != self.window {
            // Every counter belongs to a past window: drop them all. Taking the map (not
            // `clear()`, which keeps the table's capacity and would walk it again next
            // window) keeps this O(1) amortised.
            self.window = window;
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

    /// How many clients have a counter above 0 in the window of the latest `allow` call
    /// (0 before any call). O(1).
    pub fn tracked_clients(&self) -> usize {
        self.counts.len()
    }
}
