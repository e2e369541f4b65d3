//! # token_bucket: bursts up to a capacity, then a steady refill rate, exactly
//!
//! A payments API lets each merchant make 10 requests per second on average, but a
//! merchant's checkout page legitimately fires 20 requests at once when it loads. A
//! window limiter cannot express "short bursts are fine, the long-run average is not":
//! the *token bucket* can, which is why API gateways (AWS API Gateway, Stripe, nginx's
//! `burst=`) use it. Every client has a bucket that holds at most `capacity` tokens and
//! refills continuously at `refill_per_sec` tokens per second; a request takes one token
//! and is rejected when there is none. A full bucket allows a burst of `capacity`
//! requests at once; after that, requests get through at the refill rate.
//!
//! The trade-offs against the window limiters: two numbers per client (a balance and the
//! time it was last updated) and no window edges at all; burst size and average rate are
//! set separately. Its classic implementation bug is precision: at 3 tokens per second a
//! token takes 333.33... ms, and code that counts whole tokens, or floats, drifts or
//! stalls. This exercise fixes the unit so that everything is exact integer arithmetic:
//! **milli-tokens**. One token is 1000 milli-tokens, so `refill_per_sec` tokens per
//! second is exactly `refill_per_sec` milli-tokens per millisecond.
//!
//! ## The task
//!
//! Implement [`TokenBucket`]. Keep the declared signatures; the struct's fields are
//! yours. Time is a parameter (`now_ms`, milliseconds, for example since the Unix epoch):
//! never read the clock.
//!
//! ## Rules
//!
//! - Every client has its own bucket. A client's bucket starts **full**
//!   (`capacity * 1000` milli-tokens) at its first request: a client never seen is
//!   treated as having a full bucket.
//! - **Refill.** Between two moments `t0 <= t1`, a bucket gains
//!   `(t1 - t0) * refill_per_sec` milli-tokens, but never holds more than
//!   `capacity * 1000`: `balance = min(capacity * 1000, balance + (t1 - t0) * refill_per_sec)`.
//!   Nothing is rounded, so refilling in many small steps gives exactly the same balance
//!   as refilling in one big step.
//! - `allow(client, now_ms)`: refill the client's bucket up to `now_ms`; if it holds at
//!   least 1000 milli-tokens (one token), take 1000 and return `true`. Otherwise return
//!   `false`: **a rejected request costs nothing**, and the refill up to `now_ms` is kept.
//! - `tokens_milli(client, now_ms)`: the balance the client's bucket has at `now_ms`
//!   (refilled up to `now_ms`), in milli-tokens. It changes nothing.
//! - `retry_after_ms(client, now_ms)`: how many milliseconds from `now_ms` until `allow`
//!   would return `true`, if the client made no request in between: `Some(0)` if the
//!   bucket holds a token at `now_ms`; otherwise the smallest `d` with
//!   `balance + d * refill_per_sec >= 1000`, i.e. `(1000 - balance) / refill_per_sec`
//!   **rounded up**; and `None` if that never happens (`refill_per_sec == 0`, or
//!   `capacity == 0` so the bucket can never hold a whole token). It changes nothing.
//! - Clients never share a bucket. A client is compared exactly, as a string: `"alice"`,
//!   `"Alice"` and `"alice "` are three clients, and `""` is a client like any other.
//! - `now_ms` never decreases from one call to the next, over all three methods; calls
//!   with the same `now_ms` are fine. You may rely on this.
//! - `capacity` and `refill_per_sec` are any `u32`, and `now_ms` any `u64`. Nothing may
//!   overflow or panic: the checks run in debug mode, where an overflowing `*` panics.
//!   `u32::MAX * 1000` does not fit in a `u32`, and a client idle for `u64::MAX`
//!   milliseconds at `u32::MAX` per second earns more milli-tokens than a `u64` holds
//!   (but never more than the capacity).
//!
//! ## Example
//!
//! ```text
//! let mut b = TokenBucket::new(3, 2);      // bursts of 3, then 2 per second
//! b.allow("a", 0)              -> true     3000 -> 2000 milli-tokens
//! b.allow("a", 0)              -> true     2000 -> 1000
//! b.allow("a", 0)              -> true     1000 -> 0
//! b.allow("a", 0)              -> false    0: no token
//! b.retry_after_ms("a", 0)     -> Some(500)  (1000 - 0) / 2
//! b.tokens_milli("a", 250)     -> 500      250 ms * 2 milli-tokens per ms
//! b.allow("a", 250)            -> false    half a token is not a token
//! b.retry_after_ms("a", 250)   -> Some(250)
//! b.allow("a", 499)            -> false    998
//! b.allow("a", 500)            -> true     1000 -> 0
//! b.tokens_milli("b", 500)     -> 3000     b has never made a request: full
//! b.allow("a", 60_000)         -> true     refill capped at 3000 -> 2000
//! ```
//!
//! With `TokenBucket::new(1, 3)` a token takes 333.33... ms: 0 milli-tokens at 0, 999 at
//! 333 and 1002 at 334, whether or not the client asked every millisecond in between.
//! `retry_after_ms` at 0 is `Some(334)`: (1000 - 0) / 3 = 333.33..., rounded up.
//!
//! ## Edge cases
//!
//! - `capacity == 0`: every request is rejected, `tokens_milli` is always 0, and
//!   `retry_after_ms` is `None`.
//! - `refill_per_sec == 0`: each client gets its first `capacity` requests, ever, and
//!   then `retry_after_ms` is `None`.
//! - After a long quiet spell the bucket is full, not fuller: the burst is capped at
//!   `capacity`.
//! - Many calls at the same `now_ms` refill nothing between them.
//!
//! ## Complexity
//!
//! `allow`, `tokens_milli` and `retry_after_ms` must take O(1) expected time, whatever the
//! number of clients (a hash map lookup, not a scan); the checks time `allow` with 64 and
//! with 2048 clients and compare. Memory is one bucket per client seen. (In production, a
//! bucket that has refilled to capacity is the same as a new one and would be expired,
//! for example with a Redis TTL of `capacity / refill_per_sec` seconds; that is not
//! required here.) Use only the standard library.

use std::marker::PhantomData;

/// A token bucket per client: at most `capacity` tokens, refilled at `refill_per_sec`
/// tokens per second, one token per request. Balances are in milli-tokens.
pub struct TokenBucket {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl TokenBucket {
    /// A limiter whose buckets hold at most `capacity` tokens and refill at
    /// `refill_per_sec` tokens (= milli-tokens per millisecond). A new client's bucket is
    /// full.
    pub fn new(capacity: u32, refill_per_sec: u32) -> Self {
        todo!("create buckets of {capacity} tokens refilling at {refill_per_sec} per second")
    }

    /// Whether `client` may make a request at `now_ms`: refills its bucket up to `now_ms`,
    /// then takes one token (1000 milli-tokens) and returns `true`, or returns `false` if
    /// the bucket holds less than one token. O(1).
    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        todo!("may {client:?} make a request at {now_ms} ms?")
    }

    /// The balance of `client`'s bucket at `now_ms`, in milli-tokens, refilled up to
    /// `now_ms` and capped at `capacity * 1000`; a full bucket for a client never seen.
    /// Changes nothing. O(1).
    pub fn tokens_milli(&self, client: &str, now_ms: u64) -> u64 {
        todo!("how many milli-tokens does {client:?} have at {now_ms} ms?")
    }

    /// Milliseconds from `now_ms` until `client` would be allowed a request: `Some(0)` if
    /// it has a token now, `(1000 - balance) / refill_per_sec` rounded up otherwise, or
    /// `None` if its bucket can never hold a token again. Changes nothing. O(1).
    pub fn retry_after_ms(&self, client: &str, now_ms: u64) -> Option<u64> {
        todo!("when may {client:?} retry, asked at {now_ms} ms?")
    }
}
