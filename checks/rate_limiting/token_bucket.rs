use super::token_bucket::TokenBucket;
use crate::kit::{SplitMix64, learner};
use crate::support::{Limiter, Probe, limit_text, ms};

use std::collections::HashMap;
use std::fmt::{self, Display};
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Driving the limiter (see crate::support::Probe): scripted calls whose failures list the calls
// before them.

impl Limiter for TokenBucket {
    fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        TokenBucket::allow(self, client, now_ms)
    }
}

fn new_text(capacity: u32, refill_per_sec: u32) -> String {
    format!(
        "TokenBucket::new({}, {})",
        limit_text(capacity),
        limit_text(refill_per_sec)
    )
}

impl Probe<TokenBucket> {
    fn new(capacity: u32, refill_per_sec: u32) -> Self {
        Probe::start(new_text(capacity, refill_per_sec), || {
            TokenBucket::new(capacity, refill_per_sec)
        })
    }

    fn tokens(&mut self, client: &str, now_ms: u64, expected: u64, why: &str) {
        let call = format!("tokens_milli({client:?}, {})", ms(now_ms));
        self.expect(&call, |b| b.tokens_milli(client, now_ms), expected, why);
        self.calls.push(call);
    }

    fn retry(&mut self, client: &str, now_ms: u64, expected: Option<u64>, why: &str) {
        let call = format!("retry_after_ms({client:?}, {})", ms(now_ms));
        self.expect(&call, |b| b.retry_after_ms(client, now_ms), expected, why);
        self.calls.push(call);
    }
}

// ---------------------------------------------------------------------------------------
// Scripted behaviour.

#[test]
fn a_new_client_starts_full_and_can_burst_up_to_the_capacity() {
    let mut b = Probe::new(5, 1);
    b.tokens(
        "a",
        1_000,
        5_000,
        "a client never seen has a full bucket: 5 * 1000",
    );
    b.allow_all("a", &[1_000; 5], true, "a full bucket allows a burst of 5");
    b.allow(
        "a",
        1_000,
        false,
        "the 5 tokens are spent, and no time passed",
    );
    b.tokens("a", 1_000, 0, "5 tokens taken from 5000 milli-tokens");
    b.tokens("b", 1_000, 5_000, "b never made a request: full");
    b.allow("b", 1_000, true, "b has its own full bucket");
}

#[test]
fn the_example_from_the_statement() {
    let mut b = Probe::new(3, 2);
    b.allow_all("a", &[0, 0, 0], true, "a full bucket of 3 tokens");
    b.allow("a", 0, false, "0 milli-tokens left");
    b.retry("a", 0, Some(500), "(1000 - 0) / 2 milli-tokens per ms");
    b.tokens("a", 250, 500, "250 ms * 2 milli-tokens per ms");
    b.allow(
        "a",
        250,
        false,
        "500 milli-tokens: half a token is not a token",
    );
    b.retry("a", 250, Some(250), "(1000 - 500) / 2");
    b.allow("a", 499, false, "500 + 249 * 2 = 998 milli-tokens");
    b.allow("a", 500, true, "998 + 1 * 2 = 1000 milli-tokens: one token");
    b.tokens("b", 500, 3_000, "b has never made a request: full");
    b.allow("a", 60_000, true, "refilled, but capped at 3000; 2000 left");
    b.tokens("a", 60_000, 2_000, "capped at 3000, minus one token");
}

#[test]
fn tokens_refill_continuously_in_milli_tokens() {
    let mut b = Probe::new(10, 4);
    let burst: Vec<u64> = vec![0; 10];
    b.allow_each(
        "a",
        &burst,
        true,
        "allow(\"a\", 0) x ",
        "a full bucket of 10 tokens",
    );
    b.tokens("a", 0, 0, "10 tokens taken");
    b.tokens("a", 1, 4, "1 ms * 4 milli-tokens per ms");
    b.tokens("a", 125, 500, "125 * 4");
    b.tokens("a", 250, 1_000, "250 * 4");
    b.tokens("a", 2_499, 9_996, "2499 * 4");
    b.tokens("a", 2_500, 10_000, "2500 * 4 = the capacity");
    b.tokens("a", 10_000, 10_000, "capped at 10 * 1000");
    b.allow("a", 10_000, true, "");
    b.tokens("a", 10_000, 9_000, "10000 minus one token");
    b.tokens("a", 10_001, 9_004, "9000 + 1 * 4");
}

#[test]
fn refill_per_sec_is_tokens_per_second() {
    let mut b = Probe::new(1, 1);
    b.allow("a", 0, true, "");
    b.allow(
        "a",
        1,
        false,
        "1 token per second: 1 milli-token per ms, 1 after 1 ms",
    );
    b.tokens("a", 500, 500, "500 ms * 1 milli-token per ms");
    b.allow("a", 999, false, "999 milli-tokens");
    b.allow("a", 1_000, true, "1000 milli-tokens after one second");
    b.retry(
        "a",
        1_000,
        Some(1_000),
        "one token takes 1000 ms at 1 per second",
    );
}

#[test]
fn fractional_refill_is_not_lost_between_frequent_calls() {
    // 3 tokens per second: a token every 333.33... ms.
    let mut b = Probe::new(2, 3);
    b.allow_all("a", &[0, 0], true, "a full bucket of 2 tokens");
    b.allow("a", 100, false, "300 milli-tokens");
    b.allow("a", 200, false, "600 milli-tokens");
    b.allow("a", 300, false, "900 milli-tokens");
    b.allow(
        "a",
        400,
        true,
        "1200 milli-tokens: the refill of every 100 ms step adds up, nothing is rounded away",
    );
    b.tokens("a", 400, 200, "1200 - 1000");
    b.allow("a", 600, false, "200 + 200 * 3 = 800 milli-tokens");
    b.allow("a", 667, true, "800 + 67 * 3 = 1001 milli-tokens");

    let mut b = Probe::new(2, 3);
    b.allow_all("b", &[0, 0], true, "a full bucket of 2 tokens");
    let polls: Vec<u64> = (1..=333).collect();
    b.allow_each(
        "b",
        &polls,
        false,
        "allow(\"b\", t) for t in 1..=",
        "at most 333 * 3 = 999 milli-tokens",
    );
    b.allow(
        "b",
        334,
        true,
        "334 * 3 = 1002 milli-tokens, exactly as without the 333 calls before",
    );
    b.tokens("b", 334, 2, "1002 - 1000");
}

#[test]
fn rejected_requests_cost_nothing_and_keep_the_refill() {
    let mut b = Probe::new(2, 1);
    b.allow_all("a", &[0, 0], true, "");
    b.allow("a", 500, false, "500 milli-tokens");
    b.tokens("a", 500, 500, "the rejected request took nothing");
    b.allow("a", 999, false, "999 milli-tokens");
    b.allow(
        "a",
        1_000,
        true,
        "1000 milli-tokens: the rejected requests at 500 and 999 took nothing and lost \
         none of the refill",
    );
    b.allow("a", 1_000, false, "0 milli-tokens");
    b.tokens("a", 1_000, 0, "");
}

#[test]
fn the_bucket_never_holds_more_than_its_capacity() {
    let mut b = Probe::new(3, 1_000);
    b.allow("a", 0, true, "");
    b.tokens(
        "a",
        1_000_000,
        3_000,
        "16 minutes of refill, capped at 3 tokens",
    );
    b.allow_all("a", &[1_000_000; 3], true, "a full bucket of 3 tokens");
    b.allow(
        "a",
        1_000_000,
        false,
        "the burst is capped at the capacity, however long the client was quiet",
    );
    b.retry("a", 1_000_000, Some(1), "1000 milli-tokens per ms");
    b.allow("a", 1_000_001, true, "1000 milli-tokens 1 ms later");
}

#[test]
fn retry_after_ms_is_the_wait_for_one_token_rounded_up() {
    let mut b = Probe::new(2, 7);
    b.retry("a", 0, Some(0), "a client never seen has a full bucket");
    b.allow("a", 0, true, "");
    b.retry("a", 0, Some(0), "1000 milli-tokens left: allowed now");
    b.allow("a", 0, true, "");
    b.retry(
        "a",
        0,
        Some(143),
        "(1000 - 0) / 7 = 142.86, rounded up: after 142 ms only 994 milli-tokens",
    );
    b.allow("a", 142, false, "142 * 7 = 994 milli-tokens");
    b.retry("a", 142, Some(1), "(1000 - 994) / 7 = 0.86, rounded up");
    b.allow("a", 143, true, "143 * 7 = 1001 milli-tokens");
    b.retry("a", 143, Some(143), "(1000 - 1) / 7 = 142.71, rounded up");
    b.tokens("a", 285, 995, "1 + 142 * 7");
    b.retry("a", 285, Some(1), "(1000 - 995) / 7 = 0.71, rounded up");
    b.allow("a", 286, true, "1002 milli-tokens");

    let mut b = Probe::new(1, 3);
    b.allow("b", 0, true, "");
    b.retry("b", 0, Some(334), "(1000 - 0) / 3 = 333.33, rounded up");
    b.allow("b", 333, false, "999 milli-tokens: 333 ms was not enough");
    b.retry("b", 333, Some(1), "(1000 - 999) / 3 = 0.33, rounded up");
    b.allow("b", 334, true, "1002 milli-tokens");
}

#[test]
fn retry_after_ms_is_none_when_no_token_can_ever_come() {
    let mut b = Probe::new(2, 0);
    b.allow_all(
        "a",
        &[0, 0],
        true,
        "the first 2 requests use the full bucket",
    );
    b.allow("a", 0, false, "no token left");
    b.retry("a", 0, None, "refill_per_sec 0: the bucket never refills");
    b.allow(
        "a",
        1_000_000_000_000,
        false,
        "refill_per_sec 0: never refilled",
    );
    b.tokens("a", 1_000_000_000_000, 0, "refill_per_sec 0");
    b.retry(
        "z",
        5,
        Some(0),
        "z never made a request: a full bucket of 2 tokens",
    );

    let mut b = Probe::new(0, 5);
    b.tokens("a", 0, 0, "capacity 0: the bucket is empty, even when full");
    b.retry(
        "a",
        0,
        None,
        "capacity 0: the bucket can never hold a token",
    );
    b.allow("a", 0, false, "capacity 0 allows nothing");
    b.allow(
        "a",
        60_000,
        false,
        "capacity 0 allows nothing, however long one waits",
    );
    b.tokens("a", 60_000, 0, "capped at 0");
    b.retry("a", 60_000, None, "capacity 0");
}

#[test]
fn clients_have_separate_buckets_compared_exactly() {
    let mut b = Probe::new(1, 1);
    b.allow("alice", 0, true, "alice's full bucket");
    b.allow("bob", 0, true, "bob has his own bucket");
    b.allow(
        "Alice",
        0,
        true,
        "\"Alice\" is another client than \"alice\"",
    );
    b.allow(
        "alice ",
        0,
        true,
        "\"alice \" is another client than \"alice\"",
    );
    b.allow("", 0, true, "\"\" is a client like any other");
    b.allow("alice", 1, false, "alice's bucket holds 1 milli-token");
    b.allow("", 2, false, "\"\"'s bucket holds 2 milli-tokens");
    b.tokens("bob", 3, 3, "bob's bucket: 3 ms * 1");
    b.tokens("carol", 3, 1_000, "carol never made a request: full");
}

#[test]
fn a_steady_stream_gets_the_burst_plus_the_refill_rate() {
    // A merchant polling every 7 ms for 10 s, against bursts of 5 and 10 per second.
    const CALLS: u64 = 1_429;
    let mut b = Probe::new(5, 10);
    let bucket = &mut b.limiter;
    let allowed = learner(
        || {
            format!(
                "{}, then allow(\"m\", 7 * i) for i in 0..{CALLS}",
                new_text(5, 10)
            )
        },
        || (0..CALLS).filter(|i| bucket.allow("m", 7 * i)).count(),
    );
    assert!(
        allowed == 104,
        "{}, then allow(\"m\", 7 * i) for i in 0..{CALLS} (the last at 9996 ms): {allowed} \
         calls returned true, expected 104 (the 5 tokens of the full bucket, then 9996 ms * \
         10 milli-tokens per ms = 99.96 tokens, so 99 more)",
        new_text(5, 10)
    );
}

#[test]
fn huge_capacities_rates_and_times_do_not_overflow() {
    const FULL: u64 = u32::MAX as u64 * 1_000;
    let mut b = Probe::new(u32::MAX, u32::MAX);
    b.tokens(
        "a",
        0,
        FULL,
        "a full bucket: u32::MAX * 1000 milli-tokens (not a u32)",
    );
    b.allow("a", 0, true, "");
    b.tokens("a", 0, FULL - 1_000, "one token taken");
    b.allow(
        "a",
        u64::MAX,
        true,
        "u64::MAX ms * u32::MAX milli-tokens per ms: far beyond u64, capped at the capacity",
    );
    b.tokens(
        "a",
        u64::MAX,
        FULL - 1_000,
        "capped at the capacity, minus one token",
    );

    let mut b = Probe::new(1, u32::MAX);
    b.allow("a", 0, true, "");
    b.retry("a", 0, Some(1), "(1000 - 0) / u32::MAX, rounded up");
    b.allow("a", 1, true, "refilled to the capacity within 1 ms");

    let mut b = Probe::new(1, 1);
    b.allow("a", u64::MAX - 1, true, "");
    b.tokens("a", u64::MAX, 1, "1 ms * 1");
    b.retry("a", u64::MAX, Some(999), "(1000 - 1) / 1");
}

// ---------------------------------------------------------------------------------------
// Random calls against a simple model.

#[derive(Clone, Copy)]
enum Op {
    Allow(&'static str, u64),
    Tokens(&'static str, u64),
    Retry(&'static str, u64),
}

impl Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Allow(client, now) => write!(f, "allow({client:?}, {now})"),
            Op::Tokens(client, now) => write!(f, "tokens_milli({client:?}, {now})"),
            Op::Retry(client, now) => write!(f, "retry_after_ms({client:?}, {now})"),
        }
    }
}

/// The rules, written out: per client, a balance in milli-tokens and when it was set.
struct Model {
    capacity: u32,
    rate: u32,
    buckets: HashMap<&'static str, (u128, u64)>,
}

impl Model {
    fn balance(&self, client: &'static str, now: u64) -> u128 {
        let full = self.capacity as u128 * 1000;
        match self.buckets.get(client) {
            None => full,
            Some(&(balance, at)) => full.min(balance + (now - at) as u128 * self.rate as u128),
        }
    }

    fn allow(&mut self, client: &'static str, now: u64) -> bool {
        let balance = self.balance(client, now);
        let allowed = balance >= 1000;
        let left = if allowed { balance - 1000 } else { balance };
        self.buckets.insert(client, (left, now));
        allowed
    }

    fn retry(&self, client: &'static str, now: u64) -> Option<u64> {
        let balance = self.balance(client, now);
        if balance >= 1000 {
            return Some(0);
        }
        if self.rate == 0 || self.capacity == 0 {
            return None;
        }
        // The smallest d with balance + d * rate >= 1000.
        let mut d = (1000 - balance) / self.rate as u128;
        while balance + d * (self.rate as u128) < 1000 {
            d += 1;
        }
        Some(d as u64)
    }
}

/// Replays `ops` on a fresh limiter and model: the index of the first wrong call and why.
fn first_mismatch(capacity: u32, rate: u32, ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let bucket = TokenBucket::new(capacity, rate);
            let model = Model {
                capacity,
                rate,
                buckets: HashMap::new(),
            };
            (bucket, model)
        },
        |(bucket, model), op| {
            let (got, expected) = match *op {
                Op::Allow(client, now) => (
                    bucket.allow(client, now).to_string(),
                    model.allow(client, now).to_string(),
                ),
                Op::Tokens(client, now) => (
                    bucket.tokens_milli(client, now).to_string(),
                    model.balance(client, now).to_string(),
                ),
                Op::Retry(client, now) => (
                    format!("{:?}", bucket.retry_after_ms(client, now)),
                    format!("{:?}", model.retry(client, now)),
                ),
            };
            if got != expected {
                return Some(format!("{op} returned {got}, expected {expected}"));
            }
            None
        },
        |i, panicked| format!("{} {panicked}", ops[i]),
    )
}

/// Drops calls while the replay still goes wrong, for a short failing sequence. Times
/// stay non-decreasing, since the calls left keep their order.
fn shrink(capacity: u32, rate: u32, ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| {
        first_mismatch(capacity, rate, ops).map(|(at, _)| at)
    })
}

fn join_ops(ops: &[Op]) -> String {
    ops.iter()
        .map(|op| op.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn random_requests_match_a_reference_model() {
    const CLIENTS: [&str; 3] = ["a", "b", "c"];
    const RATES: [u32; 8] = [0, 1, 2, 3, 7, 10, 333, 1000];
    const OPS: usize = 200;
    for seed in 1..=10u64 {
        let seed = 0x70C_0000 + seed;
        let mut rng = SplitMix64(seed);
        let capacity = rng.below(5) as u32;
        let rate = RATES[rng.below(RATES.len() as u64) as usize];
        let mut now = rng.below(100);
        let ops: Vec<Op> = (0..OPS)
            .map(|_| {
                now += match rng.below(4) {
                    0 => 0,
                    1 => rng.below(5),
                    2 => rng.below(200),
                    _ => rng.below(2000),
                };
                let client = CLIENTS[rng.below(3) as usize];
                match rng.below(6) {
                    0 => Op::Tokens(client, now),
                    1 => Op::Retry(client, now),
                    _ => Op::Allow(client, now),
                }
            })
            .collect();
        if let Some((at, _)) = first_mismatch(capacity, rate, &ops) {
            let failing = shrink(capacity, rate, ops[..=at].to_vec());
            let (last, why) =
                first_mismatch(capacity, rate, &failing).expect("a shrunk sequence still fails");
            let before = if last == 0 {
                String::new()
            } else {
                format!(", {}", join_ops(&failing[..last]))
            };
            panic!(
                "random requests (seed {seed:#x}), shrunk to: TokenBucket::new({capacity}, \
                 {rate}){before}; then {why}\n  (the first {} random calls were: {}{})",
                (at + 1).min(30),
                join_ops(&ops[..(at + 1).min(30)]),
                if at + 1 > 30 { ", ..." } else { "" }
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// O(1): compare times with few and with many clients.

/// A limiter with `count` clients that made one request each, and their names.
fn bucket_with_clients(count: usize) -> (TokenBucket, Vec<String>) {
    let names: Vec<String> = (0..count).map(|i| format!("client-{i}")).collect();
    let bucket = learner(
        || format!("TokenBucket::new(1000, 1), then allow(\"client-i\", 0) for i in 0..{count}"),
        || {
            let mut bucket = TokenBucket::new(1_000, 1);
            for name in &names {
                black_box(bucket.allow(name, 0));
            }
            bucket
        },
    );
    (bucket, names)
}

/// Time of `rounds` calls of `allow` by known clients, moving the clock `now` on.
fn time_allows(
    bucket: &mut TokenBucket,
    names: &[String],
    now: &mut u64,
    rounds: usize,
) -> Duration {
    let start = Instant::now();
    for i in 0..rounds {
        *now += 1;
        black_box(bucket.allow(&names[(i * 7) % names.len()], *now));
    }
    start.elapsed()
}

#[test]
fn allow_time_does_not_grow_with_the_number_of_clients() {
    // Same run, min of interleaved repetitions, 32x apart; only the ratio matters. A
    // correct limiter measures about 1x; a scan over the clients measures 10x or more. A
    // correct limiter must pass one of three attempts; a scan fails all three.
    const SMALL: usize = 64;
    const LARGE: usize = 2048;
    const ROUNDS: usize = 200;
    const REPETITIONS: u32 = 5;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 3.0;
    let (mut small, small_names) = bucket_with_clients(SMALL);
    let (mut large, large_names) = bucket_with_clients(LARGE);
    let (mut small_now, mut large_now) = (0, 0);
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || format!("allow by one of {LARGE} clients"),
            || {
                for _ in 0..REPETITIONS {
                    t_small = t_small.min(time_allows(
                        &mut small,
                        &small_names,
                        &mut small_now,
                        ROUNDS,
                    ));
                    t_large = t_large.min(time_allows(
                        &mut large,
                        &large_names,
                        &mut large_now,
                        ROUNDS,
                    ));
                }
            },
        );
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
        if ratio <= LIMIT {
            return;
        }
        ratios.push(format!("{ratio:.1}x"));
    }
    panic!(
        "{ROUNDS} calls of allow(client, now_ms) with {LARGE} clients known took {} as long \
         as with {SMALL} clients known (best of {REPETITIONS}, in {ATTEMPTS} attempts), \
         expected about the same (at most {LIMIT}x): allow must be O(1), finding the \
         client's bucket with a hash map lookup rather than a scan",
        ratios.join(", ")
    );
}
