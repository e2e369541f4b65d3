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
    for k in 0..steps.len() {
        if let Err(error) = steps[k].execute() {
            let compensation_failures = compensate(steps, compensation_attempts);
            return Err(SagaFailure {
                failed_step: k,
                error,
                compensation_failures,
            });
        }
    }
    Ok(())
}

/// Compensates every step of `completed`, last first; returns those that never succeeded.
fn compensate(completed: &mut [Box<dyn Step>], attempts: u32) -> Vec<CompensationFailure> {
    let mut failures = Vec::new();
    for (index, step) in completed.iter_mut().enumerate().rev() {
        let mut result = step.compensate();
        for _ in 1..attempts {
            if result.is_ok() {
                break;
            }
            result = step.compensate();
        }
        if let Err(error) = result {
            failures.push(CompensationFailure { step: index, error });
        }
    }
    failures
}
