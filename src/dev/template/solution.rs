//! # __NAME__ (reference solution)
//!
//! TODO(author): the idea of the solution in a few lines, for the learner who has passed and
//! compares. It is shown after a pass, so explain choices, not syntax.

/// TODO(author): the reference implementation of the fixed API.
pub fn slow_requests(latencies_ms: &[u64], threshold_ms: u64) -> usize {
    latencies_ms.iter().filter(|&&l| l >= threshold_ms).count()
}
