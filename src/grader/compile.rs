//! Compiling the graded crate into a test binary, and refusing binaries in which the
//! learner's code replaces symbols of the C library.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};

use super::process::{self, Exit, Limits};
use super::scratch::scratch_dir;
use super::{OUTPUT_CAP, Stop, Submission, Toolchain, harness, report, symbols};
use crate::platform;

/// The file name rustc gives a crate root read from stdin.
const STDIN_FILE: &str = "<anon>";
/// A compile that takes longer than this is stuck, not slow (a cold one takes seconds).
pub(super) const COMPILE_LIMIT: Duration = Duration::from_secs(60);
/// Address space of rustc: twice what compiling any exercise with its checks takes, so that
/// `include_bytes!("/dev/zero")` fails fast instead of eating the machine's memory.
pub(super) const COMPILER_MEMORY_LIMIT: u64 = 2 << 30;
/// How long and in how much memory rustc may build a test binary (or the kit).
pub(super) const COMPILE_LIMITS: Limits = Limits {
    time: COMPILE_LIMIT,
    memory: Some(COMPILER_MEMORY_LIMIT),
    output: 4 * OUTPUT_CAP,
    processes: None,
};
/// How rustc reports ENOSPC.
pub(super) const DISK_FULL: &str = "No space left on device";

/// What compiling a submission gave.
pub(super) struct Compiled {
    /// Whether `binary` was built and may be run; otherwise `errors` says why not.
    pub runnable: bool,
    /// Rendered rustc errors (ANSI colours), pointing at the learner's file.
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    pub time: Duration,
}

/// Builds the test binary of `sub` at `binary`, linking the checks' `kit` library, with
/// rustc's incremental state in `incremental` if given. A full disk is no fault of the
/// learner's code: it stops the grade.
pub(super) fn compile(
    toolchain: &Toolchain,
    sub: &Submission,
    binary: &Path,
    kit: &Path,
    incremental: Option<&Path>,
    cancel: &AtomicBool,
) -> Result<Compiled, Stop> {
    let started = Instant::now();
    let mut rustc = test_compiler(toolchain, sub.display_root, binary);
    let mut extern_kit = std::ffi::OsString::from("kit=");
    extern_kit.push(kit);
    rustc.arg("--extern").arg(extern_kit);
    if let Some(dir) = incremental {
        rustc
            .arg("-C")
            .arg(format!("incremental={}", dir.display()));
    }
    let root = harness::crate_root(sub);
    let ran = process::run(rustc, root.as_bytes(), COMPILE_LIMITS, cancel)?;
    let stderr = String::from_utf8_lossy(&ran.stderr);
    let diagnostics = report::parse_diagnostics(&stderr, STDIN_FILE);
    let mut compiled = Compiled {
        runnable: false,
        errors: diagnostics.errors,
        warnings: diagnostics.warnings,
        time: started.elapsed(),
    };
    match ran.exit {
        Exit::Cancelled => return Err(Stop::Cancelled),
        Exit::Code(0) => {}
        Exit::TimedOut => {
            compiled.errors.push(format!(
                "error: rustc did not finish within {} s",
                COMPILE_LIMIT.as_secs()
            ));
            return Ok(compiled);
        }
        _ => {
            if let Some(full) = compiled.errors.iter().find(|e| e.contains(DISK_FULL)) {
                return Err(disk_full(full, binary.parent().unwrap_or(binary)));
            }
            let out_of_memory = stderr.contains("memory allocation of")
                || matches!(&ran.exit, Exit::Crashed(crash) if crash.out_of_memory);
            if out_of_memory {
                compiled.errors.push(format!(
                    "error: rustc ran out of memory ({} GiB) compiling your file: does it \
                     include something huge or endless at compile time (`include_bytes!`)?",
                    COMPILER_MEMORY_LIMIT >> 30
                ));
            } else if compiled.errors.is_empty() {
                compiled.errors.push(format!(
                    "error: rustc failed ({:?}) without a diagnostic",
                    ran.exit
                ));
            }
            return Ok(compiled);
        }
    }
    let foreign = symbols::exported_by_learner(binary, || runtime_binary(toolchain))?;
    compiled
        .errors
        .extend(foreign.iter().map(|name| refused_symbol(name)));
    compiled.runnable = foreign.is_empty();
    Ok(compiled)
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

/// What rustc said, if it ran out of disk space, as the reason a grade stopped: no fault of
/// the learner's code.
pub(super) fn disk_full(said: &str, cache: &Path) -> Stop {
    Stop::NotGraded(anyhow!(
        "{}\nthe disk is full: free some space on the one holding {} (it is a cache; deleting \
         it is safe) or the temporary directory {} (or point TMPDIR at a directory with room)",
        said.trim(),
        cache.display(),
        std::env::temp_dir().display()
    ))
}

/// A test binary built as graded ones are but with neither checks nor learner code: what it
/// defines, the toolchain defines.
fn runtime_binary(toolchain: &Toolchain) -> Result<Vec<u8>> {
    let dir = scratch_dir("backlings-runtime-")?;
    let binary = dir
        .path()
        .join(format!("runtime{}", std::env::consts::EXE_SUFFIX));
    let root = format!("{}\n#[test]\nfn nothing() {{}}\n", harness::CHECKS_PRELUDE);
    let rustc = test_compiler(toolchain, dir.path(), &binary);
    let never = AtomicBool::new(false);
    let built = process::run(rustc, root.as_bytes(), COMPILE_LIMITS, &never)?;
    match built.exit {
        Exit::Code(0) => fs::read(&binary).with_context(|| format!("reading {}", binary.display())),
        _ => Err(anyhow!(
            "rustc could not build a test binary without your code ({:?}): {}",
            built.exit,
            String::from_utf8_lossy(&built.stderr)
        )),
    }
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
pub(super) fn remap_prefix(root: &Path) -> std::ffi::OsString {
    let mut arg = std::ffi::OsString::from("--remap-path-prefix=");
    arg.push(platform::dir_prefix(root));
    arg.push("=");
    arg
}
