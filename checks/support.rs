//! Helpers every checks file of the course may use, as `use support::{learner, SplitMix64};`.
//! The grader compiles this file beside each exercise's checks, as their module `support`;
//! learners never see it.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

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
