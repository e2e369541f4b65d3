//! # consistent_hashing: right answers, but node_for scans every point (O(P))

use std::collections::BTreeSet;

pub fn ring_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^= hash >> 33;
    hash
}

pub struct HashRing {
    vnodes: usize,
    nodes: BTreeSet<String>,
    points: Vec<(u64, String)>,
}

impl HashRing {
    pub fn new(vnodes: usize) -> Self {
        HashRing {
            vnodes,
            nodes: BTreeSet::new(),
            points: Vec::new(),
        }
    }

    pub fn add_node(&mut self, node: &str) -> bool {
        if !self.nodes.insert(node.to_string()) {
            return false;
        }
        for i in 0..self.vnodes {
            let position = ring_hash(format!("{node}#{i}").as_bytes());
            self.points.push((position, node.to_string()));
        }
        true
    }

    pub fn remove_node(&mut self, node: &str) -> bool {
        if !self.nodes.remove(node) {
            return false;
        }
        self.points.retain(|(_, owner)| owner != node);
        true
    }

    pub fn node_for(&self, key: &str) -> Option<&str> {
        let hash = ring_hash(key.as_bytes());
        // The smallest point at or after the hash, else the smallest point overall.
        let mut after: Option<&(u64, String)> = None;
        let mut smallest: Option<&(u64, String)> = None;
        for point in &self.points {
            if point.0 >= hash && after.is_none_or(|best| point < best) {
                after = Some(point);
            }
            if smallest.is_none_or(|best| point < best) {
                smallest = Some(point);
            }
        }
        after.or(smallest).map(|(_, node)| node.as_str())
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}
