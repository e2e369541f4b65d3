//! # rate_limit_headers: turn a limiter's decision into a 429 and rate limit headers
//!
//! A rate limiter that silently drops requests is hostile: clients cannot tell a limit
//! from an outage, so they retry at once, and the retries make things worse. A
//! well-behaved API says what is going on, on every response, with headers that client
//! libraries and SDKs read to pace themselves (GitHub, Twitter/X and many others use this
//! family):
//!
//! ```text
//! HTTP/1.1 429 Too Many Requests
//! X-RateLimit-Limit: 100            the quota of the current window
//! X-RateLimit-Remaining: 0          requests left in it
//! X-RateLimit-Reset: 1795435260     when the quota resets, in Unix epoch seconds
//! Retry-After: 48                   seconds to wait before retrying (429 only)
//! ```
//!
//! The limiter (any of the previous exercises) decides; this function only renders the
//! decision. It is small, and it is where real APIs get the details wrong: a
//! `Retry-After: 0` that invites an instant retry storm, a reset time rounded down so
//! that obedient clients come back a few hundred milliseconds too early and are rejected
//! again, a `Remaining` that underflows or says "3" on a 429. The rules below pin every
//! such detail down.
//!
//! ## The task
//!
//! Implement [`limit_response`]: given the limiter's [`Decision`] for a request and the
//! current time `now_ms` (Unix epoch milliseconds), return the status code and the rate
//! limit headers as a [`LimitResponse`]. It is a pure function: no clock, no state.
//!
//! ## Rules
//!
//! - `status` is `200` if `decision.allowed`, and `429` (Too Many Requests) otherwise.
//! - `headers` holds, in this order, with these exact names (HTTP header names are
//!   case-insensitive on the wire, but the checks compare these strings exactly):
//!   1. `X-RateLimit-Limit`: `decision.limit`.
//!   2. `X-RateLimit-Remaining`: for an allowed request, `limit - used`, or `0` when
//!      `used >= limit` (a limiter may count more than the limit, for example after the
//!      limit was lowered); for a rejected request always `0`, whatever `used` says.
//!   3. `X-RateLimit-Reset`: the moment the quota resets, `decision.reset_at_ms`, in Unix
//!      epoch **seconds, rounded up**: a client that waits until that second is never
//!      early. A reset moment before `now_ms` (a stale decision) is reported as `now_ms`.
//!   4. `Retry-After`, **only on a 429**: the seconds from `now_ms` until
//!      `decision.retry_at_ms`, **rounded up, and at least 1** (also when `retry_at_ms`
//!      is at or before `now_ms`): `Retry-After: 0` would invite an immediate retry.
//! - Every value is a plain decimal integer: no sign, no leading zeros, no spaces, no
//!   unit, no fraction.
//! - Any `u32` and `u64` values are valid, including `u64::MAX`. Nothing may overflow or
//!   panic: the checks run in debug mode, where `used > limit` in `limit - used`, or a
//!   `+ 999` for rounding up near `u64::MAX`, panics.
//!
//! ## Examples
//!
//! ```text
//! now_ms = 1_795_435_212_345                         (12:00:12.345 UTC)
//!
//! Decision { allowed: true, limit: 100, used: 1,
//!            reset_at_ms: 1_795_435_260_000, retry_at_ms: 0 }
//!   -> 200  X-RateLimit-Limit: 100
//!           X-RateLimit-Remaining: 99
//!           X-RateLimit-Reset: 1795435260
//!
//! Decision { allowed: false, limit: 100, used: 100,
//!            reset_at_ms: 1_795_435_260_000, retry_at_ms: 1_795_435_260_000 }
//!   -> 429  X-RateLimit-Limit: 100
//!           X-RateLimit-Remaining: 0
//!           X-RateLimit-Reset: 1795435260
//!           Retry-After: 48                          47.655 s, rounded up
//!
//! A token bucket that refills a token 334 ms from now, and is full 2.5 s from now:
//! Decision { allowed: false, limit: 5, used: 5,
//!            reset_at_ms: 1_795_435_214_845, retry_at_ms: 1_795_435_212_679 }
//!   -> 429  X-RateLimit-Limit: 5
//!           X-RateLimit-Remaining: 0
//!           X-RateLimit-Reset: 1795435215              1795435214.845, rounded up
//!           Retry-After: 1                             0.334 s, rounded up
//! ```
//!
//! ## Edge cases
//!
//! - `retry_at_ms` at or before `now_ms` on a 429: `Retry-After: 1`.
//! - `reset_at_ms` a whole second (`..._000`): that second exactly; one millisecond
//!   later (`..._001`): the next second.
//! - `used > limit` on a 200: `Remaining` is `0`, not an underflow.
//! - `limit == 0`: `X-RateLimit-Limit: 0` and `X-RateLimit-Remaining: 0`.
//! - `reset_at_ms == u64::MAX` is `18446744073709552` seconds (rounded up), and a
//!   `retry_at_ms` of `u64::MAX` at `now_ms == 0` gives the same `Retry-After`.
//!
//! ## Complexity
//!
//! O(1): a few integer operations and four short strings. Use only the standard library.

/// What a rate limiter decided about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The quota: how many requests the client may make per window.
    pub limit: u32,
    /// Requests counted against the quota so far, including this one if it was allowed.
    /// May exceed `limit`.
    pub used: u32,
    /// When the quota resets (the window ends, or the bucket is full again), in Unix epoch
    /// milliseconds.
    pub reset_at_ms: u64,
    /// When a request would next be allowed, in Unix epoch milliseconds. Only meaningful
    /// when `allowed` is `false`.
    pub retry_at_ms: u64,
}

/// The part of the HTTP response the rate limiter is responsible for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitResponse {
    /// `200` for an allowed request, `429` for a rejected one.
    pub status: u16,
    /// `(name, value)` pairs, in the order the statement gives.
    pub headers: Vec<(String, String)>,
}

/// The status and rate limit headers for `decision`, rendered at `now_ms` (Unix epoch
/// milliseconds).
pub fn limit_response(decision: &Decision, now_ms: u64) -> LimitResponse {
    todo!("render {decision:?} at {now_ms} ms as a status and headers")
}
