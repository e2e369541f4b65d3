//! Advisory file locks, so several backlings processes can share one workspace.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Waits until this process holds the exclusive lock on `path` (created if need be), or
/// gives up after `patience` with an error naming the lock, so that a process stuck while
/// holding it (say, one the learner's code left behind) cannot hang every later command.
/// The lock is released when the returned file is dropped, or when the process dies.
pub fn exclusive_within(path: &Path, patience: Duration) -> Result<File> {
    let file = open(path)?;
    let deadline = Instant::now() + patience;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => bail!(
                "{} stayed locked by another process for {} s; end the other backlings (or \
                 whatever holds it) and try again",
                path.display(),
                patience.as_secs()
            ),
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("locking {}", path.display()));
            }
        }
    }
}

fn open(path: &Path) -> Result<File> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))
}
