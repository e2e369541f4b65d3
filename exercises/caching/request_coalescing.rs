//! # request_coalescing: one load per key, however many requests miss at once
//!
//! A product page is served from a cache in front of a slow pricing service. The price of
//! a bestseller expires, and in the next 50 ms, 400 requests for it all miss the cache.
//! A naive read-through cache sends 400 identical queries to the pricing service, which
//! falls over, so the misses get slower, so more requests pile up: a **cache stampede**
//! (or thundering herd). The standard mitigation is **request coalescing**, also called
//! *single-flight* (after Go's `golang.org/x/sync/singleflight`): the first request that
//! misses becomes the *leader* and loads the value; every request for the same key that
//! arrives while the load is in flight waits for the leader's result instead of loading
//! again. 400 misses, one query.
//!
//! The previous exercise ran its closure while holding the shard's lock, which coalesces
//! too, but stalls every other key in the shard for as long as the load takes. Here the
//! load runs with **no lock held**: other keys load in parallel and cached keys are served
//! meanwhile. Interviewers then ask about the failure paths: what do the waiters get if
//! the load fails, or panics? (The same failure, and the next request tries again: an
//! error must not stick in the cache, and a panic must not leave waiters hanging forever.)
//! And what if the key is invalidated while its load is in flight? (The load may have
//! read the old data, so its result must not be cached.)
//!
//! ## The task
//!
//! Implement [`CoalescingCache`]. It is shared by many threads (every method takes
//! `&self`), so `CoalescingCache<K, V, E>` must be `Send + Sync` whenever `K`, `V` and `E`
//! are `Send`. Keep the declared signatures; the struct's fields are yours. Use only `std`
//! (`Mutex`, `Condvar`, `Arc`, `std::panic::catch_unwind`).
//!
//! ## Rules
//!
//! `get(key, loader)` returns the value of `key`:
//!
//! 1. If the key has a **cached** value: return `Ok` with a clone of it; `loader` is not
//!    called.
//! 2. Else, if a **load** of the key is in flight (another `get` is running its loader):
//!    do not call `loader`; wait until that load finishes and return a clone of its
//!    result, `Ok` or `Err`, exactly as its leader gets it.
//! 3. Else this call is the **leader**: it starts a load of the key and runs `loader()`
//!    on the calling thread, **holding no lock** while it runs. When it returns:
//!    - `Ok(value)`: the value is cached (but see `invalidate`), and the leader and every
//!      waiter get `Ok(value)`.
//!    - `Err(e)`: nothing is cached; the leader and every waiter get
//!      `Err(LoadError::Failed(e))`. The next `get` of the key starts a new load.
//!    - a **panic**: catch it (`std::panic::catch_unwind`); nothing is cached; the leader
//!      and every waiter get `Err(LoadError::Panicked)` (the leader returns it too, it
//!      does not panic), the next `get` starts a new load, and the cache keeps working.
//!
//! `invalidate(&key)` forgets the key's cached value, and **detaches** a load of the key
//! that is in flight: that load's leader and waiters still get its result, but the result
//! is not cached (it may be stale), and the next `get` of the key starts a new load
//! instead of joining the detached one. A detached load that finishes later never
//! overwrites or removes what a newer load stored. `invalidate` returns `true` if there
//! was a cached value or a load in flight, `false` otherwise.
//!
//! Waiting is blocking, not spinning: use a `Condvar` (or a channel), and wake **every**
//! waiter when a load finishes. Loads of different keys never wait for each other, and a
//! `get` of a cached key returns at once even while other keys load. The loader may take
//! as long as it likes (it is a database query).
//!
//! ## Examples
//!
//! ```text
//! let prices: CoalescingCache<&str, u32, String> = CoalescingCache::new();
//! prices.get("sku-1", || Ok(1999))                 -> Ok(1999)    loader ran
//! prices.get("sku-1", || Ok(0))                    -> Ok(1999)    cached: loader not called
//! prices.get("sku-2", || Err("timeout".into()))    -> Err(Failed("timeout"))
//! prices.get("sku-2", || Ok(500))                  -> Ok(500)     the error was not cached
//! prices.get("sku-3", || panic!("bug"))            -> Err(Panicked)
//! prices.invalidate(&"sku-1")                      -> true
//! prices.invalidate(&"sku-1")                      -> false
//! prices.get("sku-1", || Ok(2099))                 -> Ok(2099)    loaded again
//!
//! Threads A, B, C call get("sku-9", ...) at about the same time:
//! A: get("sku-9", load)   leader: runs load() (200 ms)        -> Ok(42)
//! B: get("sku-9", load)   arrives at 50 ms: waits for A        -> Ok(42)   load not called
//! C: get("sku-7", load7)  runs load7() in parallel with A      -> its own result
//! ```
//!
//! ## Edge cases
//!
//! - A loader that fails or panics leaves no trace: the next `get` loads again.
//! - `invalidate` of a key that was never loaded returns `false`.
//! - After `invalidate` during a load, two loads of one key can be in flight at once:
//!   the detached one and the new one. Each delivers its own result to its own callers,
//!   and only the new one's value is cached.
//!
//! ## Complexity
//!
//! Apart from running the loader, `get` and `invalidate` are O(1) expected (a hash-map
//! lookup under a short lock), and a load wakes all of its waiters at once. The checks
//! use real threads: loaders that block until every other caller has arrived, loaders
//! that fail and panic, loads of different keys that must overlap in time.

use std::hash::Hash;
use std::marker::PhantomData;

/// Why `get` has no value to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError<E> {
    /// The load's loader returned this error.
    Failed(E),
    /// The load's loader panicked.
    Panicked,
}

/// A read-through cache that runs at most one load per key at a time.
pub struct CoalescingCache<K, V, E> {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<std::sync::Mutex<(K, V, E)>>,
}

impl<K: Hash + Eq + Clone, V: Clone, E: Clone> CoalescingCache<K, V, E> {
    /// An empty cache.
    pub fn new() -> Self {
        todo!("create an empty cache")
    }

    /// The value of `key`: cached, or from the load in flight, or loaded by calling
    /// `loader` on this thread (with no lock held).
    pub fn get(&self, key: K, loader: impl FnOnce() -> Result<V, E>) -> Result<V, LoadError<E>> {
        let _ = (key, loader);
        todo!("serve from the cache, wait for the load in flight, or lead a new load")
    }

    /// Forgets the cached value of `key` and detaches its load in flight, if any. Returns
    /// whether there was either.
    pub fn invalidate(&self, key: &K) -> bool {
        let _ = key;
        todo!("forget the value and detach the load")
    }
}

impl<K: Hash + Eq + Clone, V: Clone, E: Clone> Default for CoalescingCache<K, V, E> {
    fn default() -> Self {
        Self::new()
    }
}

// The checks share one cache between threads, with values that are `Send` but not `Sync`
// (a `Cell`). This fails to compile if your fields need more of the values than `Send`
// (an `RwLock` does: it hands out `&V` to many readers at once; a `Mutex` does not).
const _: fn() = || {
    fn shared_by_threads<T: Send + Sync>() {}
    shared_by_threads::<CoalescingCache<u64, std::cell::Cell<u64>, std::cell::Cell<u64>>>();
};
