//! # version_vectors: causality between replicas, and a grow-only counter (reference solution)

use std::collections::BTreeMap;

/// How two version vectors relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Causality {
    /// `self` happened before `other`: `other` has seen everything `self` has, and more.
    Before,
    /// `self` happened after `other`.
    After,
    /// The two vectors are the same (missing entries count as 0).
    Equal,
    /// Neither has seen everything the other has: conflicting updates.
    Concurrent,
}

/// A version vector: one counter per node, missing nodes count as 0.
#[derive(Debug, Clone)]
pub struct VersionVector {
    /// Only non-zero counters are stored, so equal vectors have equal maps.
    counters: BTreeMap<String, u64>,
}

impl VersionVector {
    /// The empty vector: every node's counter is 0.
    pub fn new() -> Self {
        VersionVector {
            counters: BTreeMap::new(),
        }
    }

    /// A vector with the given counters (a node missing from `counts` is 0).
    pub fn from_counts(counts: &[(&str, u64)]) -> Self {
        let mut vector = VersionVector::new();
        for &(node, count) in counts {
            if count > 0 {
                vector.counters.insert(node.to_string(), count);
            }
        }
        vector
    }

    /// The counter of `node` (0 if it has none).
    pub fn get(&self, node: &str) -> u64 {
        self.counters.get(node).copied().unwrap_or(0)
    }

    /// Records one new event at `node`: its counter goes up by one.
    pub fn increment(&mut self, node: &str) {
        *self.counters.entry(node.to_string()).or_insert(0) += 1;
    }

    /// How `self` relates to `other`.
    pub fn compare(&self, other: &VersionVector) -> Causality {
        let mut self_ahead = false;
        let mut other_ahead = false;
        for node in self.counters.keys() {
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

    /// Makes `self` the element-wise maximum of `self` and `other`.
    pub fn merge(&mut self, other: &VersionVector) {
        for (node, &count) in &other.counters {
            let mine = self.counters.entry(node.clone()).or_insert(0);
            *mine = (*mine).max(count);
        }
    }
}

/// A grow-only counter replicated over nodes: each replica counts its own increments.
#[derive(Debug, Clone)]
pub struct GCounter {
    replica: String,
    counts: BTreeMap<String, u64>,
}

impl GCounter {
    /// Replica `replica`'s copy of a counter that starts at 0.
    pub fn new(replica: &str) -> Self {
        GCounter {
            replica: replica.to_string(),
            counts: BTreeMap::new(),
        }
    }

    /// Adds `amount` to this replica's own count.
    pub fn increment(&mut self, amount: u64) {
        *self.counts.entry(self.replica.clone()).or_insert(0) += amount;
    }

    /// How much `replica` has added, as far as this copy knows.
    pub fn get(&self, replica: &str) -> u64 {
        self.counts.get(replica).copied().unwrap_or(0)
    }

    /// The counter's value: the sum of every replica's count.
    pub fn value(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Folds in another copy's state: the per-replica maximum.
    pub fn merge(&mut self, other: &GCounter) {
        for (replica, &count) in &other.counts {
            let mine = self.counts.entry(replica.clone()).or_insert(0);
            *mine = (*mine).max(count);
        }
    }
}
