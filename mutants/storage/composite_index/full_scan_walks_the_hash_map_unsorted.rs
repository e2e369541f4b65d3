//! Mutant: a full scan walks the HashMap of rows instead of the index, so its rows come back in
//! hash order, not index order.

use std::collections::{BTreeSet, HashMap};
use std::ops::{Bound, RangeBounds};

/// A column of the `orders` table. The derived `Ord` (declaration order) sorts
/// [`Plan::filters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Id,
    TenantId,
    Status,
    CreatedAt,
    Amount,
}

/// A row of the `orders` table. `id` is the primary key: no two rows share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Row {
    pub id: u64,
    pub tenant_id: u64,
    pub status: u64,
    pub created_at: u64,
    pub amount: u64,
}

impl Row {
    /// The value of `column` in this row.
    pub fn get(&self, column: Column) -> u64 {
        match column {
            Column::Id => self.id,
            Column::TenantId => self.tenant_id,
            Column::Status => self.status,
            Column::CreatedAt => self.created_at,
            Column::Amount => self.amount,
        }
    }
}

/// `WHERE` equality predicates `AND` at most one range predicate. A query names each column
/// at most once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// `column = value`, in the order they were added.
    pub eq: Vec<(Column, u64)>,
    /// `column` between a lower and an upper bound.
    pub range: Option<(Column, Bound<u64>, Bound<u64>)>,
}

impl Query {
    /// A query with no predicate: every row matches.
    pub fn new() -> Self {
        Query::default()
    }

    /// Adds the predicate `column = value`.
    pub fn eq(mut self, column: Column, value: u64) -> Self {
        self.eq.push((column, value));
        self
    }

    /// Sets the range predicate: `column` within `bounds` (`100..200`, `..=50`, `7..`, or a
    /// `(Bound, Bound)` pair).
    pub fn range(mut self, column: Column, bounds: impl RangeBounds<u64>) -> Self {
        self.range = Some((
            column,
            bounds.start_bound().cloned(),
            bounds.end_bound().cloned(),
        ));
        self
    }
}

/// How a query reads the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// A seek in the index: equality on the index columns `eq` (the first `eq.len()`
    /// columns of the index, in index order), then, if `range` is `Some(column)`, the range
    /// predicate on the next index column, `column`.
    IndexSeek {
        eq: Vec<Column>,
        range: Option<Column>,
    },
    /// Every row is read, because the index's first column (`unconstrained`) has no
    /// predicate the index can use.
    FullScan { unconstrained: Column },
}

/// Why a predicate cannot narrow the seek and is tested on each entry read instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterReason {
    /// Its column is not one of the index columns.
    NotIndexed,
    /// Its column comes after the boundary column given here, which has no predicate.
    AfterGap(Column),
    /// Its column comes after the boundary column given here, which the range is on.
    AfterRange(Column),
}

/// What [`Table::explain`] returns: the access path, and the predicates left to filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub access: Access,
    /// Every predicate the access does not use, with the reason, sorted by column.
    pub filters: Vec<(Column, FilterReason)>,
}

/// What [`Table::query`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryResult {
    /// The matching rows, in index order.
    pub rows: Vec<Row>,
    /// How many index entries (or rows, for a full scan) the query read.
    pub examined: usize,
}

/// An in-memory table with one composite B-tree index.
pub struct Table {
    columns: Vec<Column>,
    rows: HashMap<u64, Row>,
    /// (values of `columns` in index order, id): sorted as the index is.
    index: BTreeSet<(Vec<u64>, u64)>,
}

/// The part of the index a query reads: the entries that start with `prefix` and, if
/// `range` is given, whose next value is within it.
struct Seek {
    prefix: Vec<u64>,
    range: Option<(Bound<u64>, Bound<u64>)>,
}

impl Table {
    /// An empty table with an index on `columns`, in that order (1 to 5 distinct columns).
    pub fn new(columns: &[Column]) -> Self {
        Table {
            columns: columns.to_vec(),
            rows: HashMap::new(),
            index: BTreeSet::new(),
        }
    }

    /// Adds `row` and its index entry, and returns true; or returns false and changes
    /// nothing if a row with the same id exists.
    pub fn insert(&mut self, row: Row) -> bool {
        if self.rows.contains_key(&row.id) {
            return false;
        }
        self.rows.insert(row.id, row);
        self.index.insert((self.key(&row), row.id));
        true
    }

    /// Removes the row with this id and its index entry, and returns it (`None` if absent).
    pub fn delete(&mut self, id: u64) -> Option<Row> {
        let row = self.rows.remove(&id)?;
        self.index.remove(&(self.key(&row), id));
        Some(row)
    }

    /// How many rows the table holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table holds no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows matching every predicate of `query`, in index order, and how many index
    /// entries or rows were read to find them.
    pub fn query(&self, query: &Query) -> QueryResult {
        let (_, seek) = self.plan(query);
        let mut rows = Vec::new();
        let mut examined = 0;
        let mut keep = |id: &u64| {
            let row = &self.rows[id];
            if matches(query, row) {
                rows.push(*row);
            }
        };
        match seek {
            None => {
                for id in self.rows.keys() {
                    examined += 1;
                    keep(id);
                }
            }
            Some(Seek { prefix, range }) => {
                let p = prefix.len();
                let mut start = prefix.clone();
                if let Some((low, _)) = range {
                    match low {
                        Bound::Included(v) => start.push(v),
                        Bound::Excluded(v) => match v.checked_add(1) {
                            Some(v) => start.push(v),
                            // Nothing is above u64::MAX.
                            None => return QueryResult { rows, examined },
                        },
                        Bound::Unbounded => {}
                    }
                }
                // (start, 0) sorts before every entry whose key begins with `start`.
                for (key, id) in self
                    .index
                    .range((Bound::Included((start, 0)), Bound::Unbounded))
                {
                    examined += 1;
                    if key[..p] != prefix[..] {
                        break;
                    }
                    if let Some((_, high)) = range {
                        if !below(key[p], high) {
                            break;
                        }
                    }
                    keep(id);
                }
            }
        }
        QueryResult { rows, examined }
    }

    /// The plan [`Table::query`] follows for `query`: it depends on the index and the
    /// query, never on the rows.
    pub fn explain(&self, query: &Query) -> Plan {
        self.plan(query).0
    }

    /// The leftmost-prefix rule: the plan, and the part of the index to read (`None`: all).
    fn plan(&self, query: &Query) -> (Plan, Option<Seek>) {
        let eq_value =
            |column: Column| query.eq.iter().find(|(c, _)| *c == column).map(|&(_, v)| v);
        let mut eq = Vec::new();
        let mut prefix = Vec::new();
        let mut range = None;
        // Index columns after the boundary, and the reason they cannot be used.
        let mut beyond: &[Column] = &[];
        let mut why = FilterReason::NotIndexed;
        for (at, &column) in self.columns.iter().enumerate() {
            if let Some(value) = eq_value(column) {
                eq.push(column);
                prefix.push(value);
                continue;
            }
            why = match query.range {
                Some((c, low, high)) if c == column => {
                    range = Some((low, high));
                    FilterReason::AfterRange(column)
                }
                _ => FilterReason::AfterGap(column),
            };
            beyond = &self.columns[at + 1..];
            break;
        }
        let reason = |column: Column| {
            if beyond.contains(&column) {
                why
            } else {
                FilterReason::NotIndexed
            }
        };
        let mut filters: Vec<(Column, FilterReason)> = query
            .eq
            .iter()
            .map(|&(c, _)| c)
            .filter(|c| !eq.contains(c))
            .map(|c| (c, reason(c)))
            .collect();
        if let Some((c, _, _)) = query.range {
            if range.is_none() {
                filters.push((c, reason(c)));
            }
        }
        filters.sort_by_key(|f| f.0);
        if eq.is_empty() && range.is_none() {
            let access = Access::FullScan {
                unconstrained: self.columns[0],
            };
            return (Plan { access, filters }, None);
        }
        let access = Access::IndexSeek {
            eq,
            range: range.map(|_| self.columns[prefix.len()]),
        };
        (Plan { access, filters }, Some(Seek { prefix, range }))
    }

    /// The index key of `row`: its values in the index columns, in index order.
    fn key(&self, row: &Row) -> Vec<u64> {
        self.columns.iter().map(|&c| row.get(c)).collect()
    }
}

/// Whether `row` satisfies every predicate of `query`.
fn matches(query: &Query, row: &Row) -> bool {
    query.eq.iter().all(|&(c, v)| row.get(c) == v)
        && query.range.is_none_or(|(c, low, high)| {
            let v = row.get(c);
            let above = match low {
                Bound::Included(l) => v >= l,
                Bound::Excluded(l) => v > l,
                Bound::Unbounded => true,
            };
            above && below(v, high)
        })
}

/// Whether `value` is within the upper bound `high`.
fn below(value: u64, high: Bound<u64>) -> bool {
    match high {
        Bound::Included(h) => value <= h,
        Bound::Excluded(h) => value < h,
        Bound::Unbounded => true,
    }
}
