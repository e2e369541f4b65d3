//! Directories a grade makes and removes: the build cache it reuses, and temporary ones for
//! builds and runs, with errors that say how to fix the machine.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, anyhow};

use crate::temp::TempDir;

/// A fresh directory under the system temp dir, with an error that says how to fix it.
/// Removed when dropped, even if the learner's code took away permissions inside it or made
/// it deeper than any path.
pub(super) fn scratch_dir(prefix: &str) -> Result<TempDir> {
    let parent = std::env::temp_dir();
    TempDir::new_in(&parent, prefix).map_err(|err| {
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
