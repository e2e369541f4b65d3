use super::idempotency_keys::{IdempotencyError, IdempotencyStore, Request, Response};
use crate::kit::{SplitMix64, bounded, collide, learner, try_learner};
use IdempotencyError::KeyReused;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::{self, Display};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Requests, responses and a scripted store.

fn req(method: &str, path: &str, body: &str) -> Request {
    Request {
        method: method.to_string(),
        path: path.to_string(),
        body: body.to_string(),
    }
}

fn charge(amount: u32) -> Request {
    req("POST", "/v1/charges", &format!("amount={amount}"))
}

fn resp(status: u16, body: &str) -> Response {
    Response {
        status,
        body: body.to_string(),
    }
}

/// `POST /v1/charges "amount=500"`, the way messages show a request.
struct Shown<'a>(&'a Request);

impl Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {:?}", self.0.method, self.0.path, self.0.body)
    }
}

fn ttl_text(ttl_ms: u64) -> String {
    if ttl_ms == u64::MAX {
        "u64::MAX".to_string()
    } else {
        ttl_ms.to_string()
    }
}

fn time_text(ms: u64) -> String {
    if ms == u64::MAX {
        "u64::MAX".to_string()
    } else if ms > u64::MAX - 1000 {
        format!("u64::MAX - {}", u64::MAX - ms)
    } else {
        ms.to_string()
    }
}

fn handle_text(key: &str, request: &Request, now_ms: u64) -> String {
    format!(
        "handle({key:?}, {}, {}, handler)",
        Shown(request),
        time_text(now_ms)
    )
}

/// Drives one store through scripted calls; a failure message lists every call before it.
struct Probe {
    store: IdempotencyStore,
    calls: Vec<String>,
}

impl Probe {
    fn new(ttl_ms: u64) -> Self {
        let call = format!("IdempotencyStore::new({})", ttl_text(ttl_ms));
        let store = learner(|| call.clone(), || IdempotencyStore::new(ttl_ms));
        Probe {
            store,
            calls: vec![call],
        }
    }

    fn context(&self, call: &str) -> String {
        format!("after {}: {call}", self.calls.join(", "))
    }

    /// Calls `handle` with a handler that answers `reply`; the handler must run exactly
    /// when `expected` is `Ok(reply)` (scripts give every handler a distinct reply).
    fn call(
        &mut self,
        key: &str,
        request: &Request,
        now_ms: u64,
        reply: Response,
        expected: Result<Response, IdempotencyError>,
    ) {
        let call = handle_text(key, request, now_ms);
        let should_run = expected.as_ref() == Ok(&reply);
        let ran = Cell::new(0usize);
        let store = &self.store;
        let got = learner(
            || self.context(&call),
            || {
                store.handle(key, request, now_ms, |seen: &Request| {
                    ran.set(ran.get() + 1);
                    assert!(
                        seen == request,
                        "the handler was given {}, expected the request {}",
                        Shown(seen),
                        Shown(request)
                    );
                    reply.clone()
                })
            },
        );
        let ran = ran.get();
        let ran_text = match ran {
            0 => "without running the handler".to_string(),
            1 => "after running the handler".to_string(),
            n => format!("after running the handler {n} times"),
        };
        if got != expected {
            let why = match (&expected, should_run) {
                (Ok(_), true) => " (the key is unknown here, so the handler must run)",
                (Ok(_), false) => " (a replay of the stored response, without running the handler)",
                (Err(_), _) => " (refused without running the handler)",
            };
            panic!(
                "{} returned {got:?} {ran_text}, expected {expected:?}{why}",
                self.context(&call)
            );
        }
        if ran != usize::from(should_run) {
            let expected_run = if should_run {
                "exactly once"
            } else {
                "not at all (a replay must not charge the card again)"
            };
            panic!(
                "{} returned {got:?} as expected, but ran the handler {ran} times, expected \
                 {expected_run}",
                self.context(&call)
            );
        }
        self.calls.push(call);
    }

    /// `handle` of an unknown key: runs the handler, which answers `status` and `body`.
    fn run(&mut self, key: &str, request: &Request, now_ms: u64, status: u16, body: &str) {
        let reply = resp(status, body);
        self.call(key, request, now_ms, reply.clone(), Ok(reply));
    }

    /// `handle` of a stored key: returns the stored `status` and `body` without running.
    fn replay(&mut self, key: &str, request: &Request, now_ms: u64, status: u16, body: &str) {
        let reply = resp(299, "not a replay: the handler ran");
        self.call(key, request, now_ms, reply, Ok(resp(status, body)));
    }

    /// `handle` refused with `error`, without running the handler.
    fn refused(&mut self, key: &str, request: &Request, now_ms: u64, error: IdempotencyError) {
        let reply = resp(299, "not refused: the handler ran");
        self.call(key, request, now_ms, reply, Err(error));
    }

    fn purge(&mut self, now_ms: u64, expected: usize) {
        let call = format!("purge_expired({})", time_text(now_ms));
        let store = &self.store;
        let got = learner(|| self.context(&call), || store.purge_expired(now_ms));
        if got != expected {
            panic!(
                "{} returned {got}, expected {expected}",
                self.context(&call)
            );
        }
        self.calls.push(call);
    }

    fn len(&mut self, expected: usize) {
        let store = &self.store;
        let got = learner(|| self.context("len()"), || store.len());
        if got != expected {
            panic!(
                "{} returned {got}, expected {expected}",
                self.context("len()")
            );
        }
    }

    fn is_empty(&mut self, expected: bool) {
        let store = &self.store;
        let got = learner(|| self.context("is_empty()"), || store.is_empty());
        if got != expected {
            panic!(
                "{} returned {got}, expected {expected}",
                self.context("is_empty()")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// One request at a time.

#[test]
fn a_new_key_runs_the_handler_once_and_returns_its_response() {
    let mut s = Probe::new(60_000);
    s.len(0);
    s.is_empty(true);
    s.run("k1", &charge(500), 1_000, 201, "ch_1");
    s.len(1);
    s.is_empty(false);
}

#[test]
fn a_retry_with_the_same_key_and_request_replays_the_stored_response() {
    let mut s = Probe::new(60_000);
    s.run("k1", &charge(500), 1_000, 201, "ch_1");
    s.replay("k1", &charge(500), 2_000, 201, "ch_1");
    s.replay("k1", &charge(500), 2_000, 201, "ch_1");
    s.replay("k1", &charge(500), 59_000, 201, "ch_1");
    s.len(1);
}

#[test]
fn different_keys_are_independent() {
    let mut s = Probe::new(60_000);
    s.run("k1", &charge(500), 0, 201, "ch_1");
    s.run("k2", &charge(500), 1, 201, "ch_2");
    s.run("", &charge(500), 2, 201, "ch_3");
    s.run("K1", &charge(500), 3, 201, "ch_4");
    s.replay("k1", &charge(500), 4, 201, "ch_1");
    s.replay("k2", &charge(500), 5, 201, "ch_2");
    s.replay("", &charge(500), 6, 201, "ch_3");
    s.len(4);
}

#[test]
fn the_same_key_with_a_different_body_is_key_reused() {
    let mut s = Probe::new(60_000);
    s.run("k1", &charge(500), 0, 201, "ch_1");
    s.refused("k1", &charge(700), 1, KeyReused);
    s.refused(
        "k1",
        &req("POST", "/v1/charges", "amount=500 "),
        2,
        KeyReused,
    );
    // The refusals change nothing: the original request still replays.
    s.replay("k1", &charge(500), 3, 201, "ch_1");
    s.len(1);
}

#[test]
fn method_path_and_body_are_compared_separately() {
    let mut s = Probe::new(60_000);
    s.run("k1", &charge(500), 0, 201, "ch_1");
    s.refused(
        "k1",
        &req("POST", "/v1/refunds", "amount=500"),
        1,
        KeyReused,
    );
    s.refused("k1", &req("PUT", "/v1/charges", "amount=500"), 2, KeyReused);
    s.refused(
        "k1",
        &req("post", "/v1/charges", "amount=500"),
        3,
        KeyReused,
    );
    // Glued together, these two requests read the same: "POST/v1/orders/123".
    s.run("k2", &req("POST", "/v1/orders/1", "23"), 4, 201, "or_1");
    s.refused("k2", &req("POST", "/v1/orders/12", "3"), 5, KeyReused);
    s.replay("k2", &req("POST", "/v1/orders/1", "23"), 6, 201, "or_1");
}

#[test]
fn server_errors_are_returned_but_not_stored() {
    let mut s = Probe::new(60_000);
    s.run("k1", &charge(500), 1_000, 503, "try again");
    s.run("k1", &charge(500), 1_500, 500, "oops");
    s.len(0);
    s.is_empty(true);
    // The key was forgotten: the retry runs, and may even carry a different request.
    s.run("k1", &charge(700), 2_000, 201, "ch_1");
    s.replay("k1", &charge(700), 2_500, 201, "ch_1");
    s.len(1);
}

#[test]
fn client_errors_are_stored_and_replayed() {
    let mut s = Probe::new(60_000);
    s.run("k1", &charge(500), 0, 402, "card declined");
    s.replay("k1", &charge(500), 1, 402, "card declined");
    s.run("k2", &charge(500), 2, 499, "closed");
    s.replay("k2", &charge(500), 3, 499, "closed");
    s.run("k3", &charge(500), 4, 500, "error");
    s.run("k3", &charge(500), 5, 201, "ch_1");
    s.len(3);
}

#[test]
fn a_stored_response_expires_ttl_after_the_first_request() {
    let mut s = Probe::new(60_000);
    s.run("k1", &charge(500), 1_000, 201, "ch_1");
    s.replay("k1", &charge(500), 60_999, 201, "ch_1");
    s.run("k1", &charge(500), 61_000, 201, "ch_2");
    s.replay("k1", &charge(500), 61_001, 201, "ch_2");
    s.replay("k1", &charge(500), 120_999, 201, "ch_2");
    s.run("k1", &charge(500), 121_000, 201, "ch_3");
    s.len(1);
}

#[test]
fn replays_do_not_extend_the_expiry() {
    let mut s = Probe::new(100);
    s.run("k1", &charge(500), 0, 201, "ch_1");
    s.replay("k1", &charge(500), 50, 201, "ch_1");
    s.replay("k1", &charge(500), 99, 201, "ch_1");
    s.run("k1", &charge(500), 100, 201, "ch_2");
    s.replay("k1", &charge(500), 150, 201, "ch_2");
    s.replay("k1", &charge(500), 199, 201, "ch_2");
    s.run("k1", &charge(500), 200, 201, "ch_3");
}

#[test]
fn an_expired_key_can_be_reused_with_a_different_request() {
    let mut s = Probe::new(100);
    s.run("k1", &charge(500), 10, 201, "ch_1");
    s.refused("k1", &charge(700), 109, KeyReused);
    s.run("k1", &charge(700), 110, 201, "ch_2");
    // Now the key belongs to the new request.
    s.refused("k1", &charge(500), 111, KeyReused);
    s.replay("k1", &charge(700), 112, 201, "ch_2");
    s.len(1);
}

#[test]
fn ttl_u64_max_and_late_times_do_not_overflow() {
    let mut s = Probe::new(u64::MAX);
    s.run("k1", &charge(500), 5, 201, "ch_1");
    s.run("k2", &charge(500), u64::MAX - 1, 201, "ch_2");
    s.replay("k1", &charge(500), u64::MAX, 201, "ch_1");
    s.replay("k2", &charge(500), u64::MAX, 201, "ch_2");
    s.purge(u64::MAX, 0);
    s.len(2);

    // 0 + u64::MAX: expires at exactly u64::MAX.
    let mut s = Probe::new(u64::MAX);
    s.run("k1", &charge(500), 0, 201, "ch_1");
    s.replay("k1", &charge(500), u64::MAX - 1, 201, "ch_1");
    s.run("k1", &charge(500), u64::MAX, 201, "ch_2");

    // u64::MAX - 5 + 10 lies beyond every representable time: never expires.
    let mut s = Probe::new(10);
    s.run("k1", &charge(500), u64::MAX - 5, 201, "ch_1");
    s.replay("k1", &charge(500), u64::MAX, 201, "ch_1");
    s.purge(u64::MAX, 0);
}

#[test]
fn zero_ttl_never_replays() {
    let mut s = Probe::new(0);
    s.run("k1", &charge(500), 5, 201, "ch_1");
    s.run("k1", &charge(500), 5, 201, "ch_2");
    s.run("k1", &charge(700), 5, 201, "ch_3");
    s.len(1);
    s.purge(5, 1);
    s.len(0);
}

#[test]
fn purge_expired_forgets_expired_keys_and_counts_them() {
    let mut s = Probe::new(100);
    s.purge(0, 0);
    s.run("k1", &charge(500), 0, 201, "ch_1");
    s.run("k2", &charge(500), 50, 402, "declined");
    s.run("k3", &charge(500), 60, 201, "ch_2");
    s.replay("k1", &charge(500), 99, 201, "ch_1");
    s.purge(99, 0);
    s.len(3);
    s.purge(100, 1);
    s.len(2);
    s.purge(159, 1);
    s.len(1);
    s.purge(159, 0);
    s.purge(1_000, 1);
    s.len(0);
    s.is_empty(true);
    s.run("k1", &charge(500), 1_001, 201, "ch_3");
    s.len(1);
}

#[test]
fn an_expired_key_still_counts_in_len_until_purged_or_reused() {
    let mut s = Probe::new(100);
    s.run("k1", &charge(500), 0, 201, "ch_1");
    s.run("k2", &charge(500), 10, 201, "ch_2");
    s.len(2);
    s.run("k1", &charge(500), 500, 201, "ch_3");
    s.len(2);
    s.purge(500, 1);
    s.len(1);
    s.replay("k1", &charge(500), 501, 201, "ch_3");
}

// ---------------------------------------------------------------------------------------
// Real threads: a first request held inside its handler while others arrive.

/// Set once a call was seen blocking behind a running handler, so later checks wait less.
static BLOCKING_SEEN: AtomicBool = AtomicBool::new(false);

fn patience() -> Duration {
    if BLOCKING_SEEN.load(Ordering::SeqCst) {
        Duration::from_millis(100)
    } else {
        Duration::from_secs(2)
    }
}

/// Runs `f` on another thread; `None` if it did not return within `patience()`. A correct
/// store answers in microseconds; only a blocking one pays the wait, and only once in full.
fn on_thread<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
) -> Option<Result<R, String>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(try_learner(f));
    });
    let got = rx.recv_timeout(patience()).ok();
    if got.is_none() {
        BLOCKING_SEEN.store(true, Ordering::SeqCst);
    }
    got
}

/// A first request with `key`, started at `now_ms` on its own thread and held inside its
/// handler until `finish` (or until this value is dropped).
struct Held {
    store: Arc<IdempotencyStore>,
    first_call: String,
    charges: Arc<AtomicUsize>,
    release: Option<Sender<()>>,
    result: Receiver<Result<Result<Response, IdempotencyError>, String>>,
}

fn hold_in_flight(ttl_ms: u64, key: &'static str, request: Request, now_ms: u64) -> Held {
    let new_call = format!("IdempotencyStore::new({})", ttl_text(ttl_ms));
    let store = Arc::new(learner(
        || new_call.clone(),
        || IdempotencyStore::new(ttl_ms),
    ));
    let first_call = format!(
        "{new_call}, then on thread A {} whose handler is still running",
        handle_text(key, &request, now_ms)
    );
    let charges = Arc::new(AtomicUsize::new(0));
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (result_tx, result_rx) = mpsc::channel();
    {
        let store = Arc::clone(&store);
        let charges = Arc::clone(&charges);
        thread::spawn(move || {
            let result = try_learner(|| {
                store.handle(key, &request, now_ms, |_: &Request| {
                    charges.fetch_add(1, Ordering::SeqCst);
                    let _ = entered_tx.send(());
                    let _ = release_rx.recv_timeout(Duration::from_secs(3));
                    resp(201, "ch_first")
                })
            });
            let _ = result_tx.send(result);
        });
    }
    match entered_rx.recv_timeout(Duration::from_secs(2)) {
        Ok(()) => {}
        Err(_) => match result_rx.try_recv() {
            Ok(Err(panicked)) => panic!("{} panicked {panicked}", first_call),
            Ok(Ok(got)) => panic!(
                "{first_call}: handle returned {got:?} without running the handler, expected \
                 it to run the handler of this new key"
            ),
            Err(_) => panic!(
                "{first_call}: handle did not call the handler within 2 s, expected it to run \
                 the handler of this new key at once"
            ),
        },
    }
    Held {
        store,
        first_call,
        charges,
        release: Some(release_tx),
        result: result_rx,
    }
}

impl Held {
    /// Calls `handle` on another thread while the first handler still runs.
    fn handle_meanwhile(
        &self,
        key: &'static str,
        request: Request,
        now_ms: u64,
    ) -> (String, Result<Response, IdempotencyError>) {
        let call = handle_text(key, &request, now_ms);
        let store = Arc::clone(&self.store);
        let charges = Arc::clone(&self.charges);
        let waited = patience();
        let outcome = on_thread(move || {
            store.handle(key, &request, now_ms, |_: &Request| {
                charges.fetch_add(1, Ordering::SeqCst);
                resp(201, "ch_second")
            })
        });
        match outcome {
            Some(Ok(got)) => (call, got),
            Some(Err(panicked)) => panic!("{}, then {call} panicked {panicked}", self.first_call),
            None => panic!(
                "{}, then on thread B {call} did not return within {waited:?}: it waited for \
                 thread A's handler. Never hold a lock (or wait) while a handler runs: other \
                 keys must proceed and a duplicate must get Err(InFlight) at once",
                self.first_call
            ),
        }
    }

    fn charges(&self) -> usize {
        self.charges.load(Ordering::SeqCst)
    }

    /// Lets the first handler return and checks thread A's result.
    fn finish(mut self) -> Arc<IdempotencyStore> {
        drop(self.release.take());
        match self.result.recv_timeout(Duration::from_secs(2)) {
            Ok(Ok(got)) => {
                let expected = Ok(resp(201, "ch_first"));
                if got != expected {
                    panic!(
                        "{}, once its handler returned Response {{ status: 201, body: \
                         \"ch_first\" }}, handle returned {got:?}, expected {expected:?}",
                        self.first_call
                    );
                }
            }
            Ok(Err(panicked)) => panic!("{} panicked {panicked}", self.first_call),
            Err(_) => panic!(
                "{}: handle did not return within 2 s after its handler returned (deadlock \
                 suspected)",
                self.first_call
            ),
        }
        Arc::clone(&self.store)
    }
}

fn expect_single_charge(held: &Held, after: &str) {
    let charges = held.charges();
    assert!(
        charges == 1,
        "{}, then {after}: the handler ran {charges} times in all, expected once (the card was \
         charged {charges} times)",
        held.first_call
    );
}

#[test]
fn a_duplicate_arriving_while_the_first_is_in_flight_gets_in_flight() {
    let held = hold_in_flight(60_000, "k1", charge(500), 1_000);
    let (call, got) = held.handle_meanwhile("k1", charge(500), 1_001);
    let expected = Err(IdempotencyError::InFlight);
    if got != expected {
        panic!(
            "{}, then on thread B {call} returned {got:?}, expected {expected:?} (the handler \
             ran {} times in all: the card must be charged once)",
            held.first_call,
            held.charges()
        );
    }
    expect_single_charge(&held, &call);
    let store = held.finish();
    let call = handle_text("k1", &charge(500), 1_002);
    let got = learner(
        || format!("after the first request with \"k1\" returned: {call}"),
        || {
            store.handle("k1", &charge(500), 1_002, |_: &Request| {
                resp(201, "ch_retry")
            })
        },
    );
    expect_eq!(
        got,
        Ok(resp(201, "ch_first")),
        "after the in-flight request with \"k1\" completed with 201 \"ch_first\" and a duplicate \
         got InFlight: the retry {call}"
    );
}

#[test]
fn requests_with_other_keys_proceed_while_a_handler_runs() {
    let held = hold_in_flight(60_000, "k1", charge(500), 1_000);
    let (call, got) = held.handle_meanwhile("k2", charge(500), 1_001);
    let expected = Ok(resp(201, "ch_second"));
    if got != expected {
        panic!(
            "{}, then on thread B {call} returned {got:?}, expected {expected:?} (another key: \
             its handler runs)",
            held.first_call
        );
    }
    let (call, got) = held.handle_meanwhile("k2", charge(500), 1_002);
    if got != expected {
        panic!(
            "{}, and thread B's first request with \"k2\", then {call} returned {got:?}, \
             expected {expected:?} (a replay)",
            held.first_call
        );
    }
    held.finish();
}

#[test]
fn an_in_flight_key_never_expires_and_is_never_purged() {
    let held = hold_in_flight(10, "k1", charge(500), 0);
    let store = Arc::clone(&held.store);
    let waited = patience();
    let purged = on_thread(move || store.purge_expired(1_000_000));
    match purged {
        Some(Ok(0)) => {}
        Some(Ok(n)) => panic!(
            "{}, then purge_expired(1000000) returned {n}, expected 0 (an in-flight key is \
             never purged: its request is still running)",
            held.first_call
        ),
        Some(Err(panicked)) => panic!(
            "{}, then purge_expired(1000000) panicked {panicked}",
            held.first_call
        ),
        None => panic!(
            "{}, then purge_expired(1000000) did not return within {waited:?}: it waited for \
             the handler. Never hold a lock while a handler runs",
            held.first_call
        ),
    }
    let store = Arc::clone(&held.store);
    let waited = patience();
    match on_thread(move || store.len()) {
        Some(Ok(1)) => {}
        Some(Ok(n)) => panic!(
            "{}, then purge_expired(1000000), then len() returned {n}, expected 1",
            held.first_call
        ),
        Some(Err(panicked)) => panic!("{}, then len() panicked {panicked}", held.first_call),
        None => panic!(
            "{}, then len() did not return within {waited:?}: it waited for the handler",
            held.first_call
        ),
    }
    let (call, got) = held.handle_meanwhile("k1", charge(500), 2_000_000);
    let expected = Err(IdempotencyError::InFlight);
    if got != expected {
        panic!(
            "{}, then purge_expired(1000000), then on thread B {call} returned {got:?}, \
             expected {expected:?} (far past the ttl of 10 ms, but an in-flight key never \
             expires; the handler ran {} times in all)",
            held.first_call,
            held.charges()
        );
    }
    expect_single_charge(&held, &call);
    held.finish();
}

#[test]
fn a_different_request_with_an_in_flight_key_is_key_reused() {
    let held = hold_in_flight(60_000, "k1", charge(500), 1_000);
    let (call, got) = held.handle_meanwhile("k1", charge(700), 1_001);
    let expected = Err(IdempotencyError::KeyReused);
    if got != expected {
        panic!(
            "{}, then on thread B {call} returned {got:?}, expected {expected:?} (a different \
             request: KeyReused wins over InFlight)",
            held.first_call
        );
    }
    expect_single_charge(&held, &call);
    held.finish();
}

#[test]
fn eight_threads_retrying_one_key_charge_the_card_exactly_once() {
    const THREADS: usize = 8;
    let store = Arc::new(learner(
        || "IdempotencyStore::new(60000)".to_string(),
        || IdempotencyStore::new(60_000),
    ));
    let charges = Arc::new(AtomicUsize::new(0));
    let returned = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(THREADS));
    let (tx, rx) = mpsc::channel();
    let wait = patience();
    for i in 0..THREADS {
        let (store, charges, returned, barrier, tx) = (
            Arc::clone(&store),
            Arc::clone(&charges),
            Arc::clone(&returned),
            Arc::clone(&barrier),
            tx.clone(),
        );
        thread::spawn(move || {
            barrier.wait();
            let got = try_learner(|| {
                store.handle("order-42", &charge(500), 1_000 + i as u64, |_: &Request| {
                    charges.fetch_add(1, Ordering::SeqCst);
                    // Stay in flight until every other thread has had its answer.
                    let deadline = Instant::now() + wait;
                    while returned.load(Ordering::SeqCst) < THREADS - 1 && Instant::now() < deadline
                    {
                        thread::sleep(Duration::from_millis(1));
                    }
                    resp(201, "ch_1")
                })
            });
            returned.fetch_add(1, Ordering::SeqCst);
            let _ = tx.send((i, got));
        });
    }
    drop(tx);
    let mut results = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(3);
    while results.len() < THREADS {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((i, got)) => {
                results.insert(i, got);
            }
            Err(_) => panic!(
                "{THREADS} threads each calling handle(\"order-42\", {}, 1000 + i, handler) at \
                 once: only {} returned within 3 s (deadlock suspected)",
                Shown(&charge(500)),
                results.len()
            ),
        }
    }
    let call = format!(
        "{THREADS} threads each calling handle(\"order-42\", {}, 1000 + i, handler) at once \
         (the handler returns only after the other threads had their answers)",
        Shown(&charge(500))
    );
    let mut oks = 0;
    let mut in_flight = 0;
    for (i, got) in &results {
        match got {
            Err(panicked) => panic!("{call}: thread {i} panicked {panicked}"),
            Ok(Ok(r)) if *r == resp(201, "ch_1") => oks += 1,
            Ok(Err(IdempotencyError::InFlight)) => in_flight += 1,
            Ok(other) => panic!(
                "{call}: thread {i} got {other:?}, expected Ok(Response {{ status: 201, body: \
                 \"ch_1\" }}) or Err(InFlight)"
            ),
        }
    }
    let charged = charges.load(Ordering::SeqCst);
    assert!(
        charged == 1,
        "{call}: the handler ran {charged} times, expected exactly once (the card was charged \
         {charged} times). Testing for the key and marking it in flight must be one step under \
         one lock"
    );
    assert!(
        oks == 1 && in_flight == THREADS - 1,
        "{call}: {oks} threads got Ok and {in_flight} got Err(InFlight), expected 1 Ok and {} \
         InFlight (a duplicate of an in-flight request is refused at once, it does not wait)",
        THREADS - 1
    );
    let got = learner(
        || format!("{call}, then handle(\"order-42\", ..., 2000, handler)"),
        || {
            store.handle("order-42", &charge(500), 2_000, |_: &Request| {
                resp(201, "ch_2")
            })
        },
    );
    expect_eq!(
        got,
        Ok(resp(201, "ch_1")),
        "{call}, then the retry handle(\"order-42\", {}, 2000, handler)",
        Shown(&charge(500))
    );
}

#[test]
fn two_duplicates_arriving_at_the_same_instant_charge_the_card_once() {
    const ROUNDS: usize = 50_000;
    bounded(|progress| {
        let call = format!(
            "round after round, two threads each calling handle(key, {}, 1000, handler) at the \
             same instant, with a new key every round",
            Shown(&charge(500))
        );
        progress.set(&call);
        let store = learner(
            || "IdempotencyStore::new(60000)".to_string(),
            || IdempotencyStore::new(60_000),
        );
        let keys: Vec<String> = (0..ROUNDS).map(|round| format!("order-{round}")).collect();
        let charges: Vec<AtomicUsize> = (0..ROUNDS).map(|_| AtomicUsize::new(0)).collect();
        let request = charge(500);
        let play = |round: usize, _thread: usize| {
            try_learner(|| {
                store.handle(&keys[round], &request, 1_000, |_: &Request| {
                    charges[round].fetch_add(1, Ordering::SeqCst);
                    resp(201, "ch_1")
                })
            })
        };
        let judge =
            |round: usize, results: [Result<Result<Response, IdempotencyError>, String>; 2]| {
                let key = &keys[round];
                let charged = charges[round].load(Ordering::SeqCst);
                let answered = |r: &Result<Response, IdempotencyError>| {
                    *r == Ok(resp(201, "ch_1")) || *r == Err(IdempotencyError::InFlight)
                };
                match results {
                    [Err(panicked), _] | [_, Err(panicked)] => {
                        Some(format!("in round {round}, handle({key:?}, ...) {panicked}"))
                    }
                    _ if charged != 1 => Some(format!(
                        "in round {round}, the handler for {key:?} ran {charged} times: the card was \
                     charged {charged} times, expected once (the other call gets Err(InFlight), \
                     or the stored response if the first had finished). \"Is this key known?\" \
                     and marking it in flight must be one step under one lock: between two \
                     locks, the other request also found the key unknown"
                    )),
                    [Ok(first), Ok(second)] if answered(&first) && answered(&second) => None,
                    [Ok(first), Ok(second)] => Some(format!(
                        "in round {round}, the two calls with {key:?} returned {first:?} and \
                     {second:?}, expected Ok(Response {{ status: 201, body: \"ch_1\" }}) from \
                     the one that ran the handler, and Err(InFlight) or that same response from \
                     the other"
                    )),
                }
            };
        if let Some(complaint) = collide(ROUNDS, play, judge) {
            panic!("{call}: {complaint}");
        }
    });
}

// ---------------------------------------------------------------------------------------
// Random sequences against a simple model.

const MODEL_TTL: u64 = 100;
const KEYS: [&str; 3] = ["a", "b", "c"];

fn model_request(i: u8) -> Request {
    match i {
        0 => charge(500),
        1 => charge(700),
        _ => req("POST", "/v1/refunds", "amount=500"),
    }
}

#[derive(Clone, Copy)]
enum Op {
    /// Key index, request index, time, the status the handler answers with.
    Handle(u8, u8, u64, u16),
    Purge(u64),
}

impl Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Op::Handle(k, r, at, status) => write!(
                f,
                "{} answering {status}",
                handle_text(KEYS[k as usize], &model_request(r), at)
            ),
            Op::Purge(at) => write!(f, "purge_expired({at})"),
        }
    }
}

/// The obvious store: key -> (request index, first time, stored response).
#[derive(Default)]
struct Model {
    entries: BTreeMap<u8, (u8, u64, Response)>,
    runs: usize,
}

impl Model {
    fn handle(
        &mut self,
        k: u8,
        r: u8,
        at: u64,
        status: u16,
    ) -> (Result<Response, IdempotencyError>, bool) {
        if let Some((request, first, response)) = self.entries.get(&k) {
            if at < first + MODEL_TTL {
                if *request != r {
                    return (Err(IdempotencyError::KeyReused), false);
                }
                return (Ok(response.clone()), false);
            }
        }
        self.runs += 1;
        let response = resp(status, &format!("r{}", self.runs));
        if status < 500 {
            self.entries.insert(k, (r, at, response.clone()));
        } else {
            self.entries.remove(&k);
        }
        (Ok(response), true)
    }

    fn purge(&mut self, at: u64) -> usize {
        let before = self.entries.len();
        self.entries
            .retain(|_, (_, first, _)| at < *first + MODEL_TTL);
        before - self.entries.len()
    }
}

/// Replays `ops` on a fresh store and model: the index of the first wrong call and why.
fn first_mismatch(ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let store = IdempotencyStore::new(MODEL_TTL);
            let model = Model::default();
            let runs = 0usize;
            (store, model, runs)
        },
        |(store, model, runs), op| {
            match *op {
                Op::Handle(k, r, at, status) => {
                    let request = model_request(r);
                    let mut ran = false;
                    let got = store.handle(KEYS[k as usize], &request, at, |_: &Request| {
                        ran = true;
                        resp(status, &format!("r{}", *runs + 1))
                    });
                    *runs += usize::from(ran);
                    let (expected, should_run) = model.handle(k, r, at, status);
                    if got != expected || ran != should_run {
                        let ran_text = if ran { "running" } else { "without running" };
                        let should_text = if should_run {
                            "running"
                        } else {
                            "without running"
                        };
                        return Some(format!(
                            "{op} returned {got:?} {ran_text} the handler, expected \
                                 {expected:?} {should_text} it"
                        ));
                    }
                }
                Op::Purge(at) => {
                    let got = store.purge_expired(at);
                    let expected = model.purge(at);
                    if got != expected {
                        return Some(format!("{op} returned {got}, expected {expected}"));
                    }
                }
            }
            let (got, expected) = (store.len(), model.entries.len());
            if got != expected {
                return Some(format!(
                    "{op}, then len() returned {got}, expected {expected}"
                ));
            }
            None
        },
        |i, panicked| format!("{} panicked {panicked}", ops[i]),
    )
}

/// Drops calls while the replay still goes wrong, for a short failing sequence.
fn shrink(ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| first_mismatch(ops).map(|(at, _)| at))
}

fn join_ops(ops: &[Op]) -> String {
    ops.iter()
        .map(|op| op.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn random_request_sequences_match_a_reference_model() {
    const SEQUENCES: u64 = 150;
    const OPS: usize = 30;
    for n in 0..SEQUENCES {
        let seed = 0x1DE0_0000 + n;
        let mut rng = SplitMix64(seed);
        let mut now = rng.below(50);
        let ops: Vec<Op> = (0..OPS)
            .map(|_| {
                now += rng.below(40);
                if rng.below(8) == 0 {
                    Op::Purge(now)
                } else {
                    let status = [201, 201, 201, 402, 503][rng.below(5) as usize];
                    let request = if rng.below(4) == 0 { rng.below(3) } else { 0 };
                    Op::Handle(rng.below(3) as u8, request as u8, now, status)
                }
            })
            .collect();
        if let Some((at, _)) = first_mismatch(&ops) {
            // A learner's HashMap may behave differently on every run: retry a few times,
            // and keep the unshrunk sequence if the shrunk one happens to pass.
            let reproduce = |ops: &[Op]| (0..10).find_map(|_| first_mismatch(ops));
            let shrunk = shrink(ops[..=at].to_vec());
            let (failing, (last, why)) = match reproduce(&shrunk) {
                Some(found) => (shrunk, found),
                None => {
                    let failing = ops[..=at].to_vec();
                    let found = reproduce(&failing)
                        .unwrap_or((at, format!("{} failed on the first run only", ops[at])));
                    (failing, found)
                }
            };
            let before = if last == 0 {
                String::new()
            } else {
                format!(", {}", join_ops(&failing[..last]))
            };
            panic!(
                "random requests (seed {seed:#x}), shrunk to: IdempotencyStore::new({MODEL_TTL})\
                 {before}; then {why} (each handler answers body \"r<n>\" on its n-th run)"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// O(1) handle: compare replay times with few and with many stored keys.

fn request_for_timing() -> Request {
    req("POST", "/c", "1")
}

fn filled_store(size: usize, keys: &[String]) -> IdempotencyStore {
    learner(
        || format!("IdempotencyStore::new(u64::MAX), then {size} requests with distinct keys"),
        || {
            let store = IdempotencyStore::new(u64::MAX);
            let request = request_for_timing();
            for (i, key) in keys.iter().enumerate() {
                black_box(store.handle(key, &request, i as u64, |_: &Request| resp(201, "ok")))
                    .ok();
            }
            store
        },
    )
}

fn time_replays(store: &IdempotencyStore, keys: &[String], order: &[usize]) -> Duration {
    let request = request_for_timing();
    let start = Instant::now();
    for &i in order {
        black_box(
            store
                .handle(&keys[i], &request, 7, |_: &Request| resp(201, "again"))
                .ok(),
        );
    }
    start.elapsed()
}

#[test]
fn replay_time_does_not_grow_with_the_number_of_stored_keys() {
    // Same run, min of interleaved repetitions, 16x apart; only the ratio matters. A hash
    // map measures about 1x; scanning a list of keys measures 10x. A correct store
    // must pass one of three attempts; a scan fails all three.
    const SMALL: usize = 128;
    const LARGE: usize = 2048;
    const ROUNDS: usize = 100;
    const REPETITIONS: u32 = 4;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 3.0;
    let keys: Vec<String> = (0..LARGE).map(|i| format!("idem-{i:06}")).collect();
    let small = filled_store(SMALL, &keys[..SMALL]);
    let large = filled_store(LARGE, &keys);
    let mut rng = SplitMix64(0x0DD5);
    let small_order: Vec<usize> = (0..ROUNDS)
        .map(|_| rng.below(SMALL as u64) as usize)
        .collect();
    let large_order: Vec<usize> = (0..ROUNDS)
        .map(|_| rng.below(LARGE as u64) as usize)
        .collect();
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || format!("a replay in a store holding {LARGE} keys"),
            || {
                for _ in 0..REPETITIONS {
                    t_small = t_small.min(time_replays(&small, &keys, &small_order));
                    t_large = t_large.min(time_replays(&large, &keys, &large_order));
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
        "{ROUNDS} replays (handle of a stored key with its request) in a store holding {LARGE} \
         keys took {} as long as in a store holding {SMALL} keys (best of {REPETITIONS}, in \
         {ATTEMPTS} attempts), expected about the same (at most {LIMIT}x): handle must find a \
         key in O(1) expected time (a hash map), not by scanning the stored keys",
        ratios.join(", ")
    );
}
