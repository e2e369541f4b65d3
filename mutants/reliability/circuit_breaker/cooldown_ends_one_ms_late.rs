//! Mutant: off by one at the end of the cool-down: stays Open while
//! `now - opened <= cooldown_ms` instead of `< cooldown_ms`.

use std::collections::VecDeque;

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
    /// The episode (state period) in which the permit was granted.
    episode: u64,
}

enum Phase {
    /// Times of the failures still in the window, oldest first (fewer than the threshold).
    Closed {
        failures: VecDeque<u64>,
    },
    Open {
        since: u64,
    },
    HalfOpen {
        granted: u32,
        succeeded: u32,
    },
}

/// A circuit breaker in front of one dependency.
pub struct CircuitBreaker {
    config: BreakerConfig,
    /// Bumped on every change of state; permits from older episodes are stale.
    episode: u64,
    phase: Phase,
}

impl CircuitBreaker {
    /// A Closed breaker with no failures. Reserves no memory for the threshold.
    pub fn new(config: BreakerConfig) -> Self {
        CircuitBreaker {
            config,
            episode: 0,
            phase: Phase::Closed {
                failures: VecDeque::new(),
            },
        }
    }

    /// Permission to call the dependency at `now_ms`, or `None` to fail fast.
    pub fn try_acquire(&mut self, now_ms: u64) -> Option<Permit> {
        self.end_cooldown(now_ms);
        let probes = self.config.half_open_probes.max(1);
        match &mut self.phase {
            Phase::Closed { .. } => {}
            Phase::Open { .. } => return None,
            Phase::HalfOpen { granted, .. } => {
                if *granted >= probes {
                    return None;
                }
                *granted += 1;
            }
        }
        Some(Permit {
            episode: self.episode,
        })
    }

    /// The call made with `permit` succeeded; it finished at `now_ms`.
    pub fn on_success(&mut self, permit: Permit, now_ms: u64) {
        self.end_cooldown(now_ms);
        if permit.episode != self.episode {
            return;
        }
        let probes = self.config.half_open_probes.max(1);
        if let Phase::HalfOpen { succeeded, .. } = &mut self.phase {
            *succeeded += 1;
            if *succeeded >= probes {
                self.enter(Phase::Closed {
                    failures: VecDeque::new(),
                });
            }
        }
    }

    /// The call made with `permit` failed; it finished at `now_ms`.
    pub fn on_failure(&mut self, permit: Permit, now_ms: u64) {
        self.end_cooldown(now_ms);
        if permit.episode != self.episode {
            return;
        }
        let threshold = self.config.failure_threshold.max(1) as usize;
        let window = self.config.window_ms;
        match &mut self.phase {
            Phase::Closed { failures } => {
                failures.push_back(now_ms);
                while failures.front().is_some_and(|&t| now_ms - t >= window) {
                    failures.pop_front();
                }
                if failures.len() >= threshold {
                    self.enter(Phase::Open { since: now_ms });
                }
            }
            Phase::Open { .. } => {}
            Phase::HalfOpen { .. } => self.enter(Phase::Open { since: now_ms }),
        }
    }

    /// The state at `now_ms` (Open turns HalfOpen once the cool-down is over).
    pub fn state(&self, now_ms: u64) -> BreakerState {
        match self.phase {
            Phase::Closed { .. } => BreakerState::Closed,
            Phase::Open { since } if now_ms - since <= self.config.cooldown_ms => {
                BreakerState::Open
            }
            Phase::Open { .. } | Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Open -> HalfOpen once the cool-down is over.
    fn end_cooldown(&mut self, now_ms: u64) {
        if let Phase::Open { since } = self.phase {
            if now_ms - since > self.config.cooldown_ms {
                self.enter(Phase::HalfOpen {
                    granted: 0,
                    succeeded: 0,
                });
            }
        }
    }

    /// Changes state, which starts a new episode.
    fn enter(&mut self, phase: Phase) {
        self.phase = phase;
        self.episode += 1;
    }
}
