//! Mutant: keeps every failure it ever saw and counts the ones in the window with a
//! filter on each failure: memory grows without bound and each call is O(failures seen).

use std::collections::VecDeque;

/// When the breaker opens, how long it stays open, and how many probes it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    pub failure_threshold: u32,
    pub window_ms: u64,
    pub cooldown_ms: u64,
    pub half_open_probes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

#[must_use = "report the call's result with on_success or on_failure"]
pub struct Permit {
    generation: u64,
}

pub struct CircuitBreaker {
    config: BreakerConfig,
    state: BreakerState,
    generation: u64,
    failures: VecDeque<u64>,
    opened_at: u64,
    probes_granted: u32,
    probes_succeeded: u32,
}

impl CircuitBreaker {
    pub fn new(config: BreakerConfig) -> Self {
        CircuitBreaker {
            config,
            state: BreakerState::Closed,
            generation: 0,
            failures: VecDeque::new(),
            opened_at: 0,
            probes_granted: 0,
            probes_succeeded: 0,
        }
    }

    fn set_state(&mut self, state: BreakerState) {
        self.state = state;
        self.generation += 1;
        self.probes_granted = 0;
        self.probes_succeeded = 0;
        self.failures.clear();
    }

    fn open(&mut self, now_ms: u64) {
        self.set_state(BreakerState::Open);
        self.opened_at = now_ms;
    }

    fn refresh(&mut self, now_ms: u64) {
        if self.state == BreakerState::Open && now_ms - self.opened_at >= self.config.cooldown_ms {
            self.set_state(BreakerState::HalfOpen);
        }
    }

    pub fn try_acquire(&mut self, now_ms: u64) -> Option<Permit> {
        self.refresh(now_ms);
        match self.state {
            BreakerState::Closed => {}
            BreakerState::Open => return None,
            BreakerState::HalfOpen => {
                if self.probes_granted >= self.config.half_open_probes.max(1) {
                    return None;
                }
                self.probes_granted += 1;
            }
        }
        Some(Permit {
            generation: self.generation,
        })
    }

    pub fn on_success(&mut self, permit: Permit, now_ms: u64) {
        self.refresh(now_ms);
        if permit.generation != self.generation {
            return;
        }
        if self.state == BreakerState::HalfOpen {
            self.probes_succeeded += 1;
            if self.probes_succeeded >= self.config.half_open_probes.max(1) {
                self.set_state(BreakerState::Closed);
            }
        }
    }

    pub fn on_failure(&mut self, permit: Permit, now_ms: u64) {
        self.refresh(now_ms);
        if permit.generation != self.generation {
            return;
        }
        match self.state {
            BreakerState::Closed => {
                self.failures.push_back(now_ms);
                let window = self.config.window_ms;
                let in_window = self
                    .failures
                    .iter()
                    .filter(|&&t| now_ms - t < window)
                    .count();
                if in_window >= self.config.failure_threshold.max(1) as usize {
                    self.open(now_ms);
                }
            }
            BreakerState::Open => {}
            BreakerState::HalfOpen => self.open(now_ms),
        }
    }

    pub fn state(&self, now_ms: u64) -> BreakerState {
        if self.state == BreakerState::Open && now_ms - self.opened_at >= self.config.cooldown_ms {
            BreakerState::HalfOpen
        } else {
            self.state
        }
    }
}
