//! Judging a run of the test binary: each test's result from libtest's log and output, and
//! how the run ended, which a pass must agree with in every detail.

use std::time::Duration;

use super::harness::{CHECKS_MODULE, SENTINEL_TESTS, sentinel_line};
use super::process::Exit;
use super::report;
use super::run::{MAX_PROCESSES, TestRun};
use super::verdict::{
    Cancelled, CheckResult, CheckStatus, NOT_STARTED, Outcome, OwnTests, Verdict,
};

/// What a failed test with an empty panic message says.
const NO_MESSAGE: &str = "failed without a message";

/// Fills in each of `tests` (paths below `module`) from libtest's log, with the failure
/// message from its stdout; a test the log does not mention stays `NotRun`.
fn fill_results(tests: &mut [CheckResult], module: &str, ran: &TestRun) {
    let results = report::parse_logfile(&ran.log, module);
    let mut failures = report::parse_failures(&ran.stdout, module);
    let times = report::test_times(&ran.stdout, &ran.arrivals, module);
    for test in tests {
        test.time = times.get(&test.name).copied();
        match results.get(&test.name) {
            Some(true) => test.status = CheckStatus::Passed,
            Some(false) => {
                test.status = CheckStatus::Failed;
                let failure = failures.remove(&test.name);
                let (message, output) =
                    failure.map_or_else(Default::default, |f| (Some(f.message), Some(f.output)));
                test.message = Some(
                    message
                        .filter(|m| !m.is_empty())
                        .unwrap_or_else(|| NO_MESSAGE.to_string()),
                );
                test.output = output.filter(|o| !o.is_empty());
            }
            None => {}
        }
    }
}

/// The test that was running when the run stopped: libtest runs tests in name order, so the
/// first unreported one.
fn first_unfinished(tests: &[CheckResult]) -> Option<String> {
    tests
        .iter()
        .filter(|t| t.status == CheckStatus::NotRun)
        .map(|t| &t.name)
        .min()
        .cloned()
}

/// Gives the test that was running when the run stopped `why` as its message, and every
/// test after it a message that says which one stopped the run, and how: `not run: check
/// NAME timed out`. `kind` names a test (`check `).
fn explain_unfinished(tests: &mut [CheckResult], outcome: &Outcome, why: String, kind: &str) {
    let Some(running) = first_unfinished(tests) else {
        return;
    };
    // libtest prints why a test failed only at the end of the run, which never came.
    for test in tests.iter_mut() {
        if test.status == CheckStatus::Failed && test.message.as_deref() == Some(NO_MESSAGE) {
            test.message = Some(format!(
                "failed; why was lost when {kind}{running} stopped the run"
            ));
        }
    }
    let stopped = match outcome {
        Outcome::TimedOut { .. } => "timed out",
        _ => "crashed",
    };
    for test in tests.iter_mut().filter(|t| t.status == CheckStatus::NotRun) {
        test.message = Some(if test.name == running {
            why.clone()
        } else {
            format!("{NOT_STARTED}{kind}{running} {stopped}")
        });
    }
}

/// How a run ended, unless it was cancelled. `on_exit` judges an exit code of the
/// process's own, given the test that was running; a limit or a signal is judged here.
fn run_outcome(
    ran: &TestRun,
    time_limit: Duration,
    running: Option<String>,
    on_exit: impl FnOnce(i32, Option<String>) -> Outcome,
) -> Result<Outcome, Cancelled> {
    Ok(match ran.exit {
        Exit::Cancelled => return Err(Cancelled),
        Exit::Code(code) => on_exit(code, running),
        Exit::TimedOut => Outcome::TimedOut {
            limit_ms: time_limit.as_millis() as u64,
            running,
        },
        Exit::TooManyProcesses => Outcome::Crashed {
            reason: format!(
                "it started more than {MAX_PROCESSES} processes at once (a fork loop?), so all \
                 of them were killed"
            ),
            running,
        },
        Exit::Crashed(ref crash) => Outcome::Crashed {
            reason: report::crash_reason(crash, &ran.stderr),
            running,
        },
    })
}

/// A run that exited with `code` when it should not have; `all` names what should have
/// finished first (`every check`).
fn exited_early(code: i32, running: Option<String>, all: &str) -> Outcome {
    Outcome::Crashed {
        reason: match running {
            None => format!(
                "the test process exited with status {code} instead of reporting its results"
            ),
            Some(_) => format!(
                "the test process exited with status {code} before {all} had finished (does \
                 your code call std::process::exit?)"
            ),
        },
        running,
    }
}

/// Fills in each check of `verdict` from the checks' run, and its outcome, unless the run was
/// cancelled. A pass needs more than every check reporting a pass: see
/// [`report::is_clean_pass`] and [`harness::SENTINEL`](super::harness).
pub(super) fn judge_checks(
    verdict: &mut Verdict,
    ran: &TestRun,
    nonce: u64,
    time_limit: Duration,
) -> Result<(), Cancelled> {
    verdict.run_time = ran.time;
    verdict.output_truncated = ran.truncated;
    verdict.outcome = checks_outcome(&mut verdict.checks, ran, nonce, time_limit)?;
    if verdict.outcome == Outcome::Failed {
        // Checks left out by a run that stopped at its first failure.
        for check in verdict.checks.iter_mut() {
            if check.status == CheckStatus::NotRun {
                check.message = Some(format!("{NOT_STARTED}a check before it failed"));
            }
        }
    } else {
        let why = verdict.headline();
        explain_unfinished(&mut verdict.checks, &verdict.outcome, why, "check ");
    }
    Ok(())
}

fn checks_outcome(
    checks: &mut [CheckResult],
    ran: &TestRun,
    nonce: u64,
    time_limit: Duration,
) -> Result<Outcome, Cancelled> {
    fill_results(checks, CHECKS_MODULE, ran);
    let running = first_unfinished(checks);
    let all_reported = running.is_none();
    let any_failed = checks.iter().any(|c| c.status == CheckStatus::Failed);
    let mut reported: Vec<String> = checks.iter().map(|c| c.name.clone()).collect();
    reported.extend(SENTINEL_TESTS.map(String::from));
    run_outcome(ran, time_limit, running, |code, running| match code {
        0 if all_reported && !any_failed => {
            if report::is_clean_pass(&ran.log, &ran.stdout, CHECKS_MODULE, &reported)
                && ran.stdout.contains(&sentinel_line(nonce))
            {
                Outcome::Passed
            } else {
                Outcome::Crashed {
                    reason: "the test results were tampered with: something besides the \
                             test harness wrote to its output or its results file"
                        .to_string(),
                    running: None,
                }
            }
        }
        101 if any_failed && (all_reported || ran.stops_at_first_failure) => Outcome::Failed,
        code => exited_early(code, running, "every check"),
    })
}

/// The learner's tests (below `module`) from their run, unless it was cancelled. Nothing
/// here counts towards the verdict, so the run is taken at its word.
pub(super) fn judge_own_tests(
    ran: &TestRun,
    module: &str,
    time_limit: Duration,
) -> Result<OwnTests, Cancelled> {
    let mut names: Vec<String> = report::parse_logfile(&ran.log, module)
        .into_keys()
        .chain(report::running_test(&ran.stdout, module))
        .collect();
    names.sort();
    names.dedup();
    let mut tests: Vec<CheckResult> = names.into_iter().map(not_run).collect();
    fill_results(&mut tests, module, ran);
    let running = first_unfinished(&tests);
    let finished = running.is_none();
    let any_failed = tests.iter().any(|t| t.status == CheckStatus::Failed);
    let outcome = run_outcome(ran, time_limit, running, |code, running| match code {
        0 if finished && !any_failed => Outcome::Passed,
        101 if finished && any_failed => Outcome::Failed,
        code => exited_early(code, running, "your tests"),
    })?;
    let mut own = OwnTests { outcome, tests };
    if let Some(why) = own.stop_reason() {
        explain_unfinished(&mut own.tests, &own.outcome, why, "");
    }
    Ok(own)
}

pub(super) fn not_run(name: String) -> CheckResult {
    CheckResult {
        name,
        status: CheckStatus::NotRun,
        message: None,
        output: None,
        time: None,
    }
}
