//! Mutant: converts the reset moment to seconds rounding down, so a client that waits until
//! X-RateLimit-Reset comes back up to a second before the quota resets.

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
    let remaining = if decision.allowed {
        decision.limit.saturating_sub(decision.used)
    } else {
        0
    };
    let reset_s = decision.reset_at_ms.max(now_ms) / 1000;
    let mut headers = vec![
        ("X-RateLimit-Limit".to_string(), decision.limit.to_string()),
        ("X-RateLimit-Remaining".to_string(), remaining.to_string()),
        ("X-RateLimit-Reset".to_string(), reset_s.to_string()),
    ];
    if !decision.allowed {
        let wait_s = decision.retry_at_ms.saturating_sub(now_ms).div_ceil(1000);
        headers.push(("Retry-After".to_string(), wait_s.max(1).to_string()));
    }
    LimitResponse {
        status: if decision.allowed { 200 } else { 429 },
        headers,
    }
}
