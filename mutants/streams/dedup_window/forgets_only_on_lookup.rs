//! Mutant: an expired id is only noticed when it is looked up again; ids that never come
//! back are never removed, so memory grows with every distinct id ever seen.

use std::collections::HashMap;

pub struct DedupWindow {
    window_ms: u64,
    accepted: HashMap<String, u64>,
}

impl DedupWindow {
    pub fn new(window_ms: u64) -> Self {
        DedupWindow {
            window_ms,
            accepted: HashMap::new(),
        }
    }

    pub fn insert(&mut self, event_id: &str, now_ms: u64) -> bool {
        if let Some(&accepted_ms) = self.accepted.get(event_id) {
            if now_ms - accepted_ms < self.window_ms {
                return false;
            }
        }
        self.accepted.insert(event_id.to_string(), now_ms);
        true
    }

    pub fn len(&self) -> usize {
        self.accepted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
