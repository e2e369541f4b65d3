//! Idiomatic-Rust advice: clippy's lints on the learner's file, after it passes. Advice
//! never changes a verdict; without clippy there is simply none.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Result;

use super::compile::{COMPILER_MEMORY_LIMIT, remap_prefix};
use super::process::{self, Exit, Limits};
use super::scratch::scratch_dir;
use super::{OUTPUT_CAP, Toolchain, report};

/// clippy checks one file in about a second; this is stuck.
const CLIPPY_LIMIT: Duration = Duration::from_secs(60);

/// clippy's warnings about `file` (rendered, with colours), paths shown relative to
/// `display_root`; `None` when clippy is not installed.
pub fn clippy_advice(
    toolchain: &Toolchain,
    name: &str,
    file: &Path,
    display_root: &Path,
) -> Result<Option<Vec<String>>> {
    let Some(mut clippy) = toolchain.clippy_driver() else {
        return Ok(None);
    };
    let out = scratch_dir("backlings-clippy-")?;
    clippy
        .args([
            "--edition",
            "2024",
            "--crate-type",
            "lib",
            "--crate-name",
            name,
        ])
        .args(["--emit=metadata", "--error-format=json"])
        .args(["--json=diagnostic-rendered-ansi"])
        // The checks call the public items and the learner's own tests use the rest; alone,
        // the file would be full of "never used" noise.
        .args(["-A", "dead_code", "-A", "unused", "-W", "clippy::all"])
        .arg(remap_prefix(display_root))
        .arg("--out-dir")
        .arg(out.path())
        .arg(file);
    let limits = Limits {
        time: CLIPPY_LIMIT,
        memory: Some(COMPILER_MEMORY_LIMIT),
        output: OUTPUT_CAP,
        processes: None,
    };
    let ran = process::run(clippy, b"", limits, &AtomicBool::new(false))?;
    if !matches!(ran.exit, Exit::Code(0)) {
        // It did not compile as a crate of its own (say, it uses `super::`): no advice.
        return Ok(Some(Vec::new()));
    }
    let diagnostics = report::parse_diagnostics(&String::from_utf8_lossy(&ran.stderr), "");
    Ok(Some(
        diagnostics
            .warnings
            .iter()
            .map(|w| without_flag_notes(w))
            .collect(),
    ))
}

/// A lint without the lines about the `-W clippy::all` flag, which the learner did not pass.
fn without_flag_notes(lint: &str) -> String {
    lint.split_inclusive('\n')
        .filter(|line| !line.contains("-W clippy::all`"))
        .collect()
}
