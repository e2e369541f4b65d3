//! Mutant: correct, but after sorting it counts each request's window by walking forward from it:
//! O(n^2) when a window holds many requests.

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
        let mut abuser = false;
        for i in 0..times.len() {
            let mut inside = 0;
            for &later in &times[i..] {
                if later - times[i] < window_secs {
                    inside += 1;
                }
            }
            if inside > k {
                abuser = true;
            }
        }
        if abuser {
            abusers.push(user.to_string());
        }
    }
    abusers.sort();
    abusers
}
