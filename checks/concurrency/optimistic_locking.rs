use super::optimistic_locking::{Conflict, UpdateError, VersionedStore};
use crate::kit::{collide, learner, try_learner};

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

// ---------------------------------------------------------------------------------------
// Deadlock detection: the work runs on a thread of its own, and the check waits for it with
// a deadline. A deadlocked thread is left behind (the grader ends the process).

/// Threads left blocked by earlier checks in this run.
static STUCK_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Runs `work`, which starts `threads` threads of its own, on a new thread and waits at
/// most 2 s for it (0.25 s once an earlier check already found a deadlock).
fn with_deadline<R: Send + 'static>(
    threads: usize,
    what: &str,
    why: &str,
    work: impl FnOnce() -> R + Send + 'static,
) -> R {
    let stuck = STUCK_THREADS.load(Ordering::SeqCst);
    if stuck + threads > 40 {
        panic!(
            "not run: earlier checks left {stuck} threads deadlocked; fix the deadlock they \
             report first"
        );
    }
    let (limit, limit_text) = if stuck == 0 {
        (Duration::from_secs(2), "2 s")
    } else {
        (Duration::from_millis(250), "0.25 s")
    };
    let (tx, rx) = mpsc::channel();
    let runner = thread::spawn(move || {
        let _ = tx.send(work());
    });
    match rx.recv_timeout(limit) {
        Ok(result) => {
            let _ = runner.join();
            result
        }
        Err(RecvTimeoutError::Timeout) => {
            STUCK_THREADS.fetch_add(threads + 1, Ordering::SeqCst);
            panic!("deadlock suspected: not finished after {limit_text}: {what}. {why}");
        }
        Err(RecvTimeoutError::Disconnected) => {
            panic!("{what} ended without a result (a panic outside the learner's code)")
        }
    }
}

/// Lets `parties` threads wait for each other, like a `Barrier`, except that a thread
/// that will never arrive (it returned or panicked first) can `leave`, so the others are
/// not kept waiting for it.
struct Rendezvous {
    parties: usize,
    /// (threads arrived, threads left without arriving)
    state: Mutex<(usize, usize)>,
    changed: Condvar,
}

impl Rendezvous {
    fn new(parties: usize) -> Self {
        Rendezvous {
            parties,
            state: Mutex::new((0, 0)),
            changed: Condvar::new(),
        }
    }

    fn arrive_and_wait(&self) {
        let mut state = self.state.lock().unwrap();
        state.0 += 1;
        self.changed.notify_all();
        while state.0 + state.1 < self.parties {
            state = self.changed.wait(state).unwrap();
        }
    }

    fn leave(&self) {
        self.state.lock().unwrap().1 += 1;
        self.changed.notify_all();
    }
}

// ---------------------------------------------------------------------------------------
// Scripted calls on one store; a failure message lists every call before it.

struct Probe {
    store: Arc<VersionedStore<i64>>,
    calls: Vec<String>,
}

impl Probe {
    fn new() -> Self {
        let store = learner(|| "VersionedStore::new()".to_string(), VersionedStore::new);
        Probe {
            store: Arc::new(store),
            calls: vec!["VersionedStore::new()".to_string()],
        }
    }

    fn context(&self, call: &str) -> String {
        format!("after {}: {call}", self.calls.join(", "))
    }

    fn check<R: PartialEq + std::fmt::Debug>(&mut self, call: String, got: R, expected: R) {
        if got != expected {
            panic!(
                "{} returned {got:?}, expected {expected:?}",
                self.context(&call)
            );
        }
        self.calls.push(format!("{call} -> {got:?}"));
    }

    fn get(&mut self, key: &str, expected: Option<(i64, u64)>) {
        let call = format!("get({key:?})");
        let store = &self.store;
        let got = learner(|| self.context(&call), || store.get(key));
        self.check(call, got, expected);
    }

    fn cas(&mut self, key: &str, version: u64, value: i64, expected: Result<u64, Conflict>) {
        let call = format!("compare_and_set({key:?}, {version}, {value})");
        let store = &self.store;
        let got = learner(
            || self.context(&call),
            || store.compare_and_set(key, version, value),
        );
        self.check(call, got, expected);
    }
}

fn times(n: usize) -> String {
    if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    }
}

/// `VersionedStore::new()`, then `compare_and_set(key, 0, value)` for each record, on the
/// current thread; a panic or an unexpected result comes back as the failure message.
fn store_with(records: &[(&str, i64)]) -> Result<VersionedStore<i64>, String> {
    let store = try_learner(VersionedStore::new)
        .map_err(|panicked| format!("VersionedStore::new() {panicked}"))?;
    for &(key, value) in records {
        let call = format!("compare_and_set({key:?}, 0, {value})");
        match try_learner(|| store.compare_and_set(key, 0, value)) {
            Ok(Ok(1)) => {}
            Ok(got) => return Err(format!("{call} returned {got:?}, expected Ok(1)")),
            Err(panicked) => return Err(format!("{call} {panicked}")),
        }
    }
    Ok(store)
}

fn conflict(current_version: u64) -> Result<u64, Conflict> {
    Err(Conflict { current_version })
}

// ---------------------------------------------------------------------------------------
// get and compare_and_set.

#[test]
fn a_missing_key_has_no_record_and_version_zero() {
    let mut s = Probe::new();
    s.get("sku-1", None);
    s.cas("sku-1", 1, 10, conflict(0));
    s.cas("sku-1", 7, 10, conflict(0));
    s.get("sku-1", None);
}

#[test]
fn compare_and_set_with_version_zero_creates_the_record_at_version_one() {
    let mut s = Probe::new();
    s.cas("sku-1", 0, 10, Ok(1));
    s.get("sku-1", Some((10, 1)));
    s.cas("", 0, -5, Ok(1));
    s.get("", Some((-5, 1)));
}

#[test]
fn creating_an_existing_key_conflicts_and_keeps_the_record() {
    let mut s = Probe::new();
    s.cas("sku-1", 0, 10, Ok(1));
    s.cas("sku-1", 0, 99, conflict(1));
    s.get("sku-1", Some((10, 1)));
    s.cas("sku-1", 1, 9, Ok(2));
    s.cas("sku-1", 0, 99, conflict(2));
    s.get("sku-1", Some((9, 2)));
}

#[test]
fn each_successful_write_bumps_the_version_by_one() {
    let mut s = Probe::new();
    s.cas("sku-1", 0, 100, Ok(1));
    for version in 1..=5u64 {
        s.cas("sku-1", version, 100 - version as i64, Ok(version + 1));
        s.get("sku-1", Some((100 - version as i64, version + 1)));
    }
}

#[test]
fn a_stale_or_future_version_conflicts_and_changes_nothing() {
    let mut s = Probe::new();
    s.cas("sku-1", 0, 10, Ok(1));
    s.cas("sku-1", 1, 9, Ok(2));
    s.cas("sku-1", 2, 8, Ok(3));
    s.cas("sku-1", 2, 0, conflict(3));
    s.cas("sku-1", 1, 0, conflict(3));
    s.cas("sku-1", 4, 0, conflict(3));
    s.get("sku-1", Some((8, 3)));
    s.cas("sku-1", 3, 7, Ok(4));
    s.get("sku-1", Some((7, 4)));
}

#[test]
fn keys_have_independent_versions() {
    let mut s = Probe::new();
    s.cas("a", 0, 1, Ok(1));
    s.cas("b", 0, 2, Ok(1));
    s.cas("a", 1, 10, Ok(2));
    s.cas("a", 2, 100, Ok(3));
    s.cas("b", 2, 20, conflict(1));
    s.cas("B", 1, 20, conflict(0));
    s.get("a", Some((100, 3)));
    s.get("b", Some((2, 1)));
    s.get("B", None);
}

#[test]
fn values_of_any_clone_type_are_stored_and_cloned_out() {
    let store: VersionedStore<Vec<String>> =
        learner(|| "VersionedStore::new()".to_string(), VersionedStore::new);
    let tags = vec!["admin".to_string(), "beta".to_string()];
    let call = "compare_and_set(\"user:7\", 0, [\"admin\", \"beta\"])";
    let got = learner(
        || call.to_string(),
        || store.compare_and_set("user:7", 0, tags.clone()),
    );
    expect_eq!(got, Ok(1), "{call}");
    let got = learner(
        || format!("after {call}: get(\"user:7\")"),
        || store.get("user:7"),
    );
    expect_eq!(
        got,
        Some((tags.clone(), 1)),
        "after {call}: get(\"user:7\")"
    );
}

// ---------------------------------------------------------------------------------------
// update_with_retry, on one thread.

#[test]
fn update_with_retry_without_contention_calls_f_once() {
    let mut s = Probe::new();
    s.cas("stock", 0, 10, Ok(1));
    let seen = RefCell::new(Vec::new());
    let call = "update_with_retry(\"stock\", 3, |n| n - 1)";
    let store = &s.store;
    let got = learner(
        || s.context(call),
        || {
            store.update_with_retry("stock", 3, |&n| {
                seen.borrow_mut().push(n);
                n - 1
            })
        },
    );
    let seen = seen.into_inner();
    if seen != [10] {
        panic!(
            "{} called f with {seen:?}, expected exactly one call, with 10 (the value read)",
            s.context(call)
        );
    }
    s.check(call.to_string(), got, Ok(2));
    s.get("stock", Some((9, 2)));
    s.check(
        "update_with_retry(\"stock\", 1, |n| n * 3)".to_string(),
        learner(
            || s.context("update_with_retry(\"stock\", 1, |n| n * 3)"),
            || s.store.update_with_retry("stock", 1, |&n| n * 3),
        ),
        Ok(3),
    );
    s.get("stock", Some((27, 3)));
}

#[test]
fn update_with_retry_on_a_missing_key_is_not_found_and_does_not_call_f() {
    let mut s = Probe::new();
    s.cas("other", 0, 1, Ok(1));
    let calls = Cell::new(0);
    let call = "update_with_retry(\"missing\", 5, f)";
    let store = &s.store;
    let got = learner(
        || s.context(call),
        || {
            store.update_with_retry("missing", 5, |&n| {
                calls.set(calls.get() + 1);
                n + 1
            })
        },
    );
    if calls.get() != 0 {
        panic!(
            "{} called f {}, expected never (a missing key is not updated)",
            s.context(call),
            times(calls.get())
        );
    }
    s.check(call.to_string(), got, Err(UpdateError::NotFound));
    s.get("missing", None);
}

#[test]
fn max_attempts_zero_makes_no_attempt() {
    let mut s = Probe::new();
    s.cas("stock", 0, 10, Ok(1));
    let calls = Cell::new(0);
    let call = "update_with_retry(\"stock\", 0, |n| n - 1)";
    let store = &s.store;
    let got = learner(
        || s.context(call),
        || {
            store.update_with_retry("stock", 0, |&n| {
                calls.set(calls.get() + 1);
                n - 1
            })
        },
    );
    if calls.get() != 0 {
        panic!(
            "{} called f {}, expected never (zero attempts)",
            s.context(call),
            times(calls.get())
        );
    }
    s.check(
        call.to_string(),
        got,
        Err(UpdateError::RetriesExhausted { attempts: 0 }),
    );
    s.get("stock", Some((10, 1)));
}

const HOLDS_LOCK_IN_F: &str = "f itself calls the store, so update_with_retry must not hold \
     the store's lock while f runs (a std Mutex locked twice by one thread never returns)";

/// What `update_with_interference` saw: the result, the values f was called with, the
/// results of f's own writes, and the record at the end.
type Interfered = (
    Result<u64, UpdateError>,
    Vec<i64>,
    Vec<Result<u64, Conflict>>,
    Option<(i64, u64)>,
);

/// Runs `update_with_retry("stock", max_attempts, f)` on a store holding "stock" = `start`
/// (version 1), where f, before returning n - 1, first writes `interference(call number)`
/// to "stock" itself when that is Some: a conflicting write from "another request".
fn update_with_interference(
    description: &str,
    start: i64,
    max_attempts: u32,
    interference: fn(usize) -> Option<i64>,
) -> Interfered {
    let what = format!("update_with_retry(\"stock\", {max_attempts}, f) ({description})");
    let outcome = with_deadline(1, &what, HOLDS_LOCK_IN_F, move || {
        let store = store_with(&[("stock", start)])?;
        let mut seen = Vec::new();
        let mut writes = Vec::new();
        try_learner(|| {
            let result = store.update_with_retry("stock", max_attempts, |&n| {
                seen.push(n);
                if let Some(value) = interference(seen.len()) {
                    let version = store.get("stock").map_or(0, |record| record.1);
                    writes.push(store.compare_and_set("stock", version, value));
                }
                n - 1
            });
            (result, seen, writes, store.get("stock"))
        })
        .map_err(|panicked| format!("{panicked}"))
    });
    match outcome {
        Ok(outcome) => outcome,
        Err(message) if message.starts_with("panicked") => panic!("{what} {message}"),
        Err(message) => panic!("{message}"),
    }
}

#[test]
fn a_conflict_makes_update_with_retry_read_again_and_retry() {
    let description = "stock is 10 at version 1; f's first call first sets stock to 7 \
                       itself, as another request would";
    let (result, seen, writes, record) =
        update_with_interference(description, 10, 5, |call| (call == 1).then_some(7));
    let call = format!("update_with_retry(\"stock\", 5, |n| n - 1) ({description})");
    if writes != [Ok(2)] {
        panic!(
            "{call}: f's own compare_and_set(\"stock\", 1, 7) returned {writes:?}, expected \
             [Ok(2)]"
        );
    }
    if seen != [10, 7] {
        panic!(
            "{call}: f was called with {seen:?}, expected [10, 7]: the first attempt conflicts \
             (version 1 is now 2), so the second attempt must read the record again"
        );
    }
    expect_eq!(result, Ok(3), "{call}");
    expect_eq!(record, Some((6, 3)), "{call}, then get(\"stock\")");
}

#[test]
fn update_with_retry_gives_up_after_max_attempts_conflicts() {
    let description = "stock is 10 at version 1; every call of f first sets stock to 100 \
                       itself, as another request would, so every attempt conflicts";
    for max_attempts in [3u32, 1] {
        let (result, seen, writes, record) =
            update_with_interference(description, 10, max_attempts, |_| Some(100));
        let call =
            format!("update_with_retry(\"stock\", {max_attempts}, |n| n - 1) ({description})");
        if seen.len() != max_attempts as usize {
            panic!(
                "{call}: f was called {} (with {seen:?}), expected {}: once per attempt, \
                 and max_attempts attempts in all",
                times(seen.len()),
                times(max_attempts as usize)
            );
        }
        let expected_writes: Vec<Result<u64, Conflict>> =
            (2..2 + max_attempts as u64).map(Ok).collect();
        if writes != expected_writes {
            panic!("{call}: f's own writes returned {writes:?}, expected {expected_writes:?}");
        }
        expect_eq!(
            result,
            Err(UpdateError::RetriesExhausted {
                attempts: max_attempts
            }),
            "{call}"
        );
        expect_eq!(
            record,
            Some((100, 1 + max_attempts as u64)),
            "{call}, then get(\"stock\")"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Real threads.

#[test]
fn other_threads_use_the_store_while_f_runs() {
    // Thread A's f waits until thread B has read and written the store.
    let what = "thread A: update_with_retry(\"a\", 3, f) whose f waits for thread B; \
                thread B: get(\"b\") and compare_and_set(\"b\", 1, 20) while A's f waits";
    let outcome = with_deadline(
        2,
        what,
        "update_with_retry must not hold the store's lock while f runs: other requests \
         must be able to use the store meanwhile",
        || {
            let store = store_with(&[("a", 1), ("b", 2)])?;
            let (entered_tx, entered_rx) = mpsc::channel::<()>();
            let (go_tx, go_rx) = mpsc::channel::<()>();
            let store = &store;
            thread::scope(|scope| {
                let a = scope.spawn(move || {
                    try_learner(|| {
                        store.update_with_retry("a", 3, move |&n| {
                            let _ = entered_tx.send(());
                            let _ = go_rx.recv();
                            n * 10
                        })
                    })
                });
                let b = scope.spawn(move || {
                    if entered_rx.recv().is_err() {
                        return Err("thread A's update_with_retry(\"a\", 3, f) returned \
                                    without calling f"
                            .to_string());
                    }
                    let got = try_learner(|| {
                        let read = store.get("b");
                        let write = store.compare_and_set("b", 1, 20);
                        (read, write)
                    });
                    drop(go_tx);
                    match got {
                        Ok((Some((2, 1)), Ok(2))) => Ok(()),
                        Ok(got) => Err(format!(
                            "while A's f ran, thread B's get(\"b\") and \
                             compare_and_set(\"b\", 1, 20) returned {got:?}, expected \
                             (Some((2, 1)), Ok(2))"
                        )),
                        Err(panicked) => Err(format!("thread B's calls {panicked}")),
                    }
                });
                let b = b.join().unwrap();
                let a = a.join().unwrap();
                let a = a.map_err(|panicked| {
                    format!("thread A: update_with_retry(\"a\", 3, f) {panicked}")
                })?;
                b?;
                match a {
                    Ok(2) => Ok(()),
                    got => Err(format!(
                        "thread A: update_with_retry(\"a\", 3, |n| n * 10) returned {got:?}, \
                         expected Ok(2)"
                    )),
                }
            })
        },
    );
    if let Err(message) = outcome {
        panic!("{message}");
    }
}

#[test]
fn two_updates_that_read_the_same_version_lose_nothing() {
    // Both threads read version 1 before either writes: their f waits for the other's.
    let what = "2 threads each calling update_with_retry(\"counter\", 10, |n| n + 1) on \
                counter = 0 (version 1), where f's first call waits until both threads \
                have called f";
    let outcome = with_deadline(
        2,
        what,
        "update_with_retry must not hold a lock while f runs (optimistic locking: the \
         version check on write replaces the lock)",
        || {
            let store = store_with(&[("counter", 0)])?;
            let rendezvous = Rendezvous::new(2);
            let results: Vec<(Result<Result<u64, UpdateError>, String>, Vec<i64>)> =
                thread::scope(|scope| {
                    let workers: Vec<_> = (0..2)
                        .map(|_| {
                            scope.spawn(|| {
                                let mut seen = Vec::new();
                                let result = try_learner(|| {
                                    store.update_with_retry("counter", 10, |&n| {
                                        seen.push(n);
                                        if seen.len() == 1 {
                                            rendezvous.arrive_and_wait();
                                        }
                                        n + 1
                                    })
                                });
                                if seen.is_empty() {
                                    rendezvous.leave();
                                }
                                (result, seen)
                            })
                        })
                        .collect();
                    workers.into_iter().map(|w| w.join().unwrap()).collect()
                });
            let record = try_learner(|| store.get("counter"));
            Ok::<_, String>((results, record))
        },
    );
    let (results, record) = match outcome {
        Ok(outcome) => outcome,
        Err(message) => panic!("{message}"),
    };
    let mut versions = Vec::new();
    for (worker, (result, seen)) in results.iter().enumerate() {
        match result {
            Ok(Ok(version)) => versions.push(*version),
            Ok(other) => panic!(
                "{what}: thread {worker}'s update_with_retry returned {other:?} (f saw \
                 {seen:?}), expected Ok(2) or Ok(3)"
            ),
            Err(panicked) => panic!("{what}: thread {worker}'s update_with_retry {panicked}"),
        }
    }
    let record = match record {
        Ok(record) => record,
        Err(panicked) => panic!("{what}, then get(\"counter\") {panicked}"),
    };
    if record != Some((2, 3)) {
        panic!(
            "{what}, then get(\"counter\") returned {record:?}, expected Some((2, 3)): an \
             increment was lost. Both threads computed 0 + 1 from version 1, so the second \
             write must conflict and retry from the first one's result (f saw {:?} and {:?})",
            results[0].1, results[1].1
        );
    }
    versions.sort_unstable();
    if versions != [2, 3] {
        panic!("{what}: the two calls returned versions {versions:?}, expected 2 and 3");
    }
    let calls: usize = results.iter().map(|r| r.1.len()).sum();
    if calls != 3 {
        panic!(
            "{what}: f was called {calls} times in all (thread 0 saw {:?}, thread 1 saw \
             {:?}), expected 3: each thread once, and the loser once more after its conflict",
            results[0].1, results[1].1
        );
    }
}

#[test]
fn eight_threads_incrementing_one_record_lose_no_update() {
    const THREADS: usize = 8;
    const INCREMENTS: usize = 25;
    // Every failed attempt means another call succeeded, so a call can fail at most
    // THREADS * INCREMENTS - 1 times: this many attempts can never run out.
    const MAX_ATTEMPTS: u32 = (THREADS * INCREMENTS) as u32;
    let what = format!(
        "{THREADS} threads each calling update_with_retry(\"counter\", {MAX_ATTEMPTS}, |n| n + 1) \
         {INCREMENTS} times on counter = 0 (version 1)"
    );
    let outcome = with_deadline(
        THREADS,
        &what,
        "look for a lock that is never released, or held while f runs",
        || {
            let store = store_with(&[("counter", 0)])?;
            let start = Barrier::new(THREADS);
            let results: Vec<Result<Vec<Result<u64, UpdateError>>, String>> =
                thread::scope(|scope| {
                    let workers: Vec<_> = (0..THREADS)
                        .map(|_| {
                            scope.spawn(|| {
                                start.wait();
                                try_learner(|| {
                                    (0..INCREMENTS)
                                        .map(|_| {
                                            store.update_with_retry("counter", MAX_ATTEMPTS, |&n| {
                                                n + 1
                                            })
                                        })
                                        .collect()
                                })
                            })
                        })
                        .collect();
                    workers.into_iter().map(|w| w.join().unwrap()).collect()
                });
            let record = try_learner(|| store.get("counter"));
            Ok::<_, String>((results, record))
        },
    );
    let (results, record) = match outcome {
        Ok(outcome) => outcome,
        Err(message) => panic!("{message}"),
    };
    let mut versions = Vec::new();
    for (worker, result) in results.into_iter().enumerate() {
        match result {
            Ok(calls) => {
                for (i, got) in calls.into_iter().enumerate() {
                    match got {
                        Ok(version) => versions.push(version),
                        Err(error) => panic!(
                            "{what}: thread {worker}'s call {i} returned Err({error:?}), \
                             expected Ok(_): with {MAX_ATTEMPTS} attempts a call cannot run \
                             out, since every conflict means another call succeeded"
                        ),
                    }
                }
            }
            Err(panicked) => panic!("{what}: thread {worker}'s update_with_retry {panicked}"),
        }
    }
    let total = (THREADS * INCREMENTS) as i64;
    let expected = Some((total, total as u64 + 1));
    match record {
        Ok(record) if record == expected => {}
        Ok(record) => panic!(
            "{what}, then get(\"counter\") returned {record:?}, expected {expected:?}: \
             every increment must land exactly once (no lost update)"
        ),
        Err(panicked) => panic!("{what}, then get(\"counter\") {panicked}"),
    }
    let last = total as u64 + 1;
    if let Some(v) = versions.iter().find(|&&v| !(2..=last).contains(&v)) {
        panic!(
            "{what}: a call returned Ok({v}), expected versions 2 to {last} (each exactly \
             once): each call returns the version its own write created"
        );
    }
    let mut counts = vec![0usize; last as usize + 1];
    for &v in &versions {
        counts[v as usize] += 1;
    }
    if let Some(v) = (2..=last).find(|&v| counts[v as usize] != 1) {
        panic!(
            "{what}: version {v} was returned by {} calls, expected exactly one: each call \
             returns the version its own write created",
            counts[v as usize]
        );
    }
}

#[test]
fn eight_threads_creating_one_key_only_one_wins() {
    const THREADS: usize = 8;
    let what = format!(
        "{THREADS} threads each calling compare_and_set(\"job:1\", 0, thread_number) at once"
    );
    let outcome = with_deadline(
        THREADS,
        &what,
        "look for a lock that is never released",
        || {
            let store = store_with(&[])?;
            let start = Barrier::new(THREADS);
            let results: Vec<Result<Result<u64, Conflict>, String>> = thread::scope(|scope| {
                let workers: Vec<_> = (0..THREADS)
                    .map(|t| {
                        let (store, start) = (&store, &start);
                        scope.spawn(move || {
                            start.wait();
                            try_learner(|| store.compare_and_set("job:1", 0, t as i64))
                        })
                    })
                    .collect();
                workers.into_iter().map(|w| w.join().unwrap()).collect()
            });
            let record = try_learner(|| store.get("job:1"));
            Ok::<_, String>((results, record))
        },
    );
    let (results, record) = match outcome {
        Ok(outcome) => outcome,
        Err(message) => panic!("{message}"),
    };
    let mut winners = Vec::new();
    for (worker, result) in results.iter().enumerate() {
        match result {
            Ok(Ok(1)) => winners.push(worker),
            Ok(Err(Conflict { current_version: 1 })) => {}
            Ok(other) => panic!(
                "{what}: thread {worker}'s call returned {other:?}, expected Ok(1) for the \
                 one winner and Err(Conflict {{ current_version: 1 }}) for the others"
            ),
            Err(panicked) => panic!("{what}: thread {worker}'s call {panicked}"),
        }
    }
    if winners.len() != 1 {
        panic!(
            "{what}: threads {winners:?} got Ok(1), expected exactly one winner (the others \
             get Err(Conflict {{ current_version: 1 }}))"
        );
    }
    match record {
        Ok(record) => expect_eq!(
            record,
            Some((winners[0] as i64, 1)),
            "{what}, where thread {} won, then get(\"job:1\")",
            winners[0]
        ),
        Err(panicked) => panic!("{what}, then get(\"job:1\") {panicked}"),
    }
}

#[test]
fn two_writers_with_the_same_version_at_the_same_instant_never_both_succeed() {
    const ROUNDS: usize = 50_000;
    let what = "round after round, two threads each calling compare_and_set(key, 0, \
                thread_number) at the same instant, on a new key every round";
    let complaint = with_deadline(2, what, "look for a lock that is never released", || {
        let store = store_with(&[])?;
        let keys: Vec<String> = (0..ROUNDS).map(|round| format!("order:{round}")).collect();
        let play = |round: usize, thread: usize| {
            try_learner(|| store.compare_and_set(&keys[round], 0, thread as i64))
        };
        let judge = |round: usize, results: [Result<Result<u64, Conflict>, String>; 2]| {
            let key = &keys[round];
            let winners = results.iter().filter(|r| matches!(r, Ok(Ok(_)))).count();
            match results {
                [Err(panicked), _] | [_, Err(panicked)] => {
                    Some(format!("compare_and_set({key:?}, 0, _) {panicked}"))
                }
                [Ok(Ok(1)), Ok(Err(Conflict { current_version: 1 }))]
                | [Ok(Err(Conflict { current_version: 1 })), Ok(Ok(1))] => None,
                [first, second] if winners == 2 => Some(format!(
                    "in round {round}, both threads' compare_and_set({key:?}, 0, _) \
                         succeeded: they returned {:?} and {:?}, expected Ok(1) for one and \
                         Err(Conflict {{ current_version: 1 }}) for the other. Comparing the \
                         version and writing must be one step under one lock: between two \
                         separate locks, the other writer compared against the same version",
                    first.unwrap(),
                    second.unwrap()
                )),
                [first, second] => Some(format!(
                    "in round {round}, the two threads' compare_and_set({key:?}, 0, _) \
                         returned {:?} and {:?}, expected Ok(1) for one and \
                         Err(Conflict {{ current_version: 1 }}) for the other",
                    first.unwrap(),
                    second.unwrap()
                )),
            }
        };
        Ok::<_, String>(collide(ROUNDS, play, judge))
    });
    match complaint {
        Ok(None) => {}
        Ok(Some(complaint)) | Err(complaint) => panic!("{what}: {complaint}"),
    }
}
