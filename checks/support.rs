//! Helpers every checks file of the course may use, as `use support::{learner, SplitMix64};`:
//! the panic catcher, a seeded generator, replaying and shrinking random runs, an allocator
//! that counts, and the rate-limiting topic's scripted probe.
//! The grader compiles this file beside each exercise's checks, as their module `support`;
//! learners never see it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt::Debug;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

thread_local! {
    static IN_LEARNER_CODE: Cell<bool> = const { Cell::new(false) };
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static CAUGHT_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}
static QUIET_HOOK: Once = Once::new();

/// Installs, once per process, the hook that keeps learner panics out of the output.
fn install_hook() {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_LEARNER_CODE.with(Cell::get) {
                let text = info.to_string();
                CAUGHT_PANIC.with(|c| *c.borrow_mut() = Some(text));
            } else if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Marks a thread spawned by a check: its panics are reported by the check, not printed.
pub fn quiet_thread() {
    install_hook();
    QUIET.with(|q| q.set(true));
}

/// Runs `f` (which calls the learner's code); a panic comes back as "panicked at ...: msg".
pub fn try_learner<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_hook();
    let was = IN_LEARNER_CODE.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_LEARNER_CODE.with(|c| c.set(was));
    result.map_err(|_| {
        CAUGHT_PANIC
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| "panicked".to_string())
    })
}

/// Like `try_learner`, but a panic fails the check with "`call()` panicked at ...".
pub fn learner<R>(call: impl FnOnce() -> String, f: impl FnOnce() -> R) -> R {
    match try_learner(f) {
        Ok(value) => value,
        Err(panicked) => panic!("{} {panicked}", call()),
    }
}

// ---------------------------------------------------------------------------------------
// Random runs: replayed against a model, shrunk to the shortest that still fails.

/// Replays `ops`: `setup` makes the learner's object and the model, then `check` runs each
/// op on both and says why they disagree, if they do. Returns the index of the first op that
/// went wrong and why, or of the op in which the learner's code panicked, worded by
/// `panicked(i, panic)`.
pub fn first_mismatch<Op, State>(
    ops: &[Op],
    setup: impl FnOnce() -> State,
    mut check: impl FnMut(&mut State, &Op) -> Option<String>,
    panicked: impl FnOnce(usize, String) -> String,
) -> Option<(usize, String)> {
    let step = Cell::new(0);
    let replay = try_learner(|| {
        let mut state = setup();
        for (i, op) in ops.iter().enumerate() {
            step.set(i);
            if let Some(why) = check(&mut state, op) {
                return Some((i, why));
            }
        }
        None
    });
    match replay {
        Ok(mismatch) => mismatch,
        Err(panic) => {
            let i = step.get();
            Some((i, panicked(i, panic)))
        }
    }
}

/// The shortest run of `ops` that still fails: one op at a time is dropped, from the last,
/// as long as `fails` (the index of the first op that went wrong, if any) still finds a
/// failure, and the run is cut right after that op; until no op can go.
pub fn shrink<Op: Clone>(mut ops: Vec<Op>, fails: impl Fn(&[Op]) -> Option<usize>) -> Vec<Op> {
    loop {
        let mut shorter = false;
        let mut i = ops.len();
        while i > 0 {
            i -= 1;
            if i >= ops.len() {
                continue;
            }
            let mut candidate = ops.clone();
            candidate.remove(i);
            if let Some(at) = fails(&candidate) {
                candidate.truncate(at + 1);
                ops = candidate;
                shorter = true;
            }
        }
        if !shorter {
            return ops;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Seeded randomness: the same seed gives the same sequence on every machine.

/// The SplitMix64 generator: tiny, fast and good enough for test inputs.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..bound` (`bound > 0`).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

// ---------------------------------------------------------------------------------------
// Rate limiters: scripted calls whose failure messages list every call before them.

/// A time or window length as the statement writes it: `u64::MAX - 1` rather than digits.
pub fn ms(value: u64) -> String {
    if value == u64::MAX {
        "u64::MAX".to_string()
    } else if value > u64::MAX - 1000 {
        format!("u64::MAX - {}", u64::MAX - value)
    } else {
        value.to_string()
    }
}

pub fn limit_text(limit: u32) -> String {
    if limit == u32::MAX {
        "u32::MAX".to_string()
    } else {
        limit.to_string()
    }
}

/// The calls made so far, for a failure message: all of them, or the first and the last few.
pub fn history(calls: &[String]) -> String {
    const SHOWN: usize = 14;
    if calls.len() <= SHOWN + 2 {
        calls.join(", ")
    } else {
        format!(
            "{}, ... ({} more calls) ..., {}",
            calls[0],
            calls.len() - 1 - SHOWN,
            calls[calls.len() - SHOWN..].join(", ")
        )
    }
}

pub fn explain(why: &str) -> String {
    if why.is_empty() {
        String::new()
    } else {
        format!(" ({why})")
    }
}

/// A rate limiter's one call every exercise of the topic shares.
pub trait Limiter {
    fn allow(&mut self, client: &str, now_ms: u64) -> bool;
}

/// Drives one limiter through scripted calls; a failure message lists the calls before it.
pub struct Probe<L> {
    pub limiter: L,
    pub calls: Vec<String>,
}

impl<L> Probe<L> {
    /// Builds the limiter with `build`, which `call` (`Type::new(..)`) describes.
    pub fn start(call: String, build: impl FnOnce() -> L) -> Self {
        let limiter = learner(|| call.clone(), build);
        Probe {
            limiter,
            calls: vec![call],
        }
    }

    pub fn context(&self, call: &str) -> String {
        format!("after {}: {call}", history(&self.calls))
    }

    /// Calls `query` (which `call` describes) and fails unless it returns `expected`. The
    /// call is not added to the history; callers that change the limiter add it.
    pub fn expect<T: PartialEq + Debug>(
        &mut self,
        call: &str,
        query: impl FnOnce(&mut L) -> T,
        expected: T,
        why: &str,
    ) {
        let (limiter, calls) = (&mut self.limiter, &self.calls);
        let got = learner(
            || format!("after {}: {call}", history(calls)),
            || query(limiter),
        );
        if got != expected {
            panic!(
                "{} returned {got:?}, expected {expected:?}{}",
                self.context(call),
                explain(why)
            );
        }
    }
}

impl<L: Limiter> Probe<L> {
    /// Calls `allow(client, now_ms)` and fails unless it returns `expected`.
    pub fn allow(&mut self, client: &str, now_ms: u64, expected: bool, why: &str) {
        let call = format!("allow({client:?}, {})", ms(now_ms));
        self.expect(&call, |l| l.allow(client, now_ms), expected, why);
        self.calls.push(call);
    }

    /// Calls `allow` for each time in `times` (all expected `expected`).
    pub fn allow_all(&mut self, client: &str, times: &[u64], expected: bool, why: &str) {
        for &t in times {
            self.allow(client, t, expected, why);
        }
    }

    /// Calls `allow(client, t)` for each `t` in `times` (all expected `expected`). The
    /// history shows the first n of them as one entry, `{loop_text}{n}`, where `loop_text`
    /// reads like `allow("k", 5 + i) for i in 0..`.
    pub fn allow_each(
        &mut self,
        client: &str,
        times: &[u64],
        expected: bool,
        loop_text: &str,
        why: &str,
    ) {
        for (i, &t) in times.iter().enumerate() {
            let call = format!("allow({client:?}, {})", ms(t));
            let mut calls = self.calls.clone();
            if i > 0 {
                calls.push(format!("{loop_text}{i}"));
            }
            let limiter = &mut self.limiter;
            let got = learner(
                || format!("after {}: {call}", history(&calls)),
                || limiter.allow(client, t),
            );
            if got != expected {
                panic!(
                    "after {}: {call} returned {got}, expected {expected}{}",
                    history(&calls),
                    explain(why)
                );
            }
        }
        self.calls.push(format!("{loop_text}{}", times.len()));
    }
}

// ---------------------------------------------------------------------------------------
// Memory: what this thread asks the allocator for, and holds.

/// An allocator that counts, per thread, the bytes asked for and the bytes held, so that a
/// check can see preallocation or growth. A checks file that needs it registers it:
/// `#[global_allocator] static COUNTING: support::CountingAllocator = support::CountingAllocator;`
pub struct CountingAllocator;

thread_local! {
    static BYTES_REQUESTED: Cell<usize> = const { Cell::new(0) };
    static BYTES_LIVE: Cell<isize> = const { Cell::new(0) };
}

fn note(requested: usize, live_change: isize) {
    let _ = BYTES_REQUESTED.try_with(|b| b.set(b.get().saturating_add(requested)));
    let _ = BYTES_LIVE.try_with(|b| b.set(b.get() + live_change));
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size(), layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size(), layout.size() as isize);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(0, -(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size, new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Bytes this thread has asked the allocator for so far (with [`CountingAllocator`]).
pub fn bytes_requested() -> usize {
    BYTES_REQUESTED.with(Cell::get)
}

/// Bytes this thread holds now, less what it freed of others' (with [`CountingAllocator`]).
pub fn bytes_live() -> isize {
    BYTES_LIVE.with(Cell::get)
}

// ---------------------------------------------------------------------------------------
// Waiting without hanging: a check runs on a worker thread, and its waits are bounded, so a
// solution that deadlocks fails with the call that never returned instead of a timeout.

/// The message of a panic's payload.
pub fn panic_text(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => match payload.downcast::<&str>() {
            Ok(text) => text.to_string(),
            Err(_) => "the check panicked".to_string(),
        },
    }
}

static BLOCKING_SEEN: AtomicBool = AtomicBool::new(false);

/// How long to wait for something a correct solution does in microseconds. Only a blocking
/// solution pays the full wait, and only once: later waits are short, so that one that
/// blocks in every check still gets its verdict within the time limit.
pub fn patience() -> Duration {
    if BLOCKING_SEEN.load(Ordering::SeqCst) {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(1)
    }
}

/// How long a whole check may take: a correct solution needs a few milliseconds.
fn check_limit() -> Duration {
    if BLOCKING_SEEN.load(Ordering::SeqCst) {
        Duration::from_millis(150)
    } else {
        Duration::from_secs(2)
    }
}

pub fn blocking_seen() {
    BLOCKING_SEEN.store(true, Ordering::SeqCst);
}

/// The call a check is in, shown if it never returns.
#[derive(Clone)]
pub struct Progress(Arc<Mutex<String>>);

impl Progress {
    pub fn set(&self, what: impl Into<String>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = what.into();
    }

    pub fn get(&self) -> String {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Runs a check's body on its own thread; if it does not finish in time, the check
/// fails with "deadlock suspected" and the call that did not return. (A thread left
/// behind is harmless: the test process ends after the checks.)
pub fn bounded(body: impl FnOnce(&Progress) + Send + 'static) {
    let progress = Progress(Arc::new(Mutex::new("the check's first call".to_string())));
    let shared = progress.clone();
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    thread::spawn(move || {
        quiet_thread();
        let result = panic::catch_unwind(AssertUnwindSafe(|| body(&shared)));
        let _ = tx.send(result.map_err(panic_text));
    });
    // The body's own waits (patience(), 1 s at first) end before this one.
    match rx.recv_timeout(check_limit()) {
        Ok(Ok(())) => {}
        Ok(Err(message)) => panic!("{message}"),
        Err(_) => {
            blocking_seen();
            panic!(
                "deadlock suspected: {} did not return within {:.1} s",
                progress.get(),
                started.elapsed().as_secs_f64()
            );
        }
    }
}

/// Runs `f` on a helper thread; `None` if it did not finish within `patience()`.
pub fn on_helper<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Option<R> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        quiet_thread();
        let _ = tx.send(f());
    });
    match rx.recv_timeout(patience()) {
        Ok(value) => Some(value),
        Err(_) => {
            blocking_seen();
            None
        }
    }
}
