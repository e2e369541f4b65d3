//! Mutant: the guard's Drop returns early while a panic unwinds ("the borrower crashed
//! mid-query, don't reuse its connection"), so the connection is dropped but its slot is
//! never freed: every crashing request leaks a slot until the pool is empty.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

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

/// A connection and the time it was opened (its age never resets).
struct Timed<C> {
    conn: C,
    opened_ms: u64,
}

struct Slots<C> {
    /// The top (last) is the most recently returned connection.
    idle: Vec<Timed<C>>,
    /// Slots taken: idle connections, borrowed ones, and connects in progress.
    open: usize,
    waiting: usize,
}

/// A bounded pool of connections, shared by threads through `&self`.
pub struct Pool<M: ConnectionManager> {
    manager: M,
    max_size: usize,
    max_lifetime_ms: u64,
    slots: Mutex<Slots<M::Connection>>,
    /// Signalled when a connection is given back or a slot is freed.
    available: Condvar,
}

/// A borrowed connection. Use it through `*` (it derefs to the connection); dropping it
/// gives the connection back to its pool.
pub struct PooledConnection<'a, M: ConnectionManager> {
    pool: &'a Pool<M>,
    /// `Some` until the guard is dropped.
    timed: Option<Timed<M::Connection>>,
}

/// What step 1 to 4 of a checkout decided under the lock.
enum Decision<C> {
    Reuse(Timed<C>),
    Connect,
    TimedOut,
}

impl<M: ConnectionManager> Pool<M> {
    /// A pool of at most `max_size` connections opened by `manager`, each closed once it is
    /// `max_lifetime_ms` old. Opens nothing yet. Panics if `max_size == 0`.
    pub fn new(manager: M, max_size: usize, max_lifetime_ms: u64) -> Self {
        assert!(max_size > 0, "a connection pool needs max_size >= 1");
        Pool {
            manager,
            max_size,
            max_lifetime_ms,
            slots: Mutex::new(Slots {
                idle: Vec::new(),
                open: 0,
                waiting: 0,
            }),
            available: Condvar::new(),
        }
    }

    /// Borrows a connection: an idle one, or a new one if a slot is free, or the first one
    /// given back within `timeout` (see the rules for the exact order).
    pub fn checkout(&self, timeout: Duration) -> Result<PooledConnection<'_, M>, CheckoutError> {
        // `None`: the deadline is beyond what `Instant` can represent, so never time out.
        let deadline = Instant::now().checked_add(timeout);
        let mut expired = Vec::new();
        let mut slots = self.lock();
        let mut counted_as_waiting = false;
        let decision = loop {
            expired.append(&mut self.sweep_expired(&mut slots));
            if let Some(timed) = slots.idle.pop() {
                break Decision::Reuse(timed);
            }
            if slots.open < self.max_size {
                slots.open += 1;
                break Decision::Connect;
            }
            let remaining = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if remaining.is_zero() {
                break Decision::TimedOut;
            }
            if !counted_as_waiting {
                slots.waiting += 1;
                counted_as_waiting = true;
            }
            // A wakeup (real or spurious) only means "look again": the loop does.
            slots = match deadline {
                Some(_) => {
                    self.available
                        .wait_timeout(slots, remaining)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => self
                    .available
                    .wait(slots)
                    .unwrap_or_else(PoisonError::into_inner),
            };
        };
        if counted_as_waiting {
            slots.waiting -= 1;
        }
        drop(slots);
        // Closing connections can take a round trip: not under the lock.
        drop(expired);
        match decision {
            Decision::Reuse(timed) => Ok(PooledConnection {
                pool: self,
                timed: Some(timed),
            }),
            Decision::Connect => self.connect_in_taken_slot(),
            Decision::TimedOut => Err(CheckoutError::Timeout),
        }
    }

    /// How many connections are open and idle, and how many checkouts are waiting.
    pub fn state(&self) -> PoolState {
        let slots = self.lock();
        PoolState {
            open: slots.open,
            idle: slots.idle.len(),
            waiting: slots.waiting,
        }
    }

    /// Takes every idle connection that reached its max lifetime out of the stack, freeing
    /// its slot, and returns them to be closed.
    fn sweep_expired(&self, slots: &mut Slots<M::Connection>) -> Vec<Timed<M::Connection>> {
        let now = self.manager.now_ms();
        let mut expired = Vec::new();
        let mut i = 0;
        while i < slots.idle.len() {
            if now.saturating_sub(slots.idle[i].opened_ms) >= self.max_lifetime_ms {
                // `remove`, not `swap_remove`: the stack keeps its order.
                expired.push(slots.idle.remove(i));
            } else {
                i += 1;
            }
        }
        slots.open -= expired.len();
        expired
    }

    /// Calls `connect` for a slot this thread has already taken, with no lock held.
    fn connect_in_taken_slot(&self) -> Result<PooledConnection<'_, M>, CheckoutError> {
        let reservation = Reservation { pool: self };
        let conn = self.manager.connect().map_err(CheckoutError::Connect)?;
        std::mem::forget(reservation);
        let opened_ms = self.manager.now_ms();
        Ok(PooledConnection {
            pool: self,
            timed: Some(Timed { conn, opened_ms }),
        })
    }

    /// Frees a slot whose connection is gone (or never came), and wakes one waiter to use it.
    fn free_slot(&self) {
        self.lock().open -= 1;
        self.available.notify_one();
    }

    /// Nothing panics while holding this lock, but a poisoned one still holds consistent
    /// counts.
    fn lock(&self) -> MutexGuard<'_, Slots<M::Connection>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A slot taken for a connect in progress; dropped without being forgotten (the connect
/// failed or panicked), it frees the slot.
struct Reservation<'a, M: ConnectionManager> {
    pool: &'a Pool<M>,
}

impl<M: ConnectionManager> Drop for Reservation<'_, M> {
    fn drop(&mut self) {
        self.pool.free_slot();
    }
}

impl<M: ConnectionManager> Deref for PooledConnection<'_, M> {
    type Target = M::Connection;

    fn deref(&self) -> &M::Connection {
        &self.timed.as_ref().expect("present until dropped").conn
    }
}

impl<M: ConnectionManager> DerefMut for PooledConnection<'_, M> {
    fn deref_mut(&mut self) -> &mut M::Connection {
        &mut self.timed.as_mut().expect("present until dropped").conn
    }
}

impl<M: ConnectionManager> Drop for PooledConnection<'_, M> {
    /// Runs on a normal return and while a panic unwinds the borrower alike.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let Some(mut timed) = self.timed.take() else {
            return;
        };
        let pool = self.pool;
        if pool.manager.has_broken(&mut timed.conn) {
            drop(timed);
            pool.free_slot();
        } else {
            pool.lock().idle.push(timed);
            pool.available.notify_one();
        }
    }
}
