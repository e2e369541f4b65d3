//! Mutant: looks the id up (judging expiry by its stored time) before forgetting expired
//! ids, and forgets by id alone: when an expired id is accepted again, its old queue
//! entry is popped right after and removes the new acceptance from the map.

use std::collections::{HashMap, VecDeque};

pub struct DedupWindow {
    window_ms: u64,
    accepted: HashMap<String, u64>,
    order: VecDeque<(u64, String)>,
}

impl DedupWindow {
    pub fn new(window_ms: u64) -> Self {
        DedupWindow {
            window_ms,
            accepted: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    pub fn insert(&mut self, event_id: &str, now_ms: u64) -> bool {
        let duplicate = match self.accepted.get(event_id) {
            Some(&accepted_ms) => now_ms - accepted_ms < self.window_ms,
            None => false,
        };
        if !duplicate && self.window_ms > 0 {
            self.accepted.insert(event_id.to_string(), now_ms);
            self.order.push_back((now_ms, event_id.to_string()));
        }
        while let Some((accepted_ms, _)) = self.order.front() {
            if now_ms - accepted_ms < self.window_ms {
                break;
            }
            if let Some((_, id)) = self.order.pop_front() {
                self.accepted.remove(&id);
            }
        }
        !duplicate
    }

    pub fn len(&self) -> usize {
        self.accepted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
