//! Mutant: every entry carries a "last used" tick, and eviction scans the whole map for the
//! smallest tick: correct results, but put into a full cache is O(n), and no key is compared
//! while scanning.

use std::collections::HashMap;
use std::hash::Hash;

pub struct LruCache<K, V> {
    capacity: usize,
    entries: HashMap<K, (V, u64)>,
    clock: u64,
}

impl<K: Hash + Eq + Clone, V> LruCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        LruCache {
            capacity,
            entries: HashMap::new(),
            clock: 0,
        }
    }

    pub fn get(&mut self, key: &K) -> Option<&V> {
        self.clock += 1;
        let clock = self.clock;
        let entry = self.entries.get_mut(key)?;
        entry.1 = clock;
        Some(&entry.0)
    }

    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        if self.capacity == 0 {
            return Some((key, value));
        }
        self.clock += 1;
        if let Some(entry) = self.entries.get_mut(&key) {
            *entry = (value, self.clock);
            return None;
        }
        let mut evicted = None;
        if self.entries.len() == self.capacity {
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, (_, tick))| *tick)
                .map(|(k, _)| k.clone())
                .unwrap();
            let (old_value, _) = self.entries.remove(&oldest).unwrap();
            evicted = Some((oldest, old_value));
        }
        self.entries.insert(key, (value, self.clock));
        evicted
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}
