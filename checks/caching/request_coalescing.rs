use super::request_coalescing::{CoalescingCache, LoadError};
use crate::kit::{
    Progress, SplitMix64, blocking_seen, bounded, learner, on_helper, patience, quiet_thread,
    try_learner,
};

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt::{self, Display};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

// The statement: shared by threads whenever `K`, `V` and `E` are `Send`. `Cell` is `Send` but not
// `Sync`, so this compiles only if the cache's own locks make it `Sync` (a `Mutex` does;
// an `RwLock` does not: it lets readers share the values, so it needs them `Sync`).
const _: fn() = || {
    fn shared_by_threads<T: Send + Sync>() {}
    shared_by_threads::<CoalescingCache<u64, Cell<u64>, Cell<u64>>>();
};

type Cache = CoalescingCache<u64, String, String>;
type Outcome = Result<String, LoadError<String>>;

fn new_cache() -> Cache {
    learner(|| "CoalescingCache::new()".into(), CoalescingCache::new)
}

fn ok(v: &str) -> Outcome {
    Ok(v.to_string())
}

fn failed(e: &str) -> Outcome {
    Err(LoadError::Failed(e.to_string()))
}

/// What a check's loader does when it is called.
#[derive(Clone, Copy)]
enum Load {
    Ok(&'static str),
    Err(&'static str),
    Panic,
}

impl Load {
    fn run(self) -> Result<String, String> {
        match self {
            Load::Ok(v) => Ok(v.to_string()),
            Load::Err(e) => Err(e.to_string()),
            Load::Panic => panic!("the loader panicked"),
        }
    }

    fn expected(self) -> Outcome {
        match self {
            Load::Ok(v) => ok(v),
            Load::Err(e) => failed(e),
            Load::Panic => Err(LoadError::Panicked),
        }
    }
}

impl Display for Load {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Load::Ok(v) => write!(f, "|| Ok({v:?})"),
            Load::Err(e) => write!(f, "|| Err({e:?})"),
            Load::Panic => write!(f, "|| panic!()"),
        }
    }
}

/// How a panic out of `get` reads: the check's own loader panic gets an explanation.
fn panic_report(panicked: String) -> String {
    if panicked.contains("the loader panicked") {
        format!(
            "let the loader's panic escape ({}), expected it to return \
             Err(LoadError::Panicked): catch the panic with std::panic::catch_unwind",
            panicked.replace('\n', " ")
        )
    } else {
        panicked
    }
}

// ---------------------------------------------------------------------------------------
// One thread: a scripted cache whose failure messages list the calls before.

struct Probe {
    cache: Cache,
    calls: Vec<String>,
    progress: Progress,
}

impl Probe {
    fn new(progress: &Progress) -> Self {
        progress.set("CoalescingCache::new()");
        Probe {
            cache: new_cache(),
            calls: vec!["CoalescingCache::new()".to_string()],
            progress: progress.clone(),
        }
    }

    fn context(calls: &[String], call: &str) -> String {
        format!("after {}: {call}", calls.join(", "))
    }

    /// `get(key, load)`; `runs` says whether the loader must be called.
    fn get(&mut self, key: u64, load: Load, expected: Outcome, runs: bool) {
        let call = format!("get({key}, {load})");
        let context = Self::context(&self.calls, &call);
        self.progress.set(context.clone());
        let called = Cell::new(0);
        let cache = &self.cache;
        let got = try_learner(|| {
            cache.get(key, || {
                called.set(called.get() + 1);
                load.run()
            })
        })
        .unwrap_or_else(|panicked| panic!("{context} {}", panic_report(panicked)));
        let expected_calls = usize::from(runs);
        if called.get() != expected_calls {
            panic!(
                "{context} called the loader {} times, expected {expected_calls} ({})",
                called.get(),
                if runs {
                    "nothing was cached and no load was in flight"
                } else {
                    "the value was cached"
                }
            );
        }
        if got != expected {
            panic!("{context} returned {got:?}, expected {expected:?}");
        }
        self.calls.push(call);
    }

    fn invalidate(&mut self, key: u64, expected: bool) {
        let call = format!("invalidate(&{key})");
        let context = Self::context(&self.calls, &call);
        self.progress.set(context.clone());
        let cache = &self.cache;
        let got = learner(|| context.clone(), || cache.invalidate(&key));
        if got != expected {
            panic!("{context} returned {got}, expected {expected}");
        }
        self.calls.push(call);
    }
}

#[test]
fn a_miss_runs_the_loader_and_caches_its_value() {
    bounded(|progress| {
        let mut c = Probe::new(progress);
        c.get(1, Load::Ok("a"), ok("a"), true);
        c.get(1, Load::Ok("b"), ok("a"), false);
        c.get(1, Load::Err("down"), ok("a"), false);
        c.get(2, Load::Ok("b"), ok("b"), true);
        c.get(1, Load::Panic, ok("a"), false);
        c.get(2, Load::Ok("c"), ok("b"), false);
    });
}

#[test]
fn a_failed_load_is_returned_and_not_cached() {
    bounded(|progress| {
        let mut c = Probe::new(progress);
        c.get(7, Load::Err("timeout"), failed("timeout"), true);
        c.get(7, Load::Err("refused"), failed("refused"), true);
        c.get(7, Load::Ok("v"), ok("v"), true);
        c.get(7, Load::Err("timeout"), ok("v"), false);
    });
}

#[test]
fn a_panicking_loader_gives_panicked_and_the_next_get_loads_again() {
    bounded(|progress| {
        let mut c = Probe::new(progress);
        c.get(3, Load::Panic, Err(LoadError::Panicked), true);
        c.get(3, Load::Panic, Err(LoadError::Panicked), true);
        c.get(4, Load::Ok("four"), ok("four"), true);
        c.get(3, Load::Ok("three"), ok("three"), true);
        c.get(3, Load::Panic, ok("three"), false);
    });
}

#[test]
fn invalidate_forgets_a_value_and_says_whether_there_was_one() {
    bounded(|progress| {
        let mut c = Probe::new(progress);
        c.invalidate(1, false);
        c.get(1, Load::Ok("old"), ok("old"), true);
        c.invalidate(1, true);
        c.invalidate(1, false);
        c.get(1, Load::Ok("new"), ok("new"), true);
        c.get(1, Load::Ok("newer"), ok("new"), false);
        c.get(2, Load::Err("down"), failed("down"), true);
        c.invalidate(2, false);
    });
}

#[test]
fn the_statement_example_works() {
    bounded(|progress| {
        let mut c = Probe::new(progress);
        c.get(1, Load::Ok("1999"), ok("1999"), true);
        c.get(1, Load::Ok("0"), ok("1999"), false);
        c.get(2, Load::Err("timeout"), failed("timeout"), true);
        c.get(2, Load::Ok("500"), ok("500"), true);
        c.get(3, Load::Panic, Err(LoadError::Panicked), true);
        c.invalidate(1, true);
        c.invalidate(1, false);
        c.get(1, Load::Ok("2099"), ok("2099"), true);
    });
}

// ---------------------------------------------------------------------------------------
// One thread: random calls against a model.

#[derive(Clone, Copy)]
enum Op {
    Get(u8, Load),
    Invalidate(u8),
}

impl Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Get(k, load) => write!(f, "get({k}, {load})"),
            Op::Invalidate(k) => write!(f, "invalidate(&{k})"),
        }
    }
}

fn first_mismatch(ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let cache: CoalescingCache<u8, String, String> = CoalescingCache::new();
            let model: HashMap<u8, String> = HashMap::new();
            (cache, model)
        },
        |(cache, model), op| {
            match *op {
                Op::Get(k, load) => {
                    let called = Cell::new(false);
                    let got = cache.get(k, || {
                        called.set(true);
                        load.run()
                    });
                    let (expected, should_call) = match model.get(&k) {
                        Some(v) => (Ok(v.clone()), false),
                        None => {
                            let outcome = load.expected();
                            if let Ok(v) = &outcome {
                                model.insert(k, v.clone());
                            }
                            (outcome, true)
                        }
                    };
                    if called.get() != should_call {
                        let times = if called.get() { "once" } else { "never" };
                        return Some(format!("{op} called the loader {times}"));
                    }
                    if got != expected {
                        return Some(format!("{op} returned {got:?}, expected {expected:?}"));
                    }
                }
                Op::Invalidate(k) => {
                    let got = cache.invalidate(&k);
                    let expected = model.remove(&k).is_some();
                    if got != expected {
                        return Some(format!("{op} returned {got}, expected {expected}"));
                    }
                }
            }
            None
        },
        |i, panicked| format!("{} {}", ops[i], panic_report(panicked)),
    )
}

fn shrink(ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| first_mismatch(ops).map(|(at, _)| at))
}

#[test]
fn random_calls_on_one_thread_match_a_model() {
    bounded(|progress| {
        const OPS: usize = 200;
        const VALUES: [&str; 4] = ["a", "b", "c", "d"];
        for seed in 0x5F11_0000..0x5F11_0000 + 6 {
            progress.set(format!("random calls (seed {seed:#x})"));
            let mut rng = SplitMix64(seed);
            let ops: Vec<Op> = (0..OPS)
                .map(|_| {
                    let k = rng.below(6) as u8;
                    match rng.below(10) {
                        0..=2 => Op::Invalidate(k),
                        3 => Op::Get(k, Load::Panic),
                        4..=5 => Op::Get(k, Load::Err("down")),
                        _ => Op::Get(k, Load::Ok(VALUES[rng.below(4) as usize])),
                    }
                })
                .collect();
            if let Some((at, _)) = first_mismatch(&ops) {
                let failing = shrink(ops[..=at].to_vec());
                let (last, why) = first_mismatch(&failing).expect("a shrunk sequence still fails");
                let before: String = failing[..last].iter().map(|op| format!(", {op}")).collect();
                panic!(
                    "random calls (seed {seed:#x}), shrunk to: CoalescingCache::new(){before}; \
                     then {why}"
                );
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// Real threads. Thread A's loader waits until every other thread is about to call `get`,
// and a little longer, so that the others arrive while A's load is in flight. (A thread
// that still arrives late finds the value cached, or after a failure starts a new load;
// the checks accept that. What they never accept is a second loader running while A's
// runs.)

/// How many threads call `get` for the key while thread A's load is in flight.
const WAITERS: usize = 6;

/// How long A's loader keeps going once every waiter has called `get`: ample time for a
/// waiter to get as far as a broken cache lets it.
const HOLD_MS: u64 = 10;

/// What happened when thread A led a load of `KEY` and `WAITERS` threads joined in.
struct Joined {
    /// A's result, or its panic; `None` if A did not return in time.
    leader: Option<Result<Outcome, String>>,
    /// The waiters' results (or panics); `None` for one that did not return in time.
    waiters: Vec<Option<Result<Outcome, String>>>,
    /// Calls of the waiters' own loaders while A's loader was running.
    overlapping: usize,
}

const KEY: u64 = 42;

/// A waiter's own loader fails, so that a waiter arriving after a failed load (which then
/// starts a new load, rightly) caches nothing either.
const WAITER_ERROR: &str = "a waiter's own load";

fn waiter_loader_value() -> Result<String, String> {
    Err(WAITER_ERROR.to_string())
}

/// "then thread A calls get(42, loader) whose loader waits until 6 other threads have
/// called get(42, ..) and returns Ok("v")"
fn joined_text(load: Load) -> String {
    let result = match load {
        Load::Ok(v) => format!("returns Ok({v:?})"),
        Load::Err(e) => format!("returns Err({e:?})"),
        Load::Panic => "panics".to_string(),
    };
    format!(
        "CoalescingCache::new(), then thread A calls get({KEY}, loader) whose loader waits \
         until {WAITERS} other threads have called get({KEY}, || Err({WAITER_ERROR:?})) \
         (and {HOLD_MS} ms more), then {result}"
    )
}

fn lead_while_waiters_join(cache: &Arc<Cache>, progress: &Progress, load: Load) -> Joined {
    let (entered_tx, entered_rx) = mpsc::channel::<()>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (leader_tx, leader_rx) = mpsc::channel();
    let a_inside = Arc::new(AtomicBool::new(false));
    {
        let (cache, a_inside) = (Arc::clone(cache), Arc::clone(&a_inside));
        thread::spawn(move || {
            quiet_thread();
            let got = try_learner(|| {
                cache.get(KEY, move || {
                    a_inside.store(true, Ordering::SeqCst);
                    let _ = entered_tx.send(());
                    let _ = go_rx.recv_timeout(Duration::from_secs(3));
                    a_inside.store(false, Ordering::SeqCst);
                    load.run()
                })
            });
            let _ = leader_tx.send(got);
        });
    }
    progress.set(format!("{}: thread A's get", joined_text(load)));
    if entered_rx.recv_timeout(patience()).is_err() {
        blocking_seen();
        let _ = go_tx.send(());
        panic!("{}: thread A's loader never started", joined_text(load));
    }
    let overlapping = Arc::new(AtomicUsize::new(0));
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let receivers: Vec<Receiver<Result<Outcome, String>>> = (0..WAITERS)
        .map(|_| {
            let (tx, rx) = mpsc::channel();
            let (cache, ready_tx, overlapping, a_inside) = (
                Arc::clone(cache),
                ready_tx.clone(),
                Arc::clone(&overlapping),
                Arc::clone(&a_inside),
            );
            thread::spawn(move || {
                quiet_thread();
                let _ = ready_tx.send(());
                let got = try_learner(|| {
                    cache.get(KEY, || {
                        if a_inside.load(Ordering::SeqCst) {
                            overlapping.fetch_add(1, Ordering::SeqCst);
                        }
                        waiter_loader_value()
                    })
                });
                let _ = tx.send(got);
            });
            rx
        })
        .collect();
    for _ in 0..WAITERS {
        let _ = ready_rx.recv_timeout(patience());
    }
    thread::sleep(Duration::from_millis(HOLD_MS));
    let _ = go_tx.send(());
    progress.set(format!("{}: the threads' get calls", joined_text(load)));
    let deadline = Instant::now() + patience();
    let mut wait = |rx: &Receiver<Result<Outcome, String>>| {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(got) => Some(got),
            Err(_) => {
                blocking_seen();
                None
            }
        }
    };
    let leader = wait(&leader_rx);
    let waiters = receivers.iter().map(&mut wait).collect();
    Joined {
        leader,
        waiters,
        overlapping: overlapping.load(Ordering::SeqCst),
    }
}

/// Fails the check unless no waiter loaded while A's load was in flight, and A and every
/// waiter returned `expected` (or, after a failed load, a late waiter its own new load's).
fn expect_everybody_got(joined: &Joined, load: Load, expected: &Outcome) {
    let setup = joined_text(load);
    assert!(
        joined.overlapping == 0,
        "{setup}: the other threads' loaders ran {} times while A's load was in flight, \
         expected never: while a load of the key is in flight, get must wait for its result \
         instead of loading again",
        joined.overlapping
    );
    match &joined.leader {
        None => panic!(
            "{setup}: thread A's get did not return within {:?} after its loader finished",
            patience()
        ),
        Some(Err(panicked)) => {
            panic!("{setup}: thread A's get {}", panic_report(panicked.clone()))
        }
        Some(Ok(got)) => {
            if got != expected {
                panic!("{setup}: thread A's get returned {got:?}, expected {expected:?}");
            }
        }
    }
    let hung = joined.waiters.iter().filter(|w| w.is_none()).count();
    assert!(
        hung == 0,
        "{setup}: {hung} of the {WAITERS} other threads' get calls did not return after A's \
         load finished, expected all to return with its result: a finished load must wake \
         every waiter (Condvar::notify_all), whatever its outcome"
    );
    let got: Vec<String> = joined
        .waiters
        .iter()
        .flatten()
        .map(|w| match w {
            Ok(outcome) => format!("{outcome:?}"),
            Err(panicked) => format!("(a panic: {panicked})"),
        })
        .collect();
    let want = format!("{expected:?}");
    let late = format!("{:?}", failed(WAITER_ERROR));
    assert!(
        got.iter()
            .all(|g| *g == want || (expected.is_err() && *g == late)),
        "{setup}: the other threads' get calls returned [{}], expected {want} for each (the \
         result of A's load{})",
        got.join(", "),
        if expected.is_err() {
            format!(", or {late} for a thread that arrived after it failed")
        } else {
            String::new()
        }
    );
}

#[test]
fn concurrent_misses_of_one_key_run_the_loader_once() {
    bounded(|progress| {
        let cache = Arc::new(new_cache());
        let load = Load::Ok("v");
        let joined = lead_while_waiters_join(&cache, progress, load);
        expect_everybody_got(&joined, load, &ok("v"));
        let after = format!("{}, then get({KEY}, || Ok(\"later\"))", joined_text(load));
        let called = AtomicBool::new(false);
        let got = learner(
            || after.clone(),
            || {
                cache.get(KEY, || {
                    called.store(true, Ordering::SeqCst);
                    Ok("later".to_string())
                })
            },
        );
        assert!(
            !called.load(Ordering::SeqCst) && got == ok("v"),
            "{after} returned {got:?} and {} the loader, expected Ok(\"v\") from the cache \
             without calling the loader",
            if called.load(Ordering::SeqCst) {
                "called"
            } else {
                "did not call"
            }
        );
    });
}

#[test]
fn a_failed_load_reaches_every_waiter_and_the_next_get_retries() {
    bounded(|progress| {
        let cache = Arc::new(new_cache());
        let load = Load::Err("db down");
        let joined = lead_while_waiters_join(&cache, progress, load);
        expect_everybody_got(&joined, load, &failed("db down"));
        let after = format!("{}, then get({KEY}, || Ok(\"v2\"))", joined_text(load));
        let got = learner(|| after.clone(), || cache.get(KEY, || Ok("v2".to_string())));
        assert!(
            got == ok("v2"),
            "{after} returned {got:?}, expected Ok(\"v2\"): a failed load is not cached, so \
             the next get loads again"
        );
    });
}

#[test]
fn a_panicking_load_wakes_every_waiter_and_the_next_get_retries() {
    bounded(|progress| {
        let cache = Arc::new(new_cache());
        let load = Load::Panic;
        let joined = lead_while_waiters_join(&cache, progress, load);
        expect_everybody_got(&joined, load, &Err(LoadError::Panicked));
        let after = format!("{}, then get({KEY}, || Ok(\"v2\"))", joined_text(load));
        progress.set(after.clone());
        let cache2 = Arc::clone(&cache);
        let waited = patience();
        match on_helper(move || try_learner(|| cache2.get(KEY, || Ok("v2".to_string())))) {
            None => panic!(
                "{after} did not return within {waited:?}: the panicked load must not stay in \
                 flight"
            ),
            Some(Err(panicked)) => panic!("{after} {panicked}"),
            Some(Ok(got)) => assert!(
                got == ok("v2"),
                "{after} returned {got:?}, expected Ok(\"v2\"): a panicked load is not cached, \
                 so the next get loads again"
            ),
        }
    });
}

/// Two threads load two keys; each loader waits until the other one has started.
#[test]
fn loads_of_different_keys_run_in_parallel() {
    bounded(|progress| {
        let cache = Arc::new(new_cache());
        let (entered_tx, entered_rx) = mpsc::channel::<u64>();
        let mut go_txs = Vec::new();
        let mut results = Vec::new();
        for key in [1, 2] {
            let (go_tx, go_rx) = mpsc::channel::<()>();
            go_txs.push(go_tx);
            let (tx, rx) = mpsc::channel();
            results.push(rx);
            let (cache, entered_tx) = (Arc::clone(&cache), entered_tx.clone());
            thread::spawn(move || {
                quiet_thread();
                let got = try_learner(|| {
                    cache.get(key, move || {
                        let _ = entered_tx.send(key);
                        let _ = go_rx.recv_timeout(Duration::from_secs(3));
                        Ok(format!("v{key}"))
                    })
                });
                let _ = tx.send(got);
            });
        }
        progress.set("get(1, loader) and get(2, loader) on two threads, each loader waiting");
        let waited = patience();
        let mut inside = Vec::new();
        for _ in 0..2 {
            match entered_rx.recv_timeout(waited) {
                Ok(key) => inside.push(key),
                Err(_) => {
                    blocking_seen();
                    break;
                }
            }
        }
        for go in &go_txs {
            let _ = go.send(());
        }
        let setup = "CoalescingCache::new(), then threads A and B call get(1, loader) and \
                     get(2, loader) at the same time, each loader waiting until the other one \
                     has started";
        if inside.len() < 2 {
            let running = inside.first().map_or("neither loader".to_string(), |k| {
                format!("only the loader for key {k}")
            });
            panic!(
                "{setup}: {running} started within {waited:?}, expected both to run at the \
                 same time: hold no lock while a loader runs"
            );
        }
        for (key, rx) in [1u64, 2].into_iter().zip(results) {
            match rx.recv_timeout(patience()) {
                Ok(Ok(got)) => {
                    expect_eq!(got, ok(&format!("v{key}")), "{setup}: get({key}, loader)")
                }
                Ok(Err(panicked)) => panic!("{setup}: get({key}, loader) {panicked}"),
                Err(_) => panic!("{setup}: get({key}, loader) did not return"),
            }
        }
    });
}

/// A thread whose loader for `key` waits until released; returns (release, result).
fn hold_a_load(
    cache: &Arc<Cache>,
    key: u64,
    value: &'static str,
) -> (mpsc::Sender<()>, Receiver<Result<Outcome, String>>, bool) {
    let (entered_tx, entered_rx) = mpsc::channel::<()>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let (tx, rx) = mpsc::channel();
    let cache = Arc::clone(cache);
    thread::spawn(move || {
        quiet_thread();
        let got = try_learner(|| {
            cache.get(key, move || {
                let _ = entered_tx.send(());
                let _ = go_rx.recv_timeout(Duration::from_secs(3));
                Ok(value.to_string())
            })
        });
        let _ = tx.send(got);
    });
    let entered = entered_rx.recv_timeout(patience()).is_ok();
    if !entered {
        blocking_seen();
    }
    (go_tx, rx, entered)
}

#[test]
fn cached_keys_are_served_while_another_key_loads() {
    bounded(|progress| {
        let cache = Arc::new(new_cache());
        learner(
            || "CoalescingCache::new(), then get(2, || Ok(\"two\"))".into(),
            || cache.get(2, || Ok("two".to_string())),
        );
        progress.set("thread A's get(1, loader) whose loader waits");
        let (go, result, entered) = hold_a_load(&cache, 1, "one");
        let setup = "CoalescingCache::new(), get(2, || Ok(\"two\")), then while thread A's \
                     get(1, loader) waits inside its loader";
        if !entered {
            let _ = go.send(());
            panic!("{setup}: thread A's loader never started");
        }
        progress.set(format!("{setup}: get(2, ..) on thread B"));
        let cache2 = Arc::clone(&cache);
        let waited = patience();
        let got = on_helper(move || {
            try_learner(|| cache2.get(2, || Err("the loader must not run".to_string())))
        });
        let _ = go.send(());
        match got {
            None => panic!(
                "{setup}: get(2, ..) on thread B did not return within {waited:?}: a cached \
                 key must be served at once, without waiting for another key's load (hold no \
                 lock while a loader runs)"
            ),
            Some(Err(panicked)) => panic!("{setup}: get(2, ..) on thread B {panicked}"),
            Some(Ok(got)) => expect_eq!(got, ok("two"), "{setup}: get(2, || Err(..)) on thread B"),
        }
        match result.recv_timeout(patience()) {
            Ok(Ok(got)) => expect_eq!(got, ok("one"), "{setup}: thread A's get(1, loader)"),
            Ok(Err(panicked)) => panic!("{setup}: thread A's get(1, loader) {panicked}"),
            Err(_) => panic!("{setup}: thread A's get(1, loader) did not return once released"),
        }
    });
}

#[test]
fn invalidate_detaches_a_load_in_flight() {
    bounded(|progress| {
        let cache = Arc::new(new_cache());
        progress.set("thread A's get(5, loader) whose loader waits, then returns Ok(\"old\")");
        let (go, old_result, entered) = hold_a_load(&cache, 5, "old");
        let setup = "CoalescingCache::new(), then while thread A's get(5, loader) waits inside \
                     its loader (which then returns Ok(\"old\"))";
        if !entered {
            let _ = go.send(());
            panic!("{setup}: thread A's loader never started");
        }
        progress.set(format!("{setup}: invalidate(&5) on the main thread"));
        let got = learner(
            || format!("{setup}: invalidate(&5)"),
            || cache.invalidate(&5),
        );
        if !got {
            let _ = go.send(());
            panic!("{setup}: invalidate(&5) returned false, expected true (a load was in flight)");
        }
        let setup = format!("{setup}: invalidate(&5), then");
        progress.set(format!("{setup} get(5, || Ok(\"new\")) on thread B"));
        let cache2 = Arc::clone(&cache);
        let waited = patience();
        let new = on_helper(move || try_learner(|| cache2.get(5, || Ok("new".to_string()))));
        let _ = go.send(());
        match new {
            None => panic!(
                "{setup} get(5, || Ok(\"new\")) on thread B did not return within {waited:?}: \
                 it joined the detached load; after invalidate the next get starts a new load"
            ),
            Some(Err(panicked)) => panic!("{setup} get(5, || Ok(\"new\")) {panicked}"),
            Some(Ok(got)) => expect_eq!(
                got,
                ok("new"),
                "{setup} get(5, || Ok(\"new\")) on thread B (a new load, not the detached one)"
            ),
        }
        match old_result.recv_timeout(patience()) {
            Ok(Ok(got)) => expect_eq!(
                got,
                ok("old"),
                "{setup} get(5, || Ok(\"new\")) on thread B; then thread A's loader returned \
                 Ok(\"old\"): thread A's get(5, loader)"
            ),
            Ok(Err(panicked)) => panic!("{setup} ...: thread A's get(5, loader) {panicked}"),
            Err(_) => panic!("{setup} ...: thread A's get(5, loader) did not return"),
        }
        let after = format!(
            "{setup} get(5, || Ok(\"new\")) on thread B; then thread A's detached load \
             returned Ok(\"old\"); then get(5, || Ok(\"newest\"))"
        );
        let got = learner(
            || after.clone(),
            || cache.get(5, || Ok("newest".to_string())),
        );
        assert!(
            got == ok("new"),
            "{after} returned {got:?}, expected Ok(\"new\"): the value of the newer load stays \
             cached, and a detached load never overwrites it"
        );
    });
}

#[test]
fn a_detached_load_finishing_first_leaves_the_newer_load_in_flight() {
    bounded(|progress| {
        let cache = Arc::new(new_cache());
        progress.set("thread A's get(7, loader) whose loader waits, then returns Ok(\"old\")");
        let (go_old, old_result, entered) = hold_a_load(&cache, 7, "old");
        let mut setup = "CoalescingCache::new(), then while thread A's get(7, loader) waits \
                         inside its loader"
            .to_string();
        if !entered {
            let _ = go_old.send(());
            panic!("{setup}: thread A's loader never started");
        }
        let invalidated = learner(
            || format!("{setup}: invalidate(&7)"),
            || cache.invalidate(&7),
        );
        if !invalidated {
            let _ = go_old.send(());
            panic!("{setup}: invalidate(&7) returned false, expected true (a load was in flight)");
        }
        setup += ": invalidate(&7), then thread B's get(7, loader) whose loader waits too";
        progress.set(setup.clone());
        let (go_new, new_result, entered) = hold_a_load(&cache, 7, "new");
        if !entered {
            let _ = (go_old.send(()), go_new.send(()));
            panic!(
                "{setup}: thread B's loader never started: it joined the detached load; after \
                 invalidate the next get starts a new load"
            );
        }
        setup += "; then thread A's loader returns Ok(\"old\") while thread B's is still running";
        progress.set(setup.clone());
        let _ = go_old.send(());
        match old_result.recv_timeout(patience()) {
            Ok(Ok(got)) => expect_eq!(got, ok("old"), "{setup}: thread A's get(7, loader)"),
            Ok(Err(panicked)) => panic!("{setup}: thread A's get(7, loader) {panicked}"),
            Err(_) => {
                let _ = go_new.send(());
                panic!("{setup}: thread A's get(7, loader) did not return once released")
            }
        }
        // Thread C must join B's load. Its loader, if called, says so at once; a correct
        // get waits for B, so C gets a little while to show that it does not call it.
        let call = "get(7, loader) on thread C";
        progress.set(format!("{setup}; then {call}"));
        let (called_tx, called_rx) = mpsc::channel::<()>();
        let cache_c = Arc::clone(&cache);
        let (tx, joined) = mpsc::channel();
        thread::spawn(move || {
            quiet_thread();
            let got = try_learner(|| {
                cache_c.get(7, move || {
                    let _ = called_tx.send(());
                    Ok("third".to_string())
                })
            });
            let _ = tx.send(got);
        });
        let third_load = called_rx.recv_timeout(Duration::from_millis(200)).is_ok();
        let _ = go_new.send(());
        if third_load {
            panic!(
                "{setup}; then {call} ran its loader, expected it to wait for thread B's load, \
                 which is still in flight: when the detached load finished, it took the key out \
                 of flight although a newer load owns it (a third load of one key: the \
                 stampede coalescing prevents)"
            );
        }
        match new_result.recv_timeout(patience()) {
            Ok(Ok(got)) => expect_eq!(got, ok("new"), "{setup}; then thread B's get(7, loader)"),
            Ok(Err(panicked)) => panic!("{setup}; then thread B's get(7, loader) {panicked}"),
            Err(_) => panic!("{setup}; then thread B's get(7, loader) did not return"),
        }
        match joined.recv_timeout(patience()) {
            Ok(Ok(got)) => expect_eq!(
                got,
                ok("new"),
                "{setup}; then {call}, which waits for thread B's load"
            ),
            Ok(Err(panicked)) => panic!("{setup}; then {call} {panicked}"),
            Err(_) => panic!(
                "{setup}; then {call} did not return after thread B's load finished (wake \
                 every waiter when a load finishes)"
            ),
        }
    });
}

#[test]
fn a_load_detached_by_invalidate_is_not_cached() {
    bounded(|progress| {
        let cache = Arc::new(new_cache());
        progress.set("thread A's get(6, loader) whose loader waits, then returns Ok(\"stale\")");
        let (go, result, entered) = hold_a_load(&cache, 6, "stale");
        let setup = "CoalescingCache::new(), then while thread A's get(6, loader) waits inside \
                     its loader: invalidate(&6); then the loader returns Ok(\"stale\")";
        if !entered {
            let _ = go.send(());
            panic!("{setup}: thread A's loader never started");
        }
        progress.set(format!("{setup}: invalidate(&6) on the main thread"));
        let invalidated = learner(
            || format!("{setup}: invalidate(&6)"),
            || cache.invalidate(&6),
        );
        let _ = go.send(());
        expect_eq!(
            invalidated,
            true,
            "{setup}: invalidate(&6) (a load was in flight)"
        );
        match result.recv_timeout(patience()) {
            Ok(Ok(got)) => expect_eq!(got, ok("stale"), "{setup}: thread A's get(6, loader)"),
            Ok(Err(panicked)) => panic!("{setup}: thread A's get(6, loader) {panicked}"),
            Err(_) => panic!("{setup}: thread A's get(6, loader) did not return"),
        }
        let after = format!("{setup}; then get(6, || Ok(\"fresh\"))");
        let got = learner(
            || after.clone(),
            || cache.get(6, || Ok("fresh".to_string())),
        );
        assert!(
            got == ok("fresh"),
            "{after} returned {got:?}, expected Ok(\"fresh\"): the detached load's value may \
             be stale, so it is not cached and the next get loads again"
        );
        let after = format!("{after}, then invalidate(&6) twice");
        let first = learner(|| after.clone(), || cache.invalidate(&6));
        let second = learner(|| after.clone(), || cache.invalidate(&6));
        expect_eq!((first, second), (true, false), "{after}");
    });
}

#[test]
fn eight_threads_reading_many_keys_load_each_key_once() {
    bounded(|progress| {
        const THREADS: usize = 8;
        const KEYS: u64 = 24;
        progress.set(format!(
            "{THREADS} threads each calling get(k, loader) for the keys 0..{KEYS}, in \
             different orders"
        ));
        let cache = new_cache();
        let loads: Vec<AtomicUsize> = (0..KEYS).map(|_| AtomicUsize::new(0)).collect();
        let barrier = Barrier::new(THREADS);
        let problems: Mutex<Vec<String>> = Mutex::new(Vec::new());
        thread::scope(|s| {
            for t in 0..THREADS {
                let (cache, loads, barrier, problems) = (&cache, &loads, &barrier, &problems);
                s.spawn(move || {
                    quiet_thread();
                    let mut rng = SplitMix64(0xFEED + t as u64);
                    let mut keys: Vec<u64> = (0..KEYS).collect();
                    for i in (1..keys.len()).rev() {
                        keys.swap(i, rng.below(i as u64 + 1) as usize);
                    }
                    barrier.wait();
                    for k in keys {
                        let got = try_learner(|| {
                            cache.get(k, || {
                                loads[k as usize].fetch_add(1, Ordering::SeqCst);
                                // A slow query, so that other threads miss meanwhile.
                                thread::sleep(Duration::from_micros(300));
                                Ok(format!("value {k}"))
                            })
                        });
                        let expected = ok(&format!("value {k}"));
                        match got {
                            Ok(got) if got == expected => {}
                            Ok(got) => problems.lock().unwrap().push(format!(
                                "thread {t}: get({k}, loader) returned {got:?}, expected \
                                 {expected:?}"
                            )),
                            Err(panicked) => problems
                                .lock()
                                .unwrap()
                                .push(format!("thread {t}: get({k}, loader) {panicked}")),
                        }
                    }
                });
            }
        });
        let setup = format!(
            "CoalescingCache::new(), then {THREADS} threads at once each calling get(k, \
             loader) for every k in 0..{KEYS}, in shuffled orders (each loader takes 0.3 ms)"
        );
        if let Some(first) = problems.into_inner().unwrap().first() {
            panic!("{setup}: {first}");
        }
        let counts: Vec<usize> = loads.iter().map(|l| l.load(Ordering::SeqCst)).collect();
        assert!(
            counts.iter().all(|&n| n == 1),
            "{setup}: the loaders ran {counts:?} times for the keys 0..{KEYS}, expected once \
             per key"
        );
    });
}
