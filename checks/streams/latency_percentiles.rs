use super::latency_percentiles::{LatencyWindow, Summary};
use crate::kit::{SplitMix64, learner, try_learner};

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Describing calls in messages.

fn show_u64(value: u64) -> String {
    match u64::MAX - value {
        0 => "u64::MAX".to_string(),
        below if below <= 1_000_000 => format!("u64::MAX-{below}"),
        _ => value.to_string(),
    }
}

fn show_option(value: Option<u64>) -> String {
    match value {
        Some(v) => format!("Some({})", show_u64(v)),
        None => "None".to_string(),
    }
}

fn show_record(latency_us: u64, now_ms: u64) -> String {
    format!("record({}, {})", show_u64(latency_us), show_u64(now_ms))
}

fn show_percentile(percent: u32, now_ms: u64) -> String {
    format!("percentile({percent}, {})", show_u64(now_ms))
}

/// "after LatencyWindow::new(1000), record(5, 0), ...: " (the last calls only).
fn context(calls: &[String]) -> String {
    const SHOWN: usize = 16;
    if calls.len() <= SHOWN {
        format!("after {}: ", calls.join(", "))
    } else {
        format!(
            "after {}, ({} more calls), {}: ",
            calls[0],
            calls.len() - SHOWN,
            calls[calls.len() - SHOWN + 1..].join(", ")
        )
    }
}

/// Drives one window through scripted calls; a failure message lists the calls before it.
struct Probe {
    window: LatencyWindow,
    calls: Vec<String>,
}

impl Probe {
    fn new(window_ms: u64) -> Self {
        let call = format!("LatencyWindow::new({})", show_u64(window_ms));
        let window = learner(|| call.clone(), || LatencyWindow::new(window_ms));
        Probe {
            window,
            calls: vec![call],
        }
    }

    fn record(&mut self, latency_us: u64, now_ms: u64) {
        let call = show_record(latency_us, now_ms);
        let (window, calls) = (&mut self.window, &self.calls);
        learner(
            || format!("{}{call}", context(calls)),
            || window.record(latency_us, now_ms),
        );
        self.calls.push(call);
    }

    /// Records one sample per `(latency_us, now_ms)`.
    fn record_all(&mut self, samples: &[(u64, u64)]) {
        for &(latency_us, now_ms) in samples {
            self.record(latency_us, now_ms);
        }
    }

    /// Records many samples, described in messages by `description` instead of one by one.
    fn record_described(&mut self, samples: &[(u64, u64)], description: &str) {
        let (window, first) = (&mut self.window, &self.calls[0]);
        let mut done = 0;
        let outcome = try_learner(|| {
            for &(latency_us, now_ms) in samples {
                window.record(latency_us, now_ms);
                done += 1;
            }
        });
        if let Err(panicked) = outcome {
            let (latency_us, now_ms) = samples[done];
            panic!(
                "after {first}, {description}: the call {} {panicked}",
                show_record(latency_us, now_ms)
            );
        }
        self.calls = vec![self.calls[0].clone(), description.to_string()];
    }

    /// Calls `percentile(percent, now_ms)`; `why` explains the expected answer.
    fn percentile(&mut self, percent: u32, now_ms: u64, expected: Option<u64>, why: &str) {
        let call = show_percentile(percent, now_ms);
        let (window, calls) = (&mut self.window, &self.calls);
        let got = match try_learner(|| window.percentile(percent, now_ms)) {
            Ok(got) => got,
            Err(panicked) => panic!(
                "{}{call} {panicked} (expected {}: {why})",
                context(calls),
                show_option(expected)
            ),
        };
        if got != expected {
            panic!(
                "{}{call} returned {}, expected {}: {why}",
                context(&self.calls),
                show_option(got),
                show_option(expected)
            );
        }
        self.calls.push(format!("{call} -> {}", show_option(got)));
    }

    /// Checks len(), and is_empty() with it.
    fn len(&self, expected: usize, why: &str) {
        let window = &self.window;
        let got = learner(|| format!("{}len()", context(&self.calls)), || window.len());
        if got != expected {
            panic!(
                "{}len() returned {got}, expected {expected}: {why}",
                context(&self.calls)
            );
        }
        let empty = learner(
            || format!("{}is_empty()", context(&self.calls)),
            || window.is_empty(),
        );
        if empty != (expected == 0) {
            panic!(
                "{}is_empty() returned {empty}, expected {}: {why}",
                context(&self.calls),
                expected == 0
            );
        }
    }

    fn summary(&mut self, now_ms: u64, expected: Option<Summary>, why: &str) {
        let call = format!("summary({})", show_u64(now_ms));
        let (window, calls) = (&mut self.window, &self.calls);
        let got = learner(
            || format!("{}{call}", context(calls)),
            || window.summary(now_ms),
        );
        if got != expected {
            panic!(
                "{}{call} returned {got:?}, expected {expected:?}: {why}",
                context(&self.calls)
            );
        }
        self.calls.push(format!("{call} -> {got:?}"));
    }
}

/// The nearest rank of `percent` among `n` samples (`n > 0`), as the statement defines it.
fn rank(percent: u32, n: usize) -> usize {
    (percent as usize * n).div_ceil(100).max(1)
}

// ---------------------------------------------------------------------------------------
// The rules, one at a time.

#[test]
fn an_empty_window_has_no_percentiles() {
    let mut w = Probe::new(60_000);
    w.len(0, "no sample was recorded");
    for percent in [0, 50, 95, 99, 100] {
        w.percentile(
            percent,
            0,
            None,
            "no sample was recorded: no traffic is not 0 µs",
        );
    }
    w.summary(5, None, "no sample was recorded");
    w.len(0, "no sample was recorded");
}

#[test]
fn one_sample_is_every_percentile() {
    let mut w = Probe::new(60_000);
    w.record(250, 1_000);
    for percent in [0, 1, 50, 95, 99, 100] {
        w.percentile(
            percent,
            1_000,
            Some(250),
            "with n = 1 every rank is 1: the only sample",
        );
    }
    w.len(1, "one sample is in the window");
}

#[test]
fn the_rank_is_the_ceiling_of_percent_times_n_over_100() {
    // Samples 10, 20, ..., 100 recorded in a scrambled order: s[rank] = 10 * rank.
    let mut w = Probe::new(60_000);
    w.record_all(&[
        (70, 1),
        (20, 2),
        (100, 3),
        (40, 4),
        (10, 5),
        (90, 6),
        (30, 7),
        (60, 8),
        (80, 9),
        (50, 10),
    ]);
    for percent in [1, 9, 10, 11, 25, 49, 50, 51, 75, 89, 90, 91, 95, 99] {
        let r = rank(percent, 10);
        let why = format!(
            "the 10 samples sorted are [10, 20, ..., 100]; rank = ceil({percent} * 10 / 100) \
             = {r}, so the answer is the sample of rank {r}, {}",
            10 * r
        );
        w.percentile(percent, 10, Some(10 * r as u64), &why);
    }
}

#[test]
fn the_rank_is_computed_exactly_without_floating_point() {
    let samples: Vec<(u64, u64)> = (1..=100).map(|i| (i * 1_000, i)).collect();
    let mut w = Probe::new(1_000_000);
    w.record_described(
        &samples,
        "record(i * 1000, i) for i in 1..=100 (samples 1000, 2000, ..., 100000)",
    );
    for percent in [7, 14, 28, 55, 56, 50, 95, 99] {
        let why = format!(
            "rank = ceil({percent} * 100 / 100) = {percent} exactly (in f64, \
             {percent} / 100 * 100 may come out a hair above {percent}, and its ceiling \
             one too high)"
        );
        w.percentile(percent, 100, Some(percent as u64 * 1_000), &why);
    }
    let samples: Vec<(u64, u64)> = (1..=50).map(|i| (i, 200 + i)).collect();
    let mut w = Probe::new(1_000_000);
    w.record_described(
        &samples,
        "record(i, 200 + i) for i in 1..=50 (samples 1, 2, ..., 50)",
    );
    for (percent, expected) in [(14, 7), (28, 14), (56, 28), (2, 1), (3, 2)] {
        let why =
            format!("rank = ceil({percent} * 50 / 100) = {expected}, and the samples are 1..=50");
        w.percentile(percent, 300, Some(expected), &why);
    }
}

#[test]
fn percent_zero_is_the_smallest_sample_and_percent_100_the_largest() {
    let mut w = Probe::new(60_000);
    w.record_all(&[(500, 1), (7, 2), (9_000, 3), (60, 4)]);
    w.percentile(
        0,
        5,
        Some(7),
        "rank = ceil(0) = 0 becomes 1: the smallest sample",
    );
    w.percentile(
        100,
        5,
        Some(9_000),
        "rank = ceil(100 * 4 / 100) = 4: the largest",
    );
    w.percentile(1, 5, Some(7), "rank = ceil(0.04) = 1: the smallest");
    w.percentile(76, 5, Some(9_000), "rank = ceil(3.04) = 4: the largest");
    w.percentile(75, 5, Some(500), "rank = ceil(3.0) = 3");
}

#[test]
fn duplicate_latencies_each_count() {
    let mut w = Probe::new(60_000);
    w.record_all(&[(5, 1), (5, 1), (5, 1), (900, 2), (5, 3)]);
    w.percentile(
        80,
        3,
        Some(5),
        "sorted [5, 5, 5, 5, 900]: rank ceil(4.0) = 4 is a 5",
    );
    w.percentile(
        81,
        3,
        Some(900),
        "sorted [5, 5, 5, 5, 900]: rank ceil(4.05) = 5 is 900",
    );
    w.len(
        5,
        "every call is one sample, even with equal latencies and times",
    );
}

#[test]
fn a_sample_stays_until_exactly_window_ms_after_it() {
    let mut w = Probe::new(1_000);
    w.record_all(&[(300, 0), (100, 400), (200, 999)]);
    w.percentile(
        100,
        999,
        Some(300),
        "300@0 is in the window [0, 1000) at 999",
    );
    w.len(3, "all three samples are in the window");
    w.percentile(
        100,
        1_000,
        Some(200),
        "300@0 expired at 1000 (the window [0, 1000) is half-open): 100 and 200 remain",
    );
    w.len(2, "300@0 expired at 1000");
    w.percentile(0, 1_399, Some(100), "100@400 stays until 1400");
    w.percentile(0, 1_400, Some(200), "100@400 expired at 1400");
    w.percentile(50, 1_998, Some(200), "200@999 stays until 1999");
    w.percentile(50, 1_999, None, "200@999 expired at 1999");
    w.len(0, "every sample expired");
}

#[test]
fn expired_samples_are_the_oldest_not_the_smallest() {
    let mut w = Probe::new(100);
    w.record_all(&[(50, 0), (10, 10), (90, 20), (30, 30), (70, 40)]);
    w.percentile(
        0,
        105,
        Some(10),
        "only 50@0 expired (at 100): the oldest sample leaves, whatever its value; \
         10, 30, 70, 90 remain",
    );
    w.percentile(
        100,
        115,
        Some(90),
        "10@10 expired at 110: 30, 70, 90 remain",
    );
    w.percentile(0, 115, Some(30), "30, 70, 90 remain");
    w.percentile(
        50,
        125,
        Some(30),
        "90@20 expired at 120: 30 and 70 remain, rank ceil(1.0) = 1",
    );
    w.len(2, "30@30 and 70@40 are in the window at 125");
}

#[test]
fn percentile_forgets_expired_samples_without_any_new_record() {
    let mut w = Probe::new(60_000);
    w.record_all(&[(5_000, 0), (4_000, 1_000), (10, 50_000), (20, 55_000)]);
    w.percentile(
        50,
        55_000,
        Some(20),
        "sorted [10, 20, 4000, 5000]: rank ceil(2.0) = 2",
    );
    w.percentile(
        50,
        61_000,
        Some(10),
        "at 61000, 5000@0 and 4000@1000 have expired; only percentile was called since, \
         and it must forget them too: [10, 20], rank 1",
    );
    w.len(2, "10@50000 and 20@55000 remain at 61000");
    w.percentile(99, 112_000, Some(20), "only 20@55000 remains at 112000");
    w.percentile(99, 115_000, None, "every sample expired at 115000");
    w.len(0, "every sample expired");
}

#[test]
fn the_example_of_the_statement() {
    let mut w = Probe::new(60_000);
    let latencies = [120, 80, 300, 95, 40, 1000, 110, 105, 2500, 90];
    for (i, &latency) in latencies.iter().enumerate() {
        w.record(latency, i as u64 * 1_000);
    }
    let sorted = "sorted [40, 80, 90, 95, 105, 110, 120, 300, 1000, 2500]";
    w.percentile(
        50,
        9_000,
        Some(105),
        &format!("{sorted}: rank ceil(5.0) = 5"),
    );
    w.percentile(
        95,
        9_000,
        Some(2500),
        &format!("{sorted}: rank ceil(9.5) = 10"),
    );
    w.percentile(90, 9_000, Some(1000), &format!("{sorted}: rank 9"));
    w.percentile(
        11,
        9_000,
        Some(80),
        &format!("{sorted}: rank ceil(1.1) = 2"),
    );
    w.percentile(0, 9_000, Some(40), &format!("{sorted}: rank 0 becomes 1"));
    let sorted = "the samples of 0..=3000 ms expired, sorted [40, 90, 105, 110, 1000, 2500]";
    w.percentile(
        50,
        63_500,
        Some(105),
        &format!("{sorted}: rank ceil(3.0) = 3"),
    );
    w.percentile(
        67,
        63_500,
        Some(1000),
        &format!("{sorted}: rank ceil(4.02) = 5"),
    );
    w.len(6, "6 samples are in the window at 63500");
    w.summary(
        63_500,
        Some(Summary {
            p50: 105,
            p95: 2500,
            p99: 2500,
        }),
        &format!("{sorted}: ranks 3, 6 and 6"),
    );
    w.percentile(99, 70_000, None, "every sample expired");
}

#[test]
fn len_counts_only_the_samples_in_the_window() {
    // One sample per millisecond for 5 s, with a 100 ms window: at most 100 are kept.
    const WINDOW: u64 = 100;
    const SAMPLES: u64 = 5_000;
    let mut w = learner(
        || format!("LatencyWindow::new({WINDOW})"),
        || LatencyWindow::new(WINDOW),
    );
    let describe = |t: u64| {
        format!(
            "LatencyWindow::new({WINDOW}), then record((i * 7919) % 1000, i) for i in \
             0..={t} (one sample per millisecond)"
        )
    };
    for t in 0..SAMPLES {
        learner(|| describe(t), || w.record((t * 7919) % 1000, t));
        let len = learner(|| format!("{}, then len()", describe(t)), || w.len());
        let expected = (t + 1).min(WINDOW) as usize;
        if len != expected {
            panic!(
                "{}, then len() returned {len}, expected {expected}: at {t} only the samples \
                 recorded at {}..={t} are in the window; the older ones must be dropped, so \
                 that memory stays bounded however long the stream runs",
                describe(t),
                t.saturating_sub(WINDOW - 1)
            );
        }
    }
}

#[test]
fn a_zero_window_holds_nothing() {
    let mut w = Probe::new(0);
    w.record_all(&[(100, 5), (200, 5)]);
    w.len(0, "the window [t, t) is empty: no sample is ever in it");
    w.percentile(
        50,
        5,
        None,
        "the window [t, t) is empty, not even a sample recorded at this very time is in it",
    );
    w.record(300, 6);
    w.percentile(100, 6, None, "the window [6, 6) is empty");
    w.len(0, "the window [t, t) is empty");
}

#[test]
fn extreme_latencies_and_times_near_u64_max_do_not_overflow() {
    let end = u64::MAX;
    let mut w = Probe::new(10);
    w.record_all(&[
        (1, end - 12),
        (end, end - 8),
        (0, end - 1),
        (end - 1, end - 1),
    ]);
    w.percentile(
        100,
        end - 1,
        Some(end),
        "1@u64::MAX-12 expired at u64::MAX-2; the others stay until beyond u64::MAX \
         (t + window_ms would overflow): sorted [0, u64::MAX-1, u64::MAX]",
    );
    w.percentile(0, end, Some(0), "sorted [0, u64::MAX-1, u64::MAX]: rank 1");
    w.percentile(
        67,
        end,
        Some(end),
        "sorted [0, u64::MAX-1, u64::MAX]: rank ceil(2.01) = 3",
    );
    w.len(3, "three samples are in the window at u64::MAX");
}

#[test]
fn a_window_of_u64_max_keeps_samples_recorded_after_time_zero() {
    let end = u64::MAX;
    let mut w = Probe::new(end);
    w.record_all(&[(900, 0), (100, 1), (500, 2)]);
    w.percentile(
        100,
        end - 1,
        Some(900),
        "every sample stays until t + u64::MAX",
    );
    w.percentile(
        100,
        end,
        Some(500),
        "900@0 expires at 0 + u64::MAX = u64::MAX; 100@1 and 500@2 stay beyond any time",
    );
    w.len(2, "100@1 and 500@2 remain");
}

// ---------------------------------------------------------------------------------------
// Random calls against a simple model.

#[derive(Clone, Copy)]
enum Op {
    Record(u64, u64),
    Percentile(u32, u64),
}

impl Op {
    fn show(self) -> String {
        match self {
            Op::Record(latency_us, now_ms) => show_record(latency_us, now_ms),
            Op::Percentile(percent, now_ms) => show_percentile(percent, now_ms),
        }
    }
}

/// The rules, literally: filter the samples of the window, sort them, take the rank.
fn model_percentile(
    samples: &[(u64, u64)],
    window_ms: u64,
    percent: u32,
    now_ms: u64,
) -> Option<u64> {
    let mut inside: Vec<u64> = samples
        .iter()
        .filter(|&&(_, t)| now_ms - t < window_ms)
        .map(|&(latency_us, _)| latency_us)
        .collect();
    inside.sort_unstable();
    if inside.is_empty() {
        return None;
    }
    Some(inside[rank(percent, inside.len()) - 1])
}

fn model_len(samples: &[(u64, u64)], window_ms: u64, now_ms: u64) -> usize {
    samples
        .iter()
        .filter(|&&(_, t)| now_ms - t < window_ms)
        .count()
}

/// Replays `ops` on a new window and the model: the index of the first wrong answer and
/// what went wrong.
fn first_mismatch(window_ms: u64, ops: &[Op]) -> Option<(usize, String)> {
    let step = Cell::new(usize::MAX);
    let replay = try_learner(|| {
        let mut window = LatencyWindow::new(window_ms);
        let mut samples = Vec::new();
        for (i, &op) in ops.iter().enumerate() {
            step.set(i);
            let now_ms = match op {
                Op::Record(latency_us, now_ms) => {
                    window.record(latency_us, now_ms);
                    samples.push((latency_us, now_ms));
                    now_ms
                }
                Op::Percentile(percent, now_ms) => {
                    let got = window.percentile(percent, now_ms);
                    let expected = model_percentile(&samples, window_ms, percent, now_ms);
                    if got != expected {
                        return Some((
                            i,
                            format!(
                                "{} returned {}, expected {}",
                                op.show(),
                                show_option(got),
                                show_option(expected)
                            ),
                        ));
                    }
                    now_ms
                }
            };
            let (got, expected) = (window.len(), model_len(&samples, window_ms, now_ms));
            if got != expected {
                return Some((
                    i,
                    format!(
                        "{}, then len() returned {got}, expected {expected}",
                        op.show()
                    ),
                ));
            }
            let empty = window.is_empty();
            if empty != (expected == 0) {
                return Some((
                    i,
                    format!(
                        "{}, then is_empty() returned {empty}, expected {} (len() is {expected})",
                        op.show(),
                        expected == 0
                    ),
                ));
            }
        }
        None
    });
    match replay {
        Ok(mismatch) => mismatch,
        Err(panicked) if step.get() == usize::MAX => Some((
            0,
            format!("LatencyWindow::new({}) {panicked}", show_u64(window_ms)),
        )),
        Err(panicked) => {
            let i = step.get();
            Some((i, format!("{} {panicked}", ops[i].show())))
        }
    }
}

/// Drops calls while the replay still goes wrong (times stay in order), for a short
/// failing sequence.
fn shrink(window_ms: u64, ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| first_mismatch(window_ms, ops).map(|(at, _)| at))
}

#[test]
fn random_calls_match_a_reference_model() {
    const CALLS: usize = 160;
    const PERCENTS: [u32; 8] = [0, 50, 90, 95, 99, 100, 7, 56];
    for seed in 0x9E9C_0001u64..=0x9E9C_0010 {
        let mut rng = SplitMix64(seed);
        let window_ms = match rng.below(8) {
            0 => 0,
            1 => 1,
            2 => u64::MAX,
            _ => 2 + rng.below(40),
        };
        let mut now_ms = match rng.below(3) {
            0 => 0,
            1 => 1_700_000_000_000,
            _ => u64::MAX - 640,
        };
        // Small latencies (many duplicates), ordinary ones, or ones near u64::MAX.
        let spread = rng.below(3);
        let ops: Vec<Op> = (0..CALLS)
            .map(|_| {
                now_ms += rng.below(7).saturating_sub(3);
                if rng.below(10) < 6 {
                    let latency_us = match spread {
                        0 => rng.below(4),
                        1 => rng.below(1_000),
                        _ => u64::MAX - rng.below(8),
                    };
                    Op::Record(latency_us, now_ms)
                } else {
                    let percent = if rng.below(2) == 0 {
                        PERCENTS[rng.below(PERCENTS.len() as u64) as usize]
                    } else {
                        rng.below(101) as u32
                    };
                    Op::Percentile(percent, now_ms)
                }
            })
            .collect();
        if let Some((at, _)) = first_mismatch(window_ms, &ops) {
            let failing = shrink(window_ms, ops[..=at].to_vec());
            let (last, why) =
                first_mismatch(window_ms, &failing).expect("a shrunk sequence still fails");
            let mut before: Vec<String> = failing[..last].iter().map(|op| op.show()).collect();
            if before.len() > 20 {
                let hidden = before.len() - 19;
                before.drain(9..9 + hidden);
                before.insert(9, format!("... ({hidden} more calls) ..."));
            }
            panic!(
                "random calls (seed {seed:#x}), shrunk to: LatencyWindow::new({}){}{}; then \
                 {why}",
                show_u64(window_ms),
                if before.is_empty() { "" } else { ", " },
                before.join(", ")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Complexity: rounds of one record and three percentiles with few and many samples.

/// A window of `size` ms holding `size` random samples, one per ms.
fn full_window(size: u64, latencies: &[u64]) -> (LatencyWindow, u64) {
    learner(
        || format!("LatencyWindow::new({size}), then record(random latency, t) for t in 0..{size}"),
        || {
            let mut window = LatencyWindow::new(size);
            for t in 0..size {
                window.record(latencies[t as usize], t);
            }
            (window, size)
        },
    )
}

/// Time of `count` rounds of "record a sample one ms later (one expires), then ask for
/// p50, p95 and p99".
fn time_rounds(
    window: &mut LatencyWindow,
    latencies: &[u64],
    next: &mut u64,
    count: u32,
) -> Duration {
    let start = Instant::now();
    for _ in 0..count {
        let t = *next;
        *next += 1;
        window.record(black_box(latencies[t as usize]), t);
        for percent in [50, 95, 99] {
            black_box(window.percentile(black_box(percent), t));
        }
    }
    start.elapsed()
}

#[test]
fn percentile_time_does_not_grow_with_the_window() {
    // Same run, min of interleaved repetitions, 16x more samples; only the ratio matters.
    // A sorted Vec measures about 1x to 2x (its memmove grows, but it is fast); copying,
    // sorting or scanning the window on every query measures 10x or more. The limit sits
    // between, geometrically. A correct window must pass one of three attempts; a scan
    // fails all three, or fails sooner once it has used up BUDGET (a correct window takes
    // well under a millisecond per attempt).
    const SMALL: u64 = 128;
    const LARGE: u64 = 2048;
    const ROUNDS: u32 = 40;
    const REPETITIONS: u32 = 5;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 4.5;
    const BUDGET: Duration = Duration::from_millis(1000);
    let mut rng = SplitMix64(0x9E9C_7130);
    let total = (LARGE + u64::from(ROUNDS * REPETITIONS * ATTEMPTS)) as usize + 1;
    let latencies: Vec<u64> = (0..total).map(|_| 1_000 + rng.below(1_000_000)).collect();
    let (mut small, mut small_next) = full_window(SMALL, &latencies);
    let (mut large, mut large_next) = full_window(LARGE, &latencies);
    let mut ratios = Vec::new();
    let began = Instant::now();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || format!("record and percentile on a LatencyWindow holding {LARGE} samples"),
            || {
                for _ in 0..REPETITIONS {
                    let t = time_rounds(&mut small, &latencies, &mut small_next, ROUNDS);
                    t_small = t_small.min(t);
                    let t = time_rounds(&mut large, &latencies, &mut large_next, ROUNDS);
                    t_large = t_large.min(t);
                }
            },
        );
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
        if ratio <= LIMIT {
            return;
        }
        ratios.push(format!("{ratio:.1}x"));
        if began.elapsed() > BUDGET {
            break;
        }
    }
    panic!(
        "{ROUNDS} rounds of record(latency, t) + percentile(50, t), percentile(95, t), \
         percentile(99, t), one ms apart, took {} as long with {LARGE} samples in the window \
         as with {SMALL} (best of {REPETITIONS}, in {} attempt(s)), expected at most \
         {LIMIT}x: percentile must be O(log n) at most, so keep the window's samples sorted \
         as they come and go instead of copying, sorting or scanning them on every query",
        ratios.join(", "),
        ratios.len()
    );
}
