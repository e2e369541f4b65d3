//! Temporary directories that go even when backlings is stopped mid-way. Each is listed while
//! it lives: dropping it removes it, however its content was left (without permissions, or
//! deeper than any path), and [`remove_all`] removes every one still listed, for a process
//! about to exit with work running on other threads, which no drop would reach.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::{files, platform};

/// Every temporary directory alive.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A directory of a fresh name, removed with everything in it when dropped.
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// A new directory named `prefix` and a random suffix in the system's temp dir.
    pub fn new(prefix: &str) -> io::Result<TempDir> {
        TempDir::new_in(&std::env::temp_dir(), prefix)
    }

    /// A new directory named `prefix` and a random suffix in `parent`.
    pub fn new_in(parent: &Path, prefix: &str) -> io::Result<TempDir> {
        // Listed before anyone can see it, so a stop between the two cannot miss it.
        let mut live = live();
        let path = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(parent)?
            .keep();
        live.push(path.clone());
        Ok(TempDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        remove(&self.path);
        let mut live = live();
        if let Some(at) = live.iter().position(|p| *p == self.path) {
            live.swap_remove(at);
        }
    }
}

/// Removes every temporary directory still alive, and keeps any from being made until the
/// process exits, which it is about to do. End the processes working in them first.
pub fn remove_all() {
    let mut live = live();
    for path in live.drain(..) {
        remove(&path);
    }
    std::mem::forget(live);
}

fn remove(path: &Path) {
    let _ = files::remove_tree(path, platform::make_writable);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_directory_is_removed_and_forgotten() {
        let parent = tempfile::tempdir().unwrap();
        let dir = TempDir::new_in(parent.path(), "t-").unwrap();
        let path = dir.path().to_path_buf();
        std::fs::create_dir_all(path.join("a/b")).unwrap();
        std::fs::write(path.join("a/b/f"), "x").unwrap();
        assert!(live().contains(&path));
        drop(dir);
        assert!(!path.exists());
        assert!(!live().contains(&path));
    }
}
