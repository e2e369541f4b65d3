//! # fixed_window_limiter: a per-client request counter that resets every window
//!
//! A public REST API gives every API key a quota, say "100 requests per minute", so that
//! one buggy or greedy client cannot starve the others (or run up the database bill).
//! Requests over the quota get `429 Too Many Requests` instead of reaching the handlers.
//! The simplest limiter that does this is the *fixed window counter*: cut time into
//! windows of `window_ms` milliseconds aligned to the clock (12:00:00.000 to
//! 12:00:59.999, then 12:01:00.000 to 12:01:59.999, ...) and keep one counter per client
//! for the current window. In Redis it is a single `INCR ratelimit:{key}:{minute}` with
//! an `EXPIRE`; in memory it is a hash map of counters.
//!
//! It is cheap (one integer per active client) and easy to explain, and it has a known
//! flaw that interviewers always ask about: the **boundary burst**. The counter only
//! knows which window a request falls in, not how far apart requests are, so a client
//! can spend its whole quota in the last millisecond of one window and its whole quota
//! again in the first millisecond of the next: **2 × limit requests within 2 ms**. The
//! next exercises (`sliding_log_limiter`, `sliding_counter_limiter`, `token_bucket`)
//! fix that, each trading memory, accuracy and burst tolerance differently.
//!
//! ## The task
//!
//! Implement [`FixedWindowLimiter`]. Keep the declared signatures; the struct's fields are
//! yours. Time is a parameter (`now_ms`, milliseconds, for example since the Unix epoch):
//! never read the clock.
//!
//! ## Rules
//!
//! - Windows are aligned to multiples of `window_ms`: window `k` is the half-open
//!   interval `[k * window_ms, (k + 1) * window_ms)`, so the time `now_ms` lies in window
//!   `now_ms / window_ms`. Windows do **not** start at a client's first request.
//! - Every client has its own counter for each window, starting at 0.
//! - `allow(client, now_ms)`: if the client's counter for the window of `now_ms` is below
//!   `limit`, add 1 to it and return `true` (the request may proceed). Otherwise return
//!   `false` (answer 429) and change nothing: **rejected requests are not counted**.
//! - Clients never share a counter. A client is compared exactly, as a string: `"alice"`,
//!   `"Alice"` and `"alice "` are three clients, and `""` is a client like any other.
//! - `now_ms` never decreases from one call to the next (requests are stamped as they
//!   arrive); several calls with the same `now_ms` are fine. You may rely on this.
//! - **Bounded memory.** A counter of a past window can never matter again, so the
//!   limiter must drop it. `tracked_clients()` is the number of clients with a counter
//!   above 0 in the window of the latest `allow` call (0 before any call). The checks let
//!   thousands of clients make one request each, move to the next window, and expect
//!   `tracked_clients()` to count only the clients seen in the new window.
//! - `limit` is any `u32` (0 rejects everything; `u32::MAX` must not overflow).
//!   `window_ms` is at least 1 (`new` may panic on 0; the checks never pass 0), and
//!   `now_ms` and `window_ms` are any `u64` up to `u64::MAX`. Nothing may overflow or
//!   panic: the checks run in debug mode, where an overflowing `+` or `*` panics.
//!
//! ## Example
//!
//! ```text
//! let mut l = FixedWindowLimiter::new(3, 1_000);   // 3 requests per second
//! l.allow("alice", 0)       -> true      window [0, 1000): alice 1
//! l.allow("alice", 400)     -> true                        alice 2
//! l.allow("bob", 500)       -> true                        bob 1
//! l.allow("alice", 998)     -> true                        alice 3
//! l.allow("alice", 999)     -> false     limit reached: 429, alice stays at 3
//! l.tracked_clients()       -> 2         alice, bob
//! l.allow("alice", 1_000)   -> true      window [1000, 2000): alice 1
//! l.tracked_clients()       -> 1         bob's counter belonged to the old window
//! l.allow("alice", 1_001)   -> true                        alice 2
//! l.allow("alice", 1_002)   -> true                        alice 3
//! l.allow("alice", 1_003)   -> false
//! l.allow("alice", 5_500)   -> true      window [5000, 6000): alice 1
//! ```
//!
//! The boundary burst, with the same limiter: three requests at 997, 998 and 999 and
//! three more at 1000, 1001 and 1002 are all allowed: 6 requests within 6 ms, twice the
//! limit. That is what this algorithm does, and the checks expect it.
//!
//! ## Edge cases
//!
//! - `limit == 0`: every request is rejected, and no client is ever tracked.
//! - A client that skips windows (a request at 100, the next at 50_000) simply starts
//!   at 0 again; so does a client that was rejected in the previous window.
//! - A request at exactly `k * window_ms` belongs to window `k`, not to window `k - 1`.
//! - `window_ms == u64::MAX`: window 0 is `[0, u64::MAX)` and window 1 holds only the
//!   time `u64::MAX`. Computing a window's end as `start + window_ms` overflows; working
//!   with the window index `now_ms / window_ms` does not.
//!
//! ## Complexity
//!
//! `allow` must take amortised O(1) expected time, whatever the number of clients
//! tracked, and `tracked_clients` O(1). Each counter is created once and dropped once,
//! so the dropping, spread over the calls, costs O(1) each; scanning every tracked client
//! on every call (to find the stale ones) is O(n) per call and fails the checks, which
//! time `allow` with 64 and with 2048 clients tracked and compare. Memory is one counter
//! per client active in the current window. Use only the standard library.

use std::marker::PhantomData;

/// Allows each client at most `limit` requests per aligned window of `window_ms`
/// milliseconds.
pub struct FixedWindowLimiter {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl FixedWindowLimiter {
    /// A limiter that allows each client `limit` requests in every window
    /// `[k * window_ms, (k + 1) * window_ms)`. `window_ms` is at least 1.
    pub fn new(limit: u32, window_ms: u64) -> Self {
        todo!("create a limiter of {limit} requests per {window_ms} ms window")
    }

    /// Whether `client` may make a request at `now_ms`: `true` counts the request in the
    /// client's counter for the window of `now_ms`; `false` (limit reached) changes
    /// nothing. `now_ms` never decreases between calls. Amortised O(1).
    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        todo!("may {client:?} make a request at {now_ms} ms?")
    }

    /// How many clients have a counter above 0 in the window of the latest `allow` call
    /// (0 before any call). O(1).
    pub fn tracked_clients(&self) -> usize {
        todo!("count the clients tracked in the current window")
    }
}
