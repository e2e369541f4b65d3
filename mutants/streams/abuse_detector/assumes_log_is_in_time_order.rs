//! Mutant: keeps a per-user queue of recent requests, assuming the log arrives in time order (it
//! does not).

/// One line of the gateway's access log: which user made a request, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub user_id: String,
    pub timestamp: u64,
}

use std::collections::{HashMap, VecDeque};

pub fn find_abusers(entries: &[LogEntry], k: usize, window_secs: u64) -> Vec<String> {
    let mut recent: HashMap<&str, VecDeque<u64>> = HashMap::new();
    let mut abusers = Vec::new();
    for entry in entries {
        let queue = recent.entry(&entry.user_id).or_default();
        queue.push_back(entry.timestamp);
        while let Some(&oldest) = queue.front() {
            if entry.timestamp - oldest >= window_secs {
                queue.pop_front();
            } else {
                break;
            }
        }
        if queue.len() > k && !abusers.contains(&entry.user_id) {
            abusers.push(entry.user_id.clone());
        }
    }
    abusers.sort();
    abusers
}
