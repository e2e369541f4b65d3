//! Mutant: reports a user once for every window over the limit instead of once.

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
        if times.len() <= k {
            continue;
        }
        times.sort_unstable();
        for run in times.windows(k + 1) {
            if run[k] - run[0] < window_secs {
                abusers.push(user.to_string());
            }
        }
    }
    abusers.sort();
    abusers
}
