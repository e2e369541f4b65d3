use super::fixed_window_limiter::FixedWindowLimiter;
use crate::kit::{SplitMix64, learner};
use crate::support::{Limiter, Probe, limit_text, ms};

use std::collections::HashMap;
use std::fmt::{self, Display};
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Driving the limiter (see crate::support::Probe): scripted calls whose failures list the calls
// before them.

impl Limiter for FixedWindowLimiter {
    fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        FixedWindowLimiter::allow(self, client, now_ms)
    }
}

impl Probe<FixedWindowLimiter> {
    fn new(limit: u32, window_ms: u64) -> Self {
        let call = format!(
            "FixedWindowLimiter::new({}, {})",
            limit_text(limit),
            ms(window_ms)
        );
        Probe::start(call, || FixedWindowLimiter::new(limit, window_ms))
    }

    fn tracked(&mut self, expected: usize, why: &str) {
        self.expect("tracked_clients()", |l| l.tracked_clients(), expected, why);
    }
}

// ---------------------------------------------------------------------------------------
// Scripted behaviour.

#[test]
fn allows_up_to_the_limit_then_rejects() {
    let mut l = Probe::new(3, 1_000);
    l.allow("alice", 0, true, "1st request of window [0, 1000)");
    l.allow("alice", 10, true, "2nd request of window [0, 1000)");
    l.allow("alice", 20, true, "3rd request of window [0, 1000)");
    l.allow("alice", 30, false, "limit 3 reached in window [0, 1000)");
    l.allow("alice", 500, false, "limit 3 reached in window [0, 1000)");
    l.allow("alice", 999, false, "limit 3 reached in window [0, 1000)");
}

#[test]
fn the_example_from_the_statement() {
    let mut l = Probe::new(3, 1_000);
    l.allow("alice", 0, true, "");
    l.allow("alice", 400, true, "");
    l.allow("bob", 500, true, "");
    l.allow("alice", 998, true, "");
    l.allow(
        "alice",
        999,
        false,
        "alice made 3 requests in window [0, 1000)",
    );
    l.tracked(2, "alice and bob");
    l.allow(
        "alice",
        1_000,
        true,
        "a new window [1000, 2000) starts at 1000",
    );
    l.tracked(1, "bob's counter belonged to the old window");
    l.allow("alice", 1_001, true, "");
    l.allow("alice", 1_002, true, "");
    l.allow(
        "alice",
        1_003,
        false,
        "alice made 3 requests in window [1000, 2000)",
    );
    l.allow("alice", 5_500, true, "window [5000, 6000) starts at 0");
}

#[test]
fn a_request_exactly_at_the_window_boundary_starts_the_new_window() {
    let mut l = Probe::new(2, 1_000);
    l.allow_all("alice", &[999, 999], true, "");
    l.allow("alice", 999, false, "limit 2 reached in window [0, 1000)");
    l.allow(
        "alice",
        1_000,
        true,
        "1000 is the first millisecond of window [1000, 2000)",
    );
    let mut l = Probe::new(1, 250);
    l.allow("k", 1_749, true, "window [1500, 1750)");
    l.allow("k", 1_749, false, "limit 1 reached in window [1500, 1750)");
    l.allow(
        "k",
        1_750,
        true,
        "1750 = 7 * 250 starts window [1750, 2000)",
    );
    l.allow("k", 1_999, false, "limit 1 reached in window [1750, 2000)");
}

#[test]
fn windows_are_aligned_to_multiples_of_window_ms_not_to_the_first_request() {
    let mut l = Probe::new(2, 1_000);
    l.allow_all("alice", &[700, 800], true, "window [0, 1000)");
    l.allow("alice", 900, false, "limit 2 reached in window [0, 1000)");
    l.allow(
        "alice",
        1_000,
        true,
        "windows are [0, 1000), [1000, 2000), ...: only 300 ms after alice's first \
         request, but a new window",
    );
    l.allow("alice", 1_100, true, "window [1000, 2000)");
    l.allow(
        "alice",
        1_699,
        false,
        "limit 2 reached in window [1000, 2000), although alice's first request was 999 \
         ms ago",
    );
    l.allow("alice", 2_000, true, "window [2000, 3000)");
}

#[test]
fn boundary_burst_allows_twice_the_limit_across_a_window_edge() {
    // The known flaw of fixed windows: 2 * limit requests within a few milliseconds.
    let mut l = Probe::new(3, 1_000);
    l.allow_all(
        "bot",
        &[997, 998, 999],
        true,
        "window [0, 1000) has room for 3",
    );
    l.allow_all(
        "bot",
        &[1_000, 1_001, 1_002],
        true,
        "window [1000, 2000) has its own count: the boundary burst lets 6 requests \
         through within 6 ms",
    );
    l.allow(
        "bot",
        1_003,
        false,
        "limit 3 reached in window [1000, 2000)",
    );
    l.tracked(1, "only bot");
}

#[test]
fn clients_have_separate_counters_compared_exactly() {
    let mut l = Probe::new(1, 1_000);
    l.allow("alice", 0, true, "alice's first request");
    l.allow("bob", 1, true, "bob has his own counter");
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
    l.allow(
        "alice",
        5,
        false,
        "alice already made 1 request in [0, 1000)",
    );
    l.allow("bob", 6, false, "bob already made 1 request in [0, 1000)");
    l.allow("", 7, false, "\"\" already made 1 request in [0, 1000)");
    l.tracked(5, "alice, bob, Alice, \"alice \" and \"\"");
}

#[test]
fn limit_zero_rejects_everything_and_tracks_nobody() {
    let mut l = Probe::new(0, 1_000);
    l.tracked(0, "no call yet");
    l.allow("alice", 0, false, "limit 0 allows nothing");
    l.allow("alice", 1, false, "limit 0 allows nothing");
    l.allow("bob", 2, false, "limit 0 allows nothing");
    l.tracked(
        0,
        "rejected requests are not counted, so no client has a counter above 0",
    );
    l.allow(
        "alice",
        5_000,
        false,
        "limit 0 allows nothing, in any window",
    );
    l.tracked(0, "no request was ever allowed");
}

#[test]
fn limit_one_allows_a_single_request_per_window() {
    let mut l = Probe::new(1, 60_000);
    for minute in 0..5u64 {
        let start = minute * 60_000;
        l.allow("cron", start + 59_000, true, "first request of this minute");
        l.allow("cron", start + 59_001, false, "limit 1 reached this minute");
    }
}

#[test]
fn a_client_that_skips_windows_starts_again_from_zero() {
    let mut l = Probe::new(2, 100);
    l.allow_all("alice", &[10, 20], true, "window [0, 100)");
    l.allow("alice", 30, false, "limit 2 reached in window [0, 100)");
    l.allow(
        "alice",
        50_000,
        true,
        "window [50000, 50100): a fresh counter",
    );
    l.allow("alice", 50_001, true, "window [50000, 50100)");
    l.allow(
        "alice",
        50_002,
        false,
        "limit 2 reached in window [50000, 50100)",
    );
    // Rejected in one window, then back in the very next one.
    l.allow("alice", 50_099, false, "still window [50000, 50100)");
    l.allow(
        "alice",
        50_100,
        true,
        "window [50100, 50200): a fresh counter",
    );
}

#[test]
fn tracked_clients_counts_each_client_of_the_current_window_once() {
    let mut l = Probe::new(5, 1_000);
    l.tracked(0, "no call yet");
    l.allow("alice", 0, true, "");
    l.tracked(1, "alice");
    l.allow_all("alice", &[1, 2, 3, 4], true, "");
    l.tracked(1, "alice, with 5 requests, is one client");
    l.allow("alice", 5, false, "limit 5 reached");
    l.tracked(1, "alice, whose rejected request changed nothing");
    l.allow("bob", 6, true, "");
    l.tracked(2, "alice and bob");
    l.allow("carol", 2_500, true, "");
    l.tracked(1, "only carol made a request in window [2000, 3000)");
}

#[test]
fn tracked_clients_forgets_the_clients_of_past_windows() {
    const CLIENTS: u64 = 2_000;
    let mut l = Probe::new(10, 1_000);
    let limiter = &mut l.limiter;
    learner(
        || {
            format!(
                "FixedWindowLimiter::new(10, 1000), then allow(\"client-i\", i / 10) for i \
                 in 0..{CLIENTS}"
            )
        },
        || {
            for i in 0..CLIENTS {
                black_box(limiter.allow(&format!("client-{i}"), i / 10));
            }
        },
    );
    l.calls.push(format!(
        "allow(\"client-i\", i / 10) for i in 0..{CLIENTS} (all in window [0, 1000))"
    ));
    l.tracked(CLIENTS as usize, "every client made a request in [0, 1000)");
    l.allow("client-7", 1_000, true, "window [1000, 2000)");
    l.tracked(
        1,
        "the counters of window [0, 1000) can never matter again and must be dropped: \
         only client-7 made a request in [1000, 2000)",
    );
    l.allow("client-8", 1_001, true, "window [1000, 2000)");
    l.tracked(2, "client-7 and client-8");
    l.allow("client-9", 9_000, true, "window [9000, 10000)");
    l.tracked(1, "only client-9 made a request in [9000, 10000)");
}

#[test]
fn huge_times_windows_and_limits_do_not_overflow() {
    let mut l = Probe::new(2, u64::MAX);
    l.allow_all("a", &[0, u64::MAX - 2], true, "window 0 is [0, u64::MAX)");
    l.allow(
        "a",
        u64::MAX - 1,
        false,
        "limit 2 reached in window [0, u64::MAX)",
    );
    l.allow(
        "a",
        u64::MAX,
        true,
        "u64::MAX / u64::MAX = 1: window 1 starts at u64::MAX",
    );
    l.allow("a", u64::MAX, true, "window 1");
    l.allow("a", u64::MAX, false, "limit 2 reached in window 1");

    let mut l = Probe::new(1, 1_000);
    l.allow(
        "a",
        u64::MAX - 1,
        true,
        "the last window, [u64::MAX - 615, u64::MAX]",
    );
    l.allow("a", u64::MAX, false, "limit 1 reached in the last window");

    let mut l = Probe::new(1, 1);
    l.allow(
        "a",
        u64::MAX - 1,
        true,
        "window_ms 1: every millisecond is a window",
    );
    l.allow(
        "a",
        u64::MAX,
        true,
        "window_ms 1: every millisecond is a window",
    );

    let mut l = Probe::new(u32::MAX, 1_000);
    let limiter = &mut l.limiter;
    let rejected = learner(
        || "FixedWindowLimiter::new(u32::MAX, 1000), then allow(\"a\", 0) 1000 times".into(),
        || (0..1_000).filter(|_| !limiter.allow("a", 0)).count(),
    );
    assert!(
        rejected == 0,
        "FixedWindowLimiter::new(u32::MAX, 1000), then allow(\"a\", 0) 1000 times: {rejected} \
         calls returned false, expected all true (a limit of u32::MAX)"
    );
}

/// An API key quota of 100 requests per minute, with real Unix-epoch timestamps.
#[test]
fn an_api_key_quota_of_100_per_minute_with_epoch_timestamps() {
    const MINUTE: u64 = 60_000;
    // 2026-11-23 12:00:30.000 UTC, half way through a minute.
    const T0: u64 = 1_795_435_230_000;
    let minute_start = T0 / MINUTE * MINUTE;
    let mut l = Probe::new(100, MINUTE);
    let times: Vec<u64> = (0..100).map(|i| T0 + i * 100).collect();
    l.allow_each(
        "key_live_42",
        &times,
        true,
        &format!("allow(\"key_live_42\", {T0} + i * 100) for i in 0.."),
        "within the quota of 100 per minute",
    );
    l.allow(
        "key_live_42",
        T0 + 10_000,
        false,
        "101st request in the same minute",
    );
    l.allow("key_test_7", T0 + 10_001, true, "another API key");
    l.allow(
        "key_live_42",
        minute_start + MINUTE - 1,
        false,
        "last millisecond of the same minute",
    );
    l.allow(
        "key_live_42",
        minute_start + MINUTE,
        true,
        "the next minute starts at a multiple of 60000",
    );
    l.tracked(1, "only key_live_42 made a request in the new minute");
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

/// The obvious fixed window limiter: a counter per (client, window index), never dropped.
struct Model {
    limit: u32,
    window_ms: u64,
    latest: u64,
    counts: HashMap<(&'static str, u64), u32>,
}

impl Model {
    fn allow(&mut self, client: &'static str, now: u64) -> bool {
        self.latest = now / self.window_ms;
        let count = self.counts.entry((client, self.latest)).or_insert(0);
        if *count < self.limit {
            *count += 1;
            true
        } else {
            false
        }
    }

    fn tracked(&self) -> usize {
        self.counts
            .iter()
            .filter(|((_, w), c)| *w == self.latest && **c > 0)
            .count()
    }
}

/// Replays `ops` on a fresh limiter and model: the index of the first wrong call and why.
fn first_mismatch(limit: u32, window_ms: u64, ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let limiter = FixedWindowLimiter::new(limit, window_ms);
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
        let seed = 0xF1DE_0000 + seed;
        let mut rng = SplitMix64(seed);
        let limit = rng.below(5) as u32;
        let window_ms = 1 + rng.below(20);
        let mut now = rng.below(100);
        let ops: Vec<Op> = (0..OPS)
            .map(|_| {
                now += match rng.below(4) {
                    0 => 0,
                    1 => 1,
                    2 => rng.below(window_ms),
                    _ => rng.below(3 * window_ms),
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
                 FixedWindowLimiter::new({limit}, {window_ms}){before}; then {why}\n  \
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
fn limiter_with_clients(count: usize) -> (FixedWindowLimiter, Vec<String>) {
    let names: Vec<String> = (0..count).map(|i| format!("client-{i}")).collect();
    let limiter = learner(
        || {
            format!(
                "FixedWindowLimiter::new(u32::MAX, 1000000), then allow(\"client-i\", 0) for \
                 i in 0..{count}"
            )
        },
        || {
            let mut limiter = FixedWindowLimiter::new(u32::MAX, 1_000_000);
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
    limiter: &mut FixedWindowLimiter,
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
            || format!("allow by one of {LARGE} clients tracked in window [0, 1000000)"),
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
         the counters of past windows must not scan every client on every call",
        ratios.join(", ")
    );
}
