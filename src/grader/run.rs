//! Running the test binary: its checks, the learner's own tests, or the list of its tests,
//! each in an empty directory of its own, under the grade's limits, in the sandbox when
//! grading strictly.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::process::{self, Exit, Limits};
use super::scratch::scratch_dir;
use super::{OUTPUT_CAP, Stop};
use crate::platform::{self, Sandbox};
use crate::temp::TempDir;

/// Address space of the test process: far more than any check needs, and small enough that a
/// runaway allocation fails within a time limit instead of pushing the machine into swap.
const MEMORY_LIMIT: u64 = 1 << 30;
/// Bytes of memory for each in-memory directory of a sandboxed test process (its working
/// directory, `/tmp` and `/dev/shm`), so files cannot take memory past the limits.
const SANDBOX_SCRATCH: u64 = 64 << 20;
/// Checks use threads, not processes; more than this at once is a fork loop.
pub(super) const MAX_PROCESSES: usize = 64;
/// libtest's own way to start no test after one has failed, which prints the failures and
/// exits as a failed run does. The flag is unstable, so the test process is told that it may
/// read unstable flags (it reads that from its environment, not from how it was built).
const STOP_AT_FIRST_FAILURE: [&str; 3] = ["-Z", "unstable-options", "--fail-fast"];

/// How to run the compiled test binary: the same for the checks and the learner's tests.
pub(super) struct TestRunner<'a> {
    pub binary: &'a Path,
    pub time_limit: Duration,
    pub sandbox: Option<&'a Sandbox>,
    pub cancel: &'a AtomicBool,
}

/// What one run of the test binary left behind.
pub(super) struct TestRun {
    pub exit: Exit,
    pub stdout: String,
    pub stderr: String,
    /// What libtest wrote to its `--logfile`.
    pub log: String,
    /// Whether libtest was to start no test after one had failed.
    pub stops_at_first_failure: bool,
    /// When stdout grew: see [`process::Finished::stdout_arrivals`].
    pub arrivals: Vec<(usize, Duration)>,
    pub truncated: bool,
    pub time: Duration,
}

impl TestRunner<'_> {
    fn limits(&self) -> Limits {
        Limits {
            time: self.time_limit,
            memory: Some(MEMORY_LIMIT),
            output: OUTPUT_CAP,
            processes: Some(MAX_PROCESSES),
        }
    }

    /// The test binary with the environment it may see, which is next to none.
    fn command(&self, mut run: Command) -> Command {
        run.env_clear()
            .envs(
                platform::KEPT_ENV
                    .iter()
                    .filter_map(|&key| Some((key, std::env::var_os(key)?))),
            )
            .env("RUST_BACKTRACE", "0")
            // Each thread's malloc arena reserves 64 MiB of address space; without a cap, a
            // check with many threads would hit the memory limit without using the memory.
            .env("MALLOC_ARENA_MAX", "2");
        run
    }

    /// The full name of every test in the binary, as libtest lists them, or `None` if the
    /// binary did not list them. Nothing runs but the harness: no Rust code runs before
    /// `main` without `unsafe`, so this needs no sandbox even when grading strictly.
    pub fn list(&self) -> Result<Option<Vec<String>>, Stop> {
        let workdir = scratch_dir("backlings-run-")?;
        let mut list = self.command(Command::new(self.binary));
        list.current_dir(workdir.path())
            .args(["--list", "--format", "terse"]);
        let ran = process::run(list, b"", self.limits(), self.cancel)?;
        drop(workdir);
        Ok(match ran.exit {
            Exit::Cancelled => return Err(Stop::Cancelled),
            Exit::Code(0) => Some(
                String::from_utf8_lossy(&ran.stdout)
                    .lines()
                    .filter_map(|line| line.strip_suffix(": test"))
                    .map(String::from)
                    .collect(),
            ),
            _ => None,
        })
    }

    /// Runs the tests that libtest's `filter` arguments select, one at a time (none after the
    /// first failure if `stop_at_first_failure`), with results logged to `log`, `stdin` as
    /// input, in `workdir` (removed after) and under the grade's limits.
    pub fn run(
        &self,
        log: &Path,
        filter: &[String],
        stdin: &[u8],
        workdir: TempDir,
        stop_at_first_failure: bool,
    ) -> Result<TestRun> {
        let mut ran = self.run_in(log, filter, stdin, workdir.path(), stop_at_first_failure)?;
        if ran.stops_at_first_failure && refused_its_arguments(&ran) {
            // A libtest without the unstable flag: every check runs, as in a learner's grade.
            ran = self.run_in(log, filter, stdin, workdir.path(), false)?;
        }
        Ok(ran)
    }

    fn run_in(
        &self,
        log: &Path,
        filter: &[String],
        stdin: &[u8],
        workdir: &Path,
        stop_at_first_failure: bool,
    ) -> Result<TestRun> {
        let _ = fs::remove_file(log);
        // In a sandbox, the results go to a directory of their own, the only one of the
        // host's it may write to; its working directory is one of its own, in memory.
        let (run, logfile, outbox) = match self.sandbox {
            None => {
                let mut run = Command::new(self.binary);
                run.current_dir(workdir);
                (run, log.to_path_buf(), None)
            }
            Some(sandbox) => {
                let outbox = scratch_dir("backlings-results-")?;
                let (run, inside) = sandbox.command(self.binary, outbox.path(), SANDBOX_SCRATCH);
                let name = log.file_name().expect("the results file has a name");
                (run, inside.join(name), Some(outbox))
            }
        };
        let mut run = self.command(run);
        if stop_at_first_failure {
            run.env("RUSTC_BOOTSTRAP", "1").args(STOP_AT_FIRST_FAILURE);
        }
        run.arg("--test-threads=1")
            .arg("--logfile")
            .arg(logfile)
            .args(filter);
        let started = Instant::now();
        let ran = process::run(run, stdin, self.limits(), self.cancel)?;
        let time = started.elapsed();
        let log = match outbox {
            None => read_results(log),
            Some(outbox) => read_results(&outbox.path().join(log.file_name().unwrap_or_default())),
        };
        Ok(TestRun {
            exit: ran.exit,
            stdout: String::from_utf8_lossy(&ran.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&ran.stderr).into_owned(),
            log,
            stops_at_first_failure: stop_at_first_failure,
            arrivals: ran.stdout_arrivals,
            truncated: ran.truncated,
            time,
        })
    }
}

/// Whether libtest refused its command line: it then exits as a failed run does, having run
/// no test and printed nothing but its complaint on stderr.
fn refused_its_arguments(ran: &TestRun) -> bool {
    matches!(ran.exit, Exit::Code(101)) && ran.log.is_empty() && ran.stdout.is_empty()
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

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// A libtest that does not know the unstable flag refuses its whole command line, as
    /// libtest does an unknown option; the checks then run without it.
    #[test]
    fn a_libtest_without_the_flag_to_stop_early_runs_every_check() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("checks");
        fs::write(
            &binary,
            "#!/bin/sh\n\
             for arg in \"$@\"; do\n  \
               if [ \"$arg\" = --fail-fast ]; then echo \"error: Unrecognized option: 'fail-fast'\" >&2; exit 101; fi\n\
             done\n\
             while [ \"$1\" != --logfile ]; do shift; done\n\
             echo 'ok checks::every_one' > \"$2\"\n\
             echo 'running 1 test'\n",
        )
        .unwrap();
        fs::set_permissions(&binary, fs::Permissions::from_mode(0o755)).unwrap();
        let never = AtomicBool::new(false);
        let runner = TestRunner {
            binary: &binary,
            time_limit: Duration::from_secs(10),
            sandbox: None,
            cancel: &never,
        };
        let log = dir.path().join("results.log");
        let workdir = scratch_dir("backlings-run-").unwrap();
        let ran = runner.run(&log, &[], b"", workdir, true).unwrap();
        assert!(!ran.stops_at_first_failure);
        assert_eq!(ran.log, "ok checks::every_one\n");
        assert!(matches!(ran.exit, Exit::Code(0)), "{:?}", ran.exit);
    }
}
