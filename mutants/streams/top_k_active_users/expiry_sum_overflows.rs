//! Mutant: expiry is tested as `t + window_ms > now_ms`, which overflows (and panics in
//! debug mode) for times or windows near u64::MAX.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

/// Request counts per user over a sliding time window, ranked on demand.
pub struct ActiveUsers {
    window_ms: u64,
    /// The requests that still count, oldest first.
    requests: VecDeque<(u64, String)>,
    /// Counting requests per active user; never holds a count of 0.
    counts: HashMap<String, usize>,
}

impl ActiveUsers {
    /// A tracker with no requests, counting each request for `window_ms` milliseconds
    /// (300_000 for "the last 5 minutes").
    pub fn new(window_ms: u64) -> Self {
        ActiveUsers {
            window_ms,
            requests: VecDeque::new(),
            counts: HashMap::new(),
        }
    }

    /// Notes one request of `user_id` at `now_ms` (never earlier than the previous call).
    /// Amortised O(1).
    pub fn record(&mut self, user_id: &str, now_ms: u64) {
        self.expire(now_ms);
        if self.window_ms == 0 {
            return; // it would never count
        }
        self.requests.push_back((now_ms, user_id.to_string()));
        *self.counts.entry(user_id.to_string()).or_insert(0) += 1;
    }

    /// The (at most) `k` users with the most requests counting at `now_ms`, as
    /// `(user_id, count)`: highest count first, equal counts by `user_id` ascending.
    /// Users without a counting request are never listed.
    pub fn top_k(&mut self, k: usize, now_ms: u64) -> Vec<(String, usize)> {
        self.expire(now_ms);
        if k == 0 {
            return Vec::new();
        }
        // Ordered by "worse": a lower count, then a greater id. The top is the worst kept.
        let mut kept: BinaryHeap<(Reverse<usize>, &str)> = BinaryHeap::new();
        for (user, &count) in &self.counts {
            kept.push((Reverse(count), user.as_str()));
            if kept.len() > k {
                kept.pop();
            }
        }
        kept.into_sorted_vec()
            .into_iter()
            .map(|(Reverse(count), user)| (user.to_string(), count))
            .collect()
    }

    /// Forgets the requests that no longer count at `now_ms`.
    fn expire(&mut self, now_ms: u64) {
        while let Some((t, _)) = self.requests.front() {
            if t + self.window_ms > now_ms {
                break;
            }
            let Some((_, user)) = self.requests.pop_front() else {
                break;
            };
            if let Some(count) = self.counts.get_mut(&user) {
                *count -= 1;
                if *count == 0 {
                    self.counts.remove(&user);
                }
            }
        }
    }
}
