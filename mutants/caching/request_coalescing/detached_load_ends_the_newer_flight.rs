//! Mutant: a detached load never caches its value, but when it finishes it takes the key
//! out of flight whichever load is in flight now. If a newer load is still running, the
//! next get finds no flight and starts a third load, a stampede the cache was meant to stop.

use std::collections::HashMap;
use std::hash::Hash;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// Why `get` has no value to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError<E> {
    /// The load's loader returned this error.
    Failed(E),
    /// The load's loader panicked.
    Panicked,
}

type Outcome<V, E> = Result<V, LoadError<E>>;

/// One load in flight: its result, once there is one, and the waiters' wake-up call.
struct Flight<V, E> {
    result: Mutex<Option<Outcome<V, E>>>,
    done: Condvar,
}

impl<V: Clone, E: Clone> Flight<V, E> {
    fn new() -> Self {
        Flight {
            result: Mutex::new(None),
            done: Condvar::new(),
        }
    }

    /// Blocks until the leader publishes the result, then returns a clone of it.
    fn wait(&self) -> Outcome<V, E> {
        let mut result = lock(&self.result);
        loop {
            if let Some(outcome) = result.as_ref() {
                return outcome.clone();
            }
            result = self
                .done
                .wait(result)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Publishes the result and wakes every waiter.
    fn finish(&self, outcome: Outcome<V, E>) {
        *lock(&self.result) = Some(outcome);
        self.done.notify_all();
    }
}

enum Slot<V, E> {
    Ready(V),
    Loading(Arc<Flight<V, E>>),
}

/// A read-through cache that runs at most one load per key at a time.
pub struct CoalescingCache<K, V, E> {
    /// Held only for map lookups and updates, never while a loader runs.
    slots: Mutex<HashMap<K, Slot<V, E>>>,
}

/// Nothing ever panics while holding these locks (loaders run unlocked), but a poisoned
/// lock would still hold a consistent map.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<K: Hash + Eq + Clone, V: Clone, E: Clone> CoalescingCache<K, V, E> {
    /// An empty cache.
    pub fn new() -> Self {
        CoalescingCache {
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The value of `key`: cached, or from the load in flight, or loaded by calling
    /// `loader` on this thread (with no lock held).
    pub fn get(&self, key: K, loader: impl FnOnce() -> Result<V, E>) -> Result<V, LoadError<E>> {
        let flight = {
            let mut slots = lock(&self.slots);
            match slots.get(&key) {
                Some(Slot::Ready(value)) => return Ok(value.clone()),
                Some(Slot::Loading(flight)) => {
                    let flight = Arc::clone(flight);
                    drop(slots);
                    return flight.wait();
                }
                None => {}
            }
            let flight = Arc::new(Flight::new());
            slots.insert(key.clone(), Slot::Loading(Arc::clone(&flight)));
            flight
        };
        let outcome = match panic::catch_unwind(AssertUnwindSafe(loader)) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(LoadError::Failed(error)),
            Err(_) => Err(LoadError::Panicked),
        };
        {
            let mut slots = lock(&self.slots);
            // Still our load? Not if it was invalidated (and maybe replaced) meanwhile.
            let ours = matches!(
                slots.get(&key),
                Some(Slot::Loading(current)) if Arc::ptr_eq(current, &flight)
            );
            if ours {
                match &outcome {
                    Ok(value) => {
                        slots.insert(key, Slot::Ready(value.clone()));
                    }
                    Err(_) => {
                        slots.remove(&key);
                    }
                }
            } else if let Some(Slot::Loading(_)) = slots.get(&key) {
                // The load is over: take the key out of flight.
                slots.remove(&key);
            }
        }
        flight.finish(outcome.clone());
        outcome
    }

    /// Forgets the cached value of `key` and detaches its load in flight, if any. Returns
    /// whether there was either.
    pub fn invalidate(&self, key: &K) -> bool {
        lock(&self.slots).remove(key).is_some()
    }
}

impl<K: Hash + Eq + Clone, V: Clone, E: Clone> Default for CoalescingCache<K, V, E> {
    fn default() -> Self {
        Self::new()
    }
}
