use super::lru_cache::LruCache;
use crate::kit::{SplitMix64, bytes_requested, learner};

use std::cell::Cell;
use std::fmt::{self, Debug, Display};
use std::hash::{Hash, Hasher};
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

fn capacity_text(capacity: usize) -> String {
    if capacity == usize::MAX {
        "usize::MAX".to_string()
    } else {
        capacity.to_string()
    }
}

fn context(calls: &[String], call: &str) -> String {
    format!("after {}: {call}", calls.join(", "))
}

/// Drives one cache through scripted calls; a failure message lists every call before it.
struct Probe<K, V> {
    cache: LruCache<K, V>,
    calls: Vec<String>,
}

impl<K, V> Probe<K, V>
where
    K: Hash + Eq + Clone + Debug,
    V: Clone + Debug + PartialEq,
{
    fn new(capacity: usize) -> Self {
        let call = format!("LruCache::new({})", capacity_text(capacity));
        let cache = learner(
            || {
                if capacity == usize::MAX {
                    format!("{call} (a limit, not an amount to reserve)")
                } else {
                    call.clone()
                }
            },
            || LruCache::new(capacity),
        );
        Probe {
            cache,
            calls: vec![call],
        }
    }

    fn context(&self, call: &str) -> String {
        context(&self.calls, call)
    }

    fn put(&mut self, key: K, value: V, expected: Option<(K, V)>) {
        let call = format!("put({key:?}, {value:?})");
        let (cache, calls) = (&mut self.cache, &self.calls);
        let got = learner(|| context(calls, &call), || cache.put(key, value));
        if got != expected {
            panic!(
                "{} returned {got:?}, expected {expected:?}",
                self.context(&call)
            );
        }
        self.calls.push(call);
    }

    fn get(&mut self, key: K, expected: Option<V>) {
        let call = format!("get(&{key:?})");
        let (cache, calls) = (&mut self.cache, &self.calls);
        let got = learner(|| context(calls, &call), || cache.get(&key).cloned());
        if got != expected {
            panic!(
                "{} returned {got:?}, expected {expected:?}",
                self.context(&call)
            );
        }
        self.calls.push(call);
    }

    fn len(&mut self, expected: usize) {
        let cache = &self.cache;
        let got = learner(|| self.context("len()"), || cache.len());
        if got != expected {
            panic!(
                "{} returned {got}, expected {expected}",
                self.context("len()")
            );
        }
    }

    fn is_empty(&mut self, expected: bool) {
        let cache = &self.cache;
        let got = learner(|| self.context("is_empty()"), || cache.is_empty());
        if got != expected {
            panic!(
                "{} returned {got}, expected {expected}",
                self.context("is_empty()")
            );
        }
    }

    fn capacity(&mut self, expected: usize) {
        let cache = &self.cache;
        let got = learner(|| self.context("capacity()"), || cache.capacity());
        if got != expected {
            panic!(
                "{} returned {}, expected {}",
                self.context("capacity()"),
                capacity_text(got),
                capacity_text(expected)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Scripted behaviour.

#[test]
fn capacity_len_and_is_empty_report_the_state() {
    let mut c = Probe::new(3);
    c.capacity(3);
    c.len(0);
    c.is_empty(true);
    c.put(1, 'a', None);
    c.len(1);
    c.is_empty(false);
    c.put(2, 'b', None);
    c.put(3, 'c', None);
    c.len(3);
    c.put(4, 'd', Some((1, 'a')));
    c.len(3);
    c.is_empty(false);
    c.capacity(3);
}

#[test]
fn get_of_a_hit_makes_the_key_most_recent() {
    let mut c = Probe::new(2);
    c.put(1, "one", None);
    c.put(2, "two", None);
    c.get(1, Some("one"));
    c.put(3, "three", Some((2, "two")));
    c.get(1, Some("one"));
    c.get(2, None);
    c.get(3, Some("three"));
}

#[test]
fn put_of_an_existing_key_makes_it_most_recent() {
    let mut c = Probe::new(2);
    c.put(1, "one", None);
    c.put(2, "two", None);
    c.put(1, "uno", None);
    c.put(3, "three", Some((2, "two")));
    c.get(1, Some("uno"));
    c.get(3, Some("three"));
}

#[test]
fn put_of_an_existing_key_replaces_the_value_returns_none_and_keeps_len() {
    let mut c = Probe::new(2);
    c.put("k", 1, None);
    c.put("k", 2, None);
    c.len(1);
    c.get("k", Some(2));
    c.put("j", 3, None);
    c.len(2);
    // A full cache: updating must not evict anything.
    c.put("k", 4, None);
    c.put("j", 5, None);
    c.len(2);
    c.get("k", Some(4));
    c.get("j", Some(5));
}

#[test]
fn put_into_a_full_cache_returns_the_evicted_key_and_value() {
    let mut c = Probe::new(2);
    c.put(String::from("user:1"), String::from("Ada"), None);
    c.put(String::from("user:2"), String::from("Grace"), None);
    c.put(
        String::from("user:3"),
        String::from("Linus"),
        Some((String::from("user:1"), String::from("Ada"))),
    );
    c.put(
        String::from("user:1"),
        String::from("Ada"),
        Some((String::from("user:2"), String::from("Grace"))),
    );
    c.get(String::from("user:2"), None);
    c.len(2);
}

#[test]
fn evicts_in_least_recently_used_order_over_a_longer_sequence() {
    let mut c = Probe::new(3);
    c.put(1, 10, None);
    c.put(2, 20, None);
    c.put(3, 30, None); // recency, least first: 1 2 3
    c.get(1, Some(10)); // 2 3 1
    c.put(4, 40, Some((2, 20))); // 3 1 4
    c.get(3, Some(30)); // 1 4 3
    c.put(5, 50, Some((1, 10))); // 4 3 5
    c.put(4, 41, None); // 3 5 4
    c.put(6, 60, Some((3, 30))); // 5 4 6
    c.get(5, Some(50)); // 4 6 5
    c.put(7, 70, Some((4, 41))); // 6 5 7
    c.put(8, 80, Some((6, 60))); // 5 7 8
    c.put(9, 90, Some((5, 50))); // 7 8 9
    c.get(7, Some(70)); // 8 9 7
    c.get(8, Some(80)); // 9 7 8
    c.put(10, 100, Some((9, 90))); // 7 8 10
    c.len(3);
}

#[test]
fn get_of_a_missing_key_returns_none_and_changes_nothing() {
    let mut c = Probe::new(2);
    c.get(7, None);
    c.len(0);
    c.is_empty(true);
    c.put(1, 'a', None);
    c.put(2, 'b', None);
    c.get(3, None);
    c.get(3, None);
    c.len(2);
    // 1 is still the least recently used entry.
    c.put(4, 'd', Some((1, 'a')));
    c.get(1, None);
    c.put(5, 'e', Some((2, 'b')));
}

#[test]
fn capacity_zero_stores_nothing_and_returns_the_given_entry() {
    let mut c = Probe::new(0);
    c.capacity(0);
    c.put(1, "one", Some((1, "one")));
    c.len(0);
    c.is_empty(true);
    c.get(1, None);
    c.put(2, "two", Some((2, "two")));
    c.put(2, "deux", Some((2, "deux")));
    c.len(0);
    c.get(2, None);
}

#[test]
fn capacity_one_keeps_only_the_latest_key() {
    let mut c = Probe::new(1);
    c.put('a', 1, None);
    c.get('a', Some(1));
    c.put('a', 2, None);
    c.len(1);
    c.put('b', 3, Some(('a', 2)));
    c.get('a', None);
    c.get('b', Some(3));
    c.put('c', 4, Some(('b', 3)));
    c.put('c', 5, None);
    c.put('b', 6, Some(('c', 5)));
    c.get('b', Some(6));
    c.len(1);
}

/// A backend read-through cache: serve from the cache, else load from the database and cache it.
#[test]
fn read_through_cache_only_loads_misses_from_the_database() {
    let requests = [1u32, 2, 1, 3, 1, 4, 2, 2, 3, 1];
    let mut cache: LruCache<u32, String> =
        learner(|| "LruCache::new(3)".into(), || LruCache::new(3));
    let mut loaded = Vec::new();
    let mut served = Vec::new();
    for &user in &requests {
        let profile = learner(
            || format!("read-through get(&{user}) in LruCache::new(3) over requests {requests:?}"),
            || match cache.get(&user) {
                Some(profile) => profile.clone(),
                None => {
                    loaded.push(user);
                    let profile = format!("profile {user}");
                    cache.put(user, profile.clone());
                    profile
                }
            },
        );
        served.push(profile);
    }
    let expected_loads = vec![1, 2, 3, 4, 2, 3, 1];
    assert!(
        loaded == expected_loads,
        "a read-through cache (get, and on a miss load from the database then put) with \
         LruCache::new(3) over user requests {requests:?} loaded users {loaded:?} from the \
         database, expected {expected_loads:?} (only the misses of an LRU cache of 3)"
    );
    let expected_served: Vec<String> = requests.iter().map(|u| format!("profile {u}")).collect();
    expect_eq!(
        served,
        expected_served,
        "serving user requests {requests:?} through LruCache::new(3)"
    );
}

// ---------------------------------------------------------------------------------------
// Unbounded capacity and preallocation.

/// Counts the bytes this thread asks the allocator for, so a check can see preallocation.
#[global_allocator]
static COUNTING_ALLOCATOR: crate::kit::CountingAllocator = crate::kit::CountingAllocator;

#[test]
fn new_does_not_preallocate_for_the_capacity() {
    const LIMIT: usize = 64 * 1024;
    let capacity = 1 << 20;
    let before = bytes_requested();
    let mut cache: LruCache<u64, u64> = learner(
        || format!("LruCache::new({capacity})"),
        || LruCache::new(capacity),
    );
    let after_new = bytes_requested() - before;
    assert!(
        after_new <= LIMIT,
        "LruCache::new({capacity}) allocated {after_new} bytes before anything was stored, \
         expected at most {LIMIT}: the capacity is a limit, so memory must grow with the \
         entries actually stored (new(usize::MAX) has to work too)"
    );
    for key in 0..3u64 {
        learner(
            || format!("LruCache::new({capacity}), then put({key}, {key})"),
            || cache.put(key, key),
        );
    }
    let after_puts = bytes_requested() - before;
    assert!(
        after_puts <= LIMIT,
        "LruCache::new({capacity}) followed by 3 puts allocated {after_puts} bytes, expected \
         at most {LIMIT}: memory must grow with the entries stored, not the capacity"
    );
}

#[test]
fn unbounded_capacity_usize_max_never_evicts() {
    const N: u64 = 3000;
    let mut c: Probe<u64, u64> = Probe::new(usize::MAX);
    c.capacity(usize::MAX);
    c.is_empty(true);
    c.put(0, 0, None);
    c.len(1);
    let cache = &mut c.cache;
    let outcome = learner(
        || format!("LruCache::new(usize::MAX), then put(k, k) for k in 1..{N}"),
        || {
            for key in 1..N {
                let evicted = cache.put(key, key);
                if evicted.is_some() {
                    return Err(format!(
                        "LruCache::new(usize::MAX), then put(k, k) for k in 1..{key}: \
                         put({key}, {key}) returned {evicted:?}, expected None (nothing is \
                         ever evicted from an unbounded cache)"
                    ));
                }
            }
            for key in 0..N {
                let got = cache.get(&key).copied();
                if got != Some(key) {
                    return Err(format!(
                        "LruCache::new(usize::MAX), then put(k, k) for k in 0..{N}: get(&{key}) \
                         returned {got:?}, expected {:?}",
                        Some(key)
                    ));
                }
            }
            Ok(cache.len())
        },
    );
    match outcome {
        Ok(len) => expect_eq!(
            len,
            N as usize,
            "LruCache::new(usize::MAX), then put(k, k) for k in 0..{N}, then len()"
        ),
        Err(message) => panic!("{message}"),
    }
}

// ---------------------------------------------------------------------------------------
// O(1): count the key's Hash/Eq/Clone calls, and compare times at two sizes.

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
const PHASES: [&str; 4] = [
    "get of a cached key",
    "get of a missing key",
    "put of a cached key (update)",
    "put of a new key into a full cache (eviction)",
];

/// Average key-method calls per operation, for each phase, in a full cache of `size` keys.
fn key_calls_per_operation(size: u64) -> [[f64; 3]; 4] {
    let mut cache: LruCache<CountedKey, u64> = learner(
        || format!("LruCache::new({size})"),
        || LruCache::new(size as usize),
    );
    learner(
        || format!("LruCache::new({size}), then put(k, k) for k in 0..{size}"),
        || {
            for k in 0..size {
                black_box(cache.put(CountedKey(k), k));
            }
        },
    );
    // Hits and updates in a shuffled order, so a scan would not find its key at once.
    let mut rng = SplitMix64(size);
    let mut shuffled: Vec<u64> = (0..size).collect();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut result = [[0.0; 3]; 4];
    for (phase, name) in PHASES.iter().enumerate() {
        let before = key_calls();
        learner(
            || format!("with {size} cached keys, a {name}"),
            || {
                for (i, &k) in shuffled.iter().enumerate() {
                    let k_updated = shuffled[shuffled.len() - 1 - i];
                    match phase {
                        0 => drop(black_box(cache.get(&CountedKey(k)))),
                        1 => drop(black_box(cache.get(&CountedKey(size * 10 + k)))),
                        2 => drop(black_box(cache.put(CountedKey(k_updated), k + 1))),
                        _ => drop(black_box(cache.put(CountedKey(size + k), k))),
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
    const LARGE: u64 = 1024;
    let small = key_calls_per_operation(SMALL);
    let large = key_calls_per_operation(LARGE);
    for (phase, name) in PHASES.iter().enumerate() {
        for (m, method) in KEY_METHODS.iter().enumerate() {
            let (s, l) = (small[phase][m], large[phase][m]);
            assert!(
                l <= 2.0 * s + 2.0,
                "with {LARGE} cached keys, a {name} made {l:.1} {method} calls on keys on \
                 average, against {s:.1} with {SMALL} cached keys: get and put must be O(1), \
                 doing the same work whatever the cache size (no scan over the entries)"
            );
        }
    }
}

/// Time of `count` rounds of "put a new key (evicting), get the previous key".
fn time_evicting_rounds(
    cache: &mut LruCache<u64, u64>,
    next_key: &mut u64,
    count: u32,
) -> Duration {
    let start = Instant::now();
    for _ in 0..count {
        let key = *next_key;
        *next_key += 1;
        black_box(cache.put(key, key));
        black_box(cache.get(&(key - 1)));
    }
    start.elapsed()
}

fn full_cache(size: u64) -> (LruCache<u64, u64>, u64) {
    learner(
        || format!("LruCache::new({size}), then put(k, k) for k in 0..{size}"),
        || {
            let mut cache = LruCache::new(size as usize);
            for k in 0..size {
                black_box(cache.put(k, k));
            }
            (cache, size)
        },
    )
}

#[test]
fn operation_time_does_not_grow_with_the_cache_size() {
    // Same run, min of interleaved repetitions, 16x apart; only the ratio matters. A
    // correct cache measures about 1x; a scan over the entries measures 8x or more. A
    // correct cache must pass one of three attempts; a scan fails all three.
    const SMALL: u64 = 128;
    const LARGE: u64 = 2048;
    const ROUNDS: u32 = 200;
    const REPETITIONS: u32 = 5;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 3.0;
    let (mut small, mut small_next) = full_cache(SMALL);
    let (mut large, mut large_next) = full_cache(LARGE);
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || format!("put of a new key into a full LruCache::new({LARGE})"),
            || {
                for _ in 0..REPETITIONS {
                    t_small =
                        t_small.min(time_evicting_rounds(&mut small, &mut small_next, ROUNDS));
                    t_large =
                        t_large.min(time_evicting_rounds(&mut large, &mut large_next, ROUNDS));
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
        "{ROUNDS} rounds of put(new key) + get(previous key) on a full LruCache::new({LARGE}) \
         took {} as long as on a full LruCache::new({SMALL}) (best of {REPETITIONS}, in \
         {ATTEMPTS} attempts), expected about the same (at most {LIMIT}x): get and put must \
         be O(1); finding the least recently used entry must not scan the cache",
        ratios.join(", ")
    );
}

// ---------------------------------------------------------------------------------------
// Random operations against a simple model.

#[derive(Clone, Copy)]
enum Op {
    Get(u8),
    Put(u8, u16),
}

impl Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Get(k) => write!(f, "get(&{k})"),
            Op::Put(k, v) => write!(f, "put({k}, {v})"),
        }
    }
}

/// The obvious O(n) LRU cache: entries ordered least recently used first.
struct Model {
    capacity: usize,
    entries: Vec<(u8, u16)>,
}

impl Model {
    fn get(&mut self, key: u8) -> Option<u16> {
        let at = self.entries.iter().position(|e| e.0 == key)?;
        let entry = self.entries.remove(at);
        self.entries.push(entry);
        Some(entry.1)
    }

    fn put(&mut self, key: u8, value: u16) -> Option<(u8, u16)> {
        if self.capacity == 0 {
            return Some((key, value));
        }
        if let Some(at) = self.entries.iter().position(|e| e.0 == key) {
            self.entries.remove(at);
            self.entries.push((key, value));
            return None;
        }
        let evicted = if self.entries.len() == self.capacity {
            Some(self.entries.remove(0))
        } else {
            None
        };
        self.entries.push((key, value));
        evicted
    }
}

/// Replays `ops` on a fresh cache and model: the index of the first wrong call and why.
fn first_mismatch(capacity: usize, ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let cache = LruCache::new(capacity);
            let model = Model {
                capacity,
                entries: Vec::new(),
            };
            (cache, model)
        },
        |(cache, model), op| {
            let (got, expected) = match *op {
                Op::Get(k) => (
                    format!("{:?}", cache.get(&k).copied()),
                    format!("{:?}", model.get(k)),
                ),
                Op::Put(k, v) => (
                    format!("{:?}", cache.put(k, v)),
                    format!("{:?}", model.put(k, v)),
                ),
            };
            if got != expected {
                return Some(format!("{op} returned {got}, expected {expected}"));
            }
            let (got, expected) = (cache.len(), model.entries.len());
            if got != expected {
                return Some(format!(
                    "{op}, then len() returned {got}, expected {expected}"
                ));
            }
            None
        },
        |i, panicked| format!("{} {panicked}", ops[i]),
    )
}

/// Drops calls while the replay still goes wrong, for a short failing sequence.
fn shrink(capacity: usize, ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| first_mismatch(capacity, ops).map(|(at, _)| at))
}

fn join_ops(ops: &[Op]) -> String {
    ops.iter()
        .map(|op| op.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn random_operations_match_a_reference_model() {
    const SEEDS: [u64; 8] = [
        0x5EED_0001,
        0x5EED_0002,
        0x5EED_0003,
        0x5EED_0004,
        0x5EED_0005,
        0x5EED_0006,
        0x5EED_0007,
        0x5EED_0008,
    ];
    const OPS: usize = 250;
    for seed in SEEDS {
        let mut rng = SplitMix64(seed);
        let capacity = rng.below(7) as usize;
        let keys = capacity as u64 + 1 + rng.below(6);
        let ops: Vec<Op> = (0..OPS)
            .map(|_| {
                let key = rng.below(keys) as u8;
                if rng.below(5) < 2 {
                    Op::Get(key)
                } else {
                    Op::Put(key, rng.below(1000) as u16)
                }
            })
            .collect();
        if let Some((at, _)) = first_mismatch(capacity, &ops) {
            let failing = shrink(capacity, ops[..=at].to_vec());
            let (last, why) =
                first_mismatch(capacity, &failing).expect("a shrunk sequence still fails");
            let before = if last == 0 {
                String::new()
            } else {
                format!(", {}", join_ops(&failing[..last]))
            };
            panic!(
                "random operations (seed {seed:#x}), shrunk to: LruCache::new({capacity}){before}; \
                 then {why}\n  (the first {} random operations were: {}{})",
                (at + 1).min(30),
                join_ops(&ops[..(at + 1).min(30)]),
                if at + 1 > 30 { ", ..." } else { "" }
            );
        }
    }
}
