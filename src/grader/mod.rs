//! Grades one learner file against hidden checks and returns a typed [`Verdict`].
//!
//! The learner's file is compiled, unmodified, as a module of a crate whose root is fed to
//! rustc on stdin and holds the checks, so check source never touches the disk. The test
//! binary then runs in an empty directory, in its own process group, under time and memory
//! limits; results come from libtest's log file rather than from anything the learner's code
//! can print. If the learner's file has `#[test]`s of its own, the same binary runs once
//! more for them alone, and their results are reported beside the verdict, never in it.

mod advice;
mod process;
mod report;
mod symbols;
mod toolchain;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;

pub use advice::clippy_advice;
pub use report::check_names;
pub use toolchain::Toolchain;

use crate::platform::{self, Sandbox};
use process::{Exit, Limits};

/// Module holding the checks inside the graded crate; a name no learner would pick.
const CHECKS_MODULE: &str = "__hidden_checks";
/// The file name rustc gives a crate root read from stdin.
const STDIN_FILE: &str = "<anon>";
/// A compile that takes longer than this is stuck, not slow (a cold one takes seconds).
const COMPILE_LIMIT: Duration = Duration::from_secs(60);
/// Address space of rustc: twice what compiling any exercise with its checks takes, so that
/// `include_bytes!("/dev/zero")` fails fast instead of eating the machine's memory.
pub(crate) const COMPILER_MEMORY_LIMIT: u64 = 2 << 30;
/// How long and in how much memory rustc may build a test binary.
const COMPILE_LIMITS: Limits = Limits {
    time: COMPILE_LIMIT,
    memory: Some(COMPILER_MEMORY_LIMIT),
    output: 4 * OUTPUT_CAP,
    processes: None,
};
/// Per stream; enough for every failure message, small enough to render at once.
const OUTPUT_CAP: usize = 256 * 1024;
/// Address space of the test process: far more than any check needs, and small enough that a
/// runaway allocation fails within a time limit instead of pushing the machine into swap.
const MEMORY_LIMIT: u64 = 1 << 30;
/// Bytes of memory for each in-memory directory of a sandboxed test process (its working
/// directory, `/tmp` and `/dev/shm`), so files cannot take memory past the limits.
const SANDBOX_SCRATCH: u64 = 64 << 20;
/// Checks use threads, not processes; more than this at once is a fork loop.
const MAX_PROCESSES: usize = 64;
/// How rustc reports ENOSPC.
const DISK_FULL: &str = "No space left on device";

/// Helpers every checks file may use, defined before the checks module.
const CHECKS_PRELUDE: &str = r#"
/// Fails the check with `CALL returned ACTUAL, expected EXPECTED` unless the two are equal.
#[allow(unused_macros)]
macro_rules! expect_eq {
    ($actual:expr, $expected:expr, $($call:tt)+) => {{
        let actual = $actual;
        let expected = $expected;
        if actual != expected {
            panic!("{} returned {:?}, expected {:?}", format_args!($($call)+), actual, expected);
        }
    }};
}
"#;

/// One learner file to grade.
pub struct Submission<'a> {
    /// The exercise name, which is also the module name the checks import from.
    pub name: &'a str,
    /// Absolute path of the file to grade.
    pub file: &'a Path,
    /// Diagnostics show paths relative to this directory.
    pub display_root: &'a Path,
    pub checks: &'a str,
    /// The course's shared checks helpers, compiled as the checks' module `support` (may be empty).
    pub support: &'a str,
    pub time_limit: Duration,
    /// A directory kept between grades of this exercise, for rustc's incremental state and
    /// the build; without one, each grade builds from scratch in a temporary directory.
    pub build_dir: Option<&'a Path>,
    /// Graded work: the learner's file may not use `unsafe` (nor lift that ban), and the test
    /// binary runs in this sandbox.
    pub strict: Option<&'a Sandbox>,
}

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
    fn stop_reason(&self) -> Option<String> {
        match &self.outcome {
            Outcome::TimedOut { limit_ms, running } => {
                Some(timed_out(*limit_ms, running.as_deref(), ""))
            }
            Outcome::Crashed { reason, running } => Some(crashed(reason, running.as_deref(), "")),
            Outcome::Passed | Outcome::Failed | Outcome::CompileError => None,
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

/// Grades `sub`. `Ok(None)` means `cancel` was set before a verdict was reached.
pub fn grade(
    toolchain: &Toolchain,
    sub: &Submission,
    cancel: &AtomicBool,
) -> Result<Option<Verdict>> {
    // A grade with a build directory of its own reuses it, so rustc's incremental state finds
    // the same output path every time (a new one costs it about 0.5 s of CPU per grade).
    let (build, scratch) = match sub.build_dir {
        Some(dir) => {
            ensure_cache_writable(dir)?;
            (dir.to_path_buf(), None)
        }
        None => {
            let temp = scratch_dir("backlings-grade-")?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    // The learner's code starts in an empty directory of its own, so relative paths (even
    // `../results.log`) reach neither the results nor the workspace. Made first, because the
    // linker needs the temp dir too, and this error says how to fix it. The learner's own
    // tests get a fresh one, made now too, so that nothing after the checks' run can fail
    // the grade.
    let workdir = scratch_dir("backlings-run-")?;
    let own_workdir = has_own_tests(sub.file)
        .then(|| scratch_dir("backlings-run-"))
        .transpose()?;
    // Another backlings (a second watcher, `run`) grading the same exercise waits its turn,
    // as long as a grade can take; longer, and something else holds the lock (a process the
    // learner's code left behind), which must not hang every later grade.
    let _lock = crate::lock::exclusive_within(
        &build.join("lock"),
        COMPILE_LIMIT + 2 * sub.time_limit + Duration::from_secs(10),
    )?;
    let binary = build.join(format!("checks{}", std::env::consts::EXE_SUFFIX));
    let nonce = nonce();

    let started = Instant::now();
    let mut rustc = test_compiler(toolchain, sub.display_root, &binary);
    if sub.build_dir.is_some() {
        rustc.arg("-C").arg(format!(
            "incremental={}",
            build.join("incremental").display()
        ));
    }
    let root = crate_root(sub);
    let compiled = process::run(rustc, root.as_bytes(), COMPILE_LIMITS, cancel)?;
    let compile_time = started.elapsed();
    let diagnostics =
        report::parse_diagnostics(&String::from_utf8_lossy(&compiled.stderr), STDIN_FILE);
    let expected = check_names(sub.checks);
    let mut verdict = Verdict {
        outcome: Outcome::CompileError,
        checks: expected.iter().cloned().map(not_run).collect(),
        errors: diagnostics.errors,
        warnings: diagnostics.warnings,
        output_truncated: false,
        compile_time,
        run_time: Duration::ZERO,
        own_tests: None,
    };
    match compiled.exit {
        Exit::Cancelled => return Ok(None),
        Exit::Code(0) => {}
        Exit::TimedOut => {
            verdict.errors.push(format!(
                "error: rustc did not finish within {} s",
                COMPILE_LIMIT.as_secs()
            ));
            return Ok(Some(verdict));
        }
        _ => {
            if let Some(full) = verdict.errors.iter().find(|e| e.contains(DISK_FULL)) {
                bail!(
                    "{}\nthe disk is full: free some space on the one holding {} (it is a \
                     cache; deleting it is safe) or the temporary directory {} (or point TMPDIR \
                     at a directory with room)",
                    full.trim(),
                    build.display(),
                    std::env::temp_dir().display()
                );
            }
            let stderr = String::from_utf8_lossy(&compiled.stderr);
            let out_of_memory = stderr.contains("memory allocation of")
                || matches!(&compiled.exit, Exit::Crashed(crash) if crash.out_of_memory);
            if out_of_memory {
                verdict.errors.push(format!(
                    "error: rustc ran out of memory ({} GiB) compiling your file: does it \
                     include something huge or endless at compile time (`include_bytes!`)?",
                    COMPILER_MEMORY_LIMIT >> 30
                ));
            } else if verdict.errors.is_empty() {
                verdict.errors.push(format!(
                    "error: rustc failed ({:?}) without a diagnostic",
                    compiled.exit
                ));
            }
            return Ok(Some(verdict));
        }
    }

    let foreign = symbols::exported_by_learner(&binary, || runtime_binary(toolchain))?;
    if !foreign.is_empty() {
        verdict
            .errors
            .extend(foreign.iter().map(|name| refused_symbol(name)));
        return Ok(Some(verdict));
    }

    let runner = TestRunner {
        binary: &binary,
        time_limit: sub.time_limit,
        sandbox: sub.strict,
        cancel,
    };
    // Each check by its full name and nothing else: a test of the learner's that is named
    // like one, even inside a module of theirs called like the checks', must not run here,
    // where it could come after the sentinel and rewrite the results.
    let mut filter = vec!["--exact".to_string()];
    filter.extend(
        expected
            .iter()
            .map(String::as_str)
            .chain(SENTINEL_TESTS)
            .map(|name| format!("{CHECKS_MODULE}::{name}")),
    );
    let ran = runner.run(
        &build.join("results.log"),
        &filter,
        format!("{nonce:016x}\n").as_bytes(),
        workdir,
    )?;
    verdict.run_time = ran.time;
    verdict.output_truncated = ran.truncated;
    let Some(outcome) = judge_checks(&mut verdict.checks, &ran, nonce, sub.time_limit) else {
        return Ok(None);
    };
    verdict.outcome = outcome;
    let why = verdict.headline();
    explain_unfinished(&mut verdict.checks, &verdict.outcome, why, "check ");

    if let Some(workdir) = own_workdir {
        // Every test of the learner's is below their module; the checks and the sentinel
        // are all below the checks' module, so skipping that excludes each of them.
        let filter = [
            format!("{}::", sub.name),
            "--skip".to_string(),
            format!("{CHECKS_MODULE}::"),
        ];
        let ran = runner.run(&build.join("own-results.log"), &filter, b"", workdir)?;
        let Some(own) = judge_own_tests(&ran, sub.name, sub.time_limit) else {
            return Ok(None);
        };
        // A `#[test]` only in a comment or a string: nothing ran, so there is nothing to show.
        verdict.own_tests = (!own.tests.is_empty() || !own.passed()).then_some(own);
    }
    if let Some(temp) = scratch {
        remove_scratch(temp);
    }
    Ok(Some(verdict))
}

/// Whether the learner's file may hold tests of its own. An unreadable file is rustc's to
/// report, so it counts as having none.
fn has_own_tests(file: &Path) -> bool {
    fs::read(file).is_ok_and(|src| report::has_tests(&String::from_utf8_lossy(&src)))
}

fn not_run(name: String) -> CheckResult {
    CheckResult {
        name,
        status: CheckStatus::NotRun,
        message: None,
        output: None,
        time: None,
    }
}

/// How to run the compiled test binary: the same for the checks and the learner's tests.
struct TestRunner<'a> {
    binary: &'a Path,
    time_limit: Duration,
    sandbox: Option<&'a Sandbox>,
    cancel: &'a AtomicBool,
}

/// What one run of the test binary left behind.
struct TestRun {
    exit: Exit,
    stdout: String,
    stderr: String,
    /// What libtest wrote to its `--logfile`.
    log: String,
    /// When stdout grew: see [`process::Finished::stdout_arrivals`].
    arrivals: Vec<(usize, Duration)>,
    truncated: bool,
    time: Duration,
}

impl TestRunner<'_> {
    /// Runs the tests that libtest's `filter` arguments select, one at a time, with results
    /// logged to `log`, `stdin` as input, in `workdir` (removed after) and under the grade's
    /// limits.
    fn run(
        &self,
        log: &Path,
        filter: &[String],
        stdin: &[u8],
        workdir: tempfile::TempDir,
    ) -> Result<TestRun> {
        let _ = fs::remove_file(log);
        // In a sandbox, the results go to a directory of their own, the only one of the
        // host's it may write to; its working directory is one of its own, in memory.
        let (mut run, logfile, outbox) = match self.sandbox {
            None => {
                let mut run = Command::new(self.binary);
                run.current_dir(workdir.path());
                (run, log.to_path_buf(), None)
            }
            Some(sandbox) => {
                let outbox = scratch_dir("backlings-results-")?;
                let (run, inside) = sandbox.command(self.binary, outbox.path(), SANDBOX_SCRATCH);
                let name = log.file_name().expect("the results file has a name");
                (run, inside.join(name), Some(outbox))
            }
        };
        run.env_clear()
            .envs(
                platform::KEPT_ENV
                    .iter()
                    .filter_map(|&key| Some((key, std::env::var_os(key)?))),
            )
            .env("RUST_BACKTRACE", "0")
            // Each thread's malloc arena reserves 64 MiB of address space; without a cap, a
            // check with many threads would hit the memory limit without using the memory.
            .env("MALLOC_ARENA_MAX", "2")
            .arg("--test-threads=1")
            .arg("--logfile")
            .arg(logfile)
            .args(filter);
        let limits = Limits {
            time: self.time_limit,
            memory: Some(MEMORY_LIMIT),
            output: OUTPUT_CAP,
            processes: Some(MAX_PROCESSES),
        };
        let started = Instant::now();
        let ran = process::run(run, stdin, limits, self.cancel)?;
        let time = started.elapsed();
        remove_scratch(workdir);
        let log = match outbox {
            None => read_results(log),
            Some(outbox) => {
                let log = read_results(&outbox.path().join(log.file_name().unwrap_or_default()));
                remove_scratch(outbox);
                log
            }
        };
        Ok(TestRun {
            exit: ran.exit,
            stdout: String::from_utf8_lossy(&ran.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&ran.stderr).into_owned(),
            log,
            arrivals: ran.stdout_arrivals,
            truncated: ran.truncated,
            time,
        })
    }
}

/// libtest's results file, which the code being graded may have replaced: read only if it
/// is a regular file (a named pipe would block), and at most 1 MiB of it (a sparse file of
/// gigabytes would not). Anything else reads as no results at all, which never passes.
fn read_results(log: &Path) -> String {
    const MOST: u64 = 1 << 20;
    let mut text = String::new();
    if let Ok(file) = platform::open_regular_file(log) {
        let _ = std::io::Read::read_to_string(&mut std::io::Read::take(file, MOST), &mut text);
    }
    text
}

/// How the message of a test that never started begins: `not run: check NAME timed out`.
const NOT_STARTED: &str = "not run: ";

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

/// How a run ended; `None` if it was cancelled. `on_exit` judges an exit code of the
/// process's own, given the test that was running; a limit or a signal is judged here.
fn run_outcome(
    ran: &TestRun,
    time_limit: Duration,
    running: Option<String>,
    on_exit: impl FnOnce(i32, Option<String>) -> Outcome,
) -> Option<Outcome> {
    Some(match ran.exit {
        Exit::Cancelled => return None,
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

/// The verdict's outcome from the checks' run, after filling in each check; `None` if it was
/// cancelled. A pass needs more than every check reporting a pass: see [`report::is_clean_pass`]
/// and [`SENTINEL`].
fn judge_checks(
    checks: &mut [CheckResult],
    ran: &TestRun,
    nonce: u64,
    time_limit: Duration,
) -> Option<Outcome> {
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
        101 if all_reported && any_failed => Outcome::Failed,
        code => exited_early(code, running, "every check"),
    })
}

/// The learner's tests (below `module`) from their run; `None` if it was cancelled. Nothing
/// here counts towards the verdict, so the run is taken at its word.
fn judge_own_tests(ran: &TestRun, module: &str, time_limit: Duration) -> Option<OwnTests> {
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
    Some(own)
}

/// rustc building a test binary at `output` from a crate root on stdin, with paths shown
/// relative to `display_root`.
fn test_compiler(toolchain: &Toolchain, display_root: &Path, output: &Path) -> Command {
    let mut rustc = toolchain.rustc();
    rustc
        .args([
            "--test",
            "--edition",
            "2024",
            "--crate-name",
            "backlings_grade",
        ])
        .args(["--error-format=json", "--json=diagnostic-rendered-ansi"])
        .args(["-C", "debuginfo=0", "-C", "strip=debuginfo"])
        .arg(remap_prefix(display_root))
        .arg("-o")
        .arg(output)
        .arg("-");
    rustc
}

/// A test binary built as graded ones are but with neither checks nor learner code: what it
/// defines, the toolchain defines.
fn runtime_binary(toolchain: &Toolchain) -> Result<Vec<u8>> {
    let dir = scratch_dir("backlings-runtime-")?;
    let binary = dir
        .path()
        .join(format!("runtime{}", std::env::consts::EXE_SUFFIX));
    let root = format!("{CHECKS_PRELUDE}\n#[test]\nfn nothing() {{}}\n");
    let rustc = test_compiler(toolchain, dir.path(), &binary);
    let never = AtomicBool::new(false);
    let built = process::run(rustc, root.as_bytes(), COMPILE_LIMITS, &never)?;
    let bytes = match built.exit {
        Exit::Code(0) => fs::read(&binary).with_context(|| format!("reading {}", binary.display())),
        _ => Err(anyhow!(
            "rustc could not build a test binary without your code ({:?}): {}",
            built.exit,
            String::from_utf8_lossy(&built.stderr)
        )),
    };
    remove_scratch(dir);
    bytes
}

/// The compile error for a symbol of the learner's with an unmangled name.
fn refused_symbol(name: &str) -> String {
    format!(
        "error: your code defines the symbol `{name}` under its plain name, where it would \
         replace the C library's function of that name for the whole test process, the \
         harness that reports your results included, so it is not graded\n  = help: remove \
         `#[unsafe(no_mangle)]` or `#[unsafe(export_name)]` from it, and give it a Rust name"
    )
}

/// rustc's `--remap-path-prefix` that shows paths below `root` relative to it.
fn remap_prefix(root: &Path) -> std::ffi::OsString {
    let mut arg = std::ffi::OsString::from("--remap-path-prefix=");
    arg.push(platform::dir_prefix(root));
    arg.push("=");
    arg
}

/// A fresh directory under the system temp dir, with an error that says how to fix it.
fn scratch_dir(prefix: &str) -> Result<tempfile::TempDir> {
    let parent = std::env::temp_dir();
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|err| {
            use std::io::ErrorKind::*;
            let fix = match err.kind() {
                StorageFull => {
                    "it is full: free some space there, or point TMPDIR at a directory with room"
                }
                NotFound if !parent.is_dir() => {
                    "it does not exist: create it, or point TMPDIR at a directory that does"
                }
                PermissionDenied | ReadOnlyFilesystem | NotFound => {
                    "it is not writable: point TMPDIR at a directory you can write to"
                }
                _ => "point TMPDIR at another directory",
            };
            anyhow!(
                "cannot create a build directory in {} ({err}): {fix}",
                parent.display()
            )
        })
}

/// Fails, naming the fix, where rustc could not write its output: otherwise that would show as
/// a compile error in the learner's code.
fn ensure_cache_writable(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)
        .and_then(|()| tempfile::tempfile_in(dir).map(drop))
        .with_context(|| {
            format!(
                "cannot write the build cache {} (it only holds compiled checks: delete it, or \
                 make it writable)",
                dir.display()
            )
        })
}

/// Removes a scratch directory even if the learner's code took away permissions inside it
/// or made it deeper than any path.
fn remove_scratch(dir: tempfile::TempDir) {
    let _ = crate::files::remove_tree(&dir.keep(), platform::make_writable);
}

/// The crate rustc compiles: the prelude, the checks with the sentinel's tests, and last the
/// learner's file as a module. Last, because a `macro_rules!` is in scope from where it is
/// defined to the end of the crate: none of the learner's (not even under `#![macro_use]`)
/// can reach the checks or the prelude and turn `assert!` or `panic!` into nothing.
fn crate_root(sub: &Submission) -> String {
    let mut root = String::from(CHECKS_PRELUDE);
    let support = if sub.support.is_empty() {
        String::new()
    } else {
        format!("mod support {{\n{}\n}}\n", sub.support)
    };
    let _ = writeln!(
        root,
        "#[allow(warnings)]\nmod {CHECKS_MODULE} {{\n{}\n{support}{SENTINEL}\n}}",
        sub.checks,
    );
    // A `forbid` on the module declaration: an `allow` inside the file cannot lift it.
    let _ = writeln!(
        root,
        "{}#[path = {:?}]\npub mod {};",
        if sub.strict.is_some() {
            "#[forbid(unsafe_code)]\n"
        } else {
            ""
        },
        sub.file.display().to_string(),
        sub.name
    );
    root
}

/// The sentinel: a number no one can know before this grade, given to the test process on
/// its stdin and printed back at the very end. Seeing it on stdout proves that the test
/// process got through every check by itself, so results forged from the learner's code and
/// followed by an early exit cannot add up to a pass.
///
/// libtest runs tests one at a time in name order, so the test that takes the number from
/// stdin runs before any check (no identifier sorts before `A`) and the one that prints it
/// after every check. The number is never on disk nor in the binary: neither
/// `include_str!` at compile time nor running the binary again can learn it, and the learner's
/// code, which runs only after it was taken, finds stdin empty. It is kept in a private item
/// of the checks' module, which the learner's module cannot name.
const SENTINEL: &str = r#"
#[allow(non_snake_case)]
mod AAAA_sentinel {
    #[test]
    fn nonce_taken() {
        super::zzzz_sentinel::take_nonce();
    }
}
mod zzzz_sentinel {
    static NONCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

    pub(super) fn take_nonce() {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        let _ = NONCE.set(line.trim().to_string());
    }

    #[test]
    fn every_check_ran() {
        use std::io::Write;
        if let Some(nonce) = NONCE.get().filter(|n| !n.is_empty()) {
            let line = format!("\nbacklings sentinel {nonce}\n");
            let _ = std::io::stdout().write_all(line.as_bytes());
        }
    }
}
"#;
const SENTINEL_TESTS: [&str; 2] = [
    "AAAA_sentinel::nonce_taken",
    "zzzz_sentinel::every_check_ran",
];

fn sentinel_line(nonce: u64) -> String {
    format!("\nbacklings sentinel {nonce:016x}\n")
}

fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // Each RandomState starts from fresh random keys, so this is an unpredictable number.
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}
