//! # query_string: parse a URL query string (reference solution)
//!
//! The WHATWG `application/x-www-form-urlencoded` parser, plus one optional leading `?`.

use std::collections::HashMap;

/// Parses a URL query string (an optional leading `?` is ignored) into a map from each
/// decoded parameter name to all of its decoded values, in input order.
pub fn parse_query(input: &str) -> HashMap<String, Vec<String>> {
    let input = input.strip_prefix('?').unwrap_or(input);
    let mut params: HashMap<String, Vec<String>> = HashMap::new();
    for piece in input.split('&').filter(|piece| !piece.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        params.entry(decode(name)).or_default().push(decode(value));
    }
    params
}

/// `+` to space and `%XY` to the byte 0xXY, in one left-to-right pass over the bytes, then
/// lossy UTF-8. A `%` without two hex digits after it is an ordinary byte.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (hex_digit(bytes.get(i + 1)), hex_digit(bytes.get(i + 2))) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of an ASCII hex digit, in either case.
fn hex_digit(byte: Option<&u8>) -> Option<u8> {
    match byte? {
        digit @ b'0'..=b'9' => Some(digit - b'0'),
        letter @ b'a'..=b'f' => Some(letter - b'a' + 10),
        letter @ b'A'..=b'F' => Some(letter - b'A' + 10),
        _ => None,
    }
}
