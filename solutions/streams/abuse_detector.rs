//! # abuse_detector: users with more than k requests in a sliding window (reference solution)
//!
//! Group the timestamps by user, sort each user's timestamps, and slide a window of
//! `k + 1` consecutive timestamps over them: the user is an abuser when the newest minus
//! the oldest of some such run is below `window_secs`. Subtracting two sorted timestamps
//! never overflows, unlike computing `t + window_secs`. Grouping is O(n) expected, the
//! sorts O(n log n) together, the windows O(n).

use std::collections::HashMap;

/// One line of the gateway's access log: which user made a request, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The account that made the request; compared exactly, as a string.
    pub user_id: String,
    /// When the request arrived, in whole seconds (for example since the Unix epoch).
    pub timestamp: u64,
}

/// The users with more than `k` entries in some half-open window
/// `[t, t + window_secs)`, each once, sorted ascending. `entries` may be in any order.
/// O(n log n) for n entries.
pub fn find_abusers(entries: &[LogEntry], k: usize, window_secs: u64) -> Vec<String> {
    let mut by_user: HashMap<&str, Vec<u64>> = HashMap::new();
    for entry in entries {
        by_user
            .entry(entry.user_id.as_str())
            .or_default()
            .push(entry.timestamp);
    }
    let mut abusers: Vec<String> = by_user
        .into_iter()
        // `len > k` first: it also keeps `k + 1` below from overflowing.
        .filter(|(_, times)| times.len() > k)
        .filter_map(|(user, mut times)| {
            times.sort_unstable();
            let burst = times
                .windows(k + 1)
                .any(|run| run[k] - run[0] < window_secs);
            burst.then(|| user.to_string())
        })
        .collect();
    abusers.sort_unstable();
    abusers
}
