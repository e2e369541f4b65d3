//! # session_tokens: signed session tokens with key rotation and clock skew
//!
//! After a user logs in, the API hands the client a **session token**, and the client sends it
//! back with every request (`Authorization: Bearer <token>`). Looking every token up in a
//! sessions table would cost a database round trip per request, so the token carries the
//! session itself (who the user is, when it was issued, when it expires) and a **tag**: an
//! HMAC of those bytes under a server secret. Any server holding the secret checks the tag and
//! trusts the contents, without a lookup. This is the idea behind JWTs and signed cookies, and
//! every part of it is an interview probe:
//!
//! - The token is untrusted input. A parser that slices `&token[0..8]` panics on an `é`; one
//!   that accepts `A-F` as well as `a-f` accepts two spellings of one signed payload.
//! - Secrets must be **rotated** (leaked, or simply old) without logging everyone out: the
//!   server signs new tokens with the *current* key, and keeps older keys for verifying until
//!   the tokens they signed have expired. Each token names its key by a **key id** (`kid`). A
//!   kid the server does not hold is refused: never "try the current key instead".
//! - Servers' clocks disagree by a few seconds. A token issued by a server whose clock runs
//!   ahead must not be refused as "issued in the future", nor one expiring right now refused
//!   by a server that runs ahead. Verifiers allow a **leeway** in both directions.
//! - Tags are compared **in constant time**. A comparison that stops at the first differing
//!   byte answers faster the fewer leading bytes are right; an attacker who can measure that
//!   (statistics over many requests make it measurable) forges a tag byte by byte.
//!
//! ## The task
//!
//! Write [`SessionTokens`] and [`tags_match`]. Signing is injected, as in cursor_pagination:
//! the [`Signer`] computes tags (an HMAC-SHA256 truncated to [`TAG_LEN`] bytes in
//! production). Time is a parameter (`now`, in seconds), never read from a clock. Keep the
//! declared types and signatures; the fields of [`SessionTokens`] are yours.
//!
//! ## Rules
//!
//! - **Token format.** Exactly 90 characters: `KID.PAYLOAD.TAG`, where `KID` is the key id
//!   as 8 hex digits (a `u32`, big-endian), `PAYLOAD` is 48 hex digits (`subject`,
//!   `issued_at`, `expires_at`: each a `u64`, 8 bytes big-endian) and `TAG` is 32 hex digits
//!   (the [`TAG_LEN`] = 16 bytes of the tag). Hex digits are **lowercase** `0-9a-f`, two per
//!   byte. The *message* that is signed is the 28 bytes that `KID` and `PAYLOAD` spell: the
//!   kid (4 bytes), then the payload (24 bytes), so the kid is signed too.
//! - **Keys.** `new(signer, leeway, kid, secret)` holds one key, which is *current*.
//!   `rotate(kid, secret)` adds a key and makes it current; the previous keys stay for
//!   verifying. It returns `false` and changes nothing if `kid` is already held.
//!   `retire(kid)` removes a key that is not current and returns `true`; it returns `false`
//!   and changes nothing for the current kid or a kid not held. `current_kid()` is the kid
//!   that `issue` signs with.
//! - **Issuing.** `issue(subject, now, ttl)` signs with the current key the session
//!   `issued_at = now`, `expires_at = now + ttl` (saturating at `u64::MAX`: a huge `ttl` never
//!   panics), calling `sign(current secret, message)` exactly once, and returns the token.
//! - **Verifying.** `verify(token, now)` returns the token's [`Session`], or the **first**
//!   error in this order:
//!   1. `Malformed`: anything but the format above (length, separators, uppercase,
//!      non-hex or non-ASCII characters, whitespace). Never a panic, whatever the string.
//!   2. `UnknownKey`: a well-formed token whose kid is not held (never held, or retired).
//!   3. `BadSignature`: `sign(secret of the token's kid, message)` differs from `TAG`.
//!   4. `NotYetValid`: `issued_at > now + leeway` (issued further in the future than clock
//!      skew explains).
//!   5. `Expired`: `now >= expires_at + leeway`. So with leeway 0 a session with
//!      `expires_at = 1000` is valid at 999 and expired at 1000; with leeway 30 it is
//!      valid up to 1029.
//!
//!   The two time rules are exact, as if computed with unbounded integers: `+` can
//!   overflow near `u64::MAX`, and a saturating add changes the answer there.
//! - **Sign only when needed.** `verify` calls the signer at most once: never for a
//!   `Malformed` token or an `UnknownKey` (check the whole token, tag included, first).
//! - **Constant time.** Tag bytes have the type `S::Byte`, a [`TagByte`]: `u8` in
//!   production, a byte that records every operation done on it in the checks. `tags_match`
//!   and `verify` must do the *same* operations whatever the tags hold: XOR each pair of
//!   bytes, OR the results together, and compare the total with zero once at the end (or
//!   compare every pair and combine the answers with a non-short-circuiting `&`). No early
//!   exit, no `==` on whole arrays (it stops at the first difference). In `verify`, bring the
//!   token's tag to `S::Byte` with `from_u8` and never call `to_u8` (that is for writing a
//!   tag into a token): the checks refuse a `verify` that reads the expected tag as `u8`s, or
//!   whose operations differ between a tag wrong in its first byte and one wrong in its last.
//!
//! ## Examples
//!
//! ```text
//! let mut tokens = SessionTokens::new(hmac, 30, 1, b"k1".to_vec());   // leeway 30 s
//! let t = tokens.issue(42, 1_000, 3_600);
//!   t == "00000001.000000000000002a00000000000003e800000000000011f8.<32 hex digits of tag>"
//!   (kid 1, subject 42, issued_at 1000, expires_at 4600; the tag is sign(b"k1", 28 bytes))
//! tokens.verify(&t, 1_000) -> Ok(Session { kid: 1, subject: 42, issued_at: 1000,
//!                                           expires_at: 4600 })
//! tokens.verify(&t, 970)   -> Ok(..)                  1000 <= 970 + 30
//! tokens.verify(&t, 969)   -> Err(NotYetValid)        1000 >  969 + 30
//! tokens.verify(&t, 4_629) -> Ok(..)                  4629 <  4600 + 30
//! tokens.verify(&t, 4_630) -> Err(Expired)
//! tokens.rotate(2, b"k2".to_vec()) -> true           issue now signs with kid 2; t still verifies
//! tokens.retire(2)                 -> false          2 is current
//! tokens.retire(1)                 -> true           tokens.verify(&t, 1_000) -> Err(UnknownKey)
//! <t with any digit of its payload or tag changed>   -> Err(BadSignature)
//! <t with its hex in uppercase>, "", <t + "\n">       -> Err(Malformed)
//! ```
//!
//! ## Edge cases
//!
//! A 90-*byte* string of 2-byte characters is malformed (and slicing it at byte 9 panics:
//! check bytes, not `&str` ranges). So is a string of any other length, 10 000 characters
//! included. A changed kid digit gives `UnknownKey` if no key has the
//! new kid, and `BadSignature` if one does. `leeway`, `now`, `ttl` and the times in a token
//! may be anything up to `u64::MAX`. A token may hold `expires_at < issued_at` (another
//! issuer's bug): the order of the rules decides its error.
//!
//! ## Complexity
//!
//! `verify` is O(1): a length test, one pass over the 90 bytes, one key lookup, at most one
//! signature and a fixed comparison of 16 bytes; `issue` is one signature. The checks count
//! the signer's calls and record every operation done on tag bytes: no timing is involved.

use std::marker::PhantomData;
use std::ops::{BitOr, BitXor};

/// How many bytes a tag has.
pub const TAG_LEN: usize = 16;

/// A byte of a tag. `u8` in production; the checks use a byte type that records what is done
/// with it, so that the comparison's work can be seen.
pub trait TagByte: Copy + PartialEq + BitXor<Output = Self> + BitOr<Output = Self> {
    /// The byte `byte` (a byte read from a token, or a zero to start a combination from).
    fn from_u8(byte: u8) -> Self;
    /// The plain value, for writing a tag into a token (never while verifying).
    fn to_u8(self) -> u8;
}

impl TagByte for u8 {
    fn from_u8(byte: u8) -> Self {
        byte
    }

    fn to_u8(self) -> u8 {
        self
    }
}

/// Computes tags: in production an HMAC-SHA256 keyed with `secret`, truncated to TAG_LEN.
pub trait Signer {
    type Byte: TagByte;
    /// The tag of `message` under `secret`.
    fn sign(&self, secret: &[u8], message: &[u8]) -> [Self::Byte; TAG_LEN];
}

/// What a valid token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// The key id the token was signed with.
    pub kid: u32,
    /// The user id.
    pub subject: u64,
    pub issued_at: u64,
    pub expires_at: u64,
}

/// Why a token was refused, in the order `verify` checks (the API answers all with 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    UnknownKey,
    BadSignature,
    NotYetValid,
    Expired,
}

/// Issues and verifies session tokens with a ring of keys.
pub struct SessionTokens<S: Signer> {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<S>,
}

impl<S: Signer> SessionTokens<S> {
    /// A verifier allowing `leeway` seconds of clock skew, holding one key, `kid`, as current.
    pub fn new(signer: S, leeway: u64, kid: u32, secret: Vec<u8>) -> Self {
        let _ = (signer, leeway, secret);
        todo!("hold key {kid} as the current key")
    }

    /// The kid `issue` signs with.
    pub fn current_kid(&self) -> u32 {
        todo!("the current kid")
    }

    /// Adds a key and makes it current; `false` (and no change) if `kid` is already held.
    pub fn rotate(&mut self, kid: u32, secret: Vec<u8>) -> bool {
        let _ = secret;
        todo!("add key {kid} and make it current")
    }

    /// Removes a key that is not current; `false` (and no change) for the current kid or an
    /// unknown one.
    pub fn retire(&mut self, kid: u32) -> bool {
        todo!("remove key {kid} unless it is current")
    }

    /// A token for `subject`, issued at `now`, expiring at `now + ttl` (saturating), signed
    /// with the current key.
    pub fn issue(&self, subject: u64, now: u64, ttl: u64) -> String {
        todo!("a token for subject {subject} issued at {now} for {ttl} s")
    }

    /// The session in `token`, if it is well-formed, signed by a held key and valid at `now`.
    pub fn verify(&self, token: &str, now: u64) -> Result<Session, TokenError> {
        todo!("verify the token {token:?} at {now}")
    }
}

/// Whether two tags are equal, doing the same operations whatever they hold: no early exit.
pub fn tags_match<B: TagByte>(expected: &[B; TAG_LEN], given: &[B; TAG_LEN]) -> bool {
    let _ = (expected, given);
    todo!("compare every byte, then decide")
}
