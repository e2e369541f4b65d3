//! # consistent_hashing: a hash ring with virtual nodes (reference solution)

use std::collections::{BTreeMap, BTreeSet};

/// The ring position of `bytes`: FNV-1a 64 followed by the MurmurHash3 `fmix64` finalizer.
pub fn ring_hash(bytes: &[u8]) -> u64 {
    // FNV-1a, 64-bit.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // fmix64: spreads similar inputs over the whole ring.
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^= hash >> 33;
    hash
}

/// A consistent-hashing ring: each node owns `vnodes` points, a key goes to the first
/// point at or after its hash (wrapping around).
pub struct HashRing {
    vnodes: usize,
    nodes: BTreeSet<String>,
    /// Points in ring order; equal positions are ordered by node name, so the smaller
    /// name comes first and wins.
    points: BTreeMap<(u64, String), ()>,
}

impl HashRing {
    /// An empty ring whose nodes will each get `vnodes` virtual nodes.
    pub fn new(vnodes: usize) -> Self {
        HashRing {
            vnodes,
            nodes: BTreeSet::new(),
            points: BTreeMap::new(),
        }
    }

    fn positions(&self, node: &str) -> impl Iterator<Item = u64> + use<> {
        let node = node.to_string();
        (0..self.vnodes).map(move |i| ring_hash(format!("{node}#{i}").as_bytes()))
    }

    /// Adds `node` with its virtual nodes; `false` (and no change) if it is already there.
    pub fn add_node(&mut self, node: &str) -> bool {
        if !self.nodes.insert(node.to_string()) {
            return false;
        }
        for position in self.positions(node) {
            self.points.insert((position, node.to_string()), ());
        }
        true
    }

    /// Removes `node` and its virtual nodes; `false` (and no change) if it is not there.
    pub fn remove_node(&mut self, node: &str) -> bool {
        if !self.nodes.remove(node) {
            return false;
        }
        for position in self.positions(node) {
            self.points.remove(&(position, node.to_string()));
        }
        true
    }

    /// The node that owns `key`, or `None` if the ring has no nodes. O(log n).
    pub fn node_for(&self, key: &str) -> Option<&str> {
        let hash = ring_hash(key.as_bytes());
        let ((_, node), ()) = self
            .points
            .range(..(hash.wrapping_add(1), String::new()))
            .next_back()
            .or_else(|| self.points.iter().next_back())?;
        Some(node)
    }

    /// How many nodes the ring holds.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}
