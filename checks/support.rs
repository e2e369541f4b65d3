//! Helpers every checks file of the course may use, as `use support::{learner, SplitMix64};`:
//! the panic catcher, a seeded generator, and the rate-limiting topic's scripted probe.
//! The grader compiles this file beside each exercise's checks, as their module `support`;
//! learners never see it.

use std::cell::{Cell, RefCell};
use std::fmt::Debug;
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
        let got = learner(|| format!("after {}: {call}", history(calls)), || query(limiter));
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
