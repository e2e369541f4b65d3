//! # version_vectors: the G-counter keeps one total, not one count per replica

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Causality {
    Before,
    After,
    Equal,
    Concurrent,
}

#[derive(Debug, Clone)]
pub struct VersionVector {
    counters: BTreeMap<String, u64>,
}

impl VersionVector {
    pub fn new() -> Self {
        VersionVector {
            counters: BTreeMap::new(),
        }
    }

    pub fn from_counts(counts: &[(&str, u64)]) -> Self {
        let mut vector = VersionVector::new();
        for &(node, count) in counts {
            if count > 0 {
                vector.counters.insert(node.to_string(), count);
            }
        }
        vector
    }

    pub fn get(&self, node: &str) -> u64 {
        self.counters.get(node).copied().unwrap_or(0)
    }

    pub fn increment(&mut self, node: &str) {
        *self.counters.entry(node.to_string()).or_insert(0) += 1;
    }

    pub fn compare(&self, other: &VersionVector) -> Causality {
        let mut self_ahead = false;
        let mut other_ahead = false;
        for node in self.counters.keys().chain(other.counters.keys()) {
            let (mine, theirs) = (self.get(node), other.get(node));
            self_ahead |= mine > theirs;
            other_ahead |= theirs > mine;
        }
        match (self_ahead, other_ahead) {
            (false, false) => Causality::Equal,
            (false, true) => Causality::Before,
            (true, false) => Causality::After,
            (true, true) => Causality::Concurrent,
        }
    }

    pub fn merge(&mut self, other: &VersionVector) {
        for (node, &count) in &other.counters {
            let mine = self.counters.entry(node.clone()).or_insert(0);
            *mine = (*mine).max(count);
        }
    }
}

/// One number for the whole counter; merging keeps the larger total.
#[derive(Debug, Clone)]
pub struct GCounter {
    replica: String,
    total: u64,
}

impl GCounter {
    pub fn new(replica: &str) -> Self {
        GCounter {
            replica: replica.to_string(),
            total: 0,
        }
    }

    pub fn increment(&mut self, amount: u64) {
        self.total += amount;
    }

    pub fn get(&self, replica: &str) -> u64 {
        if replica == self.replica {
            self.total
        } else {
            0
        }
    }

    pub fn value(&self) -> u64 {
        self.total
    }

    pub fn merge(&mut self, other: &GCounter) {
        self.total = self.total.max(other.total);
    }
}
