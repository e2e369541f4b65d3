//! Mutant: expiry is tested as `accepted_ms + window_ms > now_ms`, which overflows (and
//! panics in debug mode) for times or windows near u64::MAX.

use std::collections::{HashSet, VecDeque};

/// Remembers the ids of accepted events for `window_ms` milliseconds, to drop
/// duplicates.
pub struct DedupWindow {
    window_ms: u64,
    /// The remembered ids.
    accepted: HashSet<String>,
    /// The same ids, oldest acceptance first.
    order: VecDeque<(u64, String)>,
}

impl DedupWindow {
    /// A filter that remembers nothing yet and will remember each accepted id for
    /// `window_ms` milliseconds.
    pub fn new(window_ms: u64) -> Self {
        DedupWindow {
            window_ms,
            accepted: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Whether `event_id` is new at `now_ms`: `true` if it is not remembered (it is
    /// accepted and remembered from `now_ms` for the window), `false` if it is a
    /// duplicate (nothing changes). `now_ms` never decreases between calls.
    /// Amortised O(1).
    pub fn insert(&mut self, event_id: &str, now_ms: u64) -> bool {
        while let Some((accepted_ms, _)) = self.order.front() {
            if accepted_ms + self.window_ms > now_ms {
                break;
            }
            if let Some((_, id)) = self.order.pop_front() {
                self.accepted.remove(&id);
            }
        }
        if self.accepted.contains(event_id) {
            return false;
        }
        // With a zero window an id is forgotten the moment it is accepted.
        if self.window_ms > 0 {
            self.accepted.insert(event_id.to_string());
            self.order.push_back((now_ms, event_id.to_string()));
        }
        true
    }

    /// How many ids are remembered at the `now_ms` of the latest `insert`. O(1).
    pub fn len(&self) -> usize {
        self.accepted.len()
    }

    /// Whether no id is remembered (provided; it uses your `len`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
