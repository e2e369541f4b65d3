use super::consistent_hashing::{HashRing, ring_hash};
use crate::kit::{SplitMix64, learner};

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// The reference: the hash and a plain sorted list of points.

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn fmix64(mut hash: u64) -> u64 {
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

fn reference_hash(bytes: &[u8]) -> u64 {
    fmix64(fnv1a(bytes))
}

/// The points of a ring holding `nodes`, sorted by (hash, node name), with their labels.
fn points(vnodes: usize, nodes: &BTreeSet<String>) -> Vec<(u64, String, String)> {
    let mut points: Vec<(u64, String, String)> = nodes
        .iter()
        .flat_map(|node| {
            (0..vnodes).map(move |i| {
                let label = format!("{node}#{i}");
                (reference_hash(label.as_bytes()), node.clone(), label)
            })
        })
        .collect();
    points.sort();
    points
}

/// Index of the point owning `hash` in sorted `points` (which must not be empty).
fn owner_index(points: &[(u64, String, String)], hash: u64) -> usize {
    let at = points.partition_point(|p| p.0 < hash);
    if at == points.len() { 0 } else { at }
}

fn expected_owner(points: &[(u64, String, String)], key: &str) -> Option<String> {
    if points.is_empty() {
        return None;
    }
    Some(
        points[owner_index(points, reference_hash(key.as_bytes()))]
            .1
            .clone(),
    )
}

/// Why `key` belongs where it does: its hash and the point it lands on.
fn explain(points: &[(u64, String, String)], key: &str) -> String {
    let hash = reference_hash(key.as_bytes());
    if points.is_empty() {
        return format!("ring_hash({key:?}) = {hash:#018x}, and the ring has no points");
    }
    let at = owner_index(points, hash);
    let (point, _, label) = &points[at];
    if *point < hash {
        format!(
            "ring_hash({key:?}) = {hash:#018x} is past the largest point, so it wraps around \
             to the smallest point, {label:?} at {point:#018x}"
        )
    } else if *point == hash {
        format!("ring_hash({key:?}) = {hash:#018x} is exactly the point of {label:?}")
    } else {
        format!(
            "ring_hash({key:?}) = {hash:#018x}; the first point at or after it is {label:?} \
             at {point:#018x}"
        )
    }
}

fn quoted(names: &BTreeSet<String>) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!("[{}]", names.join(", "))
}

// ---------------------------------------------------------------------------------------
// A ring driven through scripted calls; a failure message lists the calls before it.

struct Probe {
    ring: HashRing,
    vnodes: usize,
    nodes: BTreeSet<String>,
    /// The reference points for `nodes`.
    points: Vec<(u64, String, String)>,
    calls: Vec<String>,
}

impl Probe {
    fn new(vnodes: usize) -> Self {
        let call = format!("HashRing::new({vnodes})");
        let ring = learner(|| call.clone(), || HashRing::new(vnodes));
        Probe {
            ring,
            vnodes,
            nodes: BTreeSet::new(),
            points: Vec::new(),
            calls: vec![call],
        }
    }

    /// A ring with `nodes` added in order, described as one step in messages.
    fn with_nodes(vnodes: usize, nodes: &[String]) -> Self {
        let mut probe = Probe::new(vnodes);
        let ring = &mut probe.ring;
        let summary = if nodes.len() <= 4 {
            let adds: Vec<String> = nodes.iter().map(|n| format!("add_node({n:?})")).collect();
            adds.join(", ")
        } else {
            format!(
                "add_node of {} nodes {:?} ... {:?}",
                nodes.len(),
                nodes[0],
                nodes[nodes.len() - 1]
            )
        };
        learner(
            || format!("HashRing::new({vnodes}), then {summary}:"),
            || {
                for node in nodes {
                    ring.add_node(node);
                }
            },
        );
        probe.nodes.extend(nodes.iter().cloned());
        probe.points = points(vnodes, &probe.nodes);
        probe.calls.push(summary);
        probe
    }

    fn context(&self, call: &str) -> String {
        format!("after {}: {call}", self.calls.join(", "))
    }

    fn add(&mut self, node: &str, expected: bool) {
        let call = format!("add_node({node:?})");
        let ring = &mut self.ring;
        let got = learner(
            || format!("after {}: {call}", self.calls.join(", ")),
            || ring.add_node(node),
        );
        if got != expected {
            let why = if expected {
                "it was not in the ring"
            } else {
                "it was already in the ring"
            };
            panic!(
                "{} returned {got}, expected {expected} ({why})",
                self.context(&call)
            );
        }
        self.nodes.insert(node.to_string());
        self.points = points(self.vnodes, &self.nodes);
        self.calls.push(call);
    }

    fn remove(&mut self, node: &str, expected: bool) {
        let call = format!("remove_node({node:?})");
        let ring = &mut self.ring;
        let got = learner(
            || format!("after {}: {call}", self.calls.join(", ")),
            || ring.remove_node(node),
        );
        if got != expected {
            let why = if expected {
                "it was in the ring"
            } else {
                "it was not in the ring"
            };
            panic!(
                "{} returned {got}, expected {expected} ({why})",
                self.context(&call)
            );
        }
        self.nodes.remove(node);
        self.points = points(self.vnodes, &self.nodes);
        self.calls.push(call);
    }

    fn count(&self, expected: usize) {
        let got = learner(|| self.context("node_count()"), || self.ring.node_count());
        if got != expected {
            panic!(
                "{} returned {got}, expected {expected}",
                self.context("node_count()")
            );
        }
    }

    /// What the learner's ring says for `key` (no check).
    fn owner(&self, key: &str) -> Option<String> {
        let call = format!("node_for({key:?})");
        learner(
            || self.context(&call),
            || self.ring.node_for(key).map(str::to_string),
        )
    }

    /// Checks `node_for(key)` against the reference, explaining the expected point.
    fn lookup(&self, key: &str) {
        let expected = expected_owner(&self.points, key);
        let got = self.owner(key);
        if got != expected {
            panic!(
                "{} returned {got:?}, expected {expected:?}: {}",
                self.context(&format!("node_for({key:?})")),
                explain(&self.points, key)
            );
        }
    }

    /// Checks `node_for(key) == expected` as written in a check (and in the reference).
    fn lookup_is(&self, key: &str, expected: Option<&str>) {
        assert_eq!(
            expected_owner(&self.points, key).as_deref(),
            expected,
            "the check's own expectation for {key:?} is wrong"
        );
        self.lookup(key);
    }
}

fn names(prefix: &str, range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(|i| format!("{prefix}{i}")).collect()
}

// ---------------------------------------------------------------------------------------
// The hash.

#[test]
fn ring_hash_is_fnv1a_64_followed_by_fmix64() {
    let inputs: [&[u8]; 7] = [
        b"",
        b"a",
        b"foobar",
        b"cache-a#0",
        b"user:42",
        b"\xff\x00\x80 bytes above 0x7f",
        "caf\u{e9}#12".as_bytes(),
    ];
    for bytes in inputs {
        let got = learner(
            || format!("ring_hash({:?})", String::from_utf8_lossy(bytes)),
            || ring_hash(bytes),
        );
        let expected = reference_hash(bytes);
        if got != expected {
            let fnv = fnv1a(bytes);
            let note = if got == fnv {
                " (that is the FNV-1a step alone: apply the fmix64 finalizer to it)".to_string()
            } else {
                format!(" (the FNV-1a step alone gives {fnv:#018x})")
            };
            panic!(
                "ring_hash(b{:?}) returned {got:#018x}, expected {expected:#018x}{note}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Lookups.

#[test]
fn empty_ring_has_no_node_for_any_key() {
    let mut ring = Probe::new(3);
    ring.count(0);
    for key in ["user:1", "", "cache-a#0"] {
        ring.lookup_is(key, None);
    }
    ring.add("cache-a", true);
    ring.add("cache-b", true);
    ring.remove("cache-a", true);
    ring.remove("cache-b", true);
    ring.count(0);
    for key in ["user:1", "user:11", "cache-b#0"] {
        ring.lookup_is(key, None);
    }
}

#[test]
fn single_node_owns_every_key() {
    let ring = Probe::with_nodes(4, &["only".to_string()]);
    for i in 0..200 {
        ring.lookup_is(&format!("user:{i}"), Some("only"));
    }
    ring.lookup_is("", Some("only"));
}

#[test]
fn the_example_ring_from_the_statement() {
    let mut ring = Probe::new(2);
    ring.add("cache-a", true);
    ring.add("cache-b", true);
    ring.add("cache-c", true);
    ring.count(3);
    for (key, node) in [
        ("user:9", "cache-a"),
        ("user:1", "cache-b"),
        ("user:42", "cache-a"),
        ("user:18", "cache-b"),
        ("user:3", "cache-c"),
        ("user:11", "cache-a"),
        ("cache-b#0", "cache-b"),
    ] {
        ring.lookup_is(key, Some(node));
    }
    ring.remove("cache-b", true);
    for (key, node) in [
        ("user:1", "cache-c"),
        ("user:18", "cache-c"),
        ("user:9", "cache-a"),
        ("user:42", "cache-a"),
        ("user:3", "cache-c"),
        ("user:11", "cache-a"),
    ] {
        ring.lookup_is(key, Some(node));
    }
    ring.remove("cache-b", false);
    ring.count(2);
    ring.add("cache-a", false);
    ring.count(2);
}

#[test]
fn a_key_hashing_exactly_onto_a_point_belongs_to_that_points_node() {
    // The key "cache-b#3" hashes to the very point of cache-b's virtual node 3.
    let nodes = names("cache-", 1..=4);
    let ring = Probe::with_nodes(6, &nodes);
    for node in &nodes {
        for i in 0..6 {
            ring.lookup_is(&format!("{node}#{i}"), Some(node));
        }
    }
}

#[test]
fn keys_past_the_largest_point_wrap_around_to_the_smallest_point() {
    let mut ring = Probe::new(2);
    ring.add("cache-a", true);
    ring.add("cache-b", true);
    ring.add("cache-c", true);
    // All five hash above 0xf4092ff422667b88, cache-c#0, the largest point.
    for key in ["user:55", "user:43", "user:28", "user:11", "user:54"] {
        ring.lookup_is(key, Some("cache-a"));
    }
    // One point per node: many keys fall past the largest point.
    let nodes = names("db-", 1..=3);
    let ring = Probe::with_nodes(1, &nodes);
    let largest = ring.points.last().map(|p| p.0).unwrap_or(0);
    let mut wrapped = 0;
    for i in 0..400 {
        let key = format!("order:{i}");
        if reference_hash(key.as_bytes()) > largest {
            wrapped += 1;
        }
        ring.lookup(&key);
    }
    assert!(
        wrapped > 0,
        "the check expected some keys past the largest point"
    );
}

#[test]
fn every_virtual_node_of_every_node_is_on_the_ring() {
    let nodes = names("shard-", 1..=5);
    let ring = Probe::with_nodes(40, &nodes);
    for i in 0..600 {
        ring.lookup(&format!("session:{i:x}"));
    }
}

#[test]
fn node_names_and_keys_may_be_empty_or_contain_hashes() {
    let mut ring = Probe::new(3);
    ring.add("", true);
    ring.add("#", true);
    ring.add("a#1", true);
    ring.add("a", true);
    ring.count(4);
    for key in ["", "#", "#0", "a#1", "a#1#0", "##1", "a#10", "user:7"] {
        ring.lookup(key);
    }
    ring.add("", false);
    ring.remove("a#1", true);
    for key in ["", "a#1#0", "a#1#2", "a#10"] {
        ring.lookup(key);
    }
}

// ---------------------------------------------------------------------------------------
// Membership and movement.

#[test]
fn add_node_of_an_existing_node_returns_false_and_changes_nothing() {
    let mut ring = Probe::new(5);
    ring.add("cache-a", true);
    ring.add("cache-b", true);
    ring.add("cache-a", false);
    ring.count(2);
    ring.remove("cache-a", true);
    // A second copy of cache-a's points would still be on the ring now.
    ring.count(1);
    for i in 0..100 {
        ring.lookup_is(&format!("user:{i}"), Some("cache-b"));
    }
}

#[test]
fn remove_node_of_a_missing_node_returns_false_and_changes_nothing() {
    let mut ring = Probe::new(5);
    ring.remove("cache-a", false);
    ring.add("cache-a", true);
    ring.add("cache-b", true);
    ring.remove("cache-c", false);
    ring.remove("cache", false);
    ring.count(2);
    for i in 0..100 {
        ring.lookup(&format!("user:{i}"));
    }
}

#[test]
fn node_count_follows_adds_and_removes() {
    let mut ring = Probe::new(2);
    ring.count(0);
    ring.add("x", true);
    ring.count(1);
    ring.add("y", true);
    ring.add("z", true);
    ring.count(3);
    ring.add("y", false);
    ring.count(3);
    ring.remove("x", true);
    ring.count(2);
    ring.remove("x", false);
    ring.count(2);
}

#[test]
fn the_owner_depends_only_on_the_nodes_not_on_their_order() {
    let keys: Vec<String> = (0..300).map(|i| format!("cart:{i}")).collect();
    let nodes = names("cache-", 1..=4);
    let forward = Probe::with_nodes(25, &nodes);
    let mut shuffled = Probe::new(25);
    for node in ["cache-3", "cache-1", "cache-9", "cache-4", "cache-2"] {
        shuffled.add(node, true);
    }
    shuffled.remove("cache-9", true);
    shuffled.remove("cache-1", true);
    shuffled.add("cache-1", true);
    for key in &keys {
        let (a, b) = (forward.owner(key), shuffled.owner(key));
        if a != b {
            panic!(
                "node_for({key:?}) returned {a:?} after {}, but {b:?} after {}: the owner of a \
                 key must depend only on the set of nodes; expected {:?} ({})",
                forward.calls.join(", "),
                shuffled.calls.join(", "),
                expected_owner(&forward.points, key),
                explain(&forward.points, key)
            );
        }
        forward.lookup(key);
    }
}

/// Owners of `keys` in `ring`, and the calls that built it.
fn owners(ring: &Probe, keys: &[String]) -> Vec<Option<String>> {
    keys.iter().map(|k| ring.owner(k)).collect()
}

#[test]
fn adding_a_node_moves_about_one_in_n_keys_all_to_the_new_node() {
    const KEYS: usize = 2000;
    let keys: Vec<String> = (0..KEYS).map(|i| format!("user:{i}")).collect();
    let mut ring = Probe::with_nodes(100, &names("cache-", 1..=4));
    let before = owners(&ring, &keys);
    ring.add("cache-5", true);
    let after = owners(&ring, &keys);
    let mut moved = 0;
    for ((key, old), new) in keys.iter().zip(&before).zip(&after) {
        if old != new {
            moved += 1;
            if new.as_deref() != Some("cache-5") {
                panic!(
                    "HashRing::new(100) with nodes cache-1..cache-4: node_for({key:?}) returned \
                     {old:?}; after add_node(\"cache-5\") it returned {new:?}, expected it to \
                     stay {old:?} or move to Some(\"cache-5\"): a new node only takes over keys \
                     from the arcs just before its own points"
                );
            }
        }
    }
    let fraction = moved as f64 / KEYS as f64;
    assert!(
        (0.10..=0.30).contains(&fraction),
        "HashRing::new(100) with nodes cache-1..cache-4, then add_node(\"cache-5\"): {moved} of \
         {KEYS} keys user:0..user:{} changed node ({:.0}%), expected about 1 in 5 (between 10% \
         and 30%)",
        KEYS - 1,
        fraction * 100.0
    );
    for key in keys.iter().step_by(7) {
        ring.lookup(key);
    }
}

#[test]
fn removing_a_node_moves_only_that_nodes_keys() {
    const KEYS: usize = 2000;
    let keys: Vec<String> = (0..KEYS).map(|i| format!("user:{i}")).collect();
    let mut ring = Probe::with_nodes(100, &names("cache-", 1..=5));
    let before = owners(&ring, &keys);
    ring.remove("cache-2", true);
    let after = owners(&ring, &keys);
    let mut moved = 0;
    for ((key, old), new) in keys.iter().zip(&before).zip(&after) {
        if old.as_deref() == Some("cache-2") {
            moved += 1;
            if new.is_none() || new == old {
                panic!(
                    "HashRing::new(100) with nodes cache-1..cache-5: node_for({key:?}) returned \
                     {old:?}; after remove_node(\"cache-2\") it returned {new:?}, expected \
                     another node's name: {}",
                    explain(&ring.points, key)
                );
            }
        } else if old != new {
            panic!(
                "HashRing::new(100) with nodes cache-1..cache-5: node_for({key:?}) returned \
                 {old:?}; after remove_node(\"cache-2\") it returned {new:?}, expected it to \
                 stay {old:?}: removing a node only moves that node's own keys"
            );
        }
    }
    let fraction = moved as f64 / KEYS as f64;
    assert!(
        (0.10..=0.30).contains(&fraction),
        "HashRing::new(100) with nodes cache-1..cache-5: cache-2 owned {moved} of {KEYS} keys \
         ({:.0}%) before it was removed, expected about 1 in 5 (between 10% and 30%)",
        fraction * 100.0
    );
    for key in keys.iter().step_by(7) {
        ring.lookup(key);
    }
}

// ---------------------------------------------------------------------------------------
// Ties: two colliding points. FNV-1a 64 of "0c55205964d7b6f2#0" and "bd3d8190c3776adb#0"
// is the same (found with a cycle search), so these two nodes' virtual node 0 share a point.

const COLLIDING_A: &str = "bd3d8190c3776adb";
const COLLIDING_B: &str = "0c55205964d7b6f2";

#[test]
fn a_point_shared_by_two_nodes_belongs_to_the_smaller_name() {
    let (small, large) = if COLLIDING_A < COLLIDING_B {
        (COLLIDING_A, COLLIDING_B)
    } else {
        (COLLIDING_B, COLLIDING_A)
    };
    let shared = reference_hash(format!("{small}#0").as_bytes());
    assert_eq!(
        shared,
        reference_hash(format!("{large}#0").as_bytes()),
        "the check's colliding labels do not collide"
    );
    let key_on_point = format!("{large}#0");
    for order in [[large, small], [small, large]] {
        let mut ring = Probe::new(1);
        ring.add(order[0], true);
        ring.add(order[1], true);
        ring.lookup_is(&key_on_point, Some(small));
        ring.remove(small, true);
        ring.lookup_is(&key_on_point, Some(large));
        ring.count(1);
        ring.add(small, true);
        ring.lookup_is(&key_on_point, Some(small));
        ring.remove(large, true);
        ring.lookup_is(&key_on_point, Some(small));
    }
}

// ---------------------------------------------------------------------------------------
// Random rings against the reference.

#[test]
fn random_adds_removes_and_lookups_match_a_reference_ring() {
    const POOL: [&str; 10] = [
        "cache-1", "cache-2", "cache-3", "db-eu", "db-us", "", "#", "n#1", "ß", "cache-10",
    ];
    for seed in 1..=6u64 {
        let mut rng = SplitMix64(0xC0FFEE ^ seed);
        let vnodes = 1 + rng.below(12) as usize;
        let mut ring = Probe::new(vnodes);
        ring.calls[0] = format!("random operations (seed {seed}): HashRing::new({vnodes})");
        for _ in 0..60 {
            let node = POOL[rng.below(POOL.len() as u64) as usize];
            match rng.below(4) {
                0 => {
                    let present = ring.nodes.contains(node);
                    ring.add(node, !present);
                }
                1 => {
                    let present = ring.nodes.contains(node);
                    ring.remove(node, present);
                }
                _ => {
                    for _ in 0..5 {
                        ring.lookup(&format!("k{}", rng.below(1_000_000)));
                    }
                    ring.count(ring.nodes.len());
                }
            }
            if ring.calls.len() > 12 {
                let first = ring.calls[0].clone();
                ring.calls.drain(0..2);
                ring.calls[0] = format!("{first}, ...");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// O(log P) lookups: compare lookup times on rings of 16 and 1,024 points.

fn timed_lookups(ring: &HashRing, keys: &[String]) -> Duration {
    let start = Instant::now();
    for key in keys {
        black_box(ring.node_for(black_box(key)));
    }
    start.elapsed()
}

#[test]
fn node_for_time_grows_logarithmically_with_the_points() {
    // Same run, min of interleaved repetitions, 64x apart; only the ratio matters. A sorted
    // structure measures about 1.5x; a scan over the points measures 20x or more. A correct
    // ring must pass one of three attempts; a scan fails all three.
    const REPETITIONS: u32 = 5;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 5.0;
    let build = |nodes: u32, vnodes: usize| {
        let names = names("node-", 1..=nodes);
        learner(
            || format!("HashRing::new({vnodes}), then add_node of {nodes} nodes"),
            || {
                let mut ring = HashRing::new(vnodes);
                for name in &names {
                    ring.add_node(name);
                }
                ring
            },
        )
    };
    let small = build(2, 8);
    let large = build(16, 64);
    let keys: Vec<String> = (0..256).map(|i| format!("key:{i}")).collect();
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || "node_for on a ring of 16 nodes with 64 virtual nodes each".to_string(),
            || {
                for _ in 0..REPETITIONS {
                    t_small = t_small.min(timed_lookups(&small, &keys));
                    t_large = t_large.min(timed_lookups(&large, &keys));
                }
            },
        );
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
        if ratio <= LIMIT {
            return;
        }
        ratios.push(format!("{ratio:.1}x"));
    }
    panic!(
        "256 node_for calls on a ring of 1,024 points (16 nodes x 64 virtual nodes) took {} as \
         long as on a ring of 16 points (2 nodes x 8), best of {REPETITIONS}, in {ATTEMPTS} \
         attempts; expected at most {LIMIT}x: node_for must be O(log P), a search in a sorted \
         structure, not a scan over the points",
        ratios.join(", ")
    );
}
