use super::connection_pool::{CheckoutError, ConnectionManager, Pool, PoolState, PooledConnection};
use crate::kit::{
    Progress, SplitMix64, blocking_seen, bounded, collide, learner, on_helper, patience,
    quiet_thread, try_learner,
};
use crate::support::{explain, history};

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Barrier, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// A fake database: it counts connects, remembers which connections were closed, fails the
// connects it is told to, and its clock moves only when a check moves it.

struct Db {
    /// `connect` calls so far: the n-th call opens (or fails to open) connection n.
    attempts: AtomicU64,
    /// Connections dropped (closed), in the order they were dropped.
    closed: Mutex<Vec<u64>>,
    now_ms: AtomicU64,
    /// The next `connect` fails ("connection n refused").
    fail_next: AtomicBool,
}

impl Db {
    fn new() -> Arc<Self> {
        Arc::new(Db {
            attempts: AtomicU64::new(0),
            closed: Mutex::new(Vec::new()),
            now_ms: AtomicU64::new(0),
            fail_next: AtomicBool::new(false),
        })
    }

    fn attempts(&self) -> u64 {
        self.attempts.load(Ordering::SeqCst)
    }

    fn closed(&self) -> Vec<u64> {
        self.closed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_now(&self, ms: u64) {
        self.now_ms.store(ms, Ordering::SeqCst);
    }
}

/// What a check's `connect` does for connection n before it opens: `Err` makes it fail.
type Hook = Arc<dyn Fn(u64) -> Result<(), String> + Send + Sync>;

struct Fake {
    db: Arc<Db>,
    hook: Option<Hook>,
}

fn manager(db: &Arc<Db>, hook: Option<Hook>) -> Fake {
    Fake {
        db: Arc::clone(db),
        hook,
    }
}

/// A fake connection: it knows its number, can be broken by its borrower, and reports
/// when it is closed.
struct Conn {
    id: u64,
    broken: bool,
    /// Set while a check's thread uses the connection: a second borrower would see it.
    in_use: AtomicBool,
    db: Arc<Db>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.db
            .closed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(self.id);
    }
}

impl ConnectionManager for Fake {
    type Connection = Conn;

    fn connect(&self) -> Result<Conn, String> {
        let id = self.db.attempts.fetch_add(1, Ordering::SeqCst) + 1;
        if self.db.fail_next.swap(false, Ordering::SeqCst) {
            return Err(format!("connection {id} refused"));
        }
        if let Some(hook) = &self.hook {
            hook(id)?;
        }
        Ok(Conn {
            id,
            broken: false,
            in_use: AtomicBool::new(false),
            db: Arc::clone(&self.db),
        })
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.broken
    }

    fn now_ms(&self) -> u64 {
        self.db.now_ms.load(Ordering::SeqCst)
    }
}

type Checkout = Result<u64, CheckoutError>;

fn shown(got: &Checkout) -> String {
    match got {
        Ok(id) => format!("Ok(connection {id})"),
        Err(e) => format!("Err({e:?})"),
    }
}

fn dur(d: Duration) -> String {
    if d == Duration::ZERO {
        "Duration::ZERO".to_string()
    } else if d == Duration::MAX {
        "Duration::MAX".to_string()
    } else if d.as_millis() % 1000 == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn state(open: usize, idle: usize, waiting: usize) -> PoolState {
    PoolState {
        open,
        idle,
        waiting,
    }
}

const LONG: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// One thread: scripted calls whose failure messages list every call before them.

struct Script<'p> {
    pool: &'p Pool<Fake>,
    db: &'p Db,
    calls: Vec<String>,
    held: Vec<(&'static str, PooledConnection<'p, Fake>)>,
    progress: &'p Progress,
}

/// Runs `body` on a new pool of `max_size` and `max_lifetime_ms`, with the clock at 0.
fn script(
    progress: &Progress,
    max_size: usize,
    max_lifetime_ms: u64,
    body: impl FnOnce(&mut Script<'_>),
) {
    let db = Db::new();
    let call = format!("Pool::new(manager, {max_size}, {max_lifetime_ms})");
    progress.set(call.clone());
    let pool = learner(
        || call.clone(),
        || Pool::new(manager(&db, None), max_size, max_lifetime_ms),
    );
    let mut s = Script {
        pool: &pool,
        db: &db,
        calls: vec![call],
        held: Vec::new(),
        progress,
    };
    body(&mut s);
    let Script { held, calls, .. } = s;
    for (name, guard) in held {
        let context = format!("after {}: drop({name})", history(&calls));
        learner(|| context, || drop(guard));
    }
}

impl<'p> Script<'p> {
    fn context(&self, call: &str) -> String {
        format!("after {}: {call}", history(&self.calls))
    }

    /// `let name = checkout(timeout)`; the guard is kept under `name` if one comes back.
    fn checkout(&mut self, name: &'static str, timeout: Duration, expected: Checkout, why: &str) {
        let call = match expected {
            Ok(_) => format!("let {name} = checkout({})", dur(timeout)),
            Err(_) => format!("checkout({})", dur(timeout)),
        };
        let context = self.context(&call);
        if timeout.is_zero() {
            self.progress
                .set(format!("{context} (Duration::ZERO: it never waits)"));
        } else {
            self.progress.set(context.clone());
        }
        let pool = self.pool;
        let got = learner(|| context.clone(), || pool.checkout(timeout));
        let (got, guard) = match got {
            Ok(guard) => (Ok(guard.id), Some(guard)),
            Err(e) => (Err(e), None),
        };
        if got != expected {
            panic!(
                "{context} returned {}, expected {}{}",
                shown(&got),
                shown(&expected),
                explain(why)
            );
        }
        self.calls.push(format!("{call} -> {}", shown(&got)));
        if let Some(guard) = guard {
            self.held.push((name, guard));
        }
    }

    /// Drops the guard kept under `name`, with its connection marked broken first if
    /// `broken`.
    fn give_back(&mut self, name: &str, broken: bool) {
        let at = self
            .held
            .iter()
            .position(|(n, _)| *n == name)
            .expect("the script holds that guard");
        let (_, mut guard) = self.held.remove(at);
        let call = if broken {
            format!("drop({name}) (connection {} is broken)", guard.id)
        } else {
            format!("drop({name})")
        };
        let context = self.context(&call);
        self.progress.set(context.clone());
        if broken {
            guard.broken = true;
        }
        learner(|| context, || drop(guard));
        self.calls.push(call);
    }

    fn state(&mut self, expected: PoolState, why: &str) {
        let context = self.context("state()");
        self.progress.set(context.clone());
        let pool = self.pool;
        let got = learner(|| context.clone(), || pool.state());
        if got != expected {
            panic!(
                "{context} returned {got:?}, expected {expected:?}{}",
                explain(why)
            );
        }
    }

    fn now(&mut self, ms: u64) {
        self.db.set_now(ms);
        self.calls.push(format!("now = {ms} ms"));
    }

    /// The manager's books: `connect` calls so far, and the connections closed, in order.
    fn books(&mut self, connects: u64, closed: &[u64], why: &str) {
        let (got_connects, got_closed) = (self.db.attempts(), self.db.closed());
        if got_connects != connects {
            panic!(
                "{}: connect() was called {got_connects} times, expected {connects}{}",
                self.context("the manager's books"),
                explain(why)
            );
        }
        if got_closed != closed {
            panic!(
                "{}: the connections closed (dropped) so far are {got_closed:?}, expected \
                 {closed:?}{}",
                self.context("the manager's books"),
                explain(why)
            );
        }
    }
}

#[test]
fn the_statement_example_works() {
    bounded(|progress| {
        script(progress, 2, 30_000, |s| {
            let second = Duration::from_secs(1);
            s.state(state(0, 0, 0), "a new pool opens nothing");
            s.checkout("a", second, Ok(1), "the pool was empty: connect");
            s.checkout("b", second, Ok(2), "one slot was left: connect");
            s.checkout(
                "x",
                Duration::ZERO,
                Err(CheckoutError::Timeout),
                "both in use",
            );
            s.give_back("a", false);
            s.state(state(2, 1, 0), "connection 1 is idle, connection 2 in use");
            s.checkout("c", Duration::ZERO, Ok(1), "connection 1 is idle: reuse it");
            s.give_back("b", true);
            s.state(state(1, 0, 0), "the broken connection 2 was closed");
            s.give_back("c", false);
            s.now(29_999);
            s.checkout(
                "d",
                second,
                Ok(1),
                "connection 1 is 29 999 ms old: still good",
            );
            s.give_back("d", false);
            s.now(30_000);
            s.checkout(
                "e",
                second,
                Ok(3),
                "connection 1 is 30 000 ms old: closed, and a new one opened",
            );
            s.state(
                state(1, 0, 0),
                "connection 1 was closed for its age, freeing its slot; connection 3 is in use",
            );
            s.books(3, &[2, 1], "connections 2 and 1 were closed, in that order");
        });
    });
}

#[test]
fn new_opens_nothing_and_panics_on_max_size_zero() {
    bounded(|progress| {
        script(progress, 3, 1_000, |s| {
            s.state(state(0, 0, 0), "connections are opened on demand");
            s.books(0, &[], "Pool::new opens no connection");
        });
        let db = Db::new();
        progress.set("Pool::new(manager, 0, 1000)");
        let got = try_learner(|| Pool::new(manager(&db, None), 0, 1_000).state());
        if let Ok(got) = got {
            panic!(
                "Pool::new(manager, 0, 1000) returned a pool (its state() is {got:?}), \
                 expected a panic: a pool of size 0 could never hand out a connection"
            );
        }
    });
}

#[test]
fn a_given_back_connection_is_reused_without_connecting() {
    bounded(|progress| {
        script(progress, 2, 1_000, |s| {
            s.checkout("a", LONG, Ok(1), "");
            s.give_back("a", false);
            s.state(state(1, 1, 0), "connection 1 went back idle");
            s.checkout("b", LONG, Ok(1), "an idle connection is reused");
            s.state(state(1, 0, 0), "connection 1 in use");
            s.give_back("b", false);
            s.checkout("c", Duration::ZERO, Ok(1), "an idle connection is reused");
            s.give_back("c", false);
            s.books(1, &[], "reusing needs no connect, and closes nothing");
        });
    });
}

#[test]
fn connections_are_opened_on_demand_up_to_max_size() {
    bounded(|progress| {
        script(progress, 3, 1_000, |s| {
            s.checkout("a", LONG, Ok(1), "");
            s.state(state(1, 0, 0), "one connection opened");
            s.checkout("b", LONG, Ok(2), "");
            s.checkout("c", LONG, Ok(3), "");
            s.state(state(3, 0, 0), "three connections in use");
            s.checkout(
                "d",
                Duration::ZERO,
                Err(CheckoutError::Timeout),
                "3 of 3 in use",
            );
            s.state(state(3, 0, 0), "a failed checkout changes nothing");
            s.books(3, &[], "never more than max_size connections");
            s.give_back("b", false);
            s.checkout("e", Duration::ZERO, Ok(2), "connection 2 is idle");
            s.books(3, &[], "connection 2 was reused");
        });
    });
}

#[test]
fn the_most_recently_given_back_connection_is_handed_out_first() {
    bounded(|progress| {
        script(progress, 3, 1_000, |s| {
            s.checkout("a", LONG, Ok(1), "");
            s.checkout("b", LONG, Ok(2), "");
            s.checkout("c", LONG, Ok(3), "");
            s.give_back("a", false);
            s.give_back("c", false);
            s.give_back("b", false);
            s.checkout(
                "d",
                LONG,
                Ok(2),
                "the idle connections are a stack: 2 came back last",
            );
            s.checkout("e", LONG, Ok(3), "3 came back before 2");
            s.give_back("e", false);
            s.checkout("f", LONG, Ok(3), "3 came back last");
            s.checkout("g", LONG, Ok(1), "1 is the only idle connection");
            s.books(3, &[], "");
        });
    });
}

#[test]
fn a_broken_connection_is_closed_and_its_slot_freed() {
    bounded(|progress| {
        script(progress, 2, 1_000, |s| {
            s.checkout("a", LONG, Ok(1), "");
            s.checkout("b", LONG, Ok(2), "");
            s.give_back("a", true);
            s.state(
                state(1, 0, 0),
                "a broken connection is closed, not kept idle",
            );
            s.books(2, &[1], "has_broken said connection 1 is broken: close it");
            s.checkout(
                "c",
                Duration::ZERO,
                Ok(3),
                "its slot is free: open a new connection",
            );
            s.give_back("b", false);
            s.give_back("c", true);
            s.state(state(1, 1, 0), "2 is idle, the broken 3 was closed");
            s.checkout("d", Duration::ZERO, Ok(2), "");
            s.books(3, &[1, 3], "");
        });
    });
}

#[test]
fn a_failed_connect_frees_its_slot_and_is_not_retried() {
    bounded(|progress| {
        script(progress, 1, 1_000, |s| {
            s.db.fail_next.store(true, Ordering::SeqCst);
            s.calls.push("(the next connect fails)".to_string());
            s.checkout(
                "a",
                LONG,
                Err(CheckoutError::Connect("connection 1 refused".to_string())),
                "connect's error is returned at once",
            );
            s.books(1, &[], "a failed connect is not retried");
            s.state(state(0, 0, 0), "a failed connect frees the slot it took");
            s.checkout("b", Duration::ZERO, Ok(2), "the slot is free again");
            s.state(state(1, 0, 0), "");
        });
    });
}

#[test]
fn a_connection_that_reached_max_lifetime_is_closed_and_replaced() {
    bounded(|progress| {
        script(progress, 2, 1_000, |s| {
            s.checkout("a", LONG, Ok(1), "");
            s.give_back("a", false);
            s.now(999);
            s.checkout(
                "b",
                LONG,
                Ok(1),
                "connection 1 is 999 ms old, under max lifetime",
            );
            s.give_back("b", false);
            s.now(1_000);
            s.state(state(1, 1, 0), "nothing is closed before a checkout looks");
            s.checkout(
                "c",
                LONG,
                Ok(2),
                "connection 1 is 1000 ms old: it reached max_lifetime_ms, so it is closed \
                 and a new connection is opened",
            );
            s.state(state(1, 0, 0), "connection 1 was closed, its slot freed");
            s.books(2, &[1], "");
            s.give_back("c", false);
            s.now(1_999);
            s.checkout(
                "d",
                LONG,
                Ok(2),
                "connection 2 was opened at 1000 ms: 999 ms old",
            );
            s.give_back("d", false);
            s.now(2_000);
            s.checkout("e", LONG, Ok(3), "connection 2 is 1000 ms old");
            s.books(3, &[1, 2], "");
        });
    });
}

#[test]
fn every_expired_idle_connection_is_closed_at_checkout() {
    bounded(|progress| {
        script(progress, 3, 100, |s| {
            s.checkout("a", LONG, Ok(1), "");
            s.now(50);
            s.checkout("b", LONG, Ok(2), "");
            s.checkout("c", LONG, Ok(3), "");
            s.give_back("a", false);
            s.give_back("b", false);
            s.give_back("c", false);
            s.now(100);
            s.checkout(
                "d",
                LONG,
                Ok(3),
                "connection 1 (100 ms old) is closed; 3 is the most recently given back",
            );
            s.books(
                3,
                &[1],
                "step 1 closes every idle connection that reached max lifetime",
            );
            s.state(state(2, 1, 0), "1 closed, 2 idle, 3 in use");
            s.now(150);
            s.checkout(
                "e",
                LONG,
                Ok(4),
                "connection 2 (100 ms old) is closed, and a new connection takes its slot",
            );
            s.state(state(2, 0, 0), "3 and 4 in use");
            s.books(4, &[1, 2], "");
        });
    });
}

#[test]
fn max_lifetime_zero_never_reuses_a_connection() {
    bounded(|progress| {
        script(progress, 2, 0, |s| {
            s.checkout("a", LONG, Ok(1), "");
            s.give_back("a", false);
            s.state(state(1, 1, 0), "a connection goes back idle");
            s.checkout(
                "b",
                LONG,
                Ok(2),
                "connection 1 is 0 ms old, and 0 >= max_lifetime_ms",
            );
            s.state(state(1, 0, 0), "connection 1 was closed");
            s.books(2, &[1], "");
        });
    });
}

// ---------------------------------------------------------------------------------------
// Model: random calls on one thread, against a simple pool that is obviously right.

#[derive(Clone, Copy, Debug)]
enum Op {
    Checkout,
    /// Drop the guard at this index (modulo the guards held), if any.
    GiveBack(usize),
    GiveBackBroken(usize),
    Advance(u64),
    FailNextConnect,
}

struct Model {
    max_size: usize,
    max_lifetime_ms: u64,
    now: u64,
    /// (connection, opened at); the top is the last.
    idle: Vec<(u64, u64)>,
    held: Vec<(u64, u64)>,
    open: usize,
    attempts: u64,
    closed: Vec<u64>,
    fail_next: bool,
}

impl Model {
    fn checkout(&mut self) -> Checkout {
        let (now, max) = (self.now, self.max_lifetime_ms);
        let mut kept = Vec::new();
        for (id, opened) in std::mem::take(&mut self.idle) {
            if now - opened >= max {
                self.closed.push(id);
                self.open -= 1;
            } else {
                kept.push((id, opened));
            }
        }
        self.idle = kept;
        if let Some(conn) = self.idle.pop() {
            self.held.push(conn);
            return Ok(conn.0);
        }
        if self.open == self.max_size {
            return Err(CheckoutError::Timeout);
        }
        self.attempts += 1;
        if std::mem::take(&mut self.fail_next) {
            return Err(CheckoutError::Connect(format!(
                "connection {} refused",
                self.attempts
            )));
        }
        self.open += 1;
        self.held.push((self.attempts, now));
        Ok(self.attempts)
    }
}

struct Params {
    seed: u64,
    max_size: usize,
    max_lifetime_ms: u64,
}

/// Replays `ops` on a new pool; `transcript` gets each op that went right, as text.
fn first_mismatch(
    params: &Params,
    ops: &[Op],
    transcript: &RefCell<Vec<String>>,
) -> Option<(usize, String)> {
    transcript.borrow_mut().clear();
    let db = Db::new();
    let pool = match try_learner(|| {
        Pool::new(manager(&db, None), params.max_size, params.max_lifetime_ms)
    }) {
        Ok(pool) => pool,
        Err(panicked) => {
            let call = format!(
                "Pool::new(manager, {}, {})",
                params.max_size, params.max_lifetime_ms
            );
            return Some((0, format!("{call} {panicked}")));
        }
    };
    let current = RefCell::new(String::new());
    crate::kit::first_mismatch(
        ops,
        || {
            let held: Vec<PooledConnection<'_, Fake>> = Vec::new();
            let model = Model {
                max_size: params.max_size,
                max_lifetime_ms: params.max_lifetime_ms,
                now: 0,
                idle: Vec::new(),
                held: Vec::new(),
                open: 0,
                attempts: 0,
                closed: Vec::new(),
                fail_next: false,
            };
            (held, model)
        },
        |(held, model), op| {
            let done = match *op {
                Op::Checkout => {
                    *current.borrow_mut() = "checkout(Duration::ZERO)".to_string();
                    let expected = model.checkout();
                    let got = match pool.checkout(Duration::ZERO) {
                        Ok(guard) => {
                            let id = guard.id;
                            held.push(guard);
                            Ok(id)
                        }
                        Err(e) => Err(e),
                    };
                    if got != expected {
                        return Some(format!(
                            "checkout(Duration::ZERO) returned {}, expected {}",
                            shown(&got),
                            shown(&expected)
                        ));
                    }
                    format!("checkout(Duration::ZERO) -> {}", shown(&got))
                }
                Op::GiveBack(k) | Op::GiveBackBroken(k) => {
                    if held.is_empty() {
                        return None;
                    }
                    let broken = matches!(op, Op::GiveBackBroken(_));
                    let at = k % held.len();
                    let mut guard = held.remove(at);
                    let conn = model.held.remove(at);
                    let text = if broken {
                        format!("drop(guard of connection {}, which is broken)", conn.0)
                    } else {
                        format!("drop(guard of connection {})", conn.0)
                    };
                    *current.borrow_mut() = text.clone();
                    guard.broken = broken;
                    drop(guard);
                    if broken {
                        model.closed.push(conn.0);
                        model.open -= 1;
                    } else {
                        model.idle.push(conn);
                    }
                    text
                }
                Op::Advance(ms) => {
                    model.now += ms;
                    db.set_now(model.now);
                    format!("now = {} ms", model.now)
                }
                Op::FailNextConnect => {
                    model.fail_next = true;
                    db.fail_next.store(true, Ordering::SeqCst);
                    "(the next connect fails)".to_string()
                }
            };
            *current.borrow_mut() = format!("state() after {done}");
            let got = pool.state();
            let expected = PoolState {
                open: model.open,
                idle: model.idle.len(),
                waiting: 0,
            };
            if got != expected {
                return Some(format!(
                    "{done}, then state() returned {got:?}, expected {expected:?}"
                ));
            }
            if db.attempts() != model.attempts {
                return Some(format!(
                    "{done}: connect() has been called {} times in all, expected {}",
                    db.attempts(),
                    model.attempts
                ));
            }
            let mut closed = db.closed();
            closed.sort_unstable();
            let mut expected = model.closed.clone();
            expected.sort_unstable();
            if closed != expected {
                return Some(format!(
                    "{done}: the connections closed so far are {closed:?}, expected \
                     {expected:?}"
                ));
            }
            transcript.borrow_mut().push(done);
            None
        },
        |_, panicked| format!("{} {panicked}", current.borrow()),
    )
}

#[test]
fn random_operations_on_one_thread_match_a_model() {
    bounded(|progress| {
        const OPS: usize = 300;
        for seed in 0xC0_0000..0xC0_0000 + 8u64 {
            let mut rng = SplitMix64(seed);
            let params = Params {
                seed,
                max_size: 1 + rng.below(3) as usize,
                max_lifetime_ms: [1, 30, 100][rng.below(3) as usize],
            };
            let call = format!(
                "Pool::new(manager, {}, {})",
                params.max_size, params.max_lifetime_ms
            );
            progress.set(call.clone());
            let db = Db::new();
            learner(
                || call,
                || Pool::new(manager(&db, None), params.max_size, params.max_lifetime_ms),
            );
            progress.set(format!("random operations (seed {seed:#x})"));
            let ops: Vec<Op> = (0..OPS)
                .map(|_| match rng.below(20) {
                    0..=7 => Op::Checkout,
                    8..=12 => Op::GiveBack(rng.below(8) as usize),
                    13..=14 => Op::GiveBackBroken(rng.below(8) as usize),
                    15..=17 => Op::Advance(rng.below(41)),
                    _ => Op::FailNextConnect,
                })
                .collect();
            let transcript = RefCell::new(Vec::new());
            if let Some((at, _)) = first_mismatch(&params, &ops, &transcript) {
                let failing = crate::kit::shrink(ops[..=at].to_vec(), |ops| {
                    first_mismatch(&params, ops, &transcript).map(|(at, _)| at)
                });
                let (_, why) = first_mismatch(&params, &failing, &transcript)
                    .expect("a shrunk sequence still fails");
                let mut calls = vec![format!(
                    "Pool::new(manager, {}, {})",
                    params.max_size, params.max_lifetime_ms
                )];
                calls.extend(transcript.borrow().iter().cloned());
                panic!(
                    "random operations (seed {:#x}), shrunk to: {}; then {why}",
                    params.seed,
                    calls.join(", ")
                );
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// Threads: a borrower checks out on a thread of its own and holds the connection until the
// check tells it to give it back.

type Outcome = Result<Checkout, String>;

struct Borrower {
    name: &'static str,
    call: String,
    outcome: Receiver<(Outcome, Duration)>,
    seen: RefCell<Option<(Outcome, Duration)>>,
    release: Option<Sender<bool>>,
    dropped: Receiver<Result<(), String>>,
}

impl Borrower {
    fn spawn(pool: &Arc<Pool<Fake>>, name: &'static str, timeout: Duration) -> Self {
        let (outcome_tx, outcome) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<bool>();
        let (dropped_tx, dropped) = mpsc::channel();
        let pool = Arc::clone(pool);
        thread::spawn(move || {
            quiet_thread();
            let start = Instant::now();
            let got = try_learner(|| pool.checkout(timeout));
            let took = start.elapsed();
            match got {
                Ok(Ok(mut guard)) => {
                    let _ = outcome_tx.send((Ok(Ok(guard.id)), took));
                    let broken = release_rx
                        .recv_timeout(Duration::from_secs(5))
                        .unwrap_or(false);
                    guard.broken = broken;
                    let _ = dropped_tx.send(try_learner(|| drop(guard)));
                }
                Ok(Err(e)) => {
                    let _ = outcome_tx.send((Ok(Err(e)), took));
                }
                Err(panicked) => {
                    let _ = outcome_tx.send((Err(panicked), took));
                }
            }
        });
        Borrower {
            name,
            call: format!("checkout({})", dur(timeout)),
            outcome,
            seen: RefCell::new(None),
            release: Some(release),
            dropped,
        }
    }

    /// What the checkout returned, if it has returned yet.
    fn peek(&self) -> Option<(Outcome, Duration)> {
        if self.seen.borrow().is_none() {
            if let Ok(got) = self.outcome.try_recv() {
                *self.seen.borrow_mut() = Some(got);
            }
        }
        self.seen.borrow().clone()
    }

    /// What the checkout returned, waiting for it up to `patience()`.
    fn wait(&self) -> Option<(Outcome, Duration)> {
        if self.seen.borrow().is_none() {
            match self.outcome.recv_timeout(patience()) {
                Ok(got) => *self.seen.borrow_mut() = Some(got),
                Err(_) => blocking_seen(),
            }
        }
        self.seen.borrow().clone()
    }

    /// Fails the check unless the checkout returned `expected` (within `patience()`).
    fn expect(&self, setup: &str, expected: Checkout, why: &str) {
        let waited = patience();
        match self.wait() {
            None => panic!(
                "{setup}: thread {}'s {} did not return within {}{}",
                self.name,
                self.call,
                secs(waited),
                explain(why)
            ),
            Some((Err(panicked), _)) => panic!(
                "{setup}: thread {}'s {} {panicked}{}",
                self.name,
                self.call,
                explain(why)
            ),
            Some((Ok(got), took)) => {
                if got != expected {
                    panic!(
                        "{setup}: thread {}'s {} returned {} after {}, expected {}{}",
                        self.name,
                        self.call,
                        shown(&got),
                        secs(took),
                        shown(&expected),
                        explain(why)
                    );
                }
            }
        }
    }

    /// Gives the connection back (broken or not) and waits until the guard is dropped.
    fn give_back(&mut self, setup: &str, broken: bool) {
        if let Some(release) = self.release.take() {
            let _ = release.send(broken);
        }
        match self.dropped.recv_timeout(patience()) {
            Ok(Ok(())) => {}
            Ok(Err(panicked)) => panic!(
                "{setup}: thread {} dropping its connection's guard {panicked}",
                self.name
            ),
            Err(_) => {
                blocking_seen();
                panic!(
                    "{setup}: thread {} dropping its connection's guard did not return within \
                     {}",
                    self.name,
                    secs(patience())
                );
            }
        }
    }
}

fn new_shared_pool(
    progress: &Progress,
    max_size: usize,
    max_lifetime_ms: u64,
    hook: Option<Hook>,
) -> (Arc<Pool<Fake>>, Arc<Db>) {
    let db = Db::new();
    let call = format!("Pool::new(manager, {max_size}, {max_lifetime_ms})");
    progress.set(call.clone());
    let pool = learner(
        || call,
        || Pool::new(manager(&db, hook), max_size, max_lifetime_ms),
    );
    (Arc::new(pool), db)
}

/// Polls `state()` until `waiting` is `n`, failing the check if one of `borrowers` returns
/// meanwhile (it should be blocked) or if it takes longer than `patience()`.
fn until_waiting(
    pool: &Pool<Fake>,
    progress: &Progress,
    setup: &str,
    n: usize,
    borrowers: &[&Borrower],
) {
    let started = Instant::now();
    let limit = patience();
    loop {
        for b in borrowers {
            match b.peek() {
                None => {}
                Some((Err(panicked), _)) => {
                    panic!("{setup}: thread {}'s {} {panicked}", b.name, b.call)
                }
                Some((Ok(got), took)) => panic!(
                    "{setup}: thread {}'s {} returned {} after {}, expected it to wait: every \
                     slot is taken",
                    b.name,
                    b.call,
                    shown(&got),
                    secs(took)
                ),
            }
        }
        let context = format!("{setup}: state()");
        progress.set(context.clone());
        let got = learner(|| context, || pool.state());
        if got.waiting == n {
            return;
        }
        if started.elapsed() > limit {
            blocking_seen();
            let names: Vec<&str> = borrowers.iter().map(|b| b.name).collect();
            panic!(
                "{setup}: state() still returned {got:?} after {}, expected waiting: {n} \
                 (thread {} should be blocked in checkout, waiting for a connection)",
                secs(limit),
                names.join(" and ")
            );
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// A gate a check's `connect` waits at, with a time limit so that a broken pool cannot
/// keep it shut forever.
struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
}

impl Gate {
    fn new() -> Arc<Self> {
        Arc::new(Gate {
            open: Mutex::new(false),
            changed: Condvar::new(),
        })
    }

    fn open(&self) {
        *self.open.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.changed.notify_all();
    }

    fn wait(&self) {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = self
            .changed
            .wait_timeout_while(open, Duration::from_secs(3), |open| !*open);
    }
}

/// A hook that holds connection 1's connect at `gate` (saying so on `entered`) and then
/// fails it with `fail` if given; other connects go through at once.
fn hold_first_connect(gate: &Arc<Gate>, fail: Option<&'static str>) -> (Hook, Receiver<()>) {
    let (entered_tx, entered) = mpsc::channel();
    let entered_tx = Mutex::new(entered_tx);
    let gate = Arc::clone(gate);
    let hook: Hook = Arc::new(move |id| {
        if id == 1 {
            let _ = entered_tx
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .send(());
            gate.wait();
            if let Some(message) = fail {
                return Err(message.to_string());
            }
        }
        Ok(())
    });
    (hook, entered)
}

fn wait_entered(entered: &Receiver<()>, gate: &Gate, setup: &str) {
    if entered.recv_timeout(patience()).is_err() {
        blocking_seen();
        gate.open();
        panic!("{setup}: thread A's checkout never called connect()");
    }
}

/// Checks out on the check's own thread, keeping the guard.
fn checkout_here<'p>(
    pool: &'p Pool<Fake>,
    progress: &Progress,
    context: &str,
    timeout: Duration,
    expected: Checkout,
) -> Option<PooledConnection<'p, Fake>> {
    progress.set(format!("{context}: checkout({})", dur(timeout)));
    let got = learner(
        || format!("{context}: checkout({})", dur(timeout)),
        || pool.checkout(timeout),
    );
    let (shown_got, guard) = match got {
        Ok(guard) => (Ok(guard.id), Some(guard)),
        Err(e) => (Err(e), None),
    };
    if shown_got != expected {
        panic!(
            "{context}: checkout({}) returned {}, expected {}",
            dur(timeout),
            shown(&shown_got),
            shown(&expected)
        );
    }
    guard
}

fn give_back_here(guard: PooledConnection<'_, Fake>, progress: &Progress, context: &str) {
    progress.set(format!("{context}: drop(the guard)"));
    learner(|| format!("{context}: drop(the guard)"), || drop(guard));
}

fn expect_state(pool: &Pool<Fake>, progress: &Progress, context: &str, expected: PoolState) {
    let context = format!("{context}: state()");
    progress.set(context.clone());
    let got = learner(|| context.clone(), || pool.state());
    expect_eq!(got, expected, "{context}");
}

#[test]
fn an_exhausted_pool_times_out_after_the_timeout() {
    bounded(|progress| {
        let (pool, db) = new_shared_pool(progress, 1, 1_000, None);
        let setup = "Pool::new(manager, 1, 1000), then the main thread holds connection 1, \
                     then checkout(50 ms) on thread W";
        let held = checkout_here(&pool, progress, "Pool::new(manager, 1, 1000)", LONG, Ok(1));
        progress.set(setup);
        let timeout = Duration::from_millis(50);
        let w = Borrower::spawn(&pool, "W", timeout);
        let waited = patience();
        match w.wait() {
            None => panic!(
                "{setup}: thread W's checkout(50 ms) did not return within {}: wait at most \
                 the timeout (Condvar::wait_timeout against a deadline), then return \
                 Err(Timeout)",
                secs(waited)
            ),
            Some((Err(panicked), _)) => panic!("{setup}: thread W's checkout(50 ms) {panicked}"),
            Some((Ok(got), took)) => {
                if got != Err(CheckoutError::Timeout) {
                    panic!(
                        "{setup}: thread W's checkout(50 ms) returned {}, expected \
                         Err(Timeout)",
                        shown(&got)
                    );
                }
                if took < timeout {
                    panic!(
                        "{setup}: thread W's checkout(50 ms) returned Err(Timeout) after {}, \
                         expected it to wait the whole 50 ms for a connection to come back",
                        secs(took)
                    );
                }
            }
        }
        expect_state(&pool, progress, setup, state(1, 0, 0));
        if let Some(held) = held {
            give_back_here(held, progress, setup);
        }
        expect_eq!(db.attempts(), 1, "{setup}: connect() calls");
    });
}

#[test]
fn checkout_with_zero_timeout_never_waits() {
    bounded(|progress| {
        let (pool, _db) = new_shared_pool(progress, 2, 1_000, None);
        let setup = "Pool::new(manager, 2, 1000), then the main thread holds connections 1 \
                     and 2, then checkout(Duration::ZERO) on thread W";
        let a = checkout_here(&pool, progress, "Pool::new(manager, 2, 1000)", LONG, Ok(1));
        let b = checkout_here(&pool, progress, "Pool::new(manager, 2, 1000)", LONG, Ok(2));
        progress.set(setup);
        let w = Borrower::spawn(&pool, "W", Duration::ZERO);
        w.expect(
            setup,
            Err(CheckoutError::Timeout),
            "Duration::ZERO means: fail at once when every slot is taken, never wait (it \
             does not mean 'no timeout')",
        );
        drop((a, b));
    });
}

#[test]
fn a_waiter_gets_the_connection_given_back_while_it_waits() {
    bounded(|progress| {
        let (pool, db) = new_shared_pool(progress, 1, 1_000, None);
        let mut setup = "Pool::new(manager, 1, 1000), the main thread holds connection 1, \
                         thread W calls checkout(60 s)"
            .to_string();
        let held = checkout_here(&pool, progress, "Pool::new(manager, 1, 1000)", LONG, Ok(1));
        let mut w = Borrower::spawn(&pool, "W", LONG);
        until_waiting(&pool, progress, &setup, 1, &[&w]);
        setup += " and waits; then the main thread drops its guard";
        if let Some(held) = held {
            give_back_here(held, progress, &setup);
        }
        w.expect(
            &setup,
            Ok(1),
            "a connection given back wakes a waiting checkout, which takes it: no new connect",
        );
        expect_state(&pool, progress, &setup, state(1, 0, 0));
        w.give_back(&setup, false);
        setup += ", then thread W drops its guard";
        expect_state(&pool, progress, &setup, state(1, 1, 0));
        expect_eq!(db.attempts(), 1, "{setup}: connect() calls");
    });
}

#[test]
fn a_huge_timeout_waits_as_long_as_it_takes() {
    bounded(|progress| {
        let (pool, _db) = new_shared_pool(progress, 1, 1_000, None);
        let mut setup = "Pool::new(manager, 1, 1000), the main thread holds connection 1, \
                         thread W calls checkout(Duration::MAX)"
            .to_string();
        let held = checkout_here(&pool, progress, "Pool::new(manager, 1, 1000)", LONG, Ok(1));
        let w = Borrower::spawn(&pool, "W", Duration::MAX);
        until_waiting(&pool, progress, &setup, 1, &[&w]);
        setup += " and waits; then the main thread drops its guard";
        if let Some(held) = held {
            give_back_here(held, progress, &setup);
        }
        w.expect(
            &setup,
            Ok(1),
            "Duration::MAX waits as long as it takes (Instant::now() + Duration::MAX \
             overflows: use checked_add)",
        );
    });
}

#[test]
fn a_waiter_is_woken_when_a_broken_connection_frees_its_slot() {
    bounded(|progress| {
        let (pool, db) = new_shared_pool(progress, 1, 1_000, None);
        let mut setup = "Pool::new(manager, 1, 1000), the main thread holds connection 1, \
                         thread W calls checkout(60 s)"
            .to_string();
        let held = checkout_here(&pool, progress, "Pool::new(manager, 1, 1000)", LONG, Ok(1));
        let mut w = Borrower::spawn(&pool, "W", LONG);
        until_waiting(&pool, progress, &setup, 1, &[&w]);
        setup += " and waits; then connection 1 breaks and the main thread drops its guard";
        if let Some(mut held) = held {
            held.broken = true;
            give_back_here(held, progress, &setup);
        }
        w.expect(
            &setup,
            Ok(2),
            "closing a broken connection frees its slot: wake a waiting checkout, which \
             opens a new connection",
        );
        expect_eq!(db.closed(), vec![1], "{setup}: the connections closed");
        w.give_back(&setup, false);
        expect_state(&pool, progress, &setup, state(1, 1, 0));
    });
}

#[test]
fn a_checkout_during_a_connect_never_exceeds_max_size() {
    bounded(|progress| {
        let gate = Gate::new();
        let (hook, entered) = hold_first_connect(&gate, None);
        let (pool, db) = new_shared_pool(progress, 1, 1_000, Some(hook));
        let setup = "Pool::new(manager, 1, 1000), then thread A calls checkout(60 s), whose \
                     connect() takes its time; meanwhile the main thread calls \
                     checkout(Duration::ZERO)";
        let mut a = Borrower::spawn(&pool, "A", LONG);
        wait_entered(&entered, &gate, setup);
        progress.set(format!("{setup}: checkout(Duration::ZERO)"));
        let shared = Arc::clone(&pool);
        let waited = patience();
        let got = on_helper(move || {
            try_learner(|| shared.checkout(Duration::ZERO).map(|guard| guard.id))
        });
        gate.open();
        let got = match got {
            None => panic!(
                "{setup}: the main thread's checkout(Duration::ZERO) did not return within {}, \
                 expected Err(Timeout) at once: Duration::ZERO never waits, and checkout must \
                 not wait for the pool's lock while another thread's connect() runs",
                secs(waited)
            ),
            Some(Err(panicked)) => {
                panic!("{setup}: the main thread's checkout(Duration::ZERO) {panicked}")
            }
            Some(Ok(got)) => got,
        };
        if got != Err(CheckoutError::Timeout) {
            panic!(
                "{setup}: the main thread's checkout(Duration::ZERO) returned {}, expected \
                 Err(Timeout): thread A's connection, still being opened, already holds the \
                 only slot (take the slot, open += 1, before calling connect, or two threads \
                 open connections for one slot)",
                shown(&got)
            );
        }
        a.expect(setup, Ok(1), "");
        a.give_back(setup, false);
        expect_eq!(db.attempts(), 1, "{setup}: connect() calls");
    });
}

#[test]
fn connect_runs_without_holding_the_pool_lock() {
    bounded(|progress| {
        let gate = Gate::new();
        let (hook, entered) = hold_first_connect(&gate, None);
        let (pool, _db) = new_shared_pool(progress, 2, 1_000, Some(hook));
        let setup = "Pool::new(manager, 2, 1000), then thread A calls checkout(60 s), whose \
                     connect() takes its time";
        let mut a = Borrower::spawn(&pool, "A", LONG);
        wait_entered(&entered, &gate, setup);
        let during = format!("{setup}; while thread A is inside connect(), the main thread");
        let shared = Arc::clone(&pool);
        let waited = patience();
        let got = on_helper(move || try_learner(|| shared.state()));
        let problem = match got {
            None => Some(format!(
                "{during} calls state(), which did not return within {}: never hold the \
                 pool's lock while connect() runs (opening a connection is slow, and every \
                 other thread would wait for it)",
                secs(waited)
            )),
            Some(Err(panicked)) => Some(format!("{during} calls state(), which {panicked}")),
            Some(Ok(got)) if got != state(1, 0, 0) => Some(format!(
                "{during} calls state(), which returned {got:?}, expected {:?}: the slot of \
                 a connection being opened is taken, and counted in open",
                state(1, 0, 0)
            )),
            Some(Ok(_)) => None,
        };
        if let Some(problem) = problem {
            gate.open();
            panic!("{problem}");
        }
        let shared = Arc::clone(&pool);
        let got = on_helper(move || {
            try_learner(|| shared.checkout(Duration::ZERO).map(|guard| guard.id))
        });
        let problem = match got {
            None => Some(format!(
                "{during} calls checkout(Duration::ZERO), which did not return within {}: \
                 never hold the pool's lock while connect() runs",
                secs(waited)
            )),
            Some(Err(panicked)) => Some(format!(
                "{during} calls checkout(Duration::ZERO), which {panicked}"
            )),
            Some(Ok(Ok(2))) => None,
            Some(Ok(got)) => Some(format!(
                "{during} calls checkout(Duration::ZERO), which returned {}, expected \
                 Ok(connection 2): one slot was free",
                shown(&got)
            )),
        };
        if let Some(problem) = problem {
            gate.open();
            panic!("{problem}");
        }
        gate.open();
        a.expect(setup, Ok(1), "its connect() went through");
        a.give_back(setup, false);
    });
}

#[test]
fn a_waiter_is_woken_when_a_connect_fails() {
    bounded(|progress| {
        let gate = Gate::new();
        let (hook, entered) = hold_first_connect(&gate, Some("connection 1 refused"));
        let (pool, db) = new_shared_pool(progress, 1, 1_000, Some(hook));
        let mut setup = "Pool::new(manager, 1, 1000), thread A calls checkout(60 s), whose \
                         connect() blocks"
            .to_string();
        let a = Borrower::spawn(&pool, "A", LONG);
        wait_entered(&entered, &gate, &setup);
        setup += "; thread W calls checkout(60 s)";
        let mut w = Borrower::spawn(&pool, "W", LONG);
        until_waiting(&pool, progress, &setup, 1, &[&w]);
        setup += " and waits; then thread A's connect() fails";
        gate.open();
        a.expect(
            &setup,
            Err(CheckoutError::Connect("connection 1 refused".to_string())),
            "connect's error is returned",
        );
        w.expect(
            &setup,
            Ok(2),
            "a failed connect frees its slot: wake a waiting checkout, which opens a \
             connection of its own",
        );
        w.give_back(&setup, false);
        expect_state(&pool, progress, &setup, state(1, 1, 0));
        expect_eq!(db.attempts(), 2, "{setup}: connect() calls");
    });
}

#[test]
fn a_woken_waiter_that_finds_nothing_waits_again() {
    bounded(|progress| {
        let (pool, _db) = new_shared_pool(progress, 1, 1_000, None);
        let mut held = checkout_here(&pool, progress, "Pool::new(manager, 1, 1000)", LONG, Ok(1));
        let mut taken_first = 0;
        for round in 1..=40 {
            if taken_first == 5 {
                break;
            }
            let setup = format!(
                "Pool::new(manager, 1, 1000), the main thread holds connection 1; round \
                 {round}: thread W calls checkout(60 s)"
            );
            let mut w = Borrower::spawn(&pool, "W", LONG);
            until_waiting(&pool, progress, &setup, 1, &[&w]);
            let setup = format!(
                "{setup} and waits; the main thread drops its guard and at once calls \
                 checkout(Duration::ZERO)"
            );
            if let Some(guard) = held.take() {
                give_back_here(guard, progress, &setup);
            }
            progress.set(format!("{setup}: checkout(Duration::ZERO)"));
            let again = learner(
                || format!("{setup}: checkout(Duration::ZERO)"),
                || pool.checkout(Duration::ZERO),
            );
            match again {
                Ok(guard) => {
                    // This thread took the connection W was woken for. W must wait again.
                    taken_first += 1;
                    let setup = format!(
                        "{setup}, which took connection {} before thread W (woken for it) \
                         could",
                        guard.id
                    );
                    thread::sleep(Duration::from_millis(20));
                    if let Some((got, took)) = w.peek() {
                        match got {
                            Err(panicked) => panic!("{setup}: thread W's checkout {panicked}"),
                            Ok(got) => panic!(
                                "{setup}: thread W's checkout(60 s) returned {} after {}, \
                                 expected it to wait on: being woken is not a promise (the \
                                 connection was taken first), so check again and wait for \
                                 the rest of the timeout, in a loop",
                                shown(&got),
                                secs(took)
                            ),
                        }
                    }
                    give_back_here(guard, progress, &setup);
                    w.expect(
                        &format!("{setup}; then the main thread gives it back"),
                        Ok(1),
                        "the waiter takes the connection given back",
                    );
                }
                Err(CheckoutError::Timeout) => {
                    // W was faster this time.
                    w.expect(&setup, Ok(1), "the waiter takes the connection given back");
                }
                Err(e) => panic!(
                    "{setup}: the main thread's checkout(Duration::ZERO) returned Err({e:?}), \
                     expected Ok(connection 1) or Err(Timeout)"
                ),
            }
            w.give_back(&setup, false);
            held = checkout_here(&pool, progress, &setup, Duration::ZERO, Ok(1));
        }
        drop(held);
    });
}

#[test]
fn a_waiter_never_gets_a_connection_that_expired_while_it_waited() {
    bounded(|progress| {
        let (pool, db) = new_shared_pool(progress, 1, 1_000, None);
        let mut setup = "Pool::new(manager, 1, 1000), at 0 ms the main thread holds \
                         connection 1, thread W calls checkout(60 s)"
            .to_string();
        let held = checkout_here(&pool, progress, "Pool::new(manager, 1, 1000)", LONG, Ok(1));
        let mut w = Borrower::spawn(&pool, "W", LONG);
        until_waiting(&pool, progress, &setup, 1, &[&w]);
        setup += " and waits; now = 1000 ms; the main thread drops its guard";
        db.set_now(1_000);
        if let Some(held) = held {
            give_back_here(held, progress, &setup);
        }
        w.expect(
            &setup,
            Ok(2),
            "connection 1 is 1000 ms old when W wakes: read now_ms() again after every \
             wakeup, close it, and open a new connection",
        );
        expect_eq!(db.closed(), vec![1], "{setup}: the connections closed");
        w.give_back(&setup, false);
    });
}

#[test]
fn a_guard_dropped_during_a_panic_gives_its_connection_back() {
    bounded(|progress| {
        let (pool, db) = new_shared_pool(progress, 1, 1_000, None);
        let setup = "Pool::new(manager, 1, 1000), then thread T calls checkout(60 s) and \
                     panics while holding the guard (a crashing request handler)";
        progress.set(setup);
        let (tx, rx) = mpsc::channel();
        let t = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                quiet_thread();
                let got = try_learner(|| pool.checkout(LONG));
                match got {
                    Ok(Ok(guard)) => {
                        let _ = tx.send(Ok(Ok(guard.id)));
                        panic!("the request handler crashed");
                    }
                    Ok(Err(e)) => {
                        let _ = tx.send(Ok(Err(e)));
                    }
                    Err(panicked) => {
                        let _ = tx.send(Err(panicked));
                    }
                }
            })
        };
        match rx.recv_timeout(patience()) {
            Ok(Ok(Ok(1))) => {}
            Ok(Ok(got)) => panic!(
                "{setup}: thread T's checkout(60 s) returned {}, expected Ok(connection 1)",
                shown(&got)
            ),
            Ok(Err(panicked)) => panic!("{setup}: thread T's checkout(60 s) {panicked}"),
            Err(_) => panic!("{setup}: thread T's checkout(60 s) did not return"),
        }
        let _ = t.join();
        let setup = format!("{setup}; after thread T ended");
        progress.set(format!("{setup}: state()"));
        let got = learner(|| format!("{setup}: state()"), || pool.state());
        if got != state(1, 1, 0) {
            panic!(
                "{setup}: state() returned {got:?}, expected {:?}: the guard is dropped while \
                 the panic unwinds, and its Drop must give the connection back like any \
                 other (a pool that loses a connection per crash ends up empty)",
                state(1, 1, 0)
            );
        }
        let again = checkout_here(&pool, progress, &setup, Duration::ZERO, Ok(1));
        drop(again);
        expect_eq!(db.attempts(), 1, "{setup}: connect() calls");
    });
}

#[test]
fn two_checkouts_at_the_same_instant_never_exceed_max_size() {
    bounded(|progress| {
        // Once a check has seen a solution block, the kit gives every check 150 ms: play
        // fewer rounds then (this race fires within the first few dozen).
        let rounds = if patience() < Duration::from_secs(1) {
            300
        } else {
            5_000
        };
        let setup = "round after round, a new Pool::new(manager, 1, u64::MAX) and two threads \
                     calling checkout(Duration::ZERO) on it at the same instant, each keeping \
                     the connection it gets";
        progress.set(setup);
        let db = Db::new();
        let pools: Vec<Pool<Fake>> = (0..rounds)
            .map(|_| {
                learner(
                    || "Pool::new(manager, 1, u64::MAX)".to_string(),
                    || Pool::new(manager(&db, None), 1, u64::MAX),
                )
            })
            .collect();
        // Each round has a pool of its own, so a connection handed out is never given
        // back: the other thread's checkout must find the only slot taken, whenever it runs.
        let play = |round: usize, _thread: usize| {
            try_learner(|| match pools[round].checkout(Duration::ZERO) {
                Ok(guard) => {
                    let id = guard.id;
                    std::mem::forget(guard);
                    Ok(id)
                }
                Err(e) => Err(e),
            })
        };
        let judge = |round: usize, results: [Result<Checkout, String>; 2]| match results {
            [Err(panicked), _] | [_, Err(panicked)] => Some(format!(
                "in round {round}, checkout(Duration::ZERO) {panicked}"
            )),
            [Ok(Ok(a)), Ok(Ok(b))] => Some(format!(
                "in round {round}, both threads got a connection (connections {a} and {b}) \
                 from a pool of max_size 1, expected Ok for one and Err(Timeout) for the \
                 other: seeing a free slot and taking it (open += 1) must be one step under \
                 one lock; between two locks, the other thread saw the same free slot"
            )),
            [Ok(Ok(_)), Ok(Err(CheckoutError::Timeout))]
            | [Ok(Err(CheckoutError::Timeout)), Ok(Ok(_))] => None,
            [Ok(a), Ok(b)] => Some(format!(
                "in round {round}, the two threads' checkout(Duration::ZERO) returned {} and \
                 {}, expected Ok for one and Err(Timeout) for the other",
                shown(&a),
                shown(&b)
            )),
        };
        if let Some(complaint) = collide(rounds, play, judge) {
            panic!("{setup}: {complaint}");
        }
    });
}

#[test]
fn eight_threads_sharing_three_connections_never_share_one() {
    bounded(|progress| {
        const THREADS: usize = 8;
        const EACH: usize = 60;
        const MAX: usize = 3;
        // Every 7th connect fails; borrowers break one connection in 10.
        let hook: Hook = Arc::new(|id| {
            if id % 7 == 0 {
                Err(format!("connection {id} refused"))
            } else {
                Ok(())
            }
        });
        let (pool, db) = new_shared_pool(progress, MAX, u64::MAX, Some(hook));
        let setup = format!(
            "Pool::new(manager, {MAX}, u64::MAX), then {THREADS} threads at once each calling \
             checkout(60 s) {EACH} times, holding each connection briefly (every 7th connect \
             fails; one connection in 10 is given back broken)"
        );
        progress.set(setup.clone());
        let borrowed = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let start = Barrier::new(THREADS);
        let problems: Mutex<Vec<String>> = Mutex::new(Vec::new());
        thread::scope(|scope| {
            for t in 0..THREADS {
                let (pool, borrowed, peak, start, problems) =
                    (&pool, &borrowed, &peak, &start, &problems);
                scope.spawn(move || {
                    quiet_thread();
                    let mut rng = SplitMix64(0xB0B0 + t as u64);
                    start.wait();
                    for k in 0..EACH {
                        let got = try_learner(|| {
                            let mut guard = match pool.checkout(LONG) {
                                Ok(guard) => guard,
                                Err(CheckoutError::Connect(_)) => return Ok(()),
                                Err(e) => return Err(format!("returned Err({e:?})")),
                            };
                            let now = borrowed.fetch_add(1, Ordering::SeqCst) + 1;
                            peak.fetch_max(now, Ordering::SeqCst);
                            let shared = guard.in_use.swap(true, Ordering::SeqCst);
                            for _ in 0..rng.below(200) {
                                std::hint::spin_loop();
                            }
                            if rng.below(4) == 0 {
                                thread::yield_now();
                            }
                            guard.in_use.store(false, Ordering::SeqCst);
                            borrowed.fetch_sub(1, Ordering::SeqCst);
                            guard.broken = rng.below(10) == 0;
                            let id = guard.id;
                            drop(guard);
                            if shared {
                                return Err(format!(
                                    "handed out connection {id}, which another thread was \
                                     using at the same time"
                                ));
                            }
                            Ok(())
                        });
                        let problem = match got {
                            Ok(Ok(())) => continue,
                            Ok(Err(problem)) => problem,
                            Err(panicked) => panicked,
                        };
                        problems
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(format!("thread {t}'s checkout number {} {problem}", k + 1));
                        return;
                    }
                });
            }
        });
        if let Some(first) = problems
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .first()
        {
            panic!("{setup}: {first}");
        }
        let peak = peak.load(Ordering::SeqCst);
        if peak > MAX {
            panic!(
                "{setup}: {peak} connections were borrowed at the same time, expected at most \
                 {MAX} (max_size)"
            );
        }
        progress.set(format!("{setup}; then state()"));
        let got = learner(|| format!("{setup}; then state()"), || pool.state());
        let attempts = db.attempts();
        let opened = attempts - attempts / 7;
        let alive = (opened - db.closed().len() as u64) as usize;
        let expected = state(alive, alive, 0);
        if got != expected {
            panic!(
                "{setup}; then state() returned {got:?}, expected {expected:?}: \
                 {opened} connections were opened and {} closed (broken), so {alive} are \
                 idle; every slot of a failed connect or a broken connection is freed",
                db.closed().len()
            );
        }
        if alive > MAX {
            panic!("{setup}: {alive} connections are open, expected at most {MAX}");
        }
    });
}
