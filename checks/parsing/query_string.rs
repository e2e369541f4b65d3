use super::query_string::parse_query;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

type Params = BTreeMap<String, Vec<String>>;

// ---------------------------------------------------------------------------------------
// Calling the learner's parser: a panic becomes a message that names the input.

thread_local! {
    static IN_LEARNER_CODE: Cell<bool> = const { Cell::new(false) };
    static CAUGHT_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}
static QUIET_HOOK: Once = Once::new();

/// `parse_query(input)` as a sorted map, or the text of the panic it raised.
fn try_parse(input: &str) -> Result<Params, String> {
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
    let result = panic::catch_unwind(AssertUnwindSafe(|| parse_query(input)));
    IN_LEARNER_CODE.with(|c| c.set(false));
    match result {
        Ok(map) => Ok(map.into_iter().collect()),
        Err(_) => Err(CAUGHT_PANIC
            .with(|c| c.borrow_mut().take())
            .unwrap_or_else(|| "panicked".to_string())),
    }
}

/// `parse_query(input)` as a sorted map; a panic fails the check, naming the input.
fn parsed(input: &str) -> Params {
    match try_parse(input) {
        Ok(map) => map,
        Err(panicked) if panicked.contains("not yet implemented") => {
            panic!("parse_query({input:?}) {panicked}")
        }
        Err(panicked) => panic!(
            "parse_query({input:?}) {panicked}\n(the parser must never panic, for any input)"
        ),
    }
}

fn params(entries: &[(&str, &[&str])]) -> Params {
    let mut map = Params::new();
    for (name, values) in entries {
        map.entry(name.to_string())
            .or_default()
            .extend(values.iter().map(|v| v.to_string()));
    }
    map
}

/// Fails unless `parse_query(input)` gives exactly `expected`.
fn check(input: &str, expected: &[(&str, &[&str])]) {
    expect_eq!(parsed(input), params(expected), "parse_query({input:?})");
}

/// Fails unless `input` parses to the single parameter `name` with the single `value`.
fn check_one(input: &str, name: &str, value: &str) {
    check(input, &[(name, &[value])]);
}

// ---------------------------------------------------------------------------------------
// The structure of a query string.

#[test]
fn empty_input_and_lone_question_mark_give_an_empty_map() {
    for input in ["", "?", "&", "?&", "&&&", "?&&"] {
        check(input, &[]);
    }
}

#[test]
fn a_single_leading_question_mark_is_ignored() {
    check("?a=1", &[("a", &["1"])]);
    check("?a=1&b=2", &[("a", &["1"]), ("b", &["2"])]);
    check("a=1", &[("a", &["1"])]);
}

#[test]
fn only_one_leading_question_mark_is_stripped() {
    check("??a=1", &[("?a", &["1"])]);
    check("???", &[("??", &[""])]);
    check("?a=1&?b=2", &[("a", &["1"]), ("?b", &["2"])]);
    check("a=?&b?=?c", &[("a", &["?"]), ("b?", &["?c"])]);
}

#[test]
fn empty_pieces_are_skipped() {
    check("&&a=1&", &[("a", &["1"])]);
    check("a=1&&b=2&", &[("a", &["1"]), ("b", &["2"])]);
    check("?&a=&&", &[("a", &[""])]);
}

#[test]
fn each_piece_splits_at_its_first_equals_sign() {
    check_one("a=b=c", "a", "b=c");
    check_one("a==", "a", "=");
    check_one("url=https://x.test/?q=1", "url", "https://x.test/?q=1");
    check_one("==x=", "", "=x=");
}

#[test]
fn a_piece_without_equals_has_an_empty_value() {
    check_one("flag", "flag", "");
    check("a&b=", &[("a", &[""]), ("b", &[""])]);
    check("x=1&x", &[("x", &["1", ""])]);
}

#[test]
fn a_piece_starting_with_equals_has_an_empty_name() {
    check_one("=x", "", "x");
    check_one("=", "", "");
    check("=a&b=1&=c", &[("", &["a", "c"]), ("b", &["1"])]);
}

#[test]
fn repeated_keys_keep_every_value() {
    check("a=1&a=2", &[("a", &["1", "2"])]);
    check(
        "tag=web&page=2&tag=db&tag=web",
        &[("page", &["2"]), ("tag", &["web", "db", "web"])],
    );
    check("id=3&id=1&id=2", &[("id", &["3", "1", "2"])]);
}

// ---------------------------------------------------------------------------------------
// Decoding names and values.

#[test]
fn plus_becomes_a_space() {
    check_one("q=rust+async", "q", "rust async");
    check_one("a=++", "a", "  ");
    check_one("first+name=Ada+Lovelace", "first name", "Ada Lovelace");
    check_one("+=+", " ", " ");
}

#[test]
fn percent_encoded_plus_is_a_literal_plus() {
    check_one("sum=1%2B1", "sum", "1+1");
    check_one("sum=1%2b1", "sum", "1+1");
    check_one("a=+%2B+", "a", " + ");
    check_one("c%2B%2B=1", "c++", "1");
}

#[test]
fn percent_hex_digits_decode_in_any_case() {
    check_one("k=%41%42%43", "k", "ABC");
    check_one("k=%7e%7E%7a", "k", "~~z");
    check_one("path=%2Fusr%2flib", "path", "/usr/lib");
    check_one("k=%20%3a%3A", "k", " ::");
}

#[test]
fn names_are_decoded_too() {
    check_one("na%6De=x", "name", "x");
    check_one("%E2%82%AC=euro", "\u{20ac}", "euro");
    check("a=1&%61=2", &[("a", &["1", "2"])]);
}

#[test]
fn encoded_separators_do_not_split() {
    check_one("a%3Db=c%26d=e", "a=b", "c&d=e");
    check("q=%26&r=%3d", &[("q", &["&"]), ("r", &["="])]);
    check_one("%3F=1", "?", "1");
}

#[test]
fn decoding_is_a_single_left_to_right_pass() {
    check_one("k=%2541", "k", "%41");
    check_one("k=%41%2541", "k", "A%41");
    check_one("k=%252B", "k", "%2B");
    check_one("k=%25%32%35", "k", "%25");
    check_one("k=%25+", "k", "% ");
}

#[test]
fn invalid_percent_sequences_stay_literal() {
    check_one("pct=100%", "pct", "100%");
    check_one("k=%", "k", "%");
    check_one("k=%4", "k", "%4");
    check_one("k=%zz", "k", "%zz");
    check_one("k=%4g%g4", "k", "%4g%g4");
    check_one("k=%%41", "k", "%A");
    check_one("k=%+1", "k", "% 1");
    check_one("k=%-1%+F", "k", "%-1% F");
    check_one("%=%", "%", "%");
}

#[test]
fn percent_before_a_multi_byte_character_stays_literal() {
    check_one("k=%\u{e9}", "k", "%\u{e9}");
    check_one("k=%4\u{20ac}", "k", "%4\u{20ac}");
    check_one("%\u{1f600}=%", "%\u{1f600}", "%");
}

#[test]
fn literal_unicode_passes_through_unchanged() {
    check(
        "name=Zo\u{eb}&\u{20ac}=\u{1f600}",
        &[("name", &["Zo\u{eb}"]), ("\u{20ac}", &["\u{1f600}"])],
    );
}

#[test]
fn percent_encoded_utf8_bytes_form_characters() {
    check_one("k=%C3%A9", "k", "\u{e9}");
    check_one("price=%E2%82%AC5", "price", "\u{20ac}5");
    check_one("k=%e2%82%ac", "k", "\u{20ac}");
    check_one("k=%F0%9F%98%80", "k", "\u{1f600}");
    check_one("k=%C3\u{a9}", "k", "\u{fffd}\u{a9}");
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    check_one("k=%FF", "k", "\u{fffd}");
    check_one("k=a%ffb", "k", "a\u{fffd}b");
    check_one("k=%C3", "k", "\u{fffd}");
    check_one("k=%E2%82", "k", "\u{fffd}");
    check_one("k=%E2%82x", "k", "\u{fffd}x");
    check_one("k=%80%80", "k", "\u{fffd}\u{fffd}");
    check_one("k=%C0%AF", "k", "\u{fffd}\u{fffd}");
    check_one("%FF=1", "\u{fffd}", "1");
}

// ---------------------------------------------------------------------------------------
// Random inputs against a reference model.

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
}

const TOKENS: &[&str] = &[
    "%",
    "%",
    "%",
    "+",
    "+",
    "=",
    "=",
    "&",
    "&",
    "?",
    "a",
    "b",
    "A",
    "F",
    "f",
    "0",
    "2",
    "4",
    "5",
    "9",
    "B",
    "g",
    "z",
    " ",
    "-",
    "\u{e9}",
    "\u{20ac}",
    "\u{1f600}",
    "%2",
    "%25",
    "%2B",
    "%2b",
    "%3D",
    "%26",
    "%41",
    "%61",
    "%E2",
    "%82",
    "%AC",
    "%C3",
    "%A9",
    "%FF",
    "%f0",
    "%9f",
    "%98",
    "%80",
    "%C0",
];

fn random_input(rng: &mut Rng) -> String {
    let len = rng.below(20);
    (0..len).map(|_| TOKENS[rng.below(TOKENS.len())]).collect()
}

/// The rules read literally: strip one `?`, split, replace `+`, then percent-decode.
fn model(input: &str) -> Params {
    let query = if input.starts_with('?') {
        &input[1..]
    } else {
        input
    };
    let mut map = Params::new();
    for piece in query.split('&') {
        if piece.is_empty() {
            continue;
        }
        let (name, value) = match piece.find('=') {
            Some(at) => (&piece[..at], &piece[at + 1..]),
            None => (piece, ""),
        };
        map.entry(model_decode(name))
            .or_default()
            .push(model_decode(value));
    }
    map
}

fn model_decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    let bytes = spaced.as_bytes();
    let hex = |at: usize| bytes.get(at).and_then(|&b| (b as char).to_digit(16));
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if let (b'%', Some(high), Some(low)) = (bytes[at], hex(at + 1), hex(at + 2)) {
            out.push((high * 16 + low) as u8);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn disagrees(input: &str) -> bool {
    try_parse(input).map_or(true, |got| got != model(input))
}

/// A shorter input that still fails, found by deleting characters while it keeps failing.
fn minimise(input: &str) -> String {
    let mut chars: Vec<char> = input.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        let mut shorter = chars.clone();
        shorter.remove(at);
        if disagrees(&shorter.iter().collect::<String>()) {
            chars = shorter;
        } else {
            at += 1;
        }
    }
    chars.into_iter().collect()
}

#[test]
fn random_inputs_match_the_reference_and_never_panic() {
    const SEED: u64 = 0x9E11_A7E5_0F_0D_2026;
    const CASES: usize = 3000;
    let mut rng = Rng(SEED);
    for case in 0..CASES {
        let input = random_input(&mut rng);
        if !disagrees(&input) {
            continue;
        }
        let small = minimise(&input);
        let mut origin = format!("random case {case} of seed {SEED:#x}");
        if small != input {
            origin += &format!(", shortened from {input:?}");
        }
        match try_parse(&small) {
            Err(panicked) => {
                panic!("parse_query({small:?}) {panicked}\n({origin}; the parser must never panic)")
            }
            Ok(got) => panic!(
                "parse_query({small:?}) returned {got:?}, expected {:?} ({origin})",
                model(&small)
            ),
        }
    }
}
