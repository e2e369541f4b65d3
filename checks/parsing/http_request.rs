use super::http_request::{HeadError, Limits, Parsed, Request, Version, parse_request_head};

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

const LIMITS: Limits = Limits {
    max_head_bytes: 8192,
    max_headers: 100,
};

// ---------------------------------------------------------------------------------------
// Calling the learner's code: a panic becomes a message that names the call.

thread_local! {
    static IN_LEARNER_CODE: Cell<bool> = const { Cell::new(false) };
    static CAUGHT_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}
static QUIET_HOOK: Once = Once::new();

fn try_learner<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_LEARNER_CODE.with(Cell::get) {
                let text = info.to_string();
                CAUGHT_PANIC.with(|c| *c.borrow_mut() = Some(text));
            } else {
                previous(info);
            }
        }));
    });
    IN_LEARNER_CODE.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_LEARNER_CODE.with(|c| c.set(false));
    result.map_err(|_| {
        CAUGHT_PANIC
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| "panicked".to_string())
    })
}

/// `bytes` as a Rust byte-string literal: b"GET / HTTP/1.1\r\n\r\n" (long ones shortened).
fn literal(bytes: &[u8]) -> String {
    const SHOWN: usize = 120;
    if bytes.len() > 2 * SHOWN {
        return format!(
            "{}...{} /* {} bytes in all */",
            literal(&bytes[..SHOWN])
                .strip_suffix('"')
                .unwrap_or_default(),
            literal(&bytes[bytes.len() - 40..])
                .strip_prefix("b\"")
                .unwrap_or_default(),
            bytes.len()
        );
    }
    let mut text = String::from("b\"");
    for &b in bytes {
        match b {
            b'"' => text.push_str("\\\""),
            b'\\' => text.push_str("\\\\"),
            b'\r' => text.push_str("\\r"),
            b'\n' => text.push_str("\\n"),
            b'\t' => text.push_str("\\t"),
            0x20..=0x7E => text.push(b as char),
            _ => text.push_str(&format!("\\x{b:02x}")),
        }
    }
    text.push('"');
    text
}

fn limits_text(limits: &Limits) -> String {
    if *limits == LIMITS {
        "&LIMITS /* max_head_bytes: 8192, max_headers: 100 */".to_string()
    } else {
        format!(
            "&Limits {{ max_head_bytes: {}, max_headers: {} }}",
            limits.max_head_bytes, limits.max_headers
        )
    }
}

fn call_text(buf: &[u8], limits: &Limits) -> String {
    format!(
        "parse_request_head({}, {})",
        literal(buf),
        limits_text(limits)
    )
}

type Outcome = Result<Parsed, HeadError>;

fn try_parse(buf: &[u8], limits: &Limits) -> Result<Outcome, String> {
    try_learner(|| parse_request_head(buf, limits))
}

fn parsed_with(buf: &[u8], limits: &Limits) -> Outcome {
    match try_parse(buf, limits) {
        Ok(outcome) => outcome,
        Err(panicked) if panicked.contains("not yet implemented") => {
            panic!("{} {panicked}", call_text(buf, limits))
        }
        Err(panicked) => panic!(
            "{} {panicked}\n(the parser must never panic, for any bytes: return a HeadError)",
            call_text(buf, limits)
        ),
    }
}

fn check_with(buf: &[u8], limits: &Limits, expected: Outcome) {
    expect_eq!(
        parsed_with(buf, limits),
        expected,
        "{}",
        call_text(buf, limits)
    );
}

fn check(buf: &[u8], expected: Outcome) {
    check_with(buf, &LIMITS, expected);
}

fn fails(buf: &[u8], error: HeadError) {
    check(buf, Err(error));
}

/// The request a complete, valid head parses to (head_len: the whole of `buf`).
fn complete(
    buf: &[u8],
    method: &str,
    target: &str,
    version: Version,
    headers: &[(&str, &str)],
    content_length: Option<u64>,
) -> Outcome {
    Ok(Parsed::Complete {
        request: Request {
            method: method.into(),
            target: target.into(),
            version,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            content_length,
        },
        head_len: buf.len(),
    })
}

/// Parses a complete head that must be valid, and returns its request.
fn request_of(buf: &[u8]) -> Request {
    match parsed_with(buf, &LIMITS) {
        Ok(Parsed::Complete { request, .. }) => request,
        other => panic!(
            "{} returned {other:?}, expected Ok(Parsed::Complete {{ .. }})",
            call_text(buf, &LIMITS)
        ),
    }
}

/// A valid head with the given header lines.
fn head_with(header_lines: &[&[u8]]) -> Vec<u8> {
    let mut buf = b"GET / HTTP/1.1\r\n".to_vec();
    for line in header_lines {
        buf.extend_from_slice(line);
        buf.extend_from_slice(b"\r\n");
    }
    buf.extend_from_slice(b"\r\n");
    buf
}

// ---------------------------------------------------------------------------------------
// Valid requests.

#[test]
fn a_simple_get_request_parses() {
    let buf = b"GET /search?q=rust HTTP/1.1\r\nHost: api.example.com\r\nAccept: */*\r\n\r\n";
    check(
        buf,
        complete(
            buf,
            "GET",
            "/search?q=rust",
            Version::Http11,
            &[("host", "api.example.com"), ("accept", "*/*")],
            None,
        ),
    );
    let buf = b"DELETE /v1/users/42 HTTP/1.0\r\n\r\n";
    check(
        buf,
        complete(buf, "DELETE", "/v1/users/42", Version::Http10, &[], None),
    );
}

#[test]
fn head_len_is_where_the_body_starts() {
    let head = b"POST /v1/charges HTTP/1.1\r\nHost: pay\r\nContent-Length: 13\r\n\r\n";
    let mut buf = head.to_vec();
    buf.extend_from_slice(b"{\"amount\":5}\n");
    let expected = Ok(Parsed::Complete {
        request: Request {
            method: "POST".into(),
            target: "/v1/charges".into(),
            version: Version::Http11,
            headers: vec![
                ("host".into(), "pay".into()),
                ("content-length".into(), "13".into()),
            ],
            content_length: Some(13),
        },
        head_len: head.len(),
    });
    check(&buf, expected.clone());
    // Body bytes that look like a head change nothing.
    let mut buf = head.to_vec();
    buf.extend_from_slice(b"GET /admin HTTP/1.1\r\n\r\n");
    check(&buf, expected);
}

#[test]
fn partial_until_the_blank_line_has_arrived() {
    let buf = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    for len in 0..buf.len() {
        check(&buf[..len], Ok(Parsed::Partial));
    }
    check(
        buf,
        complete(buf, "GET", "/", Version::Http11, &[("host", "a")], None),
    );
    // Nothing is parsed before the head is complete, not even an obviously bad start.
    check(b"\x00\x01 garbage\r\n", Ok(Parsed::Partial));
    check(b"GET / HTTP/1.1\n\n", Ok(Parsed::Partial));
}

#[test]
fn header_names_are_lowercased_and_looked_up_case_insensitively() {
    let buf = head_with(&[
        b"HOST: api",
        b"Content-TYPE: text/plain",
        b"x-Request-ID: 7",
    ]);
    let request = request_of(&buf);
    let names: Vec<&str> = request.headers.iter().map(|(n, _)| n.as_str()).collect();
    let expected_names = vec!["host", "content-type", "x-request-id"];
    assert!(
        names == expected_names,
        "{} returned headers named {names:?}, expected {expected_names:?} (names are stored \
         lowercased)",
        call_text(&buf, &LIMITS)
    );
    for (query, value) in [
        ("host", Some("api")),
        ("Host", Some("api")),
        ("HOST", Some("api")),
        ("Content-Type", Some("text/plain")),
        ("X-REQUEST-ID", Some("7")),
        ("x-request-i", None),
        ("accept", None),
    ] {
        let got = match try_learner(|| request.header(query).map(str::to_string)) {
            Ok(got) => got,
            Err(panicked) => panic!("request.header({query:?}) {panicked}"),
        };
        expect_eq!(
            got.as_deref(),
            value,
            "for the request parsed from {}, request.header({query:?})",
            literal(&buf)
        );
    }
}

#[test]
fn repeated_headers_are_all_kept_and_header_returns_the_first() {
    let buf = head_with(&[b"Accept: text/html", b"X-Tag: a", b"accept: */*"]);
    check(
        &buf,
        complete(
            &buf,
            "GET",
            "/",
            Version::Http11,
            &[("accept", "text/html"), ("x-tag", "a"), ("accept", "*/*")],
            None,
        ),
    );
    let request = request_of(&buf);
    let got = match try_learner(|| request.header("ACCEPT").map(str::to_string)) {
        Ok(got) => got,
        Err(panicked) => panic!("request.header(\"ACCEPT\") {panicked}"),
    };
    expect_eq!(
        got.as_deref(),
        Some("text/html"),
        "for the request parsed from {}, request.header(\"ACCEPT\")",
        literal(&buf)
    );
}

#[test]
fn header_values_lose_only_surrounding_spaces_and_tabs() {
    let buf = head_with(&[
        b"A:x",
        b"B:   spaced   out   ",
        b"C:\t\ttabbed\t",
        b"D:",
        b"E: \t ",
        b"F: a:b, c=\"d\" ",
    ]);
    check(
        &buf,
        complete(
            &buf,
            "GET",
            "/",
            Version::Http11,
            &[
                ("a", "x"),
                ("b", "spaced   out"),
                ("c", "tabbed"),
                ("d", ""),
                ("e", ""),
                ("f", "a:b, c=\"d\""),
            ],
            None,
        ),
    );
}

#[test]
fn bytes_above_0x7f_in_values_are_allowed_and_decoded_lossily() {
    let buf = head_with(&[b"X-Name: Zo\xc3\xab", b"X-Raw: a\xffb"]);
    check(
        &buf,
        complete(
            &buf,
            "GET",
            "/",
            Version::Http11,
            &[("x-name", "Zo\u{eb}"), ("x-raw", "a\u{fffd}b")],
            None,
        ),
    );
}

// ---------------------------------------------------------------------------------------
// The request line.

#[test]
fn the_request_line_is_three_parts_separated_by_single_spaces() {
    for buf in [
        &b"GET  / HTTP/1.1\r\n\r\n"[..],
        b"GET / HTTP/1.1 \r\n\r\n",
        b" GET / HTTP/1.1\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"GET\t/\tHTTP/1.1\r\n\r\n",
        b"\r\n\r\n",
        b"\r\nGET / HTTP/1.1\r\n\r\n",
    ] {
        fails(buf, HeadError::BadRequestLine);
    }
}

#[test]
fn method_is_a_token_and_target_is_visible_ascii() {
    let buf = b"PROPFIND * HTTP/1.1\r\n\r\n";
    check(
        buf,
        complete(buf, "PROPFIND", "*", Version::Http11, &[], None),
    );
    let buf = b"M-SEARCH! /a/b;c?d=e&f=%20#x HTTP/1.1\r\n\r\n";
    check(
        buf,
        complete(
            buf,
            "M-SEARCH!",
            "/a/b;c?d=e&f=%20#x",
            Version::Http11,
            &[],
            None,
        ),
    );
    for buf in [
        &b"GE(T / HTTP/1.1\r\n\r\n"[..],
        b"G\xc3\xa9T / HTTP/1.1\r\n\r\n",
        b"GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
        b"GET /a\x7fb HTTP/1.1\r\n\r\n",
        b"GET /a\x00 HTTP/1.1\r\n\r\n",
        b"GET /a\rb HTTP/1.1\r\n\r\n",
        b"GET /a\nb HTTP/1.1\r\n\r\n",
        b"GET /\xff HTTP/1.1\r\n\r\n",
    ] {
        fails(buf, HeadError::BadRequestLine);
    }
}

#[test]
fn only_http_1_0_and_1_1_are_supported() {
    for (version, expected) in [
        (&b"HTTP/1.1"[..], Err(HeadError::BadRequestLine)),
        (b"HTTP/2.0", Err(HeadError::UnsupportedVersion)),
        (b"HTTP/0.9", Err(HeadError::UnsupportedVersion)),
        (b"HTTP/1.2", Err(HeadError::UnsupportedVersion)),
        (b"HTTP/3.7", Err(HeadError::UnsupportedVersion)),
        (b"HTTP/2", Err(HeadError::BadRequestLine)),
        (b"http/1.1", Err(HeadError::BadRequestLine)),
        (b"HTTP/1.10", Err(HeadError::BadRequestLine)),
        (b"HTTP/11", Err(HeadError::BadRequestLine)),
        (b"HTTP/1.x", Err(HeadError::BadRequestLine)),
        (b"HTTP/1.1\r", Err(HeadError::BadRequestLine)),
        (b"HTTP/\xd9\xa1.1", Err(HeadError::BadRequestLine)),
    ] {
        let mut buf = b"GET / ".to_vec();
        buf.extend_from_slice(version);
        buf.extend_from_slice(b"\r\n\r\n");
        let expected = if version == b"HTTP/1.1" {
            complete(&buf, "GET", "/", Version::Http11, &[], None)
        } else {
            expected
        };
        check(&buf, expected);
    }
}

// ---------------------------------------------------------------------------------------
// Header lines.

#[test]
fn malformed_header_lines_are_rejected() {
    for line in [
        &b"NoColon"[..],
        b": empty name",
        b"Host : space before colon",
        b"Host\t: tab before colon",
        b"Bad Name: x",
        b"(Bad): x",
        b"Caf\xc3\xa9: x",
        b"X\x00: y",
    ] {
        fails(&head_with(&[b"Host: a", line]), HeadError::BadHeader);
    }
}

#[test]
fn control_characters_in_header_values_are_rejected() {
    for line in [
        &b"X-A: a\x00b"[..],
        b"X-A: a\rb",
        b"X-A: a\nb",
        b"X-A: a\x7fb",
        b"X-A: a\x1bb",
        b"X-A: \x0b",
    ] {
        fails(&head_with(&[line]), HeadError::BadHeader);
    }
    // A bare LF does not end a line: it stays inside the value, which it makes invalid.
    fails(
        b"GET / HTTP/1.1\r\nX-A: 1\nX-B: 2\r\n\r\n",
        HeadError::BadHeader,
    );
}

#[test]
fn obsolete_line_folding_is_rejected() {
    fails(
        &head_with(&[b"X-Long: part one", b" part two"]),
        HeadError::ObsoleteLineFolding,
    );
    fails(
        &head_with(&[b"X-Long: part one", b"\tpart two"]),
        HeadError::ObsoleteLineFolding,
    );
    fails(&head_with(&[b" Host: a"]), HeadError::ObsoleteLineFolding);
    fails(
        &head_with(&[b"Host: a", b"  ", b"X: b"]),
        HeadError::ObsoleteLineFolding,
    );
}

// ---------------------------------------------------------------------------------------
// Limits.

#[test]
fn a_head_longer_than_max_head_bytes_is_rejected_even_before_it_ends() {
    let buf = b"GET /abc HTTP/1.1\r\nHost: a\r\n\r\n";
    let n = buf.len();
    let limits = |max| Limits {
        max_head_bytes: max,
        max_headers: 10,
    };
    let ok = complete(buf, "GET", "/abc", Version::Http11, &[("host", "a")], None);
    check_with(buf, &limits(n), ok.clone());
    check_with(buf, &limits(n + 1), ok);
    check_with(buf, &limits(n - 1), Err(HeadError::HeadTooLarge));
    // Incomplete: once max_head_bytes bytes have arrived without the blank line, the head
    // can no longer fit.
    check_with(&buf[..n - 1], &limits(n), Ok(Parsed::Partial));
    check_with(&buf[..n - 1], &limits(n - 1), Err(HeadError::HeadTooLarge));
    check_with(&buf[..n - 2], &limits(n - 1), Ok(Parsed::Partial));
    check_with(&buf[..10], &limits(5), Err(HeadError::HeadTooLarge));
    // A client that never sends the blank line is cut off at the limit.
    let endless = [b'a'; 8192];
    check_with(&endless[..8191], &LIMITS, Ok(Parsed::Partial));
    check_with(&endless, &LIMITS, Err(HeadError::HeadTooLarge));
    let mut long = b"GET /".to_vec();
    long.extend_from_slice(&[b'x'; 9000]);
    long.extend_from_slice(b" HTTP/1.1\r\n\r\n");
    check_with(&long, &LIMITS, Err(HeadError::HeadTooLarge));
}

#[test]
fn more_than_max_headers_header_lines_are_rejected_before_parsing_them() {
    let limits = |max| Limits {
        max_head_bytes: 8192,
        max_headers: max,
    };
    let three = head_with(&[b"A: 1", b"B: 2", b"C: 3"]);
    let ok = complete(
        &three,
        "GET",
        "/",
        Version::Http11,
        &[("a", "1"), ("b", "2"), ("c", "3")],
        None,
    );
    check_with(&three, &limits(3), ok.clone());
    check_with(&three, &limits(4), ok);
    check_with(&three, &limits(2), Err(HeadError::TooManyHeaders));
    check_with(&three, &limits(0), Err(HeadError::TooManyHeaders));
    let none = b"GET / HTTP/1.0\r\n\r\n";
    check_with(
        none,
        &limits(0),
        complete(none, "GET", "/", Version::Http10, &[], None),
    );
    // Counted before anything is parsed: even bad lines and a bad request line count.
    let bad = head_with(&[b"A: 1", b"no colon", b" folded"]);
    check_with(&bad, &limits(2), Err(HeadError::TooManyHeaders));
    check_with(
        b"BAD LINE\r\nA: 1\r\nB: 2\r\n\r\n",
        &limits(1),
        Err(HeadError::TooManyHeaders),
    );
    let mut many = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..101 {
        many.extend_from_slice(format!("X-{i}: {i}\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    check(&many, Err(HeadError::TooManyHeaders));
}

// ---------------------------------------------------------------------------------------
// Framing: Content-Length and Transfer-Encoding.

#[test]
fn content_length_is_one_decimal_number() {
    for (value, n) in [
        (&b"0"[..], 0),
        (b"42", 42),
        (b"007", 7),
        (b"  12  ", 12),
        (b"18446744073709551615", u64::MAX),
    ] {
        let mut line = b"Content-Length:".to_vec();
        line.extend_from_slice(value);
        let buf = head_with(&[&line]);
        let request = request_of(&buf);
        expect_eq!(
            request.content_length,
            Some(n),
            "{}: the content_length of the request",
            call_text(&buf, &LIMITS)
        );
    }
    let buf = head_with(&[b"cOnTeNt-LeNgTh: 5"]);
    let request = request_of(&buf);
    expect_eq!(
        request.content_length,
        Some(5),
        "{}: the content_length of the request",
        call_text(&buf, &LIMITS)
    );
}

#[test]
fn invalid_content_lengths_are_rejected() {
    for value in [
        &b""[..],
        b"+5",
        b"-1",
        b"5 5",
        b"5,5",
        b"5, 5",
        b"0x10",
        b"1e3",
        b"5.0",
        b"18446744073709551616",
        b"99999999999999999999999999",
        b"\xd9\xa1",
    ] {
        let mut line = b"Content-Length: ".to_vec();
        line.extend_from_slice(value);
        fails(&head_with(&[&line]), HeadError::InvalidContentLength);
    }
}

#[test]
fn two_content_length_headers_are_rejected_even_when_equal() {
    fails(
        &head_with(&[b"Content-Length: 5", b"Content-Length: 6"]),
        HeadError::InvalidContentLength,
    );
    fails(
        &head_with(&[b"Content-Length: 5", b"Host: a", b"content-length: 5"]),
        HeadError::InvalidContentLength,
    );
}

#[test]
fn transfer_encoding_is_not_implemented() {
    fails(
        &head_with(&[b"Transfer-Encoding: chunked"]),
        HeadError::UnsupportedTransferEncoding,
    );
    fails(
        &head_with(&[b"Content-Length: 5", b"TRANSFER-ENCODING: gzip"]),
        HeadError::UnsupportedTransferEncoding,
    );
    fails(
        &head_with(&[b"Content-Length: x", b"transfer-encoding:"]),
        HeadError::UnsupportedTransferEncoding,
    );
}

// ---------------------------------------------------------------------------------------
// Errors.

#[test]
fn each_error_has_its_status_code() {
    for (error, status) in [
        (HeadError::HeadTooLarge, 431),
        (HeadError::TooManyHeaders, 431),
        (HeadError::BadRequestLine, 400),
        (HeadError::UnsupportedVersion, 505),
        (HeadError::BadHeader, 400),
        (HeadError::ObsoleteLineFolding, 400),
        (HeadError::UnsupportedTransferEncoding, 501),
        (HeadError::InvalidContentLength, 400),
    ] {
        let got = match try_learner(|| error.status()) {
            Ok(got) => got,
            Err(panicked) => panic!("HeadError::{error:?}.status() {panicked}"),
        };
        expect_eq!(got, status, "HeadError::{error:?}.status()");
    }
}

#[test]
fn errors_are_found_in_the_stated_order() {
    let tiny = Limits {
        max_head_bytes: 8192,
        max_headers: 1,
    };
    // Limits, then the request line, then header lines top to bottom, then framing.
    check_with(
        b"GET / HTTP/9.9\r\nA: 1\r\nB: 2\r\n\r\n",
        &tiny,
        Err(HeadError::TooManyHeaders),
    );
    fails(
        b"get / HTTP/2.0\r\nBad Name: 1\r\n\r\n",
        HeadError::UnsupportedVersion,
    );
    fails(
        b"GET / HTTP/1.1\r\nBad Name: 1\r\n x\r\n\r\n",
        HeadError::BadHeader,
    );
    fails(
        b"GET / HTTP/1.1\r\n folded\r\nBad Name: 1\r\n\r\n",
        HeadError::ObsoleteLineFolding,
    );
    fails(
        b"GET / HTTP/1.1\r\nContent-Length: x\r\nBad Name: 1\r\n\r\n",
        HeadError::BadHeader,
    );
    fails(
        b"GET / HTTP/1.1\r\nContent-Length: +1\r\nTransfer-Encoding: chunked\r\n\r\n",
        HeadError::UnsupportedTransferEncoding,
    );
}

#[test]
fn bytes_that_are_not_utf8_never_cause_a_panic() {
    fails(b"\xff\xfe / HTTP/1.1\r\n\r\n", HeadError::BadRequestLine);
    fails(b"GET \xc3 HTTP/1.1\r\n\r\n", HeadError::BadRequestLine);
    fails(b"GET / HTTP/1.1\r\n\xff: x\r\n\r\n", HeadError::BadHeader);
    fails(
        b"GET / HTTP/1.1\r\n\xe2\x82: x\r\n\r\n",
        HeadError::BadHeader,
    );
    fails(
        b"GET / HTTP/1.1\r\nContent-Length: \xff\r\n\r\n",
        HeadError::InvalidContentLength,
    );
    check(b"\xff\xff\xff", Ok(Parsed::Partial));
}

// ---------------------------------------------------------------------------------------
// Random heads against a reference model.

/// splitmix64: a small, seedable PRNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[self.below(items.len())]
    }
}

/// Each part of a head comes from its usual values most of the time, else from odd ones.
const METHODS: (&[&[u8]], &[&[u8]]) = (
    &[b"GET", b"POST", b"M-X"],
    &[b"", b"G T", b"g\xc3\xa9t", b"(", b"\xff"],
);
const TARGETS: (&[&[u8]], &[&[u8]]) = (
    &[b"/", b"/a?b=c", b"*"],
    &[b"", b"/\x7f", b"/\xc3\xa9", b"/ /", b"/\r", b"/\n"],
);
const VERSIONS: (&[&[u8]], &[&[u8]]) = (
    &[b"HTTP/1.1", b"HTTP/1.0"],
    &[
        b"HTTP/2.0",
        b"HTTP/1",
        b"http/1.1",
        b"HTTP/1.1 ",
        b"HTTP/\xd9\xa1.1",
        b"HTTP/1.\xff",
    ],
);
const SEPARATORS: (&[&[u8]], &[&[u8]]) = (&[b" "], &[b"  ", b"\t", b""]);
const NAMES: (&[&[u8]], &[&[u8]]) = (
    &[
        b"Host",
        b"Content-Length",
        b"content-length",
        b"CONTENT-LENGTH",
        b"X-A",
    ],
    &[
        b"",
        b" X",
        b"\tX",
        b"X Y",
        b"X\xff",
        b"(",
        b"Transfer-Encoding",
    ],
);
const COLONS: (&[&[u8]], &[&[u8]]) = (&[b":", b": ", b":  "], &[b" :", b"", b"::"]);
const VALUE_TOKENS: (&[&[u8]], &[&[u8]]) = (
    &[
        b"0",
        b"5",
        b"12",
        b"18446744073709551615",
        b"a",
        b" ",
        b"\t",
        b"\xc3\xa9",
    ],
    &[
        b"18446744073709551616",
        b"+",
        b"-",
        b",",
        b"\xff",
        b"\x00",
        b"\r",
        b"\n",
        b"\x7f",
    ],
);
const LINE_ENDS: (&[&[u8]], &[&[u8]]) = (&[b"\r\n"], &[b"\n", b"\r", b""]);

fn part<'a>(rng: &mut Rng, (usual, odd): (&[&'a [u8]], &[&'a [u8]])) -> &'a [u8] {
    if rng.below(14) == 0 {
        rng.pick(odd)
    } else {
        rng.pick(usual)
    }
}

fn random_head(rng: &mut Rng) -> (Vec<u8>, Limits) {
    let mut buf = Vec::new();
    buf.extend_from_slice(part(rng, METHODS));
    buf.extend_from_slice(part(rng, SEPARATORS));
    buf.extend_from_slice(part(rng, TARGETS));
    buf.extend_from_slice(part(rng, SEPARATORS));
    buf.extend_from_slice(part(rng, VERSIONS));
    buf.extend_from_slice(part(rng, LINE_ENDS));
    for _ in 0..rng.below(5) {
        buf.extend_from_slice(part(rng, NAMES));
        buf.extend_from_slice(part(rng, COLONS));
        for _ in 0..rng.below(4) {
            buf.extend_from_slice(part(rng, VALUE_TOKENS));
        }
        buf.extend_from_slice(part(rng, LINE_ENDS));
    }
    if rng.below(8) != 0 {
        buf.extend_from_slice(b"\r\n");
    }
    if rng.below(4) == 0 {
        buf.extend_from_slice(b"body\r\n\r\n");
    }
    let limits = Limits {
        max_head_bytes: [8192, 8192, 8192, 8192, 8192, 8192, 8192, 30, 45, 60][rng.below(10)],
        max_headers: [100, 100, 100, 100, 100, 100, 100, 0, 1, 2, 3][rng.below(11)],
    };
    (buf, limits)
}

/// The rules read literally.
fn model(buf: &[u8], limits: &Limits) -> Outcome {
    let mut end = None;
    for i in 0..buf.len() {
        if buf[i..].starts_with(b"\r\n\r\n") {
            end = Some(i);
            break;
        }
    }
    let Some(end) = end else {
        if buf.len() >= limits.max_head_bytes {
            return Err(HeadError::HeadTooLarge);
        }
        return Ok(Parsed::Partial);
    };
    let head_len = end + 4;
    if head_len > limits.max_head_bytes {
        return Err(HeadError::HeadTooLarge);
    }
    // Lines: cut at every "\r\n".
    let head = &buf[..end];
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < head.len() {
        if head[i] == b'\r' && head[i + 1] == b'\n' {
            lines.push(&head[start..i]);
            start = i + 2;
            i += 2;
        } else {
            i += 1;
        }
    }
    lines.push(&head[start..]);
    if lines.len() - 1 > limits.max_headers {
        return Err(HeadError::TooManyHeaders);
    }
    let tchar = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    let parts: Vec<&[u8]> = lines[0].split(|b| *b == b' ').collect();
    if parts.len() != 3 {
        return Err(HeadError::BadRequestLine);
    }
    let (method, target, version) = (parts[0], parts[1], parts[2]);
    if method.is_empty() || !method.iter().all(tchar) {
        return Err(HeadError::BadRequestLine);
    }
    if target.is_empty() || !target.iter().all(|b| *b > b' ' && *b < 0x7f) {
        return Err(HeadError::BadRequestLine);
    }
    let version = if version == b"HTTP/1.1" {
        Version::Http11
    } else if version == b"HTTP/1.0" {
        Version::Http10
    } else if version.len() == 8
        && version.starts_with(b"HTTP/")
        && version[5].is_ascii_digit()
        && version[6] == b'.'
        && version[7].is_ascii_digit()
    {
        return Err(HeadError::UnsupportedVersion);
    } else {
        return Err(HeadError::BadRequestLine);
    };
    let mut headers = Vec::new();
    for line in &lines[1..] {
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(HeadError::ObsoleteLineFolding);
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            return Err(HeadError::BadHeader);
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(tchar) {
            return Err(HeadError::BadHeader);
        }
        let mut value = &line[colon + 1..];
        while !value.is_empty() && (value[0] == b' ' || value[0] == b'\t') {
            value = &value[1..];
        }
        while !value.is_empty()
            && (value[value.len() - 1] == b' ' || value[value.len() - 1] == b'\t')
        {
            value = &value[..value.len() - 1];
        }
        if value
            .iter()
            .any(|b| (*b < b' ' && *b != b'\t') || *b == 0x7f)
        {
            return Err(HeadError::BadHeader);
        }
        headers.push((
            String::from_utf8_lossy(name).to_lowercase(),
            String::from_utf8_lossy(value).into_owned(),
        ));
    }
    if headers.iter().any(|(n, _)| n == "transfer-encoding") {
        return Err(HeadError::UnsupportedTransferEncoding);
    }
    let lengths: Vec<&String> = headers
        .iter()
        .filter(|(n, _)| n == "content-length")
        .map(|(_, v)| v)
        .collect();
    let content_length = match lengths.len() {
        0 => None,
        1 => {
            let v = lengths[0];
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(HeadError::InvalidContentLength);
            }
            let n: u128 = if v.trim_start_matches('0').len() > 30 {
                u128::MAX
            } else {
                v.trim_start_matches('0').parse().unwrap_or(0)
            };
            if n > u128::from(u64::MAX) {
                return Err(HeadError::InvalidContentLength);
            }
            Some(n as u64)
        }
        _ => return Err(HeadError::InvalidContentLength),
    };
    Ok(Parsed::Complete {
        request: Request {
            method: String::from_utf8_lossy(method).into_owned(),
            target: String::from_utf8_lossy(target).into_owned(),
            version,
            headers,
            content_length,
        },
        head_len,
    })
}

fn disagrees(buf: &[u8], limits: &Limits) -> bool {
    try_parse(buf, limits).map_or(true, |got| got != model(buf, limits))
}

/// A shorter failing input, found by deleting bytes while it keeps failing.
fn minimise(buf: &[u8], limits: &Limits) -> Vec<u8> {
    let mut bytes = buf.to_vec();
    let mut at = 0;
    while at < bytes.len() {
        let mut shorter = bytes.clone();
        shorter.remove(at);
        if disagrees(&shorter, limits) {
            bytes = shorter;
        } else {
            at += 1;
        }
    }
    bytes
}

#[test]
fn random_heads_match_the_reference_and_never_panic() {
    const SEED: u64 = 0x4E77_9A11_C0DE_2026;
    const CASES: usize = 2500;
    let mut rng = Rng(SEED);
    for case in 0..CASES {
        let (buf, limits) = random_head(&mut rng);
        if !disagrees(&buf, &limits) {
            continue;
        }
        let small = minimise(&buf, &limits);
        let mut origin = format!("random case {case} of seed {SEED:#x}");
        if small != buf {
            origin += &format!(", shortened from {}", literal(&buf));
        }
        let call = call_text(&small, &limits);
        match try_parse(&small, &limits) {
            Err(panicked) => panic!(
                "{call} {panicked}\n({origin}; the parser must never panic: return a HeadError)"
            ),
            Ok(got) => panic!(
                "{call} returned {got:?}, expected {:?} ({origin})",
                model(&small, &limits)
            ),
        }
    }
}
