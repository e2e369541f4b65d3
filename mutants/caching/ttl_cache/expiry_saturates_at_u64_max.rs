//! Mutant: the expiry time is `now_ms.saturating_add(ttl_ms)`: an entry whose expiry lies
//! beyond u64::MAX is treated as expiring at u64::MAX, so it is gone too soon.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

/// Marks "no node" in `prev`, `next`, `head` and `tail`.
const NIL: usize = usize::MAX;

struct Node<K, V> {
    key: K,
    value: V,
    /// The first time at which the entry is expired: put time + ttl, exactly.
    expires_at: u128,
    /// The next more recent node, or `NIL`.
    prev: usize,
    /// The next less recent node, or `NIL`.
    next: usize,
}

/// A cache of at most `capacity` live entries, each with its own time to live, that
/// evicts the least recently used live entry when full.
pub struct TtlCache<K, V> {
    capacity: usize,
    index: HashMap<K, usize>,
    /// Nodes by slot; `None` for a free slot (listed in `free`).
    slots: Vec<Option<Node<K, V>>>,
    free: Vec<usize>,
    /// `(expires_at, slot)` of every entry, soonest expiry first.
    expiry: BTreeSet<(u128, usize)>,
    /// Most recently used node, or `NIL` when empty.
    head: usize,
    /// Least recently used node, or `NIL` when empty.
    tail: usize,
}

impl<K: Hash + Eq + Clone, V> TtlCache<K, V> {
    /// An empty cache that holds at most `capacity` live entries (`usize::MAX`:
    /// unbounded). Reserves no memory for the capacity.
    pub fn new(capacity: usize) -> Self {
        TtlCache {
            capacity,
            index: HashMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            expiry: BTreeSet::new(),
            head: NIL,
            tail: NIL,
        }
    }

    /// The value of `key` if it has a live entry at `now_ms`, or `None`. A hit makes
    /// `key` the most recently used; it does not extend the entry's life.
    pub fn get(&mut self, key: &K, now_ms: u64) -> Option<&V> {
        self.remove_expired(now_ms);
        let slot = *self.index.get(key)?;
        self.move_to_front(slot);
        Some(&self.node(slot).value)
    }

    /// Caches `value` for `key`, live during `[now_ms, now_ms + ttl_ms)`, as the most
    /// recently used entry.
    ///
    /// Returns the least recently used live entry if it had to be evicted to make room,
    /// the given entry if it cannot be stored (capacity 0 or `ttl_ms == 0`), and `None`
    /// otherwise.
    pub fn put(&mut self, key: K, value: V, ttl_ms: u64, now_ms: u64) -> Option<(K, V)> {
        self.remove_expired(now_ms);
        if self.capacity == 0 {
            return Some((key, value));
        }
        if ttl_ms == 0 {
            // Expired at once: not stored, and the outdated entry must go too.
            if let Some(slot) = self.index.remove(&key) {
                self.remove_slot(slot);
            }
            return Some((key, value));
        }
        let expires_at = u128::from(now_ms.saturating_add(ttl_ms));
        if let Some(&slot) = self.index.get(&key) {
            let old = self.node(slot).expires_at;
            self.expiry.remove(&(old, slot));
            self.expiry.insert((expires_at, slot));
            let node = self.node_mut(slot);
            node.value = value;
            node.expires_at = expires_at;
            self.move_to_front(slot);
            return None;
        }
        let evicted = if self.index.len() < self.capacity {
            None
        } else {
            let slot = self.tail;
            let node = self.remove_slot(slot);
            self.index.remove(&node.key);
            Some((node.key, node.value))
        };
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.slots[slot] = Some(Node {
            key: key.clone(),
            value,
            expires_at,
            prev: NIL,
            next: NIL,
        });
        self.index.insert(key, slot);
        self.expiry.insert((expires_at, slot));
        self.push_front(slot);
        evicted
    }

    /// How many live entries the cache holds, as of the latest `get` or `put`.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the cache holds no live entry.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The most live entries the cache holds: the number given to [`TtlCache::new`].
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Removes every entry expired at `now_ms` (soonest expiry first).
    fn remove_expired(&mut self, now_ms: u64) {
        while let Some(&(expires_at, slot)) = self.expiry.first() {
            if expires_at > u128::from(now_ms) {
                break;
            }
            let node = self.remove_slot(slot);
            self.index.remove(&node.key);
        }
    }

    /// Takes the node out of the list, the expiry order and its slot (not the index).
    fn remove_slot(&mut self, slot: usize) -> Node<K, V> {
        self.unlink(slot);
        let node = self.slots[slot].take().expect("a used slot");
        self.expiry.remove(&(node.expires_at, slot));
        self.free.push(slot);
        node
    }

    fn node(&self, slot: usize) -> &Node<K, V> {
        self.slots[slot].as_ref().expect("a used slot")
    }

    fn node_mut(&mut self, slot: usize) -> &mut Node<K, V> {
        self.slots[slot].as_mut().expect("a used slot")
    }

    fn move_to_front(&mut self, slot: usize) {
        if self.head != slot {
            self.unlink(slot);
            self.push_front(slot);
        }
    }

    /// Takes `slot` out of the recency list, leaving its links dangling.
    fn unlink(&mut self, slot: usize) {
        let (prev, next) = (self.node(slot).prev, self.node(slot).next);
        if prev == NIL {
            self.head = next;
        } else {
            self.node_mut(prev).next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.node_mut(next).prev = prev;
        }
    }

    /// Makes the unlinked `slot` the most recently used node.
    fn push_front(&mut self, slot: usize) {
        let head = self.head;
        let node = self.node_mut(slot);
        node.prev = NIL;
        node.next = head;
        if head == NIL {
            self.tail = slot;
        } else {
            self.node_mut(head).prev = slot;
        }
        self.head = slot;
    }
}
