use super::stream_median::MedianFinder;
use crate::kit::{learner, try_learner};

use std::cell::Cell;
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Describing streams in messages.

fn show(value: i32) -> String {
    match value {
        i32::MAX => "i32::MAX".to_string(),
        i32::MIN => "i32::MIN".to_string(),
        _ => value.to_string(),
    }
}

fn show_values(values: &[i32]) -> String {
    let shown: Vec<String> = values.iter().map(|&v| show(v)).collect();
    format!("[{}]", shown.join(", "))
}

/// Where a call happened: "on a new MedianFinder" or "after inserting [5, 1, 3]".
fn context(values: &[i32], label: Option<&str>) -> String {
    match (values.len(), label) {
        (0, _) => "on a new MedianFinder".to_string(),
        (n, Some(label)) if n > 12 => format!(
            "after inserting {n} values ({label}; the last five were {})",
            show_values(&values[n - 5..])
        ),
        _ => format!("after inserting {}", show_values(values)),
    }
}

/// Drives one finder through inserts; a failure message names every value inserted so far.
struct Probe {
    finder: MedianFinder,
    inserted: Vec<i32>,
    label: Option<&'static str>,
}

impl Probe {
    fn new() -> Self {
        let finder = learner(|| "MedianFinder::new()".to_string(), MedianFinder::new);
        Probe {
            finder,
            inserted: Vec::new(),
            label: None,
        }
    }

    /// Long streams are described by `label` instead of listing every value.
    fn labelled(label: &'static str) -> Self {
        Probe {
            label: Some(label),
            ..Probe::new()
        }
    }

    fn context(&self) -> String {
        context(&self.inserted, self.label)
    }

    fn insert(&mut self, value: i32) {
        let (finder, inserted, label) = (&mut self.finder, &self.inserted, self.label);
        learner(
            || format!("{}: insert({})", context(inserted, label), show(value)),
            || finder.insert(value),
        );
        self.inserted.push(value);
    }

    fn median(&self, expected: Option<f64>) {
        let finder = &self.finder;
        let got = learner(
            || format!("{}: median()", self.context()),
            || finder.median(),
        );
        if got != expected {
            panic!(
                "{}: median() returned {got:?}, expected {expected:?}",
                self.context()
            );
        }
    }

    /// Checks len(), and is_empty() with it.
    fn len(&self, expected: usize) {
        let finder = &self.finder;
        let got = learner(|| format!("{}: len()", self.context()), || finder.len());
        if got != expected {
            panic!(
                "{}: len() returned {got}, expected {expected}",
                self.context()
            );
        }
        let empty = learner(
            || format!("{}: is_empty()", self.context()),
            || finder.is_empty(),
        );
        if empty != (expected == 0) {
            panic!(
                "{}: is_empty() returned {empty}, expected {} (len() is {expected})",
                self.context(),
                expected == 0
            );
        }
    }

    /// Inserts `value`, then checks median() and len() against `expected`.
    fn insert_expecting(&mut self, value: i32, expected: f64) {
        self.insert(value);
        self.median(Some(expected));
        self.len(self.inserted.len());
    }
}

/// Inserts `values` into a new finder, checking the median after each against `medians`.
fn expect_medians(values: &[i32], medians: &[f64]) {
    assert_eq!(values.len(), medians.len(), "the check itself is malformed");
    let mut probe = Probe::new();
    for (&value, &median) in values.iter().zip(medians) {
        probe.insert_expecting(value, median);
    }
}

// ---------------------------------------------------------------------------------------
// Scripted behaviour.

#[test]
fn a_new_finder_is_empty_and_has_no_median() {
    let probe = Probe::new();
    probe.median(None);
    probe.len(0);
    probe.median(None);
}

#[test]
fn one_value_is_its_own_median() {
    expect_medians(&[42], &[42.0]);
    expect_medians(&[-7], &[-7.0]);
    expect_medians(&[0], &[0.0]);
}

#[test]
fn two_values_give_the_mean_of_both() {
    expect_medians(&[1, 2], &[1.0, 1.5]);
    expect_medians(&[10, 4], &[10.0, 7.0]);
    expect_medians(&[3, 3], &[3.0, 3.0]);
    expect_medians(&[0, 7], &[0.0, 3.5]);
}

/// Response latencies in milliseconds, one per finished request.
#[test]
fn the_median_after_each_insert_alternates_odd_and_even_counts() {
    expect_medians(
        &[120, 80, 300, 95, 40, 1000, 110, 105, 2500, 90],
        &[
            120.0, 100.0, 120.0, 107.5, 95.0, 107.5, 110.0, 107.5, 110.0, 107.5,
        ],
    );
}

#[test]
fn negative_values_and_halves_below_zero() {
    expect_medians(&[-5, -10, -1, -7], &[-5.0, -7.5, -5.0, -6.0]);
    expect_medians(&[-1, 0], &[-1.0, -0.5]);
    expect_medians(&[-3, -2, 4, -8], &[-3.0, -2.5, -2.0, -2.5]);
}

#[test]
fn duplicate_values_each_count() {
    expect_medians(
        &[7, 7, 7, 7, 1, 1, 1, 1, 1, 9],
        &[7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 4.0, 1.0, 4.0],
    );
}

#[test]
fn the_mean_of_two_i32_max_is_exact() {
    expect_medians(&[i32::MAX, i32::MAX], &[2147483647.0, 2147483647.0]);
    expect_medians(&[i32::MAX - 1, i32::MAX], &[2147483646.0, 2147483646.5]);
    expect_medians(
        &[i32::MAX, i32::MAX, i32::MAX - 2, i32::MAX - 2],
        &[2147483647.0, 2147483647.0, 2147483647.0, 2147483646.0],
    );
}

#[test]
fn the_mean_of_i32_min_and_i32_max_is_minus_one_half() {
    expect_medians(&[i32::MIN, i32::MAX], &[-2147483648.0, -0.5]);
    expect_medians(&[i32::MAX, i32::MIN], &[2147483647.0, -0.5]);
    expect_medians(&[i32::MIN, i32::MIN], &[-2147483648.0, -2147483648.0]);
    expect_medians(&[i32::MIN + 1, i32::MIN], &[-2147483647.0, -2147483647.5]);
}

#[test]
fn extreme_values_mixed_with_ordinary_ones() {
    let (min, max) = (i32::MIN, i32::MAX);
    expect_medians(
        &[0, max, min, max, min, min, -1, max],
        &[
            0.0,
            1073741823.5,
            0.0,
            1073741823.5,
            0.0,
            -1073741824.0,
            -1.0,
            -0.5,
        ],
    );
}

#[test]
fn ascending_input_keeps_the_halves_balanced() {
    let mut probe = Probe::labelled("1, 2, 3, ... in ascending order");
    for n in 1..=200 {
        probe.insert_expecting(n, f64::from(n + 1) / 2.0);
    }
}

#[test]
fn descending_input_keeps_the_halves_balanced() {
    let mut probe = Probe::labelled("1000, 999, 998, ... in descending order");
    for value in (801..=1000).rev() {
        // The median of value..=1000 is the midpoint of the two ends.
        probe.insert_expecting(value, f64::from(value + 1000) / 2.0);
    }
}

#[test]
fn a_burst_of_large_values_then_small_ones_moves_the_median_back() {
    let mut probe = Probe::labelled("ten 1000s, then 1s");
    for _ in 0..10 {
        probe.insert_expecting(1000, 1000.0);
    }
    // With k ones: the middle values are 1000 while k < 10, then 1 and 1000.
    for k in 1..=9 {
        probe.insert(1);
        probe.median(Some(1000.0));
        probe.len(10 + k);
    }
    probe.insert_expecting(1, 500.5);
    probe.insert_expecting(1, 1.0);
    probe.insert_expecting(1000, 500.5);
}

#[test]
fn values_on_alternate_sides_of_the_median() {
    // 50, 0, 100, 1, 99, 2, 98, ...: every insert lands on the other side.
    let mut probe = Probe::labelled("50, then 0, 100, 1, 99, 2, 98, ... alternating");
    probe.insert_expecting(50, 50.0);
    let mut sorted = vec![50];
    for i in 0..40 {
        for value in [i, 100 - i] {
            let at = sorted.partition_point(|&v| v <= value);
            sorted.insert(at, value);
            probe.insert_expecting(value, reference_median(&sorted).unwrap());
        }
    }
}

#[test]
fn len_counts_every_insert_including_duplicates() {
    let mut probe = Probe::labelled("0, 0, 0, i32::MIN, i32::MAX, then 3, 6, 9, ...");
    probe.len(0);
    for (i, value) in [0, 0, 0, i32::MIN, i32::MAX].into_iter().enumerate() {
        probe.insert(value);
        probe.len(i + 1);
    }
    for i in 0..60 {
        probe.insert(i * 3);
        probe.len(6 + i as usize);
    }
}

#[test]
fn median_does_not_change_the_finder() {
    let mut probe = Probe::new();
    for (value, expected) in [(3, 3.0), (1, 2.0), (2, 2.0), (4, 2.5), (0, 2.0)] {
        probe.insert(value);
        for _ in 0..3 {
            probe.median(Some(expected));
            probe.len(probe.inserted.len());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Random streams against a sorted Vec.

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `low..=high`.
    fn between(&mut self, low: i32, high: i32) -> i32 {
        let span = (i64::from(high) - i64::from(low) + 1) as u64;
        (i64::from(low) + (self.next() % span) as i64) as i32
    }
}

/// The median of an already sorted slice, computed without any cleverness.
fn reference_median(sorted: &[i32]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(f64::from(sorted[n / 2])),
        _ => Some((i64::from(sorted[n / 2 - 1]) + i64::from(sorted[n / 2])) as f64 / 2.0),
    }
}

/// Replays `values` on a new finder and a sorted Vec: the index of the first wrong
/// answer, if any, with a message naming the call.
fn first_mismatch(values: &[i32]) -> Option<(usize, String)> {
    let step = Cell::new((0, "MedianFinder::new()"));
    let replay = try_learner(|| {
        let mut finder = MedianFinder::new();
        let mut sorted = Vec::new();
        for (i, &value) in values.iter().enumerate() {
            step.set((i, "insert"));
            finder.insert(value);
            sorted.insert(sorted.partition_point(|&v| v <= value), value);
            let so_far = || show_values(&values[..=i]);
            step.set((i, "median()"));
            let (got, expected) = (finder.median(), reference_median(&sorted));
            if got != expected {
                return Some((
                    i,
                    format!(
                        "after inserting {}: median() returned {got:?}, expected {expected:?}",
                        so_far()
                    ),
                ));
            }
            step.set((i, "len()"));
            let (got, expected) = (finder.len(), sorted.len());
            if got != expected {
                return Some((
                    i,
                    format!(
                        "after inserting {}: len() returned {got}, expected {expected}",
                        so_far()
                    ),
                ));
            }
            step.set((i, "is_empty()"));
            if finder.is_empty() {
                return Some((
                    i,
                    format!(
                        "after inserting {}: is_empty() returned true, expected false",
                        so_far()
                    ),
                ));
            }
        }
        None
    });
    match replay {
        Ok(mismatch) => mismatch,
        Err(panicked) => {
            let (i, call) = step.get();
            let message = if call == "MedianFinder::new()" {
                format!("MedianFinder::new() {panicked}")
            } else if call == "insert" {
                format!(
                    "{}: insert({}) {panicked}",
                    context(&values[..i], None),
                    show(values[i])
                )
            } else {
                format!("{}: {call} {panicked}", context(&values[..=i], None))
            };
            Some((i, message))
        }
    }
}

/// Drops values while the replay still goes wrong, for a short failing stream.
fn shrink(values: Vec<i32>) -> Vec<i32> {
    crate::kit::shrink(values, |values| first_mismatch(values).map(|(at, _)| at))
}

#[test]
fn random_streams_match_a_sorted_reference() {
    const LENGTH: usize = 60;
    const KINDS: [&str; 4] = [
        "latencies in 1..=2000 ms with rare spikes up to 60000",
        "small values in -5..=5, so many duplicates",
        "any i32",
        "values near i32::MIN and i32::MAX",
    ];
    for seed in 0x5EED_0001u64..=0x5EED_0010 {
        let kind = (seed % 4) as usize;
        let mut rng = SplitMix64(seed);
        let values: Vec<i32> = (0..LENGTH)
            .map(|_| match kind {
                0 if rng.next() % 10 == 0 => rng.between(2001, 60000),
                0 => rng.between(1, 2000),
                1 => rng.between(-5, 5),
                2 => rng.next() as u32 as i32,
                // Near i32::MIN a quarter, half or three quarters of the time.
                _ if rng.next() % 4 <= (seed / 4) % 3 => rng.between(i32::MIN, i32::MIN + 3),
                _ => rng.between(i32::MAX - 3, i32::MAX),
            })
            .collect();
        if let Some((at, problem)) = first_mismatch(&values) {
            let prefix = &values[..=at];
            let short = shrink(prefix.to_vec());
            let mut message = format!(
                "random stream with seed {seed:#x} ({}, the first {} values): {problem}",
                KINDS[kind],
                at + 1
            );
            if short.len() < prefix.len() {
                if let Some((_, short_problem)) = first_mismatch(&short) {
                    message.push_str(&format!(
                        ". A shorter stream that fails too: {short_problem}"
                    ));
                }
            }
            panic!("{message}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Complexity: compare times at two sizes in the same run; only the ratio matters.

/// A finder holding 0, 1, ..., size - 1 (ascending, so any structure builds it cheaply).
fn ascending_finder(size: i32) -> MedianFinder {
    learner(
        || format!("inserting 0, 1, ..., {} into MedianFinder::new()", size - 1),
        || {
            let mut finder = MedianFinder::new();
            for value in 0..size {
                finder.insert(value);
            }
            finder
        },
    )
}

/// Time of `count` inserts of a value below everything stored (`next` counts down).
fn time_inserts_below_all(finder: &mut MedianFinder, next: &mut i32, count: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..count {
        *next -= 1;
        finder.insert(black_box(*next));
    }
    start.elapsed()
}

#[test]
fn insert_time_grows_like_log_n_not_like_n() {
    // Sizes 128x apart. O(log n) inserts measure about 1.5x to 2x (16 levels against 9,
    // plus caches); a sorted Vec shifts every stored value on each of these inserts, O(n),
    // and measures 15x or more. A correct finder must pass one of three attempts, each
    // the best of five interleaved repetitions; an O(n) insert fails all three.
    const SMALL: i32 = 512;
    const LARGE: i32 = 65536;
    const INSERTS: u32 = 64;
    const REPETITIONS: u32 = 5;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 5.0;
    let mut large = ascending_finder(LARGE);
    let mut large_next = 0;
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        // A fresh small finder each attempt, so it stays small (the large one barely grows).
        let mut small = ascending_finder(SMALL);
        let mut small_next = 0;
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || format!("insert(v) of values below all others, into a MedianFinder of {LARGE}"),
            || {
                for _ in 0..REPETITIONS {
                    let t = time_inserts_below_all(&mut small, &mut small_next, INSERTS);
                    t_small = t_small.min(t);
                    let t = time_inserts_below_all(&mut large, &mut large_next, INSERTS);
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
        "{INSERTS} calls of insert(v), each v below every stored value, took {} as long on a \
         MedianFinder holding {LARGE} values as on one holding {SMALL} (best of \
         {REPETITIONS}, in {ATTEMPTS} attempts), expected at most {LIMIT}x: insert must be \
         O(log n), which is about 1.8x here; an insert that shifts or scans the stored \
         values (a sorted Vec, a re-sort) is O(n)",
        ratios.join(", ")
    );
}

/// Seconds per median() call, over up to `calls` calls or about 2 ms, whichever is first.
fn seconds_per_median(finder: &MedianFinder, calls: u32) -> f64 {
    let start = Instant::now();
    let mut done = 0;
    while done < calls {
        black_box(black_box(finder).median());
        done += 1;
        if done % 16 == 0 && start.elapsed() > Duration::from_millis(2) {
            break;
        }
    }
    start.elapsed().as_secs_f64() / f64::from(done)
}

#[test]
fn median_time_does_not_grow_with_the_stream() {
    // Sizes 64x apart. An O(1) median measures about 1x; one that scans, copies or sorts
    // the stored values measures 64x or more. The limit sits between, geometrically.
    const SMALL: usize = 64;
    const LARGE: usize = 4096;
    const CALLS: u32 = 256;
    const REPETITIONS: u32 = 5;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 8.0;
    let mut rng = SplitMix64(0x5EED_0BAD);
    let values: Vec<i32> = (0..LARGE).map(|_| rng.between(-100_000, 100_000)).collect();
    let build = |size: usize| {
        learner(
            || format!("inserting {size} random values into MedianFinder::new()"),
            || {
                let mut finder = MedianFinder::new();
                for &value in &values[..size] {
                    finder.insert(value);
                }
                finder
            },
        )
    };
    let (small, large) = (build(SMALL), build(LARGE));
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (f64::MAX, f64::MAX);
        learner(
            || format!("median() of a MedianFinder holding {LARGE} values"),
            || {
                for _ in 0..REPETITIONS {
                    t_small = t_small.min(seconds_per_median(&small, CALLS));
                    t_large = t_large.min(seconds_per_median(&large, CALLS));
                }
            },
        );
        let ratio = t_large / t_small.max(1e-12);
        if ratio <= LIMIT {
            return;
        }
        ratios.push(format!("{ratio:.1}x"));
    }
    panic!(
        "a median() call took {} as long on a MedianFinder holding {LARGE} values as on one \
         holding {SMALL} (best of {REPETITIONS}, in {ATTEMPTS} attempts), expected about the \
         same (at most {LIMIT}x): median must be O(1), reading values kept ready by insert, \
         not copying, sorting or scanning the stored values",
        ratios.join(", ")
    );
}
