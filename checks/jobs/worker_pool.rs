use super::worker_pool::{SubmitError, WorkerPool};

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Condvar, Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

thread_local! {
    static IN_LEARNER_CODE: Cell<bool> = const { Cell::new(false) };
    static CAUGHT_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Set by a job that panics on purpose, so that its panic prints nothing.
    static QUIET_PANIC: Cell<bool> = const { Cell::new(false) };
}
static QUIET_HOOK: Once = Once::new();

fn install_hook() {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET_PANIC.with(Cell::get) {
                return;
            }
            if IN_LEARNER_CODE.with(Cell::get) {
                let text = info.to_string();
                CAUGHT_PANIC.with(|c| *c.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f` (which calls the learner's code); a panic comes back as "panicked at ...: msg".
fn try_learner<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_hook();
    let outer = IN_LEARNER_CODE.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_LEARNER_CODE.with(|c| c.set(outer));
    result.map_err(|_| {
        CAUGHT_PANIC
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| "panicked".to_string())
    })
}

/// `try_learner` with the call named in the error: "`call` panicked at ...".
fn call<R>(call: &str, f: impl FnOnce() -> R) -> Result<R, String> {
    try_learner(f).map_err(|panicked| format!("{call} {panicked}"))
}

/// Resets `QUIET_PANIC` when a deliberately panicking job unwinds.
struct QuietPanic;

impl QuietPanic {
    fn start() -> Self {
        install_hook();
        QUIET_PANIC.with(|q| q.set(true));
        QuietPanic
    }
}

impl Drop for QuietPanic {
    fn drop(&mut self) {
        QUIET_PANIC.with(|q| q.set(false));
    }
}

// ---------------------------------------------------------------------------------------
// Deadlock detection: the work runs on a thread of its own, and the check waits for it with
// a deadline. A deadlocked thread is left behind (the grader ends the process).

/// Threads left blocked by earlier checks in this run.
static STUCK_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Runs `work`, which starts about `threads` threads of its own, on a new thread and waits
/// at most 2 s for it (0.2 s once an earlier check already found a deadlock).
fn with_deadline<R: Send + 'static>(
    threads: usize,
    what: &str,
    why: &str,
    work: impl FnOnce() -> R + Send + 'static,
) -> R {
    let stuck = STUCK_THREADS.load(Ordering::SeqCst);
    if stuck + threads > 24 {
        panic!(
            "not run: earlier checks left {stuck} threads deadlocked; fix the deadlock they \
             report first"
        );
    }
    let (limit, limit_text) = if stuck == 0 && !GATES_GAVE_UP.load(Ordering::SeqCst) {
        (Duration::from_secs(2), "2 s")
    } else {
        (Duration::from_millis(200), "0.2 s")
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

/// Fails the check with the message of a failed scenario, after what was run.
fn unwrap_outcome<T>(what: &str, outcome: Result<T, String>) -> T {
    match outcome {
        Ok(value) => value,
        Err(message) => panic!("{what}: {message}"),
    }
}

// ---------------------------------------------------------------------------------------
// Tools for jobs: a flag to wait on, and a log of the jobs that ran.

/// A flag threads can wait for, with a time limit, so a broken pool cannot hang a check.
struct Flag {
    set: Mutex<bool>,
    changed: Condvar,
}

impl Flag {
    fn new() -> Arc<Self> {
        Arc::new(Flag {
            set: Mutex::new(false),
            changed: Condvar::new(),
        })
    }

    fn set(&self) {
        *self.set.lock().unwrap() = true;
        self.changed.notify_all();
    }

    fn is_set(&self) -> bool {
        *self.set.lock().unwrap()
    }

    /// Waits until the flag is set or `limit` passes; whether it is set.
    fn wait(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        let mut set = self.set.lock().unwrap();
        while !*set {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            set = self.changed.wait_timeout(set, deadline - now).unwrap().0;
        }
        true
    }
}

/// How long a job waits on a gate the check has not opened (a safety net: the checks
/// open their gates right after a few calls, so with a correct pool no gate times out).
const GATE_LIMIT: Duration = Duration::from_millis(1500);

/// Set once a gate timed out: the pool blocked the check while a job ran. Later gates and
/// deadlines are then short, so a broken pool fails every check quickly.
static GATES_GAVE_UP: AtomicBool = AtomicBool::new(false);

fn gate_limit() -> Duration {
    if GATES_GAVE_UP.load(Ordering::SeqCst) {
        Duration::from_millis(100)
    } else {
        GATE_LIMIT
    }
}

const BLOCKED_BY_A_JOB: &str = "a job waited 1.5 s for a gate that the check opens right \
     after its next few calls, so those calls (submit or shutdown) could not return while \
     the job ran: never hold the queue's lock while a job runs";

/// Which jobs started and finished, in order.
#[derive(Default)]
struct Log {
    state: Mutex<(Vec<usize>, Vec<usize>)>,
    changed: Condvar,
    gate_timed_out: AtomicBool,
}

impl Log {
    fn new() -> Arc<Self> {
        Arc::new(Log::default())
    }

    fn started(&self, id: usize) {
        self.state.lock().unwrap().0.push(id);
        self.changed.notify_all();
    }

    fn finished(&self, id: usize) {
        self.state.lock().unwrap().1.push(id);
        self.changed.notify_all();
    }

    fn gate_timed_out(&self) {
        self.gate_timed_out.store(true, Ordering::SeqCst);
        GATES_GAVE_UP.store(true, Ordering::SeqCst);
    }

    /// `Err` if some job's gate timed out.
    fn check_gates(&self) -> Result<(), String> {
        if self.gate_timed_out.load(Ordering::SeqCst) {
            Err(BLOCKED_BY_A_JOB.to_string())
        } else {
            Ok(())
        }
    }

    fn starts(&self) -> Vec<usize> {
        self.state.lock().unwrap().0.clone()
    }

    fn finishes(&self) -> Vec<usize> {
        self.state.lock().unwrap().1.clone()
    }

    /// Waits until `n` jobs have started, at most `limit`; whether they have.
    fn wait_started(&self, n: usize, limit: Duration) -> bool {
        self.wait(limit, |s| s.0.len() >= n)
    }

    /// Waits until `n` jobs have finished, at most `limit`; whether they have.
    fn wait_finished(&self, n: usize, limit: Duration) -> bool {
        self.wait(limit, |s| s.1.len() >= n)
    }

    fn wait(&self, limit: Duration, done: impl Fn(&(Vec<usize>, Vec<usize>)) -> bool) -> bool {
        let deadline = Instant::now() + limit;
        let mut state = self.state.lock().unwrap();
        while !done(&state) {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap().0;
        }
        true
    }
}

/// A job that logs its start, waits for `gate` (if any), and logs its end.
fn job(log: &Arc<Log>, id: usize, gate: Option<&Arc<Flag>>) -> impl FnOnce() + Send + 'static {
    let log = Arc::clone(log);
    let gate = gate.map(Arc::clone);
    move || {
        log.started(id);
        if let Some(gate) = gate {
            if !gate.wait(gate_limit()) {
                log.gate_timed_out();
            }
        }
        log.finished(id);
    }
}

fn new_pool(workers: usize, capacity: usize) -> Result<Arc<WorkerPool>, String> {
    call(&format!("WorkerPool::new({workers}, {capacity})"), || {
        Arc::new(WorkerPool::new(workers, capacity))
    })
}

fn shutdown(pool: &WorkerPool) -> Result<(), String> {
    call("shutdown()", || pool.shutdown())
}

/// How many times each id in `0..n` appears in `ids`.
fn run_counts(ids: &[usize], n: usize) -> Vec<usize> {
    let mut counts = vec![0; n];
    for &id in ids {
        if id < n {
            counts[id] += 1;
        }
    }
    counts
}

/// `Err` unless `accepted` jobs had finished when shutdown returned.
fn all_finished(finished: &[usize], accepted: usize) -> Result<(), String> {
    if finished.len() >= accepted {
        return Ok(());
    }
    if accepted == 1 {
        return Err(
            "when shutdown() returned, the accepted job had not finished: shutdown \
                    must let the workers finish every running and queued job, and return \
                    only after joining them"
                .to_string(),
        );
    }
    Err(format!(
        "when shutdown() returned, {} of the {accepted} accepted jobs had finished, expected \
         all {accepted}: shutdown must let the workers finish every running and queued job, \
         and return only after joining them",
        finished.len()
    ))
}

/// "job 0", "jobs 0 and 1", "jobs 0 to 2".
fn jobs_text(n: usize) -> String {
    match n {
        1 => "job 0".to_string(),
        2 => "jobs 0 and 1".to_string(),
        _ => format!("jobs 0 to {}", n - 1),
    }
}

const SHUTDOWN_JOINS: &str = "shutdown must wake every idle worker (notify_all, or drop the \
     channel's sender) and join them all; and never hold the queue's lock while a job runs";

// ---------------------------------------------------------------------------------------
// Checks.

#[test]
fn new_panics_without_workers_or_without_queue_capacity() {
    for (workers, capacity) in [(0usize, 4usize), (2, 0)] {
        let got = try_learner(|| {
            let pool = WorkerPool::new(workers, capacity);
            // Do not wait for a pool that should not exist: leave it behind.
            std::mem::forget(pool);
        });
        if got.is_ok() {
            panic!(
                "WorkerPool::new({workers}, {capacity}) returned a pool, expected a panic: a \
                 pool without workers, or without room for a single queued job, could never \
                 run anything"
            );
        }
    }
}

#[test]
fn every_accepted_job_runs_exactly_once() {
    const JOBS: usize = 300;
    let what = format!(
        "WorkerPool::new(4, {JOBS}), then submit(job i) for i in 0..{JOBS}, then shutdown()"
    );
    let outcome = with_deadline(4, &what, SHUTDOWN_JOINS, move || {
        let pool = new_pool(4, JOBS)?;
        let log = Log::new();
        let mut refused = Vec::new();
        for i in 0..JOBS {
            let got = call(&format!("submit(job {i})"), || {
                pool.submit(job(&log, i, None))
            })?;
            if let Err(error) = got {
                refused.push((i, error));
            }
        }
        shutdown(&pool)?;
        let finished = log.finishes();
        all_finished(&finished, JOBS - refused.len())?;
        Ok((refused, finished))
    });
    let (refused, finished) = unwrap_outcome(&what, outcome);
    if let Some((i, error)) = refused.first() {
        panic!(
            "{what}: submit(job {i}) returned Err({error:?}), expected Ok(()): the queue holds \
             {JOBS} jobs"
        );
    }
    let counts = run_counts(&finished, JOBS);
    if let Some(i) = (0..JOBS).find(|&i| counts[i] != 1) {
        panic!(
            "{what}: when shutdown() returned, job {i} had run {} times, expected exactly once \
             ({} job runs in all, expected {JOBS})",
            counts[i],
            finished.len()
        );
    }
}

#[test]
fn one_worker_starts_jobs_in_submission_order() {
    let what = "WorkerPool::new(1, 10), with the worker busy on job 0 (it waits for a gate), \
                then submit(job i) for i in 1..=8, then the gate opens, then shutdown()";
    let outcome = with_deadline(1, what, SHUTDOWN_JOINS, move || {
        let pool = new_pool(1, 10)?;
        let (log, gate) = (Log::new(), Flag::new());
        call("submit(job 0)", || pool.submit(job(&log, 0, Some(&gate))))?
            .map_err(|e| format!("submit(job 0) returned Err({e:?}), expected Ok(())"))?;
        if !log.wait_started(1, gate_limit()) {
            gate.set();
            return Err("job 0 did not start: the worker never took it from the queue".into());
        }
        let mut results = Vec::new();
        for i in 1..=8 {
            results.push(call(&format!("submit(job {i})"), || {
                pool.submit(job(&log, i, None))
            })?);
        }
        gate.set();
        shutdown(&pool)?;
        log.check_gates()?;
        let accepted = 1 + results.iter().filter(|r| r.is_ok()).count();
        all_finished(&log.finishes(), accepted)?;
        Ok((results, log.starts()))
    });
    let (results, starts) = unwrap_outcome(&what, outcome);
    for (i, result) in results.iter().enumerate() {
        expect_eq!(*result, Ok(()), "{what}: submit(job {})", i + 1);
    }
    let expected: Vec<usize> = (0..=8).collect();
    if starts != expected {
        panic!(
            "{what}: the jobs started in the order {starts:?}, expected {expected:?}: the \
             queue is first in, first out"
        );
    }
}

#[test]
fn four_workers_run_four_jobs_at_the_same_time() {
    const WORKERS: usize = 4;
    let what = format!(
        "WorkerPool::new({WORKERS}, {WORKERS}), then {WORKERS} jobs that each wait (up to 1 s) \
         until all {WORKERS} are running, then shutdown()"
    );
    let outcome = with_deadline(WORKERS, &what, SHUTDOWN_JOINS, move || {
        let pool = new_pool(WORKERS, WORKERS)?;
        let arrived = Arc::new((Mutex::new((0usize, 0usize)), Condvar::new()));
        let done = Arc::new(AtomicUsize::new(0));
        for i in 0..WORKERS {
            let (arrived, done) = (Arc::clone(&arrived), Arc::clone(&done));
            let job = move || {
                let (state, changed) = &*arrived;
                let mut state = state.lock().unwrap();
                state.0 += 1;
                state.1 = state.1.max(state.0);
                changed.notify_all();
                let deadline = Instant::now() + Duration::from_secs(1);
                // Once one job gave up waiting, the others do not wait either.
                while state.1 < WORKERS && state.1 != usize::MAX {
                    let now = Instant::now();
                    if now >= deadline {
                        state.1 = usize::MAX;
                        break;
                    }
                    state = changed.wait_timeout(state, deadline - now).unwrap().0;
                }
                state.0 -= 1;
                changed.notify_all();
                done.fetch_add(1, Ordering::SeqCst);
            };
            call(&format!("submit(job {i})"), || pool.submit(job))?
                .map_err(|e| format!("submit(job {i}) returned Err({e:?}), expected Ok(())"))?;
        }
        shutdown(&pool)?;
        let done = done.load(Ordering::SeqCst);
        all_finished(&vec![0; done], WORKERS)?;
        let most = arrived.0.lock().unwrap().1;
        Ok(most)
    });
    let most = unwrap_outcome(&what, outcome);
    if most != WORKERS {
        panic!(
            "{what}: the jobs never all ran at the same time, so they gave up waiting for each \
             other: {WORKERS} workers must run {WORKERS} jobs in parallel (take a job under \
             the lock, then release the lock before running it)"
        );
    }
}

/// Starts `workers` jobs that wait for a gate, waits until they all run, then submits
/// `extra` more jobs; returns the results of those submits and, after the gate opened and
/// shutdown returned, the ids of the jobs that ran.
fn fill_and_overflow(
    workers: usize,
    capacity: usize,
    extra: usize,
) -> Result<(Vec<Result<(), SubmitError>>, Vec<usize>), String> {
    let pool = new_pool(workers, capacity)?;
    let (log, gate) = (Log::new(), Flag::new());
    // One at a time: each job is running before the next is submitted, so the queue
    // never holds more than one of them, whatever the capacity.
    for i in 0..workers {
        let got = call(&format!("submit(job {i})"), || {
            pool.submit(job(&log, i, Some(&gate)))
        })?;
        if got.is_err() {
            gate.set();
            return Err(format!(
                "submit(job {i}) returned {got:?} with {} running and nothing queued, \
                 expected Ok(())",
                jobs_text(i)
            ));
        }
        if !log.wait_started(i + 1, gate_limit()) {
            gate.set();
            return Err(format!(
                "after submit(job j) for j in 0..={i}, only {} of the jobs started within \
                 {} s: each of the {workers} workers should take one",
                log.starts().len(),
                GATE_LIMIT.as_secs_f64()
            ));
        }
    }
    let mut results = Vec::new();
    for i in workers..workers + extra {
        results.push(call(&format!("submit(job {i})"), || {
            pool.submit(job(&log, i, None))
        })?);
    }
    gate.set();
    shutdown(&pool)?;
    log.check_gates()?;
    let finished = log.finishes();
    all_finished(
        &finished,
        workers + results.iter().filter(|r| r.is_ok()).count(),
    )?;
    Ok((results, finished))
}

#[test]
fn a_full_queue_refuses_jobs_at_once() {
    let what = "WorkerPool::new(2, 3), with both workers busy on jobs 0 and 1 (they wait for \
                a gate), then submit(job i) for i in 2..7";
    let outcome = with_deadline(2, what, SHUTDOWN_JOINS, || fill_and_overflow(2, 3, 5));
    let (results, finished) = unwrap_outcome(&what, outcome);
    let full = Err(SubmitError::QueueFull);
    let expected = vec![Ok(()), Ok(()), Ok(()), full, full];
    if results != expected {
        panic!(
            "{what} returned {results:?}, expected {expected:?}: three jobs fill the queue, \
             and a full queue refuses the next ones at once (running jobs do not count)"
        );
    }
    let counts = run_counts(&finished, 7);
    let expected_counts = vec![1, 1, 1, 1, 1, 0, 0];
    if counts != expected_counts {
        panic!(
            "{what}, then the gate opens and shutdown(): jobs 0 to 6 ran {counts:?} times, \
             expected {expected_counts:?}: accepted jobs run exactly once, refused ones never"
        );
    }
}

#[test]
fn running_jobs_do_not_count_toward_the_capacity() {
    let what = "WorkerPool::new(3, 1), with all three workers busy on jobs 0 to 2 (they wait \
                for a gate), then submit(job 3) and submit(job 4)";
    let outcome = with_deadline(3, what, SHUTDOWN_JOINS, || fill_and_overflow(3, 1, 2));
    let (results, finished) = unwrap_outcome(&what, outcome);
    let expected = vec![Ok(()), Err(SubmitError::QueueFull)];
    if results != expected {
        panic!(
            "{what} returned {results:?}, expected {expected:?}: the capacity counts queued \
             jobs only, not the ones workers are running"
        );
    }
    let counts = run_counts(&finished, 5);
    expect_eq!(
        counts,
        vec![1, 1, 1, 1, 0],
        "{what}, then the gate opens and shutdown(): how many times jobs 0 to 4 ran"
    );
}

#[test]
fn a_full_queue_accepts_again_once_the_workers_catch_up() {
    let what = "WorkerPool::new(1, 2), with the worker busy on job 0 (it waits for a gate) and \
                jobs 1 and 2 queued, submit(job 3) -> Err(QueueFull); then the gate opens, \
                jobs 0 to 2 finish, and submit(job 4)";
    let outcome = with_deadline(1, what, SHUTDOWN_JOINS, move || {
        let pool = new_pool(1, 2)?;
        let (log, gate) = (Log::new(), Flag::new());
        call("submit(job 0)", || pool.submit(job(&log, 0, Some(&gate))))?
            .map_err(|e| format!("submit(job 0) returned Err({e:?}), expected Ok(())"))?;
        if !log.wait_started(1, gate_limit()) {
            gate.set();
            return Err("job 0 did not start: the worker never took it from the queue".into());
        }
        let mut results = Vec::new();
        for i in 1..=3 {
            results.push(call(&format!("submit(job {i})"), || {
                pool.submit(job(&log, i, None))
            })?);
        }
        gate.set();
        let accepted = 1 + results.iter().filter(|r| r.is_ok()).count();
        let caught_up = log.wait_finished(accepted, gate_limit());
        results.push(call("submit(job 4)", || pool.submit(job(&log, 4, None)))?);
        shutdown(&pool)?;
        log.check_gates()?;
        let finished = log.finishes();
        all_finished(&finished, accepted + usize::from(results[3].is_ok()))?;
        Ok((results, caught_up, finished))
    });
    let (results, caught_up, finished) = unwrap_outcome(&what, outcome);
    let expected = vec![Ok(()), Ok(()), Err(SubmitError::QueueFull), Ok(())];
    if results[..3] != expected[..3] {
        panic!(
            "{what}: submit(job 1) to submit(job 3) returned {:?}, expected {:?}: with the \
             worker busy, two queued jobs fill a queue of capacity 2",
            &results[..3],
            &expected[..3]
        );
    }
    if !caught_up {
        panic!("{what}: jobs 0 to 2 did not all finish after the gate opened (ran: {finished:?})");
    }
    if results != expected {
        panic!(
            "{what}: submit(job 1) to submit(job 4) returned {results:?}, expected \
             {expected:?}: once the worker has taken the queued jobs there is room again"
        );
    }
    expect_eq!(
        run_counts(&finished, 5),
        vec![1, 1, 1, 0, 1],
        "{what}, then shutdown(): how many times jobs 0 to 4 ran"
    );
}

#[test]
fn shutdown_finishes_the_queued_jobs_before_it_returns() {
    // Job 0 runs while shutdown() is called on another thread. It probes submit until the
    // pool says it is shutting down, then keeps running 20 ms more, watching whether
    // shutdown() returns meanwhile: it must not, since job 0 still runs and jobs 1 to 5
    // are still queued.
    let what = "WorkerPool::new(1, 5), with the worker busy on job 0 and jobs 1 to 5 queued, \
                then shutdown() on another thread while job 0 keeps running";
    let outcome = with_deadline(2, what, SHUTDOWN_JOINS, move || {
        let pool = new_pool(1, 5)?;
        let (log, filled, returned) = (Log::new(), Flag::new(), Flag::new());
        let probes = Arc::new(Mutex::new(Vec::new()));
        let first = {
            let (pool, log, filled, returned) = (
                Arc::clone(&pool),
                Arc::clone(&log),
                Arc::clone(&filled),
                Arc::clone(&returned),
            );
            let probes = Arc::clone(&probes);
            move || {
                log.started(0);
                if !filled.wait(gate_limit()) {
                    log.gate_timed_out();
                }
                // Probe with submit until the pool says it is shutting down.
                let deadline = Instant::now() + Duration::from_secs(1);
                loop {
                    let got = try_learner(|| pool.submit(|| {}));
                    let done = !matches!(got, Ok(Err(SubmitError::QueueFull)));
                    probes.lock().unwrap().push(got);
                    if done || Instant::now() >= deadline {
                        break;
                    }
                    thread::sleep(Duration::from_millis(1));
                }
                // Shutdown has started: it must not return while this job runs.
                returned.wait(Duration::from_millis(20));
                log.finished(0);
            }
        };
        call("submit(job 0)", || pool.submit(first))?
            .map_err(|e| format!("submit(job 0) returned Err({e:?}), expected Ok(())"))?;
        if !log.wait_started(1, gate_limit()) {
            filled.set();
            return Err("job 0 did not start: the worker never took it from the queue".into());
        }
        for i in 1..=5 {
            let got = call(&format!("submit(job {i})"), || {
                pool.submit(job(&log, i, None))
            })?;
            if let Err(e) = got {
                filled.set();
                return Err(format!(
                    "submit(job {i}) returned Err({e:?}) with job 0 running and {} queued, \
                     expected Ok(())",
                    if i == 1 {
                        "nothing".to_string()
                    } else {
                        format!("jobs 1 to {}", i - 1)
                    }
                ));
            }
        }
        filled.set();
        let closer = {
            let (pool, log, returned) =
                (Arc::clone(&pool), Arc::clone(&log), Arc::clone(&returned));
            thread::spawn(move || {
                let result = shutdown(&pool);
                let finished_at_return = log.finishes();
                returned.set();
                result.map(|()| finished_at_return)
            })
        };
        let finished = closer.join().unwrap()?;
        log.check_gates()?;
        all_finished(&finished, 6)?;
        let probes = probes.lock().unwrap().clone();
        Ok((finished, probes))
    });
    let (finished, probes) = unwrap_outcome(&what, outcome);
    let counts = run_counts(&finished, 6);
    if counts != [1; 6] {
        panic!(
            "{what}: when shutdown() returned, jobs 0 to 5 had run {counts:?} times, expected \
             [1, 1, 1, 1, 1, 1]: each accepted job runs exactly once"
        );
    }
    let mut seen = Vec::new();
    for probe in probes {
        match probe {
            Ok(got) => seen.push(got),
            Err(panicked) => panic!("{what}: job 0's submit(|| {{}}) {panicked}"),
        }
    }
    if let Some(accepted) = seen.iter().position(|p| p.is_ok()) {
        panic!(
            "{what}: job 0's submit(|| {{}}) number {} returned Ok(()) with 5 jobs queued, \
             expected Err(QueueFull)",
            accepted + 1
        );
    }
    if seen.last() != Some(&Err(SubmitError::ShuttingDown)) {
        let shown = if seen.len() > 3 {
            format!("..., {:?}", &seen[seen.len() - 3..])
        } else {
            format!("{seen:?}")
        };
        panic!(
            "{what}: job 0 kept calling submit(|| {{}}) for 1 s while shutdown() was running, \
             and it returned {shown}, never Err(ShuttingDown): once shutdown() is called, \
             submit refuses with ShuttingDown, even when the queue is full"
        );
    }
}

#[test]
fn after_shutdown_submit_is_refused_and_a_second_shutdown_returns() {
    let what = "WorkerPool::new(2, 4), submit(job 0), shutdown(), then submit(job 1) and \
                shutdown() again";
    let outcome = with_deadline(2, what, SHUTDOWN_JOINS, move || {
        let pool = new_pool(2, 4)?;
        let log = Log::new();
        let first = call("submit(job 0)", || pool.submit(job(&log, 0, None)))?;
        shutdown(&pool)?;
        all_finished(&log.finishes(), usize::from(first.is_ok()))?;
        let second = call("submit(job 1)", || pool.submit(job(&log, 1, None)))?;
        call("the second shutdown()", || pool.shutdown())?;
        Ok((first, second, log.finishes()))
    });
    let (first, second, finished) = unwrap_outcome(&what, outcome);
    expect_eq!(first, Ok(()), "{what}: submit(job 0)");
    expect_eq!(
        second,
        Err(SubmitError::ShuttingDown),
        "{what}: submit(job 1)"
    );
    expect_eq!(finished, vec![0], "{what}: the jobs that ran");
}

#[test]
fn shutdown_of_an_idle_pool_wakes_and_joins_every_worker() {
    let what = "WorkerPool::new(4, 4), 4 jobs, a pause of 10 ms (every worker is idle and \
                waiting for work), then shutdown()";
    let outcome = with_deadline(4, what, SHUTDOWN_JOINS, move || {
        let pool = new_pool(4, 4)?;
        let log = Log::new();
        for i in 0..4 {
            call(&format!("submit(job {i})"), || {
                pool.submit(job(&log, i, None))
            })?
            .map_err(|e| format!("submit(job {i}) returned Err({e:?}), expected Ok(())"))?;
        }
        log.wait_finished(4, gate_limit());
        thread::sleep(Duration::from_millis(10));
        shutdown(&pool)?;
        all_finished(&log.finishes(), 4)?;
        Ok(log.finishes())
    });
    let finished = unwrap_outcome(&what, outcome);
    expect_eq!(
        run_counts(&finished, 4),
        vec![1, 1, 1, 1],
        "{what}: how many times jobs 0 to 3 ran"
    );
}

#[test]
fn a_panicking_job_does_not_kill_its_worker() {
    let what = "WorkerPool::new(1, 4), submit(a job that panics), then submit(job i) for i in \
                0..3, then shutdown()";
    let outcome = with_deadline(1, what, SHUTDOWN_JOINS, move || {
        let pool = new_pool(1, 4)?;
        let log = Log::new();
        let boom = || {
            let _quiet = QuietPanic::start();
            panic!("this job fails");
        };
        call("submit(a job that panics)", || pool.submit(boom))?.map_err(|e| {
            format!("submit(a job that panics) returned Err({e:?}), expected Ok(())")
        })?;
        let mut results = Vec::new();
        for i in 0..3 {
            results.push(call(&format!("submit(job {i})"), || {
                pool.submit(job(&log, i, None))
            })?);
        }
        shutdown(&pool)?;
        Ok((results, log.finishes()))
    });
    let (results, finished) = unwrap_outcome(&what, outcome);
    expect_eq!(
        results,
        vec![Ok(()); 3],
        "{what}: submit(job i) for i in 0..3"
    );
    let counts = run_counts(&finished, 3);
    if counts != [1, 1, 1] {
        panic!(
            "{what}: jobs 0 to 2 ran {counts:?} times, expected [1, 1, 1]: a job's panic must \
             not kill the worker; catch it with std::panic::catch_unwind(AssertUnwindSafe(job)) \
             and take the next job"
        );
    }
}

#[test]
fn a_job_can_submit_a_follow_up_job_to_its_own_pool() {
    let what = "WorkerPool::new(1, 2), then submit(job A), where job A itself calls \
                submit(job B) on the same pool, then (once B ran) shutdown()";
    let outcome = with_deadline(
        1,
        what,
        "never hold the queue's lock while a job runs: a job that calls submit would wait \
         for a lock its own worker holds",
        move || {
            let pool = new_pool(1, 2)?;
            let log = Log::new();
            let inner = Arc::new(Mutex::new(None));
            let a = {
                let (pool, log, inner) = (Arc::clone(&pool), Arc::clone(&log), Arc::clone(&inner));
                move || {
                    log.started(0);
                    let got = try_learner(|| pool.submit(job(&log, 1, None)));
                    *inner.lock().unwrap() = Some(got);
                    log.finished(0);
                }
            };
            call("submit(job A)", || pool.submit(a))?
                .map_err(|e| format!("submit(job A) returned Err({e:?}), expected Ok(())"))?;
            log.wait_finished(2, gate_limit());
            shutdown(&pool)?;
            let inner = inner.lock().unwrap().clone();
            Ok((inner, log.finishes()))
        },
    );
    let (inner, finished) = unwrap_outcome(&what, outcome);
    match inner {
        Some(Ok(got)) => expect_eq!(got, Ok(()), "{what}: job A's submit(job B)"),
        Some(Err(panicked)) => panic!("{what}: job A's submit(job B) {panicked}"),
        None => panic!("{what}: job A never ran"),
    }
    let mut finished = finished;
    finished.sort_unstable();
    expect_eq!(
        finished,
        vec![0, 1],
        "{what}: the jobs that ran (0 is A, 1 is B)"
    );
}

#[test]
fn four_producers_never_lose_nor_duplicate_a_job() {
    const PRODUCERS: usize = 4;
    const EACH: usize = 100;
    let what = format!(
        "WorkerPool::new(3, 4), {PRODUCERS} threads each calling submit {EACH} times at once \
         (a full queue refuses some jobs), then shutdown()"
    );
    let outcome = with_deadline(3 + PRODUCERS, &what, SHUTDOWN_JOINS, move || {
        let pool = new_pool(3, 4)?;
        let log = Log::new();
        let start = Barrier::new(PRODUCERS);
        let accepted = thread::scope(|scope| {
            let producers: Vec<_> = (0..PRODUCERS)
                .map(|p| {
                    let (pool, log, start) = (&pool, &log, &start);
                    scope.spawn(move || {
                        start.wait();
                        let mut accepted = Vec::new();
                        for k in 0..EACH {
                            let id = p * EACH + k;
                            match call(&format!("submit(job {id})"), || {
                                pool.submit(job(log, id, None))
                            })? {
                                Ok(()) => accepted.push(id),
                                Err(SubmitError::QueueFull) => {}
                                Err(SubmitError::ShuttingDown) => {
                                    return Err(format!(
                                        "submit(job {id}) returned Err(ShuttingDown) before \
                                         shutdown() was called"
                                    ));
                                }
                            }
                        }
                        Ok(accepted)
                    })
                })
                .collect();
            producers
                .into_iter()
                .map(|p| p.join().unwrap())
                .collect::<Result<Vec<_>, String>>()
        })?;
        shutdown(&pool)?;
        let accepted = accepted.concat();
        all_finished(&log.finishes(), accepted.len())?;
        Ok((accepted, log.finishes()))
    });
    let (accepted, finished) = unwrap_outcome(&what, outcome);
    let total = PRODUCERS * EACH;
    let counts = run_counts(&finished, total);
    let mut was_accepted = vec![false; total];
    for &id in &accepted {
        was_accepted[id] = true;
    }
    for id in 0..total {
        let expected = usize::from(was_accepted[id]);
        if counts[id] != expected {
            panic!(
                "{what}: job {id} was {} and ran {} times, expected {expected}: accepted jobs \
                 run exactly once, refused ones never ({} accepted, {} runs in all)",
                if was_accepted[id] {
                    "accepted"
                } else {
                    "refused"
                },
                counts[id],
                accepted.len(),
                finished.len()
            );
        }
    }
}
