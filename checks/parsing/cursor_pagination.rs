use super::cursor_pagination::{
    Keyed, MAX_LIMIT, Page, PageError, SortKey, decode_cursor, encode_cursor, list_page,
};

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

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

fn learner<R>(call: impl FnOnce() -> String, f: impl FnOnce() -> R) -> R {
    match try_learner(f) {
        Ok(value) => value,
        Err(panicked) if panicked.contains("not yet implemented") => {
            panic!("{} {panicked}", call())
        }
        Err(panicked) => panic!(
            "{} {panicked}\n(never panic on a client's input: return a PageError)",
            call()
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Rows that count how often the code under test reads their key or clones them.

thread_local! {
    static KEY_CALLS: Cell<u64> = const { Cell::new(0) };
    static CLONES: Cell<u64> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<u64>>) {
    counter.with(|c| c.set(c.get() + 1));
}

/// A post of the feed, shown as `#id@created_at`.
#[derive(PartialEq, Eq)]
struct Post {
    created_at: u64,
    id: u64,
}

impl Keyed for Post {
    fn sort_key(&self) -> SortKey {
        bump(&KEY_CALLS);
        SortKey {
            created_at: self.created_at,
            id: self.id,
        }
    }
}

impl Clone for Post {
    fn clone(&self) -> Self {
        bump(&CLONES);
        Post {
            created_at: self.created_at,
            id: self.id,
        }
    }
}

impl fmt::Debug for Post {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}@{}", self.id, self.created_at)
    }
}

fn post(id: u64, created_at: u64) -> Post {
    Post { created_at, id }
}

fn key_of(post: &Post) -> SortKey {
    SortKey {
        created_at: post.created_at,
        id: post.id,
    }
}

fn key_text(key: SortKey) -> String {
    format!("#{}@{}", key.id, key.created_at)
}

/// The store: rows sorted newest first (created_at, then id, both descending).
fn store(rows: &[(u64, u64)]) -> Vec<Post> {
    let mut posts: Vec<Post> = rows.iter().map(|&(id, at)| post(id, at)).collect();
    sort_store(&mut posts);
    posts
}

fn sort_store(posts: &mut [Post]) {
    posts.sort_by_key(|p| std::cmp::Reverse((p.created_at, p.id)));
}

fn store_text(posts: &[Post]) -> String {
    if posts.len() > 40 {
        format!(
            "[{:?}, {:?}, ... {} rows in all]",
            posts[0],
            posts[1],
            posts.len()
        )
    } else {
        format!("{posts:?}")
    }
}

// ---------------------------------------------------------------------------------------
// The signer the server hands in, and the cursor format read literally.

const SECRET: u64 = 0x5EC2_E7C0_FFEE_2026;
const OTHER_SECRET: u64 = 0x0DD5_EC2E_7000_0001;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A keyed 64-bit tag (a stand-in for HMAC: good enough that a changed byte changes it).
fn tag_with(secret: u64, payload: &[u8]) -> u64 {
    let mut state = mix(secret ^ payload.len() as u64);
    for &b in payload {
        state = mix(state ^ u64::from(b).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    }
    state
}

fn sign(payload: &[u8]) -> u64 {
    tag_with(SECRET, payload)
}

fn sign_other(payload: &[u8]) -> u64 {
    tag_with(OTHER_SECRET, payload)
}

fn model_payload(key: SortKey) -> Vec<u8> {
    let mut payload = key.created_at.to_be_bytes().to_vec();
    payload.extend_from_slice(&key.id.to_be_bytes());
    payload
}

fn model_encode_with(secret: u64, key: SortKey) -> String {
    let mut bytes = model_payload(key);
    bytes.extend_from_slice(&tag_with(secret, &model_payload(key)).to_be_bytes());
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn model_encode(key: SortKey) -> String {
    model_encode_with(SECRET, key)
}

fn model_decode(cursor: &str) -> Result<SortKey, PageError> {
    let lowercase_hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    if cursor.len() != 48 || !cursor.chars().all(lowercase_hex) {
        return Err(PageError::InvalidCursor);
    }
    let word = |i: usize| u64::from_str_radix(&cursor[16 * i..16 * i + 16], 16).unwrap();
    let key = SortKey {
        created_at: word(0),
        id: word(1),
    };
    if sign(&model_payload(key)) != word(2) {
        return Err(PageError::InvalidCursor);
    }
    Ok(key)
}

fn model_page(rows: &[Post], cursor: Option<&str>, limit: usize) -> Result<Page<Post>, PageError> {
    if limit == 0 || limit > 100 {
        return Err(PageError::InvalidLimit);
    }
    let after = match cursor {
        None => None,
        Some(c) => Some(model_decode(c)?),
    };
    let following: Vec<&Post> = rows
        .iter()
        .filter(|p| after.is_none_or(|a| key_of(p) < a))
        .collect();
    let page: Vec<Post> = following
        .iter()
        .take(limit)
        .map(|p| post(p.id, p.created_at))
        .collect();
    let has_more = following.len() > limit;
    let next_cursor = if has_more {
        page.last().map(|p| model_encode(key_of(p)))
    } else {
        None
    };
    Ok(Page {
        rows: page,
        next_cursor,
        has_more,
    })
}

/// A cursor as the checks show it: what it stands for, when it is one of ours.
fn cursor_text(cursor: Option<&str>) -> String {
    match cursor {
        None => "None".to_string(),
        Some(c) => match model_decode(c) {
            Ok(key) => format!("Some(<cursor after {}>)", key_text(key)),
            Err(_) => format!("Some({c:?})"),
        },
    }
}

fn page_text(page: &Result<Page<Post>, PageError>) -> String {
    match page {
        Err(e) => format!("Err({e:?})"),
        Ok(p) => format!(
            "Ok(Page {{ rows: {:?}, has_more: {}, next_cursor: {} }})",
            p.rows,
            p.has_more,
            match &p.next_cursor {
                None => "None".to_string(),
                Some(c) => match model_decode(c) {
                    Ok(key) => format!("Some(<cursor after {}>)", key_text(key)),
                    Err(_) => format!(
                        "Some({c:?}) (expected 48 hex digits: created_at, id, tag: see the \
                         cursor format)"
                    ),
                },
            }
        ),
    }
}

fn call_text(rows: &[Post], cursor: Option<&str>, limit: usize) -> String {
    format!(
        "list_page({}, {}, {limit}, &sign)",
        store_text(rows),
        cursor_text(cursor)
    )
}

/// `list_page` on the learner's side; a panic fails the check, naming the call.
fn page_of(
    rows: &[Post],
    cursor: Option<&str>,
    limit: usize,
    context: &str,
) -> Result<Page<Post>, PageError> {
    learner(
        || format!("{context}{}", call_text(rows, cursor, limit)),
        || list_page(rows, cursor, limit, &sign),
    )
}

/// Fails unless `list_page` gives exactly what the rules say; returns the page.
fn check_page(
    rows: &[Post],
    cursor: Option<&str>,
    limit: usize,
    context: &str,
) -> Result<Page<Post>, PageError> {
    let got = page_of(rows, cursor, limit, context);
    let expected = model_page(rows, cursor, limit);
    if got != expected {
        panic!(
            "{context}{} returned {}, expected {}",
            call_text(rows, cursor, limit),
            page_text(&got),
            page_text(&expected)
        );
    }
    got
}

fn expect_rows(page: &Result<Page<Post>, PageError>, ids: &[u64], what: &str) {
    let got: Vec<u64> = match page {
        Ok(p) => p.rows.iter().map(|p| p.id).collect(),
        Err(e) => panic!("{what} returned Err({e:?}), expected rows with ids {ids:?}"),
    };
    assert!(
        got == ids,
        "{what} returned rows with ids {got:?}, expected {ids:?}"
    );
}

fn next_of(page: &Result<Page<Post>, PageError>) -> Option<String> {
    page.as_ref().ok().and_then(|p| p.next_cursor.clone())
}

// ---------------------------------------------------------------------------------------
// The cursor format.

#[test]
fn encode_cursor_gives_the_specified_48_hex_digits() {
    for key in [
        SortKey {
            created_at: 1_700_000_000_000,
            id: 42,
        },
        SortKey {
            created_at: 0,
            id: 0,
        },
        SortKey {
            created_at: u64::MAX,
            id: u64::MAX,
        },
        SortKey {
            created_at: 0x0102_0304_0506_0708,
            id: 0xA0B0_C0D0_E0F0_0010,
        },
    ] {
        let got = learner(
            || format!("encode_cursor({key:?}, &sign)"),
            || encode_cursor(key, &sign),
        );
        expect_eq!(got, model_encode(key), "encode_cursor({key:?}, &sign)");
    }
}

#[test]
fn decode_cursor_reads_back_what_encode_cursor_wrote() {
    for (created_at, id) in [
        (1_700_000_000_000, 42),
        (0, 0),
        (u64::MAX, 1),
        (7, u64::MAX),
    ] {
        let key = SortKey { created_at, id };
        let cursor = model_encode(key);
        let got = learner(
            || format!("decode_cursor({cursor:?}, &sign)"),
            || decode_cursor(&cursor, &sign),
        );
        expect_eq!(
            got,
            Ok(key),
            "decode_cursor({cursor:?}, &sign) (the cursor of {key:?})"
        );
    }
}

fn check_decode(cursor: &str, expected: Result<SortKey, PageError>, why: &str) {
    let got = learner(
        || format!("decode_cursor({cursor:?}, &sign) ({why})"),
        || decode_cursor(cursor, &sign),
    );
    expect_eq!(got, expected, "decode_cursor({cursor:?}, &sign) ({why})");
}

#[test]
fn malformed_cursors_are_rejected() {
    let good = model_encode(SortKey {
        created_at: 1_700_000_000_000,
        id: 42,
    });
    let invalid = Err(PageError::InvalidCursor);
    check_decode("", invalid, "empty");
    check_decode(&good[..47], invalid, "47 digits");
    check_decode(&format!("{good}0"), invalid, "49 digits");
    check_decode(&good[..46], invalid, "46 digits");
    check_decode(&format!("{good}{good}"), invalid, "two cursors");
    check_decode(&good.to_uppercase(), invalid, "uppercase hex");
    check_decode(&format!("+{}", &good[1..]), invalid, "a plus sign");
    check_decode(&format!("-{}", &good[1..]), invalid, "a minus sign");
    check_decode(&format!(" {}", &good[1..]), invalid, "a space");
    check_decode(&format!("g{}", &good[1..]), invalid, "not a hex digit");
    check_decode(&format!("{}=", &good[..47]), invalid, "padding");
    check_decode(
        &format!("\u{e9}{}", &good[2..]),
        invalid,
        "a 2-byte character",
    );
    check_decode(
        &format!("{}\u{20ac}", &good[..45]),
        invalid,
        "a 3-byte character",
    );
    check_decode(
        &format!("0\u{e9}{}", &good[3..]),
        invalid,
        "a 2-byte character",
    );
    check_decode(&"\u{1f600}".repeat(12), invalid, "48 bytes of emoji");
    check_decode("not a cursor", invalid, "garbage");
}

#[test]
fn a_cursor_that_was_changed_or_signed_with_another_secret_is_rejected() {
    let key = SortKey {
        created_at: 1_700_000_000_000,
        id: 42,
    };
    let good = model_encode(key);
    // Every single-digit change, anywhere: in the key or in the tag.
    for at in 0..48 {
        let digit = good.as_bytes()[at];
        let other = if digit == b'0' { '1' } else { '0' };
        let mut tampered = good.clone();
        tampered.replace_range(at..at + 1, &other.to_string());
        check_decode(
            &tampered,
            Err(PageError::InvalidCursor),
            &format!("the cursor of {key:?} with digit {at} changed"),
        );
    }
    // A well-formed cursor for another key with the old tag: a client forging a position.
    let forged_key = SortKey {
        created_at: 1_700_000_000_000,
        id: 41,
    };
    let forged = format!("{}{}", &model_encode(forged_key)[..32], &good[32..]);
    check_decode(
        &forged,
        Err(PageError::InvalidCursor),
        &format!("{forged_key:?} with the tag of {key:?}"),
    );
    let foreign = model_encode_with(OTHER_SECRET, key);
    check_decode(
        &foreign,
        Err(PageError::InvalidCursor),
        &format!("the cursor of {key:?} signed with another secret"),
    );
    // And the other way round: decode_cursor must verify with the sign it is given.
    let got = learner(
        || format!("decode_cursor({foreign:?}, &sign_other)"),
        || decode_cursor(&foreign, &sign_other),
    );
    expect_eq!(
        got,
        Ok(key),
        "decode_cursor({foreign:?}, &sign_other) (the cursor of {key:?} signed by sign_other)"
    );
}

// ---------------------------------------------------------------------------------------
// Pages.

fn twenty_posts() -> Vec<Post> {
    store(&(1..=20).map(|id| (id, 1000 + id * 10)).collect::<Vec<_>>())
}

#[test]
fn the_first_page_holds_the_newest_rows() {
    let rows = twenty_posts();
    let page = check_page(&rows, None, 3, "");
    expect_rows(&page, &[20, 19, 18], &call_text(&rows, None, 3));
    check_page(&rows, None, 1, "");
    check_page(&rows, None, 100, "");
}

#[test]
fn walking_every_page_returns_each_row_once_in_order() {
    let rows = twenty_posts();
    for limit in [1, 3, 7, 19, 20, 21] {
        let mut cursor: Option<String> = None;
        let mut seen: Vec<u64> = Vec::new();
        let mut steps = 0;
        loop {
            steps += 1;
            let context = format!("walking pages of {limit}, page {steps}: ");
            let page = check_page(&rows, cursor.as_deref(), limit, &context);
            let page = page.expect("checked against the model");
            seen.extend(page.rows.iter().map(|p| p.id));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
            assert!(
                steps <= 21,
                "walking pages of {limit} did not end after 21 pages"
            );
        }
        let all: Vec<u64> = (1..=20).rev().collect();
        assert!(
            seen == all,
            "walking pages of {limit} over {} served ids {seen:?}, expected {all:?}",
            store_text(&rows)
        );
    }
}

#[test]
fn has_more_is_false_and_next_cursor_none_on_the_last_page_even_when_it_is_full() {
    let rows = store(&[(1, 10), (2, 20), (3, 30), (4, 40)]);
    let first = check_page(&rows, None, 2, "");
    let second = check_page(
        &rows,
        next_of(&first).as_deref(),
        2,
        "after the first page: ",
    );
    let second = second.expect("checked");
    assert!(
        !second.has_more && second.next_cursor.is_none(),
        "the second page of 2 of 4 rows must have has_more false and next_cursor None"
    );
    check_page(&rows, None, 4, "");
    check_page(&rows, None, 5, "");
    check_page(&rows, None, 3, "");
}

#[test]
fn next_cursor_points_after_the_last_row_of_the_page() {
    let rows = twenty_posts();
    let page = check_page(&rows, None, 5, "");
    let next = next_of(&page);
    let expected = Some(model_encode(SortKey {
        created_at: 1160,
        id: 16,
    }));
    expect_eq!(
        next.as_deref().map(|c| cursor_text(Some(c))),
        expected.as_deref().map(|c| cursor_text(Some(c))),
        "{}: next_cursor",
        call_text(&rows, None, 5)
    );
}

#[test]
fn rows_with_the_same_created_at_are_ordered_by_id_across_pages() {
    // Six posts in the same millisecond, and some around them.
    let rows = store(&[
        (1, 500),
        (2, 700),
        (3, 700),
        (9, 700),
        (4, 700),
        (12, 700),
        (5, 700),
        (6, 900),
    ]);
    let mut cursor = None;
    let mut seen = Vec::new();
    for step in 1..=8 {
        let context = format!("walking pages of 2, page {step}: ");
        let page = check_page(&rows, cursor.as_deref(), 2, &context).expect("checked");
        seen.extend(page.rows.iter().map(|p| p.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let expected = vec![6, 12, 9, 5, 4, 3, 2, 1];
    assert!(
        seen == expected,
        "walking pages of 2 over {} served ids {seen:?}, expected {expected:?}",
        store_text(&rows)
    );
}

#[test]
fn rows_inserted_between_pages_do_not_shift_the_next_page() {
    let mut rows = twenty_posts();
    let first = check_page(&rows, None, 5, "");
    expect_rows(&first, &[20, 19, 18, 17, 16], "the first page of 5");
    // New posts arrive at the top of the feed while the client reads page one.
    rows.push(post(21, 1210));
    rows.push(post(22, 1220));
    rows.push(post(23, 1220));
    sort_store(&mut rows);
    let cursor = next_of(&first);
    let context = "after the first page of 5 and 3 new posts at the top: ";
    let second = check_page(&rows, cursor.as_deref(), 5, context);
    expect_rows(
        &second,
        &[15, 14, 13, 12, 11],
        &format!("{context}{}", call_text(&rows, cursor.as_deref(), 5)),
    );
    // A post inserted below the cursor is served in its place.
    rows.push(post(24, 1105));
    sort_store(&mut rows);
    let cursor = next_of(&second);
    let context = "after two pages of 5 and a new post #24@1105: ";
    let third = check_page(&rows, cursor.as_deref(), 5, context);
    expect_rows(
        &third,
        &[24, 10, 9, 8, 7],
        &format!("{context}{}", call_text(&rows, cursor.as_deref(), 5)),
    );
}

#[test]
fn rows_deleted_between_pages_do_not_make_the_next_page_skip() {
    let mut rows = twenty_posts();
    let first = check_page(&rows, None, 5, "");
    // Rows the client already saw are deleted, including the one its cursor points at.
    rows.retain(|p| ![20, 18, 16].contains(&p.id));
    let cursor = next_of(&first);
    let context = "after the first page of 5 and deleting #20, #18 and #16 (the cursor's row): ";
    let second = check_page(&rows, cursor.as_deref(), 5, context);
    expect_rows(
        &second,
        &[15, 14, 13, 12, 11],
        &format!("{context}{}", call_text(&rows, cursor.as_deref(), 5)),
    );
    // Deleting rows ahead of the cursor just leaves them out.
    rows.retain(|p| ![10, 8].contains(&p.id));
    let cursor = next_of(&second);
    let context = "after two pages of 5 and deleting #10 and #8: ";
    let third = check_page(&rows, cursor.as_deref(), 5, context);
    expect_rows(
        &third,
        &[9, 7, 6, 5, 4],
        &format!("{context}{}", call_text(&rows, cursor.as_deref(), 5)),
    );
}

#[test]
fn a_cursor_past_every_row_gives_an_empty_last_page() {
    let rows = twenty_posts();
    let oldest = model_encode(SortKey {
        created_at: 1010,
        id: 1,
    });
    check_page(&rows, Some(&oldest), 5, "");
    let before_all = model_encode(SortKey {
        created_at: 0,
        id: 0,
    });
    check_page(&rows, Some(&before_all), 5, "");
    check_page(&[], None, 5, "");
    check_page(&[], Some(&before_all), 5, "");
    // A cursor newer than every row (the rows it pointed at were deleted) gives page one.
    let future = model_encode(SortKey {
        created_at: u64::MAX,
        id: u64::MAX,
    });
    check_page(&rows, Some(&future), 5, "");
}

#[test]
fn limit_must_be_between_1_and_max_limit() {
    expect_eq!(MAX_LIMIT, 100, "MAX_LIMIT");
    let rows = twenty_posts();
    for limit in [0, 101, 1000, usize::MAX] {
        check_page(&rows, None, limit, "");
    }
    check_page(&rows, None, 100, "");
    let cursor = model_encode(SortKey {
        created_at: 1100,
        id: 10,
    });
    check_page(&rows, Some(&cursor), 0, "");
}

#[test]
fn list_page_rejects_a_bad_cursor() {
    let rows = twenty_posts();
    let good = model_encode(SortKey {
        created_at: 1100,
        id: 10,
    });
    let tampered = format!(
        "{}{}",
        &good[..31],
        if &good[31..32] == "0" { "1" } else { "0" }
    ) + &good[32..];
    for cursor in [
        "",
        "abc",
        tampered.as_str(),
        &good.to_uppercase(),
        &model_encode_with(
            OTHER_SECRET,
            SortKey {
                created_at: 1100,
                id: 10,
            },
        ),
        "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
    ] {
        check_page(&rows, Some(cursor), 5, "");
    }
}

// ---------------------------------------------------------------------------------------
// Complexity: count sort_key() calls and clones.

fn counters() -> (u64, u64) {
    (KEY_CALLS.with(Cell::get), CLONES.with(Cell::get))
}

#[test]
fn a_page_reads_o_log_n_plus_limit_keys_and_clones_only_its_rows() {
    const LIMIT: usize = 10;
    for n in [64u64, 4096] {
        let rows = store(&(1..=n).map(|id| (id, id * 3)).collect::<Vec<_>>());
        let log2 = 64 - (n - 1).leading_zeros() as u64;
        let max_keys = 2 * (log2 + 1) + 2 * LIMIT as u64 + 4;
        let max_clones = LIMIT as u64 + 1;
        for after in [n / 2, n / 8, 3] {
            let cursor = model_encode(SortKey {
                created_at: after * 3,
                id: after,
            });
            let before = counters();
            let page = page_of(&rows, Some(&cursor), LIMIT, "");
            let after_call = counters();
            let (keys, clones) = (after_call.0 - before.0, after_call.1 - before.1);
            let call = call_text(&rows, Some(&cursor), LIMIT);
            let expected = model_page(&rows, Some(&cursor), LIMIT);
            if page != expected {
                panic!(
                    "{call} returned {}, expected {}",
                    page_text(&page),
                    page_text(&expected)
                );
            }
            assert!(
                keys <= max_keys,
                "{call} called sort_key() {keys} times on a store of {n} rows, expected at \
                 most {max_keys} (about 2·log2(n) + 2·limit): find where the page starts with \
                 a binary search (the rows are sorted), not by scanning them"
            );
            assert!(
                clones <= max_clones,
                "{call} cloned {clones} rows, expected at most {max_clones}: clone only the \
                 rows of the page"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Random walks with inserts and deletes, and random cursors, against the model.

/// splitmix64: a small, seedable PRNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_walks_with_inserts_and_deletes_match_the_model() {
    const SEED: u64 = 0xC0_2503_A6E5_2026;
    const WALKS: u64 = 150;
    let mut rng = Rng(SEED);
    for walk in 0..WALKS {
        let mut next_id = 1;
        let mut rows = Vec::new();
        for _ in 0..rng.below(25) {
            rows.push(post(next_id, 100 + rng.below(8)));
            next_id += 1;
        }
        sort_store(&mut rows);
        let limit = 1 + rng.below(5) as usize;
        let mut history: Vec<String> = vec![format!("start with {}", store_text(&rows))];
        let mut cursor: Option<String> = None;
        for step in 0..40 {
            if step > 0 {
                for _ in 0..rng.below(3) {
                    if rng.below(2) == 0 || rows.is_empty() {
                        let created_at = 98 + rng.below(12);
                        rows.push(post(next_id, created_at));
                        history.push(format!("insert #{next_id}@{created_at}"));
                        next_id += 1;
                        sort_store(&mut rows);
                    } else {
                        let gone = rows.remove(rng.below(rows.len() as u64) as usize);
                        history.push(format!("delete {gone:?}"));
                    }
                }
            }
            let got = learner(
                || {
                    format!(
                        "random walk {walk} of seed {SEED:#x}, after {}: {}",
                        history.join(", "),
                        call_text(&rows, cursor.as_deref(), limit)
                    )
                },
                || list_page(&rows, cursor.as_deref(), limit, &sign),
            );
            let expected = model_page(&rows, cursor.as_deref(), limit);
            if got != expected {
                panic!(
                    "random walk {walk} of seed {SEED:#x}, after {}: {} returned {}, expected {}",
                    history.join(", "),
                    call_text(&rows, cursor.as_deref(), limit),
                    page_text(&got),
                    page_text(&expected)
                );
            }
            let page = got.expect("equal to the model");
            history.push(format!("a page of {limit}: {:?}", page.rows));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
    }
}

#[test]
fn random_cursor_strings_never_panic_and_match_the_model() {
    const SEED: u64 = 0x0C0B_5E55_ED00_2026;
    const CASES: usize = 1000;
    const ODD: &[&str] = &[
        "0",
        "9",
        "a",
        "f",
        "A",
        "F",
        "g",
        "+",
        "-",
        " ",
        "=",
        "\u{e9}",
        "\u{20ac}",
        "\u{1f600}",
    ];
    let mut rng = Rng(SEED);
    for case in 0..CASES {
        let key = SortKey {
            created_at: rng.next() >> (20 * rng.below(4)),
            id: rng.below(1000),
        };
        let mut cursor = model_encode(key);
        for _ in 0..rng.below(4) {
            let chars: Vec<char> = cursor.chars().collect();
            let at = rng.below(chars.len() as u64 + 1) as usize;
            let odd = ODD[rng.below(ODD.len() as u64) as usize];
            let mut edited: String = chars[..at].iter().collect();
            match rng.below(4) {
                0 => edited.push_str(odd),
                1 => {
                    edited.push_str(odd);
                    edited.extend(chars.iter().skip(at + 1));
                    cursor = edited;
                    continue;
                }
                2 => {
                    edited.extend(chars.iter().skip(at + 1));
                    cursor = edited;
                    continue;
                }
                _ => {}
            }
            edited.extend(chars.iter().skip(at));
            cursor = edited;
        }
        if rng.below(8) == 0 {
            cursor = cursor.to_uppercase();
        }
        let got = learner(
            || format!("decode_cursor({cursor:?}, &sign) (random case {case} of seed {SEED:#x})"),
            || decode_cursor(&cursor, &sign),
        );
        let expected = model_decode(&cursor);
        expect_eq!(
            got,
            expected,
            "decode_cursor({cursor:?}, &sign) (random case {case} of seed {SEED:#x}, an edited \
             cursor of {key:?})"
        );
    }
}
