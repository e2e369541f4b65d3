//! # lru_cache: a least-recently-used cache
//!
//! A profile service answers `GET /users/{id}` by reading a row from the database. Most
//! traffic goes to a small set of hot users, so the service puts a *read-through cache* in
//! front of the database: look the id up in the cache; on a hit, answer from memory; on a
//! miss, load the row from the database, `put` it into the cache, and answer.
//!
//! ```text
//! fn profile(cache: &mut LruCache<UserId, Profile>, db: &Db, id: UserId) -> Profile {
//!     if let Some(p) = cache.get(&id) { return p.clone(); }   // hit: no database call
//!     let p = db.load(id);                                     // miss: one database call
//!     cache.put(id, p.clone());
//!     p
//! }
//! ```
//!
//! Memory is limited, so the cache holds at most `capacity` entries. When it is full and a
//! new entry arrives, it evicts the entry that was used *least recently*: the bet is that
//! what was used recently will be used again soon. This is the LRU policy, and "implement
//! an LRU cache with O(1) get and put" is one of the most common backend interview
//! questions: it checks that you can combine two data structures so each covers the
//! other's weakness, and explain the eviction policy precisely.
//!
//! ## The task
//!
//! Implement [`LruCache`]. Keep the declared signatures; the struct's fields are yours.
//!
//! ## Rules
//!
//! - Every entry has a *recency*. An entry becomes the **most recently used** when it is
//!   inserted by `put`, when its value is replaced by `put`, or when `get` finds it.
//!   Nothing else changes recency: `get` of a missing key, `len`, `is_empty` and
//!   `capacity` leave the order alone.
//! - `get(&key)` returns `Some(&value)` if `key` is cached (and makes it the most
//!   recently used), otherwise `None`.
//! - `put(key, value)`:
//!   - if `key` is already cached: replace its value, make it the most recently used and
//!     return `None`. Nothing is evicted, and `len()` does not change, even when full;
//!   - else, if the cache holds fewer than `capacity` entries: insert it and return `None`;
//!   - else (the cache is full): remove the **least recently used** entry, insert the new
//!     one, and return the removed entry as `Some((evicted_key, evicted_value))`, so the
//!     caller can, say, write it back or count evictions.
//! - `len()` is the number of entries cached, `is_empty()` is `len() == 0`, and
//!   `capacity()` is the number given to `new`.
//! - `new(0)` is a cache that stores nothing: every `put(key, value)` returns
//!   `Some((key, value))` (the entry it was given) and every `get` returns `None`.
//! - `new(usize::MAX)` is valid and means "effectively unbounded". So the capacity is a
//!   limit, not an amount of memory to reserve: **allocate as entries arrive**, never
//!   up front for `capacity` entries (`Vec::with_capacity(capacity)` would ask for
//!   more memory than exists). `new` itself should allocate nothing, or very little.
//! - `V` has no bounds: values are never cloned, only moved in and out (and `get` lends
//!   one out by reference). Keys are `Hash + Eq + Clone`; you may clone a key when you
//!   need it in two places.
//!
//! ## Example
//!
//! ```text
//! let mut c = LruCache::new(2);
//! c.put(1, "a")   -> None               cached, least recent first: 1
//! c.put(2, "b")   -> None                                           1 2
//! c.get(&1)       -> Some(&"a")                                     2 1
//! c.put(3, "c")   -> Some((2, "b"))     full: 2 was least recent    1 3
//! c.get(&2)       -> None               (a miss changes nothing)    1 3
//! c.put(1, "A")   -> None               update: no eviction         3 1
//! c.put(4, "d")   -> Some((3, "c"))                                 1 4
//! c.len()         -> 2
//! ```
//!
//! ## Complexity
//!
//! `get` and `put` must take O(1) time (expected, amortised): the same work whether the
//! cache holds ten entries or ten million. Scanning the entries to find a key in the
//! recency order, or to find the oldest one, is O(n) and fails the checks, which count
//! how often your code hashes, compares and clones keys, and compare timings at two
//! cache sizes. You need no `unsafe` code.

use std::hash::Hash;
use std::marker::PhantomData;

/// A cache holding at most `capacity` entries that evicts the least recently used one.
pub struct LruCache<K, V> {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<(K, V)>,
}

impl<K: Hash + Eq + Clone, V> LruCache<K, V> {
    /// An empty cache that holds at most `capacity` entries (`usize::MAX`: unbounded).
    /// Reserves no memory for the capacity.
    pub fn new(capacity: usize) -> Self {
        todo!("create an empty cache with capacity {capacity}")
    }

    /// The value cached for `key`, or `None`. A hit makes `key` the most recently used.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        let _ = key;
        todo!("look the key up and, on a hit, make it the most recently used")
    }

    /// Caches `value` for `key` as the most recently used entry.
    ///
    /// Returns the least recently used entry if it had to be evicted to make room, and
    /// `None` otherwise (an existing key just gets the new value). With capacity 0 nothing
    /// is stored and the given entry comes straight back.
    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        let _ = (key, value);
        todo!("insert or update the entry, evicting the least recently used one when full")
    }

    /// How many entries the cache holds.
    pub fn len(&self) -> usize {
        todo!("count the cached entries")
    }

    /// Whether the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        todo!("is the cache empty?")
    }

    /// The most entries the cache holds: the number given to [`LruCache::new`].
    pub fn capacity(&self) -> usize {
        todo!("return the capacity given to new")
    }
}
