//! Mutant: right answers, but top_k counts every request in the window again on each
//! call: O(requests in the window) per query instead of O(active users).

use std::cmp::Reverse;
use std::collections::{HashMap, VecDeque};

pub struct ActiveUsers {
    window_ms: u64,
    requests: VecDeque<(u64, String)>,
}

impl ActiveUsers {
    pub fn new(window_ms: u64) -> Self {
        ActiveUsers {
            window_ms,
            requests: VecDeque::new(),
        }
    }

    pub fn record(&mut self, user_id: &str, now_ms: u64) {
        self.expire(now_ms);
        if self.window_ms > 0 {
            self.requests.push_back((now_ms, user_id.to_string()));
        }
    }

    pub fn top_k(&mut self, k: usize, now_ms: u64) -> Vec<(String, usize)> {
        self.expire(now_ms);
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for (_, user) in &self.requests {
            *counts.entry(user.as_str()).or_insert(0) += 1;
        }
        let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
        ranked.sort_by_key(|&(user, count)| (Reverse(count), user));
        ranked.truncate(k);
        ranked
            .into_iter()
            .map(|(user, count)| (user.to_string(), count))
            .collect()
    }

    fn expire(&mut self, now_ms: u64) {
        while let Some((t, _)) = self.requests.front() {
            if now_ms - t < self.window_ms {
                break;
            }
            self.requests.pop_front();
        }
    }
}
