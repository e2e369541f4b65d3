//! # connection_pool: a bounded pool of database connections shared by threads
//!
//! A checkout service runs 64 request threads against Postgres. Opening a connection costs
//! a TCP handshake, TLS and authentication (tens of milliseconds), and the database accepts
//! only so many connections from all instances together. So each instance keeps a **pool**
//! of at most `max_size` open connections, and a request borrows one for its query and
//! gives it back. Getting this wrong is a classic outage. A connection that is never given
//! back (the request panicked, or an error path forgot it) shrinks the pool for good, until
//! every request waits: **pool exhaustion**. A dead connection (the database restarted, a
//! firewall dropped the idle socket) handed out again and again fails request after
//! request. Opening more than `max_size` makes the database refuse connections. And a
//! request that waits forever for a free connection holds its thread, so the threads pile
//! up behind it; waiting at most a **timeout** and answering `503` keeps the service alive.
//! Pools also recycle connections after a **max lifetime** (HikariCP's `maxLifetime`), so
//! that server-side memory is released and a failover or a new replica behind a load
//! balancer gets connections. Interviewers ask: how big should the pool be (Little's law:
//! 500 queries/s that each hold a connection 10 ms keep 5 busy on average), what happens
//! when it is exhausted, how dead connections are found, max lifetime versus idle timeout,
//! and whether waiters are served fairly.
//!
//! ## The task
//!
//! Implement [`Pool`] and its guard [`PooledConnection`]. Keep the declared signatures;
//! the fields are yours. The pool is shared by threads: every method takes `&self`, the
//! checks call them from many threads at once, and `Pool<M>` must be `Send + Sync`. The
//! pool opens, checks and times connections only through the [`ConnectionManager`] it is
//! given (the checks provide one that counts connects, breaks connections, fails connects
//! and moves its clock by hand). Use only the standard library (`Mutex`, `Condvar`,
//! `Instant` for the checkout timeout).
//!
//! ## Rules
//!
//! 1. `Pool::new(manager, max_size, max_lifetime_ms)` opens no connection: connections are
//!    opened on demand. It panics if `max_size == 0`.
//! 2. **Slots.** The pool's `open` count is the number of connections that exist (idle, in
//!    use, or being opened right now: a slot is taken *before* `connect` is called). It
//!    never exceeds `max_size`, however many threads call `checkout` at once, and a
//!    connection is never handed to two borrowers at once.
//! 3. **`checkout(timeout)`** decides under the pool's lock, in this order:
//!    1. Read `manager.now_ms()` and close (drop) **every** idle connection whose age
//!       (`now_ms` minus the time it was opened) is `>= max_lifetime_ms`. Each closed
//!       connection frees its slot.
//!    2. If a connection is idle, hand out the **most recently returned** one (a stack:
//!       LIFO).
//!    3. Else, if `open < max_size`: take a slot, then call `manager.connect()` **without
//!       holding the pool's lock** (it is slow: other threads must be able to check out,
//!       return and read `state()` meanwhile). On `Ok(conn)`, hand it out; its opened time
//!       is `manager.now_ms()` read after `connect` returned. On `Err(e)`, free the slot,
//!       wake one waiting checkout (a slot is free now), and return
//!       `Err(CheckoutError::Connect(e))`. Never retry.
//!    4. Else every slot is taken: wait until a connection is given back or a slot is
//!       freed, then start again at step 1 (with a fresh `now_ms()`). Wait at most
//!       `timeout` in all, counted from the call; when it has passed and there is still
//!       nothing to hand out, return `Err(CheckoutError::Timeout)`. `Duration::ZERO` never
//!       waits; `Duration::MAX` waits as long as it takes. Being woken is not a promise:
//!       another checkout may have taken the connection first, so check again and wait
//!       again for the rest of the timeout (wakeups can also be spurious).
//! 4. **Giving back.** Dropping the [`PooledConnection`] gives its connection back,
//!    **also when the borrowing thread panics** (the guard is dropped while the panic
//!    unwinds). The pool asks `manager.has_broken(&mut conn)`: a broken connection is
//!    closed (dropped) and its slot freed; any other goes back to the idle stack, keeping
//!    its opened time (use does not make a connection younger). Either way, one waiting
//!    checkout is woken.
//! 5. `state()` returns [`PoolState`]: `open` (rule 2), `idle`, and `waiting`, the number
//!    of checkouts blocked in step 4 right now.
//!
//! ## Examples
//!
//! ```text
//! let pool = Pool::new(manager, 2, 30_000);      // at most 2 connections, each 30 s at most
//! pool.state()               -> PoolState { open: 0, idle: 0, waiting: 0 }
//! now = 0:      let a = pool.checkout(1 s)    -> Ok(connection 1)   connect() was called
//!               let b = pool.checkout(1 s)    -> Ok(connection 2)   connect() again
//!               pool.checkout(ZERO)           -> Err(Timeout)       both slots in use
//!               drop(a)                                             connection 1 is idle
//!               pool.state()                  -> PoolState { open: 2, idle: 1, waiting: 0 }
//!               let c = pool.checkout(ZERO)   -> Ok(connection 1)   reused, no connect()
//!               (connection 2's socket dies) drop(b)                has_broken: closed
//!               pool.state()                  -> PoolState { open: 1, idle: 0, waiting: 0 }
//!               drop(c)
//! now = 29_999: let d = pool.checkout(1 s)    -> Ok(connection 1)   29.999 s old: still good
//!               drop(d)
//! now = 30_000: let e = pool.checkout(1 s)    -> Ok(connection 3)   connection 1 closed (30 s)
//! manager.connect() was called 3 times; connections 2 and 1 were closed, in that order.
//!
//! Thread W waits while thread T holds the only connection of a pool of size 1:
//! W: pool.checkout(60 s)      blocks: state().waiting == 1
//! T: drop(guard)              connection goes back idle, W is woken
//! W:                          -> Ok(the same connection), no connect()
//! ```
//!
//! ## Edge cases
//!
//! - `max_lifetime_ms == 0`: every idle connection has reached it, so none is reused;
//!   every checkout closes the idle ones and opens a new connection.
//! - A connection that grows too old while in use stays with its borrower; it goes back
//!   idle like any other and the next checkout closes it (step 1).
//! - A failed connect leaves no trace: it is not counted in `open` and nothing is closed.
//! - The manager's clock never goes back. Only the checkout timeout uses real time.
//!
//! ## Complexity
//!
//! `checkout` (apart from `connect` and waiting) and giving back are O(1), plus the
//! lifetime sweep of step 1, which is O(idle) and idle <= `max_size`. The lock is held
//! only for these short steps, never while connecting. The checks count: `connect` calls
//! (a pool that opens a connection when an idle one could be reused fails), closed
//! connections, and `state()`. They use real threads with gates inside `connect` to force
//! interleavings, and short bounded waits; a deadlock is reported after 2 seconds.

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

/// What the pool needs from outside: opening connections, spotting broken ones, and the
/// time. In production: a database driver and a monotonic clock; in the checks: fakes.
pub trait ConnectionManager: Send + Sync {
    /// The connection type (in production, a socket with a logged-in session on it).
    /// Dropping a connection closes it.
    type Connection: Send;

    /// Opens a new connection. Slow (network round trips), and it can fail.
    fn connect(&self) -> Result<Self::Connection, String>;

    /// Whether `conn`, just given back by its borrower, is broken and must be closed
    /// instead of reused. Cheap: it looks at the connection, it does not query the server.
    fn has_broken(&self, conn: &mut Self::Connection) -> bool;

    /// The current time in milliseconds, for connection ages. Never goes back.
    fn now_ms(&self) -> u64;
}

/// Why [`Pool::checkout`] returned no connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutError {
    /// Every slot stayed taken for the whole timeout.
    Timeout,
    /// `connect` failed with this message; its slot was freed.
    Connect(String),
}

/// A snapshot of the pool, as a metrics endpoint would report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Connections that exist: idle, in use, or being opened. Never more than `max_size`.
    pub open: usize,
    /// Connections waiting in the pool to be handed out.
    pub idle: usize,
    /// Checkouts blocked right now, waiting for a connection to be given back.
    pub waiting: usize,
}

/// A bounded pool of connections, shared by threads through `&self`.
pub struct Pool<M: ConnectionManager> {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<M>,
}

/// A borrowed connection. Use it through `*` (it derefs to the connection); dropping it
/// gives the connection back to its pool.
pub struct PooledConnection<'a, M: ConnectionManager> {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<&'a Pool<M>>,
}

impl<M: ConnectionManager> Pool<M> {
    /// A pool of at most `max_size` connections opened by `manager`, each closed once it is
    /// `max_lifetime_ms` old. Opens nothing yet. Panics if `max_size == 0`.
    pub fn new(manager: M, max_size: usize, max_lifetime_ms: u64) -> Self {
        let _ = manager;
        todo!("a pool of at most {max_size} connections living {max_lifetime_ms} ms")
    }

    /// Borrows a connection: an idle one, or a new one if a slot is free, or the first one
    /// given back within `timeout` (see the rules for the exact order).
    pub fn checkout(&self, timeout: Duration) -> Result<PooledConnection<'_, M>, CheckoutError> {
        todo!("hand out a connection, waiting at most {timeout:?}")
    }

    /// How many connections are open and idle, and how many checkouts are waiting.
    pub fn state(&self) -> PoolState {
        todo!("report open, idle and waiting")
    }
}

impl<M: ConnectionManager> Deref for PooledConnection<'_, M> {
    type Target = M::Connection;

    fn deref(&self) -> &M::Connection {
        todo!("the borrowed connection")
    }
}

impl<M: ConnectionManager> DerefMut for PooledConnection<'_, M> {
    fn deref_mut(&mut self) -> &mut M::Connection {
        todo!("the borrowed connection, mutably")
    }
}

impl<M: ConnectionManager> Drop for PooledConnection<'_, M> {
    fn drop(&mut self) {
        todo!("give the connection back: idle, or closed if broken; wake a waiter")
    }
}

// The checks share one pool between threads. This fails to compile if your fields make
// `Pool` unsafe to share (use `Mutex`, not `RefCell` or `Cell`).
fn _shared_by_threads<M: ConnectionManager>() {
    fn shared<T: Send + Sync>() {}
    shared::<Pool<M>>();
}
