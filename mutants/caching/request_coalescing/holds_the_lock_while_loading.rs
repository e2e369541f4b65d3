//! Mutant: holds the cache's one lock while the loader runs. Concurrent misses of a key
//! are coalesced (the others wait for the lock, then find the value), but every other
//! key waits too: loads never run in parallel and cached keys are not served meanwhile.

use std::collections::HashMap;
use std::hash::Hash;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError<E> {
    Failed(E),
    Panicked,
}

pub struct CoalescingCache<K, V, E> {
    values: Mutex<HashMap<K, V>>,
    _errors: std::marker::PhantomData<fn() -> E>,
}

impl<K: Hash + Eq + Clone, V: Clone, E: Clone> CoalescingCache<K, V, E> {
    pub fn new() -> Self {
        CoalescingCache {
            values: Mutex::new(HashMap::new()),
            _errors: std::marker::PhantomData,
        }
    }

    pub fn get(&self, key: K, loader: impl FnOnce() -> Result<V, E>) -> Result<V, LoadError<E>> {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = values.get(&key) {
            return Ok(value.clone());
        }
        match panic::catch_unwind(AssertUnwindSafe(loader)) {
            Ok(Ok(value)) => {
                values.insert(key, value.clone());
                Ok(value)
            }
            Ok(Err(error)) => Err(LoadError::Failed(error)),
            Err(_) => Err(LoadError::Panicked),
        }
    }

    pub fn invalidate(&self, key: &K) -> bool {
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key)
            .is_some()
    }
}

impl<K: Hash + Eq + Clone, V: Clone, E: Clone> Default for CoalescingCache<K, V, E> {
    fn default() -> Self {
        Self::new()
    }
}
