//! # __NAME__: TODO(author) a title that names the backend problem
//!
//! TODO(author): the situation, as a backend engineer meets it: what arrives, what must come
//! out, and why getting it wrong hurts in production. This placeholder exercise counts slow
//! requests so that the scaffold compiles and `backlings dev check __NAME__` runs end to end.
//!
//! ## Rules
//!
//! - TODO(author): every rule the checks enforce, one per line, precise enough that no check
//!   ever surprises a learner who followed them. Here: a request is slow when its latency is
//!   at least `threshold_ms`.
//!
//! ## Example
//!
//! ```text
//! slow_requests(&[12, 250, 40, 300], 250) == 2
//! ```
//!
//! ## Complexity
//!
//! TODO(author): the bound the checks hold solutions to. Here: O(n) time, O(1) extra space.

/// TODO(author): the fixed API the checks call. Keep it small; inject clocks and randomness.
pub fn slow_requests(latencies_ms: &[u64], threshold_ms: u64) -> usize {
    todo!("count the latencies of at least {threshold_ms} ms in {latencies_ms:?}")
}
