//! Advisory file locks, so several backlings processes can share one workspace.

use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result};

/// Blocks until this process holds the exclusive lock on `path` (created if need be); the lock
/// is released when the returned file is dropped, or when the process dies.
pub fn exclusive(path: &Path) -> Result<File> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.lock()
        .with_context(|| format!("locking {}", path.display()))?;
    Ok(file)
}
