//! Keeps the log in a Vec and drops expired requests with `remove(0)`: right answers, but
//! every request that ages out shifts the whole log, O(limit) per call for a busy client.

use std::collections::HashMap;
use std::rc::Rc;

/// Allows each client at most `limit` requests in any `window_ms` milliseconds, exactly,
/// by keeping a log of its allowed requests.
pub struct SlidingLogLimiter {
    limit: u32,
    window_ms: u64,
    /// Allowed requests that may still count, oldest first.
    log: Vec<(u64, Rc<str>)>,
    /// Per client, how many of its requests are in `log`; never holds a 0.
    counts: HashMap<Rc<str>, u32>,
}

impl SlidingLogLimiter {
    /// A limiter that allows each client `limit` requests in any interval of `window_ms`
    /// milliseconds. `window_ms` is at least 1.
    pub fn new(limit: u32, window_ms: u64) -> Self {
        SlidingLogLimiter {
            limit,
            window_ms,
            log: Vec::new(),
            counts: HashMap::new(),
        }
    }

    /// Whether `client` may make a request at `now_ms`: `true` if fewer than `limit` of
    /// its allowed requests count at `now_ms` (the request is logged), `false` otherwise
    /// (nothing changes). `now_ms` never decreases between calls. Amortised O(1).
    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        // Drop every request that no longer counts: `now_ms - t` cannot overflow, unlike
        // `t + window_ms`.
        while let Some(&(t, _)) = self.log.first() {
            if now_ms - t < self.window_ms {
                break;
            }
            let (_, old) = self.log.remove(0);
            match self.counts.get_mut(&*old) {
                Some(count) if *count > 1 => *count -= 1,
                _ => {
                    self.counts.remove(&*old);
                }
            }
        }
        let key = match self.counts.get_key_value(client) {
            Some((_, &count)) if count >= self.limit => return false,
            Some((key, _)) => Rc::clone(key),
            None if self.limit == 0 => return false,
            None => Rc::from(client),
        };
        *self.counts.entry(Rc::clone(&key)).or_insert(0) += 1;
        self.log.push((now_ms, key));
        true
    }

    /// How many clients have at least one allowed request that counts at the `now_ms` of
    /// the latest `allow` call (0 before any call). O(1).
    pub fn tracked_clients(&self) -> usize {
        self.counts.len()
    }

    /// How many allowed requests, of all clients, count at the `now_ms` of the latest
    /// `allow` call (0 before any call). O(1).
    pub fn logged_requests(&self) -> usize {
        self.log.len()
    }
}
