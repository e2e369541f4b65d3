//! Helpers the built-in course's checks share beyond the grader's kit: the rate-limiting
//! topic's scripted probe. The grader compiles this file into every grade of the course,
//! as the crate-root module `support`; learners never see it.

use crate::kit::learner;
use std::fmt::Debug;

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
