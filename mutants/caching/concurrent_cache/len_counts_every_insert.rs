//! Mutant: keeps the length in an AtomicUsize that every insert increments, also when
//! it only replaces the value of a key that was already there.

use std::collections::HashMap;
use std::collections::hash_map::{Entry, RandomState};
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A thread-safe map from keys to values, split into independently locked shards.
pub struct ConcurrentCache<K, V> {
    /// Built once, so a key always hashes to the same shard.
    hasher: RandomState,
    shards: Box<[Mutex<HashMap<K, V>>]>,
    len: AtomicUsize,
}

impl<K: Hash + Eq, V: Clone> ConcurrentCache<K, V> {
    /// An empty cache with `shards` shards (0 behaves like 1).
    pub fn new(shards: usize) -> Self {
        ConcurrentCache {
            hasher: RandomState::new(),
            shards: (0..shards.max(1))
                .map(|_| Mutex::new(HashMap::new()))
                .collect(),
            len: AtomicUsize::new(0),
        }
    }

    /// How many shards the cache has.
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The shard, in `0..shard_count()`, that holds `key`.
    pub fn shard_of(&self, key: &K) -> usize {
        (self.hasher.hash_one(key) % self.shards.len() as u64) as usize
    }

    /// Locks the shard of `key`. A panic in a closure poisons the lock, but the map is
    /// intact (the closure ran before anything was written), so keep using it.
    fn lock(&self, key: &K) -> MutexGuard<'_, HashMap<K, V>> {
        self.shards[self.shard_of(key)]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A clone of the value of `key`, or `None`.
    pub fn get(&self, key: &K) -> Option<V> {
        self.lock(key).get(key).cloned()
    }

    /// Stores `value` for `key`; returns the previous value, if any.
    pub fn insert(&self, key: K, value: V) -> Option<V> {
        self.len.fetch_add(1, Ordering::SeqCst);
        self.lock(&key).insert(key, value)
    }

    /// Removes `key`; returns its value, if it had one.
    pub fn remove(&self, key: &K) -> Option<V> {
        let removed = self.lock(key).remove(key);
        if removed.is_some() {
            self.len.fetch_sub(1, Ordering::SeqCst);
        }
        removed
    }

    /// Atomically replaces the value of `key` by `f(current value)` and returns a clone
    /// of the new value. `f` runs while the key's shard is locked.
    pub fn update(&self, key: K, f: impl FnOnce(Option<&V>) -> V) -> V {
        let mut shard = self.lock(&key);
        match shard.entry(key) {
            Entry::Occupied(mut entry) => {
                let new = f(Some(entry.get()));
                entry.insert(new.clone());
                new
            }
            Entry::Vacant(entry) => {
                let new = entry.insert(f(None)).clone();
                self.len.fetch_add(1, Ordering::SeqCst);
                new
            }
        }
    }

    /// A clone of the value of `key`; if it has none, stores `f()` first (atomically, so
    /// concurrent callers for one missing key run `f` once).
    pub fn get_or_insert_with(&self, key: K, f: impl FnOnce() -> V) -> V {
        let mut shard = self.lock(&key);
        match shard.entry(key) {
            Entry::Occupied(entry) => entry.get().clone(),
            Entry::Vacant(entry) => {
                let value = entry.insert(f()).clone();
                self.len.fetch_add(1, Ordering::SeqCst);
                value
            }
        }
    }

    /// The number of keys in all shards.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::SeqCst)
    }

    /// Whether the cache holds no keys.
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|shard| {
            shard
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_empty()
        })
    }
}
