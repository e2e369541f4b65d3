//! Mutant: a plain read-through cache: on a miss every caller runs its own loader, so
//! 400 concurrent misses make 400 identical queries (the stampede this exercise is about).

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
        if let Some(value) = self
            .values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(value.clone());
        }
        match panic::catch_unwind(AssertUnwindSafe(loader)) {
            Ok(Ok(value)) => {
                self.values
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, value.clone());
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
