use super::version_vectors::{Causality, GCounter, VersionVector};
use crate::kit::{SplitMix64, learner};

use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------
// Version vectors: the model is a map without zero entries, written `{east: 2, west: 1}`
// as in the statement.

type Counts = BTreeMap<String, u64>;

fn counts(pairs: &[(&str, u64)]) -> Counts {
    pairs
        .iter()
        .filter(|p| p.1 > 0)
        .map(|&(n, c)| (n.to_string(), c))
        .collect()
}

fn show(counts: &Counts) -> String {
    let entries: Vec<String> = counts
        .iter()
        .filter(|e| *e.1 > 0)
        .map(|(n, c)| {
            if n.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-') && !n.is_empty() {
                format!("{n}: {c}")
            } else {
                format!("{n:?}: {c}")
            }
        })
        .collect();
    format!("{{{}}}", entries.join(", "))
}

fn show_pairs(pairs: &[(&str, u64)]) -> String {
    let entries: Vec<String> = pairs.iter().map(|(n, c)| format!("({n:?}, {c})")).collect();
    format!("from_counts(&[{}])", entries.join(", "))
}

/// A learner vector with the counts of `pairs`, built with `from_counts`.
fn vv(pairs: &[(&str, u64)]) -> VersionVector {
    learner(
        || format!("VersionVector::{}", show_pairs(pairs)),
        || VersionVector::from_counts(pairs),
    )
}

/// The learner vector's counters for the nodes in `universe` (the model's view of it).
fn read(v: &VersionVector, universe: &BTreeSet<String>, what: &str) -> Counts {
    let mut result = Counts::new();
    for node in universe {
        let count = learner(|| format!("{what}.get({node:?})"), || v.get(node));
        if count > 0 {
            result.insert(node.clone(), count);
        }
    }
    result
}

fn universe_of(all: &[&Counts]) -> BTreeSet<String> {
    let mut universe: BTreeSet<String> = all.iter().flat_map(|c| c.keys().cloned()).collect();
    universe.insert("east".to_string());
    universe.insert("west".to_string());
    universe
}

fn model_compare(a: &Counts, b: &Counts) -> Causality {
    let nodes: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let get = |c: &Counts, n: &String| c.get(n).copied().unwrap_or(0);
    let a_ahead = nodes.iter().any(|n| get(a, n) > get(b, n));
    let b_ahead = nodes.iter().any(|n| get(b, n) > get(a, n));
    match (a_ahead, b_ahead) {
        (false, false) => Causality::Equal,
        (false, true) => Causality::Before,
        (true, false) => Causality::After,
        (true, true) => Causality::Concurrent,
    }
}

fn model_merge(a: &Counts, b: &Counts) -> Counts {
    let mut merged = a.clone();
    for (node, &count) in b {
        let entry = merged.entry(node.clone()).or_insert(0);
        *entry = (*entry).max(count);
    }
    merged
}

fn why(causality: Causality) -> &'static str {
    match causality {
        Causality::Equal => "every counter is the same; a missing node counts as 0",
        Causality::Before => "no counter of a is larger than b's, and at least one is smaller",
        Causality::After => "no counter of a is smaller than b's, and at least one is larger",
        Causality::Concurrent => "each side has a counter larger than the other's",
    }
}

/// Checks `a.compare(&b)` for vectors built with `from_counts`, in both directions.
fn check_compare(a: &[(&str, u64)], b: &[(&str, u64)], expected: Causality) {
    assert_eq!(
        model_compare(&counts(a), &counts(b)),
        expected,
        "the check's own expectation is wrong"
    );
    let mirrored = match expected {
        Causality::Before => Causality::After,
        Causality::After => Causality::Before,
        other => other,
    };
    for (x, y, expected) in [(a, b, expected), (b, a, mirrored)] {
        let (vx, vy) = (vv(x), vv(y));
        let call = format!(
            "a.compare(&b) with a = {} and b = {}",
            show(&counts(x)),
            show(&counts(y))
        );
        let got = learner(|| call.clone(), || vx.compare(&vy));
        if got != expected {
            panic!(
                "{call} returned {got:?}, expected {expected:?} ({}); a = VersionVector::{}, \
                 b = VersionVector::{}",
                why(expected),
                show_pairs(x),
                show_pairs(y)
            );
        }
    }
}

/// Checks `a.merge(&b)` for vectors built with `from_counts`.
fn check_merge(a: &[(&str, u64)], b: &[(&str, u64)], expected: &[(&str, u64)]) {
    let (ca, cb, expected) = (counts(a), counts(b), counts(expected));
    assert_eq!(
        model_merge(&ca, &cb),
        expected,
        "the check's own merge is wrong"
    );
    let (mut va, vb) = (vv(a), vv(b));
    let call = format!("a.merge(&b) with a = {} and b = {}", show(&ca), show(&cb));
    learner(|| call.clone(), || va.merge(&vb));
    let universe = universe_of(&[&ca, &cb]);
    let got = read(&va, &universe, &format!("after {call}, a"));
    if got != expected {
        panic!(
            "{call} left a = {}, expected {} (each node's maximum, including nodes only b has)",
            show(&got),
            show(&expected)
        );
    }
    let unchanged = read(&vb, &universe, &format!("after {call}, b"));
    if unchanged != cb {
        panic!(
            "{call} changed b to {}, expected b to stay {}",
            show(&unchanged),
            show(&cb)
        );
    }
}

#[test]
fn from_counts_and_get_report_each_nodes_counter() {
    let pairs = [("east", 2), ("west", 0), ("asia", 7), ("", 1)];
    let v = vv(&pairs);
    for (node, expected) in [
        ("east", 2),
        ("west", 0),
        ("asia", 7),
        ("", 1),
        ("moon", 0),
        ("East", 0),
    ] {
        let got = learner(
            || format!("VersionVector::{}.get({node:?})", show_pairs(&pairs)),
            || v.get(node),
        );
        expect_eq!(
            got,
            expected,
            "VersionVector::{}.get({node:?})",
            show_pairs(&pairs)
        );
    }
    let empty = learner(|| "VersionVector::new()".to_string(), VersionVector::new);
    let got = learner(
        || "VersionVector::new().get(\"east\")".to_string(),
        || empty.get("east"),
    );
    expect_eq!(got, 0, "VersionVector::new().get(\"east\")");
}

#[test]
fn increment_adds_one_to_that_nodes_counter_only() {
    let mut v = learner(|| "VersionVector::new()".to_string(), VersionVector::new);
    let steps = ["east", "east", "west", "east", ""];
    let mut model = Counts::new();
    let mut calls = vec!["VersionVector::new()".to_string()];
    for node in steps {
        calls.push(format!("increment({node:?})"));
        learner(|| calls.join(", "), || v.increment(node));
        *model.entry(node.to_string()).or_insert(0) += 1;
        let universe = universe_of(&[&model]);
        let got = read(&v, &universe, &calls.join(", "));
        if got != model {
            panic!(
                "after {}: the counters are {}, expected {}",
                calls.join(", "),
                show(&got),
                show(&model)
            );
        }
    }
    let mut w = vv(&[("east", 4), ("west", 0)]);
    learner(
        || "from_counts(&[(\"east\", 4), (\"west\", 0)]).increment(\"west\")".to_string(),
        || w.increment("west"),
    );
    let got = read(&w, &universe_of(&[]), "w");
    if got != counts(&[("east", 4), ("west", 1)]) {
        panic!(
            "VersionVector::from_counts(&[(\"east\", 4), (\"west\", 0)]), then \
             increment(\"west\"): the counters are {}, expected {{east: 4, west: 1}}",
            show(&got)
        );
    }
}

#[test]
fn compare_examples_from_the_statement() {
    use Causality::*;
    check_compare(&[], &[], Equal);
    check_compare(&[("east", 1)], &[("east", 2)], Before);
    check_compare(&[("east", 2), ("west", 1)], &[("east", 2)], After);
    check_compare(&[("east", 1)], &[("east", 1), ("west", 0)], Equal);
    check_compare(&[("east", 1)], &[("east", 1), ("west", 1)], Before);
    check_compare(&[("east", 2)], &[("west", 1)], Concurrent);
    check_compare(
        &[("east", 2), ("west", 1)],
        &[("east", 1), ("west", 2)],
        Concurrent,
    );
}

#[test]
fn a_missing_node_counts_as_zero() {
    use Causality::*;
    check_compare(&[], &[("west", 0), ("asia", 0)], Equal);
    check_compare(
        &[("east", 3), ("west", 0)],
        &[("east", 3), ("asia", 0)],
        Equal,
    );
    check_compare(&[], &[("asia", 1)], Before);
    check_compare(
        &[("east", 1)],
        &[("east", 1), ("west", 1), ("asia", 1)],
        Before,
    );
    check_compare(&[("east", 2), ("asia", 5)], &[("east", 2)], After);
    check_compare(
        &[("west", 1), ("east", 0)],
        &[("east", 1), ("west", 0)],
        Concurrent,
    );
}

#[test]
fn compare_is_concurrent_when_each_side_has_a_larger_counter() {
    use Causality::*;
    check_compare(
        &[("east", 5), ("west", 1)],
        &[("east", 4), ("west", 9)],
        Concurrent,
    );
    check_compare(
        &[("east", 1), ("asia", 1)],
        &[("east", 1), ("west", 1)],
        Concurrent,
    );
    check_compare(
        &[("east", 100), ("west", 1), ("asia", 3)],
        &[("east", 1), ("west", 1), ("asia", 4)],
        Concurrent,
    );
    // Equal totals, still concurrent; very different totals, still concurrent.
    check_compare(&[("east", 3)], &[("west", 3)], Concurrent);
    check_compare(&[("east", 1)], &[("west", 50), ("asia", 50)], Concurrent);
}

#[test]
fn merge_takes_the_elementwise_maximum() {
    check_merge(
        &[("east", 2), ("west", 1)],
        &[("east", 1), ("west", 2), ("asia", 4)],
        &[("east", 2), ("west", 2), ("asia", 4)],
    );
    check_merge(&[], &[("east", 3), ("", 1)], &[("east", 3), ("", 1)]);
    check_merge(&[("east", 3)], &[], &[("east", 3)]);
    check_merge(&[("east", 3)], &[("east", 3)], &[("east", 3)]);
    check_merge(&[("east", 9), ("west", 0)], &[("east", 2)], &[("east", 9)]);
    check_merge(&[("asia", 1)], &[("west", 1)], &[("asia", 1), ("west", 1)]);
}

#[test]
fn the_shopping_cart_story_from_the_statement() {
    let mut v1 = learner(|| "VersionVector::new()".to_string(), VersionVector::new);
    learner(
        || "v1 = new(); v1.increment(\"east\")".to_string(),
        || v1.increment("east"),
    );
    let mut v2 = v1.clone();
    learner(
        || "v2 = v1.clone(); v2.increment(\"west\")".to_string(),
        || v2.increment("west"),
    );
    let mut v3 = v1.clone();
    learner(
        || "v3 = v1.clone(); v3.increment(\"east\")".to_string(),
        || v3.increment("east"),
    );
    let story = "v1 = {east: 1}, v2 = v1 + increment(\"west\"), v3 = v1 + increment(\"east\")";
    for (name, x, y, expected) in [
        ("v1.compare(&v2)", &v1, &v2, Causality::Before),
        ("v2.compare(&v1)", &v2, &v1, Causality::After),
        ("v2.compare(&v3)", &v2, &v3, Causality::Concurrent),
        ("v3.compare(&v1)", &v3, &v1, Causality::After),
    ] {
        let got = learner(|| format!("with {story}: {name}"), || x.compare(y));
        expect_eq!(got, expected, "with {story}: {name}");
    }
    let mut resolved = v2.clone();
    learner(
        || format!("with {story}: resolved = v2.clone(); resolved.merge(&v3)"),
        || resolved.merge(&v3),
    );
    let got = read(&resolved, &universe_of(&[]), "resolved");
    if got != counts(&[("east", 2), ("west", 1)]) {
        panic!(
            "with {story}: v2.merge(&v3) gave {}, expected {{east: 2, west: 1}}",
            show(&got)
        );
    }
    for (name, older) in [("v2", &v2), ("v3", &v3)] {
        let got = learner(
            || format!("with {story}: (v2 merged with v3).compare(&{name})"),
            || resolved.compare(older),
        );
        expect_eq!(
            got,
            Causality::After,
            "with {story}: (v2 merged with v3 = {{east: 2, west: 1}}).compare(&{name})"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Seeded random vectors and counters.

const NODES: [&str; 5] = ["east", "west", "asia", "", "eu-1"];

/// Random pairs over a few nodes, with small counters (zeros included), so that all four
/// outcomes of compare are frequent.
fn random_pairs(rng: &mut SplitMix64) -> Vec<(&'static str, u64)> {
    let mut pairs = Vec::new();
    for node in NODES {
        if rng.below(3) > 0 {
            pairs.push((node, rng.below(3)));
        }
    }
    pairs
}

#[test]
fn random_vectors_compare_and_merge_like_the_definition() {
    const SEED: u64 = 0x7EC7_0001;
    let mut rng = SplitMix64(SEED);
    for round in 0..400 {
        let a = random_pairs(&mut rng);
        let b = if rng.below(5) == 0 {
            a.clone()
        } else {
            random_pairs(&mut rng)
        };
        let (ca, cb) = (counts(&a), counts(&b));
        let (va, vb) = (vv(&a), vv(&b));
        let call = format!(
            "random vectors (seed {SEED:#x}, round {round}): a.compare(&b) with a = \
             VersionVector::{} and b = VersionVector::{}",
            show_pairs(&a),
            show_pairs(&b)
        );
        let got = learner(|| call.clone(), || va.compare(&vb));
        let expected = model_compare(&ca, &cb);
        if got != expected {
            panic!(
                "{call} returned {got:?}, expected {expected:?} ({})",
                why(expected)
            );
        }
        if round % 4 == 0 {
            let mut merged = va.clone();
            let call = format!(
                "random vectors (seed {SEED:#x}, round {round}): a.merge(&b) with a = {} and \
                 b = {}",
                show(&ca),
                show(&cb)
            );
            learner(|| call.clone(), || merged.merge(&vb));
            let universe: BTreeSet<String> = NODES.iter().map(|n| n.to_string()).collect();
            let got = read(&merged, &universe, &call);
            let expected = model_merge(&ca, &cb);
            if got != expected {
                panic!(
                    "{call} left a = {}, expected {}",
                    show(&got),
                    show(&expected)
                );
            }
            for (name, input) in [("a", &va), ("b", &vb)] {
                let relation = learner(
                    || format!("{call}, then merged.compare(&{name})"),
                    || merged.compare(input),
                );
                if relation != Causality::After && relation != Causality::Equal {
                    panic!(
                        "{call}, then merged.compare(&{name}) returned {relation:?}, expected \
                         After or Equal: the merge has seen everything {name} has"
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// G-counter.

const REPLICAS: [&str; 4] = ["east", "west", "asia", "eu-1"];

/// The learner counter's per-replica counts for `REPLICAS` plus its value.
fn read_counter(c: &GCounter, what: &str) -> (Counts, u64) {
    let mut result = Counts::new();
    for replica in REPLICAS {
        let count = learner(|| format!("{what}.get({replica:?})"), || c.get(replica));
        if count > 0 {
            result.insert(replica.to_string(), count);
        }
    }
    let value = learner(|| format!("{what}.value()"), || c.value());
    (result, value)
}

/// A counter replica in the model.
#[derive(Clone)]
struct ModelCounter {
    replica: &'static str,
    counts: Counts,
}

impl ModelCounter {
    fn value(&self) -> u64 {
        self.counts.values().sum()
    }
}

/// One learner replica and its model, with the calls that made it, for messages.
#[derive(Clone)]
struct Replica {
    counter: GCounter,
    model: ModelCounter,
    history: String,
    calls: usize,
}

impl Replica {
    fn new(replica: &'static str) -> Self {
        let call = format!("GCounter::new({replica:?})");
        let counter = learner(|| call.clone(), || GCounter::new(replica));
        Replica {
            counter,
            model: ModelCounter {
                replica,
                counts: Counts::new(),
            },
            history: call,
            calls: 1,
        }
    }

    /// Records `call` as the replica's history, summarised once it gets long.
    fn record(&mut self, call: String) {
        self.calls += 1;
        self.history = if call.len() <= 600 {
            call
        } else {
            format!(
                "(replica {:?} after {} calls of new, increment and merge)",
                self.model.replica, self.calls
            )
        };
    }

    fn increment(&mut self, amount: u64) {
        let call = format!("{}, increment({amount})", self.history);
        learner(|| call.clone(), || self.counter.increment(amount));
        if amount > 0 {
            *self
                .model
                .counts
                .entry(self.model.replica.to_string())
                .or_insert(0) += amount;
        }
        self.record(call);
    }

    fn merge(&mut self, other: &Replica) {
        let call = format!("[{}].merge(&[{}])", self.history, other.history);
        learner(|| call.clone(), || self.counter.merge(&other.counter));
        for (replica, &count) in &other.model.counts {
            let entry = self.model.counts.entry(replica.clone()).or_insert(0);
            *entry = (*entry).max(count);
        }
        self.record(call);
    }

    /// Checks the learner's counts and value against the model.
    fn verify(&self, context: &str) {
        let (got, value) = read_counter(&self.counter, "the counter");
        if got != self.model.counts || value != self.model.value() {
            panic!(
                "{context}{}: the counts are {} with value() = {value}, expected {} with \
                 value() = {}",
                self.history,
                show(&got),
                show(&self.model.counts),
                self.model.value()
            );
        }
    }
}

#[test]
fn gcounter_starts_at_zero_and_counts_its_own_increments() {
    let mut east = Replica::new("east");
    east.verify("after ");
    east.increment(3);
    east.verify("after ");
    east.increment(0);
    east.increment(2);
    east.verify("after ");
    let got = learner(
        || format!("{}, get(\"west\")", east.history),
        || east.counter.get("west"),
    );
    expect_eq!(got, 0, "{}, get(\"west\")", east.history);
    let mut anonymous = Replica::new("");
    anonymous.increment(7);
    let got = learner(
        || "GCounter::new(\"\"), increment(7), get(\"\")".to_string(),
        || anonymous.counter.get(""),
    );
    expect_eq!(got, 7, "GCounter::new(\"\"), increment(7), get(\"\")");
}

#[test]
fn gcounter_example_from_the_statement() {
    let mut east = Replica::new("east");
    let mut west = Replica::new("west");
    east.increment(3);
    east.increment(2);
    west.increment(4);
    east.merge(&west);
    east.verify("after ");
    east.merge(&west);
    east.verify("after merging the same state twice: ");
    west.increment(1);
    west.merge(&east);
    west.verify("after ");
    east.merge(&west);
    east.verify("after ");
    expect_eq!(
        learner(|| "east.value()".to_string(), || east.counter.value()),
        10,
        "the statement's example, finally east.value()"
    );
}

#[test]
fn gcounter_increments_after_a_merge_still_go_to_the_own_replica() {
    let mut east = Replica::new("east");
    let mut west = Replica::new("west");
    west.increment(5);
    east.merge(&west);
    east.increment(1);
    east.verify("after ");
    east.increment(2);
    west.merge(&east);
    west.increment(1);
    west.verify("after ");
}

#[test]
fn gcounter_merge_takes_the_maximum_not_the_sum() {
    // Gossip is delivered at least once: the same or an older state arrives again.
    let mut east = Replica::new("east");
    let mut west = Replica::new("west");
    west.increment(4);
    let old_west = west.clone();
    west.increment(6);
    east.merge(&west);
    east.merge(&west);
    east.verify("after a duplicate delivery: ");
    east.merge(&old_west);
    east.verify("after a late, older state: ");
    east.increment(1);
    west.merge(&east);
    west.merge(&east);
    west.verify("after ");
    // A copy that knows more about east than east's own copy: the maximum still applies.
    let mut asia = Replica::new("asia");
    asia.merge(&east);
    let mut stale_east = Replica::new("east");
    stale_east.merge(&asia);
    stale_east.verify("after ");
}

/// `N` random states of one world of four replicas (random increments and merges): each is
/// a snapshot of some replica at some moment, so two of them may be an older and a newer
/// state of the same replica, as gossip delivers them.
fn random_states<const N: usize>(rng: &mut SplitMix64) -> [Replica; N] {
    let mut replicas: Vec<Replica> = REPLICAS.iter().map(|r| Replica::new(r)).collect();
    let mut snapshots = Vec::new();
    for _ in 0..10 {
        let i = rng.below(4) as usize;
        if rng.below(3) == 0 {
            let j = rng.below(4) as usize;
            if i != j {
                let other = replicas[j].clone();
                replicas[i].merge(&other);
            }
        } else {
            replicas[i].increment(rng.below(10));
        }
        snapshots.push(replicas[i].clone());
    }
    std::array::from_fn(|_| snapshots[rng.below(snapshots.len() as u64) as usize].clone())
}

fn same_state(x: &Replica, y: &Replica, law: &str, seed: u64) {
    let (cx, vx) = read_counter(&x.counter, "left");
    let (cy, vy) = read_counter(&y.counter, "right");
    if cx != cy || vx != vy {
        panic!(
            "{law} (seed {seed:#x}): {} gives counts {} (value {vx}), but {} gives counts {} \
             (value {vy}); expected both {}",
            x.history,
            show(&cx),
            y.history,
            show(&cy),
            show(&x.model.counts)
        );
    }
    x.verify(&format!("seed {seed:#x}: after "));
}

#[test]
fn gcounter_merge_is_commutative() {
    for seed in 1..=25u64 {
        let mut rng = SplitMix64(0xC0_0001 ^ seed);
        let [a, b] = random_states(&mut rng);
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        // Compare the counts only: ab and ba are different replicas.
        let (cab, vab) = read_counter(&ab.counter, "a⊔b");
        let (cba, vba) = read_counter(&ba.counter, "b⊔a");
        if cab != cba || vab != vba {
            panic!(
                "merge is not commutative (seed {seed:#x}): {} gives counts {} (value {vab}), \
                 but {} gives counts {} (value {vba}); expected both {}",
                ab.history,
                show(&cab),
                ba.history,
                show(&cba),
                show(&ab.model.counts)
            );
        }
        ab.verify(&format!("seed {seed:#x}: after "));
        ba.verify(&format!("seed {seed:#x}: after "));
    }
}

#[test]
fn gcounter_merge_is_associative() {
    for seed in 1..=25u64 {
        let mut rng = SplitMix64(0xA5_0001 ^ seed);
        let [a, b, c] = random_states(&mut rng);
        let mut left = a.clone();
        left.merge(&b);
        left.merge(&c);
        let mut bc = b.clone();
        bc.merge(&c);
        let mut right = a.clone();
        right.merge(&bc);
        same_state(
            &left,
            &right,
            "merge is not associative, (a⊔b)⊔c differs from a⊔(b⊔c)",
            seed,
        );
    }
}

#[test]
fn gcounter_merge_is_idempotent() {
    for seed in 1..=25u64 {
        let mut rng = SplitMix64(0x1D_0001 ^ seed);
        let [a, b] = random_states(&mut rng);
        let mut once = a.clone();
        once.merge(&b);
        let mut twice = once.clone();
        twice.merge(&b);
        same_state(
            &twice,
            &once,
            "merge is not idempotent, merging the same state again changed it",
            seed,
        );
        let mut self_merge = a.clone();
        let copy = a.clone();
        self_merge.merge(&copy);
        same_state(
            &self_merge,
            &a,
            "merge is not idempotent, merging a copy of itself changed it",
            seed,
        );
    }
}

#[test]
fn gcounter_replicas_converge_under_random_gossip() {
    for seed in 1..=8u64 {
        let seed = 0x60_5517 ^ seed;
        let mut rng = SplitMix64(seed);
        let mut replicas: Vec<Replica> = REPLICAS.iter().map(|r| Replica::new(r)).collect();
        // Old states, delivered late and more than once.
        let mut in_flight: Vec<Replica> = Vec::new();
        let mut total = 0;
        for step in 0..120 {
            let i = rng.below(4) as usize;
            match rng.below(4) {
                0 | 1 => {
                    let amount = rng.below(10);
                    total += amount;
                    replicas[i].increment(amount);
                }
                2 => {
                    let j = rng.below(4) as usize;
                    if in_flight.len() < 16 {
                        in_flight.push(replicas[j].clone());
                    }
                }
                _ => {
                    if !in_flight.is_empty() {
                        let message = in_flight[rng.below(in_flight.len() as u64) as usize].clone();
                        replicas[i].merge(&message);
                    }
                }
            }
            replicas[i].verify(&format!(
                "random gossip (seed {seed:#x}), step {step}: after "
            ));
        }
        // Everybody hears from everybody: all replicas reach the true total.
        for i in 0..4 {
            for j in 0..4 {
                let other = replicas[j].clone();
                replicas[i].merge(&other);
            }
        }
        for i in 0..4 {
            for j in 0..4 {
                let other = replicas[j].clone();
                replicas[i].merge(&other);
            }
        }
        for r in &replicas {
            let value = learner(|| "value()".to_string(), || r.counter.value());
            if value != total {
                panic!(
                    "random gossip (seed {seed:#x}): after every replica merged every other \
                     replica's state, replica {:?} has value() = {value}, expected {total}, the \
                     sum of all increments",
                    r.model.replica
                );
            }
        }
    }
}
