use super::circuit_breaker::{BreakerConfig, BreakerState, CircuitBreaker, Permit};
use crate::kit::{SplitMix64, learner};

use std::fmt::{self, Display};
use std::hint::black_box;
use std::time::{Duration, Instant};

use BreakerState::{Closed, HalfOpen, Open};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

/// Large numbers in messages: `u64::MAX - 5` reads better than 18446744073709551610.
fn num(x: u64) -> String {
    if x == u64::MAX {
        "u64::MAX".to_string()
    } else if x > u64::MAX - 1_000_000 {
        format!("u64::MAX - {}", u64::MAX - x)
    } else {
        x.to_string()
    }
}

fn config(threshold: u32, window: u64, cooldown: u64, probes: u32) -> BreakerConfig {
    BreakerConfig {
        failure_threshold: threshold,
        window_ms: window,
        cooldown_ms: cooldown,
        half_open_probes: probes,
    }
}

fn config_text(c: &BreakerConfig) -> String {
    let threshold = if c.failure_threshold == u32::MAX {
        "u32::MAX".to_string()
    } else {
        c.failure_threshold.to_string()
    };
    format!(
        "BreakerConfig {{ failure_threshold: {threshold}, window_ms: {}, cooldown_ms: {}, \
         half_open_probes: {} }}",
        num(c.window_ms),
        num(c.cooldown_ms),
        c.half_open_probes
    )
}

/// "after CircuitBreaker::new(..), <the last calls>:\n  <call>".
fn context(config: &BreakerConfig, calls: &[String], call: &str) -> String {
    const SHOWN: usize = 16;
    let mut text = format!("CircuitBreaker::new({})", config_text(config));
    if calls.len() > SHOWN {
        text.push_str(", ...");
    }
    for c in &calls[calls.len().saturating_sub(SHOWN)..] {
        text.push_str(", ");
        text.push_str(c);
    }
    format!("after {text}:\n  {call}")
}

// ---------------------------------------------------------------------------------------
// A scripted breaker: permits get names p1, p2, ... in the order they are granted, and a
// failure message lists the calls that led to it.

struct Probe {
    breaker: CircuitBreaker,
    config: BreakerConfig,
    calls: Vec<String>,
    permits: Vec<Option<Permit>>,
}

impl Probe {
    fn new(config: BreakerConfig) -> Self {
        let new = format!("CircuitBreaker::new({})", config_text(&config));
        let breaker = learner(|| new.clone(), || CircuitBreaker::new(config));
        Probe {
            breaker,
            config,
            calls: Vec::new(),
            permits: Vec::new(),
        }
    }

    fn context(&self, call: &str) -> String {
        context(&self.config, &self.calls, call)
    }

    /// `try_acquire(now)`; `granted` says whether a permit is expected. Returns the new
    /// permit's number (0 if none).
    fn acquire(&mut self, now: u64, granted: bool, why: &str) -> usize {
        let call = format!("try_acquire({})", num(now));
        let (breaker, config, calls) = (&mut self.breaker, &self.config, &self.calls);
        let got = learner(
            || context(config, calls, &call),
            || breaker.try_acquire(now),
        );
        match (got, granted) {
            (Some(permit), true) => {
                self.permits.push(Some(permit));
                let name = self.permits.len();
                self.calls.push(format!("{call} = p{name}"));
                name
            }
            (None, false) => {
                self.calls.push(format!("{call} = None"));
                0
            }
            (Some(_), false) => panic!(
                "{} returned a permit, expected None ({why})",
                self.context(&call)
            ),
            (None, true) => panic!(
                "{} returned None, expected a permit ({why})",
                self.context(&call)
            ),
        }
    }

    /// Acquires `n` permits at `now`, all expected to be granted.
    fn acquire_n(&mut self, now: u64, n: usize, why: &str) -> Vec<usize> {
        (0..n).map(|_| self.acquire(now, true, why)).collect()
    }

    fn report(&mut self, name: usize, now: u64, success: bool) {
        let permit = self.permits[name - 1]
            .take()
            .expect("the check reports each permit once");
        let call = format!(
            "{}(p{name}, {})",
            if success { "on_success" } else { "on_failure" },
            num(now)
        );
        let (breaker, config, calls) = (&mut self.breaker, &self.config, &self.calls);
        learner(
            || context(config, calls, &call),
            || {
                if success {
                    breaker.on_success(permit, now)
                } else {
                    breaker.on_failure(permit, now)
                }
            },
        );
        self.calls.push(call);
    }

    fn succeed(&mut self, name: usize, now: u64) {
        self.report(name, now, true);
    }

    fn fail(&mut self, name: usize, now: u64) {
        self.report(name, now, false);
    }

    /// A permit acquired and failed at `now` (the breaker must grant it).
    fn failed_call(&mut self, now: u64, why: &str) {
        let p = self.acquire(now, true, why);
        self.fail(p, now);
    }

    fn state(&mut self, now: u64, expected: BreakerState, why: &str) {
        let call = format!("state({})", num(now));
        let breaker = &self.breaker;
        let got = learner(|| self.context(&call), || breaker.state(now));
        if got != expected {
            panic!(
                "{} returned {got:?}, expected {expected:?} ({why})",
                self.context(&call)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Closed: counting failures in the sliding window.

#[test]
fn a_new_breaker_is_closed_and_grants_every_call() {
    let mut b = Probe::new(config(3, 10_000, 5_000, 1));
    b.state(0, Closed, "a new breaker is Closed");
    let permits = b.acquire_n(0, 5, "a Closed breaker grants every call");
    for p in permits {
        b.succeed(p, 10);
    }
    b.state(10, Closed, "successes keep it Closed");
    b.acquire(20, true, "a Closed breaker grants every call");
}

#[test]
fn the_breaker_opens_when_failures_in_the_window_reach_the_threshold() {
    let mut b = Probe::new(config(3, 10_000, 5_000, 1));
    b.failed_call(100, "Closed grants every call");
    b.failed_call(200, "Closed grants every call");
    b.state(200, Closed, "2 failures in the window, the threshold is 3");
    b.acquire(300, true, "2 failures in the window, the threshold is 3");
    b.failed_call(400, "2 failures in the window, the threshold is 3");
    b.state(
        400,
        Open,
        "the third failure in the window reaches the threshold of 3",
    );
    b.acquire(401, false, "an Open breaker fails fast");
}

#[test]
fn failures_leave_the_window_exactly_window_ms_later() {
    let mut b = Probe::new(config(3, 10_000, 5_000, 1));
    b.failed_call(100, "Closed");
    b.failed_call(200, "Closed");
    // 10_100 - 100 = 10_000: the failure at 100 is out, the one at 200 is in.
    b.failed_call(10_100, "the failure at 100 left the window at 10_100");
    b.state(
        10_100,
        Closed,
        "at 10_100 the window holds the failures at 200 and 10_100: the one at 100 is \
         exactly window_ms old, and a failure counts only while now - t < window_ms",
    );
    b.failed_call(10_199, "Closed");
    b.state(
        10_199,
        Open,
        "at 10_199 the window holds the failures at 200, 10_100 and 10_199 (10_199 - 200 < \
         10_000): three",
    );
}

#[test]
fn the_window_slides_rather_than_resetting_at_fixed_boundaries() {
    let mut b = Probe::new(config(3, 1_000, 5_000, 1));
    b.failed_call(990, "Closed");
    b.failed_call(995, "Closed");
    b.failed_call(1_005, "Closed");
    b.state(
        1_005,
        Open,
        "failures at 990, 995 and 1_005 lie within 1_000 ms of each other: the window \
         slides with now, it does not restart at multiples of window_ms",
    );
}

#[test]
fn successes_do_not_erase_failures_while_closed() {
    let mut b = Probe::new(config(3, 10_000, 5_000, 1));
    b.failed_call(0, "Closed");
    let ok = b.acquire(1, true, "Closed");
    b.succeed(ok, 2);
    b.failed_call(3, "Closed");
    let ok = b.acquire(4, true, "Closed");
    b.succeed(ok, 5);
    b.failed_call(6, "Closed");
    b.state(
        6,
        Open,
        "3 failures in the window open the breaker, whatever succeeded between them: only \
         time removes failures",
    );
}

// ---------------------------------------------------------------------------------------
// Open and the cool-down.

#[test]
fn an_open_breaker_fails_fast_until_the_cooldown_is_over() {
    let mut b = Probe::new(config(2, 1_000, 5_000, 1));
    b.failed_call(10_000, "Closed");
    b.failed_call(10_500, "Closed");
    b.state(10_500, Open, "2 failures reach the threshold of 2");
    b.acquire(10_500, false, "Open since 10_500");
    b.acquire(12_000, false, "Open since 10_500, the cool-down is 5_000");
    b.state(15_499, Open, "the cool-down ends at 10_500 + 5_000");
    b.acquire(15_499, false, "the cool-down ends at 10_500 + 5_000");
    b.state(
        15_500,
        HalfOpen,
        "the cool-down is over exactly cooldown_ms after opening",
    );
    b.acquire(
        15_500,
        true,
        "the cool-down is over: the first probe is granted",
    );
}

#[test]
fn the_state_is_half_open_after_the_cooldown_even_before_anyone_asks() {
    let mut b = Probe::new(config(1, 1_000, 300, 1));
    b.failed_call(50, "Closed");
    b.state(349, Open, "Open since 50, the cool-down is 300");
    b.state(
        350,
        HalfOpen,
        "state(now) turns Open into HalfOpen once the cool-down is over",
    );
    b.state(99_999, HalfOpen, "HalfOpen lasts until a probe reports");
    b.acquire(99_999, true, "HalfOpen grants the probe");
}

#[test]
fn results_of_calls_started_before_opening_are_ignored() {
    let mut b = Probe::new(config(2, 10_000, 5_000, 1));
    let slow = b.acquire_n(0, 3, "Closed");
    b.failed_call(100, "Closed");
    b.failed_call(200, "Closed");
    b.state(200, Open, "2 failures reach the threshold");
    b.fail(slow[0], 300);
    b.succeed(slow[1], 400);
    b.state(
        4_000,
        Open,
        "the results of permits granted while Closed, reported after the breaker opened, \
         are stale and change nothing",
    );
    b.acquire(
        5_200,
        true,
        "HalfOpen from 200 + 5_000: the probe is granted",
    );
    b.fail(slow[2], 5_300);
    b.state(
        5_300,
        HalfOpen,
        "a permit granted while Closed is not a probe: its failure, reported in HalfOpen, \
         is stale and does not reopen the breaker",
    );
}

// ---------------------------------------------------------------------------------------
// HalfOpen: probes.

#[test]
fn half_open_grants_exactly_half_open_probes_permits() {
    let mut b = Probe::new(config(1, 1_000, 100, 3));
    b.failed_call(0, "Closed");
    b.acquire(100, true, "probe 1 of 3");
    b.acquire(100, true, "probe 2 of 3");
    b.acquire(101, true, "probe 3 of 3");
    b.acquire(
        102,
        false,
        "all 3 probes are out: HalfOpen refuses further calls",
    );
    b.acquire(
        10_000,
        false,
        "all 3 probes are out: HalfOpen refuses further calls",
    );
    b.state(10_000, HalfOpen, "the probes have not reported yet");
}

#[test]
fn the_probe_limit_counts_granted_probes_not_outstanding_ones() {
    let mut b = Probe::new(config(1, 1_000, 100, 2));
    b.failed_call(0, "Closed");
    let p = b.acquire(100, true, "probe 1 of 2");
    b.succeed(p, 110);
    b.state(110, HalfOpen, "1 of 2 probes succeeded");
    let q = b.acquire(120, true, "probe 2 of 2");
    b.acquire(
        130,
        false,
        "HalfOpen grants half_open_probes permits in total, even after some reported",
    );
    b.succeed(q, 140);
    b.state(140, Closed, "both probes succeeded");
}

#[test]
fn half_open_closes_only_when_every_probe_succeeded() {
    let mut b = Probe::new(config(2, 10_000, 1_000, 3));
    b.failed_call(0, "Closed");
    b.failed_call(0, "Closed");
    let probes = b.acquire_n(1_000, 3, "3 probes in HalfOpen");
    b.succeed(probes[1], 1_010);
    b.state(1_010, HalfOpen, "1 of 3 probes succeeded");
    b.succeed(probes[0], 1_020);
    b.state(1_020, HalfOpen, "2 of 3 probes succeeded");
    b.succeed(probes[2], 1_030);
    b.state(1_030, Closed, "all 3 probes succeeded");
    b.acquire_n(1_030, 5, "a Closed breaker grants every call");
}

#[test]
fn a_failed_probe_reopens_the_breaker_with_a_fresh_cooldown() {
    let mut b = Probe::new(config(3, 10_000, 5_000, 2));
    for t in [100, 200, 300] {
        b.failed_call(t, "Closed");
    }
    b.state(300, Open, "3 failures in the window");
    let p = b.acquire(5_300, true, "probe 1 of 2");
    let q = b.acquire(5_350, true, "probe 2 of 2");
    b.succeed(p, 5_400);
    b.fail(q, 5_500);
    b.state(5_500, Open, "a probe failed: Open again");
    b.acquire(6_000, false, "Open again since 5_500");
    b.state(
        10_499,
        Open,
        "the new cool-down runs from the failed probe at 5_500, not from the first opening",
    );
    b.state(10_500, HalfOpen, "the new cool-down ends at 5_500 + 5_000");
    b.acquire(10_500, true, "a new HalfOpen grants probes again");
    b.acquire(
        10_500,
        true,
        "a new HalfOpen grants half_open_probes probes again",
    );
    b.acquire(10_500, false, "2 probes are out");
}

#[test]
fn results_of_probes_after_a_probe_failed_are_ignored() {
    let mut b = Probe::new(config(1, 1_000, 100, 3));
    b.failed_call(0, "Closed");
    let probes = b.acquire_n(100, 3, "3 probes in HalfOpen");
    b.fail(probes[0], 110);
    b.state(110, Open, "a probe failed");
    b.succeed(probes[1], 120);
    b.succeed(probes[2], 130);
    b.state(
        130,
        Open,
        "probes of the HalfOpen episode that already ended are stale: their successes \
         change nothing",
    );
    let again = b.acquire_n(210, 3, "HalfOpen again at 110 + 100: 3 new probes");
    b.succeed(again[0], 220);
    b.succeed(again[1], 220);
    b.state(220, HalfOpen, "2 of the 3 new probes succeeded");
    b.succeed(again[2], 230);
    b.state(230, Closed, "all 3 new probes succeeded");
}

#[test]
fn closing_starts_with_an_empty_window_and_ignores_old_permits() {
    let mut b = Probe::new(config(3, 100_000, 1_000, 1));
    let slow = b.acquire_n(0, 2, "Closed");
    b.failed_call(10, "Closed");
    b.failed_call(20, "Closed");
    b.failed_call(30, "Closed");
    b.state(30, Open, "3 failures in the window");
    let p = b.acquire(1_030, true, "the probe");
    b.succeed(p, 1_040);
    b.state(1_040, Closed, "the probe succeeded");
    b.failed_call(1_050, "Closed");
    b.failed_call(1_060, "Closed");
    b.state(
        1_060,
        Closed,
        "after closing, the window starts empty: the failures at 10, 20 and 30 are \
         forgotten, so only 2 failures count",
    );
    b.fail(slow[0], 1_070);
    b.fail(slow[1], 1_080);
    b.state(
        1_080,
        Closed,
        "permits granted in the first Closed episode are stale in the new one: their \
         failures do not count",
    );
    b.failed_call(1_090, "Closed");
    b.state(1_090, Open, "3 failures of the new episode");
}

// ---------------------------------------------------------------------------------------
// Edge cases.

#[test]
fn zero_threshold_and_zero_probes_behave_like_one() {
    let mut b = Probe::new(config(0, 1_000, 100, 0));
    b.acquire(0, true, "a new breaker is Closed");
    b.state(
        0,
        Closed,
        "a new breaker is Closed, even with failure_threshold 0",
    );
    b.failed_call(5, "Closed");
    b.state(
        5,
        Open,
        "failure_threshold 0 behaves like 1: one failure opens",
    );
    let p = b.acquire(105, true, "half_open_probes 0 behaves like 1: one probe");
    b.acquire(105, false, "half_open_probes 0 behaves like 1: one probe");
    b.succeed(p, 106);
    b.state(106, Closed, "the single probe succeeded");
}

#[test]
fn a_zero_window_never_opens_and_a_zero_cooldown_half_opens_at_once() {
    let mut b = Probe::new(config(1, 0, 100, 1));
    for t in [0, 0, 1, 2, 3] {
        b.failed_call(t, "with window_ms 0 no failure is ever in the window");
    }
    b.state(
        3,
        Closed,
        "with window_ms 0 no failure is ever in the window",
    );
    let mut b = Probe::new(config(1, 1_000, 0, 1));
    b.failed_call(7, "Closed");
    b.state(
        7,
        HalfOpen,
        "with cooldown_ms 0 an opened breaker is HalfOpen at once",
    );
    let p = b.acquire(7, true, "with cooldown_ms 0 the probe is granted at once");
    b.fail(p, 8);
    b.state(
        8,
        HalfOpen,
        "reopened at 8, and the cool-down of 0 is over at 8",
    );
}

#[test]
fn times_and_cooldowns_near_u64_max_do_not_overflow() {
    let mut b = Probe::new(config(1, u64::MAX, u64::MAX, 1));
    b.failed_call(5, "Closed");
    b.state(
        u64::MAX - 1,
        Open,
        "Open since 5 with a cool-down of u64::MAX",
    );
    b.acquire(u64::MAX, false, "u64::MAX - 5 < u64::MAX: still Open");
    let mut b = Probe::new(config(2, u64::MAX, 1_000, 1));
    b.failed_call(0, "Closed");
    b.failed_call(u64::MAX - 2_000, "Closed");
    b.state(
        u64::MAX - 2_000,
        Open,
        "a window of u64::MAX holds failures at 0 and u64::MAX - 2000",
    );
    b.state(
        u64::MAX - 1_001,
        Open,
        "the cool-down ends at u64::MAX - 1000",
    );
    b.state(
        u64::MAX - 1_000,
        HalfOpen,
        "the cool-down ends at u64::MAX - 1000",
    );
    let p = b.acquire(u64::MAX, true, "HalfOpen: the probe");
    b.succeed(p, u64::MAX);
    b.state(u64::MAX, Closed, "the probe succeeded");
}

// ---------------------------------------------------------------------------------------
// Memory: count the bytes this thread holds, so a check can see what the breaker keeps.

#[global_allocator]
static COUNTING_ALLOCATOR: crate::kit::CountingAllocator = crate::kit::CountingAllocator;

#[test]
fn new_does_not_reserve_memory_for_the_threshold() {
    const LIMIT: usize = 64 * 1024;
    let threshold = 1 << 20;
    let c = config(threshold, 1_000, 1_000, 1);
    let before = crate::kit::bytes_requested();
    let mut b = learner(
        || format!("CircuitBreaker::new({})", config_text(&c)),
        || CircuitBreaker::new(c),
    );
    let after = crate::kit::bytes_requested() - before;
    assert!(
        after <= LIMIT,
        "CircuitBreaker::new({}) allocated {after} bytes, expected at most {LIMIT}: the \
         threshold is a limit, so memory must grow with the failures actually kept \
         (failure_threshold may be u32::MAX)",
        config_text(&c)
    );
    learner(
        || {
            format!(
                "CircuitBreaker::new({}), then 3 failed calls",
                config_text(&c)
            )
        },
        || {
            for t in 0..3 {
                let p = b.try_acquire(t).expect("a Closed breaker grants permits");
                b.on_failure(p, t);
            }
        },
    );
    let after = crate::kit::bytes_requested() - before;
    assert!(
        after <= LIMIT,
        "CircuitBreaker::new({}) and 3 failed calls allocated {after} bytes, expected at \
         most {LIMIT}: memory must grow with the failures kept, not with the threshold",
        config_text(&c)
    );
}

#[test]
fn failures_that_left_the_window_are_not_kept() {
    const FIRST: u64 = 1_000;
    const TOTAL: u64 = 6_000;
    const LIMIT: isize = 2 * 1024;
    // At most 2 failures are ever in the window, so the breaker never opens.
    let c = config(1_000, 100, 1_000, 1);
    let mut b = learner(
        || format!("CircuitBreaker::new({})", config_text(&c)),
        || CircuitBreaker::new(c),
    );
    let mut fail_calls = |from: u64, to: u64| {
        learner(
            || {
                format!(
                    "CircuitBreaker::new({}), then try_acquire and on_failure at t = 0, 60, \
                     120, ... ({to} failures)",
                    config_text(&c)
                )
            },
            || {
                for i in from..to {
                    let t = i * 60;
                    match b.try_acquire(t) {
                        Some(p) => b.on_failure(p, t),
                        None => return Err(t),
                    }
                }
                Ok(())
            },
        )
    };
    let refused = |t: u64| {
        panic!(
            "CircuitBreaker::new({}), then try_acquire and on_failure at t = 0, 60, 120, ...: \
             try_acquire({t}) returned None, expected a permit (failures 60 ms apart with \
             window_ms 100: at most 2 in the window, never 1000)",
            config_text(&c)
        )
    };
    if let Err(t) = fail_calls(0, FIRST) {
        refused(t);
    }
    let live_before = crate::kit::bytes_live();
    if let Err(t) = fail_calls(FIRST, TOTAL) {
        refused(t);
    }
    let grew = crate::kit::bytes_live() - live_before;
    assert!(
        grew <= LIMIT,
        "CircuitBreaker::new({}), then a failed call every 60 ms: from failure {FIRST} to \
         failure {TOTAL} the memory it holds grew by {grew} bytes, expected at most \
         {LIMIT}: at most 2 failures are ever in the window, so drop the failures that left \
         it instead of keeping them all",
        config_text(&c)
    );
    black_box(&b);
}

// ---------------------------------------------------------------------------------------
// O(1) per call: compare times with a small and a large threshold.

/// A Closed breaker whose window always holds `threshold - 1` failures, one per ms.
fn full_window(threshold: u32) -> (CircuitBreaker, u64) {
    let c = config(threshold, threshold as u64 - 1, 1_000, 1);
    learner(
        || {
            format!(
                "CircuitBreaker::new({}), then a failed call at every ms",
                config_text(&c)
            )
        },
        || {
            let mut b = CircuitBreaker::new(c);
            for t in 0..threshold as u64 * 2 {
                let p = b
                    .try_acquire(t)
                    .expect("the window never holds the threshold");
                b.on_failure(p, t);
            }
            (b, threshold as u64 * 2)
        },
    )
}

fn time_failed_calls(b: &mut CircuitBreaker, next: &mut u64, count: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..count {
        let t = *next;
        *next += 1;
        if let Some(p) = black_box(b.try_acquire(t)) {
            b.on_failure(p, t);
        }
    }
    start.elapsed()
}

#[test]
fn time_per_call_does_not_grow_with_the_threshold() {
    // Same run, min of interleaved repetitions, thresholds 64x apart; only the ratio
    // matters. O(1) calls measure about 1x; rescanning the window measures 20x or more.
    const SMALL: u32 = 16;
    const LARGE: u32 = 1024;
    const ROUNDS: u32 = 300;
    const REPETITIONS: u32 = 5;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 4.0;
    let (mut small, mut small_next) = full_window(SMALL);
    let (mut large, mut large_next) = full_window(LARGE);
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || {
                format!(
                    "a failed call with failure_threshold {LARGE} and {} failures in the window",
                    LARGE - 1
                )
            },
            || {
                for _ in 0..REPETITIONS {
                    t_small = t_small.min(time_failed_calls(&mut small, &mut small_next, ROUNDS));
                    t_large = t_large.min(time_failed_calls(&mut large, &mut large_next, ROUNDS));
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
        "{ROUNDS} failed calls (try_acquire + on_failure, each failure pushing the oldest \
         out of a window holding threshold - 1 failures) took {} as long with \
         failure_threshold {LARGE} as with {SMALL} (best of {REPETITIONS}, in {ATTEMPTS} \
         attempts), expected about the same (at most {LIMIT}x): every call must be O(1) \
         amortised; drop each old failure once instead of rescanning the window",
        ratios.join(", ")
    );
}

// ---------------------------------------------------------------------------------------
// Random operations against a simple model.

#[derive(Clone, Copy)]
enum Op {
    /// try_acquire(now); the permit, if granted, is named `id`.
    Acquire {
        id: usize,
        now: u64,
    },
    Success {
        id: usize,
        now: u64,
    },
    Failure {
        id: usize,
        now: u64,
    },
    State {
        now: u64,
    },
}

impl Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::Acquire { id, now } => write!(f, "try_acquire({now}) as p{id}"),
            Op::Success { id, now } => write!(f, "on_success(p{id}, {now})"),
            Op::Failure { id, now } => write!(f, "on_failure(p{id}, {now})"),
            Op::State { now } => write!(f, "state({now})"),
        }
    }
}

/// The rules, written as plainly as possible.
struct Model {
    config: BreakerConfig,
    episode: u64,
    state: BreakerState,
    failures: Vec<u64>,
    opened: u64,
    granted: u32,
    succeeded: u32,
}

impl Model {
    fn new(config: BreakerConfig) -> Self {
        Model {
            config,
            episode: 0,
            state: Closed,
            failures: Vec::new(),
            opened: 0,
            granted: 0,
            succeeded: 0,
        }
    }

    fn change(&mut self, state: BreakerState, now: u64) {
        self.state = state;
        self.episode += 1;
        self.failures.clear();
        self.opened = now;
        self.granted = 0;
        self.succeeded = 0;
    }

    fn tick(&mut self, now: u64) {
        if self.state == Open && now - self.opened >= self.config.cooldown_ms {
            self.change(HalfOpen, now);
        }
    }

    fn state(&self, now: u64) -> BreakerState {
        if self.state == Open && now - self.opened >= self.config.cooldown_ms {
            HalfOpen
        } else {
            self.state
        }
    }

    /// The episode of the permit granted, if any.
    fn acquire(&mut self, now: u64) -> Option<u64> {
        self.tick(now);
        match self.state {
            Closed => Some(self.episode),
            Open => None,
            HalfOpen if self.granted < self.config.half_open_probes.max(1) => {
                self.granted += 1;
                Some(self.episode)
            }
            HalfOpen => None,
        }
    }

    fn report(&mut self, episode: u64, now: u64, success: bool) {
        self.tick(now);
        if episode != self.episode {
            return;
        }
        match (self.state, success) {
            (Closed, false) => {
                self.failures.push(now);
                let window = self.config.window_ms;
                let in_window = self.failures.iter().filter(|&&t| now - t < window).count();
                if in_window >= self.config.failure_threshold.max(1) as usize {
                    self.change(Open, now);
                }
            }
            (HalfOpen, true) => {
                self.succeeded += 1;
                if self.succeeded >= self.config.half_open_probes.max(1) {
                    self.change(Closed, now);
                }
            }
            (HalfOpen, false) => self.change(Open, now),
            _ => {}
        }
    }
}

/// Replays `ops`: the index of the first call that differs from the model, and why.
fn first_mismatch(c: BreakerConfig, ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let breaker = CircuitBreaker::new(c);
            let model = Model::new(c);
            // Permit id -> (the learner's permit, the model's episode).
            let permits: Vec<Option<(Permit, u64)>> = Vec::new();
            (breaker, model, permits)
        },
        |(breaker, model, permits), op| {
            match *op {
                Op::Acquire { id, now } => {
                    let got = breaker.try_acquire(now);
                    let expected = model.acquire(now);
                    if got.is_some() != expected.is_some() {
                        let text = |granted: bool| if granted { "a permit" } else { "None" };
                        return Some(format!(
                            "try_acquire({now}) returned {}, expected {}",
                            text(got.is_some()),
                            text(expected.is_some())
                        ));
                    }
                    if permits.len() <= id {
                        permits.resize_with(id + 1, || None);
                    }
                    permits[id] = got.zip(expected);
                }
                Op::Success { id, now } | Op::Failure { id, now } => {
                    let success = matches!(op, Op::Success { .. });
                    if let Some((permit, episode)) = permits.get_mut(id).and_then(Option::take) {
                        if success {
                            breaker.on_success(permit, now);
                        } else {
                            breaker.on_failure(permit, now);
                        }
                        model.report(episode, now, success);
                    }
                }
                Op::State { now } => {
                    let (got, expected) = (breaker.state(now), model.state(now));
                    if got != expected {
                        return Some(format!(
                            "state({now}) returned {got:?}, expected {expected:?}"
                        ));
                    }
                }
            }
            None
        },
        |i, panicked| format!("{} {panicked}", ops[i]),
    )
}

/// Drops calls while the replay still goes wrong, for a short failing sequence.
fn shrink(c: BreakerConfig, ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| first_mismatch(c, ops).map(|(at, _)| at))
}

fn random_ops(rng: &mut SplitMix64, count: usize) -> Vec<Op> {
    let mut now = 0;
    let mut next_id = 0;
    let mut outstanding: Vec<usize> = Vec::new();
    let mut ops = Vec::new();
    for _ in 0..count {
        now += [0, 1, 5, 20, 50, 200][rng.below(6) as usize];
        let roll = rng.below(10);
        if roll < 4 || outstanding.is_empty() {
            ops.push(Op::Acquire { id: next_id, now });
            outstanding.push(next_id);
            next_id += 1;
        } else if roll < 9 {
            let id = outstanding.swap_remove(rng.below(outstanding.len() as u64) as usize);
            if rng.below(10) < 6 {
                ops.push(Op::Failure { id, now });
            } else {
                ops.push(Op::Success { id, now });
            }
        } else {
            ops.push(Op::State { now });
        }
    }
    ops
}

#[test]
fn random_calls_match_a_reference_model() {
    const OPS: usize = 200;
    for seed in 0xB8EA_0000..0xB8EA_0000 + 12 {
        let mut rng = SplitMix64(seed);
        let c = config(
            rng.below(5) as u32,
            [0, 30, 100, 400][rng.below(4) as usize],
            [0, 50, 300][rng.below(3) as usize],
            rng.below(4) as u32,
        );
        let ops = random_ops(&mut rng, OPS);
        if let Some((at, _)) = first_mismatch(c, &ops) {
            let failing = shrink(c, ops[..=at].to_vec());
            let (last, why) = first_mismatch(c, &failing).expect("a shrunk sequence still fails");
            let before: Vec<String> = failing[..last].iter().map(Op::to_string).collect();
            panic!(
                "random calls (seed {seed:#x}), shrunk to: CircuitBreaker::new({}), {}; then \
                 {why}\n  (\"try_acquire(t) as pN\" names the permit it granted; the check \
                 reports results only for permits that were granted)",
                config_text(&c),
                if before.is_empty() {
                    "no other calls".to_string()
                } else {
                    before.join(", ")
                }
            );
        }
    }
}
