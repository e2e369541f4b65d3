//! # idempotency_keys: replay, don't repeat
//!
//! A payments API charges a card on `POST /v1/charges`. The mobile app sends the request,
//! the server charges the card, and the response is lost: the phone went into a tunnel, a
//! load balancer timed out, the app was killed. The app cannot tell "never arrived" from
//! "done, but I missed the answer", so it retries, and a naive server charges the card a
//! second time. `POST` is not idempotent, so the API makes it so: the client generates a
//! unique *idempotency key* per logical operation and sends it with every attempt
//! (`Idempotency-Key: 9f1c7a22-...`). The server remembers, per key, the request and the
//! response it produced, and answers a retry with the **stored response** instead of
//! charging again. Interviewers push on the corners: the same key sent with a *different*
//! request (a client bug: refuse it), a retry that arrives while the first attempt is
//! *still running* (refuse it, don't wait and don't charge twice), a first attempt that
//! failed with a server error (let the retry run), and how long keys are kept.
//!
//! ## The task
//!
//! Implement [`IdempotencyStore`], the layer in front of a handler:
//! `store.handle(key, &request, now_ms, handler)` either runs `handler` (the code that
//! charges the card) and returns its response, or returns a stored response without running
//! it, or refuses with an [`IdempotencyError`] without running it. The store is shared by
//! all the server's request threads (`handle` takes `&self`), so it must be thread-safe.
//! Keep the declared signatures; the struct's fields are yours. Time is a parameter
//! (`now_ms`, milliseconds); never read the clock.
//!
//! ## Rules
//!
//! - A key is **unknown** if the store has never seen it, has forgotten it (see expiry
//!   and server errors below), or its stored response has **expired**. For an unknown key,
//!   `handle` runs `handler(&request)` exactly once and returns `Ok(response)`.
//! - While that handler runs, the key is **in flight**. Another `handle` with the same key
//!   and the same request returns `Err(IdempotencyError::InFlight)` at once: it neither
//!   waits for the first one nor runs the handler.
//! - When the handler returns a status below 500, the response is **stored** under the
//!   key. Then `handle` with that key and the same request returns `Ok` with a clone of the
//!   stored response (same status, same body) and does not run its handler: that is a
//!   *replay*. 4xx responses are stored too (a declined card stays declined).
//! - A status of 500 or more means the operation failed and changed nothing (the handler
//!   rolled back), so the response is returned to the caller but **not stored**: the key
//!   is forgotten, and the client's retry runs the handler again.
//! - "The same request" means the same `method`, the same `path` and the same `body`,
//!   each compared exactly. A known key (in flight or stored) sent with a different
//!   request returns `Err(IdempotencyError::KeyReused)` and runs nothing; this check comes
//!   first, so it wins over `InFlight`. You may remember the request itself or a
//!   fingerprint of it (a 64-bit hash of the three fields; treat each field separately,
//!   so `path "/a", body "bc"` differs from `path "/ab", body "c"`).
//! - **Expiry.** A stored response expires `ttl_ms` after the *first* request with its key
//!   arrived (the `now_ms` of the `handle` call that ran the handler): it is replayed
//!   while `now_ms < first_ms + ttl_ms` and the key is unknown from
//!   `now_ms >= first_ms + ttl_ms` on. Replays do not extend the expiry. An expired key
//!   can be used again, with any request. Compute `first_ms + ttl_ms` exactly: when the
//!   sum lies beyond `u64::MAX`, the response never expires (and the checks run in debug
//!   mode, where an overflowing `+` panics). An in-flight key never expires, whatever
//!   `now_ms` says: its request is still running.
//! - `purge_expired(now_ms)` forgets every stored key that has expired at `now_ms` and
//!   returns how many it forgot. It never forgets an in-flight key.
//! - `len()` is the number of keys held: in flight, or stored and not yet purged (an
//!   expired stored key still counts until it is purged or its key is used again).
//! - Never hold a lock while the handler runs: requests with other keys must proceed while
//!   one handler is slow, and a duplicate must get `InFlight` at once. But the "is this key
//!   known?" test and marking the key in flight must happen under one lock, or two
//!   concurrent duplicates can both see "unknown" and charge twice.
//! - The handler never panics. `now_ms` may be any `u64`.
//!
//! ## Examples
//!
//! ```text
//! let store = IdempotencyStore::new(60_000);        // keys live one minute
//! charge = Request { method: "POST", path: "/v1/charges", body: r#"{"amount":500}"# }
//!
//! handle("k1", &charge, 1_000, h)   -> Ok(201 "ch_1")   h ran: the card is charged
//! handle("k1", &charge, 5_000, h)   -> Ok(201 "ch_1")   replay: h did not run
//! handle("k1", &refund, 6_000, h)   -> Err(KeyReused)   same key, different request
//! handle("k2", &charge, 7_000, h)   -> Ok(201 "ch_2")   another key: h ran
//! handle("k1", &charge, 60_999, h)  -> Ok(201 "ch_1")   replay: expires at 61_000
//! handle("k1", &charge, 61_000, h)  -> Ok(201 "ch_3")   expired: h ran again
//! purge_expired(67_000)             -> 1                "k2" expired at 67_000
//! len()                             -> 1                "k1" (stored at 61_000)
//!
//! handle("k3", &charge, 70_000, h503) -> Ok(503 "try again")   not stored
//! handle("k3", &charge, 70_500, h)    -> Ok(201 "ch_4")        the retry runs h
//!
//! thread A: handle("k4", &charge, 80_000, slow)   slow is still running...
//! thread B: handle("k4", &charge, 80_001, h)   -> Err(InFlight)     h did not run
//! thread C: handle("k5", &charge, 80_002, h)   -> Ok(201 "ch_6")    not blocked by A
//! thread A:                                    -> Ok(201 "ch_5")    slow returns
//! thread B: handle("k4", &charge, 80_003, h)   -> Ok(201 "ch_5")    replay
//! ```
//!
//! ## Edge cases
//!
//! - `ttl_ms == 0`: every response expires the moment it is stored, so nothing is ever
//!   replayed; a duplicate arriving while the first request is in flight still gets
//!   `InFlight`.
//! - A key is any string, including `""`. Keys are compared exactly.
//! - A 4xx response is a result like any other: stored and replayed.
//! - `ttl_ms == u64::MAX`: a response first stored at 5 ms never expires (5 + u64::MAX
//!   lies beyond every time); one first stored at 0 ms expires at `now_ms == u64::MAX`.
//! - Method, path and body are compared exactly: `"post"` is not `"POST"`, and a body with
//!   one more space is a different request.
//!
//! ## Complexity
//!
//! `handle`, apart from running the handler and reading the request once, must take O(1)
//! expected time however many keys are stored: look keys up in a hash map, don't scan a
//! list. The checks compare its speed with 128 and with 2048 stored keys. `purge_expired`
//! may take O(n) for n keys held. Use only the standard library.

use std::marker::PhantomData;

/// An HTTP request as the idempotency layer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `"POST"`, `"PUT"`, ...
    pub method: String,
    /// `"/v1/charges"`, ...
    pub path: String,
    /// The request body, byte for byte.
    pub body: String,
}

/// An HTTP response: what the handler produced, and what a replay returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status code: 201, 402, 503, ...
    pub status: u16,
    /// The response body.
    pub body: String,
}

/// Why a request was refused without running the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdempotencyError {
    /// The key is known but was first used with a different request (HTTP 422).
    KeyReused,
    /// A request with this key is still being handled (HTTP 409); retry later.
    InFlight,
}

/// Remembers, per idempotency key, the request and the response it produced.
/// Shared by all request threads: it must be `Sync` (use a `Mutex` inside).
pub struct IdempotencyStore {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl IdempotencyStore {
    /// An empty store whose responses are replayed for `ttl_ms` milliseconds after the
    /// first request with their key.
    pub fn new(ttl_ms: u64) -> Self {
        todo!("create an empty store that keeps responses for {ttl_ms} ms")
    }

    /// Handles one request carrying idempotency key `key`, arriving at `now_ms`.
    ///
    /// - Unknown key: runs `handler(request)` once, without holding a lock, and returns
    ///   `Ok(response)`; the response is stored unless its status is 500 or more.
    /// - Known key, different request: `Err(IdempotencyError::KeyReused)`.
    /// - Known key, same request, still in flight: `Err(IdempotencyError::InFlight)`.
    /// - Known key, same request, stored: `Ok` with a clone of the stored response.
    ///
    /// Only the first case runs `handler`.
    pub fn handle<F>(
        &self,
        key: &str,
        request: &Request,
        now_ms: u64,
        handler: F,
    ) -> Result<Response, IdempotencyError>
    where
        F: FnOnce(&Request) -> Response,
    {
        let _ = (request, handler);
        todo!("handle the request with key {key:?} arriving at {now_ms} ms")
    }

    /// Forgets every stored key whose response has expired at `now_ms` (never an in-flight
    /// key) and returns how many keys it forgot.
    pub fn purge_expired(&self, now_ms: u64) -> usize {
        todo!("forget the keys that have expired at {now_ms} ms")
    }

    /// How many keys the store holds: in flight, or stored and not yet purged.
    pub fn len(&self) -> usize {
        todo!("count the keys held")
    }

    /// Whether the store holds no keys.
    pub fn is_empty(&self) -> bool {
        todo!("is the store empty?")
    }
}
