//! The checks' kit as a library of its own, compiled once per toolchain and linked into every
//! grade. Compiled into each grade instead, it cost about a fifth of rustc's CPU time on every
//! file `dev check` proves (rustc's incremental cache does not carry it across the learner's
//! changes), and as much on a learner's save.

use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, anyhow};

use super::compile::{COMPILE_LIMITS, DISK_FULL, disk_full};
use super::harness::CHECKS_KIT;
use super::process::{self, Exit};
use super::{Stop, Toolchain};
use crate::temp::TempDir;

/// The crate's own name; grades know it as `kit` (`--extern kit=…`, `extern crate kit;`).
const CRATE_NAME: &str = "backlings_kit";

/// Two grades of one process (`dev check`'s workers) build it once between them.
static BUILDING: Mutex<()> = Mutex::new(());

/// The kit's library in `dir`, built there first unless this kit was already built by this
/// very compiler: a library is named by a hash of the kit's text and of the compiler binary,
/// so an updated toolchain or backlings builds a new one (and removes the others) instead of
/// linking one rustc cannot read.
pub(super) fn library(
    toolchain: &Toolchain,
    dir: &Path,
    cancel: &AtomicBool,
) -> Result<PathBuf, Stop> {
    // rustc reads a library only under a name like this one.
    let path = dir.join(format!("lib{CRATE_NAME}-{:016x}.rlib", key(toolchain)?));
    if path.is_file() {
        return Ok(path);
    }
    let _building = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    if path.is_file() {
        return Ok(path);
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // Built beside its final name and renamed there, so no grade ever links half a file,
    // even one of another backlings process.
    let scratch = TempDir::new_in(dir, ".building-")
        .with_context(|| format!("creating a temporary directory in {}", dir.display()))?;
    let built = scratch.path().join(format!("lib{CRATE_NAME}.rlib"));
    let mut rustc = toolchain.rustc();
    rustc
        .args(["--edition", "2024", "--crate-type", "rlib"])
        .args(["--crate-name", CRATE_NAME, "--cap-lints", "allow"])
        .args(["-C", "debuginfo=0", "-o"])
        .arg(&built)
        .arg("-");
    let ran = process::run(rustc, CHECKS_KIT.as_bytes(), COMPILE_LIMITS, cancel)?;
    let said = String::from_utf8_lossy(&ran.stderr);
    match ran.exit {
        Exit::Cancelled => return Err(Stop::Cancelled),
        Exit::Code(0) => {}
        _ if said.contains(DISK_FULL) => return Err(disk_full(&said, dir)),
        exit => {
            return Err(Stop::NotGraded(anyhow!(
                "rustc could not build the checks' kit ({exit:?}): {}",
                said.trim()
            )));
        }
    }
    remove_other_libraries(dir, &path);
    fs::rename(&built, &path)
        .or_else(|err| if path.is_file() { Ok(()) } else { Err(err) })
        .with_context(|| format!("moving the checks' kit to {}", path.display()))?;
    Ok(path)
}

/// What names one build of the kit: its text and the compiler binary (its path, size and
/// time of change, which a toolchain update changes).
fn key(toolchain: &Toolchain) -> Result<u64> {
    let compiler = fs::metadata(&toolchain.rustc)
        .with_context(|| format!("reading {}", toolchain.rustc.display()))?;
    let mut hasher = DefaultHasher::new();
    CHECKS_KIT.hash(&mut hasher);
    toolchain.rustc.hash(&mut hasher);
    compiler.len().hash(&mut hasher);
    compiler.modified().ok().hash(&mut hasher);
    Ok(hasher.finish())
}

/// Removes the libraries of other kits or compilers from `dir`, all but `keep` (which another
/// backlings may have just put there): a workspace keeps one.
fn remove_other_libraries(dir: &Path, keep: &Path) {
    let prefix = format!("lib{CRATE_NAME}");
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let library = name.starts_with(&prefix) && name.ends_with(".rlib");
        if library && entry.path() != keep {
            let _ = fs::remove_file(entry.path());
        }
    }
}
