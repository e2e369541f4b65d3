//! Mutant: one Mutex around one HashMap for the whole cache. Correct on one thread, and
//! `shard_of` still answers, but every operation waits for every other one: a slow
//! closure on one key stalls the whole cache.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash};
use std::sync::{Mutex, MutexGuard, PoisonError};

pub struct ConcurrentCache<K, V> {
    hasher: RandomState,
    shards: usize,
    map: Mutex<HashMap<K, V>>,
}

impl<K: Hash + Eq, V: Clone> ConcurrentCache<K, V> {
    pub fn new(shards: usize) -> Self {
        ConcurrentCache {
            hasher: RandomState::new(),
            shards: shards.max(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    pub fn shard_count(&self) -> usize {
        self.shards
    }

    pub fn shard_of(&self, key: &K) -> usize {
        (self.hasher.hash_one(key) % self.shards as u64) as usize
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, V>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.lock().get(key).cloned()
    }

    pub fn insert(&self, key: K, value: V) -> Option<V> {
        self.lock().insert(key, value)
    }

    pub fn remove(&self, key: &K) -> Option<V> {
        self.lock().remove(key)
    }

    pub fn update(&self, key: K, f: impl FnOnce(Option<&V>) -> V) -> V {
        let mut map = self.lock();
        let new = f(map.get(&key));
        map.insert(key, new.clone());
        new
    }

    pub fn get_or_insert_with(&self, key: K, f: impl FnOnce() -> V) -> V {
        self.lock().entry(key).or_insert_with(f).clone()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}
