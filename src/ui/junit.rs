//! JUnit XML, the format CI systems (GitHub Actions reporters, GitLab, Jenkins) and classroom
//! autograders display: one test suite per exercise, one test case per hidden check.

use anyhow::Result;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::grader::{CheckStatus, Outcome, Verdict};

/// The report of `check`: every exercise's verdict, in course order.
pub fn report<'a>(graded: impl IntoIterator<Item = (&'a str, &'a Verdict)>) -> Result<String> {
    let mut report = Report::new("backlings");
    for (exercise, verdict) in graded {
        report.add_test_suite(match &verdict.outcome {
            Outcome::NotGraded { reason } => not_graded(exercise, reason),
            _ => suite(exercise, verdict),
        });
    }
    Ok(without_total_skipped(&report.to_string()?))
}

/// `xml` without the `skipped` count of its `<testsuites>` element, which Jenkins' junit-10
/// schema (what many readers validate against) does not allow there; each `<testsuite>`
/// keeps its own.
fn without_total_skipped(xml: &str) -> String {
    let Some(start) = xml.find("<testsuites ") else {
        return xml.to_string();
    };
    let end = start + xml[start..].find('>').unwrap_or(0);
    let tag = &xml[start..end];
    let Some(at) = tag.find(" skipped=\"") else {
        return xml.to_string();
    };
    let attr_end =
        at + " skipped=\"".len() + tag[at + " skipped=\"".len()..].find('"').unwrap_or(0) + 1;
    format!("{}{}", &xml[..start + at], &xml[start + attr_end..])
}

/// A suite for an exercise that could not be graded: one test case in error, saying why.
fn not_graded(exercise: &str, why: &str) -> TestSuite {
    let mut suite = TestSuite::new(exercise);
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
    status.set_message(one_line(why));
    status.set_description(why);
    let mut case = TestCase::new("grading", status);
    case.set_classname(exercise);
    suite.add_test_case(case);
    suite
}

fn suite(exercise: &str, verdict: &Verdict) -> TestSuite {
    let mut suite = TestSuite::new(exercise);
    suite.set_time(verdict.compile_time + verdict.run_time);
    let compiler_output = console::strip_ansi_codes(&verdict.errors.join("\n")).into_owned();
    if verdict.outcome == Outcome::CompileError {
        suite.set_system_err(compiler_output.as_str());
    }
    for check in &verdict.checks {
        let status = match check.status {
            CheckStatus::Passed => TestCaseStatus::success(),
            CheckStatus::Failed => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_type("check failed");
                if let Some(message) = &check.message {
                    status.set_message(one_line(message));
                    status.set_description(message.as_str());
                }
                status
            }
            // A check after the one a timeout or crash stopped never started: skipped.
            CheckStatus::NotRun if check.never_started() => {
                let mut status = TestCaseStatus::skipped();
                if let Some(message) = &check.message {
                    status.set_message(message.as_str());
                }
                status
            }
            // The check a timeout or crash stopped, and every check of a file that does not
            // compile: errors.
            CheckStatus::NotRun => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_message(check.message.clone().unwrap_or_else(|| verdict.headline()));
                status.set_type(match verdict.outcome {
                    Outcome::CompileError => "compile error",
                    Outcome::TimedOut { .. } => "timeout",
                    _ => "crash",
                });
                // A reader that shows one test case at a time shows why it did not compile.
                if verdict.outcome == Outcome::CompileError {
                    status.set_description(compiler_output.as_str());
                }
                status
            }
        };
        let mut case = TestCase::new(check.name.as_str(), status);
        case.set_classname(exercise);
        if let Some(time) = check.time {
            case.set_time(time);
        }
        if let Some(output) = &check.output {
            case.set_system_out(output.as_str());
        }
        suite.add_test_case(case);
    }
    suite
}

/// A message attribute is shown as a one-line summary; the full text is the element's body.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}
