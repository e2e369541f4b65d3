//! # version_vectors: causality between replicas, and a grow-only counter
//!
//! A shopping-cart service runs in three regions, `east`, `west` and `asia`, and every
//! region accepts writes for every cart, so a customer is never blocked by a slow ocean
//! link (multi-leader replication, as in Dynamo or Riak). Regions ship their writes to each
//! other in the background. When `west` receives a version of cart 42 from `east`, it must
//! decide: is the incoming version *newer* than mine (take it), *older* (ignore it, it is a
//! late duplicate), or were the two written *concurrently*, neither knowing about the
//! other (a conflict: keep both and let the application merge the carts)? Wall-clock
//! timestamps cannot answer this: clocks drift, and "last write wins" silently throws a
//! customer's item away.
//!
//! A **version vector** answers it exactly. Each version carries one counter per region:
//! "this version includes the first `n` writes made at that region". A region that makes a
//! write bumps its own counter. Version `a` happened before version `b` when `b` has seen
//! everything `a` has, and more.
//!
//! The same idea gives the simplest **CRDT** (conflict-free replicated data type), the
//! **G-counter**, a grow-only counter such as "page views" or "likes" that every region
//! increments locally, without coordination. Each region keeps a count per region and only
//! ever adds to its own; merging two copies takes the maximum per region, and the value is
//! the sum. Because that merge is commutative, associative and idempotent, copies can be
//! gossiped in any order, any number of times, and all regions still agree in the end.
//! Interviewers reach for both when a design discussion gets to "what happens when two
//! data centres accept writes to the same key?"
//!
//! ## The task
//!
//! Implement [`VersionVector`] and [`GCounter`]. Keep the declared signatures and the
//! `derive`s; the structs' fields are yours.
//!
//! ## Rules: version vectors
//!
//! - A vector maps node names to counters. A node that is not in the vector has counter
//!   `0`, so a vector with an explicit `("west", 0)` is the same vector as one without
//!   `west`. `VersionVector::new()` has every counter at 0; `from_counts(&[("east", 2),
//!   ("west", 1)])` builds one from pairs (each node at most once; `0` is allowed).
//! - `get(node)` is the node's counter; `increment(node)` adds 1 to it.
//! - `a.compare(&b)` looks at every node present in either vector:
//!   - `Equal` if every counter is the same in `a` and `b`;
//!   - `Before` if every counter of `a` is `<=` the one in `b` and at least one is `<`:
//!     `a` happened before `b`;
//!   - `After` if every counter of `a` is `>=` the one in `b` and at least one is `>`;
//!   - `Concurrent` otherwise: each has a counter larger than the other's.
//!
//!   So `a.compare(&b)` is `Before` exactly when `b.compare(&a)` is `After`, and `Equal`
//!   and `Concurrent` are symmetric.
//! - `a.merge(&b)` sets every counter of `a` to the maximum of its value in `a` and in `b`,
//!   including nodes that only `b` has. Afterwards `a` is `Equal` to or `After` the old `a`
//!   and the old `b`: it has seen both.
//!
//! ## Rules: the G-counter
//!
//! - `GCounter::new(replica)` is replica `replica`'s copy of a counter, with every count
//!   at 0. `increment(amount)` adds `amount` (possibly 0) to **this replica's own** count,
//!   never to another replica's.
//! - `get(replica)` is the count of `replica` as far as this copy knows (0 if unknown), and
//!   `value()` is the sum of all counts.
//! - `a.merge(&b)` sets each replica's count in `a` to the maximum of its count in `a` and
//!   in `b` (including replicas only `b` knows). `a` stays replica `a`: later increments of
//!   `a` still go to `a`'s own count.
//! - Merge must be **commutative** (merging `b` into `a` gives the same counts as merging
//!   `a` into `b`), **associative** (`(a ⊔ b) ⊔ c` = `a ⊔ (b ⊔ c)`) and **idempotent**
//!   (merging the same state twice, or a copy of `a` into `a`, changes nothing). The checks
//!   test all three on seeded random counters, and gossip random states between replicas
//!   to check that every replica ends up with the true total.
//!
//! ## Examples
//!
//! ```text
//! a                           b                                  a.compare(&b)
//! {}                          {}                                 Equal
//! {east: 1}                   {east: 2}                          Before
//! {east: 2, west: 1}          {east: 2}                          After
//! {east: 1}                   {east: 1, west: 0}                 Equal       (missing = 0)
//! {east: 1}                   {east: 1, west: 1}                 Before
//! {east: 2}                   {west: 1}                          Concurrent
//! {east: 2, west: 1}          {east: 1, west: 2}                 Concurrent
//!
//! a = {east: 2, west: 1};  a.merge(&{east: 1, west: 2, asia: 4})
//!   -> a = {east: 2, west: 2, asia: 4}
//!
//! The cart: east writes (v1 = {east: 1}); west receives v1, then writes on top of it
//! (v2 = {east: 1, west: 1}); meanwhile east writes again without having seen v2
//! (v3 = {east: 2}). v1.compare(&v2) = Before: v1 is stale. v2.compare(&v3) = Concurrent:
//! a conflict, keep both. After the application merges the two carts, the resolved write
//! carries v2 merged with v3, {east: 2, west: 1}, plus one increment of the writer.
//!
//! let mut east = GCounter::new("east");  let mut west = GCounter::new("west");
//! east.increment(3); east.increment(2)   east: {east: 5}            east.value() = 5
//! west.increment(4)                      west: {west: 4}            west.value() = 4
//! east.merge(&west)                      east: {east: 5, west: 4}   east.value() = 9
//! east.merge(&west)                      unchanged (idempotent)     east.value() = 9
//! west.increment(1)                      west: {west: 5}            west.value() = 5
//! west.merge(&east)                      west: {east: 5, west: 5}   west.value() = 10
//! east.merge(&west)                      east: {east: 5, west: 5}   east.value() = 10
//! ```
//!
//! ## Edge cases
//!
//! - Node names are any strings, including `""`; they are compared exactly.
//! - Two empty vectors are `Equal`, and so are `new()` and `from_counts(&[("east", 0)])`.
//! - Merging a vector into itself (a copy of it) or an empty vector into a vector changes
//!   nothing; merging into an empty vector copies the other one.
//! - A merged-in copy may know *more* about a replica than that replica's own copy shows
//!   (a newer state of it came back through a third replica); the maximum still applies.
//! - Counts stay far below `u64::MAX` in the checks.
//!
//! ## Complexity
//!
//! A vector has one entry per replica, a handful in practice. `compare` and `merge` should
//! take time linear in the number of entries (plus map lookups); `GCounter::value` may sum
//! its entries. A `BTreeMap` or `HashMap` keyed by node name is the natural choice.

use std::marker::PhantomData;

/// How one version vector relates to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Causality {
    /// `self` happened before `other`: `other` has seen everything `self` has, and more.
    Before,
    /// `self` happened after `other`: `self` has seen everything `other` has, and more.
    After,
    /// The two vectors have the same counters (a missing node counts as 0).
    Equal,
    /// Each vector has a counter larger than the other's: concurrent, conflicting updates.
    Concurrent,
}

/// A version vector: one counter per node; a node that is not present counts as 0.
#[derive(Debug, Clone)]
pub struct VersionVector {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl VersionVector {
    /// The empty vector: every node's counter is 0.
    pub fn new() -> Self {
        todo!("create a vector with every counter at 0")
    }

    /// A vector holding the given `(node, counter)` pairs; each node appears at most once,
    /// and a counter of 0 is the same as leaving the node out.
    pub fn from_counts(counts: &[(&str, u64)]) -> Self {
        todo!("build a vector from {} pairs", counts.len())
    }

    /// The counter of `node`, or 0 if the vector has none for it.
    pub fn get(&self, node: &str) -> u64 {
        todo!("return the counter of {node:?}")
    }

    /// Records one new event (a write) at `node`: its counter goes up by 1.
    pub fn increment(&mut self, node: &str) {
        todo!("add 1 to the counter of {node:?}")
    }

    /// How `self` relates to `other`: `Equal`, `Before`, `After` or `Concurrent`.
    pub fn compare(&self, other: &VersionVector) -> Causality {
        let _ = other;
        todo!("compare the counters of every node in either vector")
    }

    /// Sets every counter of `self` to the maximum of its value in `self` and in `other`.
    pub fn merge(&mut self, other: &VersionVector) {
        let _ = other;
        todo!("take the element-wise maximum")
    }
}

/// One replica's copy of a grow-only counter (G-counter CRDT).
#[derive(Debug, Clone)]
pub struct GCounter {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl GCounter {
    /// Replica `replica`'s copy of a counter whose counts all start at 0.
    pub fn new(replica: &str) -> Self {
        todo!("create replica {replica:?}'s copy of a zero counter")
    }

    /// Adds `amount` to this replica's own count.
    pub fn increment(&mut self, amount: u64) {
        todo!("add {amount} to this replica's own count")
    }

    /// The count of `replica`, as far as this copy knows (0 if unknown).
    pub fn get(&self, replica: &str) -> u64 {
        todo!("return the count of {replica:?}")
    }

    /// The counter's value: the sum of the counts of all replicas.
    pub fn value(&self) -> u64 {
        todo!("sum the counts")
    }

    /// Folds another copy's state into this one: the per-replica maximum.
    pub fn merge(&mut self, other: &GCounter) {
        let _ = other;
        todo!("take the per-replica maximum")
    }
}
