use super::ttl_cache::TtlCache;
use crate::kit::{SplitMix64, learner, try_learner};

use std::cell::Cell;
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
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

fn show_capacity(capacity: usize) -> String {
    if capacity == usize::MAX {
        "usize::MAX".to_string()
    } else {
        capacity.to_string()
    }
}

/// "after TtlCache::new(2), put(...) -> None, ...: " (the last calls only).
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

/// Drives one cache through scripted calls; a failure message lists the calls before it.
struct Probe<K, V> {
    cache: TtlCache<K, V>,
    calls: Vec<String>,
}

impl<K, V> Probe<K, V>
where
    K: Hash + Eq + Clone + Debug,
    V: Clone + Debug + PartialEq,
{
    fn new(capacity: usize) -> Self {
        let call = format!("TtlCache::new({})", show_capacity(capacity));
        let cache = learner(|| call.clone(), || TtlCache::new(capacity));
        Probe {
            cache,
            calls: vec![call],
        }
    }

    /// Calls `put(key, value, ttl_ms, now_ms)`; `why` explains the expected answer.
    fn put(
        &mut self,
        key: K,
        value: V,
        ttl_ms: u64,
        now_ms: u64,
        expected: Option<(K, V)>,
        why: &str,
    ) {
        let call = format!(
            "put({key:?}, {value:?}, {}, {})",
            show_u64(ttl_ms),
            show_u64(now_ms)
        );
        let (cache, calls) = (&mut self.cache, &self.calls);
        let got = match try_learner(|| cache.put(key, value, ttl_ms, now_ms)) {
            Ok(got) => got,
            Err(panicked) => panic!(
                "{}{call} {panicked} (expected {expected:?}: {why})",
                context(calls)
            ),
        };
        if got != expected {
            panic!(
                "{}{call} returned {got:?}, expected {expected:?}: {why}",
                context(&self.calls)
            );
        }
        self.calls.push(format!("{call} -> {got:?}"));
    }

    /// Calls `get(&key, now_ms)`; `why` explains the expected answer.
    fn get(&mut self, key: K, now_ms: u64, expected: Option<V>, why: &str) {
        let call = format!("get(&{key:?}, {})", show_u64(now_ms));
        let (cache, calls) = (&mut self.cache, &self.calls);
        let got = match try_learner(|| cache.get(&key, now_ms).cloned()) {
            Ok(got) => got,
            Err(panicked) => panic!(
                "{}{call} {panicked} (expected {expected:?}: {why})",
                context(calls)
            ),
        };
        if got != expected {
            panic!(
                "{}{call} returned {got:?}, expected {expected:?}: {why}",
                context(&self.calls)
            );
        }
        self.calls.push(format!("{call} -> {got:?}"));
    }

    /// Checks `len()` and `is_empty()`; `why` explains the expected count.
    fn len(&self, expected: usize, why: &str) {
        let cache = &self.cache;
        let got = learner(|| format!("{}len()", context(&self.calls)), || cache.len());
        if got != expected {
            panic!(
                "{}len() returned {got}, expected {expected}: {why}",
                context(&self.calls)
            );
        }
        let empty = learner(
            || format!("{}is_empty()", context(&self.calls)),
            || cache.is_empty(),
        );
        if empty != (expected == 0) {
            panic!(
                "{}is_empty() returned {empty}, expected {}: {why}",
                context(&self.calls),
                expected == 0
            );
        }
    }

    fn capacity(&self, expected: usize) {
        let cache = &self.cache;
        let got = learner(
            || format!("{}capacity()", context(&self.calls)),
            || cache.capacity(),
        );
        if got != expected {
            panic!(
                "{}capacity() returned {}, expected {}",
                context(&self.calls),
                show_capacity(got),
                show_capacity(expected)
            );
        }
    }
}

const LONG: u64 = 1_000_000;

// ---------------------------------------------------------------------------------------
// Scripted behaviour.

#[test]
fn capacity_len_and_is_empty_report_the_state() {
    let mut c = Probe::new(3);
    c.capacity(3);
    c.len(0, "a new cache is empty");
    c.put(1, 'a', LONG, 0, None, "room for a new entry");
    c.len(1, "one live entry");
    c.put(2, 'b', LONG, 1, None, "room for a new entry");
    c.put(3, 'c', LONG, 2, None, "room for a new entry");
    c.len(3, "three live entries");
    c.put(
        4,
        'd',
        LONG,
        3,
        Some((1, 'a')),
        "full: 1 is the least recently used",
    );
    c.len(3, "still full");
    c.capacity(3);
}

#[test]
fn an_entry_is_live_until_exactly_ttl_ms_after_its_put() {
    let mut c = Probe::new(4);
    c.put("a", 1, 1_000, 0, None, "room for a new entry");
    c.put("b", 2, 1, 500, None, "room for a new entry");
    c.get("b", 500, Some(2), "b is live during [500, 501)");
    c.get("b", 501, None, "b expired at 500 + 1 = 501");
    c.get("a", 999, Some(1), "a is live during [0, 1000)");
    c.get(
        "a",
        1_000,
        None,
        "a expired at 0 + 1000 = 1000: the interval [0, 1000) is half-open",
    );
    c.len(0, "both entries expired");
}

#[test]
fn get_does_not_extend_the_ttl() {
    let mut c = Probe::new(4);
    c.put("flag", true, 5_000, 10_000, None, "room for a new entry");
    c.get("flag", 11_000, Some(true), "live during [10000, 15000)");
    c.get("flag", 14_000, Some(true), "live during [10000, 15000)");
    c.get(
        "flag",
        15_000,
        None,
        "expired at 15000: reads do not extend the life an entry got from put",
    );
}

#[test]
fn put_of_a_live_key_replaces_the_value_and_restarts_its_ttl() {
    let mut c = Probe::new(2);
    c.put("k", 1, 1_000, 0, None, "room for a new entry");
    c.put("k", 2, 1_000, 600, None, "k is live: its value is replaced");
    c.len(1, "an update adds no entry");
    c.get(
        "k",
        1_500,
        Some(2),
        "the update at 600 made k live during [600, 1600), whatever the first put said",
    );
    c.get("k", 1_600, None, "k expired at 600 + 1000 = 1600");
    c.put("j", 3, 10_000, 2_000, None, "room for a new entry");
    c.put(
        "j",
        4,
        100,
        2_050,
        None,
        "j is live: its value is replaced, with a shorter ttl",
    );
    c.get(
        "j",
        2_150,
        None,
        "the update at 2050 with ttl 100 made j expire at 2150, sooner than before",
    );
}

#[test]
fn put_of_a_live_key_in_a_full_cache_evicts_nothing() {
    let mut c = Probe::new(2);
    c.put("a", 1, LONG, 0, None, "room for a new entry");
    c.put("b", 2, LONG, 1, None, "room for a new entry");
    c.put(
        "a",
        10,
        LONG,
        2,
        None,
        "a is live: an update, not a new entry",
    );
    c.put(
        "b",
        20,
        LONG,
        3,
        None,
        "b is live: an update, not a new entry",
    );
    c.len(2, "two live entries");
    c.get("a", 4, Some(10), "a was updated at 2");
    c.get("b", 5, Some(20), "b was updated at 3");
}

#[test]
fn get_of_a_hit_makes_the_key_most_recent() {
    let mut c = Probe::new(2);
    c.put(1, "one", LONG, 0, None, "room for a new entry");
    c.put(2, "two", LONG, 1, None, "room for a new entry");
    c.get(1, 2, Some("one"), "1 is live");
    c.put(
        3,
        "three",
        LONG,
        3,
        Some((2, "two")),
        "full: the get made 1 the most recent, so 2 is the least recently used",
    );
    c.get(1, 4, Some("one"), "1 was not evicted");
}

#[test]
fn put_of_a_live_key_makes_it_most_recent() {
    let mut c = Probe::new(2);
    c.put(1, "one", LONG, 0, None, "room for a new entry");
    c.put(2, "two", LONG, 1, None, "room for a new entry");
    c.put(1, "uno", LONG, 2, None, "1 is live: an update");
    c.put(
        3,
        "three",
        LONG,
        3,
        Some((2, "two")),
        "full: the update made 1 the most recent, so 2 is the least recently used",
    );
}

#[test]
fn a_full_cache_evicts_the_least_recently_used_entry_not_the_soonest_to_expire() {
    let mut c = Probe::new(3);
    c.put("session", 1, 60_000, 0, None, "room for a new entry");
    c.put("token", 2, 500, 10, None, "room for a new entry");
    c.put("profile", 3, 30_000, 20, None, "room for a new entry");
    c.put(
        "flag",
        4,
        5_000,
        30,
        Some(("session", 1)),
        "full: session is the least recently used, although token expires first",
    );
    c.get("token", 40, Some(2), "token is live until 510");
    c.put(
        "avatar",
        5,
        60_000,
        50,
        Some(("profile", 3)),
        "full: the get made token recent, so profile is the least recently used",
    );
}

#[test]
fn expired_entries_do_not_count_toward_the_capacity() {
    // The least recently used entry expires: a new entry takes its room, no eviction.
    let mut c = Probe::new(2);
    c.put("a", 1, 1_000, 0, None, "room for a new entry");
    c.put("b", 2, LONG, 10, None, "room for a new entry");
    c.put(
        "c",
        3,
        LONG,
        1_000,
        None,
        "a expired at 1000 and is removed first, so there is room: nothing is evicted, \
         and an expired entry is never reported as evicted",
    );
    c.len(2, "b and c are live");
    c.get("a", 1_001, None, "a expired at 1000");
    // A more recent entry expires: the least recently used live entry stays.
    let mut c = Probe::new(2);
    c.put("x", 1, LONG, 0, None, "room for a new entry");
    c.put("y", 2, 100, 10, None, "room for a new entry");
    c.put(
        "z",
        3,
        LONG,
        200,
        None,
        "y expired at 110 and is removed first, so there is room: x, the least recently \
         used, is not evicted",
    );
    c.get("x", 201, Some(1), "x was not evicted");
    c.get("z", 202, Some(3), "z was stored");
}

#[test]
fn expired_entries_are_removed_by_any_get_or_put() {
    let mut c = Probe::new(10);
    c.put(1, 'a', 100, 0, None, "room for a new entry");
    c.put(2, 'b', 200, 0, None, "room for a new entry");
    c.put(3, 'c', 300, 0, None, "room for a new entry");
    c.len(3, "three live entries at 0");
    c.get(9, 150, None, "9 was never put");
    c.len(
        2,
        "at 150 (the latest call) 1 has expired: 2 and 3 are live",
    );
    c.put(4, 'd', 1_000, 250, None, "room for a new entry");
    c.len(2, "at 250, 2 has expired as well: 3 and 4 are live");
    c.get(4, 5_000, None, "everything expired");
    c.len(0, "at 5000 every entry has expired");
}

#[test]
fn get_of_a_missing_or_expired_key_changes_nothing() {
    let mut c = Probe::new(2);
    c.put(1, 'a', LONG, 0, None, "room for a new entry");
    c.put(2, 'b', LONG, 1, None, "room for a new entry");
    c.get(7, 2, None, "7 was never put");
    c.get(7, 3, None, "7 was never put");
    c.put(
        3,
        'c',
        LONG,
        4,
        Some((1, 'a')),
        "full: a miss changes no recency, so 1 is still the least recently used",
    );
}

#[test]
fn the_example_of_the_statement() {
    let mut c = Probe::new(2);
    c.put("a", 1, 1_000, 0, None, "room for a new entry");
    c.put("b", 2, 5_000, 100, None, "room for a new entry");
    c.get("a", 999, Some(1), "a is live during [0, 1000)");
    c.get("a", 1_000, None, "a expired at 1000");
    c.len(1, "only b is live");
    c.put("c", 3, 5_000, 1_100, None, "a is gone: room for c");
    c.put(
        "d",
        4,
        5_000,
        1_200,
        Some(("b", 2)),
        "full: b is the least recently used",
    );
    c.put(
        "c",
        30,
        100,
        1_300,
        None,
        "c is live: an update, live until 1400",
    );
    c.get("c", 1_400, None, "c expired at 1300 + 100 = 1400");
    c.put("e", 5, 0, 1_500, Some(("e", 5)), "ttl 0: not stored");
    c.len(1, "only d is live");
}

#[test]
fn a_zero_ttl_stores_nothing_and_removes_the_outdated_entry() {
    let mut c = Probe::new(3);
    c.put(
        "k",
        1,
        0,
        10,
        Some(("k", 1)),
        "ttl 0: expired at once, so not stored",
    );
    c.len(0, "nothing was stored");
    c.get("k", 10, None, "nothing was stored");
    c.put("j", 2, LONG, 20, None, "room for a new entry");
    c.put(
        "j",
        3,
        0,
        30,
        Some(("j", 3)),
        "ttl 0: the new value is not stored",
    );
    c.get(
        "j",
        30,
        None,
        "the put of 3 with ttl 0 made the old value 2 outdated: it must not be served",
    );
    c.len(0, "j's outdated entry was removed");
}

#[test]
fn capacity_zero_stores_nothing_and_returns_the_given_entry() {
    let mut c = Probe::new(0);
    c.capacity(0);
    c.put(
        1,
        "one",
        LONG,
        0,
        Some((1, "one")),
        "capacity 0 stores nothing",
    );
    c.len(0, "capacity 0 stores nothing");
    c.get(1, 1, None, "capacity 0 stores nothing");
    c.put(
        1,
        "uno",
        LONG,
        2,
        Some((1, "uno")),
        "capacity 0 stores nothing",
    );
}

#[test]
fn huge_ttls_and_times_near_u64_max_do_not_overflow() {
    let end = u64::MAX;
    let mut c = Probe::new(4);
    c.put("zero", 1, u64::MAX, 0, None, "room for a new entry");
    c.put("forever", 2, u64::MAX, 5, None, "room for a new entry");
    c.put("late", 3, 10, end - 6, None, "room for a new entry");
    c.put("edge", 4, 6, end - 6, None, "room for a new entry");
    c.get(
        "late",
        end,
        Some(3),
        "put at u64::MAX-6 with ttl 10, late is live until u64::MAX+4, beyond any time \
         (computing now_ms + ttl_ms in u64 overflows, and saturating it to u64::MAX would \
         expire it too soon)",
    );
    c.get(
        "forever",
        end,
        Some(2),
        "put at 5 with ttl u64::MAX, forever is live until 5 + u64::MAX, beyond any time",
    );
    c.get(
        "edge",
        end,
        None,
        "put at u64::MAX-6 with ttl 6, edge expired at exactly u64::MAX",
    );
    c.get(
        "zero",
        end,
        None,
        "put at 0 with ttl u64::MAX, zero expired at exactly u64::MAX",
    );
    c.len(2, "late and forever are live at u64::MAX");
}

#[test]
fn new_with_usize_max_is_an_unbounded_cache() {
    const N: u64 = 300;
    let mut c = Probe::new(usize::MAX);
    c.capacity(usize::MAX);
    let outcome = learner(
        || format!("TtlCache::new(usize::MAX), then put(k, k, 1000000, k) for k in 0..{N}"),
        || {
            for k in 0..N {
                let evicted = c.cache.put(k, k, LONG, k);
                if evicted.is_some() {
                    return Err(format!(
                        "TtlCache::new(usize::MAX), then put(k, k, 1000000, k) for k in \
                         0..{k}: put({k}, {k}, 1000000, {k}) returned {evicted:?}, expected \
                         None (nothing is evicted from an unbounded cache)"
                    ));
                }
            }
            Ok(c.cache.len())
        },
    );
    match outcome {
        Ok(len) => expect_eq!(
            len,
            N as usize,
            "TtlCache::new(usize::MAX), then put(k, k, 1000000, k) for k in 0..{N}, then len()"
        ),
        Err(message) => panic!("{message}"),
    }
}

// ---------------------------------------------------------------------------------------
// Random operations against a simple model.

#[derive(Clone, Copy)]
enum Op {
    Get(u8, u64),
    Put(u8, u16, u64, u64),
}

impl Op {
    fn show(self) -> String {
        match self {
            Op::Get(k, now) => format!("get(&{k}, {})", show_u64(now)),
            Op::Put(k, v, ttl, now) => {
                format!("put({k}, {v}, {}, {})", show_u64(ttl), show_u64(now))
            }
        }
    }
}

/// The rules, literally: live entries in recency order (least recent first), expired
/// ones dropped by a scan at every call.
struct Model {
    capacity: usize,
    entries: Vec<(u8, u16, u128)>,
}

impl Model {
    fn drop_expired(&mut self, now: u64) {
        self.entries
            .retain(|&(_, _, expires_at)| u128::from(now) < expires_at);
    }

    fn get(&mut self, key: u8, now: u64) -> Option<u16> {
        self.drop_expired(now);
        let at = self.entries.iter().position(|e| e.0 == key)?;
        let entry = self.entries.remove(at);
        self.entries.push(entry);
        Some(entry.1)
    }

    fn put(&mut self, key: u8, value: u16, ttl: u64, now: u64) -> Option<(u8, u16)> {
        self.drop_expired(now);
        if self.capacity == 0 {
            return Some((key, value));
        }
        let at = self.entries.iter().position(|e| e.0 == key);
        if ttl == 0 {
            if let Some(at) = at {
                self.entries.remove(at);
            }
            return Some((key, value));
        }
        let expires_at = u128::from(now) + u128::from(ttl);
        if let Some(at) = at {
            self.entries.remove(at);
            self.entries.push((key, value, expires_at));
            return None;
        }
        let evicted = if self.entries.len() == self.capacity {
            let (k, v, _) = self.entries.remove(0);
            Some((k, v))
        } else {
            None
        };
        self.entries.push((key, value, expires_at));
        evicted
    }
}

/// Replays `ops` on a new cache and the model: the index of the first wrong answer and
/// what went wrong.
fn first_mismatch(capacity: usize, ops: &[Op]) -> Option<(usize, String)> {
    let step = Cell::new(usize::MAX);
    let replay = try_learner(|| {
        let mut cache = TtlCache::new(capacity);
        let mut model = Model {
            capacity,
            entries: Vec::new(),
        };
        for (i, &op) in ops.iter().enumerate() {
            step.set(i);
            let (got, expected) = match op {
                Op::Get(k, now) => (
                    format!("{:?}", cache.get(&k, now).copied()),
                    format!("{:?}", model.get(k, now)),
                ),
                Op::Put(k, v, ttl, now) => (
                    format!("{:?}", cache.put(k, v, ttl, now)),
                    format!("{:?}", model.put(k, v, ttl, now)),
                ),
            };
            if got != expected {
                return Some((
                    i,
                    format!("{} returned {got}, expected {expected}", op.show()),
                ));
            }
            let (got_len, expected_len) = (cache.len(), model.entries.len());
            if got_len != expected_len {
                return Some((
                    i,
                    format!(
                        "{} -> {got}, then len() returned {got_len}, expected {expected_len}",
                        op.show()
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
            format!("TtlCache::new({}) {panicked}", show_capacity(capacity)),
        )),
        Err(panicked) => {
            let i = step.get();
            Some((i, format!("{} {panicked}", ops[i].show())))
        }
    }
}

/// Drops calls while the replay still goes wrong (times stay in order), for a short
/// failing sequence.
fn shrink(capacity: usize, ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| first_mismatch(capacity, ops).map(|(at, _)| at))
}

#[test]
fn random_operations_match_a_reference_model() {
    const OPS: usize = 200;
    for seed in 0x77_1C_0001u64..=0x77_1C_0010 {
        let mut rng = SplitMix64(seed);
        let capacity = rng.below(6) as usize;
        let keys = capacity as u64 + 1 + rng.below(5);
        let mut now = match rng.below(3) {
            0 => 0,
            1 => 1_700_000_000_000,
            _ => u64::MAX - 800,
        };
        let ops: Vec<Op> = (0..OPS)
            .map(|_| {
                now += rng.below(7).saturating_sub(3);
                let key = rng.below(keys) as u8;
                if rng.below(5) < 2 {
                    Op::Get(key, now)
                } else {
                    let ttl = match rng.below(12) {
                        0 => 0,
                        1 => u64::MAX - rng.below(2),
                        2 => 1,
                        _ => 2 + rng.below(25),
                    };
                    Op::Put(key, rng.below(1000) as u16, ttl, now)
                }
            })
            .collect();
        if let Some((at, _)) = first_mismatch(capacity, &ops) {
            let failing = shrink(capacity, ops[..=at].to_vec());
            let (last, why) =
                first_mismatch(capacity, &failing).expect("a shrunk sequence still fails");
            let before: Vec<String> = failing[..last].iter().map(|op| op.show()).collect();
            panic!(
                "random operations (seed {seed:#x}), shrunk to: TtlCache::new({capacity}){}{}; \
                 then {why}",
                if before.is_empty() { "" } else { ", " },
                before.join(", ")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// O(1) work on keys: count the key's Hash/Eq/Clone calls.

thread_local! {
    static HASH_CALLS: Cell<u64> = const { Cell::new(0) };
    static EQ_CALLS: Cell<u64> = const { Cell::new(0) };
    static CLONE_CALLS: Cell<u64> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<u64>>) {
    counter.with(|c| c.set(c.get() + 1));
}

/// A key that counts how often the cache hashes, compares and clones it.
#[derive(Debug)]
struct CountedKey(u64);

impl Hash for CountedKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        bump(&HASH_CALLS);
        self.0.hash(state);
    }
}

impl PartialEq for CountedKey {
    fn eq(&self, other: &Self) -> bool {
        bump(&EQ_CALLS);
        self.0 == other.0
    }
}

impl Eq for CountedKey {}

impl Clone for CountedKey {
    fn clone(&self) -> Self {
        bump(&CLONE_CALLS);
        CountedKey(self.0)
    }
}

fn key_calls() -> [u64; 3] {
    [
        HASH_CALLS.with(Cell::get),
        EQ_CALLS.with(Cell::get),
        CLONE_CALLS.with(Cell::get),
    ]
}

const KEY_METHODS: [&str; 3] = ["Hash::hash", "Eq::eq", "Clone::clone"];
const PHASES: [&str; 5] = [
    "get of a live key",
    "get of a missing key",
    "put of a live key (update)",
    "put of a new key into a full cache (eviction)",
    "put of a new key while the oldest entry expires",
];

/// Average key-method calls per operation, for each phase, with `size` cached keys.
fn key_calls_per_operation(size: u64) -> [[f64; 3]; 5] {
    // Hits and updates in a shuffled order, so a scan would not find its key at once.
    let mut rng = SplitMix64(size);
    let mut shuffled: Vec<u64> = (0..size).collect();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let fill = |ttl: u64| {
        learner(
            || format!("TtlCache::new({size}), then put(k, k, {ttl}, k) for k in 0..{size}"),
            || {
                let mut cache = TtlCache::new(size as usize);
                for k in 0..size {
                    black_box(cache.put(CountedKey(k), k, ttl, k));
                }
                cache
            },
        )
    };
    // Entries that never expire during the first four phases...
    let mut cache: TtlCache<CountedKey, u64> = fill(LONG);
    // ...and entries put at k that live `size` ms, so one expires every ms from `size` on.
    let mut expiring: TtlCache<CountedKey, u64> = fill(size);
    let mut result = [[0.0; 3]; 5];
    for (phase, name) in PHASES.iter().enumerate() {
        let before = key_calls();
        learner(
            || format!("with {size} cached keys, a {name}"),
            || {
                for (i, &k) in shuffled.iter().enumerate() {
                    let k_updated = shuffled[shuffled.len() - 1 - i];
                    // Time moves on across phases; `expiring` has its own clock.
                    let now = size * (phase as u64 + 1) + i as u64;
                    let now_expiring = size + i as u64;
                    match phase {
                        0 => drop(black_box(cache.get(&CountedKey(k), now))),
                        1 => drop(black_box(cache.get(&CountedKey(size * 10 + k), now))),
                        2 => drop(black_box(cache.put(CountedKey(k_updated), k, LONG, now))),
                        3 => drop(black_box(cache.put(CountedKey(size + k), k, LONG, now))),
                        _ => drop(black_box(expiring.put(
                            CountedKey(size + k),
                            k,
                            size,
                            now_expiring,
                        ))),
                    }
                }
            },
        );
        let after = key_calls();
        for m in 0..3 {
            result[phase][m] = (after[m] - before[m]) as f64 / size as f64;
        }
    }
    result
}

#[test]
fn key_hash_eq_and_clone_calls_per_operation_do_not_grow_with_the_cache() {
    const SMALL: u64 = 64;
    const LARGE: u64 = 512;
    let small = key_calls_per_operation(SMALL);
    let large = key_calls_per_operation(LARGE);
    for (phase, name) in PHASES.iter().enumerate() {
        for (m, method) in KEY_METHODS.iter().enumerate() {
            let (s, l) = (small[phase][m], large[phase][m]);
            assert!(
                l <= 2.0 * s + 2.0,
                "with {LARGE} cached keys, a {name} made {l:.1} {method} calls on keys on \
                 average, against {s:.1} with {SMALL} cached keys: get and put must do O(1) \
                 work on keys, the same whatever the cache size (no scan over the entries)"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// O(log n): compare times at two cache sizes, in the same run.

/// A cache of capacity `size` holding `size` entries put at k with ttl `size`, so that
/// from time `size` on exactly one entry expires every millisecond.
fn expiring_cache(size: u64) -> (TtlCache<u64, u64>, u64) {
    learner(
        || format!("TtlCache::new({size}), then put(k, k, {size}, k) for k in 0..{size}"),
        || {
            let mut cache = TtlCache::new(size as usize);
            for k in 0..size {
                black_box(cache.put(k, k, size, k));
            }
            (cache, size)
        },
    )
}

/// Time of `count` rounds of "one ms later (one entry expires), put a new key, get the
/// previous one".
fn time_rounds(cache: &mut TtlCache<u64, u64>, size: u64, next: &mut u64, count: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..count {
        let t = *next;
        *next += 1;
        black_box(cache.put(t, t, size, t));
        black_box(cache.get(&(t - 1), t));
    }
    start.elapsed()
}

#[test]
fn operation_time_does_not_grow_like_the_cache_size() {
    // Same run, min of interleaved repetitions, 16x apart; only the ratio matters. O(log n)
    // measures about 1x to 1.5x; scanning the entries for expired ones (or for the least
    // recently used one) measures 8x or more. A correct cache must pass one of three
    // attempts; a scan fails all three.
    const SMALL: u64 = 128;
    const LARGE: u64 = 2048;
    const ROUNDS: u32 = 150;
    const REPETITIONS: u32 = 5;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 3.5;
    let (mut small, mut small_next) = expiring_cache(SMALL);
    let (mut large, mut large_next) = expiring_cache(LARGE);
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || format!("put and get on a full TtlCache::new({LARGE}) whose entries expire"),
            || {
                for _ in 0..REPETITIONS {
                    let t = time_rounds(&mut small, SMALL, &mut small_next, ROUNDS);
                    t_small = t_small.min(t);
                    let t = time_rounds(&mut large, LARGE, &mut large_next, ROUNDS);
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
        "{ROUNDS} rounds of put(new key, ttl n) + get(previous key), one ms apart so that one \
         entry expires each round, took {} as long with n = {LARGE} entries as with \
         n = {SMALL} (best of {REPETITIONS}, in {ATTEMPTS} attempts), expected at most \
         {LIMIT}x: get and put must be O(log n); find the expired entries through an order \
         by expiry time, not by scanning every entry",
        ratios.join(", ")
    );
}
