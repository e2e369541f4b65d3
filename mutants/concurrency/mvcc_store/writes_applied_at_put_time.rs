//! # mvcc_store: puts and deletes go straight into the versions (dirty reads)

use std::collections::{BTreeMap, HashMap};

pub type TxId = u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxError {
    Conflict { key: String },
    NotActive,
}

struct Version {
    commit_ts: u64,
    value: Option<String>,
}

struct Transaction {
    start_ts: u64,
    written: BTreeMap<String, ()>,
}

pub struct MvccStore {
    clock: u64,
    next_tx: TxId,
    versions: HashMap<String, Vec<Version>>,
    active: HashMap<TxId, Transaction>,
}

impl MvccStore {
    pub fn new() -> Self {
        MvccStore {
            clock: 0,
            next_tx: 1,
            versions: HashMap::new(),
            active: HashMap::new(),
        }
    }

    pub fn begin(&mut self) -> TxId {
        let id = self.next_tx;
        self.next_tx += 1;
        self.active.insert(
            id,
            Transaction {
                start_ts: self.clock,
                written: BTreeMap::new(),
            },
        );
        id
    }

    pub fn get(&self, tx: TxId, key: &str) -> Result<Option<String>, TxError> {
        self.active.get(&tx).ok_or(TxError::NotActive)?;
        // The newest version, whoever wrote it.
        Ok(self
            .versions
            .get(key)
            .and_then(|vs| vs.last())
            .and_then(|v| v.value.clone()))
    }

    fn write(&mut self, tx: TxId, key: &str, value: Option<String>) -> Result<(), TxError> {
        let t = self.active.get_mut(&tx).ok_or(TxError::NotActive)?;
        t.written.insert(key.to_string(), ());
        let versions = self.versions.entry(key.to_string()).or_default();
        self.clock += 1;
        versions.push(Version {
            commit_ts: self.clock,
            value,
        });
        Ok(())
    }

    pub fn put(&mut self, tx: TxId, key: &str, value: &str) -> Result<(), TxError> {
        self.write(tx, key, Some(value.to_string()))
    }

    pub fn delete(&mut self, tx: TxId, key: &str) -> Result<(), TxError> {
        self.write(tx, key, None)
    }

    pub fn commit(&mut self, tx: TxId) -> Result<(), TxError> {
        self.active
            .remove(&tx)
            .map(|_| ())
            .ok_or(TxError::NotActive)
    }

    pub fn abort(&mut self, tx: TxId) -> Result<(), TxError> {
        self.active
            .remove(&tx)
            .map(|_| ())
            .ok_or(TxError::NotActive)
    }

    pub fn gc(&mut self) -> usize {
        let horizon = self
            .active
            .values()
            .map(|t| t.start_ts)
            .min()
            .unwrap_or(self.clock);
        let mut removed = 0;
        self.versions.retain(|_, versions| {
            let at_or_below = versions.partition_point(|v| v.commit_ts <= horizon);
            let mut drop = at_or_below.saturating_sub(1);
            if at_or_below > 0 && versions[at_or_below - 1].value.is_none() {
                drop = at_or_below;
            }
            versions.drain(..drop);
            removed += drop;
            !versions.is_empty()
        });
        removed
    }

    pub fn version_count(&self) -> usize {
        self.versions.values().map(Vec::len).sum()
    }
}
