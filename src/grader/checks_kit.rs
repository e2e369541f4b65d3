//! The checks kit: helpers the grader compiles into every grade of every course, as the
//! crate-root module `kit` (`use crate::kit::{learner, collide};` in a checks file).
//! This file is not part of backlings' own build; it is text the grader embeds, compiled
//! (and so tested) by every grade of the built-in course. `backlings dev new` writes a copy
//! beside a course's editor project, so rust-analyzer knows its items.
//!
//! What is here: the panic catcher that turns a learner's panic into a message naming the
//! call, a seeded generator, replaying random runs against a model and shrinking them, an
//! allocator that counts, waits that never hang a check, and races forced round after round.

use std::alloc::{GlobalAlloc, Layout, System};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
// Memory: what this thread asks the allocator for, and holds.

/// An allocator that counts, per thread, the bytes asked for and the bytes held, so that a
/// check can see preallocation or growth. A checks file that needs it registers it:
/// `#[global_allocator] static COUNTING: crate::kit::CountingAllocator = crate::kit::CountingAllocator;`
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

// ---------------------------------------------------------------------------------------
// Races: two threads released at the same instant, round after round. A std Barrier wakes
// its threads microseconds apart, far wider than the window between two lock operations;
// threads spinning at a start line enter the learner's code within a few hundred
// nanoseconds of each other, so a "test, unlock, lock, act" race fires in about one round
// in ten, and still in several percent when the machine is busy.

/// Plays `rounds` rounds at most, for about a second at most (a race that fires in 3 % of
/// rounds is caught after a few hundred: fewer rounds fit when the machine is busy, but not
/// that few). In each round, two threads call `play(round, thread)` at the same instant;
/// then `judge(round, [first thread's result, second's])` says what went wrong, if anything.
/// Returns the first complaint, or `None` if every round played was judged right.
pub fn collide<R: Send>(
    rounds: usize,
    play: impl Fn(usize, usize) -> R + Sync,
    mut judge: impl FnMut(usize, [R; 2]) -> Option<String>,
) -> Option<String> {
    const BATCH: usize = 8;
    let started = Instant::now();
    let mut first = 0;
    while first < rounds && started.elapsed() < Duration::from_secs(1) {
        let batch = first..rounds.min(first + BATCH);
        let arrived = AtomicUsize::new(0);
        let [mine, theirs] = thread::scope(|scope| {
            let players = [0, 1].map(|thread| {
                let (play, arrived, batch) = (&play, &arrived, batch.clone());
                scope.spawn(move || {
                    quiet_thread();
                    let mut results = Vec::with_capacity(batch.len());
                    for (i, round) in batch.enumerate() {
                        if !start_line(arrived, 2 * (i + 1)) {
                            break;
                        }
                        // A different head start each round, so that one thread's call
                        // meets every instant of the other's, the gap between two locks too.
                        let offset = SplitMix64((round * 2 + thread) as u64).below(64);
                        for _ in 0..offset {
                            std::hint::spin_loop();
                        }
                        results.push(play(round, thread));
                    }
                    results
                })
            });
            players.map(|player| player.join().unwrap_or_default())
        });
        let played = mine.len().min(theirs.len());
        for (i, pair) in mine.into_iter().zip(theirs).enumerate() {
            if let Some(complaint) = judge(first + i, pair.into()) {
                return Some(complaint);
            }
        }
        if played < batch.len() {
            break;
        }
        first = batch.end;
    }
    None
}

/// Waits, spinning, until `count` threads have arrived; false if the other thread never
/// came (it is stuck in the learner's code, which the check's own deadline reports).
fn start_line(arrived: &AtomicUsize, count: usize) -> bool {
    arrived.fetch_add(1, Ordering::AcqRel);
    let started = Instant::now();
    let mut spins = 0_u32;
    while arrived.load(Ordering::Acquire) < count {
        spins += 1;
        if spins < 200 {
            std::hint::spin_loop();
            continue;
        }
        if started.elapsed() > patience() {
            return false;
        }
        // On a busy machine the other thread may not be running: let it.
        thread::yield_now();
    }
    true
}
