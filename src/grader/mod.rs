//! Grades one learner file against hidden checks and returns a typed [`Verdict`].
//!
//! A grade is a short pipeline of stages, each in a file of its own: [`harness`] writes the
//! crate (the checks, then the learner's file as a module), [`compile`] builds it into a test
//! binary, [`run`] runs the binary in an empty directory, as a process tree of its own under
//! time and memory limits (in a sandbox when grading strictly), and [`judge`] reads the
//! results from libtest's log file rather than from anything the learner's code can print.
//! If the learner's file has `#[test]`s of its own, the same binary runs once more for them
//! alone, and their results are reported beside the verdict, never in it.

mod advice;
mod compile;
mod harness;
mod judge;
mod kit;
mod process;
mod report;
mod run;
mod scratch;
mod symbols;
mod toolchain;
mod verdict;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

pub use advice::clippy_advice;
pub use harness::{CHECKS_KIT, editor_crate_root};
pub use report::check_names;
pub use toolchain::Toolchain;
pub use verdict::{Cancelled, CheckResult, CheckStatus, Outcome, OwnTests, Verdict};

use crate::platform::Sandbox;
use crate::temp::TempDir;
use harness::CHECKS_MODULE;
use run::TestRunner;
use scratch::{ensure_cache_writable, scratch_dir};

/// Per stream; enough for every failure message, small enough to render at once.
const OUTPUT_CAP: usize = 256 * 1024;

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
    /// Where the checks' kit is compiled, once for every grade that names the same directory;
    /// without one, in the grade's build directory.
    pub kit_dir: Option<&'a Path>,
    /// Graded work: the learner's file may not use `unsafe` (nor lift that ban), and the test
    /// binary runs in this sandbox.
    pub strict: Option<&'a Sandbox>,
    /// Start no check after one has failed: for a grade that only needs to know whether and
    /// how a file fails (`dev check`'s mutants), never for a learner's, who sees every check.
    pub stop_at_first_failure: bool,
}

/// Why a grade stopped before its verdict.
enum Stop {
    Cancelled,
    /// Something outside the learner's code kept it from being graded.
    NotGraded(anyhow::Error),
}

impl From<anyhow::Error> for Stop {
    fn from(why: anyhow::Error) -> Stop {
        Stop::NotGraded(why)
    }
}

impl From<Cancelled> for Stop {
    fn from(_: Cancelled) -> Stop {
        Stop::Cancelled
    }
}

/// Grades `sub`, unless `cancel` is set before a verdict is reached. What keeps it from
/// being graded at all (a full disk, say) is the verdict's [`Outcome::NotGraded`].
pub fn grade(
    toolchain: &Toolchain,
    sub: &Submission,
    cancel: &AtomicBool,
) -> Result<Verdict, Cancelled> {
    match stages(toolchain, sub, cancel) {
        Ok(verdict) => Ok(verdict),
        Err(Stop::Cancelled) => Err(Cancelled),
        Err(Stop::NotGraded(why)) => Ok(Verdict::not_graded(format!("{why:#}"))),
    }
}

/// The verdict of a grade that no one cancels: `grade` given a cancel flag nothing sets.
pub fn uncancelled(grade: impl FnOnce(&AtomicBool) -> Result<Verdict, Cancelled>) -> Verdict {
    let never = AtomicBool::new(false);
    match grade(&never) {
        Ok(verdict) => verdict,
        Err(Cancelled) => unreachable!("nothing sets the cancel flag"),
    }
}

fn stages(toolchain: &Toolchain, sub: &Submission, cancel: &AtomicBool) -> Result<Verdict, Stop> {
    let (build, _temporary_build) = build_place(sub)?;
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
        compile::COMPILE_LIMIT + 2 * sub.time_limit + Duration::from_secs(10),
    )?;
    let binary = build.join(format!("checks{}", std::env::consts::EXE_SUFFIX));
    let incremental = sub.build_dir.map(|dir| dir.join("incremental"));
    let kit = kit::library(toolchain, sub.kit_dir.unwrap_or(&build), cancel)?;
    let compiled = compile::compile(
        toolchain,
        sub,
        &binary,
        &kit,
        incremental.as_deref(),
        cancel,
    )?;
    let mut verdict = Verdict {
        outcome: Outcome::CompileError,
        checks: check_names(sub.checks)
            .into_iter()
            .map(judge::not_run)
            .collect(),
        errors: compiled.errors,
        warnings: compiled.warnings,
        output_truncated: false,
        compile_time: compiled.time,
        run_time: Duration::ZERO,
        own_tests: None,
    };
    if !compiled.runnable {
        return Ok(verdict);
    }

    let runner = TestRunner {
        binary: &binary,
        time_limit: sub.time_limit,
        sandbox: sub.strict,
        cancel,
    };
    if let Some(listed) = runner.list()? {
        verdict.checks = checks_in_binary(verdict.checks, &listed);
    }
    let nonce = harness::nonce();
    let filter = harness::checks_filter(verdict.checks.iter().map(|check| check.name.as_str()));
    let ran = runner.run(
        &build.join("results.log"),
        &filter,
        format!("{nonce:016x}\n").as_bytes(),
        workdir,
        sub.stop_at_first_failure,
    )?;
    judge::judge_checks(&mut verdict, &ran, nonce, sub.time_limit)?;
    if let Some(workdir) = own_workdir {
        verdict.own_tests = own_tests(&runner, sub.name, &build, workdir)?;
    }
    Ok(verdict)
}

/// Where the grade builds: the submission's build directory, which it reuses so that
/// rustc's incremental state finds the same output path every time (a new one costs it
/// about 0.5 s of CPU per grade), else a temporary directory, returned to be removed.
fn build_place(sub: &Submission) -> Result<(PathBuf, Option<TempDir>), Stop> {
    Ok(match sub.build_dir {
        Some(dir) => {
            ensure_cache_writable(dir)?;
            (dir.to_path_buf(), None)
        }
        None => {
            let temp = scratch_dir("backlings-grade-")?;
            (temp.path().to_path_buf(), Some(temp))
        }
    })
}

/// The checks the test binary really has, from what libtest `listed`: those the checks
/// file declares, in its order (one in a comment or a string is no check), then any it
/// declares in a way the file's text does not show (a macro, say).
fn checks_in_binary(declared: Vec<CheckResult>, listed: &[String]) -> Vec<CheckResult> {
    let checks: Vec<&str> = listed
        .iter()
        .filter_map(|name| name.strip_prefix(CHECKS_MODULE)?.strip_prefix("::"))
        .filter(|name| !name.contains("::"))
        .collect();
    let mut found: Vec<CheckResult> = declared
        .into_iter()
        .filter(|check| checks.contains(&check.name.as_str()))
        .collect();
    for name in checks {
        if !found.iter().any(|check| check.name == name) {
            found.push(judge::not_run(name.to_string()));
        }
    }
    found
}

/// The learner's own tests, run in `workdir`; `None` if their file has none after all.
fn own_tests(
    runner: &TestRunner,
    module: &str,
    build: &Path,
    workdir: TempDir,
) -> Result<Option<OwnTests>, Stop> {
    // Every test of the learner's is below their module; the checks and the sentinel are
    // all below the checks' module, so skipping that excludes each of them.
    let filter = [
        format!("{module}::"),
        "--skip".to_string(),
        format!("{CHECKS_MODULE}::"),
    ];
    let ran = runner.run(&build.join("own-results.log"), &filter, b"", workdir, false)?;
    let own = judge::judge_own_tests(&ran, module, runner.time_limit)?;
    // A `#[test]` only in a comment or a string: nothing ran, so there is nothing to show.
    Ok((!own.tests.is_empty() || !own.passed()).then_some(own))
}

/// Whether the learner's file may hold tests of its own. An unreadable file is rustc's to
/// report, so it counts as having none.
fn has_own_tests(file: &Path) -> bool {
    fs::read(file).is_ok_and(|src| report::has_tests(&String::from_utf8_lossy(&src)))
}
