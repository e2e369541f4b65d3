//! # sliding_counter_limiter: approximate a sliding window with two counters
//!
//! An API gateway in front of hundreds of services limits every API key to, say, 600
//! requests per minute. The fixed window counter is cheap but lets a key send 1200
//! requests within a second around each minute boundary; the sliding log is exact but
//! stores up to 600 timestamps per key, which for a million keys is gigabytes. The
//! *sliding window counter* (the algorithm Cloudflare and many gateways use) sits in
//! between: it keeps just **two counters per client**, for the current fixed window and
//! the previous one, and estimates how many requests the sliding window ending now holds
//! by assuming the previous window's requests were spread evenly over it.
//!
//! ```text
//!          previous window               current window
//!    |------------------------------|------------------------------|
//!    |   prev = 40 requests         |   curr = 8 so far            |
//!                   |<------ sliding window of window_ms ----->|
//!                   ^ 75% of the previous window overlaps      ^ now (25% into current)
//!
//!    estimate = 40 * 75% + 8 = 38
//! ```
//!
//! It is an approximation: when the previous window's requests were not spread evenly,
//! the estimate is off, a little too strict or a little too lenient. But it smooths the
//! boundary (the full previous count applies right after the edge, fading out over the
//! window), uses as little memory as the fixed window, and needs no log.
//!
//! ## The task
//!
//! Implement [`SlidingCounterLimiter`]. Keep the declared signatures; the struct's fields
//! are yours. Time is a parameter (`now_ms`, milliseconds, for example since the Unix
//! epoch): never read the clock.
//!
//! ## Rules
//!
//! - Fixed windows are aligned to multiples of `window_ms`, as in the fixed window
//!   counter: `now_ms` lies in window `k = now_ms / window_ms`, which starts at
//!   `k * window_ms`. The time since it started is `elapsed = now_ms % window_ms`.
//! - For each client, `curr` is the number of its requests **allowed** in window `k`, and
//!   `prev` the number allowed in window `k - 1`, the window just before (0 if the client
//!   made no allowed request in it, for example because it skipped that window).
//! - The **estimate** at `now_ms` is the exact rational number
//!
//!   ```text
//!   estimate = prev * (window_ms - elapsed) / window_ms + curr
//!   ```
//!
//!   and the request is allowed when `estimate < limit`. Compute it exactly, without
//!   rounding and without floating point: multiply out the division, i.e. allow when
//!
//!   ```text
//!   prev * (window_ms - elapsed) + curr * window_ms < limit * window_ms
//!   ```
//!
//!   in integers wide enough not to overflow (`u128`: `u32 * u64` fits). An estimate of
//!   3.996 with a limit of 4 is allowed; an estimate of exactly 4 is not. (Rounding the
//!   weighted count down gives the same answers; rounding it up or to the nearest integer,
//!   or computing it in `f64`, does not, and fails the checks.)
//! - `allow(client, now_ms)`: if allowed, add 1 to the client's `curr` and return `true`;
//!   otherwise return `false` and change nothing: **rejected requests are not counted**.
//! - Clients never share counters. A client is compared exactly, as a string: `"alice"`,
//!   `"Alice"` and `"alice "` are three clients, and `""` is a client like any other.
//! - `now_ms` never decreases from one call to the next; calls with the same `now_ms` are
//!   fine. You may rely on this.
//! - **Bounded memory.** `tracked_clients()` is the number of clients with an allowed
//!   request in the window of the latest `allow` call or in the window just before it (0
//!   before any call): the only counters that can still matter. The limiter must drop all
//!   the others; the checks let thousands of clients make a request each, move on two
//!   windows, and watch `tracked_clients()`.
//! - `limit` is any `u32` (0 rejects everything). `window_ms` is at least 1 (the checks
//!   never pass 0), and `now_ms` and `window_ms` are any `u64` up to `u64::MAX`. Nothing
//!   may overflow or panic: the checks run in debug mode, where an overflowing `*`
//!   panics.
//!
//! ## Example
//!
//! ```text
//! let mut l = SlidingCounterLimiter::new(4, 1_000);   // about 4 requests per second
//!
//! call               window elapsed prev curr  estimate                  result
//! allow("a", 100)    0      100     0    0     0                         true
//! allow("a", 200)    0      200     0    1     1                         true
//! allow("a", 300)    0      300     0    2     2                         true
//! allow("a", 400)    0      400     0    3     3                         true
//! allow("a", 500)    0      500     0    4     4                         false (not < 4)
//! allow("a", 1_250)  1      250     4    0     4 * 750/1000 + 0 = 3      true
//! allow("a", 1_250)  1      250     4    1     3 + 1 = 4                 false
//! allow("a", 1_500)  1      500     4    1     4 * 500/1000 + 1 = 3      true
//! allow("a", 1_749)  1      749     4    2     4 * 251/1000 + 2 = 3.004  true
//! allow("a", 1_750)  1      750     4    3     4 * 250/1000 + 3 = 4      false
//! allow("a", 1_751)  1      751     4    3     4 * 249/1000 + 3 = 3.996  true
//! allow("b", 1_900)  1      900     0    0     0                         true
//! tracked_clients()  -> 2   a and b
//! allow("a", 2_100)  2      100     4    0     4 * 900/1000 + 0 = 3.6    true
//! allow("a", 2_100)  2      100     4    1     3.6 + 1 = 4.6             false
//! tracked_clients()  -> 2   a, and b, whose request was in window 1
//! allow("a", 3_100)  3      100     1    0     1 * 900/1000 + 0 = 0.9    true
//! tracked_clients()  -> 1   b's request was two windows ago: b is dropped
//! allow("a", 9_000)  9      0       0    0     0                         true
//! ```
//!
//! In window 2 `prev` is 4, the requests allowed in window 1; in window 3 it is 1, the
//! one allowed in window 2; at 9000 (window 9) it is 0, since window 8 had none.
//!
//! At a window edge the whole previous count applies (elapsed 0, weight 1): with
//! `SlidingCounterLimiter::new(3, 1_000)` and requests at 997, 998 and 999, a request at
//! 1000 has estimate 3 and is rejected, where a fixed window counter would let three
//! through; at 1001 the estimate is 3 * 999/1000 = 2.997 and one is allowed.
//!
//! ## Edge cases
//!
//! - `limit == 0`: every request is rejected, and no client is ever tracked.
//! - A client whose last allowed request was two or more windows ago has `prev = 0` and
//!   `curr = 0`: its old count must not be taken for the previous window's.
//! - `window_ms == 1`: `elapsed` is always 0, so the estimate is `prev + curr`.
//! - `window_ms == u64::MAX`: window 0 is `[0, u64::MAX)` and window 1 holds only
//!   `u64::MAX`, where `elapsed` is 0 and `prev * window_ms` is far beyond `u64`.
//! - Huge windows: with `window_ms = 10^18` and `prev = 2`, one millisecond into the
//!   window the estimate is `2 * (10^18 - 1)/10^18 = 1.999999999999999998`, below a
//!   limit of 2. An `f64` cannot tell `10^18 - 1` from `10^18` and gets 2: stay in
//!   integers.
//!
//! ## Complexity
//!
//! `allow` must take amortised O(1) expected time, whatever the number of clients, and
//! `tracked_clients` O(1). Dropping old counters must not scan every client on every
//! call: each counter is created once and dropped once, so spread over the calls that
//! costs O(1) each. The checks time `allow` with 64 and with 2048 clients tracked and
//! compare. Memory is two counters per client active in the last two windows. Use only
//! the standard library.

use std::marker::PhantomData;

/// Allows each client about `limit` requests per `window_ms` milliseconds, estimating a
/// sliding window from the counts of the current and the previous fixed window.
pub struct SlidingCounterLimiter {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl SlidingCounterLimiter {
    /// A limiter with windows `[k * window_ms, (k + 1) * window_ms)` that allows a
    /// request while the client's estimate is below `limit`. `window_ms` is at least 1.
    pub fn new(limit: u32, window_ms: u64) -> Self {
        todo!("create a limiter of about {limit} requests per {window_ms} ms")
    }

    /// Whether `client` may make a request at `now_ms`: `true` if
    /// `prev * (window_ms - elapsed) / window_ms + curr < limit`, exactly (the request is
    /// counted in `curr`), `false` otherwise (nothing changes). `now_ms` never decreases
    /// between calls. Amortised O(1).
    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        todo!("may {client:?} make a request at {now_ms} ms?")
    }

    /// How many clients have an allowed request in the window of the latest `allow` call
    /// or in the window before it (0 before any call). O(1).
    pub fn tracked_clients(&self) -> usize {
        todo!("count the clients with a counter that still matters")
    }
}
