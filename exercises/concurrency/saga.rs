//! # saga: undo a multi-service operation, step by step
//!
//! Placing an order touches several services, each with a database of its own: reserve
//! the items in the inventory service, charge the card in the payment service, book a
//! courier in the shipping service. There is no transaction spanning them (two-phase
//! commit across services blocks and scales badly), so the order service runs a
//! **saga**: a sequence of local steps, each paired with a **compensation** that undoes
//! it (release the reservation, refund the charge, cancel the booking). If a step fails,
//! the steps that already completed are compensated, newest first, and the system ends
//! up as if the order had never been placed. Interviewers push on the details: which
//! compensations run (not the failed step's: it did nothing), in which order (reverse),
//! and what to do when a compensation itself fails (retry it, because an unreleased
//! reservation is a real bug; if it still fails, report it and still undo the rest, so an
//! operator can fix that one by hand).
//!
//! ## The task
//!
//! Write [`run_saga`], the orchestrator. The steps are [`Step`] trait objects; the checks
//! implement them and record every call your code makes.
//!
//! ## Rules
//!
//! - Execute the steps in order: `steps[0].execute()`, then `steps[1].execute()`, and so
//!   on. Each `execute` is called at most once.
//! - If every step succeeds, return `Ok(())`. No compensation is called.
//! - If `steps[k].execute()` returns `Err(error)`, stop: the steps after `k` are never
//!   executed. Then compensate the **completed** steps in **reverse** order:
//!   `steps[k - 1]`, `steps[k - 2]`, ..., `steps[0]`. The failed step `k` is *not*
//!   compensated (a step that fails must have changed nothing), and neither are the steps
//!   after it (they never ran).
//! - Compensating a step: call its `compensate()` until it returns `Ok(())`, at most
//!   `compensation_attempts` times in all (first try included). A `compensation_attempts`
//!   of 0 counts as 1: a compensation is always tried. Never call it again after it
//!   succeeded.
//! - A compensation that fails on every attempt is recorded as a
//!   [`CompensationFailure`] holding the step's index and the error of its **last**
//!   attempt; then carry on with the next (earlier) step: one stuck compensation must not
//!   stop the others.
//! - After a failure, return `Err(SagaFailure { failed_step: k, error,
//!   compensation_failures })`, with the failures in the order the compensations ran
//!   (empty when everything was undone).
//!
//! ## Examples
//!
//! ```text
//! steps: reserve_stock, charge_card, book_courier, send_email; compensation_attempts 3
//!
//! all succeed:
//!   execute(reserve_stock), execute(charge_card), execute(book_courier),
//!   execute(send_email)                                        -> Ok(())
//!
//! book_courier fails with "no courier":
//!   execute(reserve_stock), execute(charge_card), execute(book_courier) -> Err,
//!   compensate(charge_card), compensate(reserve_stock)
//!   -> Err(SagaFailure { failed_step: 2, error: "no courier", compensation_failures: [] })
//!
//! book_courier fails, and refunding the charge times out twice, then works:
//!   ..., compensate(charge_card) -> Err("timeout"), compensate(charge_card) -> Err("timeout"),
//!   compensate(charge_card) -> Ok, compensate(reserve_stock)
//!   -> Err(SagaFailure { failed_step: 2, error: "no courier", compensation_failures: [] })
//!
//! book_courier fails, and the refund fails 3 times ("bank down", "bank down", "gone"):
//!   ..., compensate(charge_card) x3, compensate(reserve_stock)
//!   -> Err(SagaFailure { failed_step: 2, error: "no courier",
//!          compensation_failures: [CompensationFailure { step: 1, error: "gone" }] })
//! ```
//!
//! ## Edge cases
//!
//! - No steps: `Ok(())`.
//! - The first step fails: nothing to compensate; `compensation_failures` is empty.
//! - The last step fails: every other step is compensated.
//! - `compensation_attempts == 1`: one try per compensation, no retry.
//!
//! ## Complexity
//!
//! With n steps, `run_saga` makes at most n `execute` calls and at most
//! `n * max(compensation_attempts, 1)` `compensate` calls, and no others. Use only the
//! standard library.

/// One local transaction of a saga and the action that undoes it.
pub trait Step {
    /// Does the step's work. `Err(reason)`: the step failed and changed nothing.
    fn execute(&mut self) -> Result<(), String>;
    /// Undoes a successful `execute`. May fail (then it may be retried); calling it again
    /// after a failure is safe.
    fn compensate(&mut self) -> Result<(), String>;
}

/// A completed step whose compensation failed on every attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompensationFailure {
    /// The step's index in `steps`.
    pub step: usize,
    /// The error of its last compensation attempt.
    pub error: String,
}

/// Why a saga did not complete, and what could not be undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SagaFailure {
    /// The index of the step whose `execute` failed.
    pub failed_step: usize,
    /// The error that step returned.
    pub error: String,
    /// The compensations that failed on every attempt, in the order they ran.
    pub compensation_failures: Vec<CompensationFailure>,
}

/// Executes `steps` in order; if one fails, compensates the completed ones in reverse
/// order, trying each compensation up to `compensation_attempts` times (at least once).
pub fn run_saga(
    steps: &mut [Box<dyn Step>],
    compensation_attempts: u32,
) -> Result<(), SagaFailure> {
    todo!(
        "run {} steps, compensating with up to {compensation_attempts} attempts",
        steps.len()
    )
}
