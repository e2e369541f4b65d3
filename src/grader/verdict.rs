//! What a grade says: the verdict, each check's result, and the words that describe them.

use std::time::Duration;

use serde::Serialize;

/// The grade was cancelled (a newer save, a move to another exercise) before it reached a
/// verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// It compiled and ran to the end; some checks failed.
    Failed,
    CompileError,
    /// The limit elapsed; `running` is the check that had not finished.
    TimedOut {
        limit_ms: u64,
        running: Option<String>,
    },
    /// The test process died or exited early.
    Crashed {
        reason: String,
        running: Option<String>,
    },
    /// Nothing about the learner's code is known: the grade could not be made (the disk
    /// is full, the file is missing, the checks cannot be read).
    NotGraded {
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Passed,
    Failed,
    /// Never reported: the process crashed, timed out or exited before it.
    NotRun,
}

/// One hidden check, or one of the learner's own tests.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub name: String,
    pub status: CheckStatus,
    /// Why it failed or did not run.
    pub message: Option<String>,
    /// What the learner's code printed while it ran, when it failed.
    pub output: Option<String>,
    /// How long it ran, when it finished.
    #[serde(skip)]
    pub time: Option<Duration>,
}

impl CheckResult {
    /// Whether the test never started, because one before it stopped the run (rather than
    /// being the one that was running then, or one of a file that did not compile).
    pub fn never_started(&self) -> bool {
        self.status == CheckStatus::NotRun
            && self
                .message
                .as_deref()
                .is_some_and(|m| m.starts_with(NOT_STARTED))
    }
}

/// The learner's own `#[test]`s, run after the checks; they never change the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct OwnTests {
    /// How their run ended: passed, failed, timed out or crashed (it compiled already).
    pub outcome: Outcome,
    /// Every test that started, in the order they ran, named by the path inside the
    /// learner's file (`tests::parses_empty`). One that never finished is `NotRun`.
    pub tests: Vec<CheckResult>,
}

impl OwnTests {
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// Counts, then what stopped the run early, if anything: `2 passed, 1 failed`.
    pub fn headline(&self) -> String {
        let count = |status| self.tests.iter().filter(|t| t.status == status).count();
        let (passed, failed) = (count(CheckStatus::Passed), count(CheckStatus::Failed));
        let counts = if failed == 0 {
            format!("{passed} passed")
        } else {
            format!("{passed} passed, {failed} failed")
        };
        match self.stop_reason() {
            Some(why) => format!("{counts}; {why}"),
            None => counts,
        }
    }

    /// Why the run ended before every test had reported, if it did.
    pub(super) fn stop_reason(&self) -> Option<String> {
        match &self.outcome {
            Outcome::TimedOut { limit_ms, running } => {
                Some(timed_out(*limit_ms, running.as_deref(), ""))
            }
            Outcome::Crashed { reason, running } => Some(crashed(reason, running.as_deref(), "")),
            Outcome::Passed
            | Outcome::Failed
            | Outcome::CompileError
            | Outcome::NotGraded { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub outcome: Outcome,
    /// Every hidden check, in the order the checks file declares them.
    pub checks: Vec<CheckResult>,
    /// Rendered rustc errors (ANSI colours), pointing at the learner's file.
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// Whether the test process printed more than was kept.
    pub output_truncated: bool,
    pub compile_time: Duration,
    pub run_time: Duration,
    /// The learner's own tests, when their file has some and the checks ran.
    pub own_tests: Option<OwnTests>,
}

impl Verdict {
    /// The verdict on a file that could not be graded, and why.
    pub fn not_graded(reason: String) -> Verdict {
        Verdict {
            outcome: Outcome::NotGraded { reason },
            checks: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            output_truncated: false,
            compile_time: Duration::ZERO,
            run_time: Duration::ZERO,
            own_tests: None,
        }
    }

    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks
            .iter()
            .filter(|c| c.status != CheckStatus::Passed)
    }

    /// One line saying what happened.
    pub fn headline(&self) -> String {
        let total = self.checks.len();
        let passed = self
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Passed)
            .count();
        match &self.outcome {
            Outcome::Passed => format!("all {total} checks passed"),
            Outcome::Failed => format!("{} of {total} checks failed", total - passed),
            Outcome::CompileError => {
                let n = self.errors.len();
                format!(
                    "does not compile ({n} error{})",
                    if n == 1 { "" } else { "s" }
                )
            }
            Outcome::TimedOut { limit_ms, running } => {
                timed_out(*limit_ms, running.as_deref(), "check ")
            }
            Outcome::Crashed { reason, running } => crashed(reason, running.as_deref(), "check "),
            Outcome::NotGraded { reason } => format!("could not be graded: {reason}"),
        }
    }
}

/// `timed out after 2.0 s while running check NAME`, where `kind` is `check ` (or nothing).
fn timed_out(limit_ms: u64, running: Option<&str>, kind: &str) -> String {
    format!(
        "timed out after {:.1} s{}",
        limit_ms as f64 / 1000.0,
        running
            .map(|r| format!(" while running {kind}{r}"))
            .unwrap_or_default()
    )
}

/// `crashed in check NAME: REASON`, where `kind` is `check ` (or nothing).
fn crashed(reason: &str, running: Option<&str>, kind: &str) -> String {
    format!(
        "crashed{}: {reason}",
        running
            .map(|r| format!(" in {kind}{r}"))
            .unwrap_or_default()
    )
}

/// How the message of a test that never started begins: `not run: check NAME timed out`.
pub(super) const NOT_STARTED: &str = "not run: ";
