//! Machine-readable verdicts in the fields of exercism's test-runner `results.json` (version 2).

use serde::Serialize;

use crate::grader::{CheckResult, CheckStatus, Outcome, Verdict};

#[derive(Serialize)]
pub struct Results {
    pub version: u32,
    /// `pass`, `fail` (checks failed) or `error` (did not compile, crashed, timed out).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub tests: Vec<TestResult>,
    /// Not in exercism's format: how long compiling and running the checks took.
    pub compile_ms: u64,
    pub run_ms: u64,
    /// Not in exercism's format either: the learner's own `#[test]`s, run after the checks
    /// and never part of `status`; absent when their file has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_tests: Option<Vec<TestResult>>,
}

#[derive(Serialize)]
pub struct TestResult {
    pub name: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the learner's code printed during the test, cut to the 500 characters exercism's
    /// format allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

/// Results of one exercise; `name` is added for `check`, which reports many.
#[derive(Serialize)]
pub struct ExerciseResults {
    pub exercise: String,
    #[serde(flatten)]
    pub results: Results,
}

#[derive(Serialize)]
pub struct CourseResults {
    pub version: u32,
    pub status: &'static str,
    pub exercises: Vec<ExerciseResults>,
}

pub fn results(verdict: &Verdict) -> Results {
    if let Outcome::NotGraded { reason } = &verdict.outcome {
        return not_graded(reason);
    }
    let status = match verdict.outcome {
        Outcome::Passed => "pass",
        Outcome::Failed => "fail",
        _ => "error",
    };
    let message = match verdict.outcome {
        Outcome::Passed | Outcome::Failed => None,
        Outcome::CompileError => {
            Some(console::strip_ansi_codes(&verdict.errors.join("\n")).into_owned())
        }
        _ => Some(verdict.headline()),
    };
    Results {
        version: 2,
        status,
        message,
        tests: verdict.checks.iter().map(test_result).collect(),
        compile_ms: verdict.compile_time.as_millis() as u64,
        run_ms: verdict.run_time.as_millis() as u64,
        own_tests: verdict
            .own_tests
            .as_ref()
            .map(|own| own.tests.iter().map(test_result).collect()),
    }
}

fn test_result(result: &CheckResult) -> TestResult {
    TestResult {
        name: result.name.clone(),
        status: match result.status {
            CheckStatus::Passed => "pass",
            CheckStatus::Failed => "fail",
            CheckStatus::NotRun => "error",
        },
        message: result.message.clone(),
        output: result.output.as_deref().map(within_output_limit),
    }
}

/// `output` cut to exercism's limit of 500 characters, saying so when cut.
fn within_output_limit(output: &str) -> String {
    const LIMIT: usize = 500;
    const CUT: &str = "\n[output cut to 500 characters]";
    if output.chars().count() <= LIMIT {
        return output.to_string();
    }
    let kept: String = output.chars().take(LIMIT - CUT.chars().count()).collect();
    kept + CUT
}

/// The results of an exercise that could not be graded at all, and `why`.
fn not_graded(why: &str) -> Results {
    Results {
        version: 2,
        status: "error",
        message: Some(why.to_string()),
        tests: Vec::new(),
        compile_ms: 0,
        run_ms: 0,
        own_tests: None,
    }
}

/// Overall status of many exercises, by the rule exercism's format gives one exercise:
/// `pass` only if all passed, `error` only if none ran at all, `fail` otherwise.
pub fn course_status(all: &[ExerciseResults]) -> &'static str {
    if all.iter().all(|e| e.results.status == "pass") {
        "pass"
    } else if all.iter().all(|e| e.results.status == "error") {
        "error"
    } else {
        "fail"
    }
}
