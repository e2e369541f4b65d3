//! Mutant: ranks by sorting (count, user_id) pairs in reverse, which puts the highest
//! count first but also breaks ties by user_id *descending*.

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
        let mut ranked: Vec<(usize, &String)> = self
            .counts
            .iter()
            .map(|(user, &count)| (count, user))
            .collect();
        ranked.sort_by(|a, b| b.cmp(a));
        ranked.truncate(k);
        ranked
            .into_iter()
            .map(|(count, user)| (user.clone(), count))
            .collect()
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
