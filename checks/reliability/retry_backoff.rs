use super::retry_backoff::{Clock, RetryError, RetryPolicy, retry};
use crate::kit::{SplitMix64, try_learner};

use std::cell::RefCell;
use std::rc::Rc;

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

// ---------------------------------------------------------------------------------------
// The simulated world: a fake clock, a scripted operation, a recorded jitter source.

/// What a failed attempt returns: the HTTP status and which attempt produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failure {
    status: u16,
    attempt: u32,
}

/// What a successful attempt returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Success {
    attempt: u32,
}

type Outcome = Result<Success, RetryError<Failure>>;

/// 429 and 5xx are worth retrying; other 4xx are not.
fn is_retryable(failure: &Failure) -> bool {
    failure.status == 429 || failure.status >= 500
}

/// Large numbers in messages: `u64::MAX - 5` reads better than 18446744073709551610.
fn num(x: u64) -> String {
    if x == u64::MAX {
        "u64::MAX".to_string()
    } else if x > u64::MAX - 1_000_000 {
        format!("u64::MAX - {}", u64::MAX - x)
    } else {
        x.to_string()
    }
}

fn policy_text(p: &RetryPolicy) -> String {
    let attempts = if p.max_attempts == u32::MAX {
        "u32::MAX".to_string()
    } else {
        p.max_attempts.to_string()
    };
    format!(
        "RetryPolicy {{ base_delay_ms: {}, max_delay_ms: {}, max_attempts: {attempts}, \
         budget_ms: {} }}",
        num(p.base_delay_ms),
        num(p.max_delay_ms),
        num(p.budget_ms)
    )
}

#[derive(Clone)]
enum Jitter {
    /// Returns the ceiling itself (no randomness), to show the backoff ceilings.
    Ceiling,
    /// Returns these draws in turn (each at most the ceiling), then the ceiling.
    Draws(Vec<u64>),
    /// A seeded generator: a uniform number in 0..=ceiling.
    Seeded(u64),
}

impl Jitter {
    fn text(&self) -> String {
        match self {
            Jitter::Ceiling => "a jitter that returns its ceiling".to_string(),
            Jitter::Draws(d) => format!(
                "a jitter that draws {} (then its ceiling)",
                d.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
            ),
            Jitter::Seeded(seed) => format!("a jitter drawing from a generator seeded {seed:#x}"),
        }
    }
}

struct JitterState {
    mode: Jitter,
    draws: usize,
    rng: SplitMix64,
}

impl JitterState {
    fn new(mode: &Jitter) -> Self {
        let seed = if let Jitter::Seeded(seed) = mode {
            *seed
        } else {
            0
        };
        JitterState {
            mode: mode.clone(),
            draws: 0,
            rng: SplitMix64(seed),
        }
    }

    fn draw(&mut self, ceiling: u64) -> u64 {
        let i = self.draws;
        self.draws += 1;
        match &self.mode {
            Jitter::Ceiling => ceiling,
            Jitter::Draws(d) => d.get(i).map_or(ceiling, |&x| x.min(ceiling)),
            Jitter::Seeded(_) => {
                let x = self.rng.next();
                if ceiling == u64::MAX {
                    x
                } else {
                    x % (ceiling + 1)
                }
            }
        }
    }
}

/// One run of `retry`: the policy, when the clock starts, what each attempt returns (the
/// last status repeats forever), how long each attempt takes, and the jitter source.
struct Scenario {
    policy: RetryPolicy,
    start_ms: u64,
    statuses: Vec<u16>,
    op_ms: u64,
    jitter: Jitter,
}

impl Scenario {
    fn new(policy: RetryPolicy, statuses: &[u16]) -> Self {
        Scenario {
            policy,
            start_ms: 0,
            statuses: statuses.to_vec(),
            op_ms: 0,
            jitter: Jitter::Ceiling,
        }
    }

    fn start_ms(mut self, start_ms: u64) -> Self {
        self.start_ms = start_ms;
        self
    }

    fn op_ms(mut self, op_ms: u64) -> Self {
        self.op_ms = op_ms;
        self
    }

    fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    fn status(&self, attempt: u32) -> u16 {
        let i = (attempt as usize - 1).min(self.statuses.len() - 1);
        self.statuses[i]
    }

    fn text(&self) -> String {
        let statuses = match self.statuses.as_slice() {
            [only] => format!("always returning {only}"),
            all => format!(
                "returning {}, then {} forever",
                all[..all.len() - 1]
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                all[all.len() - 1]
            ),
        };
        let took = if self.op_ms == 0 {
            String::new()
        } else {
            format!(", each attempt taking {} ms", self.op_ms)
        };
        format!(
            "retry(&{}, ...) with the clock at {} ms, op {statuses} (200 is Ok, \
             429 and 5xx are retryable){took}, and {}",
            policy_text(&self.policy),
            num(self.start_ms),
            self.jitter.text()
        )
    }
}

fn op_event(attempt: u32, at: u64, status: u16) -> String {
    let result = if status == 200 { "Ok" } else { "Err" };
    format!("op({attempt}) at {} ms -> {result}({status})", num(at))
}

fn jitter_event(ceiling: u64, drew: u64) -> String {
    format!("jitter({}) = {}", num(ceiling), num(drew))
}

fn sleep_event(ms: u64) -> String {
    format!("sleep_ms({})", num(ms))
}

/// The world the learner's `retry` runs in; clock, op and jitter share it.
struct World {
    now: u64,
    events: Vec<String>,
    jitter: JitterState,
    op_calls: u32,
}

/// More op calls than any scenario needs: a `retry` that never stops is stopped here.
const RUNAWAY_CALLS: u32 = 2_000;

struct FakeClock(Rc<RefCell<World>>);

impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.0.borrow().now
    }

    fn sleep_ms(&mut self, ms: u64) {
        let mut world = self.0.borrow_mut();
        world.events.push(sleep_event(ms));
        world.now = world.now.saturating_add(ms);
    }
}

struct Run {
    events: Vec<String>,
    outcome: Result<Outcome, String>,
}

fn run_learner(s: &Scenario) -> Run {
    let world = Rc::new(RefCell::new(World {
        now: s.start_ms,
        events: Vec::new(),
        jitter: JitterState::new(&s.jitter),
        op_calls: 0,
    }));
    let mut clock = FakeClock(world.clone());
    let jitter_world = world.clone();
    let mut jitter = move |ceiling: u64| {
        let mut w = jitter_world.borrow_mut();
        let drew = w.jitter.draw(ceiling);
        w.events.push(jitter_event(ceiling, drew));
        drew
    };
    let op_world = world.clone();
    let op = move |attempt: u32| {
        let mut w = op_world.borrow_mut();
        w.op_calls += 1;
        if w.op_calls > RUNAWAY_CALLS {
            drop(w);
            panic!("the check stopped retry after {RUNAWAY_CALLS} calls of op");
        }
        let status = s.status(attempt.max(1));
        let at = w.now;
        w.events.push(op_event(attempt, at, status));
        w.now = w.now.saturating_add(s.op_ms);
        if status == 200 {
            Ok(Success { attempt })
        } else {
            Err(Failure { status, attempt })
        }
    };
    let outcome = try_learner(|| retry(&s.policy, &mut clock, &mut jitter, is_retryable, op));
    let events = std::mem::take(&mut world.borrow_mut().events);
    Run { events, outcome }
}

/// The rules of the exercise, in exact (u128) arithmetic.
fn model(s: &Scenario) -> (Vec<String>, Outcome) {
    let p = &s.policy;
    let start = s.start_ms;
    let mut now = start;
    let mut jitter = JitterState::new(&s.jitter);
    let mut events = Vec::new();
    let mut n: u32 = 1;
    loop {
        let status = s.status(n);
        events.push(op_event(n, now, status));
        now = now.saturating_add(s.op_ms);
        if status == 200 {
            return (events, Ok(Success { attempt: n }));
        }
        let error = Failure { status, attempt: n };
        if !is_retryable(&error) {
            return (events, Err(RetryError::Permanent { error, attempts: n }));
        }
        if n >= p.max_attempts.max(1) {
            return (
                events,
                Err(RetryError::AttemptsExhausted { error, attempts: n }),
            );
        }
        let ceiling = if p.base_delay_ms == 0 {
            0
        } else if n - 1 >= 64 {
            p.max_delay_ms
        } else {
            let backoff = (p.base_delay_ms as u128) << (n - 1);
            backoff.min(p.max_delay_ms as u128) as u64
        };
        let delay = jitter.draw(ceiling);
        events.push(jitter_event(ceiling, delay));
        if now as u128 + delay as u128 >= start as u128 + p.budget_ms as u128 {
            return (
                events,
                Err(RetryError::DeadlineExceeded { error, attempts: n }),
            );
        }
        events.push(sleep_event(delay));
        now = now.saturating_add(delay);
        n += 1;
    }
}

/// Up to `radius` events either side of `at`, joined, with "..." for what is left out.
fn excerpt(events: &[String], at: usize, radius: usize) -> String {
    let from = at.saturating_sub(radius);
    let to = (at + radius + 1).min(events.len());
    let mut text = String::new();
    if from > 0 {
        text.push_str("..., ");
    }
    text.push_str(&events[from..to].join(", "));
    if to < events.len() {
        text.push_str(", ...");
    }
    text
}

/// Why a run differs from the model, or `None` if it matches.
fn mismatch(s: &Scenario) -> Option<String> {
    let run = run_learner(s);
    let (expected_events, expected) = model(s);
    let first_diff = (0..expected_events.len().max(run.events.len()))
        .find(|&i| expected_events.get(i) != run.events.get(i));
    if let Some(i) = first_diff {
        let got = match (run.events.get(i), &run.outcome) {
            (Some(event), _) => event.clone(),
            (None, Ok(outcome)) => format!("no call: retry returned {outcome:?}"),
            (None, Err(panicked)) => format!("no call: retry {panicked}"),
        };
        let expected = match expected_events.get(i) {
            Some(event) => event.clone(),
            None => format!("no call: retry returns {expected:?}"),
        };
        let done = if i == 0 {
            "(none)".to_string()
        } else {
            excerpt(&expected_events[..i], i - 1, 5)
        };
        return Some(format!(
            "{}:\n  call #{}: got {got},\n  expected {expected}\n  (the calls before it, as \
             expected: {done})",
            s.text(),
            i + 1
        ));
    }
    match run.outcome {
        Ok(got) if got == expected => None,
        Ok(got) => Some(format!(
            "{}: returned {got:?}, expected {expected:?} (calls: {})",
            s.text(),
            excerpt(&run.events, run.events.len().saturating_sub(1), 8)
        )),
        Err(panicked) => Some(format!(
            "{}: retry {panicked}, expected it to return {expected:?}",
            s.text()
        )),
    }
}

/// Runs the scenario and fails the check, with `why` appended, if it differs from the rules.
fn check(s: Scenario, why: &str) {
    if let Some(message) = mismatch(&s) {
        panic!("{message}\n  ({why})");
    }
}

fn policy(base: u64, cap: u64, max_attempts: u32, budget: u64) -> RetryPolicy {
    RetryPolicy {
        base_delay_ms: base,
        max_delay_ms: cap,
        max_attempts,
        budget_ms: budget,
    }
}

// ---------------------------------------------------------------------------------------
// Success, permanent errors, attempts.

#[test]
fn a_first_attempt_that_succeeds_returns_at_once() {
    check(
        Scenario::new(policy(100, 1_000, 5, 5_000), &[200]),
        "a success is returned at once: no jitter, no sleep",
    );
}

#[test]
fn retryable_errors_are_retried_until_the_operation_succeeds() {
    check(
        Scenario::new(policy(100, 1_000, 5, 5_000), &[503, 429, 500, 200]),
        "429 and 5xx are retryable; op(n) runs attempt n, and the success of attempt 4 is \
         returned",
    );
}

#[test]
fn a_permanent_error_is_returned_at_once() {
    check(
        Scenario::new(policy(100, 1_000, 5, 5_000), &[400]),
        "a non-retryable error is returned as Permanent at once: no jitter, no sleep",
    );
    check(
        Scenario::new(policy(100, 1_000, 5, 5_000), &[503, 503, 402, 200]),
        "a non-retryable error ends the retrying, even after retryable ones",
    );
}

#[test]
fn max_attempts_counts_every_attempt_including_the_first() {
    check(
        Scenario::new(policy(100, 10_000, 4, 100_000), &[503]),
        "max_attempts 4 means 4 attempts in total and 3 backoffs; then AttemptsExhausted \
         with the last attempt's error",
    );
    check(
        Scenario::new(policy(100, 10_000, 4, 100_000), &[503, 503, 503, 200]),
        "the last allowed attempt may still succeed",
    );
}

#[test]
fn max_attempts_zero_or_one_makes_a_single_attempt() {
    for max_attempts in [1, 0] {
        check(
            Scenario::new(policy(100, 1_000, max_attempts, 5_000), &[503]),
            "max_attempts 1 is one attempt, and 0 behaves like 1: the first attempt always \
             runs, and no jitter is drawn when no retry follows",
        );
    }
}

// ---------------------------------------------------------------------------------------
// The backoff ceilings and the jitter.

#[test]
fn backoff_ceilings_double_from_the_base_delay() {
    check(
        Scenario::new(policy(100, 1_000_000, 7, u64::MAX), &[503]),
        "the ceiling after attempt n is base_delay_ms * 2^(n - 1): 100, 200, 400, ...",
    );
    check(
        Scenario::new(policy(3, 1_000_000, 6, u64::MAX), &[500]),
        "the ceiling after attempt n is base_delay_ms * 2^(n - 1): 3, 6, 12, ...",
    );
}

#[test]
fn backoff_ceilings_are_capped_at_max_delay() {
    check(
        Scenario::new(policy(100, 1_000, 8, u64::MAX), &[503]),
        "ceilings are min(max_delay_ms, base_delay_ms * 2^(n - 1)): 100, 200, 400, 800, \
         then 1000 for good",
    );
    check(
        Scenario::new(policy(5_000, 2_000, 4, u64::MAX), &[503]),
        "a base delay above the cap gives the cap as every ceiling",
    );
}

#[test]
fn each_sleep_is_the_delay_the_jitter_drew() {
    check(
        Scenario::new(policy(100, 1_000, 6, 5_000), &[503])
            .jitter(Jitter::Draws(vec![37, 150, 12, 799, 640])),
        "full jitter: call jitter(ceiling) once per backoff and sleep exactly what it \
         returned (the example of the statement)",
    );
    for seed in [0x5EED_0001, 0x5EED_0002, 0x5EED_0003] {
        check(
            Scenario::new(
                policy(250, 8_000, 9, 1_000_000),
                &[503, 502, 503, 504, 429, 503],
            )
            .jitter(Jitter::Seeded(seed)),
            "full jitter: call jitter(ceiling) once per backoff and sleep exactly what it \
             returned",
        );
    }
}

#[test]
fn a_zero_base_delay_still_sleeps_zero_between_attempts() {
    check(
        Scenario::new(policy(0, 1_000, 4, 5_000), &[503, 503, 503, 200]),
        "every ceiling is 0, and sleep_ms(0) is still called once before each retry",
    );
    check(
        Scenario::new(policy(100, 1_000, 4, 5_000), &[503, 503, 503, 200])
            .jitter(Jitter::Draws(vec![0, 0, 0])),
        "a delay of 0 is still slept: sleep_ms(0) before the retry",
    );
    check(
        Scenario::new(policy(0, 1_000, 70, u64::MAX), &[503]),
        "0 * 2^(n - 1) is 0 for every n, also once 2^(n - 1) no longer fits in a u64",
    );
}

#[test]
fn many_attempts_do_not_overflow_the_backoff() {
    check(
        Scenario::new(policy(1_000, 60_000, 150, u64::MAX), &[503]),
        "base_delay_ms * 2^(n - 1) leaves u64 after about 54 attempts here (and 2^(n - 1) \
         itself after 64): the ceiling stays at the cap, without an overflow panic or \
         wrapped bits",
    );
    check(
        Scenario::new(policy(u64::MAX / 3, u64::MAX, 5, u64::MAX), &[503])
            .jitter(Jitter::Draws(vec![0; 5])),
        "base_delay_ms * 4 does not fit in a u64 here: from the third backoff on, the \
         ceiling is the cap",
    );
    check(
        Scenario::new(policy(1, u64::MAX, u32::MAX, u64::MAX), &[503])
            .jitter(Jitter::Draws(vec![0; 80])),
        "with a cap of u64::MAX, the ceilings are 1, 2, 4, ..., 2^63, and then u64::MAX \
         (2^64 does not fit); max_attempts u32::MAX allows them all",
    );
}

// ---------------------------------------------------------------------------------------
// The deadline.

#[test]
fn a_retry_that_would_start_after_the_deadline_is_not_made() {
    check(
        Scenario::new(policy(100, 1_000, 6, 1_000), &[503])
            .jitter(Jitter::Draws(vec![37, 150, 12, 799, 640])),
        "the next attempt would start at 998 + 640 = 1638, not before the deadline 0 + 1000: \
         DeadlineExceeded, without sleeping",
    );
}

#[test]
fn a_retry_starting_exactly_at_the_deadline_is_not_made() {
    check(
        Scenario::new(policy(100, 1_000, 6, 1_000), &[503])
            .jitter(Jitter::Draws(vec![37, 150, 12, 799, 2])),
        "the next attempt would start at 998 + 2 = 1000, which is not strictly before the \
         deadline 0 + 1000: DeadlineExceeded",
    );
    check(
        Scenario::new(policy(100, 1_000, 6, 1_000), &[503])
            .jitter(Jitter::Draws(vec![37, 150, 12, 799, 1])),
        "the next attempt starts at 998 + 1 = 999, strictly before the deadline 0 + 1000, so \
         it runs",
    );
}

#[test]
fn time_spent_in_the_operation_counts_against_the_deadline() {
    check(
        Scenario::new(policy(100, 1_000, 10, 2_000), &[503]).op_ms(300),
        "time passes during op too: read clock.now_ms() after the attempt, do not add up \
         your sleeps",
    );
    check(
        Scenario::new(policy(100, 1_000, 10, 1_000), &[503]).op_ms(450),
        "the deadline is start + budget_ms, with start read before the first attempt, and \
         the first attempt took 450 ms",
    );
}

#[test]
fn the_deadline_is_counted_from_when_retry_was_called() {
    check(
        Scenario::new(policy(100, 1_000, 10, 2_500), &[503]).start_ms(1_700_000_000_000),
        "the clock does not start at 0: the deadline is clock.now_ms() at the call plus \
         budget_ms",
    );
}

#[test]
fn a_zero_budget_allows_only_the_first_attempt() {
    check(
        Scenario::new(policy(100, 1_000, 5, 0), &[503]).start_ms(1_000),
        "with budget_ms 0 no retry can start before the deadline: the first attempt runs, \
         then DeadlineExceeded",
    );
    check(
        Scenario::new(policy(0, 0, 5, 0), &[503]).start_ms(1_000),
        "with budget_ms 0 even a retry after 0 ms would start at the deadline, not before it",
    );
}

#[test]
fn times_near_u64_max_do_not_overflow() {
    check(
        Scenario::new(policy(100, 1_000, 6, u64::MAX), &[503]).start_ms(u64::MAX - 5_000),
        "start + budget_ms is far beyond u64::MAX here, so no retry hits the deadline; \
         compare the exact values without overflowing",
    );
    check(
        Scenario::new(policy(100, 1_000, 6, 1_000), &[503]).start_ms(u64::MAX - 5_000),
        "a clock close to u64::MAX with an ordinary budget",
    );
    check(
        Scenario::new(policy(u64::MAX, u64::MAX, 3, u64::MAX), &[503]),
        "jitter drew u64::MAX: the retry would start at 0 + u64::MAX, which is not strictly \
         before 0 + u64::MAX",
    );
    check(
        Scenario::new(policy(u64::MAX, u64::MAX, 3, u64::MAX), &[503])
            .start_ms(10)
            .op_ms(5),
        "jitter drew u64::MAX at 15 ms: the retry would start at 15 + u64::MAX, which is not \
         strictly before 10 + u64::MAX",
    );
}

// ---------------------------------------------------------------------------------------
// Random scenarios against the model.

fn random_scenario(seed: u64) -> Scenario {
    let mut rng = SplitMix64(seed);
    let base = [0, 1, 7, 100, 250][rng.below(5) as usize];
    let cap = [0, 50, 1_000, 5_000, u64::MAX][rng.below(5) as usize];
    let max_attempts = rng.below(10) as u32;
    let budget = [0, 300, 1_000, 4_000, u64::MAX][rng.below(5) as usize];
    let start = [0, 12_345, u64::MAX - 100_000][rng.below(3) as usize];
    let op_ms = [0, 0, 10, 150][rng.below(4) as usize];
    let statuses: Vec<u16> = (0..1 + rng.below(8))
        .map(|_| [503, 503, 503, 429, 500, 404, 200][rng.below(7) as usize])
        .collect();
    Scenario::new(policy(base, cap, max_attempts, budget), &statuses)
        .start_ms(start)
        .op_ms(op_ms)
        .jitter(Jitter::Seeded(rng.next()))
}

#[test]
fn random_policies_and_failures_match_the_rules() {
    for seed in 0x7E57_0000..0x7E57_0000 + 60 {
        let scenario = random_scenario(seed);
        if let Some(message) = mismatch(&scenario) {
            panic!("random scenario (seed {seed:#x}): {message}");
        }
    }
}
