//! Mutant: keeps one log per client and trims it only when that client makes a request,
//! so the logs of clients that never come back stay in memory forever.

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
        if self.limit == 0 {
            return false;
        }
        let log = self.logs.entry(client.to_string()).or_default();
        while let Some(&t) = log.front() {
            if now_ms - t < self.window_ms {
                break;
            }
            log.pop_front();
            self.logged -= 1;
        }
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
