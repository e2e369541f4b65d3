//! # consistent_hashing: a hash ring with virtual nodes
//!
//! A session store is spread over a handful of cache servers (Redis or memcached nodes).
//! Every application server must pick, on its own and without asking anyone, the same
//! cache node for a given key such as `"session:9f2c"`. The first idea is
//! `nodes[hash(key) % nodes.len()]`. It works until the day a node is added or dies:
//! going from 4 nodes to 5 changes `hash % n` for about 80% of the keys, so nearly every
//! session is suddenly looked up on the wrong node, the cache hit rate collapses, and the
//! database behind it takes the whole load at once.
//!
//! *Consistent hashing* fixes this. Picture the `u64` range as a circle (a *ring*). Each
//! node is hashed to a few points on it; a key is hashed to a point too and belongs to the
//! first node point met when walking clockwise from it. Adding a node only takes over the
//! keys just before its own points, about 1/N of them, and removing a node only hands its
//! own keys to the next points. One point per node would give very uneven arcs, so each
//! node gets many points, called *virtual nodes*. Dynamo, Cassandra, and memcached clients
//! (ketama) all work this way, and "how would you shard a cache so that adding a server
//! does not invalidate everything?" is a classic system-design interview question.
//!
//! ## The task
//!
//! Implement [`ring_hash`] and [`HashRing`]. Keep the declared signatures; the struct's
//! fields are yours. Every application server must compute the same ring, so the hash
//! function and the placement of virtual nodes are fixed exactly below.
//!
//! ## Rules
//!
//! - **The hash.** `ring_hash(bytes)` is 64-bit FNV-1a followed by the MurmurHash3
//!   `fmix64` finalizer, all in wrapping `u64` arithmetic:
//!
//!   ```text
//!   h = 0xcbf29ce484222325                       FNV-1a 64: offset basis
//!   for each byte b:  h = h XOR b;  h = h * 0x100000001b3   (wrapping multiply)
//!   h = h XOR (h >> 33);  h = h * 0xff51afd7ed558ccd        fmix64
//!   h = h XOR (h >> 33);  h = h * 0xc4ceb9fe1a85ec53
//!   h = h XOR (h >> 33)
//!   ```
//!
//!   (FNV-1a alone is fast but sends similar strings such as `"cache-a#0"` and
//!   `"cache-a#1"` to nearly the same point; the finalizer scatters them over the ring.)
//! - **Virtual nodes.** `HashRing::new(vnodes)` makes an empty ring in which every node
//!   will own `vnodes` points. Node `name` owns the points
//!   `ring_hash(format!("{name}#{i}").as_bytes())` for `i` in `0..vnodes`, with `i`
//!   written in decimal: node `"cache-a"` with 3 virtual nodes owns the hashes of
//!   `"cache-a#0"`, `"cache-a#1"` and `"cache-a#2"`.
//! - **Lookup.** `node_for(key)` hashes `ring_hash(key.as_bytes())` and returns the node of
//!   the first point **at or after** that hash, in increasing `u64` order. A key whose
//!   hash is larger than every point wraps around to the smallest point. An empty ring
//!   returns `None`.
//! - **Ties.** If points of two different nodes have exactly the same hash (rare, but a
//!   ring must never depend on luck), that point belongs to the node whose name is smaller
//!   (`str` order), and removing either node leaves the other node's point in place. For
//!   example, `"0c55205964d7b6f2#0"` and `"bd3d8190c3776adb#0"` both hash to
//!   `0x4380bfba68dee44c`: in a ring holding both nodes that point belongs to
//!   `"0c55205964d7b6f2"`, and after `remove_node("0c55205964d7b6f2")` to
//!   `"bd3d8190c3776adb"`.
//! - **Membership.** `add_node(name)` adds a node and its points and returns `true`; if the
//!   node is already in the ring it changes nothing and returns `false`. `remove_node`
//!   removes a node and all its points and returns `true`, or returns `false` and changes
//!   nothing if the node is not in the ring. `node_count()` is the number of nodes.
//! - The owner of a key depends only on the current set of nodes, never on the order in
//!   which they were added or removed.
//!
//! ## Examples
//!
//! ```text
//! ring_hash(b"")        = 0xefd01f60ba992926   (FNV-1a step alone: 0xcbf29ce484222325)
//! ring_hash(b"a")       = 0x82a2a958a9bece5b   (FNV-1a step alone: 0xaf63dc4c8601ec8c)
//! ring_hash(b"foobar")  = 0x2c22194922d1672b   (FNV-1a step alone: 0x85944171f73967e8)
//!
//! HashRing::new(2), then add_node("cache-a"), add_node("cache-b"), add_node("cache-c"):
//!   points in ring order:
//!   0x27b7ed26f13b9a6a  "cache-a#1"  -> cache-a
//!   0x83d56f71e1ec6885  "cache-b#1"  -> cache-b
//!   0x88eb5a242c5f069b  "cache-c#1"  -> cache-c
//!   0x9cac826d434bbb11  "cache-a#0"  -> cache-a
//!   0xd340cfbcf4fd6650  "cache-b#0"  -> cache-b
//!   0xf4092ff422667b88  "cache-c#0"  -> cache-c
//!
//!   key          ring_hash(key)       node_for(key)
//!   "user:9"     0x0906ea0806f28545   Some("cache-a")   next point: cache-a#1
//!   "user:1"     0x4ce53ee4648cef41   Some("cache-b")   next point: cache-b#1
//!   "user:42"    0x998817bee6718248   Some("cache-a")   next point: cache-a#0
//!   "user:18"    0x9dac80173bb6a22a   Some("cache-b")   next point: cache-b#0
//!   "user:3"     0xec4ee293110d0ac0   Some("cache-c")   next point: cache-c#0
//!   "user:11"    0xfd57b747663ebca8   Some("cache-a")   past the last point: wraps to cache-a#1
//!   "cache-b#0"  0xd340cfbcf4fd6650   Some("cache-b")   exactly on a point: that point's node
//!
//! remove_node("cache-b") -> true: only cache-b's keys move, each to the next point:
//!   "user:1" -> Some("cache-c") (via cache-c#1), "user:18" -> Some("cache-c") (via cache-c#0);
//!   "user:9", "user:42", "user:3" and "user:11" keep their nodes.
//! remove_node("cache-b") -> false (no longer there);  node_count() -> 2
//! add_node("cache-a")    -> false (already there)
//! ```
//!
//! With 100 virtual nodes per node, 4 nodes and 10,000 keys, each node owns roughly a
//! quarter of the keys, and adding a fifth node moves about a fifth of the keys, all of
//! them to the new node. With `hash % n` the same change would move about 80% of them.
//!
//! ## Edge cases
//!
//! - An empty ring, or one whose nodes were all removed, has no node for any key.
//! - A ring with one node sends every key to it.
//! - Node names and keys are any strings, including `""` and names containing `'#'`.
//! - `vnodes` is at least 1 (the checks never pass 0).
//!
//! ## Complexity
//!
//! With P points on the ring (nodes times `vnodes`), `node_for` must take O(log P) time:
//! keep the points in a sorted structure and search it, never scan the points or hash the
//! nodes' labels again on every lookup. The checks compare lookup times on a ring of 16
//! points and one of 1,024 points in the same run. `add_node` and `remove_node` may take
//! O(vnodes · log P). Use only the standard library.

use std::marker::PhantomData;

/// The ring position of `bytes`: 64-bit FNV-1a followed by the MurmurHash3 `fmix64`
/// finalizer (constants in the statement above).
pub fn ring_hash(bytes: &[u8]) -> u64 {
    todo!(
        "hash the {} bytes with FNV-1a 64, then apply fmix64",
        bytes.len()
    )
}

/// A consistent-hashing ring: every node owns `vnodes` points, and a key belongs to the
/// node of the first point at or after the key's hash, wrapping around.
pub struct HashRing {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl HashRing {
    /// An empty ring in which every node will own `vnodes` points (`vnodes >= 1`).
    pub fn new(vnodes: usize) -> Self {
        todo!("create an empty ring with {vnodes} virtual nodes per node")
    }

    /// Adds `node` and its points `"{node}#0"`, `"{node}#1"`, ... and returns `true`, or
    /// returns `false` and changes nothing if `node` is already in the ring.
    pub fn add_node(&mut self, node: &str) -> bool {
        todo!("add the node {node:?} and its virtual nodes")
    }

    /// Removes `node` and all its points and returns `true`, or returns `false` and
    /// changes nothing if `node` is not in the ring.
    pub fn remove_node(&mut self, node: &str) -> bool {
        todo!("remove the node {node:?} and its virtual nodes")
    }

    /// The node owning `key`: the node of the first point at or after `ring_hash(key)`,
    /// wrapping around past the largest point; `None` if the ring has no nodes.
    /// O(log P) for P points.
    pub fn node_for(&self, key: &str) -> Option<&str> {
        todo!("find the first point at or after the hash of {key:?}")
    }

    /// How many nodes are in the ring.
    pub fn node_count(&self) -> usize {
        todo!("count the nodes")
    }
}
