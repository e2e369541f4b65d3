//! # lru_cache: a least-recently-used cache (reference solution)
//!
//! A `HashMap<K, usize>` finds a key's slot in `nodes`, a `Vec` of nodes that also form a
//! doubly linked list by index (`prev`/`next`), most recent at `head`, least recent at
//! `tail`. Moving a node to the front or taking the tail is a few index updates, so every
//! operation is O(1) expected. When the cache is full, the tail's slot is reused for the
//! new entry, so `nodes` never holds more than `capacity` nodes and grows only as entries
//! arrive (nothing is reserved up front, so `new(usize::MAX)` is fine).

use std::collections::HashMap;
use std::hash::Hash;
use std::mem;

/// Marks "no node" in `prev`, `next`, `head` and `tail`.
const NIL: usize = usize::MAX;

struct Node<K, V> {
    key: K,
    value: V,
    /// The next more recent node, or `NIL`.
    prev: usize,
    /// The next less recent node, or `NIL`.
    next: usize,
}

/// A cache holding at most `capacity` entries that evicts the least recently used one.
pub struct LruCache<K, V> {
    capacity: usize,
    index: HashMap<K, usize>,
    nodes: Vec<Node<K, V>>,
    /// Most recently used node, or `NIL` when empty.
    head: usize,
    /// Least recently used node, or `NIL` when empty.
    tail: usize,
}

impl<K: Hash + Eq + Clone, V> LruCache<K, V> {
    /// An empty cache that holds at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        LruCache {
            capacity,
            index: HashMap::new(),
            nodes: Vec::new(),
            head: NIL,
            tail: NIL,
        }
    }

    /// The value cached for `key`, if any; a hit makes `key` the most recently used.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        let slot = *self.index.get(key)?;
        self.move_to_front(slot);
        Some(&self.nodes[slot].value)
    }

    /// Caches `value` for `key` as the most recently used entry.
    ///
    /// Returns the entry evicted to make room, or `None` if nothing was evicted. An
    /// existing key gets the new value and returns `None`; capacity 0 returns the given
    /// entry, since nothing can be stored.
    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        if self.capacity == 0 {
            return Some((key, value));
        }
        if let Some(&slot) = self.index.get(&key) {
            self.nodes[slot].value = value;
            self.move_to_front(slot);
            return None;
        }
        if self.nodes.len() < self.capacity {
            let slot = self.nodes.len();
            self.nodes.push(Node {
                key: key.clone(),
                value,
                prev: NIL,
                next: NIL,
            });
            self.index.insert(key, slot);
            self.push_front(slot);
            return None;
        }
        // Full: the least recently used node's slot takes the new entry.
        let slot = self.tail;
        self.unlink(slot);
        let node = &mut self.nodes[slot];
        let old_key = mem::replace(&mut node.key, key.clone());
        let old_value = mem::replace(&mut node.value, value);
        self.index.remove(&old_key);
        self.index.insert(key, slot);
        self.push_front(slot);
        Some((old_key, old_value))
    }

    /// How many entries the cache holds.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the cache holds no entries.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The most entries the cache holds, as given to [`LruCache::new`].
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn move_to_front(&mut self, slot: usize) {
        if self.head != slot {
            self.unlink(slot);
            self.push_front(slot);
        }
    }

    /// Takes `slot` out of the list, leaving its links dangling.
    fn unlink(&mut self, slot: usize) {
        let (prev, next) = (self.nodes[slot].prev, self.nodes[slot].next);
        if prev == NIL {
            self.head = next;
        } else {
            self.nodes[prev].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.nodes[next].prev = prev;
        }
    }

    /// Makes the unlinked `slot` the most recently used node.
    fn push_front(&mut self, slot: usize) {
        self.nodes[slot].prev = NIL;
        self.nodes[slot].next = self.head;
        if self.head == NIL {
            self.tail = slot;
        } else {
            self.nodes[self.head].prev = slot;
        }
        self.head = slot;
    }
}
