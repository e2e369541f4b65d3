//! # composite_index: a composite B-tree index and the leftmost-prefix rule
//!
//! A multi-tenant order service keeps every customer's orders in one table, and its busiest
//! endpoint is the tenant's dashboard: "paid orders of tenant 7 from the last week".
//!
//! ```text
//! CREATE INDEX orders_dash ON orders (tenant_id, status, created_at);
//! SELECT * FROM orders
//!  WHERE tenant_id = 7 AND status = 1 AND created_at >= 1700 AND created_at < 2400;
//! -- status 1 means "paid"; created_at is a timestamp
//! ```
//!
//! A composite B-tree index keeps its entries sorted by the tuple of its columns: by
//! `tenant_id`, then `status` within a tenant, then `created_at` within a status, like a
//! phone book sorted by last name, then first name. The dashboard query is then a *seek*:
//! jump to the first entry `(7, 1, 1700)` in O(log n) and read entries in order until they
//! leave the range, touching only the k rows it returns, whether the table holds a
//! thousand rows or a billion. But the phone book cannot find everyone named "John" without
//! reading every page: a query with no predicate on `tenant_id` gets no help from this
//! index, and a predicate on `created_at` helps only if `tenant_id` *and* `status` are
//! fixed. This is the **leftmost-prefix rule**, and getting it wrong is how an index that
//! "exists" leaves a query reading 50 million rows. "Why does column order matter in a
//! composite index?", "why does a range stop the index for the columns after it?" and
//! "read me this EXPLAIN" are staple database questions in backend interviews.
//!
//! ## The task
//!
//! Implement [`Table`]: rows, one composite index on the columns given to [`Table::new`],
//! a [`Table::query`] that uses the index the way a database does and reports how many
//! entries it read, and a [`Table::explain`] that describes the plan. [`Row`], [`Query`] and
//! the plan types are given; keep every signature. The fields of `Table` are yours.
//!
//! ## Rules
//!
//! - **Rows.** A [`Row`] has five `u64` columns; `id` is the primary key. `insert(row)`
//!   adds it and returns `true`, or returns `false` and changes nothing if a row with that
//!   id exists. `delete(id)` removes the row and returns it (`None` if there is none).
//!   Both keep the index up to date. `len()` counts the rows; `is_empty()` is `len() == 0`.
//! - **The index.** `Table::new(columns)` indexes 1 to 5 distinct columns, in the order
//!   given. *Index order* sorts rows by their values in the index columns, first column
//!   first, and rows equal in all of them by `id`.
//! - **Queries.** A [`Query`] is equality predicates (`column = value`) and at most one
//!   range predicate (`column` within two [`Bound`]s), all joined by AND, each column named
//!   at most once. A row matches when every predicate holds. A range that contains no
//!   value at all (`100..50`, `5..5`, `(Excluded(u64::MAX), Unbounded)`) matches nothing,
//!   and must not panic.
//! - **The plan: the leftmost-prefix rule.** Walk the index columns in order. While a
//!   column has an equality predicate, the seek uses it. The first index column without
//!   one is the *boundary*: if the range predicate is on the boundary column, the seek
//!   uses the range too; nothing after the boundary is used. The plan is
//!   `Access::IndexSeek { eq, range }` (`eq`: the index columns used by equality, in index
//!   order; `range`: `Some(boundary)` if the range was used) when the seek uses at least
//!   one predicate, else `Access::FullScan { unconstrained }`, naming the index's first
//!   column. Every predicate the seek does not use goes to `filters`, sorted by `Column`
//!   (its derived `Ord`: `Id`, `TenantId`, `Status`, `CreatedAt`, `Amount`), with why:
//!   `NotIndexed` if its column is not in the index; otherwise its column comes after the
//!   boundary `b`, and it is `AfterRange(b)` if the range is on `b`, `AfterGap(b)` if `b` has
//!   no predicate at all. `explain(query)` returns this plan; it depends on the index and
//!   the query only, never on the rows.
//! - **Results.** `query(q).rows` are the matching rows, in index order, for every plan.
//! - **Counting.** `query(q).examined` is how many index entries (or rows) the query read.
//!   A full scan reads every row: `examined == len()`. An index seek reads only the *seek
//!   range*: the entries equal to the query's values in the `eq` columns and, if the range
//!   is used, whose boundary value is within it. With m entries in the seek range,
//!   `examined` is m, or m + 1 if you read the entry after the seek range to see that it
//!   ended. Filters are tested on the entries read, so they lower the rows returned, not
//!   `examined`.
//!
//! ## Example
//!
//! ```text
//! let mut t = Table::new(&[TenantId, Status, CreatedAt]);
//! rows (id: tenant_id, status, created_at, amount), inserted in this order:
//!   #1: 7, 1, 100,  500     #2: 7, 1, 140,  900     #3: 7, 2, 120,  300
//!   #4: 7, 1, 180, 2500     #5: 8, 1, 110,  700     #6: 7, 1, 160, 1200     #7: 9, 0, 130, 50
//! index order: #1 (7,1,100)  #2 (7,1,140)  #6 (7,1,160)  #4 (7,1,180)  #3 (7,2,120)
//!              #5 (8,1,110)  #7 (9,0,130)
//!
//! WHERE tenant_id = 7 AND status = 1 AND created_at in 120..170
//!   explain: IndexSeek { eq: [TenantId, Status], range: Some(CreatedAt) }, filters []
//!   query:   rows #2, #6; seek range #2 #6 (m = 2): examined 2, or 3 if #4 is read too
//! WHERE tenant_id = 7 AND created_at in 150..
//!   explain: IndexSeek { eq: [TenantId], range: None }, filters [(CreatedAt, AfterGap(Status))]
//!   query:   rows #6, #4; seek range: the 5 entries of tenant 7: examined 5 or 6
//! WHERE tenant_id in 7..=8 AND status = 1
//!   explain: IndexSeek { eq: [], range: Some(TenantId) }, filters [(Status, AfterRange(TenantId))]
//!   query:   rows #1, #2, #6, #4, #5; examined 6 or 7
//! WHERE tenant_id = 7 AND status = 1 AND amount in 1000..
//!   explain: IndexSeek { eq: [TenantId, Status], range: None }, filters [(Amount, NotIndexed)]
//!   query:   rows #6, #4; examined 4 or 5
//! WHERE status = 1
//!   explain: FullScan { unconstrained: TenantId }, filters [(Status, AfterGap(TenantId))]
//!   query:   rows #1, #2, #6, #4, #5; examined 7
//! (no WHERE): FullScan { unconstrained: TenantId }, filters []; all 7 rows; examined 7
//! ```
//!
//! ## Edge cases
//!
//! - An empty range is not an error: no rows, and a seek reads at most one entry.
//! - Bounds can be 0 and `u64::MAX`: `..=u64::MAX` is every value, `(Excluded(u64::MAX), _)`
//!   none (mind the overflow of `u64::MAX + 1`).
//! - When every index column has an equality predicate, the seek has no boundary: a range
//!   or other predicate can only be on a column outside the index, so it is `NotIndexed`.
//! - `id` belongs to the index only if it is one of its columns; otherwise a predicate on
//!   `id` is `NotIndexed`, even though `id` breaks ties in index order.
//! - A deleted row is in no result and no seek range; inserting its id again is allowed.
//!
//! ## Complexity
//!
//! `query` with an index seek must be O(log n + m): find the first entry of the seek range
//! with a seek (see `BTreeMap::range`/`BTreeSet::range`), not by walking the index from its
//! start. A full scan is O(n). `insert` and `delete` are O(log n). The checks verify this
//! by counting, not by timing: they compare `examined` with the m and n above on a table
//! of 20,000 rows, so count every entry your code reads.

use std::marker::PhantomData;
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
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<Row>,
}

impl Table {
    /// An empty table with an index on `columns`, in that order (1 to 5 distinct columns).
    pub fn new(columns: &[Column]) -> Self {
        todo!("create an empty table indexed on {columns:?}")
    }

    /// Adds `row` and its index entry, and returns true; or returns false and changes
    /// nothing if a row with the same id exists.
    pub fn insert(&mut self, row: Row) -> bool {
        todo!("insert {row:?} into the rows and the index")
    }

    /// Removes the row with this id and its index entry, and returns it (`None` if absent).
    pub fn delete(&mut self, id: u64) -> Option<Row> {
        todo!("delete row #{id} from the rows and the index")
    }

    /// How many rows the table holds.
    pub fn len(&self) -> usize {
        todo!("count the rows")
    }

    /// Whether the table holds no rows.
    pub fn is_empty(&self) -> bool {
        todo!("is the table empty?")
    }

    /// The rows matching every predicate of `query`, in index order, and how many index
    /// entries or rows were read to find them.
    pub fn query(&self, query: &Query) -> QueryResult {
        todo!("run {query:?}: seek in the index, or scan every row")
    }

    /// The plan [`Table::query`] follows for `query`: it depends on the index and the
    /// query, never on the rows.
    pub fn explain(&self, query: &Query) -> Plan {
        todo!("plan {query:?} with the leftmost-prefix rule")
    }
}
