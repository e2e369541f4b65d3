use super::abuse_detector::{LogEntry, find_abusers};
use crate::kit::try_learner;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

// ---------------------------------------------------------------------------------------
// Building logs and describing calls in messages: `alice@3` is alice's request at 3.

fn log(entries: &[(&str, u64)]) -> Vec<LogEntry> {
    entries
        .iter()
        .map(|&(user, timestamp)| LogEntry {
            user_id: user.to_string(),
            timestamp,
        })
        .collect()
}

fn show_u64(value: u64) -> String {
    match u64::MAX - value {
        0 => "u64::MAX".to_string(),
        below if below <= 1_000_000 => format!("u64::MAX-{below}"),
        _ => value.to_string(),
    }
}

fn show_k(k: usize) -> String {
    match usize::MAX - k {
        0 => "usize::MAX".to_string(),
        below if below <= 1_000_000 => format!("usize::MAX-{below}"),
        _ => k.to_string(),
    }
}

fn show_entry(entry: &LogEntry) -> String {
    let plain = !entry.user_id.is_empty()
        && entry
            .user_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let user = if plain {
        entry.user_id.clone()
    } else {
        format!("{:?}", entry.user_id)
    };
    format!("{user}@{}", show_u64(entry.timestamp))
}

fn show_call(entries: &[LogEntry], k: usize, window_secs: u64) -> String {
    let shown: Vec<String> = entries.iter().map(show_entry).collect();
    format!(
        "find_abusers([{}], k = {}, window_secs = {})",
        shown.join(", "),
        show_k(k),
        show_u64(window_secs)
    )
}

/// Checks one call; `why` explains the expected answer.
fn expect_abusers(
    entries: &[(&str, u64)],
    k: usize,
    window_secs: u64,
    expected: &[&str],
    why: &str,
) {
    let entries = log(entries);
    match try_learner(|| find_abusers(&entries, k, window_secs)) {
        Ok(actual) if actual == expected => {}
        Ok(actual) => panic!(
            "{} returned {actual:?}, expected {expected:?}: {why}",
            show_call(&entries, k, window_secs)
        ),
        Err(panicked) => panic!(
            "{} {panicked} (expected {expected:?}: {why})",
            show_call(&entries, k, window_secs)
        ),
    }
}

// ---------------------------------------------------------------------------------------
// The rules, one at a time.

#[test]
fn an_empty_log_has_no_abusers() {
    expect_abusers(&[], 0, 60, &[], "an empty log has no requests");
    expect_abusers(&[], 3, 60, &[], "an empty log has no requests");
}

#[test]
fn k_plus_one_requests_spanning_less_than_the_window_is_abuse() {
    expect_abusers(
        &[("alice", 0), ("alice", 30), ("alice", 59)],
        2,
        60,
        &["alice"],
        "3 requests from 0 to 59 span 59 s, so the window [0, 60) holds all 3, more than k = 2",
    );
}

#[test]
fn k_plus_one_requests_spanning_exactly_the_window_is_not_abuse() {
    expect_abusers(
        &[("alice", 0), ("alice", 30), ("alice", 60)],
        2,
        60,
        &[],
        "the window [t, t + 60) is half-open: [0, 60) holds 0 and 30 but not 60, so no \
         window holds all 3 requests",
    );
    expect_abusers(
        &[("alice", 100), ("alice", 101)],
        1,
        1,
        &[],
        "a 1 s window [t, t + 1) holds a single second: 100 and 101 never share one",
    );
}

#[test]
fn exactly_k_requests_in_a_window_is_within_the_limit() {
    expect_abusers(
        &[("alice", 10), ("alice", 11), ("alice", 12)],
        3,
        60,
        &[],
        "3 requests in a window are not more than k = 3",
    );
    expect_abusers(
        &[("alice", 10), ("alice", 11), ("alice", 12), ("alice", 13)],
        3,
        60,
        &["alice"],
        "4 requests in [10, 70) are more than k = 3",
    );
}

#[test]
fn the_window_may_start_at_any_time_not_only_the_first_request() {
    expect_abusers(
        &[("alice", 0), ("alice", 30), ("alice", 60), ("alice", 61)],
        2,
        60,
        &["alice"],
        "30, 60 and 61 all fall in the window [30, 90): 3 requests, more than k = 2",
    );
    expect_abusers(
        &[
            ("bob", 0),
            ("bob", 100),
            ("bob", 200),
            ("bob", 300),
            ("bob", 301),
        ],
        1,
        2,
        &["bob"],
        "300 and 301 both fall in the window [300, 302): 2 requests, more than k = 1",
    );
}

#[test]
fn a_burst_across_a_fixed_window_boundary_is_abuse() {
    expect_abusers(
        &[("alice", 8), ("alice", 9), ("alice", 10), ("alice", 11)],
        3,
        10,
        &["alice"],
        "the 4 requests span 3 s and all fall in the window [8, 18); windows slide, so it \
         does not matter that fixed buckets [0, 10) and [10, 20) would hold only 2 each",
    );
}

#[test]
fn entries_in_any_order_are_put_in_time_order_per_user() {
    expect_abusers(
        &[("bob", 9), ("alice", 5), ("bob", 1), ("bob", 5)],
        2,
        10,
        &["bob"],
        "bob's requests at 1, 5 and 9 span 8 s, less than 10; the log is not in time order",
    );
    expect_abusers(
        &[("dave", 0), ("dave", 50), ("dave", 1), ("dave", 51)],
        1,
        5,
        &["dave"],
        "in time order dave's requests are 0, 1, 50, 51: 0 and 1 fall in the window [0, 5)",
    );
    expect_abusers(
        &[("erin", 0), ("erin", 10), ("erin", 1)],
        2,
        5,
        &[],
        "in time order erin's requests are 0, 1, 10: all 3 span 10 s, so no 5 s window \
         holds more than 2",
    );
}

#[test]
fn equal_timestamps_count_as_separate_requests() {
    expect_abusers(
        &[("bob", 7), ("bob", 7), ("bob", 7)],
        2,
        1,
        &["bob"],
        "3 requests in the same second are 3 requests, and the window [7, 8) holds them all",
    );
    expect_abusers(
        &[("carol", 5), ("carol", 9), ("carol", 5)],
        2,
        5,
        &["carol"],
        "carol's requests at 5, 5 and 9 are 3 requests in the window [5, 10)",
    );
    expect_abusers(
        &[("dave", 3), ("dave", 3)],
        2,
        60,
        &[],
        "2 requests are not more than k = 2, even in the same second",
    );
}

#[test]
fn requests_of_different_users_are_never_added_up() {
    expect_abusers(
        &[("alice", 0), ("bob", 1), ("carol", 2)],
        2,
        60,
        &[],
        "3 users made 1 request each: every user has 1 request in any window, not 3",
    );
    expect_abusers(
        &[("Alice", 10), ("alice", 11), ("ALICE", 12)],
        1,
        60,
        &[],
        "user ids are compared exactly: \"Alice\", \"alice\" and \"ALICE\" are 3 users",
    );
}

#[test]
fn only_the_users_over_the_limit_are_reported() {
    expect_abusers(
        &[
            ("dave", 101),
            ("bob", 0),
            ("alice", 2),
            ("carol", 5),
            ("bob", 20),
            ("alice", 0),
            ("dave", 100),
            ("carol", 6),
            ("bob", 40),
            ("alice", 1),
            ("dave", 102),
        ],
        2,
        10,
        &["alice", "dave"],
        "alice (0, 1, 2) and dave (100, 101, 102) have 3 requests within 10 s; bob's 3 \
         span 40 s, and carol made only 2",
    );
    expect_abusers(
        &[("carol", 4), ("alice", 0), ("carol", 5), ("alice", 1)],
        1,
        5,
        &["alice", "carol"],
        "alice (0, 1) and carol (4, 5) each have 2 requests within 5 s",
    );
}

#[test]
fn each_abuser_is_listed_once() {
    expect_abusers(
        &[
            ("alice", 1),
            ("alice", 2),
            ("alice", 3),
            ("alice", 4),
            ("alice", 5),
        ],
        1,
        10,
        &["alice"],
        "alice exceeds the limit in many windows, but she is one abuser",
    );
    expect_abusers(
        &[
            ("bob", 0),
            ("bob", 1),
            ("bob", 500),
            ("bob", 501),
            ("bob", 502),
        ],
        1,
        10,
        &["bob"],
        "bob exceeds the limit in two separate bursts, but he is one abuser",
    );
}

#[test]
fn abusers_are_sorted_in_string_order() {
    let names = [
        "trudy", "mallory", "Zoe", "eve", "bob", "alice", "oscar", "Mallory", "carol", "_bot",
        "peggy", "victor", "walter", "dave",
    ];
    let mut entries = Vec::new();
    for round in 0..2u64 {
        for (i, name) in names.iter().enumerate() {
            entries.push((*name, 1000 * i as u64 + 7 * round));
        }
        entries.push(("sybil", 1000 * round));
    }
    let mut expected = names.to_vec();
    expected.sort_unstable();
    expect_abusers(
        &entries,
        1,
        15,
        &expected,
        "every user but sybil has 2 requests within 15 s; the result is sorted ascending \
         in String order (byte-wise: uppercase letters, then '_', then lowercase)",
    );
}

#[test]
fn k_zero_makes_any_single_request_abuse() {
    expect_abusers(
        &[("alice", 5)],
        0,
        1,
        &["alice"],
        "with k = 0 one request is more than the limit, and the window [5, 6) holds it",
    );
    expect_abusers(
        &[("bob", 0), ("alice", u64::MAX), ("bob", 3)],
        0,
        60,
        &["alice", "bob"],
        "with k = 0 every user with a request is an abuser when window_secs > 0",
    );
}

#[test]
fn a_zero_second_window_holds_nothing() {
    expect_abusers(
        &[("alice", 5), ("alice", 5), ("alice", 5)],
        1,
        0,
        &[],
        "the window [t, t + 0) is empty, so it never holds a request",
    );
    expect_abusers(
        &[("bob", 0), ("alice", 9), ("bob", 0)],
        0,
        0,
        &[],
        "the window [t, t + 0) is empty, so not even k = 0 is exceeded",
    );
}

#[test]
fn timestamps_near_u64_max_do_not_overflow() {
    expect_abusers(
        &[("dave", u64::MAX - 1), ("dave", u64::MAX)],
        1,
        2,
        &["dave"],
        "dave's 2 requests span 1 s, less than 2 (t + window_secs is past u64::MAX here)",
    );
    expect_abusers(
        &[("dave", u64::MAX), ("dave", u64::MAX - 5)],
        1,
        5,
        &[],
        "dave's 2 requests span exactly 5 s, and the window is half-open",
    );
    expect_abusers(
        &[("erin", u64::MAX), ("erin", u64::MAX), ("erin", u64::MAX)],
        2,
        1,
        &["erin"],
        "3 requests in the same second, the last second a u64 can hold",
    );
}

#[test]
fn a_window_of_u64_max_seconds_does_not_overflow() {
    expect_abusers(
        &[("alice", 0), ("alice", u64::MAX - 1)],
        1,
        u64::MAX,
        &["alice"],
        "the 2 requests span u64::MAX-1 s, less than window_secs = u64::MAX",
    );
    expect_abusers(
        &[("alice", u64::MAX), ("alice", 0)],
        1,
        u64::MAX,
        &[],
        "the 2 requests span exactly u64::MAX s, and the window is half-open",
    );
    expect_abusers(
        &[("bob", u64::MAX), ("carol", 7), ("bob", u64::MAX - 3)],
        1,
        u64::MAX,
        &["bob"],
        "bob's 2 requests span 3 s, less than window_secs = u64::MAX",
    );
}

#[test]
fn a_huge_k_is_never_exceeded() {
    expect_abusers(
        &[("alice", 1), ("alice", 1), ("alice", 1)],
        usize::MAX,
        60,
        &[],
        "nobody can make more than usize::MAX requests (and k + 1 would overflow)",
    );
    expect_abusers(
        &[("bob", 1), ("bob", 2)],
        usize::MAX - 1,
        u64::MAX,
        &[],
        "2 requests are far below k = usize::MAX-1",
    );
}

// ---------------------------------------------------------------------------------------
// Random logs against a brute-force reference.

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..bound` (`bound > 0`).
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// The definition, literally: some window starting at one of the user's requests holds
/// more than `k` of them (a window holding the most can always start at a request).
fn reference_abusers(entries: &[LogEntry], k: usize, window_secs: u64) -> Vec<String> {
    let mut abusers = BTreeSet::new();
    for start in entries {
        let inside = entries
            .iter()
            .filter(|e| e.user_id == start.user_id)
            .filter(|e| e.timestamp >= start.timestamp)
            .filter(|e| e.timestamp - start.timestamp < window_secs)
            .count();
        if inside > k {
            abusers.insert(start.user_id.clone());
        }
    }
    abusers.into_iter().collect()
}

fn random_case(rng: &mut SplitMix64) -> (Vec<LogEntry>, usize, u64) {
    const USERS: [&str; 4] = ["alice", "bob", "carol", "Dave"];
    let users = 1 + rng.below(USERS.len() as u64) as usize;
    let spread = [3, 10, 40][rng.below(3) as usize];
    let base = [0, 1_700_000_000, u64::MAX - spread][rng.below(3) as usize];
    let count = rng.below(11) as usize;
    let entries = (0..count)
        .map(|_| LogEntry {
            user_id: USERS[rng.below(users as u64) as usize].to_string(),
            timestamp: base + rng.below(spread + 1),
        })
        .collect();
    let k = rng.below(5) as usize;
    let window_secs = match rng.below(10) {
        0 => 0,
        1 => u64::MAX - rng.below(2),
        2 => 1,
        _ => 1 + rng.below(spread + 2),
    };
    (entries, k, window_secs)
}

/// Whether the learner's answer (or panic) differs from the reference.
fn mismatch(entries: &[LogEntry], k: usize, window_secs: u64) -> Option<String> {
    let expected = reference_abusers(entries, k, window_secs);
    match try_learner(|| find_abusers(entries, k, window_secs)) {
        Ok(actual) if actual == expected => None,
        Ok(actual) => Some(format!("returned {actual:?}, expected {expected:?}")),
        Err(panicked) => Some(format!("{panicked}, expected {expected:?}")),
    }
}

/// Drops entries one at a time while the answer stays wrong; returns the smallest
/// failing log found and how it failed.
fn shrink(
    mut entries: Vec<LogEntry>,
    k: usize,
    window_secs: u64,
    mut failure: String,
) -> (Vec<LogEntry>, String) {
    let mut i = 0;
    while i < entries.len() {
        let mut smaller = entries.clone();
        smaller.remove(i);
        match mismatch(&smaller, k, window_secs) {
            Some(smaller_failure) => (entries, failure) = (smaller, smaller_failure),
            None => i += 1,
        }
    }
    (entries, failure)
}

#[test]
fn random_logs_match_a_brute_force_reference() {
    const SEED: u64 = 0xAB05_E0DE_7EC7_0001;
    const CASES: u32 = 400;
    let mut rng = SplitMix64(SEED);
    for case in 0..CASES {
        let (entries, k, window_secs) = random_case(&mut rng);
        if let Some(failure) = mismatch(&entries, k, window_secs) {
            let (entries, failure) = shrink(entries, k, window_secs, failure);
            panic!(
                "{} {failure} (random case {case} of {CASES}, seed {SEED:#x}, with the \
                 entries that did not matter removed)",
                show_call(&entries, k, window_secs)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Complexity: compare times at two log sizes in the same run; only the ratio matters.

const START: u64 = 1_700_000_000;

/// A shuffled log of `size` entries: `busy` makes three quarters of them, one a second,
/// all within one window of `k = busy` seconds, so `busy` is exactly at the limit and
/// nothing can stop counting early; the rest are one request each from distinct users.
fn busy_log(size: usize, rng: &mut SplitMix64) -> (Vec<LogEntry>, usize, u64) {
    let busy = size * 3 / 4;
    let mut entries: Vec<LogEntry> = (0..size)
        .map(|i| LogEntry {
            user_id: if i < busy {
                "busy".to_string()
            } else {
                format!("user{i:05}")
            },
            timestamp: START + (i % busy) as u64,
        })
        .collect();
    rng.shuffle(&mut entries);
    (entries, busy, busy as u64)
}

fn describe_busy_log(size: usize) -> String {
    let busy = size * 3 / 4;
    format!(
        "find_abusers(log, k = {busy}, window_secs = {busy}) on a shuffled log of {size} \
         entries: busy@{START} to busy@{} ({busy} requests, one a second) and {} users \
         with one request each",
        START + busy as u64 - 1,
        size - busy
    )
}

/// The fastest of `repetitions` calls on the log.
fn fastest(log: &(Vec<LogEntry>, usize, u64), size: usize, repetitions: u32) -> Duration {
    let (entries, k, window_secs) = log;
    let mut best = Duration::MAX;
    for _ in 0..repetitions {
        let start = Instant::now();
        let result = try_learner(|| black_box(find_abusers(black_box(entries), *k, *window_secs)));
        let elapsed = start.elapsed();
        match result {
            Ok(abusers) if abusers.is_empty() => {}
            Ok(abusers) => panic!(
                "{} returned {abusers:?}, expected []: busy's {k} requests are not more \
                 than k = {k}, and nobody else made more than one",
                describe_busy_log(size)
            ),
            Err(panicked) => panic!("{} {panicked}", describe_busy_log(size)),
        }
        best = best.min(elapsed);
    }
    best
}

#[test]
fn running_time_grows_like_n_log_n_not_like_n_squared() {
    // Logs 16x apart in size. O(n log n) measures about 16x to 30x (hashing or comparing
    // user ids, a sort, caches); counting each entry's window by scanning the log, or the
    // user's requests, is O(n^2) and measures 100x or more. The limit sits between,
    // geometrically. Each round times one call on the large log and four on the small
    // one, and the ratio uses the best time seen at each size so far. A solution passes
    // once the ratio is under the limit after at least MIN_ROUNDS rounds; it fails if it
    // is still over after MAX_ROUNDS rounds, or after BUDGET when calls are slow (then
    // there are already many small samples, so a busy machine cannot fake a pass).
    const SMALL: usize = 256;
    const LARGE: usize = 4096;
    const MIN_ROUNDS: u32 = 3;
    const MAX_ROUNDS: u32 = 16;
    const BUDGET: Duration = Duration::from_millis(1000);
    const LIMIT: f64 = 60.0;
    let mut rng = SplitMix64(0x5EED_AB05E);
    let small = busy_log(SMALL, &mut rng);
    let large = busy_log(LARGE, &mut rng);
    let began = Instant::now();
    let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
    let mut rounds = 0;
    let mut ratio = f64::INFINITY;
    while rounds < MAX_ROUNDS {
        t_small = t_small.min(fastest(&small, SMALL, 4));
        t_large = t_large.min(fastest(&large, LARGE, 1));
        rounds += 1;
        ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
        if rounds >= MIN_ROUNDS && (ratio <= LIMIT || began.elapsed() > BUDGET) {
            break;
        }
    }
    if ratio > LIMIT {
        panic!(
            "find_abusers took {ratio:.0}x as long on a log of {LARGE} entries as on one of \
             {SMALL} (16x more; the best of {rounds} calls on the large log against the best of {} \
             on the small one), expected at most {LIMIT}x: O(n log n) measures about 20x \
             here, while counting each entry's window by scanning the log or the user's \
             requests is O(n^2), about 256x. The large log: {}",
            rounds * 4,
            describe_busy_log(LARGE)
        );
    }
}
