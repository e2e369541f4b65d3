//! # top_k_active_users: the heaviest users of the last five minutes
//!
//! An API gateway shows its on-call engineers a live "top talkers" panel: the K accounts
//! that sent the most requests in the last 5 minutes. When latency spikes, the first
//! question is "is one customer hammering us?", and the panel answers it at a glance; the
//! same ranking feeds the decision to throttle a noisy tenant. The gateway records every
//! request as it arrives and asks for the ranking every few seconds. Counting over *all*
//! time would rank yesterday's batch job first, so old requests must fall out of the
//! window; and re-counting every request of the window on each refresh costs as much as
//! the traffic itself, so the counts are kept up to date as requests come and go.
//!
//! ## The task
//!
//! Implement [`ActiveUsers`]: `record(user_id, now_ms)` notes one request,
//! `top_k(k, now_ms)` returns the `k` most active users of the window ending at `now_ms`
//! with their request counts. Keep the declared signatures; the struct's fields are yours.
//! Time is a parameter (`now_ms`, milliseconds): never read the clock.
//!
//! ## Rules
//!
//! - A request recorded at `t` **counts** at every `now_ms` with `now_ms - t < window_ms`:
//!   during the half-open interval `[t, t + window_ms)`. From `t + window_ms` on it has
//!   **expired** and never counts again.
//! - `record(user_id, now_ms)` notes one request of `user_id` at `now_ms`. Every call is
//!   one request: two calls in the same millisecond are two requests.
//! - `top_k(k, now_ms)` returns the users with at least one counting request at
//!   `now_ms`, each with its number of counting requests, as `(user_id, count)` pairs:
//!   - ordered by count, **highest first**; users with equal counts by `user_id`,
//!     **ascending** in `String` order (byte-wise, so `"Zoe"` comes before `"alice"`);
//!   - only the first `k` of that order: fewer than `k` pairs if fewer users are active,
//!     an empty `Vec` for `k == 0`. A user with no counting request is never listed (no
//!     `("alice", 0)`).
//!   - `top_k` only reads the counts: calling it twice at the same `now_ms` gives the
//!     same answer. (It may, and should, forget expired requests: see Complexity.)
//! - `now_ms` never decreases from one call to the next, across `record` and `top_k`
//!   (requests are stamped as they arrive, and the panel asks "now"). Equal times are
//!   fine. You may rely on this.
//! - User ids are compared exactly: `"alice"`, `"Alice"` and `"alice "` are three users,
//!   and `""` is a user like any other.
//! - `now_ms` and `window_ms` may be any `u64`, including `u64::MAX`, and `k` any
//!   `usize`, including `usize::MAX`. Nothing may overflow or panic (the checks run in
//!   debug mode, where an overflowing `+` panics).
//!
//! ## Example
//!
//! ```text
//! let mut a = ActiveUsers::new(300_000);     // the last 5 minutes
//! a.record("alice", 0);
//! a.record("bob", 1_000);
//! a.record("alice", 2_000);
//! a.record("carol", 3_000);
//! a.record("bob", 4_000);
//! a.top_k(2, 5_000)     -> [("alice", 2), ("bob", 2)]                 tie: "alice" < "bob"
//! a.top_k(9, 5_000)     -> [("alice", 2), ("bob", 2), ("carol", 1)]   only 3 users
//! a.top_k(0, 5_000)     -> []
//! a.top_k(2, 300_000)   -> [("bob", 2), ("alice", 1)]     alice@0 expired at 300_000
//! a.record("carol", 301_000);
//! a.top_k(3, 302_000)   -> [("carol", 2), ("bob", 1)]     alice's last request expired
//!                                                          at 302_000, bob@1_000 at 301_000
//! a.top_k(3, 1_000_000) -> []                             everything expired
//! ```
//!
//! ## Edge cases
//!
//! - A new tracker, or one whose requests have all expired, has no active users:
//!   `top_k` returns `[]` for every `k`.
//! - A request recorded at the very `now_ms` of a `top_k` counts (`now_ms - t == 0`).
//! - `window_ms == 0`: the interval `[t, t)` is empty, so no request ever counts and
//!   `top_k` always returns `[]`.
//! - `window_ms == u64::MAX`: a request at `t` counts until `t + u64::MAX`, beyond every
//!   `u64` time unless `t == 0` (then it expires at `now_ms == u64::MAX`). Computing
//!   `t + window_ms` overflows; `now_ms - t` does not.
//!
//! ## Complexity
//!
//! `record` must be amortised O(1) expected. `top_k` must take time that depends on the
//! number u of *users* active in the window, not on the number of *requests* in it: for
//! example O(u log k) with a heap of size k (sorting the u users, O(u log u), is accepted
//! too), plus forgetting the requests that expired since the last call, amortised O(1)
//! per request. So keep each user's count up to date as requests arrive and expire;
//! counting the window's requests again on every `top_k` is O(requests) and fails the
//! checks, which time both calls with the same 16 users behind 64 and behind 1024
//! requests in the window. Use only the standard library.

use std::marker::PhantomData;

/// Request counts per user over a sliding time window, ranked on demand.
pub struct ActiveUsers {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl ActiveUsers {
    /// A tracker with no requests, counting each request for `window_ms` milliseconds
    /// (300_000 for "the last 5 minutes").
    pub fn new(window_ms: u64) -> Self {
        todo!("create an empty tracker with a window of {window_ms} ms")
    }

    /// Notes one request of `user_id` at `now_ms` (never earlier than the previous call).
    /// Amortised O(1).
    pub fn record(&mut self, user_id: &str, now_ms: u64) {
        todo!("record one request of {user_id:?} at {now_ms} ms")
    }

    /// The (at most) `k` users with the most requests counting at `now_ms`, as
    /// `(user_id, count)`: highest count first, equal counts by `user_id` ascending.
    /// Users without a counting request are never listed.
    pub fn top_k(&mut self, k: usize, now_ms: u64) -> Vec<(String, usize)> {
        todo!("the top {k} users at {now_ms} ms")
    }
}
