//! Mutant: computes the window end t + window_secs, which overflows (a panic in debug) near
//! u64::MAX.

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
            // Drop requests whose window [t, t + w) ends at or before this one.
            while left <= right && times[left] + window_secs <= times[right] {
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
