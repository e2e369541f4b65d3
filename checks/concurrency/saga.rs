use super::saga::{CompensationFailure, SagaFailure, Step, run_saga};
use crate::kit::SplitMix64;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Once;

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

thread_local! {
    static IN_LEARNER_CODE: Cell<bool> = const { Cell::new(false) };
    static CAUGHT_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}
static QUIET_HOOK: Once = Once::new();

/// Runs `f` (which calls the learner's code); a panic comes back as "panicked at ...: msg".
fn try_learner<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_LEARNER_CODE.with(Cell::get) {
                let text = info.to_string();
                CAUGHT_PANIC.with(|c| *c.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
    let outer = IN_LEARNER_CODE.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_LEARNER_CODE.with(|c| c.set(outer));
    result.map_err(|_| {
        CAUGHT_PANIC
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| "panicked".to_string())
    })
}

// ---------------------------------------------------------------------------------------
// Scripted steps that record every call made to them.

/// What one step does when called.
#[derive(Clone, Debug)]
struct Spec {
    name: String,
    /// `Some(error)`: execute fails with it.
    execute_error: Option<String>,
    /// The errors of the first compensate calls, in order; after them compensate succeeds.
    compensate_errors: Vec<String>,
}

fn step(name: &str) -> Spec {
    Spec {
        name: name.to_string(),
        execute_error: None,
        compensate_errors: Vec::new(),
    }
}

impl Spec {
    fn fails(mut self, error: &str) -> Self {
        self.execute_error = Some(error.to_string());
        self
    }

    fn compensation_fails(mut self, errors: &[&str]) -> Self {
        self.compensate_errors = errors.iter().map(|e| e.to_string()).collect();
        self
    }
}

impl fmt::Display for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        let mut notes = Vec::new();
        if let Some(error) = &self.execute_error {
            notes.push(format!("execute fails with {error:?}"));
        }
        match self.compensate_errors.as_slice() {
            [] => {}
            [error] => notes.push(format!("its first compensate call fails with {error:?}")),
            errors => notes.push(format!(
                "its first {} compensate calls fail with {errors:?}",
                errors.len()
            )),
        }
        if !notes.is_empty() {
            write!(f, " ({})", notes.join("; "))?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Call {
    Execute(String, Result<(), String>),
    Compensate(String, Result<(), String>),
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, name, result) = match self {
            Call::Execute(name, result) => ("execute", name, result),
            Call::Compensate(name, result) => ("compensate", name, result),
        };
        write!(f, "{what}({name})")?;
        if let Err(error) = result {
            write!(f, " -> Err({error:?})")?;
        }
        Ok(())
    }
}

fn calls_text(calls: &[Call]) -> String {
    let parts: Vec<String> = calls.iter().map(|c| c.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

struct FakeStep {
    name: String,
    execute_error: Option<String>,
    compensate_errors: VecDeque<String>,
    log: Rc<RefCell<Vec<Call>>>,
}

impl Step for FakeStep {
    fn execute(&mut self) -> Result<(), String> {
        let result = match &self.execute_error {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        };
        let call = Call::Execute(self.name.clone(), result.clone());
        self.log.borrow_mut().push(call);
        result
    }

    fn compensate(&mut self) -> Result<(), String> {
        let result = match self.compensate_errors.pop_front() {
            Some(error) => Err(error),
            None => Ok(()),
        };
        let call = Call::Compensate(self.name.clone(), result.clone());
        self.log.borrow_mut().push(call);
        result
    }
}

fn saga_text(specs: &[Spec], attempts: u32) -> String {
    let parts: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
    format!("run_saga([{}], {attempts})", parts.join(", "))
}

/// Runs the learner's `run_saga` on fresh fake steps: its result and the calls it made.
fn run(specs: &[Spec], attempts: u32) -> (Result<Result<(), SagaFailure>, String>, Vec<Call>) {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut steps: Vec<Box<dyn Step>> = specs
        .iter()
        .map(|spec| {
            Box::new(FakeStep {
                name: spec.name.clone(),
                execute_error: spec.execute_error.clone(),
                compensate_errors: spec.compensate_errors.iter().cloned().collect(),
                log: Rc::clone(&log),
            }) as Box<dyn Step>
        })
        .collect();
    let result = try_learner(|| run_saga(&mut steps, attempts));
    drop(steps);
    let calls = log.borrow().clone();
    (result, calls)
}

/// What a correct orchestrator does with these steps: its result and its calls.
fn model(specs: &[Spec], attempts: u32) -> (Result<(), SagaFailure>, Vec<Call>) {
    let mut calls = Vec::new();
    for (k, spec) in specs.iter().enumerate() {
        if let Some(error) = &spec.execute_error {
            calls.push(Call::Execute(spec.name.clone(), Err(error.clone())));
            let mut failures = Vec::new();
            for (index, done) in specs[..k].iter().enumerate().rev() {
                let mut errors = done.compensate_errors.iter();
                let mut last = None;
                for _ in 0..attempts.max(1) {
                    match errors.next() {
                        Some(error) => {
                            calls.push(Call::Compensate(done.name.clone(), Err(error.clone())));
                            last = Some(error.clone());
                        }
                        None => {
                            calls.push(Call::Compensate(done.name.clone(), Ok(())));
                            last = None;
                            break;
                        }
                    }
                }
                if let Some(error) = last {
                    failures.push(CompensationFailure { step: index, error });
                }
            }
            let failure = SagaFailure {
                failed_step: k,
                error: error.clone(),
                compensation_failures: failures,
            };
            return (Err(failure), calls);
        }
        calls.push(Call::Execute(spec.name.clone(), Ok(())));
    }
    (Ok(()), calls)
}

/// The first difference between two call lists, described.
fn first_difference(got: &[Call], expected: &[Call]) -> String {
    let at = got
        .iter()
        .zip(expected)
        .position(|(g, e)| g != e)
        .unwrap_or(got.len().min(expected.len()));
    match (got.get(at), expected.get(at)) {
        (Some(g), Some(e)) => format!("call #{} was {g}, expected {e}", at + 1),
        (Some(g), None) => format!("call #{} was {g}, expected no more calls", at + 1),
        (None, Some(e)) => format!("after call #{at} it stopped, expected {e} next"),
        (None, None) => "the calls are the same".to_string(),
    }
}

/// Runs the saga and compares the calls made and the result with the model's; `why` is
/// the rule the check is about, added to a failure message.
fn check_saga(specs: &[Spec], attempts: u32, why: &str) {
    let call = saga_text(specs, attempts);
    let (expected_result, expected_calls) = model(specs, attempts);
    let (got, calls) = run(specs, attempts);
    let got = match got {
        Ok(got) => got,
        Err(panicked) => panic!(
            "{call} {panicked}\n  (calls made before that: {})",
            calls_text(&calls)
        ),
    };
    if calls != expected_calls {
        panic!(
            "{call}: {}; {why}\n  calls made: {}\n  expected:   {}",
            first_difference(&calls, &expected_calls),
            calls_text(&calls),
            calls_text(&expected_calls)
        );
    }
    if got != expected_result {
        panic!("{call} returned {got:?}, expected {expected_result:?}; {why}");
    }
}

fn order_steps() -> Vec<Spec> {
    vec![
        step("reserve_stock"),
        step("charge_card"),
        step("book_courier"),
        step("send_email"),
    ]
}

// ---------------------------------------------------------------------------------------
// Checks.

#[test]
fn when_every_step_succeeds_each_runs_once_in_order_and_nothing_is_compensated() {
    check_saga(
        &order_steps(),
        3,
        "execute every step once, in order, and return Ok(()) without compensating anything",
    );
}

#[test]
fn a_saga_without_steps_completes() {
    check_saga(&[], 3, "a saga without steps has nothing to do");
}

#[test]
fn a_failure_compensates_the_completed_steps_in_reverse_order() {
    let mut steps = order_steps();
    steps.push(step("update_loyalty_points"));
    steps[3] = step("send_email").fails("smtp down");
    check_saga(
        &steps,
        3,
        "compensate the completed steps newest first: the one before the failed step, \
         then the one before that, down to step 0",
    );
}

#[test]
fn the_failed_steps_own_compensation_is_not_run() {
    let mut steps = order_steps();
    steps[1] = step("charge_card").fails("card declined");
    check_saga(
        &steps,
        3,
        "the failed step changed nothing, so only the steps before it are compensated",
    );
}

#[test]
fn steps_after_the_failure_are_never_executed_nor_compensated() {
    let mut steps = order_steps();
    steps[2] = step("book_courier").fails("no courier");
    check_saga(
        &steps,
        3,
        "stop at the first failure: later steps never ran, so there is nothing to undo",
    );
}

#[test]
fn a_failing_first_step_compensates_nothing() {
    let mut steps = order_steps();
    steps[0] = step("reserve_stock").fails("out of stock");
    check_saga(&steps, 3, "when step 0 fails, no step has completed");
}

#[test]
fn a_failing_last_step_compensates_every_other_step() {
    let mut steps = order_steps();
    steps[3] = step("send_email").fails("smtp down");
    check_saga(&steps, 3, "every step but the last one completed");
}

#[test]
fn the_failure_names_the_failed_step_and_its_error() {
    let mut steps = order_steps();
    steps[2] = step("book_courier").fails("no courier in area 75011");
    let call = saga_text(&steps, 3);
    let (got, calls) = run(&steps, 3);
    let expected = Err(SagaFailure {
        failed_step: 2,
        error: "no courier in area 75011".to_string(),
        compensation_failures: Vec::new(),
    });
    match got {
        Ok(got) => expect_eq!(got, expected, "{call}"),
        Err(panicked) => panic!("{call} {panicked}\n  (calls made: {})", calls_text(&calls)),
    }
}

#[test]
fn a_failing_compensation_is_retried_until_it_succeeds() {
    let mut steps = order_steps();
    steps[1] = step("charge_card").compensation_fails(&["timeout", "timeout"]);
    steps[2] = step("book_courier").fails("no courier");
    check_saga(
        &steps,
        3,
        "retry a failed compensation, up to compensation_attempts tries in all; it \
         succeeded on the third, so nothing is reported",
    );
}

#[test]
fn a_compensation_that_succeeded_is_not_called_again() {
    let mut steps = order_steps();
    steps[0] = step("reserve_stock").compensation_fails(&["timeout"]);
    steps[3] = step("send_email").fails("smtp down");
    check_saga(
        &steps,
        5,
        "stop retrying a compensation as soon as it returns Ok(()): compensating twice \
         could refund a card twice",
    );
}

#[test]
fn a_compensation_that_keeps_failing_is_reported_with_its_last_error() {
    let mut steps = order_steps();
    steps[1] = step("charge_card").compensation_fails(&["bank down", "bank down", "gone"]);
    steps[2] = step("book_courier").fails("no courier");
    check_saga(
        &steps,
        3,
        "after compensation_attempts failed tries, record the step's index with the \
         error of the last try",
    );
}

#[test]
fn the_other_compensations_still_run_after_one_fails_for_good() {
    let mut steps = order_steps();
    steps[2] = step("book_courier").compensation_fails(&["503", "503"]);
    steps[3] = step("send_email").fails("smtp down");
    check_saga(
        &steps,
        2,
        "a compensation that fails for good is reported, and the earlier steps are \
         still compensated after it",
    );
}

#[test]
fn several_compensation_failures_are_reported_in_the_order_they_ran() {
    let steps = vec![
        step("reserve_stock").compensation_fails(&["db locked", "db locked"]),
        step("charge_card"),
        step("book_courier").compensation_fails(&["503", "504"]),
        step("send_email").fails("smtp down"),
    ];
    check_saga(
        &steps,
        2,
        "every compensation that fails for good is reported, newest step first (the \
         order the compensations ran)",
    );
}

#[test]
fn one_compensation_attempt_means_no_retry() {
    let mut steps = order_steps();
    steps[0] = step("reserve_stock").compensation_fails(&["timeout"]);
    steps[1] = step("charge_card").compensation_fails(&["timeout"]);
    steps[2] = step("book_courier").fails("no courier");
    check_saga(
        &steps,
        1,
        "compensation_attempts 1 allows one try per compensation",
    );
}

#[test]
fn zero_compensation_attempts_still_tries_each_compensation_once() {
    let mut steps = order_steps();
    steps[0] = step("reserve_stock").compensation_fails(&["timeout"]);
    steps[2] = step("book_courier").fails("no courier");
    check_saga(
        &steps,
        0,
        "compensation_attempts 0 counts as 1: a compensation is always tried, never \
         skipped",
    );
}

#[test]
fn random_sagas_match_a_reference_orchestrator() {
    const FIRST_SEED: u64 = 0x5A6A_0000;
    for seed in FIRST_SEED..FIRST_SEED + 60 {
        let mut rng = SplitMix64(seed);
        let n = rng.below(7) as usize;
        let failing = rng.below(n as u64 + 2) as usize; // n or n + 1: no failure
        let attempts = rng.below(5) as u32;
        let steps: Vec<Spec> = (0..n)
            .map(|i| {
                let mut spec = step(&format!("s{i}"));
                if i == failing {
                    spec = spec.fails(&format!("e{i}"));
                }
                let errors = rng.below(6) as usize;
                let errors: Vec<String> = (0..errors).map(|j| format!("c{i}.{j}")).collect();
                let errors: Vec<&str> = errors.iter().map(String::as_str).collect();
                spec.compensation_fails(&errors)
            })
            .collect();
        let (expected_result, expected_calls) = model(&steps, attempts);
        let (got, calls) = run(&steps, attempts);
        let call = saga_text(&steps, attempts);
        let got = match got {
            Ok(got) => got,
            Err(panicked) => panic!("random saga (seed {seed:#x}): {call} {panicked}"),
        };
        if calls != expected_calls {
            panic!(
                "random saga (seed {seed:#x}): {call}: {}\n  calls made: {}\n  expected:   {}",
                first_difference(&calls, &expected_calls),
                calls_text(&calls),
                calls_text(&expected_calls)
            );
        }
        if got != expected_result {
            panic!(
                "random saga (seed {seed:#x}): {call} returned {got:?}, expected \
                 {expected_result:?}"
            );
        }
    }
}
