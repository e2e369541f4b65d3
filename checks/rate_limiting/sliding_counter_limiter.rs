use super::sliding_counter_limiter::SlidingCounterLimiter;
use crate::kit::{SplitMix64, learner};
use crate::support::{Limiter, Probe, limit_text, ms};

use std::collections::HashMap;
use std::fmt::{self, Display};
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Driving the limiter (see crate::support::Probe): scripted calls whose failures list the calls
// before them.

impl Limiter for SlidingCounterLimiter {
    fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        SlidingCounterLimiter::allow(self, client, now_ms)
    }
}

impl Probe<SlidingCounterLimiter> {
    fn new(limit: u32, window_ms: u64) -> Self {
        let call = format!(
            "SlidingCounterLimiter::new({}, {})",
            limit_text(limit),
            ms(window_ms)
        );
        Probe::start(call, || SlidingCounterLimiter::new(limit, window_ms))
    }

    fn tracked(&mut self, expected: usize, why: &str) {
        self.expect("tracked_clients()", |l| l.tracked_clients(), expected, why);
    }
}

// ---------------------------------------------------------------------------------------
// Scripted behaviour.

#[test]
fn allows_up_to_the_limit_within_the_first_window() {
    let mut l = Probe::new(3, 1_000);
    l.allow("a", 0, true, "estimate 0 + 0 = 0");
    l.allow("a", 10, true, "estimate 0 + 1 = 1");
    l.allow("a", 20, true, "estimate 0 + 2 = 2");
    l.allow("a", 30, false, "estimate 0 + 3 = 3, not < 3");
    l.allow("a", 999, false, "estimate 0 + 3 = 3, not < 3");
    l.tracked(1, "a");
}

#[test]
fn the_example_from_the_statement() {
    let mut l = Probe::new(4, 1_000);
    l.allow_all(
        "a",
        &[100, 200, 300, 400],
        true,
        "window 0, estimate curr < 4",
    );
    l.allow("a", 500, false, "estimate 0 + 4 = 4, not < 4");
    l.allow("a", 1_250, true, "estimate 4 * 750/1000 + 0 = 3");
    l.allow("a", 1_250, false, "estimate 3 + 1 = 4");
    l.allow("a", 1_500, true, "estimate 4 * 500/1000 + 1 = 3");
    l.allow("a", 1_749, true, "estimate 4 * 251/1000 + 2 = 3.004");
    l.allow("a", 1_750, false, "estimate 4 * 250/1000 + 3 = 4");
    l.allow("a", 1_751, true, "estimate 4 * 249/1000 + 3 = 3.996");
    l.allow("b", 1_900, true, "b: estimate 0");
    l.tracked(2, "a and b");
    l.allow(
        "a",
        2_100,
        true,
        "window 2: estimate 4 * 900/1000 + 0 = 3.6",
    );
    l.allow("a", 2_100, false, "estimate 3.6 + 1 = 4.6");
    l.tracked(
        2,
        "a, and b, whose request was in window 1, the previous one",
    );
    l.allow(
        "a",
        3_100,
        true,
        "window 3: prev is window 2's 1: estimate 0.9",
    );
    l.tracked(1, "b's request was two windows ago: b must be dropped");
    l.allow(
        "a",
        9_000,
        true,
        "window 9: window 8 had no request, estimate 0",
    );
}

#[test]
fn the_previous_window_is_weighted_by_its_remaining_overlap() {
    let mut l = Probe::new(10, 1_000);
    let window_0: Vec<u64> = (0..10).collect();
    l.allow_each("a", &window_0, true, "allow(\"a\", t) for t in 0..", "");
    l.allow(
        "a",
        1_100,
        true,
        "elapsed 100: 90% of window 0 overlaps, estimate 10 * 900/1000 + 0 = 9",
    );
    l.allow("a", 1_100, false, "estimate 9 + 1 = 10");
    l.allow_all(
        "a",
        &[1_500; 4],
        true,
        "elapsed 500: estimate 10 * 500/1000 + curr = 5 + 1, 5 + 2, 5 + 3 and 5 + 4",
    );
    l.allow("a", 1_500, false, "estimate 5 + 5 = 10");
    l.allow_all(
        "a",
        &[1_900; 4],
        true,
        "elapsed 900: estimate 10 * 100/1000 + curr = 1 + 5, 1 + 6, 1 + 7 and 1 + 8",
    );
    l.allow("a", 1_900, false, "estimate 1 + 9 = 10");
}

#[test]
fn an_estimate_equal_to_the_limit_is_rejected_and_just_below_is_allowed() {
    let mut l = Probe::new(2, 1_000);
    l.allow_all("a", &[0, 0], true, "");
    l.allow(
        "a",
        1_000,
        false,
        "elapsed 0: estimate 2 * 1000/1000 + 0 = 2, not < 2",
    );
    l.allow(
        "a",
        1_001,
        true,
        "estimate 2 * 999/1000 + 0 = 1.998 < 2 (do not round it up)",
    );
    l.allow("a", 1_500, false, "estimate 2 * 500/1000 + 1 = 2, not < 2");
    l.allow(
        "a",
        1_501,
        true,
        "estimate 2 * 499/1000 + 1 = 1.998 < 2 (do not round it up)",
    );
    l.allow("a", 1_501, false, "estimate 0.998 + 2 = 2.998");
}

#[test]
fn an_estimate_of_exactly_the_limit_is_rejected_whatever_the_curr() {
    let mut l = Probe::new(5, 1_000);
    l.allow_all("a", &[0, 1, 2, 3, 4], true, "window 0");
    l.allow_all(
        "a",
        &[1_800; 4],
        true,
        "elapsed 800: estimate 5 * 200/1000 + curr = 1 + 0, 1 + 1, 1 + 2 and 1 + 3",
    );
    l.allow(
        "a",
        1_800,
        false,
        "estimate 5 * 200/1000 + 4 = 5 exactly, not < 5",
    );
}

#[test]
fn the_estimate_is_exact_not_floating_point() {
    // 10^18 ms: f64 cannot tell 10^18 - 1 from 10^18, nor 1 - 10^-18 from 1.
    const W: u64 = 1_000_000_000_000_000_000;
    let mut l = Probe::new(2, W);
    l.allow_all("a", &[0, 1], true, "window 0");
    l.allow(
        "a",
        W + 1,
        true,
        "window 1, elapsed 1: estimate 2 * (10^18 - 1)/10^18 + 0 = 1.999999999999999998 < 2 \
         (floating point rounds it to 2: compare integers)",
    );
    l.allow(
        "a",
        W + 1,
        false,
        "estimate 1.999999999999999998 + 1 = 2.999999999999999998",
    );
    l.allow(
        "a",
        2 * W - 1,
        true,
        "elapsed 10^18 - 1: estimate 2 * 1/10^18 + 1 < 2",
    );
}

#[test]
fn at_the_window_edge_the_previous_count_applies_in_full() {
    let mut l = Probe::new(3, 1_000);
    l.allow_all("bot", &[997, 998, 999], true, "window 0");
    l.allow(
        "bot",
        1_000,
        false,
        "elapsed 0: estimate 3 * 1000/1000 + 0 = 3 (no boundary burst)",
    );
    l.allow("bot", 1_001, true, "estimate 3 * 999/1000 + 0 = 2.997");
    l.allow("bot", 1_001, false, "estimate 2.997 + 1 = 3.997");
    l.allow("bot", 1_334, true, "estimate 3 * 666/1000 + 1 = 2.998");
    l.allow("bot", 1_334, false, "estimate 1.998 + 2 = 3.998");
    l.allow("bot", 1_667, true, "estimate 3 * 333/1000 + 2 = 2.999");
    l.allow("bot", 1_999, false, "estimate 3 * 1/1000 + 3 = 3.003");
}

#[test]
fn a_client_that_skipped_a_window_has_no_previous_count() {
    let mut l = Probe::new(2, 1_000);
    l.allow_all("a", &[0, 0], true, "window 0");
    l.allow(
        "a",
        1_999,
        true,
        "window 1: estimate 2 * 1/1000 + 0 = 0.002",
    );
    l.allow("a", 1_999, true, "estimate 0.002 + 1 = 1.002");
    l.allow("a", 1_999, false, "estimate 0.002 + 2 = 2.002");
    l.allow(
        "a",
        3_000,
        true,
        "window 3: prev counts window 2, where a made no request, so the estimate is 0 \
         (window 1's count is two windows old)",
    );
    l.allow("a", 3_000, true, "estimate 0 + 1 = 1");
    l.allow("a", 3_000, false, "estimate 0 + 2 = 2");
    l.allow("a", 9_500, true, "window 9: nothing in window 8");
}

#[test]
fn rejected_requests_are_not_counted() {
    let mut l = Probe::new(2, 1_000);
    l.allow_all("a", &[0, 0], true, "window 0");
    l.allow_all("a", &[10; 5], false, "estimate 0 + 2 = 2");
    l.allow(
        "a",
        1_500,
        true,
        "prev is 2 (the 5 rejected requests do not count): estimate 2 * 500/1000 = 1",
    );
    l.allow("a", 1_500, false, "estimate 1 + 1 = 2");
}

#[test]
fn clients_are_counted_separately_compared_exactly() {
    let mut l = Probe::new(1, 1_000);
    l.allow("alice", 0, true, "alice's first request");
    l.allow("bob", 1, true, "bob has his own counters");
    l.allow(
        "Alice",
        2,
        true,
        "\"Alice\" is another client than \"alice\"",
    );
    l.allow(
        "alice ",
        3,
        true,
        "\"alice \" is another client than \"alice\"",
    );
    l.allow("", 4, true, "\"\" is a client like any other");
    l.allow("alice", 5, false, "alice: estimate 0 + 1 = 1");
    l.allow("", 6, false, "\"\": estimate 0 + 1 = 1");
    l.tracked(5, "alice, bob, Alice, \"alice \" and \"\"");
    l.allow("bob", 1_500, true, "bob: estimate 1 * 500/1000 = 0.5");
    l.allow(
        "alice",
        1_500,
        true,
        "alice: estimate 1 * 500/1000 + 0 = 0.5",
    );
    l.allow("alice", 1_500, false, "alice: estimate 0.5 + 1 = 1.5");
    l.allow(
        "Alice",
        1_500,
        true,
        "Alice: estimate 1 * 500/1000 + 0 = 0.5",
    );
}

#[test]
fn limit_zero_rejects_everything_and_tracks_nobody() {
    let mut l = Probe::new(0, 1_000);
    l.tracked(0, "no call yet");
    l.allow("alice", 0, false, "estimate 0, not < 0");
    l.allow("alice", 1, false, "estimate 0, not < 0");
    l.allow("bob", 1_500, false, "estimate 0, not < 0");
    l.tracked(0, "no request was ever allowed");
}

#[test]
fn tracked_clients_counts_the_current_and_the_previous_window() {
    let mut l = Probe::new(5, 1_000);
    l.tracked(0, "no call yet");
    l.allow("a", 0, true, "");
    l.tracked(1, "a");
    l.allow("a", 1, true, "");
    l.tracked(1, "a, with 2 requests, is one client");
    l.allow("b", 500, true, "");
    l.tracked(2, "a and b");
    l.allow("a", 1_200, true, "");
    l.tracked(2, "a (windows 0 and 1) and b (window 0, the previous one)");
    l.allow("c", 2_100, true, "");
    l.tracked(
        2,
        "a (window 1, the previous one) and c; b's request was in window 0, two windows ago",
    );
    l.allow("a", 2_200, true, "");
    l.tracked(2, "a (windows 1 and 2) and c");
    l.allow("d", 4_000, true, "");
    l.tracked(1, "only d: window 3 had no request");
}

#[test]
fn memory_is_reclaimed_for_clients_that_never_come_back() {
    const CLIENTS: u64 = 2_000;
    let mut l = Probe::new(5, 1_000);
    let limiter = &mut l.limiter;
    learner(
        || {
            format!(
                "SlidingCounterLimiter::new(5, 1000), then allow(\"client-i\", i / 2) for i \
                 in 0..{CLIENTS}"
            )
        },
        || {
            for i in 0..CLIENTS {
                black_box(limiter.allow(&format!("client-{i}"), i / 2));
            }
        },
    );
    l.calls.push(format!(
        "allow(\"client-i\", i / 2) for i in 0..{CLIENTS} (all in window 0)"
    ));
    l.tracked(CLIENTS as usize, "every client made a request in window 0");
    l.allow("client-0", 1_500, true, "estimate 1 * 500/1000 + 0 = 0.5");
    l.tracked(
        CLIENTS as usize,
        "window 0 is the previous window: all its counts still matter",
    );
    l.allow("z", 2_000, true, "");
    l.tracked(
        2,
        "client-0 (window 1) and z (window 2); the counts of window 0 can never matter \
         again and must be dropped",
    );
    l.allow("x", 5_000, true, "");
    l.tracked(1, "only x");
}

#[test]
fn window_ms_one_adds_the_previous_millisecond_in_full() {
    let mut l = Probe::new(2, 1);
    l.allow_all("a", &[5, 5], true, "");
    l.allow("a", 5, false, "estimate 0 + 2 = 2");
    l.allow(
        "a",
        6,
        false,
        "elapsed is always 0: estimate 2 * 1/1 + 0 = 2",
    );
    l.allow("a", 7, true, "window 6 had no allowed request: estimate 0");
    l.allow("a", 8, true, "estimate 1 * 1/1 + 0 = 1");
    l.allow("a", 8, false, "estimate 1 + 1 = 2");
}

#[test]
fn huge_times_windows_and_limits_do_not_overflow() {
    let mut l = Probe::new(3, u64::MAX);
    l.allow_all("a", &[0, 1], true, "window 0 is [0, u64::MAX)");
    l.allow(
        "a",
        u64::MAX,
        true,
        "window 1, elapsed 0: estimate 2 * u64::MAX/u64::MAX + 0 = 2 (2 * u64::MAX needs \
         more than 64 bits)",
    );
    l.allow("a", u64::MAX, false, "estimate 2 + 1 = 3");

    let mut l = Probe::new(u32::MAX, u64::MAX);
    l.allow_all("a", &[u64::MAX - 1, u64::MAX], true, "far below the limit");

    let mut l = Probe::new(1, 1_000);
    l.allow(
        "a",
        u64::MAX - 1,
        true,
        "the last window starts at u64::MAX - 615",
    );
    l.allow("a", u64::MAX, false, "estimate 0 + 1 = 1");
    l.allow("b", u64::MAX, true, "b has its own counters");

    let mut l = Probe::new(u32::MAX, 1_000);
    let limiter = &mut l.limiter;
    let rejected = learner(
        || "SlidingCounterLimiter::new(u32::MAX, 1000), then allow(\"a\", 0) 1000 times".into(),
        || (0..1_000).filter(|_| !limiter.allow("a", 0)).count(),
    );
    assert!(
        rejected == 0,
        "SlidingCounterLimiter::new(u32::MAX, 1000), then allow(\"a\", 0) 1000 times: \
         {rejected} calls returned false, expected all true (a limit of u32::MAX)"
    );
}

// ---------------------------------------------------------------------------------------
// Random calls against a simple model.

#[derive(Clone, Copy)]
enum Op {
    Allow(&'static str, u64),
    Tracked,
}

impl Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Allow(client, now) => write!(f, "allow({client:?}, {now})"),
            Op::Tracked => write!(f, "tracked_clients()"),
        }
    }
}

/// The formula as stated: a count per (client, window index), never dropped.
struct Model {
    limit: u32,
    window_ms: u64,
    latest: u64,
    counts: HashMap<(&'static str, u64), u32>,
}

impl Model {
    fn count(&self, client: &'static str, window: Option<u64>) -> u32 {
        window.map_or(0, |w| self.counts.get(&(client, w)).copied().unwrap_or(0))
    }

    fn allow(&mut self, client: &'static str, now: u64) -> bool {
        let window = now / self.window_ms;
        self.latest = window;
        let elapsed = now % self.window_ms;
        let prev = self.count(client, window.checked_sub(1)) as u128;
        let curr = self.count(client, Some(window)) as u128;
        let w = self.window_ms as u128;
        if prev * (w - elapsed as u128) + curr * w < self.limit as u128 * w {
            *self.counts.entry((client, window)).or_insert(0) += 1;
            true
        } else {
            false
        }
    }

    fn tracked(&self) -> usize {
        let mut clients: Vec<&str> = self
            .counts
            .keys()
            .filter(|(_, w)| *w == self.latest || *w + 1 == self.latest)
            .map(|(c, _)| *c)
            .collect();
        clients.sort();
        clients.dedup();
        clients.len()
    }
}

/// Replays `ops` on a fresh limiter and model: the index of the first wrong call and why.
fn first_mismatch(limit: u32, window_ms: u64, ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let limiter = SlidingCounterLimiter::new(limit, window_ms);
            let model = Model {
                limit,
                window_ms,
                latest: 0,
                counts: HashMap::new(),
            };
            (limiter, model)
        },
        |(limiter, model), op| {
            let (got, expected) = match *op {
                Op::Allow(client, now) => (
                    limiter.allow(client, now).to_string(),
                    model.allow(client, now).to_string(),
                ),
                Op::Tracked => (
                    limiter.tracked_clients().to_string(),
                    model.tracked().to_string(),
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
fn shrink(limit: u32, window_ms: u64, ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| {
        first_mismatch(limit, window_ms, ops).map(|(at, _)| at)
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
    const CLIENTS: [&str; 4] = ["a", "b", "c", "d"];
    const OPS: usize = 200;
    for seed in 1..=10u64 {
        let seed = 0x5C0_0000 + seed;
        let mut rng = SplitMix64(seed);
        let limit = rng.below(7) as u32;
        let window_ms = 1 + rng.below(40);
        let mut now = rng.below(100);
        let ops: Vec<Op> = (0..OPS)
            .map(|_| {
                now += match rng.below(4) {
                    0 => 0,
                    1 => 1,
                    2 => rng.below(window_ms / 2 + 1),
                    _ => rng.below(2 * window_ms + 1),
                };
                if rng.below(6) == 0 {
                    Op::Tracked
                } else {
                    Op::Allow(CLIENTS[rng.below(4) as usize], now)
                }
            })
            .collect();
        if let Some((at, _)) = first_mismatch(limit, window_ms, &ops) {
            let failing = shrink(limit, window_ms, ops[..=at].to_vec());
            let (last, why) =
                first_mismatch(limit, window_ms, &failing).expect("a shrunk sequence still fails");
            let before = if last == 0 {
                String::new()
            } else {
                format!(", {}", join_ops(&failing[..last]))
            };
            panic!(
                "random requests (seed {seed:#x}), shrunk to: \
                 SlidingCounterLimiter::new({limit}, {window_ms}){before}; then {why}\n  \
                 (the first {} random calls were: {}{})",
                (at + 1).min(30),
                join_ops(&ops[..(at + 1).min(30)]),
                if at + 1 > 30 { ", ..." } else { "" }
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Amortised O(1): compare times with few and with many clients tracked.

/// A limiter with `count` clients tracked in window 0, and their names.
fn limiter_with_clients(count: usize) -> (SlidingCounterLimiter, Vec<String>) {
    let names: Vec<String> = (0..count).map(|i| format!("client-{i}")).collect();
    let limiter = learner(
        || {
            format!(
                "SlidingCounterLimiter::new(u32::MAX, 1000000), then allow(\"client-i\", 0) \
                 for i in 0..{count}"
            )
        },
        || {
            let mut limiter = SlidingCounterLimiter::new(u32::MAX, 1_000_000);
            for name in &names {
                black_box(limiter.allow(name, 0));
            }
            limiter
        },
    );
    (limiter, names)
}

/// Time of `rounds` calls of `allow` by tracked clients, moving the clock `now` on (all
/// in window 0).
fn time_allows(
    limiter: &mut SlidingCounterLimiter,
    names: &[String],
    now: &mut u64,
    rounds: usize,
) -> Duration {
    let start = Instant::now();
    for i in 0..rounds {
        *now += 1;
        black_box(limiter.allow(&names[(i * 7) % names.len()], *now));
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
    let (mut small, small_names) = limiter_with_clients(SMALL);
    let (mut large, large_names) = limiter_with_clients(LARGE);
    let (mut small_now, mut large_now) = (0, 0);
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || format!("allow by one of {LARGE} clients tracked in window 0"),
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
        "{ROUNDS} calls of allow(client, now_ms) with {LARGE} clients tracked took {} as long \
         as with {SMALL} clients tracked (best of {REPETITIONS}, in {ATTEMPTS} attempts), \
         expected about the same (at most {LIMIT}x): allow must be amortised O(1); dropping \
         old counters must not scan every client on every call",
        ratios.join(", ")
    );
}
