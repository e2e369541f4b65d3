//! # consistent_hashing: `hash % n` over the sorted node names (no ring at all)

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
    nodes: BTreeSet<String>,
}

impl HashRing {
    pub fn new(vnodes: usize) -> Self {
        let _ = vnodes;
        HashRing {
            nodes: BTreeSet::new(),
        }
    }

    pub fn add_node(&mut self, node: &str) -> bool {
        self.nodes.insert(node.to_string())
    }

    pub fn remove_node(&mut self, node: &str) -> bool {
        self.nodes.remove(node)
    }

    pub fn node_for(&self, key: &str) -> Option<&str> {
        if self.nodes.is_empty() {
            return None;
        }
        let index = ring_hash(key.as_bytes()) % self.nodes.len() as u64;
        self.nodes.iter().nth(index as usize).map(String::as_str)
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}
