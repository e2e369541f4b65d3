//! Mutant: each shard is a Vec of (key, value) pairs searched front to back: correct and
//! thread-safe, but every operation is O(n / shards) instead of O(1).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash};
use std::sync::{Mutex, MutexGuard, PoisonError};

pub struct ConcurrentCache<K, V> {
    hasher: RandomState,
    shards: Vec<Mutex<Vec<(K, V)>>>,
}

impl<K: Hash + Eq, V: Clone> ConcurrentCache<K, V> {
    pub fn new(shards: usize) -> Self {
        ConcurrentCache {
            hasher: RandomState::new(),
            shards: (0..shards.max(1)).map(|_| Mutex::new(Vec::new())).collect(),
        }
    }

    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    pub fn shard_of(&self, key: &K) -> usize {
        (self.hasher.hash_one(key) % self.shards.len() as u64) as usize
    }

    fn lock(&self, key: &K) -> MutexGuard<'_, Vec<(K, V)>> {
        self.shards[self.shard_of(key)]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let shard = self.lock(key);
        shard.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    pub fn insert(&self, key: K, value: V) -> Option<V> {
        let mut shard = self.lock(&key);
        match shard.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                shard.push((key, value));
                None
            }
        }
    }

    pub fn remove(&self, key: &K) -> Option<V> {
        let mut shard = self.lock(key);
        let at = shard.iter().position(|(k, _)| k == key)?;
        Some(shard.swap_remove(at).1)
    }

    pub fn update(&self, key: K, f: impl FnOnce(Option<&V>) -> V) -> V {
        let mut shard = self.lock(&key);
        match shard.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => {
                let new = f(Some(v));
                *v = new.clone();
                new
            }
            None => {
                let new = f(None);
                shard.push((key, new.clone()));
                new
            }
        }
    }

    pub fn get_or_insert_with(&self, key: K, f: impl FnOnce() -> V) -> V {
        let mut shard = self.lock(&key);
        if let Some((_, v)) = shard.iter().find(|(k, _)| *k == key) {
            return v.clone();
        }
        let value = f();
        shard.push((key, value.clone()));
        value
    }

    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
