//! # query_string: parse a URL query string
//!
//! Every HTTP API reads parameters from the query string, the part of a URL after `?`:
//!
//! ```text
//! GET /search?q=rust+async&tag=web&tag=db&page=2
//! ```
//!
//! Frameworks hand you a ready-made map, but somebody has to write that parser, and it is
//! a favourite interview question because it is all edge cases. The input is *untrusted*:
//! anyone can send `?%`, `?=&&=`, or bytes that are not valid UTF-8. A parser that panics
//! on them turns one malformed request into a 500, or a crashed worker, which is a cheap
//! denial of service. And a parser that disagrees with the rest of the stack is a security
//! hole: if an API gateway checks the *first* `role=` parameter while the service behind it
//! reads the *last* one, `?role=user&role=admin` walks straight past the check ("HTTP
//! parameter pollution"). So the rules below are exactly those browsers and servers use
//! (the WHATWG `application/x-www-form-urlencoded` parser), and your parser keeps every
//! value, in order, so the caller can decide what a repeated name means.
//!
//! ## The task
//!
//! Write [`parse_query`]: it takes the query string (with or without its leading `?`) and
//! returns a map from each parameter name to all of its values, in the order they appear.
//!
//! ## Rules
//!
//! 1. If the input starts with `?`, drop that **one** character (only one: `??a=1` has
//!    the name `?a`).
//! 2. Split the rest on `&`. Skip empty pieces (`a=1&&b=2&` has two pieces).
//! 3. Split each piece at its **first** `=` into name and value: `a=b=c` is name `a`,
//!    value `b=c`. A piece with no `=` is a name with the value `""`; a piece starting
//!    with `=` has the name `""`.
//! 4. Only then decode the name and the value, each the same way (so an encoded `%26` or
//!    `%3D` becomes a `&` or `=` *inside* a name or value and never splits anything):
//!    - every `+` becomes a space, and **then**
//!    - every `%` followed by two hex digits (`0-9`, `a-f`, `A-F`, in any case) becomes
//!      the *byte* with that value. This is one left-to-right pass: the output is never
//!      decoded again, so `%2541` decodes to `%41` (not `A`), and since `+` was handled
//!      first, `%2B` decodes to a literal `+` (not a space).
//!    - a `%` that is not followed by two hex digits is kept as it is: `%`, `%4`, `%zz`,
//!      `%é`, the first `%` of `%%41` (which gives `%A`), and `%+1` (the `+` is a space
//!      by then, so this gives `% 1`).
//!    - characters other than `+` and `%` are kept as they are.
//! 5. The decoded bytes are UTF-8 text, or should be: turn them into a `String` *lossily*,
//!    replacing each invalid sequence with U+FFFD `�`, exactly like
//!    `String::from_utf8_lossy`. `%E2%82%AC` is the three bytes of `€`, so it decodes to
//!    `€`; `%FF` decodes to `�`. Decode bytes, not characters: each `%XY` is one byte of
//!    the result, and several of them can make up a single character.
//! 6. Repeated names keep every value, in the order they appear in the input.
//! 7. Never panic, for any input.
//!
//! ## Examples
//!
//! ```text
//! parse_query("?q=rust+async&tag=web&tag=db")
//!     -> {"q": ["rust async"], "tag": ["web", "db"]}
//! parse_query("a=b=c&flag&=x")      -> {"": ["x"], "a": ["b=c"], "flag": [""]}
//! parse_query("sum=1%2B1&pct=100%")  -> {"pct": ["100%"], "sum": ["1+1"]}
//! parse_query("price=%E2%82%AC5")    -> {"price": ["€5"]}
//! parse_query("k=%41%2541")          -> {"k": ["A%41"]}
//! parse_query("na%6De=%ff")          -> {"name": ["�"]}
//! parse_query("") and parse_query("?") and parse_query("&&") -> {}
//! ```
//!
//! (Maps are shown sorted by name; a `HashMap` has no order of its own.)
//!
//! ## Complexity
//!
//! O(n) in the length of the input: one pass to split it, one pass over each name and
//! value to decode it. Use only the standard library.
//!
//! Besides the examples above, the checks compare your parser with a reference on many
//! random inputs made of `%`, `+`, `=`, `&`, `?`, hex digits and multi-byte characters.

use std::collections::HashMap;

/// Parses a URL query string (an optional leading `?` is ignored) into a map from each
/// decoded parameter name to all of its decoded values, in input order.
pub fn parse_query(input: &str) -> HashMap<String, Vec<String>> {
    todo!("parse the query string {input:?}")
}
