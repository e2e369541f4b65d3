use super::mvcc_store::{MvccStore, TxError, TxId};
use crate::kit::{SplitMix64, try_learner};

use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

// ---------------------------------------------------------------------------------------
// The reference model: the full commit history (never collected) answers reads; a set of
// retained versions follows the gc rule for version_count and gc.

struct ModelTx {
    start: u64,
    writes: BTreeMap<String, Option<String>>,
}

#[derive(Default)]
struct Model {
    clock: u64,
    next_id: TxId,
    /// (commit timestamp, key, value) of every committed write, in commit order.
    history: Vec<(u64, String, Option<String>)>,
    /// (key, commit timestamp) of the versions the store still holds.
    retained: BTreeSet<(String, u64)>,
    active: BTreeMap<TxId, ModelTx>,
}

impl Model {
    fn new() -> Self {
        Model {
            next_id: 1,
            ..Model::default()
        }
    }

    fn begin(&mut self) -> TxId {
        let id = self.next_id;
        self.next_id += 1;
        self.active.insert(
            id,
            ModelTx {
                start: self.clock,
                writes: BTreeMap::new(),
            },
        );
        id
    }

    fn get(&self, tx: TxId, key: &str) -> Result<Option<String>, TxError> {
        let t = self.active.get(&tx).ok_or(TxError::NotActive)?;
        if let Some(own) = t.writes.get(key) {
            return Ok(own.clone());
        }
        Ok(self
            .history
            .iter()
            .rev()
            .find(|(ts, k, _)| k == key && *ts <= t.start)
            .and_then(|(_, _, v)| v.clone()))
    }

    fn write(&mut self, tx: TxId, key: &str, value: Option<&str>) -> Result<(), TxError> {
        let t = self.active.get_mut(&tx).ok_or(TxError::NotActive)?;
        t.writes.insert(key.to_string(), value.map(str::to_string));
        Ok(())
    }

    fn commit(&mut self, tx: TxId) -> Result<(), TxError> {
        let t = self.active.remove(&tx).ok_or(TxError::NotActive)?;
        let conflict = t.writes.keys().find(|key| {
            self.history
                .iter()
                .any(|(ts, k, _)| k == *key && *ts > t.start)
        });
        if let Some(key) = conflict {
            return Err(TxError::Conflict { key: key.clone() });
        }
        if t.writes.is_empty() {
            return Ok(());
        }
        self.clock += 1;
        for (key, value) in t.writes {
            self.retained.insert((key.clone(), self.clock));
            self.history.push((self.clock, key, value));
        }
        Ok(())
    }

    fn abort(&mut self, tx: TxId) -> Result<(), TxError> {
        self.active
            .remove(&tx)
            .map(|_| ())
            .ok_or(TxError::NotActive)
    }

    fn is_tombstone(&self, key: &str, ts: u64) -> bool {
        self.history
            .iter()
            .any(|(t, k, v)| *t == ts && k == key && v.is_none())
    }

    fn gc(&mut self) -> usize {
        let horizon = self
            .active
            .values()
            .map(|t| t.start)
            .min()
            .unwrap_or(self.clock);
        let keys: BTreeSet<String> = self.retained.iter().map(|(k, _)| k.clone()).collect();
        let mut removed = 0;
        for key in keys {
            let old: Vec<u64> = self
                .retained
                .iter()
                .filter(|(k, ts)| *k == key && *ts <= horizon)
                .map(|(_, ts)| *ts)
                .collect();
            let Some(&newest) = old.last() else { continue };
            for &ts in &old {
                if ts != newest || self.is_tombstone(&key, newest) {
                    self.retained.remove(&(key.clone(), ts));
                    removed += 1;
                }
            }
        }
        removed
    }
}

// ---------------------------------------------------------------------------------------
// A store driven through scripted calls; a failure lists the calls before it.

struct Probe {
    db: MvccStore,
    model: Model,
    calls: Vec<String>,
    /// Prefix of every message, e.g. the seed of a random run.
    label: String,
}

fn fmt_value(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("Some({s:?})"),
        None => "None".to_string(),
    }
}

fn fmt_result<T>(r: &Result<T, TxError>, ok: impl Fn(&T) -> String) -> String {
    match r {
        Ok(v) => format!("Ok({})", ok(v)),
        Err(TxError::NotActive) => "Err(NotActive)".to_string(),
        Err(TxError::Conflict { key }) => format!("Err(Conflict {{ key: {key:?} }})"),
    }
}

fn unit(_: &()) -> String {
    "()".to_string()
}

impl Probe {
    fn new() -> Self {
        Self::labelled(String::new())
    }

    fn labelled(label: String) -> Self {
        let db = match try_learner(MvccStore::new) {
            Ok(db) => db,
            Err(panicked) => panic!("{label}MvccStore::new() {panicked}"),
        };
        Probe {
            db,
            model: Model::new(),
            calls: vec!["MvccStore::new()".to_string()],
            label,
        }
    }

    fn context(&self, call: &str) -> String {
        let shown = if self.calls.len() > 40 {
            format!(
                "{}, ... ({} calls), {}",
                self.calls[0],
                self.calls.len() - 31,
                self.calls[self.calls.len() - 30..].join(", ")
            )
        } else {
            self.calls.join(", ")
        };
        format!("{}after {shown}: {call}", self.label)
    }

    fn call<R>(&mut self, call: &str, f: impl FnOnce(&mut MvccStore) -> R) -> R {
        let db = &mut self.db;
        match try_learner(|| f(db)) {
            Ok(r) => r,
            Err(panicked) => panic!("{} {panicked}", self.context(call)),
        }
    }

    fn mismatch(&self, call: &str, got: String, expected: String, why: &str) -> ! {
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(" ({why})")
        };
        panic!(
            "{} returned {got}, expected {expected}{why}",
            self.context(call)
        )
    }

    fn begin(&mut self) -> TxId {
        let got = self.call("begin()", |db| db.begin());
        let expected = self.model.begin();
        if got != expected {
            self.mismatch(
                "begin()",
                got.to_string(),
                expected.to_string(),
                "ids are 1, 2, 3, ... in the order of begin calls",
            );
        }
        self.calls.push(format!("begin() -> {got}"));
        got
    }

    fn get_why(&mut self, tx: TxId, key: &str, why: &str) -> Option<String> {
        let call = format!("get({tx}, {key:?})");
        let got = self.call(&call, |db| db.get(tx, key));
        let expected = self.model.get(tx, key);
        if got != expected {
            self.mismatch(
                &call,
                fmt_result(&got, fmt_value),
                fmt_result(&expected, fmt_value),
                why,
            );
        }
        self.calls.push(call);
        got.ok().flatten()
    }

    fn get(&mut self, tx: TxId, key: &str) -> Option<String> {
        self.get_why(tx, key, "")
    }

    fn put(&mut self, tx: TxId, key: &str, value: &str) {
        let call = format!("put({tx}, {key:?}, {value:?})");
        let got = self.call(&call, |db| db.put(tx, key, value));
        let expected = self.model.write(tx, key, Some(value));
        if got != expected {
            self.mismatch(
                &call,
                fmt_result(&got, unit),
                fmt_result(&expected, unit),
                "",
            );
        }
        self.calls.push(call);
    }

    fn delete(&mut self, tx: TxId, key: &str) {
        let call = format!("delete({tx}, {key:?})");
        let got = self.call(&call, |db| db.delete(tx, key));
        let expected = self.model.write(tx, key, None);
        if got != expected {
            self.mismatch(
                &call,
                fmt_result(&got, unit),
                fmt_result(&expected, unit),
                "",
            );
        }
        self.calls.push(call);
    }

    fn commit_why(&mut self, tx: TxId, why: &str) -> Result<(), TxError> {
        let call = format!("commit({tx})");
        let got = self.call(&call, |db| db.commit(tx));
        let expected = self.model.commit(tx);
        if got != expected {
            self.mismatch(
                &call,
                fmt_result(&got, unit),
                fmt_result(&expected, unit),
                why,
            );
        }
        self.calls
            .push(format!("{call} -> {}", fmt_result(&got, unit)));
        got
    }

    fn commit(&mut self, tx: TxId) -> Result<(), TxError> {
        self.commit_why(tx, "")
    }

    fn abort(&mut self, tx: TxId) {
        let call = format!("abort({tx})");
        let got = self.call(&call, |db| db.abort(tx));
        let expected = self.model.abort(tx);
        if got != expected {
            self.mismatch(
                &call,
                fmt_result(&got, unit),
                fmt_result(&expected, unit),
                "",
            );
        }
        self.calls.push(call);
    }

    fn gc(&mut self) -> usize {
        let got = self.call("gc()", |db| db.gc());
        let expected = self.model.gc();
        if got != expected {
            self.mismatch(
                "gc()",
                got.to_string(),
                expected.to_string(),
                "the versions at or before the oldest active snapshot, except the newest of \
                 each key, are removed, and that one too if it is a deletion",
            );
        }
        self.calls.push(format!("gc() -> {got}"));
        got
    }

    fn version_count(&mut self) -> usize {
        let got = self.call("version_count()", |db| db.version_count());
        let expected = self.model.retained.len();
        if got != expected {
            self.mismatch(
                "version_count()",
                got.to_string(),
                expected.to_string(),
                "one version per key written by each successful commit, deletions included, \
                 minus what gc() removed",
            );
        }
        got
    }
}

// ---------------------------------------------------------------------------------------
// Transactions and snapshots.

#[test]
fn begin_hands_out_ids_1_2_3_in_order() {
    let mut db = Probe::new();
    let t1 = db.begin();
    let t2 = db.begin();
    db.commit(t1).ok();
    db.abort(t2);
    db.begin();
    db.begin();
}

#[test]
fn get_of_a_key_never_written_is_none() {
    let mut db = Probe::new();
    let t = db.begin();
    db.get(t, "seat-1A");
    db.get(t, "");
    db.put(t, "seat-1A", "free");
    db.get(t, "seat-1B");
    db.commit(t).ok();
    let t = db.begin();
    db.get(t, "seat-1B");
}

#[test]
fn a_transaction_reads_its_own_writes() {
    let mut db = Probe::new();
    let t0 = db.begin();
    db.put(t0, "k", "committed");
    db.commit(t0).ok();
    let t = db.begin();
    db.put(t, "k", "mine");
    db.get_why(t, "k", "a transaction reads its own latest write");
    db.put(t, "k", "mine again");
    db.get_why(t, "k", "a transaction reads its own latest write");
    db.delete(t, "k");
    db.get_why(t, "k", "its own delete hides the key from itself");
    db.put(t, "k", "back");
    db.get_why(t, "k", "a put after a delete brings the key back");
    db.put(t, "new", "");
    db.get_why(t, "new", "the empty string is a value, not a deletion");
    db.commit(t).ok();
    let after = db.begin();
    db.get(after, "k");
    db.get(after, "new");
}

#[test]
fn uncommitted_writes_are_invisible_to_other_transactions() {
    let mut db = Probe::new();
    let t0 = db.begin();
    db.put(t0, "balance", "100");
    db.commit(t0).ok();
    let writer = db.begin();
    let reader = db.begin();
    db.put(writer, "balance", "0");
    db.put(writer, "audit", "drained");
    db.get_why(
        reader,
        "balance",
        "the writer has not committed: no dirty reads",
    );
    db.get_why(
        reader,
        "audit",
        "the writer has not committed: no dirty reads",
    );
    let late = db.begin();
    db.get_why(late, "balance", "the writer has not committed yet");
    db.abort(writer);
    let after = db.begin();
    db.get_why(after, "balance", "the writer aborted");
    db.get_why(after, "audit", "the writer aborted");
}

#[test]
fn a_snapshot_ignores_commits_made_after_begin() {
    let mut db = Probe::new();
    let t0 = db.begin();
    db.put(t0, "seat-12A", "free");
    db.put(t0, "seat-12B", "free");
    db.commit(t0).ok();
    let report = db.begin();
    db.get(report, "seat-12A");
    let booking = db.begin();
    db.put(booking, "seat-12A", "alice");
    db.delete(booking, "seat-12B");
    db.put(booking, "seat-14C", "bob");
    db.commit(booking).ok();
    let why = "the report began before that commit: its snapshot does not change";
    db.get_why(report, "seat-12A", why);
    db.get_why(report, "seat-12B", why);
    db.get_why(report, "seat-14C", why);
    let later = db.begin();
    db.get_why(later, "seat-12A", "this transaction began after the commit");
    db.get_why(later, "seat-12B", "this transaction began after the commit");
    db.get_why(later, "seat-14C", "this transaction began after the commit");
}

#[test]
fn the_snapshot_is_taken_at_begin_not_at_the_first_read() {
    let mut db = Probe::new();
    let t0 = db.begin();
    db.put(t0, "x", "1");
    db.commit(t0).ok();
    let t = db.begin();
    let other = db.begin();
    db.put(other, "x", "2");
    db.put(other, "y", "2");
    db.commit(other).ok();
    db.get_why(
        t,
        "x",
        "its first read comes after the commit, but the snapshot was taken at begin",
    );
    db.get_why(t, "y", "the snapshot was taken at begin");
    // Writing does not move the snapshot either.
    db.put(t, "z", "3");
    db.get_why(t, "x", "the snapshot was taken at begin");
}

#[test]
fn a_transaction_sees_every_commit_made_before_it_began() {
    let mut db = Probe::new();
    for round in 0..4 {
        let t = db.begin();
        db.put(t, "counter", &round.to_string());
        if round % 2 == 0 {
            db.put(t, &format!("key-{round}"), "x");
        }
        db.commit(t).ok();
        let reader = db.begin();
        db.get_why(reader, "counter", "it began right after that commit");
        db.get(reader, "key-0");
        db.get(reader, "key-2");
        db.commit(reader).ok();
    }
}

// ---------------------------------------------------------------------------------------
// Conflicts.

#[test]
fn first_committer_wins_a_write_write_conflict() {
    let mut db = Probe::new();
    let t0 = db.begin();
    db.put(t0, "seat-12A", "free");
    db.commit(t0).ok();
    let alice = db.begin();
    let bob = db.begin();
    db.put(alice, "seat-12A", "alice");
    db.put(bob, "seat-12A", "bob");
    db.put(bob, "bob-bookings", "1");
    db.commit_why(alice, "alice commits first: she wins");
    db.commit_why(
        bob,
        "alice committed a write to seat-12A after bob began: a lost update otherwise",
    );
    db.get_why(bob, "seat-12A", "bob was aborted by the conflict");
    let after = db.begin();
    db.get_why(after, "seat-12A", "alice's write won");
    db.get_why(
        after,
        "bob-bookings",
        "bob was aborted, so none of his writes take effect",
    );
    // Bob retries in a new transaction and now sees alice's booking.
    let retry = db.begin();
    db.get(retry, "seat-12A");
    db.put(retry, "seat-12A", "bob");
    db.commit_why(
        retry,
        "nothing was committed to seat-12A since the retry began",
    );
}

#[test]
fn the_conflict_names_the_smallest_conflicting_key() {
    let mut db = Probe::new();
    let a = db.begin();
    let b = db.begin();
    db.put(a, "m", "a");
    db.put(a, "c", "a");
    db.put(a, "x", "a");
    db.commit(a).ok();
    db.put(b, "x", "b");
    db.put(b, "b", "b");
    db.put(b, "m", "b");
    db.put(b, "c", "b");
    db.commit_why(b, "c, m and x conflict; c is the smallest");
}

#[test]
fn deletes_conflict_like_puts() {
    let mut db = Probe::new();
    let t0 = db.begin();
    db.put(t0, "k", "v");
    db.commit(t0).ok();
    // delete vs put
    let a = db.begin();
    let b = db.begin();
    db.delete(a, "k");
    db.put(b, "k", "w");
    db.commit(a).ok();
    db.commit_why(b, "a delete is a write: it conflicts with a concurrent put");
    // put vs delete of a key that does not exist
    let c = db.begin();
    let d = db.begin();
    db.put(c, "ghost", "boo");
    db.delete(d, "ghost");
    db.commit(c).ok();
    db.commit_why(
        d,
        "deleting a missing key is still a write, and c committed that key after d began",
    );
    // delete vs delete
    let e = db.begin();
    let f = db.begin();
    db.delete(e, "ghost");
    db.delete(f, "ghost");
    db.commit(e).ok();
    db.commit_why(f, "two concurrent deletes of one key conflict too");
    let g = db.begin();
    db.get(g, "k");
    db.get(g, "ghost");
}

#[test]
fn a_commit_made_before_begin_is_not_a_conflict() {
    let mut db = Probe::new();
    let t1 = db.begin();
    db.put(t1, "k", "1");
    db.commit(t1).ok();
    let t2 = db.begin();
    db.put(t2, "k", "2");
    db.commit_why(
        t2,
        "t1 committed before t2 began: t2 saw it, so there is no conflict",
    );
    let t3 = db.begin();
    let t4 = db.begin();
    db.put(t3, "k", "3");
    db.commit(t3).ok();
    let t5 = db.begin();
    db.put(t5, "k", "5");
    db.commit_why(t5, "t3 committed before t5 began");
    db.put(t4, "other", "4");
    db.commit_why(t4, "t4 wrote only a key nobody else wrote");
}

#[test]
fn only_write_write_conflicts_abort() {
    let mut db = Probe::new();
    let t0 = db.begin();
    db.put(t0, "on-call-alice", "yes");
    db.put(t0, "on-call-bob", "yes");
    db.commit(t0).ok();
    // Write skew: both read both keys, each writes a different key. Snapshot isolation
    // lets both commit.
    let a = db.begin();
    let b = db.begin();
    db.get(a, "on-call-alice");
    db.get(a, "on-call-bob");
    db.get(b, "on-call-alice");
    db.get(b, "on-call-bob");
    db.put(a, "on-call-alice", "no");
    db.put(b, "on-call-bob", "no");
    db.commit_why(a, "no other commit wrote on-call-alice");
    db.commit_why(
        b,
        "b read on-call-alice, which a changed, but b did not write it: only write-write \
         conflicts abort",
    );
    // A read-only transaction always commits, whatever changed under it.
    let reader = db.begin();
    db.get(reader, "on-call-alice");
    let writer = db.begin();
    db.put(writer, "on-call-alice", "yes");
    db.commit(writer).ok();
    db.commit_why(reader, "a transaction that wrote nothing always commits");
    let empty = db.begin();
    db.commit_why(empty, "a transaction that wrote nothing always commits");
}

#[test]
fn aborted_writes_never_become_visible() {
    let mut db = Probe::new();
    let t = db.begin();
    db.put(t, "a", "1");
    db.delete(t, "b");
    db.abort(t);
    let u = db.begin();
    db.get(u, "a");
    db.put(u, "b", "2");
    db.commit_why(
        u,
        "the aborted transaction's writes do not count as commits",
    );
    let v = db.begin();
    db.get(v, "a");
    db.get(v, "b");
    db.version_count();
}

#[test]
fn ended_or_unknown_transactions_are_not_active() {
    let mut db = Probe::new();
    let t = db.begin();
    db.put(t, "k", "v");
    db.commit(t).ok();
    db.commit(t).ok();
    db.abort(t);
    db.get(t, "k");
    db.put(t, "k", "again");
    db.delete(t, "k");
    let a = db.begin();
    db.abort(a);
    db.abort(a);
    db.commit(a).ok();
    db.get(a, "k");
    for unknown in [0, 99] {
        db.get(unknown, "k");
        db.put(unknown, "k", "x");
        db.commit(unknown).ok();
        db.abort(unknown);
    }
    // A failed commit ends the transaction too.
    let x = db.begin();
    let y = db.begin();
    db.put(x, "k", "x");
    db.put(y, "k", "y");
    db.commit(x).ok();
    db.commit(y).ok();
    db.commit(y).ok();
    db.put(y, "k", "y2");
    db.get(y, "k");
    let z = db.begin();
    db.get_why(
        z,
        "k",
        "nothing done with ended transactions changed the data",
    );
    db.version_count();
}

#[test]
fn the_example_from_the_statement() {
    let mut db = Probe::new();
    let t1 = db.begin();
    db.put(t1, "seat-12A", "free");
    db.commit(t1).ok();
    let t2 = db.begin();
    let t3 = db.begin();
    db.put(t2, "seat-12A", "alice");
    db.get(t2, "seat-12A");
    db.get(t3, "seat-12A");
    db.put(t3, "seat-12A", "bob");
    db.commit(t2).ok();
    db.get(t3, "seat-12A");
    db.commit(t3).ok();
    db.get(t3, "seat-12A");
    let report = db.begin();
    let t5 = db.begin();
    db.put(t5, "seat-12A", "carol");
    db.put(t5, "seat-14C", "dave");
    db.commit(t5).ok();
    db.get(report, "seat-12A");
    db.get(report, "seat-14C");
    expect_eq!(
        db.version_count(),
        4,
        "the statement's example: version_count()"
    );
    expect_eq!(
        db.gc(),
        1,
        "the statement's example: gc() while report is active"
    );
    db.commit(report).ok();
    expect_eq!(
        db.gc(),
        1,
        "the statement's example: gc() with no transaction active"
    );
    let t6 = db.begin();
    db.delete(t6, "seat-14C");
    db.commit(t6).ok();
    expect_eq!(
        db.version_count(),
        3,
        "the statement's example: version_count()"
    );
    expect_eq!(
        db.gc(),
        2,
        "the statement's example: gc() after deleting seat-14C"
    );
    expect_eq!(
        db.version_count(),
        1,
        "the statement's example: version_count()"
    );
}

// ---------------------------------------------------------------------------------------
// Versions and garbage collection.

#[test]
fn version_count_counts_committed_versions_and_tombstones() {
    let mut db = Probe::new();
    db.version_count();
    let t = db.begin();
    db.put(t, "a", "1");
    db.put(t, "a", "2");
    db.put(t, "b", "1");
    db.version_count();
    db.commit(t).ok();
    db.version_count();
    let u = db.begin();
    db.delete(u, "a");
    db.delete(u, "never-existed");
    db.commit(u).ok();
    db.version_count();
    let v = db.begin();
    db.put(v, "b", "2");
    db.abort(v);
    let w = db.begin();
    db.commit(w).ok();
    db.version_count();
}

#[test]
fn gc_keeps_every_version_the_oldest_active_transaction_can_read() {
    let mut db = Probe::new();
    let t = db.begin();
    db.put(t, "k", "v1");
    db.put(t, "gone", "x");
    db.commit(t).ok();
    let old = db.begin();
    for i in 2..=4 {
        let w = db.begin();
        db.put(w, "k", &format!("v{i}"));
        if i == 3 {
            db.delete(w, "gone");
        }
        db.commit(w).ok();
    }
    let middle = db.begin();
    let w = db.begin();
    db.put(w, "k", "v5");
    db.commit(w).ok();
    db.gc();
    db.version_count();
    db.get_why(
        old,
        "k",
        "gc must keep the version the oldest active snapshot reads",
    );
    db.get_why(
        old,
        "gone",
        "gc must keep the version the oldest active snapshot reads",
    );
    db.get(middle, "k");
    db.get(middle, "gone");
    db.commit(old).ok();
    db.gc();
    db.version_count();
    db.get_why(
        middle,
        "k",
        "gc must keep the version an active snapshot reads",
    );
    db.get(middle, "gone");
    db.abort(middle);
    db.gc();
    db.version_count();
    let last = db.begin();
    db.get(last, "k");
    db.get(last, "gone");
}

#[test]
fn gc_with_no_active_transaction_keeps_only_the_newest_versions() {
    let mut db = Probe::new();
    db.gc();
    for i in 0..3 {
        let w = db.begin();
        db.put(w, "a", &format!("a{i}"));
        db.put(w, "b", &format!("b{i}"));
        db.commit(w).ok();
    }
    let d = db.begin();
    db.delete(d, "b");
    db.delete(d, "never-existed");
    db.commit(d).ok();
    db.version_count();
    db.gc();
    db.version_count();
    db.gc();
    let r = db.begin();
    db.get(r, "a");
    db.get(r, "b");
    db.get(r, "never-existed");
    // An open transaction that wrote but has not committed holds its snapshot too.
    let w = db.begin();
    db.put(w, "a", "pending");
    let x = db.begin();
    db.put(x, "a", "a9");
    db.commit(x).ok();
    db.commit(r).ok();
    db.gc();
    db.version_count();
    db.get(w, "a");
}

// ---------------------------------------------------------------------------------------
// Random interleavings against the model.

const KEYS: [&str; 4] = ["a", "b", "c", ""];

/// Random begins, reads, writes, commits, aborts (and gc calls if `with_gc`).
fn random_run(seed: u64, ops: usize, with_gc: bool) {
    let mut rng = SplitMix64(seed);
    let mut db = Probe::labelled(format!("random interleaving (seed {seed:#x}): "));
    let mut open: Vec<TxId> = Vec::new();
    for _ in 0..ops {
        let key = KEYS[rng.below(KEYS.len() as u64) as usize];
        let choice = rng.below(if with_gc { 11 } else { 10 });
        if open.is_empty() || choice == 0 || (open.len() < 3 && choice == 1) {
            open.push(db.begin());
            continue;
        }
        let at = rng.below(open.len() as u64) as usize;
        let tx = open[at];
        match choice {
            1..=3 => {
                db.get(tx, key);
            }
            4 | 5 => db.put(tx, key, &format!("v{}", rng.below(100))),
            6 => db.delete(tx, key),
            7 | 8 => {
                db.commit(tx).ok();
                open.swap_remove(at);
            }
            9 => {
                db.abort(tx);
                open.swap_remove(at);
            }
            _ => {
                db.gc();
                db.version_count();
            }
        }
        if rng.below(20) == 0 {
            // Now and then, an id that is not active.
            db.get(db.model.next_id + 5, key);
        }
    }
    db.version_count();
}

#[test]
fn random_interleavings_match_a_reference_model() {
    for seed in 1..=100u64 {
        random_run(0x3CC0_0000 + seed, 30, false);
    }
}

#[test]
fn gc_never_changes_what_transactions_read() {
    for seed in 1..=60u64 {
        random_run(0x6C00_0000 + seed, 40, true);
    }
}
