//! Mutant: slides one window over the whole log sorted by time, counting every user's requests
//! together, and blames the user of the newest request.

/// One line of the gateway's access log: which user made a request, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub user_id: String,
    pub timestamp: u64,
}

pub fn find_abusers(entries: &[LogEntry], k: usize, window_secs: u64) -> Vec<String> {
    let mut sorted: Vec<&LogEntry> = entries.iter().collect();
    sorted.sort_by_key(|entry| entry.timestamp);
    let mut abusers: Vec<String> = Vec::new();
    let mut left = 0;
    for right in 0..sorted.len() {
        while left <= right && sorted[right].timestamp - sorted[left].timestamp >= window_secs {
            left += 1;
        }
        if right + 1 - left > k {
            abusers.push(sorted[right].user_id.clone());
        }
    }
    abusers.sort();
    abusers.dedup();
    abusers
}
