use super::concurrent_cache::ConcurrentCache;
use crate::kit::{
    Progress, SplitMix64, blocking_seen, bounded, learner, on_helper, patience, quiet_thread,
    try_learner,
};

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::fmt::{self, Debug, Display};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

// The statement: shared by threads whenever `K` and `V` are `Send`. `Cell` is `Send` but not
// `Sync`, so this compiles only if the cache's own locks make it `Sync` (a `Mutex` does;
// an `RwLock` does not: it lets readers share the values, so it needs them `Sync`).
const _: fn() = || {
    fn shared_by_threads<T: Send + Sync>() {}
    shared_by_threads::<ConcurrentCache<u64, Cell<u64>>>();
};

type Cache = ConcurrentCache<u64, u64>;

fn new_cache<K: Hash + Eq, V: Clone>(shards: usize) -> ConcurrentCache<K, V> {
    learner(
        || format!("ConcurrentCache::new({shards})"),
        || ConcurrentCache::new(shards),
    )
}

/// Two keys from 0..64 that `shard_of` puts in different shards.
fn keys_in_two_shards(cache: &Cache, shards: usize) -> (u64, u64) {
    let mut first: Option<(u64, usize)> = None;
    for key in 0..64 {
        let shard = learner(
            || format!("shard_of(&{key}) in new({shards})"),
            || cache.shard_of(&key),
        );
        match first {
            None => first = Some((key, shard)),
            Some((k, s)) if s != shard => return (k, key),
            Some(_) => {}
        }
    }
    let (_, shard) = first.expect("64 keys");
    panic!(
        "ConcurrentCache::new({shards}): shard_of returned {shard} for every key in 0..64, \
         expected keys spread over the shards (hash the key, modulo shard_count())"
    );
}

// ---------------------------------------------------------------------------------------
// A scripted cache on one thread: a failure message lists the calls that led to it.

struct Probe<K, V> {
    cache: ConcurrentCache<K, V>,
    calls: Vec<String>,
    progress: Progress,
}

impl<K, V> Probe<K, V>
where
    K: Hash + Eq + Clone + Debug,
    V: Clone + Debug + PartialEq,
{
    fn new(shards: usize, progress: &Progress) -> Self {
        progress.set(format!("ConcurrentCache::new({shards})"));
        Probe {
            cache: new_cache(shards),
            calls: vec![format!("ConcurrentCache::new({shards})")],
            progress: progress.clone(),
        }
    }

    fn context(calls: &[String], call: &str) -> String {
        const SHOWN: usize = 14;
        let mut text = calls[0].clone();
        if calls.len() > SHOWN + 1 {
            text.push_str(", ...");
        }
        for c in &calls[1.max(calls.len().saturating_sub(SHOWN))..] {
            text.push_str(", ");
            text.push_str(c);
        }
        format!("after {text}: {call}")
    }

    fn run<R: Debug + PartialEq>(
        &mut self,
        call: String,
        expected: R,
        f: impl FnOnce(&ConcurrentCache<K, V>) -> R,
    ) {
        self.progress.set(Self::context(&self.calls, &call));
        let (cache, calls) = (&self.cache, &self.calls);
        let got = learner(|| Self::context(calls, &call), || f(cache));
        if got != expected {
            panic!(
                "{} returned {got:?}, expected {expected:?}",
                Self::context(&self.calls, &call)
            );
        }
        self.calls.push(call);
    }

    fn insert(&mut self, key: K, value: V, expected: Option<V>) {
        let call = format!("insert({key:?}, {value:?})");
        self.run(call, expected, |c| c.insert(key, value));
    }

    fn get(&mut self, key: K, expected: Option<V>) {
        let call = format!("get(&{key:?})");
        self.run(call, expected, |c| c.get(&key));
    }

    fn remove(&mut self, key: K, expected: Option<V>) {
        let call = format!("remove(&{key:?})");
        self.run(call, expected, |c| c.remove(&key));
    }

    fn len(&mut self, expected: usize) {
        self.run("len()".to_string(), expected, |c| c.len());
    }

    fn is_empty(&mut self, expected: bool) {
        self.run("is_empty()".to_string(), expected, |c| c.is_empty());
    }

    /// `update(key, f)` where `f` is described by `text`; also checks what `f` was given
    /// and that it ran once.
    fn update(
        &mut self,
        key: K,
        text: &str,
        f: impl Fn(Option<&V>) -> V,
        expected_current: Option<V>,
        expected: V,
    ) {
        let call = format!("update({key:?}, {text})");
        let seen: RefCell<Vec<Option<V>>> = RefCell::new(Vec::new());
        let context = Self::context(&self.calls, &call);
        self.run(call, expected, |c| {
            c.update(key, |current| {
                seen.borrow_mut().push(current.cloned());
                f(current)
            })
        });
        let seen = seen.into_inner();
        if seen != [expected_current.clone()] {
            panic!(
                "{context} called the closure with {seen:?}, expected exactly one call, with \
                 {expected_current:?} (the current value)"
            );
        }
    }

    fn get_or_insert_with(&mut self, key: K, init: V, expected: V, expect_call: bool) {
        let call = format!("get_or_insert_with({key:?}, || {init:?})");
        let calls = Cell::new(0);
        let context = Self::context(&self.calls, &call);
        self.run(call, expected, |c| {
            c.get_or_insert_with(key, || {
                calls.set(calls.get() + 1);
                init
            })
        });
        let expected_calls = usize::from(expect_call);
        if calls.get() != expected_calls {
            panic!(
                "{context} called the closure {} times, expected {expected_calls} ({})",
                calls.get(),
                if expect_call {
                    "the key was missing"
                } else {
                    "the key already had a value: the closure must not run"
                }
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// One thread: the map behaviour.

#[test]
fn insert_get_and_remove_behave_like_a_map() {
    bounded(|progress| {
        let mut c: Probe<u64, String> = Probe::new(8, progress);
        c.get(1, None);
        c.insert(1, "one".into(), None);
        c.insert(2, "two".into(), None);
        c.get(1, Some("one".into()));
        c.insert(1, "uno".into(), Some("one".into()));
        c.get(1, Some("uno".into()));
        c.remove(1, Some("uno".into()));
        c.get(1, None);
        c.remove(1, None);
        c.get(2, Some("two".into()));
        c.len(1);
    });
}

#[test]
fn update_passes_the_current_value_and_returns_the_new_one() {
    bounded(|progress| {
        let mut c: Probe<&'static str, i64> = Probe::new(16, progress);
        c.insert("a", 2, None);
        c.update("a", "|v| v.unwrap() + 10", |v| v.unwrap() + 10, Some(2), 12);
        c.get("a", Some(12));
        c.update("a", "|v| v.unwrap() * 3", |v| v.unwrap() * 3, Some(12), 36);
        c.get("a", Some(36));
        c.len(1);
    });
}

#[test]
fn update_of_an_absent_key_passes_none_and_inserts_the_result() {
    bounded(|progress| {
        let mut c: Probe<&'static str, i64> = Probe::new(16, progress);
        c.update(
            "b",
            "|v| v.map_or(1, |n| n + 1)",
            |v| v.map_or(1, |n| n + 1),
            None,
            1,
        );
        c.get("b", Some(1));
        c.update(
            "b",
            "|v| v.map_or(1, |n| n + 1)",
            |v| v.map_or(1, |n| n + 1),
            Some(1),
            2,
        );
        c.remove("b", Some(2));
        c.update(
            "b",
            "|v| v.map_or(1, |n| n + 1)",
            |v| v.map_or(1, |n| n + 1),
            None,
            1,
        );
        c.len(1);
    });
}

#[test]
fn get_or_insert_with_calls_the_closure_only_for_a_missing_key() {
    bounded(|progress| {
        let mut c: Probe<&'static str, i64> = Probe::new(16, progress);
        c.get_or_insert_with("c", 7, 7, true);
        c.get_or_insert_with("c", 99, 7, false);
        c.get("c", Some(7));
        c.insert("c", 8, Some(7));
        c.get_or_insert_with("c", 99, 8, false);
        c.remove("c", Some(8));
        c.get_or_insert_with("c", 5, 5, true);
        c.len(1);
    });
}

#[test]
fn the_statement_example_works() {
    bounded(|progress| {
        let mut c: Probe<&'static str, i64> = Probe::new(16, progress);
        c.insert("a", 1, None);
        c.insert("a", 2, Some(1));
        c.update(
            "a",
            "|v| v.unwrap_or(&0) + 10",
            |v| v.unwrap_or(&0) + 10,
            Some(2),
            12,
        );
        c.update(
            "b",
            "|v| v.map_or(1, |n| n + 1)",
            |v| v.map_or(1, |n| n + 1),
            None,
            1,
        );
        c.get_or_insert_with("c", 7, 7, true);
        c.get_or_insert_with("c", 99, 7, false);
        c.remove("a", Some(12));
        c.get("a", None);
        c.len(2);
    });
}

#[test]
fn len_and_is_empty_count_the_keys_of_every_shard() {
    bounded(|progress| {
        let mut c: Probe<u64, u64> = Probe::new(8, progress);
        c.is_empty(true);
        c.len(0);
        for k in 0..40 {
            c.insert(k, k, None);
        }
        c.len(40);
        c.is_empty(false);
        for k in 0..40 {
            c.insert(k, k + 1, Some(k));
        }
        c.len(40);
        for k in 0..40 {
            c.remove(k, Some(k + 1));
        }
        c.len(0);
        c.is_empty(true);
    });
}

#[test]
fn zero_shards_behaves_like_one() {
    bounded(|progress| {
        for shards in [0, 1] {
            let mut c: Probe<u64, u64> = Probe::new(shards, progress);
            let cache = &c.cache;
            let count = learner(
                || format!("new({shards}).shard_count()"),
                || cache.shard_count(),
            );
            expect_eq!(count, 1, "ConcurrentCache::new({shards}).shard_count()");
            for k in 0..10 {
                let shard = learner(
                    || format!("new({shards}).shard_of(&{k})"),
                    || cache.shard_of(&k),
                );
                expect_eq!(shard, 0, "ConcurrentCache::new({shards}).shard_of(&{k})");
            }
            c.insert(1, 10, None);
            c.update(1, "|v| v.unwrap() + 1", |v| v.unwrap() + 1, Some(10), 11);
            c.get_or_insert_with(2, 20, 20, true);
            c.len(2);
        }
    });
}

#[test]
fn keys_spread_evenly_and_stay_in_their_shard() {
    bounded(|progress| {
        const KEYS: u64 = 1_000;
        const MIN: usize = 50;
        progress.set("ConcurrentCache::new(8) and shard_of for 1000 keys");
        let cache: Cache = new_cache(8);
        let count = learner(|| "new(8).shard_count()".into(), || cache.shard_count());
        expect_eq!(count, 8, "ConcurrentCache::new(8).shard_count()");
        let mut per_shard = [0usize; 8];
        for key in 0..KEYS {
            let shard = learner(
                || format!("new(8).shard_of(&{key})"),
                || cache.shard_of(&key),
            );
            assert!(
                shard < 8,
                "ConcurrentCache::new(8).shard_of(&{key}) returned {shard}, expected a shard \
                 in 0..8"
            );
            per_shard[shard] += 1;
            learner(
                || format!("new(8): insert({key}, {key})"),
                || cache.insert(key, key),
            );
        }
        assert!(
            per_shard.iter().all(|&n| n >= MIN),
            "ConcurrentCache::new(8): shard_of put the keys 0..{KEYS} into the shards \
             {per_shard:?} times, expected at least {MIN} keys in every shard (hash the key, \
             then take it modulo shard_count())"
        );
        for key in 0..KEYS {
            let again = learner(
                || format!("new(8).shard_of(&{key})"),
                || cache.shard_of(&key),
            );
            let value = learner(|| format!("new(8): get(&{key})"), || cache.get(&key));
            assert!(
                value == Some(key),
                "ConcurrentCache::new(8) after insert(k, k) for k in 0..{KEYS}: get(&{key}) \
                 returned {value:?}, expected {:?} (shard_of(&{key}) is now {again}: a key \
                 must stay in one shard, so build the hasher once per cache)",
                Some(key)
            );
        }
    });
}

/// A closure that panics changes nothing, and the shard stays usable.
#[test]
fn a_panicking_closure_changes_nothing_and_the_cache_keeps_working() {
    bounded(|progress| {
        progress.set("update(3, |_| panic!()) on new(4)");
        let cache: Cache = new_cache(4);
        learner(|| "new(4): insert(3, 30)".into(), || cache.insert(3, 30));
        let outcome = try_learner(|| cache.update(3, |_| panic!("the closure failed")));
        assert!(
            outcome.is_err(),
            "ConcurrentCache::new(4), insert(3, 30), then update(3, |_| panic!(..)) returned \
             {outcome:?}, expected the closure's panic to reach the caller"
        );
        let after = "ConcurrentCache::new(4), insert(3, 30), update(3, |_| panic!(..)) (which \
                     panicked), then";
        let got = learner(|| format!("{after} get(&3)"), || cache.get(&3));
        expect_eq!(got, Some(30), "{after} get(&3)");
        let got = learner(
            || format!("{after} update(3, |v| v.unwrap() + 1)"),
            || cache.update(3, |v| v.unwrap() + 1),
        );
        expect_eq!(got, 31, "{after} update(3, |v| v.unwrap() + 1)");
        let outcome = try_learner(|| cache.get_or_insert_with(5, || panic!("the init failed")));
        assert!(
            outcome.is_err(),
            "{after} get_or_insert_with(5, || panic!(..)) returned {outcome:?}, expected the \
             closure's panic to reach the caller"
        );
        let after = format!("{after} get_or_insert_with(5, || panic!(..)) (which panicked), then");
        let got = learner(|| format!("{after} get(&5)"), || cache.get(&5));
        expect_eq!(got, None, "{after} get(&5)");
        let got = learner(
            || format!("{after} get_or_insert_with(5, || 50)"),
            || cache.get_or_insert_with(5, || 50),
        );
        expect_eq!(got, 50, "{after} get_or_insert_with(5, || 50)");
        let got = learner(|| format!("{after} len()"), || cache.len());
        expect_eq!(got, 2, "{after} len()");
    });
}

// ---------------------------------------------------------------------------------------
// One thread: random operations against a HashMap.

#[derive(Clone, Copy)]
enum Op {
    Get(u8),
    Insert(u8, u16),
    Remove(u8),
    Add(u8, u16),
    GetOrInsert(u8, u16),
    Len,
}

impl Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::Get(k) => write!(f, "get(&{k})"),
            Op::Insert(k, v) => write!(f, "insert({k}, {v})"),
            Op::Remove(k) => write!(f, "remove(&{k})"),
            Op::Add(k, d) => write!(f, "update({k}, |v| v.map_or({d}, |n| n + {d}))"),
            Op::GetOrInsert(k, v) => write!(f, "get_or_insert_with({k}, || {v})"),
            Op::Len => write!(f, "len()"),
        }
    }
}

fn first_mismatch(shards: usize, ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let cache: ConcurrentCache<u8, u64> = ConcurrentCache::new(shards);
            let model: HashMap<u8, u64> = HashMap::new();
            (cache, model)
        },
        |(cache, model), op| {
            let (got, expected) = match *op {
                Op::Get(k) => (
                    format!("{:?}", cache.get(&k)),
                    format!("{:?}", model.get(&k)),
                ),
                Op::Insert(k, v) => (
                    format!("{:?}", cache.insert(k, v.into())),
                    format!("{:?}", model.insert(k, v.into())),
                ),
                Op::Remove(k) => (
                    format!("{:?}", cache.remove(&k)),
                    format!("{:?}", model.remove(&k)),
                ),
                Op::Add(k, d) => {
                    let d = u64::from(d);
                    let new = model.get(&k).map_or(d, |n| n + d);
                    model.insert(k, new);
                    (
                        format!("{:?}", cache.update(k, |v| v.map_or(d, |n| n + d))),
                        format!("{new:?}"),
                    )
                }
                Op::GetOrInsert(k, v) => (
                    format!("{:?}", cache.get_or_insert_with(k, || v.into())),
                    format!("{:?}", *model.entry(k).or_insert(v.into())),
                ),
                Op::Len => (format!("{}", cache.len()), format!("{}", model.len())),
            };
            if got != expected {
                return Some(format!("{op} returned {got}, expected {expected}"));
            }
            None
        },
        |i, panicked| format!("{} {panicked}", ops[i]),
    )
}

fn shrink(shards: usize, ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| first_mismatch(shards, ops).map(|(at, _)| at))
}

#[test]
fn random_operations_match_a_hash_map() {
    bounded(|progress| {
        const OPS: usize = 300;
        for seed in 0xCAC4_0000..0xCAC4_0000 + 6 {
            progress.set(format!("random operations (seed {seed:#x})"));
            let mut rng = SplitMix64(seed);
            let shards = rng.below(6) as usize;
            let ops: Vec<Op> = (0..OPS)
                .map(|_| {
                    let k = rng.below(16) as u8;
                    let v = rng.below(100) as u16;
                    match rng.below(11) {
                        0..=2 => Op::Get(k),
                        3..=4 => Op::Insert(k, v),
                        5..=6 => Op::Remove(k),
                        7..=8 => Op::Add(k, v),
                        9 => Op::GetOrInsert(k, v),
                        _ => Op::Len,
                    }
                })
                .collect();
            if let Some((at, _)) = first_mismatch(shards, &ops) {
                let failing = shrink(shards, ops[..=at].to_vec());
                let (last, why) =
                    first_mismatch(shards, &failing).expect("a shrunk sequence still fails");
                let before: String = failing[..last].iter().map(|op| format!(", {op}")).collect();
                panic!(
                    "random operations (seed {seed:#x}), shrunk to: \
                     ConcurrentCache::new({shards}){before}; then {why}"
                );
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// O(1): count how often the cache hashes and compares keys.

thread_local! {
    static HASH_CALLS: Cell<u64> = const { Cell::new(0) };
    static EQ_CALLS: Cell<u64> = const { Cell::new(0) };
}

/// A key that counts, on the calling thread, how often the cache hashes and compares it.
#[derive(Debug, Clone)]
struct CountedKey(u64);

impl Hash for CountedKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        HASH_CALLS.with(|c| c.set(c.get() + 1));
        self.0.hash(state);
    }
}

impl PartialEq for CountedKey {
    fn eq(&self, other: &Self) -> bool {
        EQ_CALLS.with(|c| c.set(c.get() + 1));
        self.0 == other.0
    }
}

impl Eq for CountedKey {}

const OPERATIONS: [&str; 5] = [
    "get of a cached key",
    "get of a missing key",
    "insert over a cached key",
    "update of a cached key",
    "get_or_insert_with of a cached key",
];

/// Average hash and eq calls per operation, for each kind of operation, with `size` keys.
fn key_calls_per_operation(size: u64) -> [[f64; 2]; 5] {
    let cache: ConcurrentCache<CountedKey, u64> = new_cache(4);
    learner(
        || format!("ConcurrentCache::new(4), then insert(k, k) for k in 0..{size}"),
        || {
            for k in 0..size {
                cache.insert(CountedKey(k), k);
            }
        },
    );
    let counts = || [HASH_CALLS.with(Cell::get), EQ_CALLS.with(Cell::get)];
    let mut result = [[0.0; 2]; 5];
    for (kind, name) in OPERATIONS.iter().enumerate() {
        let before = counts();
        learner(
            || format!("with {size} cached keys, a {name}"),
            || {
                for k in 0..size {
                    match kind {
                        0 => drop(cache.get(&CountedKey(k))),
                        1 => drop(cache.get(&CountedKey(size + k))),
                        2 => drop(cache.insert(CountedKey(k), k + 1)),
                        3 => drop(cache.update(CountedKey(k), |v| v.map_or(0, |n| n + 1))),
                        _ => drop(cache.get_or_insert_with(CountedKey(k), || 0)),
                    }
                }
            },
        );
        let after = counts();
        for m in 0..2 {
            result[kind][m] = (after[m] - before[m]) as f64 / size as f64;
        }
    }
    result
}

#[test]
fn key_hash_and_eq_calls_per_operation_do_not_grow_with_the_cache() {
    bounded(|progress| {
        const SMALL: u64 = 64;
        const LARGE: u64 = 1024;
        progress.set(format!("operations on caches of {SMALL} and {LARGE} keys"));
        let small = key_calls_per_operation(SMALL);
        let large = key_calls_per_operation(LARGE);
        for (kind, name) in OPERATIONS.iter().enumerate() {
            for (m, method) in ["Hash::hash", "PartialEq::eq"].iter().enumerate() {
                let (s, l) = (small[kind][m], large[kind][m]);
                assert!(
                    l <= 2.0 * s + 2.0,
                    "ConcurrentCache::new(4) with {LARGE} keys: a {name} made {l:.1} \
                     {method} calls on keys on average, against {s:.1} with {SMALL} keys: \
                     operations must be O(1), a hash-map lookup in one shard (no scan)"
                );
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// Real threads: no lost update, one closure per key at a time, independent shards.

/// Counting closures for the threaded checks.
fn plus_one(v: Option<&u64>) -> u64 {
    v.map_or(1, |n| n + 1)
}

#[test]
fn eight_threads_updating_shared_keys_lose_no_update() {
    bounded(|progress| {
        const THREADS: u64 = 8;
        const ROUNDS: u64 = 150;
        progress.set(format!(
            "{THREADS} threads each doing {ROUNDS} x update(0, |v| v.map_or(1, |n| n + 1)) and \
             update(t, ..) on ConcurrentCache::new(4)"
        ));
        let cache: Cache = new_cache(4);
        let barrier = Barrier::new(THREADS as usize);
        let inits = AtomicUsize::new(0);
        let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let seen: Mutex<BTreeSet<u64>> = Mutex::new(BTreeSet::new());
        thread::scope(|s| {
            for t in 0..THREADS {
                let (cache, barrier, inits, failures, seen) =
                    (&cache, &barrier, &inits, &failures, &seen);
                s.spawn(move || {
                    quiet_thread();
                    barrier.wait();
                    let outcome = try_learner(|| {
                        let first = cache.get_or_insert_with(1_000, || {
                            inits.fetch_add(1, Ordering::SeqCst);
                            t
                        });
                        seen.lock().unwrap().insert(first);
                        for round in 0..ROUNDS {
                            cache.update(0, plus_one);
                            if round % 16 == 0 {
                                thread::yield_now();
                            }
                            cache.update(100 + t, plus_one);
                        }
                    });
                    if let Err(panicked) = outcome {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("thread {t}: {panicked}"));
                    }
                });
            }
        });
        let failures = failures.into_inner().unwrap();
        if let Some(first) = failures.first() {
            panic!(
                "{THREADS} threads each calling get_or_insert_with(1000, ..) then {ROUNDS} x \
                 update(0, |v| v.map_or(1, |n| n + 1)) and update(100 + t, ..) on \
                 ConcurrentCache::new(4): {first}"
            );
        }
        let what = format!(
            "after {THREADS} threads each did {ROUNDS} x update(0, |v| v.map_or(1, |n| n + 1)) \
             at the same time on ConcurrentCache::new(4)"
        );
        let got = learner(|| format!("{what}: get(&0)"), || cache.get(&0));
        assert!(
            got == Some(THREADS * ROUNDS),
            "{what}: get(&0) returned {got:?}, expected {:?}: updates were lost (read, modify \
             and write in one critical section)",
            Some(THREADS * ROUNDS)
        );
        for t in 0..THREADS {
            let got = learner(
                || format!("{what}: get(&{})", 100 + t),
                || cache.get(&(100 + t)),
            );
            expect_eq!(
                got,
                Some(ROUNDS),
                "{what}, thread {t} updating key {} alone: get(&{})",
                100 + t,
                100 + t
            );
        }
        let inits = inits.into_inner();
        let seen = seen.into_inner().unwrap();
        assert!(
            inits == 1 && seen.len() == 1,
            "{THREADS} threads calling get_or_insert_with(1000, || t) at the same time on \
             ConcurrentCache::new(4): the closure ran {inits} times and the threads got the \
             values {seen:?}, expected one run and one value for everybody"
        );
    });
}

/// How many threads call in for the key while thread A holds it.
const WAITERS: usize = 6;

/// How long thread A's closure keeps its key busy once every waiter is running: ample
/// time for a waiter to get past a lock that a broken cache does not hold.
const HOLD_MS: u64 = 10;

struct HeldKey<R> {
    a_result: Result<R, String>,
    waiter_results: Vec<Result<R, String>>,
    /// Waiter closures that started while A's closure was running.
    overlapping: usize,
    a_entered: bool,
}

/// Thread A runs a closure for key 7 or 9 that waits inside (its shard locked) until released;
/// meanwhile `WAITERS` threads run `waiter_call` for the same key. Returns what the waiters'
/// closures did while A's closure was running, and everybody's results.
fn hold_key_while_waiters_run<R: Send>(
    cache: &Cache,
    progress: &Progress,
    a_call: impl FnOnce(&Cache, &dyn Fn()) -> R + Send,
    waiter_call: impl Fn(&Cache, &dyn Fn()) -> R + Sync,
) -> HeldKey<R> {
    let a_inside = AtomicBool::new(false);
    let overlapping = AtomicUsize::new(0);
    let (entered_tx, entered_rx) = mpsc::channel::<()>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let mut waiter_results = Vec::new();
    let mut a_entered = false;
    let a_result = thread::scope(|s| {
        let a = {
            let (a_inside, cache) = (&a_inside, cache);
            s.spawn(move || {
                quiet_thread();
                let hold = move || {
                    a_inside.store(true, Ordering::SeqCst);
                    let _ = entered_tx.send(());
                    let _ = go_rx.recv_timeout(Duration::from_secs(3));
                    a_inside.store(false, Ordering::SeqCst);
                };
                try_learner(|| a_call(cache, &hold))
            })
        };
        progress.set("thread A's call, whose closure waits inside");
        if entered_rx.recv_timeout(patience()).is_ok() {
            a_entered = true;
            let waiters: Vec<_> = (0..WAITERS)
                .map(|_| {
                    let (a_inside, overlapping, cache, ready_tx, waiter_call) = (
                        &a_inside,
                        &overlapping,
                        cache,
                        ready_tx.clone(),
                        &waiter_call,
                    );
                    s.spawn(move || {
                        quiet_thread();
                        let _ = ready_tx.send(());
                        let note = || {
                            if a_inside.load(Ordering::SeqCst) {
                                overlapping.fetch_add(1, Ordering::SeqCst);
                            }
                        };
                        try_learner(|| waiter_call(cache, &note))
                    })
                })
                .collect();
            for _ in 0..WAITERS {
                let _ = ready_rx.recv_timeout(patience());
            }
            // The waiters are running: give them time to get as far as a broken cache
            // lets them while A's closure still waits.
            thread::sleep(Duration::from_millis(HOLD_MS));
            let _ = go_tx.send(());
            progress.set("the waiting threads, after thread A's closure was released");
            for w in waiters {
                waiter_results.push(w.join().unwrap_or_else(|_| Err("panicked".into())));
            }
        } else {
            let _ = go_tx.send(());
        }
        a.join().unwrap_or_else(|_| Err("panicked".into()))
    });
    HeldKey {
        a_result,
        waiter_results,
        overlapping: overlapping.into_inner(),
        a_entered,
    }
}

#[test]
fn an_update_closure_keeps_other_updates_of_its_key_waiting() {
    bounded(|progress| {
        let cache: Cache = new_cache(8);
        learner(|| "new(8): insert(7, 0)".into(), || cache.insert(7, 0));
        let held = hold_key_while_waiters_run(
            &cache,
            progress,
            |c, hold| {
                c.update(7, |v| {
                    hold();
                    plus_one(v)
                })
            },
            |c, note| {
                c.update(7, |v| {
                    note();
                    plus_one(v)
                })
            },
        );
        let setup = format!(
            "ConcurrentCache::new(8), insert(7, 0), then thread A calls update(7, f) whose f \
             waits inside for {HOLD_MS} ms while {WAITERS} other threads call update(7, |v| \
             v.map_or(1, |n| n + 1))"
        );
        assert!(held.a_entered, "{setup}: thread A's closure never started");
        if let Err(panicked) = &held.a_result {
            panic!("{setup}: thread A's update {panicked}");
        }
        for r in &held.waiter_results {
            if let Err(panicked) = r {
                panic!("{setup}: a waiting thread's update {panicked}");
            }
        }
        assert!(
            held.overlapping == 0,
            "{setup}: {} of the other threads' closures ran while A's closure was still \
             running, expected none: two closures of one key must never run at the same time \
             (hold the shard's lock from reading the current value until the new one is \
             stored)",
            held.overlapping
        );
        let got = learner(|| format!("{setup}, then get(&7)"), || cache.get(&7));
        let expected = Some(1 + WAITERS as u64);
        assert!(
            got == expected,
            "{setup}, then get(&7) returned {got:?}, expected {expected:?}: updates were lost"
        );
    });
}

#[test]
fn concurrent_get_or_insert_with_of_a_missing_key_runs_one_closure() {
    bounded(|progress| {
        let cache: Cache = new_cache(8);
        let held = hold_key_while_waiters_run(
            &cache,
            progress,
            |c, hold| {
                c.get_or_insert_with(9, || {
                    hold();
                    100
                })
            },
            |c, note| {
                c.get_or_insert_with(9, || {
                    note();
                    200
                })
            },
        );
        let setup = format!(
            "ConcurrentCache::new(8), then thread A calls get_or_insert_with(9, || 100) whose \
             closure waits inside for {HOLD_MS} ms while {WAITERS} other threads call \
             get_or_insert_with(9, || 200)"
        );
        assert!(held.a_entered, "{setup}: thread A's closure never started");
        assert!(
            held.overlapping == 0,
            "{setup}: {} of the other threads' closures ran while A's closure was still \
             running, expected none: the key is being filled, so they must wait for A's value \
             instead of computing their own",
            held.overlapping
        );
        match &held.a_result {
            Err(panicked) => panic!("{setup}: thread A's get_or_insert_with {panicked}"),
            Ok(got) => expect_eq!(*got, 100, "{setup}: thread A's get_or_insert_with"),
        }
        let results: Vec<String> = held
            .waiter_results
            .iter()
            .map(|r| match r {
                Ok(v) => v.to_string(),
                Err(panicked) => format!("(panicked: {panicked})"),
            })
            .collect();
        assert!(
            results.iter().all(|r| r == "100"),
            "{setup}: the other threads got [{}], expected 100 for each (the value A stored)",
            results.join(", ")
        );
    });
}

/// Two threads run closures that wait inside, on keys of different shards: both must be
/// inside at the same time.
#[test]
fn closures_on_different_shards_run_in_parallel() {
    bounded(|progress| {
        let cache: Cache = new_cache(8);
        let (k1, k2) = keys_in_two_shards(&cache, 8);
        let s1 = cache.shard_of(&k1);
        let s2 = cache.shard_of(&k2);
        let (entered_tx, entered_rx) = mpsc::channel::<u64>();
        let gos: Vec<_> = (0..2).map(|_| mpsc::channel::<()>()).collect();
        let mut inside = Vec::new();
        let mut go_txs = Vec::new();
        let waited = patience();
        let results = thread::scope(|s| {
            let mut handles = Vec::new();
            for ((key, (go_tx, go_rx)), is_update) in
                [k1, k2].into_iter().zip(gos).zip([true, false])
            {
                go_txs.push(go_tx);
                let (cache, entered_tx) = (&cache, entered_tx.clone());
                handles.push(s.spawn(move || {
                    quiet_thread();
                    let hold = move || {
                        let _ = entered_tx.send(key);
                        let _ = go_rx.recv_timeout(Duration::from_secs(3));
                    };
                    try_learner(|| {
                        if is_update {
                            cache.update(key, |v| {
                                hold();
                                plus_one(v)
                            })
                        } else {
                            cache.get_or_insert_with(key, || {
                                hold();
                                1
                            })
                        }
                    })
                }));
            }
            progress.set(format!(
                "update({k1}, f) and get_or_insert_with({k2}, f) on two threads, whose closures \
                 wait inside until both are in"
            ));
            for _ in 0..2 {
                match entered_rx.recv_timeout(waited) {
                    Ok(key) => inside.push(key),
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                        blocking_seen();
                        break;
                    }
                }
            }
            for go in &go_txs {
                let _ = go.send(());
            }
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())))
                .collect::<Vec<_>>()
        });
        let setup = format!(
            "ConcurrentCache::new(8) with shard_of(&{k1}) = {s1} and shard_of(&{k2}) = {s2}: \
             thread A calls update({k1}, f) and thread B get_or_insert_with({k2}, g), where f \
             and g each wait inside until the other one has started"
        );
        if inside.len() < 2 {
            let running = inside.first().map_or("neither closure".to_string(), |k| {
                format!("only the closure for key {k}")
            });
            panic!(
                "{setup}: {running} started within {:?}, expected both to run at the same \
                 time: a closure must lock only its own key's shard, not the whole cache",
                waited
            );
        }
        for r in results {
            if let Err(panicked) = r {
                panic!("{setup}: a call {panicked}");
            }
        }
    });
}

/// While a closure waits inside one shard, plain operations on another shard go on.
#[test]
fn operations_on_other_shards_proceed_while_a_closure_runs() {
    bounded(|progress| {
        let cache: Arc<Cache> = Arc::new(new_cache(8));
        let (k1, k2) = keys_in_two_shards(&cache, 8);
        let (s1, s2) = (cache.shard_of(&k1), cache.shard_of(&k2));
        let (entered_tx, entered_rx) = mpsc::channel::<()>();
        let (go_tx, go_rx) = mpsc::channel::<()>();
        let holder = {
            let cache = Arc::clone(&cache);
            thread::spawn(move || {
                quiet_thread();
                try_learner(|| {
                    cache.update(k1, |v| {
                        let _ = entered_tx.send(());
                        let _ = go_rx.recv_timeout(Duration::from_secs(3));
                        plus_one(v)
                    })
                })
            })
        };
        let setup = format!(
            "ConcurrentCache::new(8) with shard_of(&{k1}) = {s1} and shard_of(&{k2}) = {s2}: \
             while thread A's update({k1}, f) waits inside f"
        );
        progress.set(format!("thread A's update({k1}, f)"));
        if entered_rx.recv_timeout(patience()).is_err() {
            let _ = go_tx.send(());
            panic!("{setup}: thread A's closure never started");
        }
        let step = Arc::new(Mutex::new(String::new()));
        let (cache2, step2) = (Arc::clone(&cache), Arc::clone(&step));
        progress.set(format!("{setup}, operations on key {k2} on thread B"));
        let waited = patience();
        let outcome = on_helper(move || {
            let mut got = Vec::new();
            let mut run = |call: String, f: &dyn Fn() -> String| {
                *step2.lock().unwrap() = call.clone();
                let result = try_learner(f).unwrap_or_else(|p| format!("(panicked {p})"));
                got.push(format!("{call} returned {result}"));
            };
            run(format!("insert({k2}, 5)"), &|| {
                format!("{:?}", cache2.insert(k2, 5))
            });
            run(format!("get(&{k2})"), &|| format!("{:?}", cache2.get(&k2)));
            run(format!("update({k2}, |v| v.map_or(1, |n| n + 1))"), &|| {
                format!("{:?}", cache2.update(k2, plus_one))
            });
            run(format!("remove(&{k2})"), &|| {
                format!("{:?}", cache2.remove(&k2))
            });
            run(format!("get_or_insert_with({k2}, || 8)"), &|| {
                format!("{:?}", cache2.get_or_insert_with(k2, || 8))
            });
            got
        });
        // Read where thread B is stuck before releasing A (which would unblock it).
        let stuck = step.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let _ = go_tx.send(());
        let a_result = holder.join().unwrap_or_else(|_| Err("panicked".into()));
        let Some(got) = outcome else {
            panic!(
                "{setup}: on thread B, {stuck} did not return within {waited:?}: operations on \
                 another shard must not wait for a closure (lock only the key's own shard)"
            );
        };
        let expected = [
            format!("insert({k2}, 5) returned None"),
            format!("get(&{k2}) returned Some(5)"),
            format!("update({k2}, |v| v.map_or(1, |n| n + 1)) returned 6"),
            format!("remove(&{k2}) returned Some(6)"),
            format!("get_or_insert_with({k2}, || 8) returned 8"),
        ];
        for (g, e) in got.iter().zip(&expected) {
            assert!(g == e, "{setup}: on thread B, {g}, expected {e}");
        }
        if let Err(panicked) = a_result {
            panic!("{setup}: thread A's update {panicked}");
        }
    });
}

#[test]
fn threads_working_on_their_own_keys_see_exactly_their_writes() {
    bounded(|progress| {
        const THREADS: u64 = 8;
        const KEYS: u64 = 60;
        progress.set(format!(
            "{THREADS} threads each inserting, updating, reading and removing {KEYS} keys of \
             their own on ConcurrentCache::new(16)"
        ));
        let cache: Cache = new_cache(16);
        let barrier = Barrier::new(THREADS as usize);
        let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
        thread::scope(|s| {
            for t in 0..THREADS {
                let (cache, barrier, failures) = (&cache, &barrier, &failures);
                s.spawn(move || {
                    quiet_thread();
                    barrier.wait();
                    let outcome = try_learner(|| {
                        let keys = (0..KEYS).map(|i| t * 1_000 + i);
                        for k in keys.clone() {
                            if let Some(old) = cache.insert(k, k) {
                                return Err(format!("insert({k}, {k}) returned Some({old}), expected None"));
                            }
                        }
                        for k in keys.clone() {
                            let new = cache.update(k, plus_one);
                            if new != k + 1 {
                                return Err(format!(
                                    "after insert({k}, {k}): update({k}, |v| v.map_or(1, |n| n + 1)) \
                                     returned {new}, expected {}",
                                    k + 1
                                ));
                            }
                        }
                        for k in keys.filter(|k| k % 2 == 0) {
                            let got = cache.remove(&k);
                            if got != Some(k + 1) {
                                return Err(format!(
                                    "after insert({k}, {k}) and an update to {}: remove(&{k}) \
                                     returned {got:?}",
                                    k + 1
                                ));
                            }
                        }
                        Ok(())
                    });
                    let problem = match outcome {
                        Ok(Ok(())) => return,
                        Ok(Err(problem)) => problem,
                        Err(panicked) => format!("a call {panicked}"),
                    };
                    failures.lock().unwrap().push(format!("thread {t}: {problem}"));
                });
            }
        });
        let setup = format!(
            "{THREADS} threads at once on ConcurrentCache::new(16), thread t inserting, \
             updating and removing its own keys t * 1000 + (0..{KEYS})"
        );
        if let Some(first) = failures.into_inner().unwrap().first() {
            panic!("{setup}: {first}");
        }
        let len = learner(|| format!("{setup}, then len()"), || cache.len());
        expect_eq!(
            len,
            (THREADS * KEYS / 2) as usize,
            "{setup} (removing the even ones), then len()"
        );
        for t in 0..THREADS {
            for k in (0..KEYS).map(|i| t * 1_000 + i) {
                let got = learner(|| format!("{setup}, then get(&{k})"), || cache.get(&k));
                let expected = if k % 2 == 0 { None } else { Some(k + 1) };
                expect_eq!(got, expected, "{setup}, then get(&{k})");
            }
        }
    });
}
