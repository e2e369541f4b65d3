//! Mutant: compares the version under the lock, lets go of it, and takes it again to write.
//! Two writers that read the same version can both pass the comparison in between, and
//! both succeed: the lost update optimistic locking exists to prevent.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// A refused [`VersionedStore::compare_and_set`]: the record's version was not the expected
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict {
    /// The key's version at the time of the call (0 for a missing key).
    pub current_version: u64,
}

/// Why [`VersionedStore::update_with_retry`] did not update the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateError {
    /// The key holds no record; `f` was not called.
    NotFound,
    /// Every one of the `attempts` attempts met a conflicting write.
    RetriesExhausted {
        /// How many attempts were made: the `max_attempts` given.
        attempts: u32,
    },
}

/// An in-memory table of versioned records, shared by threads through `&self`.
pub struct VersionedStore<V> {
    records: Mutex<HashMap<String, (V, u64)>>,
}

impl<V: Clone> VersionedStore<V> {
    /// An empty store: every key is missing (version 0).
    pub fn new() -> Self {
        VersionedStore {
            records: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, (V, u64)>> {
        // A panic elsewhere cannot leave a record half-written (each write is one
        // assignment), so a poisoned lock is still safe to use.
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A clone of the record's value and its version, or `None` if `key` is missing.
    pub fn get(&self, key: &str) -> Option<(V, u64)> {
        self.lock().get(key).cloned()
    }

    /// Atomically: if `key`'s version (0 when missing) is `expected_version`, store
    /// `new_value`, bump the version and return the new version; otherwise change nothing
    /// and return the current version in the error.
    pub fn compare_and_set(
        &self,
        key: &str,
        expected_version: u64,
        new_value: V,
    ) -> Result<u64, Conflict> {
        let current_version = self.lock().get(key).map_or(0, |record| record.1);
        if current_version != expected_version {
            return Err(Conflict { current_version });
        }
        let new_version = current_version + 1;
        self.lock().insert(key.to_string(), (new_value, new_version));
        Ok(new_version)
    }

    /// Replaces the record's value `v` with `f(&v)` using optimistic locking: read, call `f`
    /// with no lock held, `compare_and_set`; on a conflict start over, at most
    /// `max_attempts` attempts in all. Returns the version written.
    pub fn update_with_retry(
        &self,
        key: &str,
        max_attempts: u32,
        mut f: impl FnMut(&V) -> V,
    ) -> Result<u64, UpdateError> {
        for _ in 0..max_attempts {
            let (value, version) = self.get(key).ok_or(UpdateError::NotFound)?;
            let new_value = f(&value);
            if let Ok(new_version) = self.compare_and_set(key, version, new_value) {
                return Ok(new_version);
            }
        }
        Err(UpdateError::RetriesExhausted {
            attempts: max_attempts,
        })
    }
}

impl<V: Clone> Default for VersionedStore<V> {
    fn default() -> Self {
        Self::new()
    }
}
