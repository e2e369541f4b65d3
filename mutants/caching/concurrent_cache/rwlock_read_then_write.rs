//! Mutant: shards behind RwLocks, and update reads the current value under the read lock,
//! drops it, runs f, then takes the write lock to store the result. Readers run in
//! parallel, but two updates can read the same value and one of them is lost.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash};
use std::sync::{PoisonError, RwLock};

pub struct ConcurrentCache<K, V> {
    hasher: RandomState,
    shards: Vec<RwLock<HashMap<K, V>>>,
}

impl<K: Hash + Eq, V: Clone> ConcurrentCache<K, V> {
    pub fn new(shards: usize) -> Self {
        ConcurrentCache {
            hasher: RandomState::new(),
            shards: (0..shards.max(1))
                .map(|_| RwLock::new(HashMap::new()))
                .collect(),
        }
    }

    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    pub fn shard_of(&self, key: &K) -> usize {
        (self.hasher.hash_one(key) % self.shards.len() as u64) as usize
    }

    fn shard(&self, key: &K) -> &RwLock<HashMap<K, V>> {
        &self.shards[self.shard_of(key)]
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let map = self
            .shard(key)
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(key).cloned()
    }

    pub fn insert(&self, key: K, value: V) -> Option<V> {
        let mut map = self
            .shard(&key)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        map.insert(key, value)
    }

    pub fn remove(&self, key: &K) -> Option<V> {
        let mut map = self
            .shard(key)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        map.remove(key)
    }

    pub fn update(&self, key: K, f: impl FnOnce(Option<&V>) -> V) -> V {
        let new = {
            let map = self
                .shard(&key)
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            let current = map.get(&key).cloned();
            drop(map);
            f(current.as_ref())
        };
        let mut map = self
            .shard(&key)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        map.insert(key, new.clone());
        new
    }

    pub fn get_or_insert_with(&self, key: K, f: impl FnOnce() -> V) -> V {
        let mut map = self
            .shard(&key)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        map.entry(key).or_insert_with(f).clone()
    }

    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
