//! # circuit_breaker: stop calling a dependency that is down
//!
//! A search service calls a recommendations service on every request. One day the
//! recommendations service starts timing out after 2 s. Every search request now waits
//! 2 s for nothing, threads pile up waiting, and the search service falls over too: one
//! sick dependency has taken down a healthy one. Retrying (the previous exercise) makes it
//! worse. What the search service needs is a **circuit breaker**: after a burst of
//! failures it stops calling the dependency for a while and *fails fast* (answering
//! without recommendations), then carefully lets a few trial calls through to see whether
//! the dependency has recovered.
//!
//! The breaker has three states:
//!
//! ```text
//!            too many failures in the window               cool-down over
//!  Closed  -------------------------------->  Open  --------------------------> HalfOpen
//!    ^      (calls flow; failures counted)     (every call rejected)   (a few probes allowed)
//!    |                                           ^                                |
//!    |                                           +------- a probe failed ---------+
//!    +------------------------- every probe succeeded ---------------------------+
//! ```
//!
//! "Timeouts, retries with backoff, circuit breakers" is the expected answer to "what
//! happens when a dependency is slow?", and the follow-ups probe the details: how many
//! failures, in what window, how long to stay open, how many probes, and what to do with
//! the result of a call that was started *before* the breaker changed state.
//!
//! ## The task
//!
//! Implement [`CircuitBreaker`]. A caller asks [`CircuitBreaker::try_acquire`] for
//! permission before each call. `None` means "rejected: fail fast, do not call". A
//! [`Permit`] means "go ahead"; when the call is done, the caller hands the permit back
//! with [`CircuitBreaker::on_success`] or [`CircuitBreaker::on_failure`]. Calls may
//! overlap: several permits can be out at once, and their results come back in any
//! order. Time is always a parameter (`now_ms`, milliseconds; successive calls never go
//! back in time); never read the clock. Keep the declared signatures; the fields of both
//! structs are yours.
//!
//! ## Rules
//!
//! With `config` = [`BreakerConfig`] `{ failure_threshold, window_ms, cooldown_ms,
//! half_open_probes }` (a `failure_threshold` or `half_open_probes` of 0 behaves like 1):
//!
//! - **Closed** (the initial state): `try_acquire` always grants a permit. Each
//!   `on_failure(permit, now_ms)` records a failure at `now_ms`. A failure at time `t` is
//!   *in the window* at time `now` while `now - t < window_ms` (so exactly `window_ms`
//!   later it is out). When a failure makes the number of failures in the window reach
//!   `failure_threshold`, the breaker turns **Open** at that `now_ms`. Successes do not
//!   erase failures: only time does.
//! - **Open**, since time `opened`: `try_acquire(now)` returns `None` while
//!   `now - opened < cooldown_ms`. From `now - opened >= cooldown_ms` on, the breaker is
//!   **HalfOpen** (`state(now)` says so, and `try_acquire(now)` acts as in HalfOpen).
//! - **HalfOpen**: in total, exactly `half_open_probes` permits (the *probes*) are granted,
//!   to the first `try_acquire` calls; every later `try_acquire` returns `None` until the
//!   breaker leaves HalfOpen, whether or not the probes have reported yet. If a probe fails,
//!   the breaker turns **Open** again at that `now_ms` (a fresh cool-down). When all
//!   `half_open_probes` probes have succeeded, the breaker turns **Closed**, with no
//!   failures in its window.
//! - **Stale results.** A permit belongs to the state *episode* in which it was granted.
//!   Every change of state (Closed -> Open, Open -> HalfOpen, HalfOpen -> Open or Closed)
//!   starts a new episode, and the result of a permit from an earlier episode is
//!   **ignored** completely: a slow call started while Closed that fails after the breaker
//!   opened, or a probe that succeeds after another probe already failed, changes nothing.
//! - `state(now_ms)` reports the state at `now_ms` without changing anything.
//!
//! ## Example
//!
//! `failure_threshold: 3, window_ms: 10_000, cooldown_ms: 5_000, half_open_probes: 2`:
//!
//! ```text
//! call                                    result   state after  why
//! try_acquire(0) x4 -> a, b, c, d         Some     Closed
//! on_failure(a, 100)                               Closed       failures in window: 100
//! on_failure(b, 200)                               Closed       100, 200
//! on_failure(c, 10_150)                            Closed       200, 10150 (100 left at 10_100)
//! on_failure(d, 10_199)                            Open         200, 10150, 10199: three
//! try_acquire(15_198)                     None     Open         open since 10_199
//! state(15_199)                           HalfOpen              cool-down over
//! try_acquire(15_199) -> p                Some     HalfOpen     probe 1 of 2
//! try_acquire(15_200) -> q                Some     HalfOpen     probe 2 of 2
//! try_acquire(15_201)                     None     HalfOpen     both probes are out
//! on_success(p, 15_300)                            HalfOpen     1 of 2 succeeded
//! on_failure(q, 15_400)                            Open         fresh cool-down from 15_400
//! try_acquire(20_400) -> r                Some     HalfOpen     probe 1 of 2 again
//! ```
//!
//! Had `q` succeeded at 15_400, the breaker would have been Closed with an empty window:
//! the failures at 200, 10_150 and 10_199 are forgotten.
//!
//! ## Edge cases
//!
//! - `window_ms: 0`: no failure is ever in the window, so the breaker never opens.
//! - `cooldown_ms: 0`: an opened breaker is HalfOpen at once (at the same `now_ms`).
//! - `cooldown_ms: u64::MAX` and times near `u64::MAX`: compute with differences
//!   (`now - opened`), never `opened + cooldown_ms`, which overflows (the checks run in
//!   debug mode, where that panics).
//! - `failure_threshold` may be as large as `u32::MAX`: it is a limit, not an amount of
//!   memory to reserve up front.
//! - Results of permits from an earlier episode are ignored in every state, including a
//!   Closed that came back after an Open/HalfOpen round.
//!
//! ## Complexity
//!
//! Every call is O(1) amortised, whatever `failure_threshold` is, and the breaker's memory
//! is O(`failure_threshold`) at most: keep only the failures still in the window, drop each
//! one once (not by rescanning them all on every call), and never keep more than
//! `failure_threshold` of them. The checks measure how much memory the breaker holds after
//! thousands of old failures, and compare the time per call with thresholds of 16 and
//! 1024.

use std::marker::PhantomData;

/// When the breaker opens, how long it stays open, and how many probes it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// This many failures in the window open the breaker (0 behaves like 1).
    pub failure_threshold: u32,
    /// A failure at `t` counts while `now - t < window_ms`.
    pub window_ms: u64,
    /// How long the breaker stays Open before it turns HalfOpen.
    pub cooldown_ms: u64,
    /// How many probes HalfOpen grants, and how many must succeed to close (0 behaves
    /// like 1).
    pub half_open_probes: u32,
}

/// The three states of a breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls flow; failures are counted.
    Closed,
    /// Every call is rejected until the cool-down is over.
    Open,
    /// A limited number of probes may call; their results decide what comes next.
    HalfOpen,
}

/// Permission for one call. Hand it back with `on_success` or `on_failure`.
#[must_use = "report the call's result with on_success or on_failure"]
pub struct Permit {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

/// A circuit breaker in front of one dependency.
pub struct CircuitBreaker {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<BreakerConfig>,
}

impl CircuitBreaker {
    /// A Closed breaker with no failures. Reserves no memory for the threshold.
    pub fn new(config: BreakerConfig) -> Self {
        todo!("create a closed breaker for {config:?}")
    }

    /// Permission to call the dependency at `now_ms`, or `None` to fail fast.
    pub fn try_acquire(&mut self, now_ms: u64) -> Option<Permit> {
        todo!("grant or refuse a permit at {now_ms}")
    }

    /// The call made with `permit` succeeded; it finished at `now_ms`.
    pub fn on_success(&mut self, permit: Permit, now_ms: u64) {
        let _ = permit;
        todo!("record a success at {now_ms}")
    }

    /// The call made with `permit` failed; it finished at `now_ms`.
    pub fn on_failure(&mut self, permit: Permit, now_ms: u64) {
        let _ = permit;
        todo!("record a failure at {now_ms}")
    }

    /// The state at `now_ms` (Open turns HalfOpen once the cool-down is over).
    pub fn state(&self, now_ms: u64) -> BreakerState {
        todo!("report the state at {now_ms}")
    }
}
