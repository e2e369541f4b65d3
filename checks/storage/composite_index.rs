use super::composite_index::{Access, Column, FilterReason, Plan, Query, QueryResult, Row, Table};
use crate::kit::{SplitMix64, learner};
// A value as the statement writes it: `u64::MAX - 1` rather than digits.
use crate::support::ms as value_text;

use std::fmt;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

use Column::{Amount, CreatedAt, Id, Status, TenantId};
use FilterReason::{AfterGap, AfterRange, NotIndexed};

// ---------------------------------------------------------------------------------------
// How queries, rows and indexes are shown in failure messages.

fn name(column: Column) -> &'static str {
    match column {
        Id => "id",
        TenantId => "tenant_id",
        Status => "status",
        CreatedAt => "created_at",
        Amount => "amount",
    }
}

fn bounds_text(low: Bound<u64>, high: Bound<u64>) -> String {
    let low_text = match low {
        Included(v) => value_text(v),
        Unbounded => String::new(),
        Excluded(_) => {
            return format!("({low:?}, {high:?})").replace("18446744073709551615", "u64::MAX");
        }
    };
    match high {
        Included(v) => format!("{low_text}..={}", value_text(v)),
        Excluded(v) => format!("{low_text}..{}", value_text(v)),
        Unbounded => format!("{low_text}.."),
    }
}

fn where_text(q: &Query) -> String {
    let mut parts: Vec<String> =
        q.eq.iter()
            .map(|&(c, v)| format!("{} = {}", name(c), value_text(v)))
            .collect();
    if let Some((c, low, high)) = q.range {
        parts.push(format!("{} in {}", name(c), bounds_text(low, high)));
    }
    if parts.is_empty() {
        "no WHERE clause".to_string()
    } else {
        format!("WHERE {}", parts.join(" AND "))
    }
}

fn index_text(index: &[Column]) -> String {
    let names: Vec<String> = index.iter().map(|c| format!("{c:?}")).collect();
    format!("Table::new(&[{}])", names.join(", "))
}

fn row_text(r: &Row) -> String {
    format!(
        "#{} ({}, {}, {}, {})",
        r.id,
        value_text(r.tenant_id),
        value_text(r.status),
        value_text(r.created_at),
        value_text(r.amount)
    )
}

fn ids_text(rows: &[Row]) -> String {
    let ids: Vec<String> = rows.iter().map(|r| format!("#{}", r.id)).collect();
    format!("[{}]", ids.join(", "))
}

fn row(id: u64, tenant_id: u64, status: u64, created_at: u64, amount: u64) -> Row {
    Row {
        id,
        tenant_id,
        status,
        created_at,
        amount,
    }
}

// ---------------------------------------------------------------------------------------
// The model: the leftmost-prefix rule, written as plainly as possible.

fn within(v: u64, low: Bound<u64>, high: Bound<u64>) -> bool {
    let above = match low {
        Included(l) => v >= l,
        Excluded(l) => v > l,
        Unbounded => true,
    };
    let below = match high {
        Included(h) => v <= h,
        Excluded(h) => v < h,
        Unbounded => true,
    };
    above && below
}

fn model_matches(q: &Query, r: &Row) -> bool {
    q.eq.iter().all(|&(c, v)| r.get(c) == v)
        && q.range
            .is_none_or(|(c, low, high)| within(r.get(c), low, high))
}

fn sort_by_index(index: &[Column], rows: &mut [Row]) {
    rows.sort_by_key(|r| (index.iter().map(|&c| r.get(c)).collect::<Vec<u64>>(), r.id));
}

fn model_rows(index: &[Column], rows: &[Row], q: &Query) -> Vec<Row> {
    let mut found: Vec<Row> = rows
        .iter()
        .filter(|r| model_matches(q, r))
        .copied()
        .collect();
    sort_by_index(index, &mut found);
    found
}

fn model_plan(index: &[Column], q: &Query) -> Plan {
    let has_eq = |c: Column| q.eq.iter().any(|&(x, _)| x == c);
    let p = index.iter().take_while(|&&c| has_eq(c)).count();
    let boundary = index.get(p).copied();
    let range_used = matches!((boundary, q.range), (Some(b), Some((c, _, _))) if b == c);
    let mut filters = Vec::new();
    let predicates = q.eq.iter().map(|e| e.0).chain(q.range.map(|r| r.0));
    for c in predicates {
        if index[..p].contains(&c) || (range_used && Some(c) == boundary) {
            continue;
        }
        let reason = match (index.contains(&c), boundary) {
            (true, Some(b)) if range_used => AfterRange(b),
            (true, Some(b)) => AfterGap(b),
            _ => NotIndexed,
        };
        filters.push((c, reason));
    }
    filters.sort_by_key(|f| f.0);
    let access = if p == 0 && !range_used {
        Access::FullScan {
            unconstrained: index[0],
        }
    } else {
        Access::IndexSeek {
            eq: index[..p].to_vec(),
            range: if range_used { boundary } else { None },
        }
    };
    Plan { access, filters }
}

/// The number of entries in the seek range, and the seek range in words; `None` for a full
/// scan.
fn model_seek(index: &[Column], rows: &[Row], q: &Query) -> Option<(usize, String)> {
    let plan = model_plan(index, q);
    let Access::IndexSeek { eq, range } = plan.access else {
        return None;
    };
    let value = |c: Column| q.eq.iter().find(|e| e.0 == c).map(|e| e.1).unwrap();
    let mut words: Vec<String> = eq
        .iter()
        .map(|&c| format!("{} = {}", name(c), value_text(value(c))))
        .collect();
    let range = range.map(|c| {
        let (_, low, high) = q.range.unwrap();
        words.push(format!("{} in {}", name(c), bounds_text(low, high)));
        (c, low, high)
    });
    let m = rows
        .iter()
        .filter(|r| eq.iter().all(|&c| r.get(c) == value(c)))
        .filter(|r| range.is_none_or(|(c, low, high)| within(r.get(c), low, high)))
        .count();
    Some((m, words.join(", ")))
}

fn entries(m: usize) -> String {
    if m == 1 {
        "1 entry".to_string()
    } else {
        format!("{m} entries")
    }
}

/// Why `examined` is wrong, if it is.
fn examined_problem(index: &[Column], rows: &[Row], q: &Query, examined: usize) -> Option<String> {
    match model_seek(index, rows, q) {
        None => (examined != rows.len()).then(|| {
            format!(
                "examined {examined}, expected {} (the plan is a full scan: {} is the index's \
                 first column and has no predicate the index can use, so every row is read)",
                rows.len(),
                name(index[0])
            )
        }),
        Some((m, seek)) if examined > m + 1 => Some(format!(
            "examined {examined}, expected {m} or {} (the seek range, entries with {seek}, \
             holds {}, and reading one more to see it end is allowed): find the first entry of \
             the seek range with a seek (BTreeMap::range or BTreeSet::range) instead of walking \
             the index, stop at the first entry past it, and keep no index entry for a row the \
             table does not hold (after a delete or a refused insert)",
            m + 1,
            entries(m)
        )),
        Some((m, seek)) if examined < m => Some(format!(
            "examined {examined}, expected {m} or {} (the seek range, entries with {seek}, \
             holds {}): count every entry the query reads, the ones a filter rejects included",
            m + 1,
            entries(m)
        )),
        Some(_) => None,
    }
}

// ---------------------------------------------------------------------------------------
// A table driven by scripted calls; every failure names the table and the calls before.

struct Probe {
    table: Table,
    index: Vec<Column>,
    rows: Vec<Row>,
    setup: String,
    calls: Vec<String>,
}

impl Probe {
    fn new(index: &[Column]) -> Self {
        let setup = index_text(index);
        let table = learner(|| setup.clone(), || Table::new(index));
        Probe {
            table,
            index: index.to_vec(),
            rows: Vec::new(),
            setup,
            calls: Vec::new(),
        }
    }

    /// A table holding `rows`; `about` describes them in messages when there are many.
    fn with_rows(index: &[Column], rows: &[Row], about: &str) -> Self {
        let mut probe = Probe::new(index);
        let listed: Vec<String> = rows.iter().map(row_text).collect();
        let setup = if rows.len() <= 12 {
            format!(
                "{} after inserting (id: tenant_id, status, created_at, amount) {}",
                probe.setup,
                listed.join(", ")
            )
        } else {
            format!("{} after inserting {about}", probe.setup)
        };
        for r in rows {
            let got = {
                let table = &mut probe.table;
                learner(
                    || format!("{setup}: insert({})", row_text(r)),
                    || table.insert(*r),
                )
            };
            if !got {
                panic!(
                    "{setup}: insert({}) returned false, expected true (no row has id {} yet)",
                    row_text(r),
                    r.id
                );
            }
            probe.rows.push(*r);
        }
        probe.setup = setup;
        probe
    }

    fn context(&self) -> String {
        if self.calls.is_empty() {
            self.setup.clone()
        } else {
            format!("{}, then {}", self.setup, self.calls.join(", "))
        }
    }

    fn insert(&mut self, r: Row) {
        let call = format!("insert({})", row_text(&r));
        let expected = !self.rows.iter().any(|x| x.id == r.id);
        let got = {
            let context = self.context();
            let table = &mut self.table;
            learner(|| format!("{context}: {call}"), || table.insert(r))
        };
        if got != expected {
            panic!(
                "{}: {call} returned {got}, expected {expected}{}",
                self.context(),
                if expected {
                    ""
                } else {
                    " (a row with that id exists: refuse it and change nothing)"
                }
            );
        }
        if expected {
            self.rows.push(r);
        }
        self.calls.push(call);
    }

    fn delete(&mut self, id: u64) {
        let call = format!("delete({id})");
        let expected = self.rows.iter().find(|x| x.id == id).copied();
        let got = {
            let context = self.context();
            let table = &mut self.table;
            learner(|| format!("{context}: {call}"), || table.delete(id))
        };
        if got != expected {
            panic!(
                "{}: {call} returned {}, expected {}",
                self.context(),
                got.map_or("None".to_string(), |r| format!("Some({})", row_text(&r))),
                expected.map_or("None".to_string(), |r| format!("Some({})", row_text(&r)))
            );
        }
        self.rows.retain(|x| x.id != id);
        self.calls.push(call);
    }

    fn len(&self) {
        let context = self.context();
        let got = learner(|| format!("{context}: len()"), || self.table.len());
        expect_eq!(got, self.rows.len(), "{context}: len()");
        let got = learner(
            || format!("{context}: is_empty()"),
            || self.table.is_empty(),
        );
        expect_eq!(got, self.rows.is_empty(), "{context}: is_empty()");
    }

    /// `explain(q)` must return exactly this plan.
    fn plan(&self, q: &Query, access: Access, filters: &[(Column, FilterReason)]) {
        let expected = Plan {
            access,
            filters: filters.to_vec(),
        };
        assert_eq!(
            expected,
            model_plan(&self.index, q),
            "the check's own model disagrees"
        );
        self.explain(q);
    }

    /// `explain(q)` must return the model's plan.
    fn explain(&self, q: &Query) {
        let context = self.context();
        let call = format!("explain({})", where_text(q));
        let got = learner(|| format!("{context}: {call}"), || self.table.explain(q));
        let expected = model_plan(&self.index, q);
        if got != expected {
            panic!(
                "{context}: {call} returned {got:?}, expected {expected:?}{}",
                plan_hint(&got, &expected)
            );
        }
    }

    /// `query(q)` must return the model's rows, in index order, and a valid `examined`.
    fn query(&self, q: &Query) -> QueryResult {
        let context = self.context();
        let call = format!("query({})", where_text(q));
        let got = learner(|| format!("{context}: {call}"), || self.table.query(q));
        let expected = model_rows(&self.index, &self.rows, q);
        if got.rows != expected {
            let same_set = {
                let mut sorted = got.rows.clone();
                sort_by_index(&self.index, &mut sorted);
                sorted == expected
            };
            panic!(
                "{context}: {call} returned rows {}, expected {}{}",
                rows_text(&got.rows, &expected),
                rows_text(&expected, &got.rows),
                if same_set {
                    " (the right rows, in the wrong order: return them in index order, the \
                     index columns' values first, then id)"
                } else {
                    ""
                }
            );
        }
        if let Some(problem) = examined_problem(&self.index, &self.rows, q, got.examined) {
            panic!("{context}: {call} {problem}");
        }
        got
    }

    /// Both: the plan and the query.
    fn check(&self, q: &Query) -> QueryResult {
        self.explain(q);
        self.query(q)
    }

    /// The query must return exactly the rows with these ids (and match the model).
    fn expect_ids(&self, q: &Query, ids: &[u64]) {
        let got = self.check(q);
        let got_ids: Vec<u64> = got.rows.iter().map(|r| r.id).collect();
        assert_eq!(got_ids, ids, "the check's own model disagrees");
    }
}

/// Rows by id, or in full when two lists have the same ids.
fn rows_text(rows: &[Row], other: &[Row]) -> String {
    let same_ids = rows.len() == other.len() && rows.iter().zip(other).all(|(a, b)| a.id == b.id);
    if same_ids {
        let all: Vec<String> = rows.iter().map(row_text).collect();
        format!("[{}]", all.join(", "))
    } else {
        ids_text(rows)
    }
}

fn plan_hint(got: &Plan, expected: &Plan) -> String {
    let hint = match (&got.access, &expected.access) {
        (Access::IndexSeek { .. }, Access::FullScan { unconstrained }) => format!(
            "the index's first column, {}, has no predicate the index can use: entries with \
             other values of it are spread over the whole index, so only a full scan finds them",
            name(*unconstrained)
        ),
        (Access::IndexSeek { eq: g, .. }, Access::IndexSeek { eq: e, .. }) if g.len() > e.len() => {
            "equality uses the index columns from the first one only while each has an \
             equality predicate: stop at the first index column without one (a gap, or the \
             range column)"
                .to_string()
        }
        _ if got.access != expected.access => {
            "walk the index columns in order: equality predicates extend the seek; at the first \
             column without one, a range on that very column is used too, and nothing after it"
                .to_string()
        }
        _ => "every predicate the seek does not use is a filter, sorted by Column, with its \
              reason: NotIndexed, or AfterGap/AfterRange of the boundary column"
            .to_string(),
    };
    format!(" ({hint})")
}

fn q() -> Query {
    Query::new()
}

// ---------------------------------------------------------------------------------------
// The statement's example.

fn example_rows() -> Vec<Row> {
    vec![
        row(1, 7, 1, 100, 500),
        row(2, 7, 1, 140, 900),
        row(3, 7, 2, 120, 300),
        row(4, 7, 1, 180, 2500),
        row(5, 8, 1, 110, 700),
        row(6, 7, 1, 160, 1200),
        row(7, 9, 0, 130, 50),
    ]
}

const DASHBOARD: [Column; 3] = [TenantId, Status, CreatedAt];

fn seek(eq: &[Column], range: Option<Column>) -> Access {
    Access::IndexSeek {
        eq: eq.to_vec(),
        range,
    }
}

fn full_scan(unconstrained: Column) -> Access {
    Access::FullScan { unconstrained }
}

#[test]
fn the_example_from_the_statement() {
    let mut t = Probe::with_rows(&DASHBOARD, &example_rows(), "");
    let dashboard = q().eq(TenantId, 7).eq(Status, 1).range(CreatedAt, 120..170);
    t.plan(&dashboard, seek(&[TenantId, Status], Some(CreatedAt)), &[]);
    t.expect_ids(&dashboard, &[2, 6]);

    let gap = q().eq(TenantId, 7).range(CreatedAt, 150..);
    t.plan(
        &gap,
        seek(&[TenantId], None),
        &[(CreatedAt, AfterGap(Status))],
    );
    t.expect_ids(&gap, &[6, 4]);

    let after_range = q().range(TenantId, 7..=8).eq(Status, 1);
    t.plan(
        &after_range,
        seek(&[], Some(TenantId)),
        &[(Status, AfterRange(TenantId))],
    );
    t.expect_ids(&after_range, &[1, 2, 6, 4, 5]);

    let not_indexed = q().eq(TenantId, 7).eq(Status, 1).range(Amount, 1000..);
    t.plan(
        &not_indexed,
        seek(&[TenantId, Status], None),
        &[(Amount, NotIndexed)],
    );
    t.expect_ids(&not_indexed, &[6, 4]);

    let no_tenant = q().eq(Status, 1);
    t.plan(
        &no_tenant,
        full_scan(TenantId),
        &[(Status, AfterGap(TenantId))],
    );
    t.expect_ids(&no_tenant, &[1, 2, 6, 4, 5]);

    t.plan(&q(), full_scan(TenantId), &[]);
    t.expect_ids(&q(), &[1, 2, 6, 4, 3, 5, 7]);
    t.len();

    t.delete(6);
    t.expect_ids(&dashboard, &[2]);
    t.len();
}

// ---------------------------------------------------------------------------------------
// Seeks: equality on a leftmost prefix, then one range.

/// 64 orders: 4 tenants, 4 statuses, created_at 10, 20, 30, 40 each; amounts vary.
fn grid_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let mut id = 0;
    // Inserted in a scrambled order, so that insertion order is not index order.
    for created in [30, 10, 40, 20] {
        for status in [2, 0, 3, 1] {
            for tenant in [1, 3, 0, 2] {
                id += 1;
                rows.push(row(id, tenant, status, created, (id * 37) % 100));
            }
        }
    }
    rows
}

const GRID: &str = "64 rows: every (tenant_id, status, created_at) in 0..4 x 0..4 x \
                    {10, 20, 30, 40} once, ids 1 to 64 in the order created_at 30, 10, 40, 20, \
                    then status 2, 0, 3, 1, then tenant_id 1, 3, 0, 2; amount = id * 37 % 100";

#[test]
fn equality_on_a_leftmost_prefix_seeks_only_the_matching_entries() {
    let t = Probe::with_rows(&DASHBOARD, &grid_rows(), GRID);
    let one = q().eq(TenantId, 2);
    t.plan(&one, seek(&[TenantId], None), &[]);
    t.check(&one);
    let two = q().eq(Status, 3).eq(TenantId, 0);
    t.plan(&two, seek(&[TenantId, Status], None), &[]);
    t.check(&two);
    let three = q().eq(CreatedAt, 20).eq(TenantId, 3).eq(Status, 1);
    t.plan(&three, seek(&[TenantId, Status, CreatedAt], None), &[]);
    t.check(&three);
    // Values that are not there: an empty seek range.
    t.check(&q().eq(TenantId, 9));
    t.check(&q().eq(TenantId, 1).eq(Status, 1).eq(CreatedAt, 25));
    for tenant in 0..4 {
        t.check(&q().eq(TenantId, tenant));
    }
    // eq lists the columns in index order, whatever the order of the predicates.
    let status_first = Probe::with_rows(&[Status, TenantId, Amount], &grid_rows(), GRID);
    let both = q().eq(TenantId, 1).eq(Status, 2);
    status_first.plan(&both, seek(&[Status, TenantId], None), &[]);
    status_first.check(&both);
    let all = q().eq(Amount, 48).eq(TenantId, 1).eq(Status, 2);
    status_first.plan(&all, seek(&[Status, TenantId, Amount], None), &[]);
    status_first.check(&all);
}

#[test]
fn a_range_on_the_column_after_the_equality_prefix_narrows_the_seek() {
    let t = Probe::with_rows(&DASHBOARD, &grid_rows(), GRID);
    let created = q().eq(TenantId, 1).eq(Status, 2).range(CreatedAt, 20..=30);
    t.plan(&created, seek(&[TenantId, Status], Some(CreatedAt)), &[]);
    t.check(&created);
    let status = q().eq(TenantId, 3).range(Status, 1..3);
    t.plan(&status, seek(&[TenantId], Some(Status)), &[]);
    t.check(&status);
    let tenant = q().range(TenantId, 1..=2);
    t.plan(&tenant, seek(&[], Some(TenantId)), &[]);
    t.check(&tenant);
    t.check(&q().range(TenantId, 2..));
    t.check(&q().range(TenantId, ..2));
    t.check(&q().eq(TenantId, 0).range(Status, 2..));
    t.check(&q().eq(TenantId, 0).eq(Status, 0).range(CreatedAt, ..=20));
}

#[test]
fn inclusive_and_exclusive_bounds_are_respected() {
    // created_at 10, 20, 30, 40, 50 for one tenant and status, amounts the same.
    let rows: Vec<Row> = (1..=5).map(|i| row(i, 4, 1, i * 10, i * 10)).collect();
    let mut rows = rows;
    rows.push(row(6, 3, 1, 30, 30));
    rows.push(row(7, 5, 1, 30, 30));
    let t = Probe::with_rows(&DASHBOARD, &rows, "");
    let bounds: [(Bound<u64>, Bound<u64>); 10] = [
        (Included(20), Excluded(40)),
        (Included(20), Included(40)),
        (Excluded(20), Included(40)),
        (Excluded(20), Excluded(40)),
        (Unbounded, Excluded(30)),
        (Unbounded, Included(30)),
        (Included(30), Unbounded),
        (Excluded(30), Unbounded),
        (Included(10), Included(50)),
        (Excluded(9), Excluded(51)),
    ];
    for b in bounds {
        // As the seek's range, and as filters (after a gap, and on a column not indexed).
        t.check(&q().eq(TenantId, 4).eq(Status, 1).range(CreatedAt, b));
        t.check(&q().eq(TenantId, 4).range(CreatedAt, b));
        t.check(&q().eq(TenantId, 4).eq(Status, 1).range(Amount, b));
        t.check(&q().range(Amount, b));
    }
    // A range on the first column.
    t.check(&q().range(TenantId, (Excluded(3), Included(4))));
    t.check(&q().range(TenantId, (Excluded(3), Excluded(5))));
    t.check(&q().range(TenantId, 3..5));
}

#[test]
fn bounds_at_zero_and_u64_max_neither_overflow_nor_lose_rows() {
    let max = u64::MAX;
    let rows = vec![
        row(1, 0, 0, 0, 0),
        row(2, 0, 0, 1, max),
        row(3, 0, 0, max - 1, 5),
        row(4, 0, 0, max, max - 1),
        row(5, max, max, max, max),
        row(6, max, 0, 0, 0),
        row(7, 1, 0, 7, 7),
    ];
    let t = Probe::with_rows(&DASHBOARD, &rows, "");
    let bounds: [(Bound<u64>, Bound<u64>); 10] = [
        (Unbounded, Included(max)),
        (Included(max), Included(max)),
        (Included(max), Unbounded),
        (Excluded(max - 1), Unbounded),
        (Excluded(max), Unbounded),
        (Excluded(max), Included(max)),
        (Included(0), Included(0)),
        (Unbounded, Excluded(0)),
        (Unbounded, Excluded(1)),
        (Excluded(0), Excluded(max)),
    ];
    for b in bounds {
        t.check(&q().eq(TenantId, 0).eq(Status, 0).range(CreatedAt, b));
        t.check(&q().range(TenantId, b));
        t.check(&q().eq(TenantId, max).range(Status, b));
        t.check(&q().eq(TenantId, 0).range(Amount, b));
    }
    t.check(&q().eq(TenantId, max).eq(Status, max).eq(CreatedAt, max));
}

#[test]
fn an_empty_range_matches_nothing_and_does_not_panic() {
    let t = Probe::with_rows(&DASHBOARD, &grid_rows(), GRID);
    let empty: [(Bound<u64>, Bound<u64>); 6] = [
        (Included(30), Excluded(20)),
        (Included(20), Excluded(20)),
        (Excluded(20), Excluded(20)),
        (Excluded(20), Included(20)),
        (Excluded(20), Excluded(21)),
        (Included(40), Included(10)),
    ];
    for b in empty {
        t.check(&q().eq(TenantId, 1).eq(Status, 1).range(CreatedAt, b));
        t.check(&q().range(TenantId, b));
        t.check(&q().eq(TenantId, 2).range(CreatedAt, b));
        t.check(&q().range(Amount, b));
    }
}

// ---------------------------------------------------------------------------------------
// The leftmost-prefix rule: what the index cannot do.

#[test]
fn without_a_predicate_on_the_first_index_column_the_query_reads_every_row() {
    let t = Probe::with_rows(&DASHBOARD, &grid_rows(), GRID);
    let status = q().eq(Status, 2);
    t.plan(
        &status,
        full_scan(TenantId),
        &[(Status, AfterGap(TenantId))],
    );
    t.check(&status);
    let both = q().eq(CreatedAt, 30).eq(Status, 1);
    t.plan(
        &both,
        full_scan(TenantId),
        &[
            (Status, AfterGap(TenantId)),
            (CreatedAt, AfterGap(TenantId)),
        ],
    );
    t.check(&both);
    let range = q().eq(Status, 0).range(CreatedAt, 20..);
    t.plan(
        &range,
        full_scan(TenantId),
        &[
            (Status, AfterGap(TenantId)),
            (CreatedAt, AfterGap(TenantId)),
        ],
    );
    t.check(&range);
    let amount = q().range(Amount, 50..).eq(Id, 9);
    t.plan(
        &amount,
        full_scan(TenantId),
        &[(Id, NotIndexed), (Amount, NotIndexed)],
    );
    t.check(&amount);
    // The same rule for another first column.
    let other = Probe::with_rows(&[CreatedAt, Amount], &grid_rows(), GRID);
    let amount = q().eq(Amount, 11);
    other.plan(
        &amount,
        full_scan(CreatedAt),
        &[(Amount, AfterGap(CreatedAt))],
    );
    other.check(&amount);
}

#[test]
fn a_predicate_after_a_gap_is_a_filter_not_part_of_the_seek() {
    let t = Probe::with_rows(&DASHBOARD, &grid_rows(), GRID);
    let gap = q().eq(TenantId, 2).eq(CreatedAt, 30);
    t.plan(
        &gap,
        seek(&[TenantId], None),
        &[(CreatedAt, AfterGap(Status))],
    );
    t.check(&gap);
    let gap_range = q().eq(TenantId, 0).range(CreatedAt, ..30);
    t.plan(
        &gap_range,
        seek(&[TenantId], None),
        &[(CreatedAt, AfterGap(Status))],
    );
    t.check(&gap_range);
    let wide = Probe::with_rows(&[TenantId, Status, CreatedAt, Amount], &grid_rows(), GRID);
    let late_gap = q().eq(TenantId, 1).eq(Status, 2).eq(Amount, 11);
    wide.plan(
        &late_gap,
        seek(&[TenantId, Status], None),
        &[(Amount, AfterGap(CreatedAt))],
    );
    wide.check(&late_gap);
    let two_gaps = q().eq(TenantId, 3).eq(CreatedAt, 10).range(Amount, 20..80);
    wide.plan(
        &two_gaps,
        seek(&[TenantId], None),
        &[(CreatedAt, AfterGap(Status)), (Amount, AfterGap(Status))],
    );
    wide.check(&two_gaps);
}

#[test]
fn predicates_after_the_range_column_are_filters() {
    let t = Probe::with_rows(&DASHBOARD, &grid_rows(), GRID);
    let first = q().range(TenantId, 1..3).eq(Status, 2).eq(CreatedAt, 40);
    t.plan(
        &first,
        seek(&[], Some(TenantId)),
        &[
            (Status, AfterRange(TenantId)),
            (CreatedAt, AfterRange(TenantId)),
        ],
    );
    t.check(&first);
    let middle = q().eq(TenantId, 2).range(Status, 1..=2).eq(CreatedAt, 20);
    t.plan(
        &middle,
        seek(&[TenantId], Some(Status)),
        &[(CreatedAt, AfterRange(Status))],
    );
    t.check(&middle);
    let with_amount = q().eq(TenantId, 2).range(Status, ..2).eq(Amount, 5);
    t.plan(
        &with_amount,
        seek(&[TenantId], Some(Status)),
        &[(Amount, NotIndexed)],
    );
    t.check(&with_amount);
}

#[test]
fn a_range_not_on_the_boundary_column_is_a_filter() {
    let t = Probe::with_rows(&DASHBOARD, &grid_rows(), GRID);
    // The boundary is status (no predicate): a range on created_at comes after the gap.
    let after_gap = q().eq(TenantId, 1).range(CreatedAt, 15..35);
    t.plan(
        &after_gap,
        seek(&[TenantId], None),
        &[(CreatedAt, AfterGap(Status))],
    );
    t.check(&after_gap);
    // No predicate on tenant_id: a range on status cannot be used either.
    let status = q().range(Status, 2..);
    t.plan(
        &status,
        full_scan(TenantId),
        &[(Status, AfterGap(TenantId))],
    );
    t.check(&status);
}

#[test]
fn predicates_on_columns_outside_the_index_are_not_indexed() {
    let t = Probe::with_rows(&DASHBOARD, &grid_rows(), GRID);
    // Every index column fixed: no boundary, so the rest is outside the index.
    let full = q()
        .eq(TenantId, 3)
        .eq(Status, 3)
        .eq(CreatedAt, 40)
        .range(Amount, 0..50);
    t.plan(
        &full,
        seek(&[TenantId, Status, CreatedAt], None),
        &[(Amount, NotIndexed)],
    );
    t.check(&full);
    // id breaks ties in index order, but is not an index column here.
    let by_id = q()
        .eq(TenantId, 1)
        .eq(Status, 0)
        .eq(CreatedAt, 10)
        .eq(Id, 6);
    t.plan(
        &by_id,
        seek(&[TenantId, Status, CreatedAt], None),
        &[(Id, NotIndexed)],
    );
    t.check(&by_id);
    let id_only = q().eq(Id, 6);
    t.plan(&id_only, full_scan(TenantId), &[(Id, NotIndexed)]);
    t.check(&id_only);
    // An index whose columns include id.
    let ids = Probe::with_rows(&[Id], &grid_rows(), GRID);
    let by_id = q().eq(Id, 40);
    ids.plan(&by_id, seek(&[Id], None), &[]);
    ids.check(&by_id);
    let id_range = q().range(Id, 10..20).eq(Status, 1);
    ids.plan(&id_range, seek(&[], Some(Id)), &[(Status, NotIndexed)]);
    ids.check(&id_range);
    ids.check(&q().eq(Id, 65));
}

#[test]
fn a_query_without_predicates_reads_every_row_in_index_order() {
    let empty = Probe::new(&DASHBOARD);
    empty.plan(&q(), full_scan(TenantId), &[]);
    empty.check(&q());
    empty.check(&q().eq(TenantId, 1).range(Status, 0..));
    empty.len();
    for index in [
        &DASHBOARD[..],
        &[Amount, Id],
        &[CreatedAt, TenantId],
        &[Status],
    ] {
        let t = Probe::with_rows(index, &grid_rows(), GRID);
        t.plan(&q(), full_scan(index[0]), &[]);
        t.check(&q());
    }
}

#[test]
fn rows_come_in_index_order_with_ties_broken_by_id() {
    // Equal index values, ids inserted out of order.
    let rows = vec![
        row(50, 2, 1, 30, 1),
        row(12, 2, 1, 30, 2),
        row(31, 2, 1, 10, 3),
        row(7, 2, 0, 90, 4),
        row(44, 1, 9, 99, 5),
        row(3, 2, 1, 30, 6),
        row(90, 2, 1, 20, 7),
        row(1, 3, 0, 0, 8),
    ];
    let t = Probe::with_rows(&DASHBOARD, &rows, "");
    t.expect_ids(&q().eq(TenantId, 2).eq(Status, 1), &[31, 90, 3, 12, 50]);
    t.expect_ids(&q().eq(TenantId, 2), &[7, 31, 90, 3, 12, 50]);
    t.expect_ids(&q().range(Amount, 2..8), &[44, 7, 31, 90, 3, 12]);
    t.expect_ids(&q(), &[44, 7, 31, 90, 3, 12, 50, 1]);
    let by_status = Probe::with_rows(&[Status, CreatedAt], &rows, "");
    by_status.expect_ids(&q(), &[1, 7, 31, 90, 3, 12, 50, 44]);
    by_status.expect_ids(&q().range(Status, 1..), &[31, 90, 3, 12, 50, 44]);
    by_status.expect_ids(&q().eq(TenantId, 2), &[7, 31, 90, 3, 12, 50]);
}

#[test]
fn the_same_query_plans_differently_under_another_column_order() {
    let query = q().eq(TenantId, 2).range(CreatedAt, 20..40);
    let orders: [(&[Column], Access, &[(Column, FilterReason)]); 4] = [
        (
            &[TenantId, CreatedAt, Status],
            seek(&[TenantId], Some(CreatedAt)),
            &[],
        ),
        (
            &DASHBOARD,
            seek(&[TenantId], None),
            &[(CreatedAt, AfterGap(Status))],
        ),
        (
            &[CreatedAt, TenantId],
            seek(&[], Some(CreatedAt)),
            &[(TenantId, AfterRange(CreatedAt))],
        ),
        (
            &[Status, TenantId, CreatedAt],
            full_scan(Status),
            &[(TenantId, AfterGap(Status)), (CreatedAt, AfterGap(Status))],
        ),
    ];
    for (index, access, filters) in orders {
        let t = Probe::with_rows(index, &grid_rows(), GRID);
        t.plan(&query, access, filters);
        t.check(&query);
    }
}

// ---------------------------------------------------------------------------------------
// Complexity, by counting the entries read.

/// 20,000 orders: id i, tenant_id i % 100, status i / 100 % 4, created_at i.
fn big_rows() -> Vec<Row> {
    (0..20_000)
        .map(|i| row(i, i % 100, i / 100 % 4, i, (i * 7919) % 10_000))
        .collect()
}

const BIG: &str = "20000 rows: for i in 0..20000, Row { id: i, tenant_id: i % 100, status: i / \
                   100 % 4, created_at: i, amount: i * 7919 % 10000 }";

#[test]
fn an_index_seek_reads_the_seek_range_not_the_table() {
    let t = Probe::with_rows(&DASHBOARD, &big_rows(), BIG);
    let queries = [
        // 10 entries among 20,000.
        q().eq(TenantId, 37)
            .eq(Status, 2)
            .range(CreatedAt, 5000..9000),
        q().eq(TenantId, 63)
            .eq(Status, 1)
            .range(CreatedAt, 19_000..),
        q().eq(TenantId, 50).eq(Status, 3).eq(CreatedAt, 10_350),
        q().eq(TenantId, 0).eq(Status, 3),
        q().eq(TenantId, 99),
        q().range(TenantId, 40..=41),
        q().eq(TenantId, 71)
            .range(Status, (Excluded(0), Excluded(3))),
        // A filter after the gap: the seek range is all of tenant 50.
        q().eq(TenantId, 50).range(CreatedAt, 10_000..10_100),
        q().eq(TenantId, 98).eq(Status, 0).range(Amount, ..5000),
        q().eq(TenantId, 5)
            .eq(Status, 2)
            .range(CreatedAt, 3000..2000),
    ];
    for query in &queries {
        t.check(query);
    }
    let scan = q().eq(Status, 2).range(CreatedAt, 100..200);
    t.check(&scan);
}

// ---------------------------------------------------------------------------------------
// Writes keep the index up to date.

#[test]
fn insert_refuses_a_duplicate_id_and_changes_nothing() {
    let mut t = Probe::with_rows(&DASHBOARD, &example_rows(), "");
    t.insert(row(3, 8, 0, 50, 1));
    t.len();
    t.expect_ids(&q().eq(TenantId, 8), &[5]);
    t.expect_ids(&q().eq(TenantId, 7).eq(Status, 2), &[3]);
    t.expect_ids(&q(), &[1, 2, 6, 4, 3, 5, 7]);
    t.insert(row(8, 8, 0, 50, 1));
    t.insert(row(8, 8, 0, 50, 1));
    t.len();
    t.expect_ids(&q().eq(TenantId, 8), &[8, 5]);
}

#[test]
fn a_deleted_row_leaves_every_later_query_and_seek() {
    let mut t = Probe::with_rows(&DASHBOARD, &grid_rows(), GRID);
    let tenant = q().eq(TenantId, 1);
    let status = q().eq(TenantId, 1).eq(Status, 2);
    t.check(&status);
    // Every row of tenant 1 with status 2, and a few others.
    for r in grid_rows() {
        if r.tenant_id == 1 && r.status == 2 {
            t.delete(r.id);
        }
    }
    t.delete(2);
    t.delete(2);
    t.delete(999);
    t.len();
    t.check(&status);
    t.check(&tenant);
    t.check(&q().eq(TenantId, 1).range(Status, 2..=2));
    t.check(&q());
    // The same id again, with other values: found by its new values only.
    t.insert(row(1, 3, 3, 99, 99));
    t.check(&q().eq(TenantId, 3).eq(Status, 3));
    t.check(&tenant);
    t.check(&status);
    t.len();
}

#[test]
fn len_and_is_empty_follow_inserts_and_deletes() {
    let mut t = Probe::new(&[Amount]);
    t.len();
    t.insert(row(1, 0, 0, 0, 5));
    t.len();
    t.insert(row(2, 0, 0, 0, 5));
    t.insert(row(1, 9, 9, 9, 9));
    t.len();
    t.delete(1);
    t.len();
    t.delete(2);
    t.len();
    t.check(&q().eq(Amount, 5));
}

// ---------------------------------------------------------------------------------------
// Random operations against the model.

#[derive(Clone)]
enum Op {
    Insert(Row),
    Delete(u64),
    Query(Query),
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Insert(r) => write!(f, "insert({})", row_text(r)),
            Op::Delete(id) => write!(f, "delete({id})"),
            Op::Query(q) => write!(f, "query({})", where_text(q)),
        }
    }
}

const COLUMNS: [Column; 5] = [Id, TenantId, Status, CreatedAt, Amount];

fn random_bound(rng: &mut SplitMix64) -> Bound<u64> {
    let v = match rng.below(12) {
        0 => u64::MAX,
        _ => rng.below(9),
    };
    match rng.below(3) {
        0 => Included(v),
        1 => Excluded(v),
        _ => Unbounded,
    }
}

fn random_query(rng: &mut SplitMix64) -> Query {
    let mut query = q();
    let mut columns = COLUMNS;
    shuffle(rng, &mut columns);
    let eqs = rng.below(4) as usize;
    for &c in &columns[..eqs] {
        query = query.eq(c, rng.below(5));
    }
    if rng.below(3) != 0 {
        let c = columns[eqs];
        query = query.range(c, (random_bound(rng), random_bound(rng)));
    }
    query
}

fn shuffle<T>(rng: &mut SplitMix64, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i as u64 + 1) as usize);
    }
}

/// Replays `ops` on a new table and the model: the first op that went wrong, and why.
fn first_mismatch(index: &[Column], ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || (Table::new(index), Vec::<Row>::new()),
        |(table, rows), op| {
            match op {
                Op::Insert(r) => {
                    let expected = !rows.iter().any(|x| x.id == r.id);
                    let got = table.insert(*r);
                    if got != expected {
                        return Some(format!("{op} returned {got}, expected {expected}"));
                    }
                    if expected {
                        rows.push(*r);
                    }
                }
                Op::Delete(id) => {
                    let expected = rows.iter().find(|x| x.id == *id).copied();
                    let got = table.delete(*id);
                    if got != expected {
                        return Some(format!("{op} returned {got:?}, expected {expected:?}"));
                    }
                    rows.retain(|x| x.id != *id);
                }
                Op::Query(query) => {
                    let plan = table.explain(query);
                    let expected = model_plan(index, query);
                    if plan != expected {
                        return Some(format!(
                            "explain({}) returned {plan:?}, expected {expected:?}",
                            where_text(query)
                        ));
                    }
                    let got = table.query(query);
                    let expected = model_rows(index, rows, query);
                    if got.rows != expected {
                        return Some(format!(
                            "{op} returned rows {}, expected {}",
                            rows_text(&got.rows, &expected),
                            rows_text(&expected, &got.rows)
                        ));
                    }
                    if let Some(problem) = examined_problem(index, rows, query, got.examined) {
                        return Some(format!("{op} {problem}"));
                    }
                }
            }
            let len = table.len();
            if len != rows.len() {
                return Some(format!(
                    "{op}, then len() returned {len}, expected {}",
                    rows.len()
                ));
            }
            None
        },
        |i, panicked| format!("{} {panicked}", ops[i]),
    )
}

fn join_ops(ops: &[Op]) -> String {
    ops.iter().map(Op::to_string).collect::<Vec<_>>().join(", ")
}

#[test]
fn random_operations_match_a_model() {
    const SEEDS: [u64; 12] = [
        0x1DE0_0001,
        0x1DE0_0002,
        0x1DE0_0003,
        0x1DE0_0004,
        0x1DE0_0005,
        0x1DE0_0006,
        0x1DE0_0007,
        0x1DE0_0008,
        0x1DE0_0009,
        0x1DE0_000A,
        0x1DE0_000B,
        0x1DE0_000C,
    ];
    const OPS: usize = 300;
    for seed in SEEDS {
        let mut rng = SplitMix64(seed);
        let mut columns = COLUMNS;
        shuffle(&mut rng, &mut columns);
        let index = columns[..1 + rng.below(4) as usize].to_vec();
        let ops: Vec<Op> = (0..OPS)
            .map(|_| match rng.below(10) {
                0..=3 => Op::Insert(row(
                    rng.below(24),
                    rng.below(4),
                    rng.below(4),
                    rng.below(8),
                    rng.below(5),
                )),
                4 => Op::Delete(rng.below(24)),
                _ => Op::Query(random_query(&mut rng)),
            })
            .collect();
        if let Some((at, _)) = first_mismatch(&index, &ops) {
            let failing = crate::kit::shrink(ops[..=at].to_vec(), |ops| {
                first_mismatch(&index, ops).map(|(at, _)| at)
            });
            let (last, why) =
                first_mismatch(&index, &failing).expect("a shrunk sequence still fails");
            let before = if last == 0 {
                String::new()
            } else {
                format!(", {}", join_ops(&failing[..last]))
            };
            panic!(
                "random operations (seed {seed:#x}), shrunk to: {}{before}; then {why}\n  (rows \
                 are shown as #id (tenant_id, status, created_at, amount))",
                index_text(&index)
            );
        }
    }
}
