//! Mutant: correct, but for every entry it scans the whole log to count that user's requests in
//! [t, t + w): O(n^2).

/// One line of the gateway's access log: which user made a request, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub user_id: String,
    pub timestamp: u64,
}

pub fn find_abusers(entries: &[LogEntry], k: usize, window_secs: u64) -> Vec<String> {
    let mut abusers: Vec<String> = Vec::new();
    for start in entries {
        let mut inside = 0;
        for other in entries {
            if other.user_id == start.user_id
                && other.timestamp >= start.timestamp
                && other.timestamp - start.timestamp < window_secs
            {
                inside += 1;
            }
        }
        if inside > k && !abusers.contains(&start.user_id) {
            abusers.push(start.user_id.clone());
        }
    }
    abusers.sort();
    abusers
}
