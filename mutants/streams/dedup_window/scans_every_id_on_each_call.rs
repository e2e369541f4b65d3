//! Mutant: correct answers, but every call scans all remembered ids (`retain`) to drop
//! the expired ones: O(n) per insert instead of amortised O(1).

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
        let window_ms = self.window_ms;
        self.accepted
            .retain(|_, accepted_ms| now_ms - *accepted_ms < window_ms);
        if self.accepted.contains_key(event_id) {
            return false;
        }
        if window_ms > 0 {
            self.accepted.insert(event_id.to_string(), now_ms);
        }
        true
    }

    pub fn len(&self) -> usize {
        self.accepted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
