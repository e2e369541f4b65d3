//! Writing files without losing what was there: whole-file atomic replacement, and creation
//! that refuses to touch an existing file.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

/// Replaces `path` with `bytes` through a synced temporary file in the same directory, so a
/// crash leaves either the old or the new contents, never a mix.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", tmp.path().display()))?;
    tmp.persist(path)
        .with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// Writes a file that must not exist yet, creating its directory.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .with_context(|| format!("writing {}", path.display()))
}

/// Removes the directory tree at `root`, however deep. Each directory's entries are moved
/// up into `root` under fresh names before it is removed, so no path grows and nothing
/// recurses: std's `remove_dir_all` recurses, and a tree 60,000 levels deep (which graded
/// code can make in a moment) overflows a thread's stack or outgrows the longest path.
/// `unlock` makes a directory writable again where its owner took that away.
pub fn remove_tree(root: &Path, unlock: impl Fn(&Path)) -> std::io::Result<()> {
    let mut fresh = 0u64;
    let mut fresh_name = || loop {
        fresh += 1;
        let candidate = root.join(format!(".removing-{fresh}"));
        if fs::symlink_metadata(&candidate).is_err() {
            return candidate;
        }
    };
    unlock(root);
    loop {
        let entries = fs::read_dir(root)?.collect::<std::io::Result<Vec<_>>>()?;
        if entries.is_empty() {
            return fs::remove_dir(root);
        }
        for entry in entries {
            let path = entry.path();
            if !entry.file_type()?.is_dir() {
                if fs::remove_file(&path).is_err() {
                    unlock(&path);
                    fs::remove_file(&path)?;
                }
                continue;
            }
            unlock(&path);
            for child in fs::read_dir(&path)? {
                fs::rename(child?.path(), fresh_name())?;
            }
            fs::remove_dir(&path)?;
        }
    }
}

/// A fingerprint of file contents (64-bit FNV-1a), stable across runs and versions, so that
/// progress can tell whether this content was seen before.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deep_tree_with_files_and_links_is_removed_whole() {
        let root = tempfile::tempdir().unwrap().keep();
        let mut dir = root.clone();
        for level in 0..300 {
            dir.push("d");
            fs::create_dir(&dir).unwrap();
            fs::write(dir.join(format!("f{level}")), b"x").unwrap();
        }
        // A name the removal itself would pick, taken already.
        fs::create_dir(root.join(".removing-1")).unwrap();
        remove_tree(&root, |_| {}).unwrap();
        assert!(!root.exists());
    }
}
