use super::dedup_window::DedupWindow;
use crate::kit::{SplitMix64, learner, try_learner};

use std::cell::Cell;
use std::collections::HashMap;
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

fn show_insert(id: &str, now_ms: u64) -> String {
    format!("insert({id:?}, {})", show_u64(now_ms))
}

/// "after DedupWindow::new(1000), insert("a", 0) -> true, ...: " (the last calls only).
fn context(calls: &[String]) -> String {
    const SHOWN: usize = 14;
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

/// Drives one filter through scripted calls; a failure message lists the calls before it.
struct Probe {
    filter: DedupWindow,
    calls: Vec<String>,
}

impl Probe {
    fn new(window_ms: u64) -> Self {
        let call = format!("DedupWindow::new({})", show_u64(window_ms));
        let filter = learner(|| call.clone(), || DedupWindow::new(window_ms));
        Probe {
            filter,
            calls: vec![call],
        }
    }

    /// Calls `insert(id, now_ms)` and checks its answer; `why` explains the expected one.
    fn insert(&mut self, id: &str, now_ms: u64, expected: bool, why: &str) {
        let call = show_insert(id, now_ms);
        let (filter, calls) = (&mut self.filter, &self.calls);
        let got = match try_learner(|| filter.insert(id, now_ms)) {
            Ok(got) => got,
            Err(panicked) => panic!(
                "{}{call} {panicked} (expected {expected}: {why})",
                context(calls)
            ),
        };
        if got != expected {
            panic!(
                "{}{call} returned {got}, expected {expected}: {why}",
                context(&self.calls)
            );
        }
        self.calls.push(format!("{call} -> {got}"));
    }

    /// Checks `len()` (and `is_empty()`); `why` explains the expected count.
    fn len(&self, expected: usize, why: &str) {
        let filter = &self.filter;
        let got = learner(|| format!("{}len()", context(&self.calls)), || filter.len());
        if got != expected {
            panic!(
                "{}len() returned {got}, expected {expected}: {why}",
                context(&self.calls)
            );
        }
        let empty = learner(
            || format!("{}is_empty()", context(&self.calls)),
            || filter.is_empty(),
        );
        if empty != (expected == 0) {
            panic!(
                "{}is_empty() returned {empty}, expected {}: {why}",
                context(&self.calls),
                expected == 0
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The rules, one at a time.

#[test]
fn a_new_filter_remembers_nothing() {
    let d = Probe::new(1_000);
    d.len(0, "a new filter has accepted no id");
    let d = Probe::new(0);
    d.len(0, "a new filter has accepted no id");
}

#[test]
fn the_first_delivery_is_new_and_a_repeat_is_a_duplicate() {
    let mut d = Probe::new(60_000);
    d.insert("evt_1", 5_000, true, "evt_1 was never seen: process it");
    d.len(1, "evt_1 is remembered");
    d.insert(
        "evt_1",
        5_200,
        false,
        "evt_1 was accepted at 5000 and is remembered until 65000: drop the retry",
    );
    d.insert("evt_2", 5_300, true, "evt_2 is another event");
    d.insert("evt_2", 5_400, false, "evt_2 was accepted at 5300");
    d.insert("evt_1", 6_000, false, "evt_1 is still remembered");
    d.len(2, "evt_1 and evt_2 are remembered; duplicates add nothing");
}

#[test]
fn an_id_is_remembered_until_exactly_window_ms_after_it_was_accepted() {
    let mut d = Probe::new(1_000);
    d.insert("evt_1", 0, true, "evt_1 was never seen");
    d.insert(
        "evt_1",
        999,
        false,
        "accepted at 0 with a 1000 ms window, evt_1 is remembered in [0, 1000)",
    );
    d.insert(
        "evt_1",
        1_000,
        true,
        "accepted at 0 with a 1000 ms window, evt_1 is forgotten at 1000 (the interval \
         [0, 1000) is half-open), so it is new again",
    );
    let mut d = Probe::new(1);
    d.insert("a", 7, true, "a was never seen");
    d.insert("a", 7, false, "a 1 ms window remembers a during [7, 8)");
    d.insert("a", 8, true, "a 1 ms window forgets a at 8");
}

#[test]
fn a_duplicate_does_not_extend_the_window() {
    let mut d = Probe::new(1_000);
    d.insert("evt_1", 0, true, "evt_1 was never seen");
    d.insert("evt_1", 500, false, "evt_1 is remembered in [0, 1000)");
    d.insert("evt_1", 900, false, "evt_1 is remembered in [0, 1000)");
    d.insert(
        "evt_1",
        1_000,
        true,
        "evt_1 was accepted at 0, so it is forgotten at 1000: the duplicates at 500 and \
         900 did not extend the window",
    );
    d.insert(
        "evt_1",
        1_400,
        false,
        "evt_1 was accepted again at 1000, so it is remembered in [1000, 2000)",
    );
}

#[test]
fn a_forgotten_id_is_accepted_again_and_remembered_from_then_on() {
    let mut d = Probe::new(100);
    d.insert("evt_1", 0, true, "evt_1 was never seen");
    d.insert("evt_2", 50, true, "evt_2 was never seen");
    d.insert(
        "evt_1",
        150,
        true,
        "evt_1 (accepted at 0) was forgotten at 100",
    );
    d.len(
        1,
        "evt_1 was accepted at 150; evt_2 (accepted at 50) was forgotten at 150",
    );
    d.insert(
        "evt_1",
        200,
        false,
        "evt_1 was accepted again at 150, so it is remembered in [150, 250)",
    );
    d.insert(
        "evt_1",
        249,
        false,
        "evt_1 was accepted again at 150, so it is remembered in [150, 250)",
    );
    d.len(1, "only evt_1 is remembered");
    d.insert(
        "evt_1",
        250,
        true,
        "evt_1 (accepted at 150) was forgotten at 250",
    );
    d.insert("evt_1", 300, false, "evt_1 was accepted again at 250");
}

#[test]
fn ids_are_compared_exactly() {
    let mut d = Probe::new(10_000);
    d.insert("evt_1", 1, true, "evt_1 was never seen");
    d.insert(
        "EVT_1",
        2,
        true,
        "ids are case-sensitive: EVT_1 is not evt_1",
    );
    d.insert(
        "evt_1 ",
        3,
        true,
        "\"evt_1 \" (with a space) is not \"evt_1\"",
    );
    d.insert("evt_10", 4, true, "evt_10 is not evt_1");
    d.insert(
        "",
        5,
        true,
        "the empty id is an id like any other, never seen",
    );
    d.insert("", 6, false, "the empty id was accepted at 5");
    d.insert("évt_1", 7, true, "évt_1 was never seen");
    d.insert("evt_1", 8, false, "evt_1 was accepted at 1");
    d.insert("EVT_1", 9, false, "EVT_1 was accepted at 2");
    d.len(6, "six different ids were accepted within the window");
}

#[test]
fn a_repeat_in_the_same_millisecond_is_a_duplicate() {
    let mut d = Probe::new(1_000);
    d.insert("evt_9", 42, true, "evt_9 was never seen");
    d.insert("evt_9", 42, false, "evt_9 is remembered from 42 on");
    d.insert("evt_8", 42, true, "evt_8 was never seen");
    d.insert("evt_9", 42, false, "evt_9 is remembered from 42 on");
    d.len(2, "evt_8 and evt_9 are remembered");
}

#[test]
fn len_counts_only_the_ids_inside_the_window() {
    // The example of the statement.
    let mut d = Probe::new(1_000);
    d.insert("evt_1", 0, true, "evt_1 was never seen");
    d.insert("evt_2", 10, true, "evt_2 was never seen");
    d.insert("evt_1", 500, false, "evt_1 is remembered in [0, 1000)");
    d.insert("evt_1", 999, false, "evt_1 is remembered in [0, 1000)");
    d.len(2, "evt_1 and evt_2 are remembered");
    d.insert("evt_1", 1_000, true, "evt_1 is forgotten at 1000");
    d.len(
        2,
        "evt_1 (accepted again at 1000) and evt_2 (remembered until 1010) are remembered",
    );
    d.insert("evt_3", 1_010, true, "evt_3 was never seen");
    d.len(
        2,
        "evt_2 was forgotten at 1010; evt_1 and evt_3 are remembered",
    );
    d.insert("evt_1", 1_999, false, "evt_1 is remembered in [1000, 2000)");
    d.insert("evt_4", 5_000, true, "evt_4 was never seen");
    d.len(
        1,
        "at 5000 only evt_4 is remembered: evt_1 was forgotten at 2000, evt_3 at 2010",
    );
}

#[test]
fn expired_ids_are_forgotten_so_memory_stays_bounded() {
    // One new id per millisecond for 5 s, with a 100 ms window: at most 100 remembered.
    const WINDOW: u64 = 100;
    const IDS: u64 = 5_000;
    let mut d = learner(
        || format!("DedupWindow::new({WINDOW})"),
        || DedupWindow::new(WINDOW),
    );
    let describe = |t: u64| {
        format!(
            "DedupWindow::new({WINDOW}), then insert(\"evt_{{i}}\", i) for i in 0..={t} \
             (one new id per millisecond)"
        )
    };
    for t in 0..IDS {
        let id = format!("evt_{t}");
        let new = learner(|| describe(t), || d.insert(&id, t));
        if !new {
            panic!(
                "{} returned false for the last call, expected true: evt_{t} was never seen",
                describe(t)
            );
        }
        let len = learner(|| format!("{}, then len()", describe(t)), || d.len());
        let expected = (t + 1).min(WINDOW) as usize;
        if len != expected {
            panic!(
                "{}, then len() returned {len}, expected {expected}: at {t} only the ids \
                 accepted at {}..={t} are remembered; the older ones must be forgotten, so \
                 that memory stays bounded however long the stream runs",
                describe(t),
                t.saturating_sub(WINDOW - 1)
            );
        }
    }
    // After a quiet spell, one call forgets everything that expired meanwhile.
    let late = IDS + 10 * WINDOW;
    let then_late = format!("{}, then insert(\"late\", {late})", describe(IDS - 1));
    let new = learner(|| then_late.clone(), || d.insert("late", late));
    let len = learner(|| format!("{then_late}, then len()"), || d.len());
    if !new || len != 1 {
        panic!(
            "{then_late} returned {new} and len() then returned {len}, expected true and 1: \
             every earlier id expired long before {late}"
        );
    }
}

#[test]
fn a_zero_window_remembers_nothing() {
    let mut d = Probe::new(0);
    d.insert(
        "evt_1",
        10,
        true,
        "a 0 ms window [10, 10) is empty: nothing is remembered",
    );
    d.len(0, "a 0 ms window remembers nothing, not even for a moment");
    d.insert(
        "evt_1",
        10,
        true,
        "a 0 ms window remembers nothing, so every delivery is new",
    );
    d.insert("evt_1", 11, true, "a 0 ms window remembers nothing");
    d.insert("evt_2", 11, true, "a 0 ms window remembers nothing");
    d.len(0, "a 0 ms window remembers nothing");
}

#[test]
fn times_near_u64_max_do_not_overflow() {
    let end = u64::MAX;
    let mut d = Probe::new(10);
    d.insert("a", end - 15, true, "a was never seen");
    d.insert("b", end - 9, true, "b was never seen");
    d.insert(
        "b",
        end - 1,
        false,
        "b, accepted at u64::MAX-9, is remembered until u64::MAX+1, beyond any time \
         (so t + window_ms would overflow)",
    );
    d.insert(
        "a",
        end - 1,
        true,
        "a, accepted at u64::MAX-15, was forgotten at u64::MAX-5",
    );
    d.insert("b", end, false, "b is remembered until u64::MAX+1");
    d.len(2, "a (accepted again at u64::MAX-1) and b are remembered");
    d.insert("c", end, true, "c was never seen");
    d.insert("c", end, false, "c was accepted at u64::MAX");
    d.len(3, "a, b and c are remembered at u64::MAX");
}

#[test]
fn a_window_of_u64_max_remembers_ids_until_the_end_of_time() {
    let end = u64::MAX;
    let mut d = Probe::new(end);
    d.insert("first", 0, true, "first was never seen");
    d.insert("later", 5, true, "later was never seen");
    d.insert(
        "later",
        end,
        false,
        "later, accepted at 5, is remembered until 5 + u64::MAX, beyond any time",
    );
    d.len(
        1,
        "first, accepted at 0, is forgotten at 0 + u64::MAX = u64::MAX; later is remembered",
    );
    d.insert(
        "first",
        end,
        true,
        "first, accepted at 0, is forgotten at 0 + u64::MAX = u64::MAX",
    );
    d.insert(
        "later",
        end,
        false,
        "later is remembered until 5 + u64::MAX",
    );
    d.len(
        2,
        "first (accepted again at u64::MAX) and later are remembered",
    );
}

/// A provider retries after 1, 2, 4, 8, ... s until it sees a 200; the consumer's window
/// is 10 s, so late retries of an event are processed again.
#[test]
fn webhook_retries_with_backoff_are_dropped_within_the_window() {
    let mut d = Probe::new(10_000);
    let t0 = 1_700_000_000_000;
    d.insert("evt_a", t0, true, "evt_a was never seen");
    d.insert("evt_b", t0 + 300, true, "evt_b was never seen");
    d.insert(
        "evt_a",
        t0 + 1_000,
        false,
        "retry 1 of evt_a, 1 s after it was accepted",
    );
    d.insert(
        "evt_b",
        t0 + 1_300,
        false,
        "retry 1 of evt_b, 1 s after it was accepted",
    );
    d.insert(
        "evt_a",
        t0 + 3_000,
        false,
        "retry 2 of evt_a, 3 s after it was accepted",
    );
    d.insert("evt_c", t0 + 3_100, true, "evt_c was never seen");
    d.insert(
        "evt_b",
        t0 + 3_300,
        false,
        "retry 2 of evt_b, 3 s after it was accepted",
    );
    d.insert(
        "evt_a",
        t0 + 7_000,
        false,
        "retry 3 of evt_a, 7 s after it was accepted",
    );
    d.insert(
        "evt_b",
        t0 + 7_300,
        false,
        "retry 3 of evt_b, 7 s after it was accepted",
    );
    d.len(3, "evt_a, evt_b and evt_c are remembered");
    d.insert(
        "evt_a",
        t0 + 15_000,
        true,
        "retry 4 of evt_a comes 15 s after it was accepted: forgotten after 10 s",
    );
    d.len(
        1,
        "only evt_a (accepted again) is remembered: evt_b was forgotten at t0+10300, \
         evt_c at t0+13100",
    );
    d.insert(
        "evt_c",
        t0 + 15_100,
        true,
        "retry 1 of evt_c comes 12 s after it was accepted: forgotten after 10 s",
    );
    d.insert(
        "evt_a",
        t0 + 24_999,
        false,
        "evt_a is remembered until t0+25000",
    );
}

// ---------------------------------------------------------------------------------------
// Random calls against a simple model.

/// The rules, literally: every remembered id with the time it was accepted.
struct Model {
    window_ms: u64,
    accepted: HashMap<String, u64>,
}

impl Model {
    fn insert(&mut self, id: &str, now_ms: u64) -> bool {
        let window_ms = self.window_ms;
        self.accepted.retain(|_, t| now_ms - *t < window_ms);
        if self.accepted.contains_key(id) {
            return false;
        }
        if window_ms > 0 {
            self.accepted.insert(id.to_string(), now_ms);
        }
        true
    }
}

/// Replays `calls` on a new filter and the model: the index of the first wrong answer
/// and what went wrong.
fn first_mismatch(window_ms: u64, calls: &[(&str, u64)]) -> Option<(usize, String)> {
    let step = Cell::new(usize::MAX);
    let replay = try_learner(|| {
        let mut filter = DedupWindow::new(window_ms);
        let mut model = Model {
            window_ms,
            accepted: HashMap::new(),
        };
        for (i, &(id, now_ms)) in calls.iter().enumerate() {
            step.set(i);
            let (got, answer) = (filter.insert(id, now_ms), model.insert(id, now_ms));
            if got != answer {
                return Some((
                    i,
                    format!(
                        "{} returned {got}, expected {answer}",
                        show_insert(id, now_ms)
                    ),
                ));
            }
            let (got, expected) = (filter.len(), model.accepted.len());
            if got != expected {
                return Some((
                    i,
                    format!(
                        "{} -> {answer}, then len() returned {got}, expected {expected}",
                        show_insert(id, now_ms)
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
            format!("DedupWindow::new({}) {panicked}", show_u64(window_ms)),
        )),
        Err(panicked) => {
            let i = step.get();
            let (id, now_ms) = calls[i];
            Some((i, format!("{} {panicked}", show_insert(id, now_ms))))
        }
    }
}

/// Drops calls while the replay still goes wrong (times stay in order), for a short
/// failing sequence.
fn shrink<'a>(window_ms: u64, calls: Vec<(&'a str, u64)>) -> Vec<(&'a str, u64)> {
    crate::kit::shrink(calls, |calls| {
        first_mismatch(window_ms, calls).map(|(at, _)| at)
    })
}

#[test]
fn random_calls_match_a_reference_model() {
    const IDS: [&str; 5] = ["evt_a", "evt_b", "evt_c", "evt_d", "evt_e"];
    const CALLS: usize = 150;
    for seed in 0xDED0_0001u64..=0xDED0_0010 {
        let mut rng = SplitMix64(seed);
        let window_ms = match rng.below(8) {
            0 => 0,
            1 => 1,
            2 => u64::MAX,
            3 => u64::MAX - 1 - rng.below(3),
            _ => 2 + rng.below(30),
        };
        let mut now_ms = match rng.below(3) {
            0 => 0,
            1 => 1_700_000_000_000,
            _ => u64::MAX - 600,
        };
        let ids = 2 + rng.below(4);
        let calls: Vec<(&str, u64)> = (0..CALLS)
            .map(|_| {
                now_ms += rng.below(9).saturating_sub(4);
                (IDS[rng.below(ids) as usize], now_ms)
            })
            .collect();
        if let Some((at, _)) = first_mismatch(window_ms, &calls) {
            let failing = shrink(window_ms, calls[..=at].to_vec());
            let (last, why) =
                first_mismatch(window_ms, &failing).expect("a shrunk sequence still fails");
            let before: Vec<String> = failing[..last]
                .iter()
                .map(|&(id, t)| show_insert(id, t))
                .collect();
            panic!(
                "random calls (seed {seed:#x}), shrunk to: DedupWindow::new({}){}{}; then {why}",
                show_u64(window_ms),
                if before.is_empty() { "" } else { ", " },
                before.join(", ")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Complexity: compare times with few and many remembered ids, in the same run.

/// A filter with a window of `size` ms that remembers `size` ids, one accepted per ms.
fn full_filter(size: u64, ids: &[String]) -> (DedupWindow, u64) {
    learner(
        || format!("DedupWindow::new({size}), then insert(\"evt_{{i}}\", i) for i in 0..{size}"),
        || {
            let mut filter = DedupWindow::new(size);
            for t in 0..size {
                black_box(filter.insert(&ids[t as usize], t));
            }
            (filter, size)
        },
    )
}

/// Time of `count` rounds of "a new id one ms later (one id expires), then a duplicate".
fn time_rounds(filter: &mut DedupWindow, ids: &[String], next: &mut u64, count: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..count {
        let t = *next;
        *next += 1;
        black_box(filter.insert(black_box(&ids[t as usize]), t));
        black_box(filter.insert(black_box(&ids[t as usize - 1]), t));
    }
    start.elapsed()
}

#[test]
fn insert_time_does_not_grow_with_the_number_of_remembered_ids() {
    // Same run, min of interleaved repetitions, 32x apart; only the ratio matters. An
    // amortised O(1) insert measures about 1x; one that scans every remembered id on each
    // call measures 10x or more. A correct filter must pass one of three attempts; a scan
    // fails all three.
    const SMALL: u64 = 64;
    const LARGE: u64 = 2048;
    const ROUNDS: u32 = 150;
    const REPETITIONS: u32 = 5;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 3.5;
    let total = LARGE as usize + (ROUNDS * REPETITIONS * ATTEMPTS) as usize + 1;
    let ids: Vec<String> = (0..total).map(|i| format!("evt_{i:06}")).collect();
    let (mut small, mut small_next) = full_filter(SMALL, &ids);
    let (mut large, mut large_next) = full_filter(LARGE, &ids);
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || {
                format!(
                    "insert of new and duplicate ids into a DedupWindow remembering {LARGE} ids"
                )
            },
            || {
                for _ in 0..REPETITIONS {
                    let t = time_rounds(&mut small, &ids, &mut small_next, ROUNDS);
                    t_small = t_small.min(t);
                    let t = time_rounds(&mut large, &ids, &mut large_next, ROUNDS);
                    t_large = t_large.min(t);
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
        "{ROUNDS} rounds of insert(new id, t) + insert(previous id, t), one ms apart, took {} \
         as long with a {LARGE} ms window remembering {LARGE} ids as with a {SMALL} ms window \
         remembering {SMALL} (best of {REPETITIONS}, in {ATTEMPTS} attempts), expected about \
         the same (at most {LIMIT}x): insert must be amortised O(1); finding the expired ids \
         must not scan every remembered id on each call",
        ratios.join(", ")
    );
}
