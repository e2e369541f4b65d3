//! Mutant: asks "is this key known?" under the lock, lets go of it, and takes it again to
//! mark the key in flight. Two duplicates arriving together can both find the key unknown
//! in between and both run the handler: the double charge the store exists to prevent.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard};

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

struct Entry {
    fingerprint: u64,
    /// `None`: `first_ms + ttl_ms` lies beyond `u64::MAX`, so it never expires.
    expires_at: Option<u64>,
    /// `None` while the first request is in flight.
    response: Option<Response>,
}

/// Remembers, per idempotency key, the request and the response it produced.
pub struct IdempotencyStore {
    ttl_ms: u64,
    entries: Mutex<HashMap<String, Entry>>,
}

fn fingerprint(request: &Request) -> u64 {
    let mut hasher = DefaultHasher::new();
    request.method.hash(&mut hasher);
    request.path.hash(&mut hasher);
    request.body.hash(&mut hasher);
    hasher.finish()
}

fn expired(expires_at: Option<u64>, now_ms: u64) -> bool {
    expires_at.is_some_and(|at| now_ms >= at)
}

impl IdempotencyStore {
    /// An empty store whose responses are replayed for `ttl_ms` after the first request.
    pub fn new(ttl_ms: u64) -> Self {
        IdempotencyStore {
            ttl_ms,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `handler` for a new key, replays the stored response for a repeat, or refuses.
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
        let fingerprint = fingerprint(request);
        {
            let entries = self.entries();
            if let Some(entry) = entries.get(key) {
                let live = entry.response.is_none() || !expired(entry.expires_at, now_ms);
                if live {
                    if entry.fingerprint != fingerprint {
                        return Err(IdempotencyError::KeyReused);
                    }
                    return entry.response.clone().ok_or(IdempotencyError::InFlight);
                }
            }
        }
        {
            self.entries().insert(
                key.to_string(),
                Entry {
                    fingerprint,
                    expires_at: now_ms.checked_add(self.ttl_ms),
                    response: None,
                },
            );
        }
        let response = handler(request);
        let mut entries = self.entries();
        if response.status >= 500 {
            entries.remove(key);
        } else if let Some(entry) = entries.get_mut(key) {
            entry.response = Some(response.clone());
        }
        Ok(response)
    }

    /// Forgets every completed key that has expired at `now_ms`; returns how many.
    pub fn purge_expired(&self, now_ms: u64) -> usize {
        let mut entries = self.entries();
        let before = entries.len();
        entries.retain(|_, entry| entry.response.is_none() || !expired(entry.expires_at, now_ms));
        before - entries.len()
    }

    /// How many keys the store holds: in flight, or completed and not purged.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether the store holds no keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
