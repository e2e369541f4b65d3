//! # sliding_log_limiter: an exact sliding window, with memory that forgets idle clients
//!
//! The login endpoint of an identity service allows each account 5 attempts per 15
//! minutes, to slow down password guessing. A fixed window counter (the previous
//! exercise) is not good enough here: a script can make 5 attempts at 12:14:59 and 5 more
//! at 12:15:00, twice the limit in one second, because the counter resets on the clock.
//! The security team wants the limit to hold for **every** 15-minute interval, not just
//! for the ones that start on the quarter hour.
//!
//! The *sliding window log* does exactly that: for every client, keep the times of its
//! allowed requests (its log). A new request is allowed only if fewer than `limit` of the
//! logged requests are younger than `window_ms`. In Redis this is a sorted set per client
//! (`ZREMRANGEBYSCORE` the old entries, `ZCARD`, `ZADD`); here it is your own data
//! structure. It is the most accurate of the classic algorithms and pays for it in
//! memory: up to `limit` timestamps per client instead of one counter. And memory only
//! stays bounded if the log of a client that has gone quiet is dropped, not kept forever:
//! a public API sees millions of distinct clients a day, most of them only once.
//!
//! ## The task
//!
//! Implement [`SlidingLogLimiter`]. Keep the declared signatures; the struct's fields are
//! yours. Time is a parameter (`now_ms`, milliseconds, for example since the Unix epoch):
//! never read the clock.
//!
//! ## Rules
//!
//! - A request allowed at time `t` **counts** at time `now_ms` while
//!   `now_ms - t < window_ms`: during the half-open interval `[t, t + window_ms)`. From
//!   `t + window_ms` on it no longer counts.
//! - `allow(client, now_ms)`: if fewer than `limit` of the client's allowed requests count
//!   at `now_ms`, the request is allowed: log it at `now_ms` and return `true`. Otherwise
//!   return `false` and change nothing: **rejected requests are not logged** (a client
//!   that keeps hammering is let through again as soon as its old requests age out).
//! - So in **every** interval of `window_ms` milliseconds, wherever it starts, a client
//!   gets at most `limit` requests allowed: there is no boundary burst.
//! - Clients never share a log. A client is compared exactly, as a string: `"alice"`,
//!   `"Alice"` and `"alice "` are three clients, and `""` is a client like any other.
//!   Several requests with the same `now_ms` are separate requests.
//! - `now_ms` never decreases from one call to the next; calls with the same `now_ms`
//!   are fine. You may rely on this.
//! - **Bounded memory.** A request that no longer counts can never matter again, so the
//!   limiter must drop it, and must drop a client whose log is empty. Two methods report
//!   what is kept, as of the `now_ms` of the latest `allow` call (0 before any call):
//!   - `logged_requests()`: the number of allowed requests (of all clients) that count
//!     at that `now_ms`;
//!   - `tracked_clients()`: the number of clients with at least one of them.
//!
//!   The checks let thousands of clients make a request each, then make one request a
//!   window later, and expect both numbers to have dropped, even though those clients
//!   never came back.
//! - `limit` is any `u32` (0 rejects everything). `window_ms` is at least 1 (the checks
//!   never pass 0), and `now_ms` and `window_ms` are any `u64` up to `u64::MAX`. Nothing
//!   may overflow or panic: the checks run in debug mode, where an overflowing `+` panics.
//!
//! ## Example
//!
//! ```text
//! let mut l = SlidingLogLimiter::new(3, 1_000);   // 3 requests in any 1 s
//! l.allow("alice", 0)       -> true      alice's log: 0
//! l.allow("alice", 400)     -> true                   0 400
//! l.allow("bob", 500)       -> true      bob's log:   500
//! l.allow("alice", 998)     -> true                   0 400 998
//! l.allow("alice", 999)     -> false     3 requests count at 999 (999 - 0 < 1000)
//! l.allow("alice", 1_000)   -> true      0 no longer counts: 400 998 1000
//! l.allow("alice", 1_001)   -> false     400, 998 and 1000 count
//! l.logged_requests()       -> 4         alice: 400 998 1000, bob: 500
//! l.tracked_clients()       -> 2
//! l.allow("alice", 1_500)   -> true      400 and bob's 500 aged out: alice 998 1000 1500
//! l.logged_requests()       -> 3
//! l.tracked_clients()       -> 1         bob's log is empty: bob is forgotten
//! ```
//!
//! No boundary burst: with `SlidingLogLimiter::new(3, 1_000)`, after three requests at
//! 997, 998 and 999, every request is rejected until 1997, when the one at 997 ages out.
//! A fixed window counter would have allowed three more at 1000.
//!
//! ## Edge cases
//!
//! - `limit == 0`: every request is rejected, and nothing is ever logged or tracked.
//! - A request exactly `window_ms` after an allowed one no longer sees it.
//! - `window_ms == u64::MAX`: a request allowed at `t` counts until `t + u64::MAX`, which
//!   lies beyond every `u64` time unless `t == 0` (then it stops counting at
//!   `now_ms == u64::MAX`). Computing `t + window_ms` overflows; `now_ms - t` does not.
//!
//! ## Complexity
//!
//! `allow` must take amortised O(1) expected time, whatever the `limit` and the number of
//! clients and logged requests: each allowed request is logged once and dropped once, so
//! spread over many calls the dropping costs O(1) each. Scanning a client's whole log, the
//! whole set of logged requests, or every client on each call is O(n) per call and fails
//! the checks, which time `allow` with 64 and with 2048 clients, and with a `limit` of 64
//! and of 2048, and compare. `tracked_clients` and `logged_requests` are O(1). Memory is
//! O(number of requests that count), which is the price of exactness: up to `limit`
//! timestamps per client. Use only the standard library.

use std::marker::PhantomData;

/// Allows each client at most `limit` requests in any `window_ms` milliseconds, exactly,
/// by keeping a log of its allowed requests.
pub struct SlidingLogLimiter {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl SlidingLogLimiter {
    /// A limiter that allows each client `limit` requests in any interval of `window_ms`
    /// milliseconds. `window_ms` is at least 1.
    pub fn new(limit: u32, window_ms: u64) -> Self {
        todo!("create a limiter of {limit} requests in any {window_ms} ms")
    }

    /// Whether `client` may make a request at `now_ms`: `true` if fewer than `limit` of
    /// its allowed requests count at `now_ms` (the request is logged), `false` otherwise
    /// (nothing changes). `now_ms` never decreases between calls. Amortised O(1).
    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        todo!("may {client:?} make a request at {now_ms} ms?")
    }

    /// How many clients have at least one allowed request that counts at the `now_ms` of
    /// the latest `allow` call (0 before any call). O(1).
    pub fn tracked_clients(&self) -> usize {
        todo!("count the clients with a non-empty log")
    }

    /// How many allowed requests, of all clients, count at the `now_ms` of the latest
    /// `allow` call (0 before any call). O(1).
    pub fn logged_requests(&self) -> usize {
        todo!("count the logged requests that still count")
    }
}
