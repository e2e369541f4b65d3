//! Mutant: plain exponential backoff without jitter: sleeps the whole ceiling and never
//! calls the jitter function, so synchronised clients retry in waves.

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
    _jitter: &mut dyn FnMut(u64) -> u64,
    is_retryable: impl Fn(&E) -> bool,
    mut op: impl FnMut(u32) -> Result<T, E>,
) -> Result<T, RetryError<E>> {
    let start = clock.now_ms();
    let mut attempt: u32 = 1;
    loop {
        let error = match op(attempt) {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if !is_retryable(&error) {
            return Err(RetryError::Permanent {
                error,
                attempts: attempt,
            });
        }
        if attempt >= policy.max_attempts {
            return Err(RetryError::AttemptsExhausted {
                error,
                attempts: attempt,
            });
        }
        let delay = ceiling(policy, attempt);
        // The next attempt starts at now + delay; it must be before start + budget.
        // Compare elapsed + delay with the budget, without ever adding past u64::MAX.
        let elapsed = clock.now_ms() - start;
        let in_time = elapsed < policy.budget_ms && delay < policy.budget_ms - elapsed;
        if !in_time {
            return Err(RetryError::DeadlineExceeded {
                error,
                attempts: attempt,
            });
        }
        clock.sleep_ms(delay);
        attempt += 1;
    }
}

/// min(max_delay_ms, base_delay_ms * 2^(attempt - 1)), computed exactly.
fn ceiling(policy: &RetryPolicy, attempt: u32) -> u64 {
    let (base, cap) = (policy.base_delay_ms, policy.max_delay_ms);
    let doublings = attempt - 1;
    if base == 0 {
        return 0;
    }
    if doublings >= 64 {
        // base >= 1, so base * 2^doublings >= 2^64 > cap.
        return cap;
    }
    // base < 2^64 and 2^doublings <= 2^63: the product fits in a u128.
    ((base as u128) << doublings).min(cap as u128) as u64
}
