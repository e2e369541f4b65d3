//! # dedup_window: drop duplicate webhook deliveries within a time window
//!
//! A payment provider sends your service a webhook for every event (`charge.succeeded`,
//! `refund.created`, ...). Delivery is *at least once*: when your `200 OK` is slow or gets
//! lost, the provider sends the same event again, with the same event id (`evt_1a2b...`),
//! seconds or minutes later; a flaky network can even deliver it twice in the same
//! millisecond. Handling an event twice would e-mail the customer twice or book the
//! refund twice, so the consumer drops any event whose id it has already accepted.
//!
//! Remembering every id ever seen would grow without bound: millions of events a day,
//! forever. Retries stop after a while, so the consumer only remembers an id for a fixed
//! *window* (say 10 minutes) after accepting it, and then forgets it. Memory then holds
//! only the ids of the last window, however long the service runs.
//!
//! ## The task
//!
//! Implement [`DedupWindow`]: `insert(event_id, now_ms)` answers "is this a new event?",
//! like `HashSet::insert`: `true` means new (process it), `false` means duplicate (drop
//! it). Keep the declared signatures; the struct's fields are yours. Time is a parameter
//! (`now_ms`, milliseconds, for example since the Unix epoch): never read the clock.
//!
//! ## Rules
//!
//! - An event id is **remembered** for `window_ms` milliseconds after it was *accepted*:
//!   accepted at `t`, it is remembered at every `now_ms` with `now_ms - t < window_ms`,
//!   that is, during the half-open interval `[t, t + window_ms)`, and forgotten from
//!   `t + window_ms` on.
//! - `insert(id, now_ms)` returns `false` if `id` is remembered at `now_ms` (a duplicate:
//!   nothing changes). Otherwise it **accepts** the id at `now_ms`, remembers it from then
//!   on, and returns `true`: an id that was forgotten is new again.
//! - A duplicate does **not** extend the window: only accepting sets the time an id is
//!   remembered from. (A retry storm must not keep an id alive for ever.)
//! - Ids are compared exactly, as strings: `"evt_1"`, `"EVT_1"` and `"evt_1 "` are three
//!   ids, and `""` is an id like any other.
//! - `now_ms` never decreases from one call to the next (events are stamped as they
//!   arrive); calls with the same `now_ms` are fine. You may rely on this.
//! - **Bounded memory.** `len()` is the number of ids remembered at the `now_ms` of the
//!   latest `insert`: ids accepted at some `t` with `now_ms - t < window_ms`. The filter
//!   must really forget the others (drop them from its collections), not merely ignore
//!   them: the checks send thousands of distinct ids and watch `len()`.
//! - `now_ms` and `window_ms` may be any `u64`, including `u64::MAX`. Nothing may
//!   overflow or panic (the checks run in debug mode, where an overflowing `+` panics).
//!
//! ## Example
//!
//! ```text
//! let mut d = DedupWindow::new(1_000);          // remember ids for 1 s
//! d.insert("evt_1", 0)       -> true     new: process it
//! d.insert("evt_2", 10)      -> true
//! d.insert("evt_1", 500)     -> false    duplicate: remembered in [0, 1000)
//! d.insert("evt_1", 999)     -> false    still remembered (500 did not extend it)
//! d.len()                    -> 2        evt_1, evt_2
//! d.insert("evt_1", 1_000)   -> true     forgotten at 1000: accepted again
//! d.len()                    -> 2        evt_1 (from 1000), evt_2 (until 1010)
//! d.insert("evt_3", 1_010)   -> true     evt_2 is forgotten at 1010
//! d.len()                    -> 2        evt_1, evt_3
//! d.insert("evt_1", 1_999)   -> false    remembered in [1000, 2000)
//! ```
//!
//! ## Edge cases
//!
//! - A new filter remembers nothing: `len()` is 0.
//! - The same id twice at the same `now_ms` (with `window_ms > 0`): the second is a
//!   duplicate.
//! - `window_ms == 0`: the interval `[t, t)` is empty, so nothing is ever remembered:
//!   every `insert` returns `true` and `len()` stays 0.
//! - `window_ms == u64::MAX`: an id accepted at `t` is remembered until `t + u64::MAX`,
//!   which lies beyond every `u64` time unless `t == 0` (then it is forgotten at
//!   `now_ms == u64::MAX`). Computing `t + window_ms` overflows; `now_ms - t` does not.
//!
//! ## Complexity
//!
//! `insert` must take amortised O(1) expected time, whatever the number of ids
//! remembered: each id is accepted once and forgotten once, so spread over many calls
//! the forgetting costs O(1) each. Scanning every remembered id on each call (to find
//! the expired ones) is O(n) per call and fails the checks, which time `insert` with 64
//! and with 2048 ids remembered and compare. `len` is O(1). Use only the standard
//! library.

use std::marker::PhantomData;

/// Remembers the ids of accepted events for `window_ms` milliseconds, to drop
/// duplicates.
pub struct DedupWindow {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl DedupWindow {
    /// A filter that remembers nothing yet and will remember each accepted id for
    /// `window_ms` milliseconds.
    pub fn new(window_ms: u64) -> Self {
        todo!("create an empty filter with a window of {window_ms} ms")
    }

    /// Whether `event_id` is new at `now_ms`: `true` if it is not remembered (it is
    /// accepted and remembered from `now_ms` for the window), `false` if it is a
    /// duplicate (nothing changes). `now_ms` never decreases between calls.
    /// Amortised O(1).
    pub fn insert(&mut self, event_id: &str, now_ms: u64) -> bool {
        todo!("is {event_id:?} new at {now_ms} ms?")
    }

    /// How many ids are remembered at the `now_ms` of the latest `insert`. O(1).
    pub fn len(&self) -> usize {
        todo!("count the remembered ids")
    }

    /// Whether no id is remembered (provided; it uses your `len`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
