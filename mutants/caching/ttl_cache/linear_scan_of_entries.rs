//! Mutant: right answers, but the entries live in one Vec in recency order, so every get
//! and put finds its key (and the expired entries) by a linear scan: O(n) per call, with
//! O(n) key comparisons.

use std::hash::Hash;

struct Entry<K, V> {
    key: K,
    value: V,
    expires_at: u128,
}

pub struct TtlCache<K, V> {
    capacity: usize,
    /// Least recently used first.
    entries: Vec<Entry<K, V>>,
}

impl<K: Hash + Eq + Clone, V> TtlCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        TtlCache {
            capacity,
            entries: Vec::new(),
        }
    }

    pub fn get(&mut self, key: &K, now_ms: u64) -> Option<&V> {
        self.remove_expired(now_ms);
        let at = self.entries.iter().position(|e| e.key == *key)?;
        let entry = self.entries.remove(at);
        self.entries.push(entry);
        self.entries.last().map(|e| &e.value)
    }

    pub fn put(&mut self, key: K, value: V, ttl_ms: u64, now_ms: u64) -> Option<(K, V)> {
        self.remove_expired(now_ms);
        if self.capacity == 0 {
            return Some((key, value));
        }
        let at = self.entries.iter().position(|e| e.key == key);
        if ttl_ms == 0 {
            if let Some(at) = at {
                self.entries.remove(at);
            }
            return Some((key, value));
        }
        let expires_at = u128::from(now_ms) + u128::from(ttl_ms);
        if let Some(at) = at {
            self.entries.remove(at);
            self.entries.push(Entry {
                key,
                value,
                expires_at,
            });
            return None;
        }
        let evicted = if self.entries.len() < self.capacity {
            None
        } else {
            let old = self.entries.remove(0);
            Some((old.key, old.value))
        };
        self.entries.push(Entry {
            key,
            value,
            expires_at,
        });
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

    fn remove_expired(&mut self, now_ms: u64) {
        self.entries.retain(|e| u128::from(now_ms) < e.expires_at);
    }
}
