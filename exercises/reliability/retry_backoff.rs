//! # retry_backoff: exponential backoff with full jitter, a cap and a deadline
//!
//! A checkout service calls a payment provider. Now and then a call fails for reasons
//! that go away on their own: the provider answers `503 Service Unavailable` during a
//! deploy, `429 Too Many Requests` under load, or the connection times out. Retrying such
//! a call is right; retrying `400 Bad Request` or `402 Card Declined` is pointless, since
//! the same request fails the same way again. And *how* you retry matters as much as
//! whether you do:
//!
//! - Retrying at once, in a tight loop, hammers a provider that is already struggling.
//!   So wait between attempts, and wait longer each time: **exponential backoff**.
//! - A thousand clients that failed at the same moment and back off by the same amounts
//!   retry at the same moments too, in synchronised waves. So each waits a *random* time
//!   between zero and its backoff: **full jitter** spreads the retries evenly.
//! - Doubling forever gives absurd waits: the backoff has a **cap**.
//! - The checkout request itself has a timeout. A retry that would start after the
//!   caller gave up is wasted work, so the retrying has a **deadline** (a time budget).
//!
//! "How would you retry a flaky dependency?" is a standard follow-up in backend
//! interviews; the expected answer is exactly this list, plus "only retry what is safe
//! and useful to retry".
//!
//! ## The task
//!
//! Write [`retry`], which runs `op` until it succeeds or it is time to give up. It never
//! reads the real clock and never really sleeps: it asks the injected [`Clock`] for the
//! time and to sleep, and asks the injected `jitter` function for every random delay (in
//! production these are the system clock, `thread::sleep` and a seeded random number
//! generator; the checks pass a fake clock that records your sleeps and a seeded
//! generator, so every run is reproducible). Keep the declared signatures.
//!
//! ## Rules
//!
//! Attempts are numbered from 1; `op(n)` runs attempt `n`. Let `start` be
//! `clock.now_ms()` read once, when `retry` is called, before the first attempt. The first
//! attempt always runs. After attempt `n` returns:
//!
//! 1. `Ok(value)`: return `Ok(value)`.
//! 2. `Err(e)` and `is_retryable(&e)` is false: return
//!    `Err(RetryError::Permanent { error: e, attempts: n })` at once.
//! 3. `Err(e)`, retryable, and `n >= policy.max_attempts`: return
//!    `Err(RetryError::AttemptsExhausted { error: e, attempts: n })`.
//!    (`max_attempts` counts *all* attempts, the first included; 0 behaves like 1.)
//! 4. Otherwise compute the **ceiling** of this backoff,
//!    `min(policy.max_delay_ms, policy.base_delay_ms * 2^(n - 1))`, computed exactly:
//!    the product may be far beyond `u64::MAX` (then the ceiling is the cap), and the
//!    checks run in debug mode, where an overflowing `*` or `<<` panics.
//! 5. Draw the **delay**: `delay = jitter(ceiling)`. The jitter function returns a random
//!    number in `0..=ceiling`; call it exactly once per backoff, with that ceiling, and
//!    only here (not on success, not for a permanent error, not when attempts are used
//!    up), so that a given seed always gives the same delays.
//! 6. **Deadline**: let `now = clock.now_ms()` (time passes during `op` too). The next
//!    attempt would start at `now + delay`. If that is not strictly before
//!    `start + policy.budget_ms`, return
//!    `Err(RetryError::DeadlineExceeded { error: e, attempts: n })` without sleeping.
//!    Compare the exact values (`budget_ms` may be `u64::MAX`, in effect no deadline,
//!    and times may be close to `u64::MAX`): again, nothing may overflow.
//! 7. Otherwise call `clock.sleep_ms(delay)` exactly once (also when `delay` is 0) and
//!    run attempt `n + 1`.
//!
//! The error returned is always the one from the last attempt.
//!
//! ## Examples
//!
//! Policy `base_delay_ms: 100, max_delay_ms: 1_000, max_attempts: 6, budget_ms: 5_000`,
//! an `op` that always fails with a retryable error and takes no time, and a clock that
//! starts at 0:
//!
//! ```text
//! after attempt  ceiling  jitter drew  next attempt starts at
//! 1              100      37           37
//! 2              200      150          187
//! 3              400      12           199
//! 4              800      799          998
//! 5              1000     640          1638     (1600 was capped to 1000)
//! 6              -        -            -        -> AttemptsExhausted { attempts: 6 }
//! sleeps requested: [37, 150, 12, 799, 640]
//! ```
//!
//! The same policy with `budget_ms: 1_000`: after attempt 5 the next attempt would start
//! at `998 + 640 = 1638`, not before `0 + 1_000`, so `retry` returns
//! `DeadlineExceeded { attempts: 5 }` and sleeps only `[37, 150, 12, 799]`. Had the jitter
//! drawn 2 instead of 640, the attempt would start at 1000, which is not strictly before
//! the deadline either: `DeadlineExceeded` too. Had it drawn 1, attempt 6 would run at 999.
//!
//! If `op` returns a non-retryable error at attempt 3, `retry` returns
//! `Permanent { attempts: 3 }` after two sleeps, and `jitter` was called twice.
//!
//! ## Edge cases
//!
//! - `base_delay_ms: 0`: every ceiling is 0, and `retry` still sleeps 0 ms between
//!   attempts (`sleep_ms(0)`).
//! - `base_delay_ms` above `max_delay_ms`: every ceiling is `max_delay_ms`.
//! - `max_attempts` of 0 or 1: exactly one attempt, never a sleep or a jitter call.
//! - `max_attempts: u32::MAX` with a large base: `2^(n - 1)` leaves `u64` after 64
//!   attempts; the ceiling simply stays at the cap.
//! - `budget_ms: 0`: the first attempt runs; no retry ever does.
//! - A clock that starts near `u64::MAX`: `start + budget_ms` does not fit in a `u64`.
//!
//! ## Complexity
//!
//! O(1) work per attempt besides the calls to `op`, `clock` and `jitter`, and O(1)
//! memory: there is nothing to store between attempts but a few numbers. No timing is
//! checked; the point of this exercise is getting every rule exactly right.

/// How [`retry`] backs off and when it gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The ceiling of the first backoff; each later ceiling doubles it (milliseconds).
    pub base_delay_ms: u64,
    /// The cap: no ceiling is ever above this (milliseconds).
    pub max_delay_ms: u64,
    /// The most attempts in total, the first one included (0 behaves like 1).
    pub max_attempts: u32,
    /// Every attempt must start strictly before `start + budget_ms`, where `start` is the
    /// time `retry` was called. `u64::MAX` is, in effect, no deadline.
    pub budget_ms: u64,
}

/// Why [`retry`] gave up. Each variant holds the error of the last attempt and how many
/// attempts ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryError<E> {
    /// The last attempt failed with an error that is not retryable.
    Permanent { error: E, attempts: u32 },
    /// Every allowed attempt failed with a retryable error.
    AttemptsExhausted { error: E, attempts: u32 },
    /// The next attempt would not have started before the deadline.
    DeadlineExceeded { error: E, attempts: u32 },
}

/// The time source: the real clock in production, a fake one in the checks.
pub trait Clock {
    /// The current time in milliseconds. It never goes backwards.
    fn now_ms(&self) -> u64;
    /// Waits `ms` milliseconds (a fake clock just moves its time forward).
    fn sleep_ms(&mut self, ms: u64);
}

/// Runs `op(1)`, `op(2)`, ... with exponential backoff and full jitter between attempts,
/// until it succeeds or one of the rules in the module documentation says to give up.
///
/// `jitter(ceiling)` returns a random delay in `0..=ceiling`; `is_retryable` says whether
/// an error is worth another attempt.
pub fn retry<T, E>(
    policy: &RetryPolicy,
    clock: &mut dyn Clock,
    jitter: &mut dyn FnMut(u64) -> u64,
    is_retryable: impl Fn(&E) -> bool,
    mut op: impl FnMut(u32) -> Result<T, E>,
) -> Result<T, RetryError<E>> {
    let _ = (policy, clock, jitter, &is_retryable, &mut op);
    todo!("run op(1), op(2), ... backing off between retryable failures until done")
}
