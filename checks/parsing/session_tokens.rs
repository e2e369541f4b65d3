use super::session_tokens::{
    Session, SessionTokens, Signer, TAG_LEN, TagByte, TokenError, tags_match,
};
use crate::kit::{SplitMix64, learner};
use crate::support::{history, ms};

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{BitOr, BitXor};
use std::rc::Rc;

use TokenError::{BadSignature, Expired, Malformed, NotYetValid, UnknownKey};

// ---------------------------------------------------------------------------------------
// Tag bytes that record every operation done on them.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteOp {
    FromU8,
    ToU8,
    Xor,
    Or,
    Eq,
}

thread_local! {
    static TRACE: RefCell<Vec<ByteOp>> = const { RefCell::new(Vec::new()) };
}

fn record(op: ByteOp) {
    TRACE.with(|t| t.borrow_mut().push(op));
}

/// The operations done on tag bytes since the last call.
fn take_trace() -> Vec<ByteOp> {
    TRACE.with(|t| std::mem::take(&mut *t.borrow_mut()))
}

/// A tag byte as the checks' signer hands it out: `^`, `|`, `==`, `from_u8` and `to_u8`
/// are recorded.
#[derive(Clone, Copy)]
struct Probe(u8);

impl BitXor for Probe {
    type Output = Probe;
    fn bitxor(self, other: Probe) -> Probe {
        record(ByteOp::Xor);
        Probe(self.0 ^ other.0)
    }
}

impl BitOr for Probe {
    type Output = Probe;
    fn bitor(self, other: Probe) -> Probe {
        record(ByteOp::Or);
        Probe(self.0 | other.0)
    }
}

impl PartialEq for Probe {
    fn eq(&self, other: &Probe) -> bool {
        record(ByteOp::Eq);
        self.0 == other.0
    }
}

impl TagByte for Probe {
    fn from_u8(byte: u8) -> Self {
        record(ByteOp::FromU8);
        Probe(byte)
    }

    fn to_u8(self) -> u8 {
        record(ByteOp::ToU8);
        self.0
    }
}

/// "18 from_u8, 16 ^, 16 |, 1 ==": what a trace did, for a message.
fn trace_text(trace: &[ByteOp]) -> String {
    let kinds = [
        (ByteOp::FromU8, "from_u8"),
        (ByteOp::ToU8, "to_u8"),
        (ByteOp::Xor, "^"),
        (ByteOp::Or, "|"),
        (ByteOp::Eq, "=="),
    ];
    let counts: Vec<String> = kinds
        .iter()
        .filter_map(|&(kind, name)| {
            let n = trace.iter().filter(|&&op| op == kind).count();
            (n > 0).then(|| format!("{n} {name}"))
        })
        .collect();
    if counts.is_empty() {
        "no operations".to_string()
    } else {
        counts.join(", ")
    }
}

// ---------------------------------------------------------------------------------------
// The signer the checks hand in: a keyed 128-bit tag (a stand-in for HMAC), with every call
// recorded.

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn model_tag(secret: &[u8], message: &[u8]) -> [u8; TAG_LEN] {
    let mut tag = [0u8; TAG_LEN];
    for (lane, start) in [0x243F_6A88_85A3_08D3u64, 0x1319_8A2E_0370_7344]
        .into_iter()
        .enumerate()
    {
        let mut state = mix(start ^ (secret.len() as u64) << 32 ^ message.len() as u64);
        for &b in secret.iter().chain(message) {
            state = mix(state ^ u64::from(b).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        tag[8 * lane..8 * lane + 8].copy_from_slice(&state.to_be_bytes());
    }
    tag
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct SignCall {
    secret: Vec<u8>,
    message: Vec<u8>,
}

type Calls = Rc<RefCell<Vec<SignCall>>>;

struct TestSigner {
    calls: Calls,
}

impl Signer for TestSigner {
    type Byte = Probe;
    fn sign(&self, secret: &[u8], message: &[u8]) -> [Probe; TAG_LEN] {
        self.calls.borrow_mut().push(SignCall {
            secret: secret.to_vec(),
            message: message.to_vec(),
        });
        model_tag(secret, message).map(Probe)
    }
}

/// A production-like signer: plain `u8` tag bytes.
struct PlainSigner;

impl Signer for PlainSigner {
    type Byte = u8;
    fn sign(&self, secret: &[u8], message: &[u8]) -> [u8; TAG_LEN] {
        model_tag(secret, message)
    }
}

fn secret_text(secret: &[u8]) -> String {
    format!("b\"{}\"", String::from_utf8_lossy(secret))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The 28 signed bytes, shown field by field.
fn message_text(message: &[u8]) -> String {
    if message.len() == 28 {
        format!(
            "[kid {} | subject {} | issued_at {} | expires_at {}]",
            hex(&message[..4]),
            hex(&message[4..12]),
            hex(&message[12..20]),
            hex(&message[20..])
        )
    } else {
        format!("[{} bytes: {}]", message.len(), hex(message))
    }
}

fn sign_call_text(call: &SignCall) -> String {
    format!(
        "sign({}, {})",
        secret_text(&call.secret),
        message_text(&call.message)
    )
}

fn sign_calls_text(calls: &[SignCall]) -> String {
    if calls.is_empty() {
        "none".to_string()
    } else {
        calls
            .iter()
            .map(sign_call_text)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

// ---------------------------------------------------------------------------------------
// The token format and the rules, read literally.

fn session(kid: u32, subject: u64, issued_at: u64, expires_at: u64) -> Session {
    Session {
        kid,
        subject,
        issued_at,
        expires_at,
    }
}

fn model_message(s: &Session) -> Vec<u8> {
    let mut message = s.kid.to_be_bytes().to_vec();
    message.extend_from_slice(&s.subject.to_be_bytes());
    message.extend_from_slice(&s.issued_at.to_be_bytes());
    message.extend_from_slice(&s.expires_at.to_be_bytes());
    message
}

/// The token of `s` signed with `secret` (whatever key `s.kid` names).
fn model_token(secret: &[u8], s: &Session) -> String {
    let message = model_message(s);
    format!(
        "{}.{}.{}",
        hex(&message[..4]),
        hex(&message[4..]),
        hex(&model_tag(secret, &message))
    )
}

fn model_parse(token: &str) -> Option<(Session, Vec<u8>)> {
    let b = token.as_bytes();
    if b.len() != 90 || !token.is_ascii() || b[8] != b'.' || b[57] != b'.' {
        return None;
    }
    let lowercase_hex = |s: &str| s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
    let (kid, payload, tag) = (&token[..8], &token[9..57], &token[58..]);
    if !(lowercase_hex(kid) && lowercase_hex(payload) && lowercase_hex(tag)) {
        return None;
    }
    let word = |i: usize| u64::from_str_radix(&payload[16 * i..16 * i + 16], 16).unwrap();
    let tag = (0..TAG_LEN)
        .map(|i| u8::from_str_radix(&tag[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    Some((
        session(
            u32::from_str_radix(kid, 16).unwrap(),
            word(0),
            word(1),
            word(2),
        ),
        tag,
    ))
}

#[derive(Clone)]
struct Model {
    leeway: u64,
    current: u32,
    keys: BTreeMap<u32, Vec<u8>>,
}

impl Model {
    fn verify(&self, token: &str, now: u64) -> Result<Session, TokenError> {
        let (s, tag) = model_parse(token).ok_or(Malformed)?;
        let secret = self.keys.get(&s.kid).ok_or(UnknownKey)?;
        if model_tag(secret, &model_message(&s)).as_slice() != tag.as_slice() {
            return Err(BadSignature);
        }
        let (now, leeway) = (u128::from(now), u128::from(self.leeway));
        if u128::from(s.issued_at) > now + leeway {
            return Err(NotYetValid);
        }
        if now >= u128::from(s.expires_at) + leeway {
            return Err(Expired);
        }
        Ok(s)
    }

    fn issue(&self, subject: u64, now: u64, ttl: u64) -> (Session, String) {
        let s = session(self.current, subject, now, now.saturating_add(ttl));
        let token = model_token(&self.keys[&self.current], &s);
        (s, token)
    }

    fn rotate(&mut self, kid: u32, secret: &[u8]) -> bool {
        if self.keys.contains_key(&kid) {
            return false;
        }
        self.keys.insert(kid, secret.to_vec());
        self.current = kid;
        true
    }

    fn retire(&mut self, kid: u32) -> bool {
        kid != self.current && self.keys.remove(&kid).is_some()
    }
}

// ---------------------------------------------------------------------------------------
// Driving one SessionTokens through scripted calls; a failure lists the calls before it.

struct Ring {
    tokens: SessionTokens<TestSigner>,
    calls: Calls,
    model: Model,
    history: Vec<String>,
    /// The tokens issued so far: t1, t2, ...
    issued: Vec<String>,
}

impl Ring {
    fn new(leeway: u64, kid: u32, secret: &str) -> Ring {
        let call = format!(
            "SessionTokens::new(signer, {}, {kid}, {}.to_vec())",
            ms(leeway),
            secret_text(secret.as_bytes())
        );
        let calls: Calls = Rc::default();
        let signer = TestSigner {
            calls: Rc::clone(&calls),
        };
        let tokens = learner(
            || call.clone(),
            || SessionTokens::new(signer, leeway, kid, secret.as_bytes().to_vec()),
        );
        Ring {
            tokens,
            calls,
            model: Model {
                leeway,
                current: kid,
                keys: BTreeMap::from([(kid, secret.as_bytes().to_vec())]),
            },
            history: vec![call],
            issued: Vec::new(),
        }
    }

    fn context(&self, call: &str) -> String {
        format!("after {}: {call}", history(&self.history))
    }

    /// `t2` for a token issued earlier, else the token itself (and what it is).
    fn token_text(&self, token: &str, what: &str) -> String {
        match self.issued.iter().position(|t| t == token) {
            Some(i) => format!("t{}", i + 1),
            None if what.is_empty() => format!("{token:?}"),
            None => format!("{token:?} ({what})"),
        }
    }

    fn take_calls(&self) -> Vec<SignCall> {
        std::mem::take(&mut *self.calls.borrow_mut())
    }

    fn issue(&mut self, subject: u64, now: u64, ttl: u64) -> String {
        let call = format!("issue({}, {}, {})", ms(subject), ms(now), ms(ttl));
        self.take_calls();
        let context = self.context(&call);
        let tokens = &self.tokens;
        let got = learner(|| context.clone(), || tokens.issue(subject, now, ttl));
        let calls = self.take_calls();
        let (s, expected) = self.model.issue(subject, now, ttl);
        let expected_call = SignCall {
            secret: self.model.keys[&self.model.current].clone(),
            message: model_message(&s),
        };
        if calls != [expected_call.clone()] {
            panic!(
                "{context} called the signer {} time(s): {}; expected exactly once: {} (the \
                 current key's secret, and the 28 bytes of the kid and the payload)",
                calls.len(),
                sign_calls_text(&calls),
                sign_call_text(&expected_call)
            );
        }
        if got != expected {
            panic!(
                "{context} returned {got:?}, expected {expected:?} (the token of {s:?} signed \
                 with key {}: KID.PAYLOAD.TAG in lowercase hex)",
                s.kid
            );
        }
        self.issued.push(got.clone());
        self.history
            .push(format!("t{} = {call}", self.issued.len()));
        got
    }

    /// Verifies and checks what every verify must do (sign at most once, and only when the
    /// token is well-formed with a held kid; never read tag bytes as u8), and that the
    /// result is the model's. Returns the operations done on tag bytes.
    fn verify_traced(&mut self, token: &str, now: u64, what: &str) -> Vec<ByteOp> {
        let call = format!("verify({}, {})", self.token_text(token, what), ms(now));
        let context = self.context(&call);
        self.take_calls();
        take_trace();
        let tokens = &self.tokens;
        let got = learner(|| context.clone(), || tokens.verify(token, now));
        let trace = take_trace();
        let calls = self.take_calls();
        let expected = self.model.verify(token, now);
        if got != expected {
            panic!("{context} returned {got:?}, expected {expected:?}");
        }
        match expected {
            Err(Malformed) | Err(UnknownKey) => {
                if !calls.is_empty() {
                    panic!(
                        "{context} returned {got:?} but called the signer first: {}; expected \
                         no call (check the whole token, tag included, and the kid before \
                         signing: a malformed or unknown token must cost no signature)",
                        sign_calls_text(&calls)
                    );
                }
            }
            _ => {
                let (s, _) = model_parse(token).expect("well-formed");
                let expected_call = SignCall {
                    secret: self.model.keys[&s.kid].clone(),
                    message: model_message(&s),
                };
                if calls != [expected_call.clone()] {
                    panic!(
                        "{context} returned {got:?} but called the signer {} time(s): {}; \
                         expected exactly once: {} (the secret of the token's kid, {}, and the \
                         28 bytes its KID and PAYLOAD spell)",
                        calls.len(),
                        sign_calls_text(&calls),
                        sign_call_text(&expected_call),
                        s.kid
                    );
                }
            }
        }
        if trace.contains(&ByteOp::ToU8) {
            panic!(
                "{context} returned {got:?} but called to_u8() on tag bytes ({}): while \
                 verifying, bring the token's tag to S::Byte with from_u8 and compare with ^, | \
                 and ==; reading the expected tag back as u8 is how an early-exit comparison \
                 hides",
                trace_text(&trace)
            );
        }
        // verify changes nothing: it stays out of the history, which lists what led here.
        trace
    }

    fn verify(&mut self, token: &str, now: u64, expected: Result<Session, TokenError>) {
        self.verify_as(token, now, "", expected);
    }

    fn verify_as(
        &mut self,
        token: &str,
        now: u64,
        what: &str,
        expected: Result<Session, TokenError>,
    ) {
        // The model is the statement's rules; the scripted expectation says the same.
        assert_eq!(
            self.model.verify(token, now),
            expected,
            "the checks' model disagrees with a scripted expectation"
        );
        self.verify_traced(token, now, what);
    }

    fn rotate(&mut self, kid: u32, secret: &str, expected: bool) {
        let call = format!("rotate({kid}, {}.to_vec())", secret_text(secret.as_bytes()));
        let context = self.context(&call);
        let tokens = &mut self.tokens;
        let got = learner(
            || context.clone(),
            || tokens.rotate(kid, secret.as_bytes().to_vec()),
        );
        assert_eq!(self.model.rotate(kid, secret.as_bytes()), expected);
        if got != expected {
            panic!("{context} returned {got}, expected {expected}");
        }
        self.history.push(format!("{call} -> {got}"));
        self.current_kid();
    }

    fn retire(&mut self, kid: u32, expected: bool) {
        let call = format!("retire({kid})");
        let context = self.context(&call);
        let tokens = &mut self.tokens;
        let got = learner(|| context.clone(), || tokens.retire(kid));
        assert_eq!(self.model.retire(kid), expected);
        if got != expected {
            panic!("{context} returned {got}, expected {expected}");
        }
        self.history.push(format!("{call} -> {got}"));
        self.current_kid();
    }

    fn current_kid(&mut self) {
        let context = self.context("current_kid()");
        let tokens = &self.tokens;
        let got = learner(|| context.clone(), || tokens.current_kid());
        let expected = self.model.current;
        if got != expected {
            panic!("{context} returned {got}, expected {expected}");
        }
    }

    /// The token of `s` signed with `secret`, whichever key `s.kid` names: a token the
    /// ring may or may not have issued.
    fn craft(&self, s: Session, secret: &str) -> String {
        model_token(secret.as_bytes(), &s)
    }
}

/// `token` with the character at `at` replaced by `with`.
fn replace_at(token: &str, at: usize, with: &str) -> String {
    let mut out = token.to_string();
    out.replace_range(at..at + 1, with);
    out
}

/// A different lowercase hex digit.
fn other_digit(digit: u8) -> &'static str {
    if digit == b'0' { "1" } else { "0" }
}

// ---------------------------------------------------------------------------------------
// Issuing.

#[test]
fn issue_writes_kid_payload_and_tag_as_lowercase_hex() {
    let mut ring = Ring::new(30, 1, "k1");
    let t = ring.issue(42, 1_000, 3_600);
    expect_eq!(
        &t[..58],
        "00000001.000000000000002a00000000000003e800000000000011f8.",
        "the first 58 characters of issue(42, 1000, 3600) with key 1"
    );
    ring.issue(0, 0, 0);
    ring.issue(u64::MAX, 1_700_000_000, 86_400);
    ring.issue(0xABCD_EF01_2345_6789, 0x0102_0304_0506_0708, 0x10);
    let mut ring = Ring::new(0, 0xDEAD_BEEF, "another secret");
    ring.issue(7, 1, 2);
    ring.rotate(u32::MAX, "k-max", true);
    ring.issue(7, 1, 2);
}

#[test]
fn issue_saturates_expires_at_instead_of_overflowing() {
    let mut ring = Ring::new(0, 1, "k1");
    let t = ring.issue(7, u64::MAX - 5, 10);
    ring.verify(&t, u64::MAX - 5, Ok(session(1, 7, u64::MAX - 5, u64::MAX)));
    let t = ring.issue(8, 5, u64::MAX);
    ring.verify(&t, 5, Ok(session(1, 8, 5, u64::MAX)));
    ring.issue(9, u64::MAX, u64::MAX);
}

// ---------------------------------------------------------------------------------------
// Verifying: the format.

#[test]
fn verify_returns_the_session_of_an_issued_token() {
    let mut ring = Ring::new(30, 1, "k1");
    let t1 = ring.issue(42, 1_000, 3_600);
    ring.verify(&t1, 1_000, Ok(session(1, 42, 1_000, 4_600)));
    ring.verify(&t1, 2_000, Ok(session(1, 42, 1_000, 4_600)));
    let t2 = ring.issue(u64::MAX, 0, 1);
    ring.verify(&t2, 0, Ok(session(1, u64::MAX, 0, 1)));
    let mut ring = Ring::new(0, u32::MAX, "k-max");
    let t = ring.issue(5, 100, 50);
    ring.verify(&t, 149, Ok(session(u32::MAX, 5, 100, 150)));
}

#[test]
fn malformed_tokens_are_refused_and_never_panic() {
    let mut ring = Ring::new(30, 1, "k1");
    let t = ring.issue(42, 1_000, 3_600);
    let (kid, payload, tag) = (&t[..8], &t[9..57], &t[58..]);
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "empty"),
        (t[..89].to_string(), "the last digit cut off"),
        (t[..57].to_string(), "no tag"),
        (t[1..].to_string(), "the first digit cut off"),
        (format!("{t}0"), "one digit too many"),
        (format!("{t}\n"), "a trailing newline"),
        (format!(" {}", &t[1..]), "a leading space"),
        (format!("{t}.{tag}"), "a second tag"),
        (format!("{t}{t}"), "two tokens"),
        (format!("{kid}..{}", &t[10..]), "an empty field"),
        (
            format!("{kid}{payload}{tag}.."),
            "the dots moved to the end",
        ),
        (format!("{kid}.{payload}{tag}"), "one dot missing"),
        (format!("{kid}0{payload}.{tag}"), "the first dot is a digit"),
        (
            format!("{}.{}.{tag}0", &kid[1..], payload),
            "the kid one digit short",
        ),
        (format!("{kid}.{payload}:{tag}"), "a ':' instead of a dot"),
        (replace_at(&t, 20, "g"), "a 'g' in the payload"),
        (replace_at(&t, 3, "x"), "an 'x' in the kid"),
        (replace_at(&t, 89, "z"), "a 'z' in the tag"),
        (replace_at(&t, 40, "."), "a third dot"),
        (replace_at(&t, 60, "-"), "a '-' in the tag"),
        (
            format!("{}\u{e9}", &t[..88]),
            "a 2-byte 'é' as the last 2 bytes",
        ),
        (format!("\u{e9}{}", &t[2..]), "a 2-byte 'é' in the kid"),
        (
            format!("{}\u{e9}{}", &t[..7], &t[9..]),
            "an 'é' across the first dot",
        ),
        (
            format!("{}\u{20ac}{}", &t[..56], &t[59..]),
            "a '€' across the second dot",
        ),
        ("\u{1f600}".repeat(22) + "ab", "90 bytes of emoji"),
        ("é".repeat(45), "45 'é': 90 bytes"),
        ("not a token".to_string(), "garbage"),
        ("0".repeat(90), "90 zeros, no dots"),
        ("x".repeat(10_000), "10000 characters"),
    ];
    for (token, what) in cases {
        ring.verify_as(&token, 1_000, what, Err(Malformed));
    }
}

#[test]
fn uppercase_or_signed_hex_is_malformed_so_each_session_has_one_token() {
    let mut ring = Ring::new(30, 0xAB, "k1");
    let t = ring.issue(0xABCD_EF, 0xFA_CADE, 0xBEEF);
    let upper = |range: std::ops::Range<usize>| {
        format!(
            "{}{}{}",
            &t[..range.start],
            t[range.clone()].to_uppercase(),
            &t[range.end..]
        )
    };
    ring.verify_as(
        &upper(0..8),
        0xFA_CADE,
        "the kid in uppercase",
        Err(Malformed),
    );
    ring.verify_as(
        &upper(9..57),
        0xFA_CADE,
        "the payload in uppercase",
        Err(Malformed),
    );
    ring.verify_as(
        &upper(58..90),
        0xFA_CADE,
        "the tag in uppercase",
        Err(Malformed),
    );
    ring.verify_as(&upper(0..90), 0xFA_CADE, "all uppercase", Err(Malformed));
    // A '+' where a leading 0 was: u64::from_str_radix and u32::from_str_radix accept it.
    ring.verify_as(
        &replace_at(&t, 0, "+"),
        0xFA_CADE,
        "'+' for the kid's leading 0",
        Err(Malformed),
    );
    ring.verify_as(
        &replace_at(&t, 9, "+"),
        0xFA_CADE,
        "'+' for the subject's leading 0",
        Err(Malformed),
    );
    ring.verify_as(
        &replace_at(&t, 25, "+"),
        0xFA_CADE,
        "'+' for issued_at's leading 0",
        Err(Malformed),
    );
    ring.verify_as(
        &replace_at(&t, 9, " "),
        0xFA_CADE,
        "' ' for the subject's leading 0",
        Err(Malformed),
    );
}

// ---------------------------------------------------------------------------------------
// Verifying: tampering and keys.

#[test]
fn a_changed_payload_or_tag_digit_is_a_bad_signature() {
    let mut ring = Ring::new(30, 1, "k1");
    let t = ring.issue(42, 1_000, 3_600);
    for at in (9..57).chain(58..90) {
        let tampered = replace_at(&t, at, other_digit(t.as_bytes()[at]));
        let part = if at < 57 { "payload" } else { "tag" };
        ring.verify_as(
            &tampered,
            1_000,
            &format!("t1 with digit {at} (in the {part}) changed"),
            Err(BadSignature),
        );
    }
    // A client making itself another user, or extending its session, with the old tag.
    let forged = format!(
        "{}{}",
        &ring.craft(session(1, 1, 1_000, 4_600), "x")[..58],
        &t[58..]
    );
    ring.verify_as(&forged, 1_000, "subject 1 with t1's tag", Err(BadSignature));
    let forged = format!(
        "{}{}",
        &ring.craft(session(1, 42, 1_000, u64::MAX), "x")[..58],
        &t[58..]
    );
    ring.verify_as(
        &forged,
        1_000,
        "expires_at u64::MAX with t1's tag",
        Err(BadSignature),
    );
    let foreign = ring.craft(session(1, 42, 1_000, 4_600), "not k1");
    ring.verify_as(
        &foreign,
        1_000,
        "t1's session signed with another secret",
        Err(BadSignature),
    );
}

#[test]
fn a_changed_kid_digit_is_an_unknown_key_or_a_bad_signature() {
    let mut ring = Ring::new(30, 1, "k1");
    ring.rotate(3, "k3", true);
    ring.rotate(0x11, "k17", true);
    ring.rotate(0x1000_0001, "k-high", true);
    let s = session(1, 42, 1_000, 4_600);
    let t = ring.craft(s, "k1");
    for at in 0..8 {
        for digit in ["0", "1", "3", "f"] {
            if t[at..at + 1] == *digit {
                continue;
            }
            let tampered = replace_at(&t, at, digit);
            let kid = u32::from_str_radix(&tampered[..8], 16).unwrap();
            let expected = if ring.model.keys.contains_key(&kid) {
                Err(BadSignature)
            } else {
                Err(UnknownKey)
            };
            ring.verify_as(
                &tampered,
                1_000,
                &format!("a token of kid 1 with its kid changed to {kid:#x}"),
                expected,
            );
        }
    }
}

#[test]
fn the_kid_is_signed_along_with_the_payload() {
    // Two kids that share a secret (an operator re-registered a key under a new id): only
    // a signed kid tells their tokens apart.
    let mut ring = Ring::new(30, 1, "shared");
    ring.rotate(2, "shared", true);
    let t = ring.issue(42, 1_000, 3_600);
    ring.verify(&t, 1_000, Ok(session(2, 42, 1_000, 4_600)));
    let relabelled = replace_at(&t, 7, "1");
    ring.verify_as(
        &relabelled,
        1_000,
        "t1 with its kid changed from 2 to 1, which has the same secret",
        Err(BadSignature),
    );
}

#[test]
fn a_kid_that_is_not_held_is_refused_without_trying_another_key() {
    let mut ring = Ring::new(30, 1, "k1");
    // Signed with the current secret, under a kid the ring never held.
    let s = session(9, 42, 1_000, 4_600);
    ring.verify_as(
        &ring.craft(s, "k1"),
        1_000,
        "kid 9, signed with key 1's secret",
        Err(UnknownKey),
    );
    ring.verify_as(
        &ring.craft(s, "k9"),
        1_000,
        "kid 9, signed with k9",
        Err(UnknownKey),
    );
    ring.verify_as(
        &ring.craft(session(0, 42, 1_000, 4_600), ""),
        1_000,
        "kid 0 with an empty secret",
        Err(UnknownKey),
    );
    // Unknown kid, and a tag that is all zeros: still UnknownKey, and no signature.
    let zeros = format!("{}{}", &ring.craft(s, "k1")[..58], "0".repeat(32));
    ring.verify_as(&zeros, 1_000, "kid 9, a tag of zeros", Err(UnknownKey));
}

#[test]
fn rotation_keeps_old_tokens_valid_until_their_key_is_retired() {
    let mut ring = Ring::new(30, 1, "k1");
    let t1 = ring.issue(42, 1_000, 3_600);
    ring.rotate(2, "k2", true);
    let t2 = ring.issue(43, 1_100, 3_600);
    ring.verify(&t1, 1_200, Ok(session(1, 42, 1_000, 4_600)));
    ring.verify(&t2, 1_200, Ok(session(2, 43, 1_100, 4_700)));
    ring.rotate(7, "k7", true);
    let t3 = ring.issue(44, 1_200, 3_600);
    ring.verify(&t1, 1_300, Ok(session(1, 42, 1_000, 4_600)));
    ring.verify(&t3, 1_300, Ok(session(7, 44, 1_200, 4_800)));
    ring.retire(1, true);
    ring.verify(&t1, 1_300, Err(UnknownKey));
    ring.verify(&t2, 1_300, Ok(session(2, 43, 1_100, 4_700)));
    ring.retire(2, true);
    ring.verify(&t2, 1_300, Err(UnknownKey));
    ring.verify(&t3, 1_300, Ok(session(7, 44, 1_200, 4_800)));
    // A retired kid that comes back with a new secret does not revive its old tokens.
    ring.rotate(1, "k1 again", true);
    ring.verify(&t1, 1_300, Err(BadSignature));
    let t4 = ring.issue(45, 1_300, 10);
    ring.verify(&t4, 1_300, Ok(session(1, 45, 1_300, 1_310)));
    ring.verify(&t3, 1_300, Ok(session(7, 44, 1_200, 4_800)));
}

#[test]
fn rotate_refuses_a_held_kid_and_retire_refuses_the_current_one() {
    let mut ring = Ring::new(30, 1, "k1");
    ring.current_kid();
    let t1 = ring.issue(42, 1_000, 3_600);
    ring.rotate(1, "evil", false);
    ring.verify(&t1, 1_000, Ok(session(1, 42, 1_000, 4_600)));
    ring.retire(1, false);
    ring.retire(2, false);
    ring.verify(&t1, 1_000, Ok(session(1, 42, 1_000, 4_600)));
    ring.rotate(2, "k2", true);
    ring.rotate(2, "k2", false);
    ring.rotate(1, "k1 again", false);
    ring.verify(&t1, 1_000, Ok(session(1, 42, 1_000, 4_600)));
    let t2 = ring.issue(43, 1_000, 3_600);
    ring.verify(&t2, 1_000, Ok(session(2, 43, 1_000, 4_600)));
    ring.retire(2, false);
    ring.retire(1, true);
    ring.retire(1, false);
    ring.verify(&t2, 1_000, Ok(session(2, 43, 1_000, 4_600)));
}

// ---------------------------------------------------------------------------------------
// Verifying: time.

#[test]
fn expiry_is_exclusive_and_extended_by_the_leeway() {
    let mut ring = Ring::new(0, 1, "k1");
    let t = ring.issue(42, 900, 100);
    let s = session(1, 42, 900, 1_000);
    ring.verify(&t, 900, Ok(s));
    ring.verify(&t, 999, Ok(s));
    ring.verify(&t, 1_000, Err(Expired));
    ring.verify(&t, 1_001, Err(Expired));
    ring.verify(&t, u64::MAX, Err(Expired));
    let mut ring = Ring::new(30, 1, "k1");
    let t = ring.issue(42, 900, 100);
    ring.verify(&t, 1_000, Ok(s));
    ring.verify(&t, 1_029, Ok(s));
    ring.verify(&t, 1_030, Err(Expired));
    ring.verify(&t, 1_031, Err(Expired));
    // A ttl of 0: expired at once, but for the leeway.
    let t = ring.issue(43, 2_000, 0);
    ring.verify(&t, 2_000, Ok(session(1, 43, 2_000, 2_000)));
    ring.verify(&t, 2_029, Ok(session(1, 43, 2_000, 2_000)));
    ring.verify(&t, 2_030, Err(Expired));
}

#[test]
fn issued_at_may_be_in_the_future_by_at_most_the_leeway() {
    let mut ring = Ring::new(30, 1, "k1");
    // Issued by a server whose clock runs ahead of this one.
    let t = ring.issue(42, 1_000, 3_600);
    let s = session(1, 42, 1_000, 4_600);
    ring.verify(&t, 1_000, Ok(s));
    ring.verify(&t, 999, Ok(s));
    ring.verify(&t, 970, Ok(s));
    ring.verify(&t, 969, Err(NotYetValid));
    ring.verify(&t, 0, Err(NotYetValid));
    let mut ring = Ring::new(0, 1, "k1");
    let t = ring.issue(42, 1_000, 3_600);
    ring.verify(&t, 1_000, Ok(s));
    ring.verify(&t, 999, Err(NotYetValid));
    // A leeway larger than now: nothing is subtracted below zero.
    let mut ring = Ring::new(5_000, 1, "k1");
    let t = ring.issue(42, 1_000, 3_600);
    ring.verify(&t, 0, Ok(s));
    ring.verify(&t, 9_599, Ok(s));
    ring.verify(&t, 9_600, Err(Expired));
}

#[test]
fn time_rules_are_exact_at_the_top_of_the_u64_range() {
    let max = u64::MAX;
    let mut ring = Ring::new(10, 1, "k1");
    // expires_at + leeway is past u64::MAX: still valid at u64::MAX.
    let s = session(1, 7, max - 20, max - 3);
    let t = ring.craft(s, "k1");
    ring.verify_as(&t, max, "expires at u64::MAX - 3", Ok(s));
    ring.verify_as(&t, max - 20, "expires at u64::MAX - 3", Ok(s));
    let s = session(1, 7, max, max);
    let t = ring.craft(s, "k1");
    ring.verify_as(&t, max, "issued and expiring at u64::MAX", Ok(s));
    ring.verify_as(&t, max - 10, "issued and expiring at u64::MAX", Ok(s));
    ring.verify_as(
        &t,
        max - 11,
        "issued and expiring at u64::MAX",
        Err(NotYetValid),
    );
    let s = session(1, 7, 0, max - 10);
    let t = ring.craft(s, "k1");
    ring.verify_as(&t, max, "expires at u64::MAX - 10", Err(Expired));
    ring.verify_as(&t, max - 1, "expires at u64::MAX - 10", Ok(s));
    // The largest leeway: nothing expires before u64::MAX + expires_at.
    let mut ring = Ring::new(max, 1, "k1");
    let s = session(1, 7, max, 0);
    let t = ring.craft(s, "k1");
    ring.verify_as(&t, 0, "issued at u64::MAX, expired at 0", Ok(s));
    ring.verify_as(&t, max, "issued at u64::MAX, expired at 0", Err(Expired));
    ring.verify_as(&t, max - 1, "issued at u64::MAX, expired at 0", Ok(s));
    let s = session(1, 7, max, max);
    let t = ring.craft(s, "k1");
    ring.verify_as(&t, max, "issued and expiring at u64::MAX", Ok(s));
}

#[test]
fn errors_come_in_the_stated_order() {
    let mut ring = Ring::new(10, 1, "k1");
    ring.rotate(2, "k2", true);
    // Forged and expired: the forgery is what matters (and expiry is not disclosed).
    let s = session(1, 42, 100, 200);
    let forged = ring.craft(s, "guess");
    ring.verify_as(&forged, 5_000, "forged and expired", Err(BadSignature));
    ring.verify_as(&forged, 0, "forged and not yet valid", Err(BadSignature));
    // Unknown kid and a wrong tag: the kid is looked at first.
    let unknown = ring.craft(session(5, 42, 100, 200), "guess");
    ring.verify_as(&unknown, 5_000, "kid 5, forged, expired", Err(UnknownKey));
    // Malformed beats everything.
    let upper = ring.craft(session(0xAB, 42, 100, 200), "k1").to_uppercase();
    ring.verify_as(&upper, 150, "uppercase, kid 0xab", Err(Malformed));
    // Signed, but both issued in the future and already expired (expires_at < issued_at).
    let odd = session(2, 42, 1_000, 500);
    let t = ring.craft(odd, "k2");
    ring.verify_as(&t, 700, "issued at 1000, expired at 500", Err(NotYetValid));
    ring.verify_as(&t, 990, "issued at 1000, expired at 500", Err(Expired));
    ring.verify_as(&t, 509, "issued at 1000, expired at 500", Err(NotYetValid));
}

// ---------------------------------------------------------------------------------------
// The signer's work.

#[test]
fn verify_signs_at_most_once_and_never_before_the_token_is_parsed() {
    // Every verify call here also checks the signer's calls; these are the tokens where
    // signing too early, or with every key, shows.
    let mut ring = Ring::new(30, 1, "k1");
    for kid in 2..=6 {
        ring.rotate(kid, &format!("k{kid}"), true);
    }
    let t = ring.issue(42, 1_000, 3_600);
    ring.verify(&t, 1_000, Ok(session(6, 42, 1_000, 4_600)));
    let old = ring.craft(session(1, 42, 1_000, 4_600), "k1");
    ring.verify_as(
        &old,
        1_000,
        "a token of kid 1",
        Ok(session(1, 42, 1_000, 4_600)),
    );
    let forged = ring.craft(session(3, 42, 1_000, 4_600), "guess");
    ring.verify_as(&forged, 1_000, "kid 3, forged", Err(BadSignature));
    // Malformed in the tag only: the kid and payload are fine.
    ring.verify_as(
        &replace_at(&t, 89, "g"),
        1_000,
        "a 'g' ending the tag",
        Err(Malformed),
    );
    ring.verify_as(&t[..88], 1_000, "the tag 2 digits short", Err(Malformed));
    ring.verify_as(
        &format!("{}{}", &t[..88], "\u{e9}"),
        1_000,
        "an 'é' ending the tag",
        Err(Malformed),
    );
    ring.verify_as(&t.to_uppercase()[..], 1_000, "in uppercase", Err(Malformed));
    let unknown = ring.craft(session(9, 42, 1_000, 4_600), "k9");
    ring.verify_as(&unknown, 1_000, "kid 9", Err(UnknownKey));
}

// ---------------------------------------------------------------------------------------
// Constant time: the same operations whatever the tags hold.

fn tags_differing(base: [u8; TAG_LEN], positions: &[usize]) -> [u8; TAG_LEN] {
    let mut other = base;
    for &at in positions {
        other[at] ^= 0x5a;
    }
    other
}

#[test]
fn tags_match_does_the_same_operations_wherever_the_tags_differ() {
    let base = model_tag(b"k1", b"a message");
    let cases: Vec<(&str, Vec<usize>)> = vec![
        ("equal tags", vec![]),
        ("tags differing in byte 0", vec![0]),
        ("tags differing in byte 1", vec![1]),
        ("tags differing in byte 8", vec![8]),
        ("tags differing in byte 15", vec![15]),
        ("tags differing in every byte", (0..TAG_LEN).collect()),
    ];
    let mut reference: Option<(String, Vec<ByteOp>)> = None;
    for (what, positions) in cases {
        let given = tags_differing(base, &positions);
        let call = format!("tags_match({}, {}) ({what})", hex(&base), hex(&given));
        let (e, g) = (base.map(Probe), given.map(Probe));
        take_trace();
        let got = learner(|| call.clone(), || tags_match(&e, &g));
        let trace = take_trace();
        expect_eq!(got, positions.is_empty(), "{call}");
        // Plain u8 bytes, as in production, give the same answer.
        let plain = learner(|| format!("{call} on u8"), || tags_match(&base, &given));
        expect_eq!(plain, positions.is_empty(), "{call} on u8 bytes");
        match &reference {
            None => reference = Some((call.clone(), trace.clone())),
            Some((first_call, first)) => {
                if trace != *first {
                    panic!(
                        "{call} did {} on the bytes, but {first_call} did {}: the work must \
                         not depend on where the tags differ (XOR each pair, OR the results, \
                         compare with zero once at the end; an early exit tells an attacker \
                         how many leading bytes of a guess were right)",
                        trace_text(&trace),
                        trace_text(first)
                    );
                }
            }
        }
        let combined = trace.iter().filter(|&&op| op != ByteOp::FromU8).count();
        assert!(
            combined >= TAG_LEN,
            "{call} did {} on the bytes, expected at least one operation per byte pair \
             (every byte must take part, whatever the others hold)",
            trace_text(&trace)
        );
    }
}

#[test]
fn verify_compares_tags_without_early_exit() {
    let mut ring = Ring::new(30, 1, "k1");
    let t = ring.issue(42, 1_000, 3_600);
    let reference = ring.verify_traced(&t, 1_000, "");
    let reference_call = "verify(t1, 1000)";
    for (what, positions) in [
        ("t1 with tag byte 0 changed", vec![0]),
        ("t1 with tag byte 1 changed", vec![1]),
        ("t1 with tag byte 15 changed", vec![15]),
        ("t1 with every tag byte changed", (0..TAG_LEN).collect()),
    ] {
        let mut tag = [0u8; TAG_LEN];
        for (i, byte) in tag.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&t[58 + 2 * i..60 + 2 * i], 16).unwrap();
        }
        let tampered = format!("{}{}", &t[..58], hex(&tags_differing(tag, &positions)));
        let trace = ring.verify_traced(&tampered, 1_000, what);
        if trace != reference {
            panic!(
                "verify({tampered:?} ({what}), 1000) did {} on tag bytes, but {reference_call} \
                 did {}: the comparison must do the same work whether the tags are equal or \
                 differ in their first or last byte (compare through tags_match, never with \
                 == on whole arrays, which stops at the first difference)",
                trace_text(&trace),
                trace_text(&reference)
            );
        }
    }
}

#[test]
fn works_with_u8_tag_bytes_as_in_production() {
    let call = "SessionTokens::new(PlainSigner, 30, 1, b\"k1\".to_vec())";
    let mut tokens = learner(
        || call.to_string(),
        || SessionTokens::new(PlainSigner, 30, 1, b"k1".to_vec()),
    );
    let t = learner(
        || format!("after {call}: issue(42, 1000, 3600)"),
        || tokens.issue(42, 1_000, 3_600),
    );
    let s = session(1, 42, 1_000, 4_600);
    expect_eq!(
        t.clone(),
        model_token(b"k1", &s),
        "with u8 tag bytes, issue(42, 1000, 3600)"
    );
    let got = learner(
        || format!("with u8 tag bytes, verify({t:?}, 1000)"),
        || tokens.verify(&t, 1_000),
    );
    expect_eq!(got, Ok(s), "with u8 tag bytes, verify({t:?}, 1000)");
    let tampered = replace_at(&t, 70, other_digit(t.as_bytes()[70]));
    let got = learner(
        || format!("with u8 tag bytes, verify({tampered:?}, 1000)"),
        || tokens.verify(&tampered, 1_000),
    );
    expect_eq!(
        got,
        Err(BadSignature),
        "with u8 tag bytes, verify({tampered:?}, 1000) (a tag digit changed)"
    );
    let rotated = learner(
        || "with u8 tag bytes, rotate(2, b\"k2\".to_vec())".to_string(),
        || tokens.rotate(2, b"k2".to_vec()),
    );
    expect_eq!(
        rotated,
        true,
        "with u8 tag bytes, rotate(2, b\"k2\".to_vec())"
    );
    let current = learner(|| "current_kid()".to_string(), || tokens.current_kid());
    expect_eq!(
        current,
        2,
        "with u8 tag bytes, after rotate(2, ..): current_kid()"
    );
}

// ---------------------------------------------------------------------------------------
// Random operations against the model.

#[derive(Clone, Debug)]
enum Op {
    Issue {
        subject: u64,
        now: u64,
        ttl: u64,
    },
    /// A token of `session` signed with `secret`, with character `edit.0` replaced by
    /// `edit.1` when there is an edit.
    Verify {
        session: Session,
        secret: String,
        edit: Option<(usize, &'static str)>,
        now: u64,
    },
    Rotate {
        kid: u32,
        secret: String,
    },
    Retire {
        kid: u32,
    },
}

impl Op {
    fn token(&self) -> String {
        match self {
            Op::Verify {
                session,
                secret,
                edit,
                ..
            } => {
                let token = model_token(secret.as_bytes(), session);
                match edit {
                    Some((at, with)) => replace_at(&token, *at, with),
                    None => token,
                }
            }
            _ => String::new(),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Issue { subject, now, ttl } => write!(f, "issue({subject}, {now}, {ttl})"),
            Op::Verify {
                session: s,
                secret,
                edit,
                now,
            } => {
                write!(
                    f,
                    "verify(<kid {}, subject {}, issued_at {}, expires_at {}, signed with {}",
                    s.kid,
                    s.subject,
                    s.issued_at,
                    s.expires_at,
                    secret_text(secret.as_bytes())
                )?;
                if let Some((at, with)) = edit {
                    write!(f, ", character {at} replaced by {with:?}")?;
                }
                write!(f, ">, {now})")
            }
            Op::Rotate { kid, secret } => {
                write!(
                    f,
                    "rotate({kid}, {}.to_vec())",
                    secret_text(secret.as_bytes())
                )
            }
            Op::Retire { kid } => write!(f, "retire({kid})"),
        }
    }
}

fn first_mismatch(leeway: u64, ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let calls: Calls = Rc::default();
            let signer = TestSigner {
                calls: Rc::clone(&calls),
            };
            let tokens = SessionTokens::new(signer, leeway, 1, b"key-1".to_vec());
            let model = Model {
                leeway,
                current: 1,
                keys: BTreeMap::from([(1, b"key-1".to_vec())]),
            };
            (tokens, calls, model)
        },
        |(tokens, calls, model), op| {
            calls.borrow_mut().clear();
            take_trace();
            let (got, expected) = match op {
                Op::Issue { subject, now, ttl } => (
                    format!("{:?}", tokens.issue(*subject, *now, *ttl)),
                    format!("{:?}", model.issue(*subject, *now, *ttl).1),
                ),
                Op::Verify { now, .. } => {
                    let token = op.token();
                    let got = tokens.verify(&token, *now);
                    let expected = model.verify(&token, *now);
                    if got != expected {
                        return Some(format!(
                            "{op} returned {got:?}, expected {expected:?} (the token: \
                             {token:?})"
                        ));
                    }
                    let signed = calls.borrow().len();
                    let should = usize::from(!matches!(expected, Err(Malformed | UnknownKey)));
                    if signed != should {
                        return Some(format!(
                            "{op} returned {got:?} after calling the signer {signed} time(s), \
                             expected {should} (the token: {token:?})"
                        ));
                    }
                    if take_trace().contains(&ByteOp::ToU8) {
                        return Some(format!("{op} called to_u8() on tag bytes while verifying"));
                    }
                    return None;
                }
                Op::Rotate { kid, secret } => (
                    format!("{:?}", tokens.rotate(*kid, secret.as_bytes().to_vec())),
                    format!("{:?}", model.rotate(*kid, secret.as_bytes())),
                ),
                Op::Retire { kid } => (
                    format!("{:?}", tokens.retire(*kid)),
                    format!("{:?}", model.retire(*kid)),
                ),
            };
            if got != expected {
                return Some(format!("{op} returned {got}, expected {expected}"));
            }
            let (got, expected) = (tokens.current_kid(), model.current);
            if got != expected {
                return Some(format!(
                    "{op}, then current_kid() returned {got}, expected {expected}"
                ));
            }
            None
        },
        |i, panic| format!("{} panicked: {panic}", ops[i]),
    )
}

fn join_ops(ops: &[Op]) -> String {
    ops.iter()
        .map(|op| op.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn random_op(rng: &mut SplitMix64, now: &mut u64) -> Op {
    *now += rng.below(4);
    let kid = 1 + rng.below(4) as u32;
    match rng.below(10) {
        0..=1 => Op::Issue {
            subject: rng.below(100),
            now: *now,
            ttl: rng.below(20),
        },
        2 => Op::Rotate {
            kid,
            secret: if rng.below(5) == 0 {
                format!("alt-{kid}")
            } else {
                format!("key-{kid}")
            },
        },
        3 => Op::Retire { kid },
        _ => {
            let issued_at = (*now + 15).saturating_sub(rng.below(40));
            let expires_at = if rng.below(10) == 0 {
                issued_at.saturating_sub(rng.below(10))
            } else {
                issued_at + rng.below(25)
            };
            let secret = match rng.below(8) {
                0 => format!("alt-{kid}"),
                1 => format!("key-{}", 1 + rng.below(4)),
                _ => format!("key-{kid}"),
            };
            const ODD: [&str; 8] = ["0", "f", "A", ".", "g", "\u{e9}", " ", ""];
            let edit = (rng.below(5) == 0).then(|| {
                (
                    rng.below(90) as usize,
                    ODD[rng.below(ODD.len() as u64) as usize],
                )
            });
            Op::Verify {
                session: session(kid, rng.below(100), issued_at, expires_at),
                secret,
                edit,
                now: *now + rng.below(8),
            }
        }
    }
}

#[test]
fn random_operations_match_a_reference_model() {
    const SEEDS: [u64; 8] = [
        0x70C3_0001,
        0x70C3_0002,
        0x70C3_0003,
        0x70C3_0004,
        0x70C3_0005,
        0x70C3_0006,
        0x70C3_0007,
        0x70C3_0008,
    ];
    const OPS: usize = 300;
    for seed in SEEDS {
        let mut rng = SplitMix64(seed);
        let leeway = rng.below(6);
        let mut now = 1_000;
        let ops: Vec<Op> = (0..OPS).map(|_| random_op(&mut rng, &mut now)).collect();
        if let Some((at, _)) = first_mismatch(leeway, &ops) {
            let failing = crate::kit::shrink(ops[..=at].to_vec(), |ops| {
                first_mismatch(leeway, ops).map(|(at, _)| at)
            });
            let (last, why) =
                first_mismatch(leeway, &failing).expect("a shrunk sequence still fails");
            let before = if last == 0 {
                String::new()
            } else {
                format!(", {}", join_ops(&failing[..last]))
            };
            panic!(
                "random operations (seed {seed:#x}), shrunk to: SessionTokens::new(signer, \
                 {leeway}, 1, b\"key-1\".to_vec()){before}; then {why}"
            );
        }
    }
}

#[test]
fn random_token_strings_never_panic_and_match_the_model() {
    const SEED: u64 = 0x70C3_5EED_2026;
    const CASES: usize = 1_000;
    const ODD: &[&str] = &[
        "0",
        "9",
        "a",
        "f",
        "A",
        "F",
        "g",
        ".",
        "..",
        "+",
        "-",
        " ",
        "\n",
        "=",
        "\u{e9}",
        "\u{20ac}",
        "\u{1f600}",
    ];
    let mut ring = Ring::new(20, 1, "k1");
    ring.rotate(2, "k2", true);
    let mut rng = SplitMix64(SEED);
    for case in 0..CASES {
        let kid = 1 + rng.below(3) as u32;
        let s = session(kid, rng.next() >> (16 * rng.below(4)), 1_000, 2_000);
        let mut token = model_token(format!("k{kid}").as_bytes(), &s);
        let mut edits = Vec::new();
        for _ in 0..rng.below(4) {
            let chars: Vec<char> = token.chars().collect();
            let at = rng.below(chars.len() as u64 + 1) as usize;
            let odd = ODD[rng.below(ODD.len() as u64) as usize];
            let mut edited: String = chars[..at].iter().collect();
            match rng.below(3) {
                0 => {
                    edited.push_str(odd);
                    edited.extend(&chars[at..]);
                    edits.push(format!("{odd:?} inserted at {at}"));
                }
                1 => {
                    edited.push_str(odd);
                    edited.extend(chars.iter().skip(at + 1));
                    edits.push(format!("character {at} replaced by {odd:?}"));
                }
                _ => {
                    edited.extend(chars.iter().skip(at + 1));
                    edits.push(format!("character {at} removed"));
                }
            }
            token = edited;
        }
        if rng.below(10) == 0 {
            token = token.to_uppercase();
            edits.push("uppercased".to_string());
        }
        let what = format!(
            "random case {case} of seed {SEED:#x}: the token of {s:?}, {}",
            if edits.is_empty() {
                "unchanged".to_string()
            } else {
                edits.join(", ")
            }
        );
        ring.verify_traced(&token, 1_500, &what);
    }
}
