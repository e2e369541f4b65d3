//! Mutant: put evicts as soon as the cache is full, before looking whether the key is
//! already cached, so updating a key in a full cache evicts an entry (maybe the key itself).

use std::collections::HashMap;
use std::hash::Hash;

const NIL: usize = usize::MAX;

struct Node<K, V> {
    key: K,
    value: V,
    prev: usize,
    next: usize,
}

pub struct LruCache<K, V> {
    capacity: usize,
    index: HashMap<K, usize>,
    slots: Vec<Option<Node<K, V>>>,
    free: Vec<usize>,
    head: usize,
    tail: usize,
}

impl<K: Hash + Eq + Clone, V> LruCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        LruCache {
            capacity,
            index: HashMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
        }
    }

    pub fn get(&mut self, key: &K) -> Option<&V> {
        let slot = *self.index.get(key)?;
        self.unlink(slot);
        self.push_front(slot);
        self.slots[slot].as_ref().map(|n| &n.value)
    }

    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        if self.capacity == 0 {
            return Some((key, value));
        }
        let mut evicted = None;
        if self.index.len() == self.capacity {
            let slot = self.tail;
            self.unlink(slot);
            let node = self.slots[slot].take().unwrap();
            self.index.remove(&node.key);
            self.free.push(slot);
            evicted = Some((node.key, node.value));
        }
        if let Some(&slot) = self.index.get(&key) {
            self.slots[slot].as_mut().unwrap().value = value;
            self.unlink(slot);
            self.push_front(slot);
            return evicted;
        }
        let node = Node {
            key: key.clone(),
            value,
            prev: NIL,
            next: NIL,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = Some(node);
                slot
            }
            None => {
                self.slots.push(Some(node));
                self.slots.len() - 1
            }
        };
        self.index.insert(key, slot);
        self.push_front(slot);
        evicted
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn node(&mut self, slot: usize) -> &mut Node<K, V> {
        self.slots[slot].as_mut().unwrap()
    }

    fn unlink(&mut self, slot: usize) {
        let (prev, next) = {
            let n = self.node(slot);
            (n.prev, n.next)
        };
        if prev == NIL {
            self.head = next;
        } else {
            self.node(prev).next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.node(next).prev = prev;
        }
    }

    fn push_front(&mut self, slot: usize) {
        let head = self.head;
        let n = self.node(slot);
        n.prev = NIL;
        n.next = head;
        if head == NIL {
            self.tail = slot;
        } else {
            self.node(head).prev = slot;
        }
        self.head = slot;
    }
}
