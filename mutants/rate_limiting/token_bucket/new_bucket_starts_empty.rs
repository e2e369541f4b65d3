//! Mutant: gives a client seen for the first time an empty bucket instead of a full one,
//! so there is no initial burst and its first request is rejected.

use std::collections::HashMap;

/// One token, in milli-tokens.
const TOKEN: u64 = 1000;

#[derive(Clone, Copy)]
struct Bucket {
    /// Milli-tokens at `updated_ms`; at most `capacity * 1000`.
    balance: u64,
    updated_ms: u64,
}

/// A token bucket per client: at most `capacity` tokens, refilled at `refill_per_sec`
/// tokens per second, one token per request. Balances are in milli-tokens.
pub struct TokenBucket {
    /// `capacity * 1000`, in milli-tokens (fits a `u64`: at most about 4.3 * 10^12).
    full: u64,
    /// Milli-tokens per millisecond.
    rate: u64,
    buckets: HashMap<String, Bucket>,
}

impl TokenBucket {
    /// A limiter whose buckets hold at most `capacity` tokens and refill at
    /// `refill_per_sec` tokens (= milli-tokens per millisecond). A new client's bucket is
    /// full.
    pub fn new(capacity: u32, refill_per_sec: u32) -> Self {
        TokenBucket {
            full: u64::from(capacity) * TOKEN,
            rate: u64::from(refill_per_sec),
            buckets: HashMap::new(),
        }
    }

    /// The balance of `client`'s bucket at `now_ms`, refilled and capped.
    fn balance_at(&self, client: &str, now_ms: u64) -> u64 {
        match self.buckets.get(client) {
            None => 0,
            Some(bucket) => {
                let gained = u128::from(now_ms - bucket.updated_ms) * u128::from(self.rate);
                let balance = u128::from(bucket.balance) + gained;
                balance.min(u128::from(self.full)) as u64
            }
        }
    }

    /// Whether `client` may make a request at `now_ms`: refills its bucket up to `now_ms`,
    /// then takes one token (1000 milli-tokens) and returns `true`, or returns `false` if
    /// the bucket holds less than one token. O(1).
    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        let balance = self.balance_at(client, now_ms);
        let allowed = balance >= TOKEN;
        let balance = if allowed { balance - TOKEN } else { balance };
        let bucket = Bucket {
            balance,
            updated_ms: now_ms,
        };
        match self.buckets.get_mut(client) {
            Some(stored) => *stored = bucket,
            None => {
                self.buckets.insert(client.to_string(), bucket);
            }
        }
        allowed
    }

    /// The balance of `client`'s bucket at `now_ms`, in milli-tokens, refilled up to
    /// `now_ms` and capped at `capacity * 1000`; a full bucket for a client never seen.
    /// Changes nothing. O(1).
    pub fn tokens_milli(&self, client: &str, now_ms: u64) -> u64 {
        self.balance_at(client, now_ms)
    }

    /// Milliseconds from `now_ms` until `client` would be allowed a request: `Some(0)` if
    /// it has a token now, `(1000 - balance) / refill_per_sec` rounded up otherwise, or
    /// `None` if its bucket can never hold a token again. Changes nothing. O(1).
    pub fn retry_after_ms(&self, client: &str, now_ms: u64) -> Option<u64> {
        let balance = self.balance_at(client, now_ms);
        if balance >= TOKEN {
            Some(0)
        } else if self.rate == 0 || self.full < TOKEN {
            None
        } else {
            Some((TOKEN - balance).div_ceil(self.rate))
        }
    }
}
