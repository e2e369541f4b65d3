//! Mutant: parses each field with `from_str_radix(_, 16)`, which accepts a leading `+` and
//! uppercase digits: another spelling of a signed payload is accepted.

use std::collections::HashMap;
use std::ops::{BitOr, BitXor};

/// How many bytes a tag has.
pub const TAG_LEN: usize = 16;

/// A byte of a tag: `u8` in production, an instrumented byte in the checks.
pub trait TagByte: Copy + PartialEq + BitXor<Output = Self> + BitOr<Output = Self> {
    fn from_u8(byte: u8) -> Self;
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
    fn sign(&self, secret: &[u8], message: &[u8]) -> [Self::Byte; TAG_LEN];
}

/// What a valid token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub kid: u32,
    pub subject: u64,
    pub issued_at: u64,
    pub expires_at: u64,
}

/// Why a token was refused, in the order `verify` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    UnknownKey,
    BadSignature,
    NotYetValid,
    Expired,
}

/// The bytes `KID` and `PAYLOAD` spell: what is signed.
const MESSAGE_LEN: usize = 4 + 24;
/// `KID.PAYLOAD.TAG`: 8 + 1 + 48 + 1 + 32 characters.
const TOKEN_LEN: usize = 2 * MESSAGE_LEN + 2 * TAG_LEN + 2;
/// Where the two dots are.
const DOTS: [usize; 2] = [8, 8 + 1 + 48];

/// Issues and verifies session tokens with a ring of keys.
pub struct SessionTokens<S: Signer> {
    signer: S,
    leeway: u64,
    current: u32,
    keys: HashMap<u32, Vec<u8>>,
}

impl<S: Signer> SessionTokens<S> {
    pub fn new(signer: S, leeway: u64, kid: u32, secret: Vec<u8>) -> Self {
        SessionTokens {
            signer,
            leeway,
            current: kid,
            keys: HashMap::from([(kid, secret)]),
        }
    }

    pub fn current_kid(&self) -> u32 {
        self.current
    }

    pub fn rotate(&mut self, kid: u32, secret: Vec<u8>) -> bool {
        if self.keys.contains_key(&kid) {
            return false;
        }
        self.keys.insert(kid, secret);
        self.current = kid;
        true
    }

    pub fn retire(&mut self, kid: u32) -> bool {
        kid != self.current && self.keys.remove(&kid).is_some()
    }

    pub fn issue(&self, subject: u64, now: u64, ttl: u64) -> String {
        let session = Session {
            kid: self.current,
            subject,
            issued_at: now,
            expires_at: now.saturating_add(ttl),
        };
        let message = message(&session);
        let tag = self.signer.sign(&self.keys[&self.current], &message);
        let mut token = String::with_capacity(TOKEN_LEN);
        push_hex(&mut token, &message[..4]);
        token.push('.');
        push_hex(&mut token, &message[4..]);
        token.push('.');
        push_hex(&mut token, &tag.map(TagByte::to_u8));
        token
    }

    pub fn verify(&self, token: &str, now: u64) -> Result<Session, TokenError> {
        let (message, tag) = parse(token).ok_or(TokenError::Malformed)?;
        let session = session_of(&message);
        let secret = self.keys.get(&session.kid).ok_or(TokenError::UnknownKey)?;
        let expected = self.signer.sign(secret, &message);
        if !tags_match(&expected, &tag.map(S::Byte::from_u8)) {
            return Err(TokenError::BadSignature);
        }
        let (now, leeway) = (u128::from(now), u128::from(self.leeway));
        if u128::from(session.issued_at) > now + leeway {
            return Err(TokenError::NotYetValid);
        }
        if now >= u128::from(session.expires_at) + leeway {
            return Err(TokenError::Expired);
        }
        Ok(session)
    }
}

/// Whether two tags are equal: every pair of bytes is XORed and the differences ORed
/// together, then the total is compared with zero once. No branch depends on the bytes.
pub fn tags_match<B: TagByte>(expected: &[B; TAG_LEN], given: &[B; TAG_LEN]) -> bool {
    let mut difference = B::from_u8(0);
    for (&e, &g) in expected.iter().zip(given) {
        difference = difference | (e ^ g);
    }
    difference == B::from_u8(0)
}

fn message(session: &Session) -> [u8; MESSAGE_LEN] {
    let mut message = [0u8; MESSAGE_LEN];
    message[..4].copy_from_slice(&session.kid.to_be_bytes());
    message[4..12].copy_from_slice(&session.subject.to_be_bytes());
    message[12..20].copy_from_slice(&session.issued_at.to_be_bytes());
    message[20..].copy_from_slice(&session.expires_at.to_be_bytes());
    message
}

fn session_of(message: &[u8; MESSAGE_LEN]) -> Session {
    let word = |at: usize| {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(&message[at..at + 8]);
        u64::from_be_bytes(eight)
    };
    let mut kid = [0u8; 4];
    kid.copy_from_slice(&message[..4]);
    Session {
        kid: u32::from_be_bytes(kid),
        subject: word(4),
        issued_at: word(12),
        expires_at: word(20),
    }
}

/// The signed message and the tag, or `None` if `token` is not exactly the format.
fn parse(token: &str) -> Option<([u8; MESSAGE_LEN], [u8; TAG_LEN])> {
    let fields: Vec<&str> = token.split('.').collect();
    if fields.len() != 3 || fields[0].len() != 8 || fields[1].len() != 48 || fields[2].len() != 32 {
        return None;
    }
    if !fields.iter().all(|f| f.is_ascii()) {
        return None;
    }
    let kid = u32::from_str_radix(fields[0], 16).ok()?;
    let word = |i: usize| u64::from_str_radix(&fields[1][16 * i..16 * i + 16], 16).ok();
    let mut message = [0u8; MESSAGE_LEN];
    message[..4].copy_from_slice(&kid.to_be_bytes());
    for i in 0..3 {
        message[4 + 8 * i..12 + 8 * i].copy_from_slice(&word(i)?.to_be_bytes());
    }
    let mut tag = [0u8; TAG_LEN];
    for (i, byte) in tag.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&fields[2][2 * i..2 * i + 2], 16).ok()?;
    }
    Some((message, tag))
}

/// A lowercase hex digit's value: uppercase would give a second spelling of the same bytes.
fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
}
