//! Mutant: keeps each user's timestamps in a set, so requests in the same second count once.

/// One line of the gateway's access log: which user made a request, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub user_id: String,
    pub timestamp: u64,
}

use std::collections::{BTreeSet, HashMap};

pub fn find_abusers(entries: &[LogEntry], k: usize, window_secs: u64) -> Vec<String> {
    let mut by_user: HashMap<&str, BTreeSet<u64>> = HashMap::new();
    for entry in entries {
        by_user
            .entry(&entry.user_id)
            .or_default()
            .insert(entry.timestamp);
    }
    let mut abusers = Vec::new();
    for (user, times) in by_user {
        if times.len() <= k {
            continue;
        }
        let times: Vec<u64> = times.into_iter().collect();
        if times
            .windows(k + 1)
            .any(|run| run[k] - run[0] < window_secs)
        {
            abusers.push(user.to_string());
        }
    }
    abusers.sort();
    abusers
}
