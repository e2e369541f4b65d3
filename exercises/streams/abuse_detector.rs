//! # abuse_detector: users with more than k requests in a sliding window
//!
//! An API gateway writes one access-log line per request: who made it and when. The
//! security team wants a nightly job that reads a day of these lines and lists the
//! accounts that hammered the API, for example a login endpoint hit by a password-guessing
//! script: more than `k` requests within any `window_secs` seconds. The limit is meant as
//! a *sliding* window, not a fixed one: a script that sends 5 requests at 11:59:58 and 5
//! more at 12:00:01 made 10 requests within 3 seconds, even though a per-minute counter
//! that resets at 12:00:00 sees only 5 in each minute. The log is merged from many
//! gateway instances, so its lines are not in time order, and one instance may log
//! several requests of the same user within the same second.
//!
//! Write [`find_abusers`], which takes the log entries, the limit `k` and the window
//! length `window_secs`, and returns the users who broke the limit.
//!
//! ## Rules
//!
//! - A window is a half-open time interval `[t, t + window_secs)`, for any `t`: it
//!   contains a timestamp `x` when `t <= x < t + window_secs`. It may start anywhere, not
//!   only at a request, a multiple of `window_secs` or a whole minute.
//! - A user is an *abuser* if some window contains more than `k` of that user's entries,
//!   in other words, if some `k + 1` of the user's timestamps span less than
//!   `window_secs` seconds (the newest minus the oldest of them is `< window_secs`).
//!   Exactly `k` requests in a window is within the limit.
//! - Only a user's own entries count: requests of different users are never added up.
//!   A `user_id` is compared exactly, as a string (`"Alice"` and `"alice"` are two users).
//! - Entries come in any order. Every entry is one request, so equal timestamps of the
//!   same user count separately: two requests in the same second are two requests.
//! - The result holds each abuser once, sorted ascending by `String` order (byte-wise,
//!   so `"Zoe"` comes before `"alice"`). No abusers: an empty `Vec`.
//! - Timestamps and `window_secs` are any `u64`, including values at or near `u64::MAX`,
//!   and `k` is any `usize`, including `usize::MAX`. Nothing may overflow or panic (the
//!   checks run in debug mode, where integer overflow panics).
//!
//! ## Examples
//!
//! Below, `alice@3` stands for `LogEntry { user_id: "alice".to_string(), timestamp: 3 }`,
//! the notation the checks use in their messages too.
//!
//! ```text
//! entries                                      k  window_secs  result
//! [alice@0, alice@30, alice@59]                2  60           ["alice"]  3 requests span 59 s
//! [alice@0, alice@30, alice@60]                2  60           []         they span exactly 60 s
//! [alice@0, alice@30, alice@60, alice@61]      2  60           ["alice"]  30, 60 and 61 span 31 s
//! [bob@9, alice@5, bob@1, bob@5]               2  10           ["bob"]    order does not matter
//! [bob@7, bob@7, bob@7]                        2  1            ["bob"]    3 requests in one second
//! [alice@0, bob@1, carol@2]                    2  60           []         3 users, 1 request each
//! [carol@4, alice@0, carol@5, alice@1]         1  5            ["alice", "carol"]
//! [alice@8, alice@9, alice@10, alice@11]       3  10           ["alice"]  straddles 10 s
//! ```
//!
//! ## Edge cases
//!
//! - An empty log has no abusers.
//! - `k == 0`: a single request is already more than the limit, so every user with at
//!   least one entry is an abuser, provided `window_secs > 0`.
//! - `window_secs == 0`: the window `[t, t)` is empty and contains nothing, so nobody is
//!   an abuser, whatever `k`.
//! - `window_secs == u64::MAX` and timestamps near `u64::MAX` are valid input: with
//!   `[dave@u64::MAX-1, dave@u64::MAX]`, `k = 1` and `window_secs = 2`, `dave` is an
//!   abuser (his requests span 1 s), and computing `t + window_secs` would overflow.
//!
//! ## Complexity
//!
//! With n entries, `find_abusers` must run in O(n log n) time, whatever the number of
//! users and however many requests fall in one window. The checks time it on two logs
//! of very different sizes in the same run and compare: counting, for every entry, the
//! matching entries by scanning the log (or a user's whole history) is O(n²) and too
//! slow. Use only the standard library.

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
    todo!(
        "find the users with more than {k} of the {} entries within {window_secs} s",
        entries.len()
    )
}
