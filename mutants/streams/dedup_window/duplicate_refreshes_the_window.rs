//! Mutant: every delivery, duplicates included, restarts the id's window (the map holds
//! the time it was last *seen*), so a steady stream of retries keeps an id alive for ever.

use std::collections::{HashMap, VecDeque};

pub struct DedupWindow {
    window_ms: u64,
    last_seen: HashMap<String, u64>,
    order: VecDeque<(u64, String)>,
}

impl DedupWindow {
    pub fn new(window_ms: u64) -> Self {
        DedupWindow {
            window_ms,
            last_seen: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    pub fn insert(&mut self, event_id: &str, now_ms: u64) -> bool {
        while let Some((seen_ms, _)) = self.order.front() {
            if now_ms - seen_ms < self.window_ms {
                break;
            }
            if let Some((seen_ms, id)) = self.order.pop_front() {
                // Only forget the id if this queue entry is its latest sighting.
                if self.last_seen.get(&id) == Some(&seen_ms) {
                    self.last_seen.remove(&id);
                }
            }
        }
        if self.window_ms == 0 {
            return true;
        }
        let new = !self.last_seen.contains_key(event_id);
        self.last_seen.insert(event_id.to_string(), now_ms);
        self.order.push_back((now_ms, event_id.to_string()));
        new
    }

    pub fn len(&self) -> usize {
        self.last_seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
