//! Mutant: sorts the active users, then takes `ranked[..k]`, which panics when k is
//! larger than the number of active users (and does not clamp k to the length).

use std::cmp::Reverse;
use std::collections::{HashMap, VecDeque};

pub struct ActiveUsers {
    window_ms: u64,
    requests: VecDeque<(u64, String)>,
    counts: HashMap<String, usize>,
}

impl ActiveUsers {
    pub fn new(window_ms: u64) -> Self {
        ActiveUsers {
            window_ms,
            requests: VecDeque::new(),
            counts: HashMap::new(),
        }
    }

    pub fn record(&mut self, user_id: &str, now_ms: u64) {
        self.expire(now_ms);
        if self.window_ms == 0 {
            return;
        }
        self.requests.push_back((now_ms, user_id.to_string()));
        *self.counts.entry(user_id.to_string()).or_insert(0) += 1;
    }

    pub fn top_k(&mut self, k: usize, now_ms: u64) -> Vec<(String, usize)> {
        self.expire(now_ms);
        let mut ranked: Vec<(String, usize)> = self
            .counts
            .iter()
            .map(|(user, &count)| (user.clone(), count))
            .collect();
        ranked.sort_by(|a, b| (Reverse(a.1), &a.0).cmp(&(Reverse(b.1), &b.0)));
        ranked[..k].to_vec()
    }

    fn expire(&mut self, now_ms: u64) {
        while let Some((t, _)) = self.requests.front() {
            if now_ms - t < self.window_ms {
                break;
            }
            let Some((_, user)) = self.requests.pop_front() else {
                break;
            };
            if let Some(count) = self.counts.get_mut(&user) {
                *count -= 1;
                if *count == 0 {
                    self.counts.remove(&user);
                }
            }
        }
    }
}
