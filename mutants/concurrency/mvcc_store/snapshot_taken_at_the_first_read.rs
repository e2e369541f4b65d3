//! # mvcc_store: snapshot isolation with multi-version concurrency control (reference solution)

use std::collections::{BTreeMap, HashMap};

/// A transaction id, as returned by [`MvccStore::begin`]: 1, 2, 3, ...
pub type TxId = u64;

/// Why a transaction operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxError {
    /// From `commit`: another transaction committed a write to `key` after this one began.
    Conflict {
        /// The smallest conflicting key.
        key: String,
    },
    /// The transaction id was never handed out, or it has already committed or aborted.
    NotActive,
}

/// One committed version of a key: `None` is a deletion (a tombstone).
struct Version {
    commit_ts: u64,
    value: Option<String>,
}

struct Transaction {
    start_ts: std::cell::Cell<Option<u64>>,
    /// Buffered writes, applied only on commit; `None` deletes.
    writes: BTreeMap<String, Option<String>>,
}

/// An in-memory key-value store with snapshot isolation.
pub struct MvccStore {
    /// The commit timestamp of the latest writing commit (0: none yet).
    clock: u64,
    next_tx: TxId,
    /// Committed versions of every key, oldest first.
    versions: HashMap<String, Vec<Version>>,
    active: HashMap<TxId, Transaction>,
}

impl MvccStore {
    /// An empty store with no transactions.
    pub fn new() -> Self {
        MvccStore {
            clock: 0,
            next_tx: 1,
            versions: HashMap::new(),
            active: HashMap::new(),
        }
    }

    /// Starts a transaction whose snapshot holds every commit made so far.
    pub fn begin(&mut self) -> TxId {
        let id = self.next_tx;
        self.next_tx += 1;
        self.active.insert(
            id,
            Transaction {
                start_ts: std::cell::Cell::new(None),
                writes: BTreeMap::new(),
            },
        );
        id
    }

    /// The value of `key` as `tx` sees it: its own write, else its snapshot.
    pub fn get(&self, tx: TxId, key: &str) -> Result<Option<String>, TxError> {
        let t = self.active.get(&tx).ok_or(TxError::NotActive)?;
        if let Some(own) = t.writes.get(key) {
            return Ok(own.clone());
        }
        // The snapshot is taken by the first read, like a consistent read in InnoDB.
        let start_ts = t.start_ts.get().unwrap_or(self.clock);
        t.start_ts.set(Some(start_ts));
        let visible = self
            .versions
            .get(key)
            .and_then(|vs| vs.iter().rev().find(|v| v.commit_ts <= start_ts));
        Ok(visible.and_then(|v| v.value.clone()))
    }

    fn write(&mut self, tx: TxId, key: &str, value: Option<String>) -> Result<(), TxError> {
        let t = self.active.get_mut(&tx).ok_or(TxError::NotActive)?;
        t.writes.insert(key.to_string(), value);
        Ok(())
    }

    /// Sets `key` to `value` in `tx` (visible to others only after a commit).
    pub fn put(&mut self, tx: TxId, key: &str, value: &str) -> Result<(), TxError> {
        self.write(tx, key, Some(value.to_string()))
    }

    /// Deletes `key` in `tx` (visible to others only after a commit).
    pub fn delete(&mut self, tx: TxId, key: &str) -> Result<(), TxError> {
        self.write(tx, key, None)
    }

    /// Commits `tx`, unless another transaction committed a write to one of its keys after
    /// it began (first committer wins): then `tx` is aborted instead.
    pub fn commit(&mut self, tx: TxId) -> Result<(), TxError> {
        let t = self.active.remove(&tx).ok_or(TxError::NotActive)?;
        let start_ts = t.start_ts.get().unwrap_or(self.clock);
        // BTreeMap order: the first conflict found is the smallest key.
        for key in t.writes.keys() {
            let newest = self.versions.get(key).and_then(|vs| vs.last());
            if newest.is_some_and(|v| v.commit_ts > start_ts) {
                return Err(TxError::Conflict { key: key.clone() });
            }
        }
        if t.writes.is_empty() {
            return Ok(());
        }
        self.clock += 1;
        for (key, value) in t.writes {
            self.versions.entry(key).or_default().push(Version {
                commit_ts: self.clock,
                value,
            });
        }
        Ok(())
    }

    /// Aborts `tx`: its writes are discarded.
    pub fn abort(&mut self, tx: TxId) -> Result<(), TxError> {
        self.active
            .remove(&tx)
            .map(|_| ())
            .ok_or(TxError::NotActive)
    }

    /// Removes the versions no active or future transaction can read; returns how many.
    pub fn gc(&mut self) -> usize {
        let horizon = self
            .active
            .values()
            .map(|t| t.start_ts.get().unwrap_or(self.clock))
            .min()
            .unwrap_or(self.clock);
        let mut removed = 0;
        self.versions.retain(|_, versions| {
            // Versions at or below the horizon: only the newest of them is still visible.
            let at_or_below = versions.partition_point(|v| v.commit_ts <= horizon);
            let mut drop = at_or_below.saturating_sub(1);
            if at_or_below > 0 && versions[at_or_below - 1].value.is_none() {
                // That newest one is a deletion: "absent" needs no version.
                drop = at_or_below;
            }
            versions.drain(..drop);
            removed += drop;
            !versions.is_empty()
        });
        removed
    }

    /// How many committed versions (deletions included) the store holds.
    pub fn version_count(&self) -> usize {
        self.versions.values().map(Vec::len).sum()
    }
}
