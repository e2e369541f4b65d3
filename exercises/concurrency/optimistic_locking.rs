//! # optimistic_locking: versioned records and compare-and-set
//!
//! An inventory service keeps a stock count per product. Two checkout requests for the
//! same product arrive at once; each reads `stock = 10`, subtracts one, and writes `9`.
//! Two items left the warehouse, but the count dropped by one: a **lost update**, because
//! the second write was computed from a value that was already stale.
//!
//! Databases offer two cures. *Pessimistic* locking holds a lock on the row from the read
//! to the write (`SELECT ... FOR UPDATE`), so other writers wait. *Optimistic* locking takes
//! no lock while the new value is computed: every record carries a **version** number, and
//! the write succeeds only if the version is still the one that was read
//! (`UPDATE stock SET count = 9, version = 8 WHERE id = 42 AND version = 7`, then check that
//! one row changed). If someone else wrote in between, the write is refused and the caller
//! reads again and retries. Interviewers ask for exactly this, and then push: what happens
//! under heavy contention (retries pile up, so bound them), and why the compare and the
//! set must be one atomic step.
//!
//! ## The task
//!
//! Implement [`VersionedStore`], an in-memory table of versioned records shared by many
//! request threads (every method takes `&self`), with an atomic [`compare_and_set`] and an
//! [`update_with_retry`] built on top of it. Keep the declared signatures; the struct's
//! fields are yours (one `std::sync::Mutex` around a `HashMap` is the simple choice).
//!
//! [`compare_and_set`]: VersionedStore::compare_and_set
//! [`update_with_retry`]: VersionedStore::update_with_retry
//!
//! ## Rules
//!
//! - Each key (any string, compared exactly) holds either nothing or one record: a value
//!   and a version. **A missing key has version 0.** A record's version is 1 when it is
//!   created and grows by exactly 1 with every successful write.
//! - `get(key)` returns `Some((value, version))` (a clone of the value), or `None` for a
//!   missing key.
//! - `compare_and_set(key, expected_version, new_value)` is one atomic step: if the key's
//!   current version (0 when missing) equals `expected_version`, it stores `new_value`,
//!   bumps the version (so `expected_version == 0` creates the record with version 1) and
//!   returns `Ok(new_version)`. Otherwise it changes nothing and returns
//!   `Err(Conflict { current_version })`. Two threads that call it with the same expected
//!   version can never both succeed.
//! - `update_with_retry(key, max_attempts, f)` applies `f` to the record with optimistic
//!   locking. One **attempt**: read the record (value and version), compute
//!   `f(&value)` **without holding any lock**, then `compare_and_set` with the version that
//!   was read. If that succeeds, return `Ok(new_version)`. If it conflicts, the attempt
//!   failed: start a new attempt, which reads the record again, so `f` sees the newer
//!   value. After `max_attempts` failed attempts, return
//!   `Err(UpdateError::RetriesExhausted { attempts: max_attempts })`.
//! - `f` is called exactly once per attempt, never more. It may be slow (it could call
//!   another service) and it may itself read or write the store, which is why no lock may
//!   be held while it runs: other threads must be able to use the store meanwhile.
//! - `update_with_retry` on a missing key returns `Err(UpdateError::NotFound)` without
//!   calling `f`: it updates records, it does not create them.
//!
//! ## Examples
//!
//! ```text
//! let store = VersionedStore::new();
//! store.get("sku-42")                               -> None
//! store.compare_and_set("sku-42", 0, 10)            -> Ok(1)      created
//! store.compare_and_set("sku-42", 0, 99)            -> Err(Conflict { current_version: 1 })
//! store.get("sku-42")                               -> Some((10, 1))
//! store.compare_and_set("sku-42", 1, 9)             -> Ok(2)
//! store.compare_and_set("sku-42", 1, 8)             -> Err(Conflict { current_version: 2 })
//! store.compare_and_set("sku-7", 3, 1)              -> Err(Conflict { current_version: 0 })
//! store.update_with_retry("sku-42", 3, |n| n - 1)   -> Ok(3)      f saw 9; stock is now 8
//! store.update_with_retry("sku-7", 3, |n| n - 1)    -> Err(NotFound)
//!
//! Two threads, both updating "sku-42" (8, version 3) with |n| n - 1:
//! A: reads (8, 3)      B: reads (8, 3)
//! A: f(&8) = 7         B: f(&8) = 7
//! A: compare_and_set("sku-42", 3, 7) -> Ok(4)
//!                      B: compare_and_set("sku-42", 3, 7) -> Err(Conflict { current_version: 4 })
//!                      B: reads (7, 4), f(&7) = 6, compare_and_set("sku-42", 4, 6) -> Ok(5)
//! A returns Ok(4), B returns Ok(5), and the stock is 6: no update was lost.
//! ```
//!
//! ## Edge cases
//!
//! - `max_attempts == 0`: no attempt is made (the store is not read, `f` is not called);
//!   the result is `Err(RetriesExhausted { attempts: 0 })`.
//! - `max_attempts == 1`: one attempt; a single conflict exhausts it.
//! - `f` may write the store itself (say, to the same key): then the attempt's
//!   `compare_and_set` conflicts and the next attempt sees that write.
//! - Keys are independent: versions are counted per key.
//!
//! ## Complexity
//!
//! `get` and `compare_and_set` hold the lock only for one O(1) expected map operation.
//! `update_with_retry` calls `f` at most `max_attempts` times and never holds a lock while
//! `f` runs. The checks use real threads and make them collide on purpose; a deadlock is
//! reported after 2 seconds. Use only the standard library.

use std::marker::PhantomData;

/// A refused [`VersionedStore::compare_and_set`]: the record's version was not the expected
/// one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict {
    /// The key's version at the time of the call (0 for a missing key).
    pub current_version: u64,
}

/// Why [`VersionedStore::update_with_retry`] did not update the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateError {
    /// The key holds no record; `f` was not called.
    NotFound,
    /// Every one of the `attempts` attempts met a conflicting write.
    RetriesExhausted {
        /// How many attempts were made: the `max_attempts` given.
        attempts: u32,
    },
}

/// An in-memory table of versioned records, shared by threads through `&self`.
pub struct VersionedStore<V> {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<V>,
}

impl<V: Clone> VersionedStore<V> {
    /// An empty store: every key is missing (version 0).
    pub fn new() -> Self {
        todo!("create an empty store")
    }

    /// A clone of the record's value and its version, or `None` if `key` is missing.
    pub fn get(&self, key: &str) -> Option<(V, u64)> {
        todo!("read the record of {key:?}")
    }

    /// Atomically: if `key`'s version (0 when missing) is `expected_version`, store
    /// `new_value`, bump the version and return the new version; otherwise change nothing
    /// and return the current version in the error.
    pub fn compare_and_set(
        &self,
        key: &str,
        expected_version: u64,
        new_value: V,
    ) -> Result<u64, Conflict> {
        let _ = new_value;
        todo!("write {key:?} only if its version is still {expected_version}")
    }

    /// Replaces the record's value `v` with `f(&v)` using optimistic locking: read, call `f`
    /// with no lock held, `compare_and_set`; on a conflict start over, at most
    /// `max_attempts` attempts in all. Returns the version written.
    pub fn update_with_retry(
        &self,
        key: &str,
        max_attempts: u32,
        f: impl FnMut(&V) -> V,
    ) -> Result<u64, UpdateError> {
        let _ = f;
        todo!("update {key:?} with at most {max_attempts} optimistic attempts")
    }
}

// The checks share one store between threads. This fails to compile if your fields make
// `VersionedStore` unsafe to share (use `Mutex`, not `RefCell` or `Cell`).
const _: fn() = || {
    fn shared_by_threads<T: Send + Sync>() {}
    shared_by_threads::<VersionedStore<String>>();
};
