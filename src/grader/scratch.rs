//! Directories a grade makes and removes: the build cache it reuses, and temporary ones for
//! builds and runs, with errors that say how to fix the machine.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, anyhow};

use crate::platform;

/// A fresh directory under the system temp dir, with an error that says how to fix it.
pub(super) fn scratch_dir(prefix: &str) -> Result<tempfile::TempDir> {
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
pub(super) fn ensure_cache_writable(dir: &Path) -> Result<()> {
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
pub(super) fn remove_scratch(dir: tempfile::TempDir) {
    let _ = crate::files::remove_tree(&dir.keep(), platform::make_writable);
}
