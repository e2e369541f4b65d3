//! Mutant: counts requests in fixed buckets [0, w), [w, 2w), ... like a per-minute counter,
//! missing bursts across a bucket boundary.

/// One line of the gateway's access log: which user made a request, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub user_id: String,
    pub timestamp: u64,
}

use std::collections::HashMap;

pub fn find_abusers(entries: &[LogEntry], k: usize, window_secs: u64) -> Vec<String> {
    if window_secs == 0 {
        return Vec::new();
    }
    let mut buckets: HashMap<(&str, u64), usize> = HashMap::new();
    for entry in entries {
        *buckets
            .entry((&entry.user_id, entry.timestamp / window_secs))
            .or_default() += 1;
    }
    let mut abusers: Vec<String> = buckets
        .into_iter()
        .filter(|&(_, count)| count > k)
        .map(|((user, _), _)| user.to_string())
        .collect();
    abusers.sort();
    abusers.dedup();
    abusers
}
