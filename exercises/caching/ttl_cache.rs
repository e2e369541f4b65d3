//! # ttl_cache: an LRU cache whose entries expire
//!
//! The profile service from `lru_cache` caches rows in front of its database, and the
//! product team has a complaint: a user renamed themselves and the old name kept showing
//! for an hour, because a hot entry never left the cache. So every cached value now gets
//! a *time to live*: a profile may be served from the cache for 30 s after it was
//! loaded, an access token for as long as it is valid, a feature flag for 5 s. After that
//! the entry is **expired**: the cache must never hand it out again, and the next request
//! loads a fresh copy. Memory is still limited, so the cache keeps its capacity and its
//! least-recently-used eviction. Interviewers push on how the two rules meet: does an
//! expired entry still take up room? When the cache is full, which entry goes? Does
//! reading an entry extend its life?
//!
//! ## The task
//!
//! Implement [`TtlCache`]: an LRU cache like `lru_cache`'s, where `put` also takes the
//! entry's time to live `ttl_ms`, and both `get` and `put` take the current time
//! `now_ms` (milliseconds). Keep the declared signatures; the struct's fields are yours.
//! Time is a parameter: never read the clock.
//!
//! ## Rules
//!
//! - **Expiry.** An entry put at `now_ms == t` with `ttl_ms` is **live** at every time
//!   `now` with `now - t < ttl_ms`, that is, during `[t, t + ttl_ms)`, and **expired**
//!   from `t + ttl_ms` on. Only `put` sets the expiry: `get` does not extend it.
//! - **Expired entries are gone.** Every `get` and `put` first removes every entry that
//!   is expired at its `now_ms`. So an expired entry is never returned, never counts
//!   toward `len()` or the capacity, and is never evicted: removing it is not an
//!   eviction, and nothing reports it.
//! - **Recency**, as in `lru_cache`: an entry becomes the most recently used when `put`
//!   inserts it, when `put` replaces its value, or when `get` finds it. Nothing else
//!   changes the order.
//! - `get(&key, now_ms)` returns `Some(&value)` if `key` has a live entry (and makes it
//!   the most recently used), otherwise `None`.
//! - `put(key, value, ttl_ms, now_ms)`, after removing the expired entries:
//!   - capacity 0, or `ttl_ms == 0` (an entry that would be expired at once): nothing is
//!     stored, and the given entry comes straight back as `Some((key, value))`. With
//!     `ttl_ms == 0`, a live entry of `key` is removed too: its value is outdated, and
//!     serving it would be wrong.
//!   - if `key` has a live entry: replace its value, set its expiry to
//!     `now_ms + ttl_ms`, make it the most recently used and return `None` (nothing is
//!     evicted, even when full);
//!   - else, if fewer than `capacity` entries are live: insert it and return `None`;
//!   - else (full of live entries): evict the **least recently used** entry, whatever
//!     its expiry (even if another entry would expire sooner), insert the new one, and
//!     return `Some((evicted_key, evicted_value))`.
//! - `len()` is the number of live entries at the `now_ms` of the latest `get` or `put`
//!   (removed expired entries are not counted), `is_empty()` is `len() == 0`, and
//!   `capacity()` is the number given to `new`.
//! - `new(usize::MAX)` is valid and means "effectively unbounded": allocate as entries
//!   arrive, never up front for `capacity` entries.
//! - `V` has no bounds: values are never cloned. Keys are `Hash + Eq + Clone`; you may
//!   clone a key when you need it in two places.
//! - `now_ms` never decreases from one call to the next; equal times are fine. `now_ms`
//!   and `ttl_ms` may be any `u64`: when `now_ms + ttl_ms` lies beyond `u64::MAX` the
//!   entry never expires (it is still live at `now_ms == u64::MAX`). Nothing may overflow
//!   or panic (the checks run in debug mode, where an overflowing `+` panics).
//!
//! ## Example
//!
//! ```text
//! let mut c = TtlCache::new(2);
//! c.put("a", 1, 1_000, 0)       -> None              a is live during [0, 1000)
//! c.put("b", 2, 5_000, 100)     -> None              b is live during [100, 5100)
//! c.get(&"a", 999)              -> Some(&1)          a is now the most recent
//! c.get(&"a", 1_000)            -> None              a expired at 1000: removed
//! c.len()                       -> 1                 b
//! c.put("c", 3, 5_000, 1_100)   -> None              a is gone: room for c
//! c.put("d", 4, 5_000, 1_200)   -> Some(("b", 2))    full: b is least recently used
//! c.put("c", 30, 100, 1_300)    -> None              update: 30, live until 1400
//! c.get(&"c", 1_400)            -> None              expired
//! c.put("e", 5, 0, 1_500)       -> Some(("e", 5))    ttl 0: not stored
//! c.len()                       -> 1                 d
//! ```
//!
//! ## Complexity
//!
//! `get` and `put` must take O(log n) amortised time for n entries, and do O(1) work on
//! keys: the same number of hashes, comparisons and clones of keys whether the cache
//! holds ten entries or ten million. The LRU part is O(1) as in `lru_cache`; the entries
//! also need an order by expiry time, so that the expired ones can be found without
//! looking at the others (O(log n) per entry to maintain). Scanning the entries, for
//! the least recently used one or for the expired ones, is O(n) and fails the checks,
//! which count how often your code hashes, compares and clones keys, and compare timings
//! at two cache sizes. You need no `unsafe` code.

use std::hash::Hash;
use std::marker::PhantomData;

/// A cache of at most `capacity` live entries, each with its own time to live, that
/// evicts the least recently used live entry when full.
pub struct TtlCache<K, V> {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<(K, V)>,
}

impl<K: Hash + Eq + Clone, V> TtlCache<K, V> {
    /// An empty cache that holds at most `capacity` live entries (`usize::MAX`:
    /// unbounded). Reserves no memory for the capacity.
    pub fn new(capacity: usize) -> Self {
        todo!("create an empty cache with capacity {capacity}")
    }

    /// The value of `key` if it has a live entry at `now_ms`, or `None`. A hit makes
    /// `key` the most recently used; it does not extend the entry's life.
    pub fn get(&mut self, key: &K, now_ms: u64) -> Option<&V> {
        let _ = key;
        todo!("look the key up at {now_ms} ms, after removing the expired entries")
    }

    /// Caches `value` for `key`, live during `[now_ms, now_ms + ttl_ms)`, as the most
    /// recently used entry.
    ///
    /// Returns the least recently used live entry if it had to be evicted to make room,
    /// the given entry if it cannot be stored (capacity 0 or `ttl_ms == 0`), and `None`
    /// otherwise.
    pub fn put(&mut self, key: K, value: V, ttl_ms: u64, now_ms: u64) -> Option<(K, V)> {
        let _ = (key, value);
        todo!("insert or update the entry for {ttl_ms} ms at {now_ms} ms")
    }

    /// How many live entries the cache holds, as of the latest `get` or `put`.
    pub fn len(&self) -> usize {
        todo!("count the live entries")
    }

    /// Whether the cache holds no live entry.
    pub fn is_empty(&self) -> bool {
        todo!("is the cache empty?")
    }

    /// The most live entries the cache holds: the number given to [`TtlCache::new`].
    pub fn capacity(&self) -> usize {
        todo!("return the capacity given to new")
    }
}
