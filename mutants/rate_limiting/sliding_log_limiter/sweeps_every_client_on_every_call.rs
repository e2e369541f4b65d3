//! Mutant: keeps one log per client and, on every call, trims every client's log and
//! drops the empty ones: correct answers, but `allow` is O(clients) instead of O(1).

use std::collections::{HashMap, VecDeque};

pub struct SlidingLogLimiter {
    limit: u32,
    window_ms: u64,
    logs: HashMap<String, VecDeque<u64>>,
    logged: usize,
}

impl SlidingLogLimiter {
    pub fn new(limit: u32, window_ms: u64) -> Self {
        SlidingLogLimiter {
            limit,
            window_ms,
            logs: HashMap::new(),
            logged: 0,
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        let window_ms = self.window_ms;
        let mut dropped = 0;
        self.logs.retain(|_, log| {
            while let Some(&t) = log.front() {
                if now_ms - t < window_ms {
                    break;
                }
                log.pop_front();
                dropped += 1;
            }
            !log.is_empty()
        });
        self.logged -= dropped;
        if self.limit == 0 {
            return false;
        }
        let log = self.logs.entry(client.to_string()).or_default();
        if log.len() < self.limit as usize {
            log.push_back(now_ms);
            self.logged += 1;
            true
        } else {
            false
        }
    }

    pub fn tracked_clients(&self) -> usize {
        self.logs.len()
    }

    pub fn logged_requests(&self) -> usize {
        self.logged
    }
}
