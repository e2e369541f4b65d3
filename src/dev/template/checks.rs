// TODO(author): the hidden checks. Each #[test] is one check the learner sees by name, so
// name it after the rule it enforces, and make its failure message say the call, the input,
// what was expected and what came back: `expect_eq!(actual, expected, "call({input:?})")`
// does exactly that. Inject time and randomness: pass clocks in, seed generators here.
use super::__NAME__::slow_requests;

#[test]
fn counts_requests_at_or_above_the_threshold() {
    expect_eq!(slow_requests(&[12, 250, 40, 300], 250), 2, "slow_requests(&[12, 250, 40, 300], 250)");
}

#[test]
fn no_requests_means_none_slow() {
    expect_eq!(slow_requests(&[], 100), 0, "slow_requests(&[], 100)");
}

#[test]
fn a_zero_threshold_makes_every_request_slow() {
    let latencies: Vec<u64> = (0..1000).collect();
    expect_eq!(slow_requests(&latencies, 0), 1000, "slow_requests(&[0, 1, .., 999], 0)");
}
