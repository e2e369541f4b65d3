//! Mutant: one shared log of (time, client), trimmed correctly at the old end, but the
//! client's requests are counted by filtering the whole log on every call: correct
//! answers, but `allow` is O(logged requests) instead of O(1).

use std::collections::{HashMap, VecDeque};

pub struct SlidingLogLimiter {
    limit: u32,
    window_ms: u64,
    log: VecDeque<(u64, String)>,
    clients: HashMap<String, u32>,
}

impl SlidingLogLimiter {
    pub fn new(limit: u32, window_ms: u64) -> Self {
        SlidingLogLimiter {
            limit,
            window_ms,
            log: VecDeque::new(),
            clients: HashMap::new(),
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        while let Some((t, _)) = self.log.front() {
            if now_ms - t < self.window_ms {
                break;
            }
            let (_, old) = self.log.pop_front().expect("the front exists");
            let count = self.clients.get_mut(&old).expect("a logged client");
            *count -= 1;
            if *count == 0 {
                self.clients.remove(&old);
            }
        }
        let count = self.log.iter().filter(|(_, c)| c == client).count();
        if count < self.limit as usize {
            self.log.push_back((now_ms, client.to_string()));
            *self.clients.entry(client.to_string()).or_insert(0) += 1;
            true
        } else {
            false
        }
    }

    pub fn tracked_clients(&self) -> usize {
        self.clients.len()
    }

    pub fn logged_requests(&self) -> usize {
        self.log.len()
    }
}
