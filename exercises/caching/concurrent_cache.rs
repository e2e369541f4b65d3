//! # concurrent_cache: a sharded cache shared by every request thread
//!
//! A web server handles each request on one of many threads, and they all share one
//! in-memory cache: session data, feature flags, per-page view counters. The simplest
//! thread-safe cache is a `HashMap` behind one `Mutex`, and under load it is a
//! bottleneck: every request on every core queues for the same lock, even when they touch
//! unrelated keys. The standard fix, used by Java's `ConcurrentHashMap` of old, Rust's
//! `dashmap` and Go's sharded maps, is **lock striping**: split the map into `n`
//! *shards*, each a `HashMap` behind its own lock, and send each key to the shard
//! `hash(key) % n`. Operations on keys in different shards never wait for each other.
//!
//! The second trap is the *lost update*. Two threads counting views both read 41, both
//! write 42, and a view is gone. A `get` followed by an `insert` is two critical sections
//! with a gap between them; a read-modify-write must happen in **one** critical section.
//! "Implement a thread-safe cache and walk through your locking strategy" is a classic
//! backend interview question, and these two points are what it is about.
//!
//! ## The task
//!
//! Implement [`ConcurrentCache`]. Every method takes `&self`: the cache is shared, e.g.
//! in an `Arc` or across `std::thread::scope`, so `ConcurrentCache<K, V>` must be `Send`
//! and `Sync` whenever `K` and `V` are `Send` (a `Mutex` around each shard gives you
//! that). Keep the declared signatures; the struct's fields are yours. Use only `std`.
//!
//! ## Rules
//!
//! - `new(shards)` makes an empty cache with `shards` shards (0 behaves like 1);
//!   `shard_count()` says how many. There is no capacity and no eviction here.
//! - `shard_of(&key)` is the shard, in `0..shard_count()`, that holds `key`: the hash of
//!   the key modulo the shard count. It is the same for a given key for the whole life of
//!   the cache, and keys spread evenly over the shards (with 8 shards and 1000 different
//!   keys, every shard gets at least 50 of them). Hash with a hasher built once per cache
//!   (`std::collections::hash_map::RandomState`, or `DefaultHasher::new()`).
//! - `insert(key, value)` stores the value and returns the previous one, if any.
//!   `get(&key)` returns a clone of the value. `remove(&key)` removes the key and returns
//!   its value. `len()` counts the keys in all shards; `is_empty()` is `len() == 0`.
//! - `update(key, f)` replaces the key's value by `f(current)` (`current` is `None` if the
//!   key is absent, and the key is then inserted) and returns a clone of the new value.
//!   This read-modify-write is **atomic**: no other operation on the key's shard can
//!   happen between reading `current` and storing the result, so concurrent updates of
//!   a key never lose one another. Two `update`s of the same key never run their `f`s at
//!   the same time.
//! - `get_or_insert_with(key, f)` returns a clone of the key's value if it has one, and
//!   does not call `f`. Otherwise it calls `f()` once, stores the result and returns a
//!   clone of it, atomically as well: when many threads ask for the same missing key at
//!   once, exactly one `f` runs, and the others wait and get its value.
//! - **Shards are independent.** Every operation but `len`/`is_empty` locks only the
//!   shard of its key. While an `update` or `get_or_insert_with` closure runs (even a slow
//!   one), operations on keys of *other* shards, including other closures, proceed in
//!   parallel. `len` and `is_empty` lock one shard at a time, never all at once.
//! - If a closure panics, the panic reaches the caller of `update` or
//!   `get_or_insert_with`, the key keeps its previous value (or stays absent), and the
//!   cache keeps working, that shard included. (A `std::sync::Mutex` is *poisoned* when a
//!   thread panics while holding it; the map inside is still intact.)
//! - The closures run while their shard is locked, so they must not call the cache
//!   themselves (that would wait for the lock it holds), and they should be quick: a
//!   slow closure stalls its whole shard. (The next exercise, `request_coalescing`, loads
//!   values without holding a lock.)
//!
//! ## Examples
//!
//! ```text
//! let cache = ConcurrentCache::new(16);
//! cache.insert("a", 1)                              -> None
//! cache.insert("a", 2)                              -> Some(1)
//! cache.update("a", |v| v.unwrap_or(&0) + 10)       -> 12
//! cache.update("b", |v| v.map_or(1, |n| n + 1))     -> 1     ("b" was absent)
//! cache.get_or_insert_with("c", || 7)               -> 7
//! cache.get_or_insert_with("c", || 99)              -> 7     (the closure is not called)
//! cache.remove(&"a")                                -> Some(12)
//! cache.get(&"a")                                   -> None
//! cache.len()                                       -> 2
//!
//! // 8 threads count 1000 page views each; not one may be lost:
//! thread::scope(|s| for _ in 0..8 {
//!     s.spawn(|| for _ in 0..1000 { cache.update("/home", |n| n.map_or(1, |n| n + 1)); });
//! });
//! cache.get(&"/home")                               -> Some(8000)
//! ```
//!
//! ## Edge cases
//!
//! - `new(0)` and `new(1)` make a one-shard cache: correct, just not parallel.
//! - `update` of an absent key calls `f(None)` and inserts the result.
//! - `remove` and `get` of an absent key return `None` and change nothing.
//! - A closure that panics changes nothing, and the next operation on its shard works.
//!
//! ## Complexity
//!
//! `get`, `insert`, `remove`, `update` and `get_or_insert_with` are O(1) expected: hash
//! the key, lock one shard, one hash-map operation. `len` is O(shards). The checks count
//! how often your code hashes and compares keys, with caches of very different sizes.
//! Besides that, they run real threads: many updates of one key at once, a closure that
//! waits inside its shard while threads work on the same key and on other shards. A
//! cache that loses an update, runs two closures of one key at once, or makes another
//! shard wait, fails them every time.

use std::hash::Hash;
use std::marker::PhantomData;

/// A thread-safe map from keys to values, split into independently locked shards.
pub struct ConcurrentCache<K, V> {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<std::sync::Mutex<(K, V)>>,
}

impl<K: Hash + Eq, V: Clone> ConcurrentCache<K, V> {
    /// An empty cache with `shards` shards (0 behaves like 1).
    pub fn new(shards: usize) -> Self {
        todo!("create {shards} empty shards")
    }

    /// How many shards the cache has.
    pub fn shard_count(&self) -> usize {
        todo!("return the number of shards")
    }

    /// The shard, in `0..shard_count()`, that holds `key`.
    pub fn shard_of(&self, key: &K) -> usize {
        let _ = key;
        todo!("hash the key and pick its shard")
    }

    /// A clone of the value of `key`, or `None`.
    pub fn get(&self, key: &K) -> Option<V> {
        let _ = key;
        todo!("look the key up in its shard")
    }

    /// Stores `value` for `key`; returns the previous value, if any.
    pub fn insert(&self, key: K, value: V) -> Option<V> {
        let _ = (key, value);
        todo!("insert into the key's shard")
    }

    /// Removes `key`; returns its value, if it had one.
    pub fn remove(&self, key: &K) -> Option<V> {
        let _ = key;
        todo!("remove from the key's shard")
    }

    /// Atomically replaces the value of `key` by `f(current value)` and returns a clone
    /// of the new value. `f` runs while the key's shard is locked.
    pub fn update(&self, key: K, f: impl FnOnce(Option<&V>) -> V) -> V {
        let _ = (key, f);
        todo!("read, modify and write the key in one critical section")
    }

    /// A clone of the value of `key`; if it has none, stores `f()` first (atomically, so
    /// concurrent callers for one missing key run `f` once).
    pub fn get_or_insert_with(&self, key: K, f: impl FnOnce() -> V) -> V {
        let _ = (key, f);
        todo!("return the value, or compute, store and return it")
    }

    /// The number of keys in all shards.
    pub fn len(&self) -> usize {
        todo!("add up the shard sizes")
    }

    /// Whether the cache holds no keys.
    pub fn is_empty(&self) -> bool {
        todo!("is every shard empty?")
    }
}

// The checks share one cache between threads, with values that are `Send` but not `Sync`
// (a `Cell`). This fails to compile if your fields need more of the values than `Send`
// (an `RwLock` does: it hands out `&V` to many readers at once; a `Mutex` does not).
const _: fn() = || {
    fn shared_by_threads<T: Send + Sync>() {}
    shared_by_threads::<ConcurrentCache<u64, std::cell::Cell<u64>>>();
};
