//! Mutant: the recency order is a VecDeque of keys, and every hit or update finds the key
//! with `position` and removes it from the middle: O(n) per operation.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

pub struct LruCache<K, V> {
    capacity: usize,
    values: HashMap<K, V>,
    /// Least recently used at the front.
    order: VecDeque<K>,
}

impl<K: Hash + Eq + Clone, V> LruCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        LruCache {
            capacity,
            values: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn touch(&mut self, key: &K) {
        if let Some(at) = self.order.iter().position(|k| k == key) {
            let k = self.order.remove(at).unwrap();
            self.order.push_back(k);
        }
    }

    pub fn get(&mut self, key: &K) -> Option<&V> {
        if !self.values.contains_key(key) {
            return None;
        }
        self.touch(key);
        self.values.get(key)
    }

    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        if self.capacity == 0 {
            return Some((key, value));
        }
        if let Some(slot) = self.values.get_mut(&key) {
            *slot = value;
            self.touch(&key);
            return None;
        }
        let mut evicted = None;
        if self.values.len() == self.capacity {
            let oldest = self.order.pop_front().unwrap();
            let old_value = self.values.remove(&oldest).unwrap();
            evicted = Some((oldest, old_value));
        }
        self.order.push_back(key.clone());
        self.values.insert(key, value);
        evicted
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}
