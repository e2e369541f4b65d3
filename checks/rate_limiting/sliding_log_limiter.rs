use super::sliding_log_limiter::SlidingLogLimiter;
use crate::kit::{SplitMix64, learner};
use crate::support::{Limiter, Probe, limit_text, ms};

use std::fmt::{self, Display};
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Driving the limiter (see crate::support::Probe): scripted calls whose failures list the calls
// before them.

impl Limiter for SlidingLogLimiter {
    fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        SlidingLogLimiter::allow(self, client, now_ms)
    }
}

impl Probe<SlidingLogLimiter> {
    fn new(limit: u32, window_ms: u64) -> Self {
        let call = format!(
            "SlidingLogLimiter::new({}, {})",
            limit_text(limit),
            ms(window_ms)
        );
        Probe::start(call, || SlidingLogLimiter::new(limit, window_ms))
    }

    fn tracked(&mut self, expected: usize, why: &str) {
        self.expect("tracked_clients()", |l| l.tracked_clients(), expected, why);
    }

    fn logged(&mut self, expected: usize, why: &str) {
        self.expect("logged_requests()", |l| l.logged_requests(), expected, why);
    }
}

// ---------------------------------------------------------------------------------------
// Scripted behaviour.

#[test]
fn allows_up_to_the_limit_in_any_window_then_rejects() {
    let mut l = Probe::new(3, 1_000);
    l.allow_all("alice", &[0, 10, 20], true, "fewer than 3 requests count");
    l.allow("alice", 30, false, "0, 10 and 20 count at 30");
    l.allow(
        "alice",
        999,
        false,
        "0, 10 and 20 count at 999 (999 - 0 < 1000)",
    );
    l.allow(
        "alice",
        1_000,
        true,
        "0 stops counting at 1000: only 10 and 20 count",
    );
    l.allow("alice", 1_005, false, "10, 20 and 1000 count at 1005");
    l.allow(
        "alice",
        1_010,
        true,
        "10 stops counting at 1010: only 20 and 1000 count",
    );
    l.allow(
        "alice",
        1_020,
        true,
        "20 stops counting at 1020: only 1000 and 1010 count",
    );
    l.allow("alice", 1_021, false, "1000, 1010 and 1020 count at 1021");
}

#[test]
fn the_example_from_the_statement() {
    let mut l = Probe::new(3, 1_000);
    l.allow("alice", 0, true, "");
    l.allow("alice", 400, true, "");
    l.allow("bob", 500, true, "");
    l.allow("alice", 998, true, "");
    l.allow("alice", 999, false, "alice's 0, 400 and 998 count at 999");
    l.allow("alice", 1_000, true, "0 stops counting at 1000");
    l.allow(
        "alice",
        1_001,
        false,
        "alice's 400, 998 and 1000 count at 1001",
    );
    l.logged(4, "alice: 400 998 1000, bob: 500");
    l.tracked(2, "alice and bob");
    l.allow("alice", 1_500, true, "400 stops counting at 1400");
    l.logged(
        3,
        "alice: 998 1000 1500; bob's 500 stopped counting at 1500",
    );
    l.tracked(1, "bob has no request that counts: he is forgotten");
}

#[test]
fn a_request_stops_counting_exactly_window_ms_after_it_was_allowed() {
    let mut l = Probe::new(1, 500);
    l.allow("k", 100, true, "");
    l.allow("k", 599, false, "100 counts at 599 (599 - 100 < 500)");
    l.allow(
        "k",
        600,
        true,
        "100 stops counting at 600 (600 - 100 = 500)",
    );
    l.allow("k", 1_099, false, "600 counts at 1099");
    l.allow("k", 1_100, true, "600 stops counting at 1100");
}

#[test]
fn no_boundary_burst_across_a_clock_aligned_edge() {
    let mut l = Probe::new(3, 1_000);
    l.allow_all("bot", &[997, 998, 999], true, "");
    l.allow_all(
        "bot",
        &[1_000, 1_001, 1_002],
        false,
        "997, 998 and 999 all count: there is no boundary at 1000, so at most 3 requests \
         in any 1000 ms",
    );
    l.allow("bot", 1_996, false, "997, 998 and 999 count at 1996");
    l.allow("bot", 1_997, true, "997 stops counting at 1997");
    l.allow("bot", 1_997, false, "998, 999 and 1997 count at 1997");
    l.allow("bot", 1_998, true, "998 stops counting at 1998");
    l.logged(
        3,
        "999, 1997 and 1998; the rejected requests were never logged",
    );
}

#[test]
fn the_window_slides_as_old_requests_age_out() {
    let mut l = Probe::new(3, 1_000);
    l.allow_all("alice", &[0, 100, 200], true, "");
    l.allow("alice", 999, false, "0, 100 and 200 count");
    l.allow("alice", 1_000, true, "0 stops counting at 1000");
    l.allow("alice", 1_050, false, "100, 200 and 1000 count");
    l.allow("alice", 1_100, true, "100 stops counting at 1100");
    l.allow("alice", 1_150, false, "200, 1000 and 1100 count");
    l.allow("alice", 1_200, true, "200 stops counting at 1200");
    l.allow("alice", 1_999, false, "1000, 1100 and 1200 count");
    l.allow("alice", 5_000, true, "nothing counts any more");
    l.logged(1, "only 5000 counts");
}

#[test]
fn rejected_requests_are_not_logged() {
    let mut l = Probe::new(2, 1_000);
    l.allow_all("alice", &[0, 0], true, "");
    l.allow_all(
        "alice",
        &[500, 600, 999],
        false,
        "the two requests at 0 count",
    );
    l.logged(
        2,
        "only the 2 allowed requests are logged, not the rejected ones",
    );
    l.allow(
        "alice",
        1_000,
        true,
        "the requests at 0 stopped counting, and the rejected ones at 500, 600 and 999 \
         were never logged",
    );
    l.allow("alice", 1_000, true, "only one allowed request counts");
    l.allow("alice", 1_001, false, "the two requests at 1000 count");
}

#[test]
fn clients_have_separate_logs_compared_exactly() {
    let mut l = Probe::new(1, 1_000);
    l.allow("alice", 0, true, "alice's first request");
    l.allow("bob", 1, true, "bob has his own log");
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
    l.allow("alice", 5, false, "alice's request at 0 counts");
    l.allow("", 6, false, "\"\"'s request at 4 counts");
    l.tracked(5, "alice, bob, Alice, \"alice \" and \"\"");
    l.logged(5, "one request per client");
}

#[test]
fn limit_zero_rejects_everything_and_logs_nothing() {
    let mut l = Probe::new(0, 1_000);
    l.tracked(0, "no call yet");
    l.logged(0, "no call yet");
    l.allow("alice", 0, false, "limit 0 allows nothing");
    l.allow("alice", 1, false, "limit 0 allows nothing");
    l.allow("bob", 5_000, false, "limit 0 allows nothing");
    l.tracked(0, "no request was ever allowed");
    l.logged(0, "no request was ever allowed");
}

#[test]
fn equal_timestamps_count_as_separate_requests() {
    let mut l = Probe::new(3, 10);
    l.allow_all(
        "a",
        &[5, 5, 5],
        true,
        "three requests in the same millisecond",
    );
    l.allow("a", 5, false, "three requests at 5 count");
    l.allow("a", 14, false, "three requests at 5 count");
    l.allow_all(
        "a",
        &[15, 15, 15],
        true,
        "all three requests at 5 stopped counting at 15",
    );
    l.allow("a", 15, false, "three requests at 15 count");
    l.logged(3, "the three requests at 15");
    l.tracked(1, "a");
}

#[test]
fn tracked_clients_and_logged_requests_report_the_latest_call() {
    let mut l = Probe::new(2, 100);
    l.tracked(0, "no call yet");
    l.logged(0, "no call yet");
    l.allow("a", 0, true, "");
    l.logged(1, "a@0");
    l.allow("a", 10, true, "");
    l.logged(2, "a@0, a@10");
    l.tracked(1, "a");
    l.allow("b", 50, true, "");
    l.allow("a", 60, false, "a@0 and a@10 count");
    l.logged(3, "a@0, a@10, b@50");
    l.tracked(2, "a and b");
    l.allow("c", 100, true, "");
    l.logged(3, "a@10, b@50, c@100: a@0 stopped counting at 100");
    l.allow("c", 110, true, "c@100 is c's only request that counts");
    l.logged(3, "b@50, c@100, c@110: a@10 stopped counting at 110");
    l.tracked(2, "b and c: a has no request that counts any more");
    l.allow("b", 150, true, "b@50 stopped counting at 150");
    l.logged(3, "c@100, c@110, b@150");
    l.allow("x", 1_000, true, "");
    l.logged(1, "only x@1000 counts");
    l.tracked(1, "only x");
}

#[test]
fn memory_is_reclaimed_for_clients_that_never_come_back() {
    const CLIENTS: u64 = 2_000;
    let mut l = Probe::new(5, 1_000);
    let limiter = &mut l.limiter;
    learner(
        || {
            format!(
                "SlidingLogLimiter::new(5, 1000), then allow(\"client-i\", i / 2) for i in \
                 0..{CLIENTS}"
            )
        },
        || {
            for i in 0..CLIENTS {
                black_box(limiter.allow(&format!("client-{i}"), i / 2));
            }
        },
    );
    l.calls.push(format!(
        "allow(\"client-i\", i / 2) for i in 0..{CLIENTS} (times 0 to 999)"
    ));
    l.tracked(CLIENTS as usize, "every client made a request that counts");
    l.logged(CLIENTS as usize, "one request per client");
    l.allow(
        "client-0",
        1_500,
        true,
        "client-0's request at 0 stopped counting",
    );
    l.logged(
        999,
        "at 1500 only requests made after 500 count: those of client-1002 to client-1999, \
         and client-0's at 1500; the others must be dropped",
    );
    l.tracked(
        999,
        "client-1002 to client-1999, and client-0; clients without a request that counts \
         must be forgotten",
    );
    l.allow("z", 2_999, true, "");
    l.logged(1, "only z@2999 counts");
    l.tracked(1, "only z");
}

#[test]
fn huge_times_windows_and_limits_do_not_overflow() {
    let mut l = Probe::new(2, u64::MAX);
    l.allow_all("a", &[0, u64::MAX - 1], true, "");
    l.allow(
        "a",
        u64::MAX - 1,
        false,
        "0 and u64::MAX - 1 count: (u64::MAX - 1) - 0 < u64::MAX",
    );
    l.allow(
        "a",
        u64::MAX,
        true,
        "the request at 0 stops counting at 0 + u64::MAX",
    );
    l.allow("a", u64::MAX, false, "u64::MAX - 1 and u64::MAX count");
    l.logged(2, "u64::MAX - 1 and u64::MAX");

    let mut l = Probe::new(1, 1_000);
    l.allow("a", u64::MAX - 999, true, "");
    l.allow(
        "a",
        u64::MAX,
        false,
        "u64::MAX - 999 counts until u64::MAX + 1",
    );
    l.allow("b", u64::MAX, true, "b has its own log");

    let mut l = Probe::new(u32::MAX, 1_000);
    let limiter = &mut l.limiter;
    let rejected = learner(
        || "SlidingLogLimiter::new(u32::MAX, 1000), then allow(\"a\", 0) 1000 times".into(),
        || (0..1_000).filter(|_| !limiter.allow("a", 0)).count(),
    );
    assert!(
        rejected == 0,
        "SlidingLogLimiter::new(u32::MAX, 1000), then allow(\"a\", 0) 1000 times: {rejected} \
         calls returned false, expected all true (a limit of u32::MAX)"
    );
}

/// 5 login attempts per account in any 15 minutes, with real Unix-epoch timestamps.
#[test]
fn five_login_attempts_per_fifteen_minutes() {
    const WINDOW: u64 = 15 * 60_000;
    // 2026-11-23 12:14:00.000 UTC.
    const T: u64 = 1_795_436_040_000;
    let mut l = Probe::new(5, WINDOW);
    l.allow_all(
        "account:42",
        &[T, T + 20_000, T + 40_000, T + 60_000, T + 120_000],
        true,
        "up to 5 attempts in 15 minutes",
    );
    l.allow(
        "account:42",
        T + WINDOW - 1,
        false,
        "all 5 attempts count 14:59.999 after the first",
    );
    l.allow("account:43", T + WINDOW - 1, true, "another account");
    l.allow(
        "account:42",
        T + WINDOW,
        true,
        "the first attempt stops counting 15 minutes after it",
    );
    l.allow("account:42", T + WINDOW + 1, false, "attempts 2 to 6 count");
    l.allow(
        "account:42",
        T + WINDOW + 20_000,
        true,
        "the second attempt stopped counting",
    );
}

// ---------------------------------------------------------------------------------------
// Random calls against a simple model.

#[derive(Clone, Copy)]
enum Op {
    Allow(&'static str, u64),
    Tracked,
    Logged,
}

impl Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Allow(client, now) => write!(f, "allow({client:?}, {now})"),
            Op::Tracked => write!(f, "tracked_clients()"),
            Op::Logged => write!(f, "logged_requests()"),
        }
    }
}

/// The obvious sliding log: every allowed request, never dropped, counted by a scan.
struct Model {
    limit: u32,
    window_ms: u64,
    latest: u64,
    allowed: Vec<(&'static str, u64)>,
}

impl Model {
    fn counting(&self) -> impl Iterator<Item = &(&'static str, u64)> {
        self.allowed
            .iter()
            .filter(|(_, t)| self.latest - t < self.window_ms)
    }

    fn allow(&mut self, client: &'static str, now: u64) -> bool {
        self.latest = now;
        let count = self.counting().filter(|(c, _)| *c == client).count();
        if count < self.limit as usize {
            self.allowed.push((client, now));
            true
        } else {
            false
        }
    }

    fn tracked(&self) -> usize {
        let mut clients: Vec<&str> = self.counting().map(|(c, _)| *c).collect();
        clients.sort();
        clients.dedup();
        clients.len()
    }

    fn logged(&self) -> usize {
        self.counting().count()
    }
}

/// Replays `ops` on a fresh limiter and model: the index of the first wrong call and why.
fn first_mismatch(limit: u32, window_ms: u64, ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let limiter = SlidingLogLimiter::new(limit, window_ms);
            let model = Model {
                limit,
                window_ms,
                latest: 0,
                allowed: Vec::new(),
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
                Op::Logged => (
                    limiter.logged_requests().to_string(),
                    model.logged().to_string(),
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
        let seed = 0x510_0000 + seed;
        let mut rng = SplitMix64(seed);
        let limit = rng.below(5) as u32;
        let window_ms = 1 + rng.below(30);
        let mut now = rng.below(100);
        let ops: Vec<Op> = (0..OPS)
            .map(|_| {
                now += match rng.below(4) {
                    0 => 0,
                    1 => 1,
                    2 => rng.below(window_ms / 2 + 1),
                    _ => rng.below(2 * window_ms),
                };
                match rng.below(8) {
                    0 => Op::Tracked,
                    1 => Op::Logged,
                    _ => Op::Allow(CLIENTS[rng.below(4) as usize], now),
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
                 SlidingLogLimiter::new({limit}, {window_ms}){before}; then {why}\n  \
                 (the first {} random calls were: {}{})",
                (at + 1).min(30),
                join_ops(&ops[..(at + 1).min(30)]),
                if at + 1 > 30 { ", ..." } else { "" }
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Amortised O(1): compare times at two sizes, in the same run. Only the ratio matters: a
// correct limiter measures about 1x; a scan over the clients or the log measures 10x or
// more. A correct limiter must pass one of three attempts; a scan fails all three.

const SMALL: usize = 64;
const LARGE: usize = 2048;
/// The longest log of the limit check: long enough that shifting it (a `Vec` and
/// `remove(0)`, half a megabyte moved per call) costs far more than a correct call, which
/// a log of `LARGE` requests, a few kilobytes, would hide.
const LARGE_LOG: usize = 1 << 16;
const ROUNDS: usize = 200;
const REPETITIONS: u32 = 5;
const ATTEMPTS: u32 = 3;
const LIMIT: f64 = 3.0;

/// Runs `time(small)` and `time(large)` interleaved; the ratios of failed attempts, or
/// `None` as soon as one attempt is within `LIMIT`.
fn ratio_of_best_times<S>(
    small: &mut S,
    large: &mut S,
    call: &str,
    time: impl Fn(&mut S) -> Duration,
) -> Option<String> {
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || call.to_string(),
            || {
                for _ in 0..REPETITIONS {
                    t_small = t_small.min(time(small));
                    t_large = t_large.min(time(large));
                }
            },
        );
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
        if ratio <= LIMIT {
            return None;
        }
        ratios.push(format!("{ratio:.1}x"));
    }
    Some(ratios.join(", "))
}

/// `count` clients with one request logged each (limit 1, a window longer than the test).
struct ManyClients {
    limiter: SlidingLogLimiter,
    names: Vec<String>,
    now: u64,
}

fn many_clients(count: usize) -> ManyClients {
    let names: Vec<String> = (0..count).map(|i| format!("client-{i}")).collect();
    let limiter = learner(
        || {
            format!(
                "SlidingLogLimiter::new(1, 1000000000), then allow(\"client-i\", 0) for i in \
                 0..{count}"
            )
        },
        || {
            let mut limiter = SlidingLogLimiter::new(1, 1_000_000_000);
            for name in &names {
                black_box(limiter.allow(name, 0));
            }
            limiter
        },
    );
    ManyClients {
        limiter,
        names,
        now: 0,
    }
}

#[test]
fn allow_time_does_not_grow_with_the_number_of_clients() {
    let mut small = many_clients(SMALL);
    let mut large = many_clients(LARGE);
    let failed = ratio_of_best_times(
        &mut small,
        &mut large,
        &format!("allow by one of {LARGE} clients, each with a request that counts"),
        |c| {
            let start = Instant::now();
            for i in 0..ROUNDS {
                c.now += 1;
                black_box(c.limiter.allow(&c.names[(i * 7) % c.names.len()], c.now));
            }
            start.elapsed()
        },
    );
    if let Some(ratios) = failed {
        panic!(
            "{ROUNDS} calls of allow(client, now_ms) with {LARGE} clients tracked took \
             {ratios} as long as with {SMALL} clients tracked (best of {REPETITIONS}, in \
             {ATTEMPTS} attempts), expected about the same (at most {LIMIT}x): allow must be \
             amortised O(1); it must not scan every client or every logged request on each \
             call"
        );
    }
}

/// One client with `limit` requests counting, one per millisecond of a `limit` ms window.
struct FullLog {
    limiter: SlidingLogLimiter,
    now: u64,
}

/// Calls of `allow` timed together while a log fills.
const FILL_CHUNK: usize = 1024;
/// A fill that has taken longer than this (a correct limiter fills `LARGE_LOG` in a small
/// fraction of it) and whose latest chunks each took `FILL_SLOWDOWN` times the fastest chunk
/// is slowing down with the log: a limiter that scans its log would take minutes to fill it,
/// so it fails here, with the reason, instead of running into the time limit.
const FILL_BUDGET: Duration = Duration::from_secs(1);
const FILL_SLOWDOWN: u32 = 10;
const SLOW_CHUNKS_IN_A_ROW: u32 = 3;

fn full_log(limit: usize) -> FullLog {
    let call = || {
        format!(
            "SlidingLogLimiter::new({limit}, {limit}), then allow(\"hot\", t) for t in 0..{limit}"
        )
    };
    let filled = learner(call, || {
        let mut limiter = SlidingLogLimiter::new(limit as u32, limit as u64);
        let started = Instant::now();
        let mut fastest = Duration::MAX;
        let mut slow_in_a_row = 0;
        for first in (0..limit).step_by(FILL_CHUNK) {
            let chunk = Instant::now();
            for t in first..limit.min(first + FILL_CHUNK) {
                black_box(limiter.allow("hot", t as u64));
            }
            let took = chunk.elapsed();
            fastest = fastest.min(took);
            let slow = took > fastest * FILL_SLOWDOWN;
            slow_in_a_row = if slow { slow_in_a_row + 1 } else { 0 };
            if slow_in_a_row >= SLOW_CHUNKS_IN_A_ROW && started.elapsed() > FILL_BUDGET {
                let ratio = took.as_secs_f64() / fastest.as_secs_f64().max(1e-9);
                return Err(format!(
                    "the calls slowed down as hot's log grew: the {FILL_CHUNK} calls with {first} \
                     of hot's requests already counting took {ratio:.0}x as long as the fastest \
                     {FILL_CHUNK} calls before them"
                ));
            }
        }
        Ok(limiter)
    });
    match filled {
        Ok(limiter) => FullLog {
            limiter,
            now: limit as u64 - 1,
        },
        Err(slowdown) => panic!(
            "{}: {slowdown}, expected about the same: allow must be amortised O(1) whatever \
             the limit; keep a count per client instead of scanning or filtering the whole log \
             on each call",
            call()
        ),
    }
}

#[test]
fn allow_time_does_not_grow_with_the_limit() {
    const LARGE: usize = LARGE_LOG;
    let mut small = full_log(SMALL);
    let mut large = full_log(LARGE);
    let failed = ratio_of_best_times(
        &mut small,
        &mut large,
        &format!("allow(\"hot\", now_ms) with {LARGE} of hot's requests counting"),
        |f| {
            let start = Instant::now();
            for _ in 0..ROUNDS / 2 {
                // One request ages out, one is allowed, one is rejected.
                f.now += 1;
                black_box(f.limiter.allow("hot", f.now));
                black_box(f.limiter.allow("hot", f.now));
            }
            start.elapsed()
        },
    );
    if let Some(ratios) = failed {
        panic!(
            "{ROUNDS} calls of allow(\"hot\", now_ms) on SlidingLogLimiter::new({LARGE}, \
             {LARGE}) with hot's log full took {ratios} as long as on \
             SlidingLogLimiter::new({SMALL}, {SMALL}) (best of {REPETITIONS}, in {ATTEMPTS} \
             attempts), expected about the same (at most {LIMIT}x): allow must be amortised \
             O(1) whatever the limit; drop the requests that stopped counting from the old \
             end of the log, and keep a count, instead of scanning or filtering the whole log"
        );
    }
}
