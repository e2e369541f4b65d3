//! TODO(author): a mutant is a plausible wrong solution, the kind a learner writes. Keep one
//! file per mistake in this directory, named after the mistake; `dev check` proves the checks
//! fail every one. This one gets the boundary wrong.

pub fn slow_requests(latencies_ms: &[u64], threshold_ms: u64) -> usize {
    latencies_ms.iter().filter(|&&l| l > threshold_ms).count()
}
