//! Mutant: a two-pointer window whose left edge can pass the right one: with window_secs = 0 it
//! reads past the user's timestamps and panics.

/// One line of the gateway's access log: which user made a request, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub user_id: String,
    pub timestamp: u64,
}

use std::collections::HashMap;

pub fn find_abusers(entries: &[LogEntry], k: usize, window_secs: u64) -> Vec<String> {
    let mut by_user: HashMap<&str, Vec<u64>> = HashMap::new();
    for entry in entries {
        by_user
            .entry(&entry.user_id)
            .or_default()
            .push(entry.timestamp);
    }
    let mut abusers = Vec::new();
    for (user, mut times) in by_user {
        times.sort_unstable();
        let mut left = 0;
        for right in 0..times.len() {
            while times[right] - times[left] >= window_secs {
                left += 1;
            }
            if right + 1 - left > k {
                abusers.push(user.to_string());
                break;
            }
        }
    }
    abusers.sort();
    abusers
}
