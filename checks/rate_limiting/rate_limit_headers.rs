use super::rate_limit_headers::{Decision, limit_response};
use crate::kit::{SplitMix64, try_learner};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

/// A time as the statement writes it: `u64::MAX - 1` rather than digits.
fn ms(value: u64) -> String {
    if value == u64::MAX {
        "u64::MAX".to_string()
    } else if value > u64::MAX - 100_000 {
        format!("u64::MAX - {}", u64::MAX - value)
    } else {
        value.to_string()
    }
}

fn count(value: u32) -> String {
    if value == u32::MAX {
        "u32::MAX".to_string()
    } else {
        value.to_string()
    }
}

fn show(d: &Decision) -> String {
    format!(
        "Decision {{ allowed: {}, limit: {}, used: {}, reset_at_ms: {}, retry_at_ms: {} }}",
        d.allowed,
        count(d.limit),
        count(d.used),
        ms(d.reset_at_ms),
        ms(d.retry_at_ms)
    )
}

fn allowed(limit: u32, used: u32, reset_at_ms: u64) -> Decision {
    Decision {
        allowed: true,
        limit,
        used,
        reset_at_ms,
        retry_at_ms: 0,
    }
}

fn rejected(limit: u32, used: u32, reset_at_ms: u64, retry_at_ms: u64) -> Decision {
    Decision {
        allowed: false,
        limit,
        used,
        reset_at_ms,
        retry_at_ms,
    }
}

fn show_headers<S: AsRef<str>>(headers: &[(S, S)]) -> String {
    let shown: Vec<String> = headers
        .iter()
        .map(|(n, v)| format!("{:?}: {:?}", n.as_ref(), v.as_ref()))
        .collect();
    format!("[{}]", shown.join(", "))
}

/// Calls `limit_response(&d, now_ms)`: its status and headers, or the failure message.
fn respond(d: &Decision, now_ms: u64) -> Result<(u16, Vec<(String, String)>), String> {
    let call = format!("limit_response(&{}, {})", show(d), ms(now_ms));
    match try_learner(|| limit_response(d, now_ms)) {
        Ok(r) => Ok((r.status, r.headers)),
        Err(panicked) => Err(format!("{call} {panicked}")),
    }
}

/// What differs first between the two responses, in words.
fn first_difference(
    got: &(u16, Vec<(String, String)>),
    status: u16,
    headers: &[(&str, &str)],
) -> String {
    if got.0 != status {
        return format!("the status is {}, expected {status}", got.0);
    }
    let got_names: Vec<&str> = got.1.iter().map(|(n, _)| n.as_str()).collect();
    let names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
    if got_names != names {
        return format!("the header names are {got_names:?}, expected {names:?}");
    }
    for ((name, got_value), (_, value)) in got.1.iter().zip(headers) {
        if got_value != value {
            return format!("{name} is {got_value:?}, expected {value:?}");
        }
    }
    String::new()
}

/// Fails unless `limit_response(&d, now_ms)` returns `status` and `headers`.
fn expect(d: Decision, now_ms: u64, status: u16, headers: &[(&str, &str)], why: &str) {
    let call = format!("limit_response(&{}, {})", show(&d), ms(now_ms));
    let got = respond(&d, now_ms).unwrap_or_else(|message| panic!("{message}"));
    let difference = first_difference(&got, status, headers);
    if !difference.is_empty() {
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(" ({why})")
        };
        panic!(
            "{call} returned status {} with headers {}, expected status {status} with headers \
             {}: {difference}{why}",
            got.0,
            show_headers(&got.1),
            show_headers(headers)
        );
    }
}

/// Fails unless the header `name` of `limit_response(&d, now_ms)` is `value`.
fn expect_header(d: Decision, now_ms: u64, name: &str, value: &str, why: &str) {
    let call = format!("limit_response(&{}, {})", show(&d), ms(now_ms));
    let got = respond(&d, now_ms).unwrap_or_else(|message| panic!("{message}"));
    let found = got
        .1
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str());
    if found != Some(value) {
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(" ({why})")
        };
        panic!(
            "{call} returned headers {}: {name} is {}, expected {value:?}{why}",
            show_headers(&got.1),
            found.map_or("missing".to_string(), |v| format!("{v:?}"))
        );
    }
}

const LIMIT: &str = "X-RateLimit-Limit";
const REMAINING: &str = "X-RateLimit-Remaining";
const RESET: &str = "X-RateLimit-Reset";
const RETRY_AFTER: &str = "Retry-After";

/// 2026-11-23 12:00:12.345 UTC.
const NOW: u64 = 1_795_435_212_345;
/// 12:01:00.000, the end of the minute window.
const MINUTE_END: u64 = 1_795_435_260_000;

// ---------------------------------------------------------------------------------------
// The rules.

#[test]
fn an_allowed_request_gets_200_and_the_three_quota_headers() {
    expect(
        allowed(100, 1, MINUTE_END),
        NOW,
        200,
        &[(LIMIT, "100"), (REMAINING, "99"), (RESET, "1795435260")],
        "100 - 1 requests remain; the reset is 1795435260000 ms = 1795435260 s",
    );
}

#[test]
fn a_rejected_request_gets_429_and_retry_after() {
    expect(
        rejected(100, 100, MINUTE_END, MINUTE_END),
        NOW,
        429,
        &[
            (LIMIT, "100"),
            (REMAINING, "0"),
            (RESET, "1795435260"),
            (RETRY_AFTER, "48"),
        ],
        "nothing remains on a 429; the reset is 1795435260000 ms = 1795435260 s; Retry-After: \
         1795435260000 - 1795435212345 = 47655 ms, rounded up to 48 s",
    );
}

#[test]
fn the_token_bucket_example_from_the_statement() {
    expect(
        rejected(5, 5, NOW + 2_500, NOW + 334),
        NOW,
        429,
        &[
            (LIMIT, "5"),
            (REMAINING, "0"),
            (RESET, "1795435215"),
            (RETRY_AFTER, "1"),
        ],
        "reset 1795435214.845 s rounded up; retry after 0.334 s rounded up",
    );
}

#[test]
fn header_names_and_their_order_are_exact() {
    let d = rejected(10, 10, 5_000, 5_000);
    let got = respond(&d, 1_000).unwrap_or_else(|message| panic!("{message}"));
    let names: Vec<&str> = got.1.iter().map(|(n, _)| n.as_str()).collect();
    let expected = [LIMIT, REMAINING, RESET, RETRY_AFTER];
    assert!(
        names == expected,
        "limit_response(&{}, 1000) returned header names {names:?}, expected {expected:?} \
         (these names, in this order)",
        show(&d)
    );
}

#[test]
fn only_a_429_has_retry_after() {
    expect(
        allowed(10, 3, 60_000),
        1_000,
        200,
        &[(LIMIT, "10"), (REMAINING, "7"), (RESET, "60")],
        "10 - 3 remain; the reset is 60000 ms = 60 s; an allowed request has no Retry-After",
    );
    expect(
        Decision {
            allowed: true,
            limit: 10,
            used: 10,
            reset_at_ms: 60_000,
            retry_at_ms: 59_000,
        },
        1_000,
        200,
        &[(LIMIT, "10"), (REMAINING, "0"), (RESET, "60")],
        "retry_at_ms is only meaningful for a rejected request: no Retry-After on a 200",
    );
}

#[test]
fn retry_after_is_whole_seconds_rounded_up() {
    let now = 10_000;
    for (wait_ms, seconds) in [
        (1, "1"),
        (999, "1"),
        (1_000, "1"),
        (1_001, "2"),
        (1_499, "2"),
        (1_500, "2"),
        (59_999, "60"),
        (60_000, "60"),
        (60_001, "61"),
        (3_600_000, "3600"),
    ] {
        expect_header(
            rejected(10, 10, now + 60_000, now + wait_ms),
            now,
            RETRY_AFTER,
            seconds,
            &format!("{wait_ms} ms, in whole seconds rounded up"),
        );
    }
}

#[test]
fn retry_after_is_at_least_one_second() {
    expect_header(
        rejected(10, 10, NOW + 1_000, NOW),
        NOW,
        RETRY_AFTER,
        "1",
        "retry_at_ms is now: still at least 1, never 0",
    );
    expect_header(
        rejected(10, 10, NOW + 1_000, NOW - 5_000),
        NOW,
        RETRY_AFTER,
        "1",
        "retry_at_ms is already past: at least 1",
    );
    expect_header(
        rejected(10, 10, NOW, 0),
        NOW,
        RETRY_AFTER,
        "1",
        "retry_at_ms 0 is long past: at least 1",
    );
}

#[test]
fn reset_is_epoch_seconds_rounded_up() {
    for (reset_ms, seconds) in [
        (MINUTE_END, "1795435260"),
        (MINUTE_END + 1, "1795435261"),
        (MINUTE_END + 500, "1795435261"),
        (MINUTE_END + 999, "1795435261"),
        (MINUTE_END + 1_000, "1795435261"),
        (MINUTE_END - 1, "1795435260"),
    ] {
        expect_header(
            allowed(100, 1, reset_ms),
            NOW,
            RESET,
            seconds,
            &format!("{reset_ms} ms in epoch seconds, rounded up"),
        );
    }
    expect_header(allowed(1, 1, 0), 0, RESET, "0", "0 ms is 0 s");
    expect_header(allowed(1, 1, 1), 0, RESET, "1", "1 ms rounds up to 1 s");
}

#[test]
fn a_reset_moment_in_the_past_is_reported_as_now() {
    expect_header(
        allowed(100, 1, NOW - 12_345),
        NOW,
        RESET,
        "1795435213",
        "the reset moment is before now_ms, so now_ms is reported: 1795435212.345 s rounded \
         up",
    );
    expect_header(
        rejected(100, 100, 0, NOW + 10),
        NOW - 345,
        RESET,
        "1795435212",
        "reset_at_ms 0 is long past: now_ms 1795435212000 is exactly 1795435212 s",
    );
}

#[test]
fn remaining_counts_down_and_never_underflows() {
    for (used, remaining) in [
        (0, "3"),
        (1, "2"),
        (2, "1"),
        (3, "0"),
        (4, "0"),
        (u32::MAX, "0"),
    ] {
        expect_header(
            allowed(3, used, 60_000),
            1_000,
            REMAINING,
            remaining,
            &format!(
                "limit 3, {} used: {}",
                count(used),
                if used >= 3 {
                    "0 when used >= limit, never an underflow".to_string()
                } else {
                    format!("3 - {used}")
                }
            ),
        );
    }
}

#[test]
fn remaining_is_zero_on_a_429_whatever_used_says() {
    expect(
        rejected(10, 7, 60_000, 2_000),
        1_000,
        429,
        &[
            (LIMIT, "10"),
            (REMAINING, "0"),
            (RESET, "60"),
            (RETRY_AFTER, "1"),
        ],
        "a rejected request has no requests remaining, even if the limiter counted only 7 \
         of 10 (a sliding window counter can reject with curr < limit); reset 60 s; retry \
         after 1 s",
    );
    expect_header(
        rejected(10, 0, 60_000, 2_000),
        1_000,
        REMAINING,
        "0",
        "a rejected request: 0",
    );
}

#[test]
fn limit_zero_reports_zero_and_zero() {
    expect(
        rejected(0, 0, 60_000, 60_000),
        1_000,
        429,
        &[
            (LIMIT, "0"),
            (REMAINING, "0"),
            (RESET, "60"),
            (RETRY_AFTER, "59"),
        ],
        "a quota of 0; the reset is 60000 ms = 60 s; retry after 59000 ms = 59 s",
    );
}

#[test]
fn extreme_values_do_not_overflow() {
    expect(
        rejected(u32::MAX, u32::MAX, u64::MAX, u64::MAX),
        0,
        429,
        &[
            (LIMIT, "4294967295"),
            (REMAINING, "0"),
            (RESET, "18446744073709552"),
            (RETRY_AFTER, "18446744073709552"),
        ],
        "u64::MAX ms = 18446744073709551.615 s, rounded up",
    );
    expect(
        allowed(u32::MAX, 0, 0),
        u64::MAX,
        200,
        &[
            (LIMIT, "4294967295"),
            (REMAINING, "4294967295"),
            (RESET, "18446744073709552"),
        ],
        "the reset moment is past: now_ms u64::MAX, rounded up",
    );
    expect_header(
        rejected(1, 1, u64::MAX - 1, u64::MAX - 1),
        u64::MAX,
        RETRY_AFTER,
        "1",
        "retry_at_ms is 1 ms in the past",
    );
}

// ---------------------------------------------------------------------------------------
// Random decisions against the rules, written out.

fn seconds_rounded_up(ms: u64) -> u128 {
    (ms as u128 + 999) / 1000
}

fn model(d: &Decision, now: u64) -> (u16, Vec<(String, String)>) {
    let remaining = if d.allowed && d.used < d.limit {
        d.limit - d.used
    } else {
        0
    };
    let reset = seconds_rounded_up(if d.reset_at_ms < now {
        now
    } else {
        d.reset_at_ms
    });
    let mut headers = vec![
        (LIMIT.to_string(), d.limit.to_string()),
        (REMAINING.to_string(), remaining.to_string()),
        (RESET.to_string(), reset.to_string()),
    ];
    if !d.allowed {
        let wait = if d.retry_at_ms > now {
            seconds_rounded_up(d.retry_at_ms - now)
        } else {
            0
        };
        headers.push((RETRY_AFTER.to_string(), wait.max(1).to_string()));
    }
    (if d.allowed { 200 } else { 429 }, headers)
}

#[test]
fn random_decisions_match_a_reference_model() {
    for seed in 1..=8u64 {
        let seed = 0x4EAD_0000 + seed;
        let mut rng = SplitMix64(seed);
        for _ in 0..60 {
            let now = match rng.below(4) {
                0 => rng.below(5_000),
                1 => u64::MAX - rng.below(5_000),
                _ => NOW + rng.below(100_000),
            };
            let near = |rng: &mut SplitMix64| match rng.below(5) {
                0 => now.saturating_sub(rng.below(3_000)),
                1 => rng.next(),
                _ => now.saturating_add(rng.below(120_000)),
            };
            let limit = match rng.below(3) {
                0 => rng.below(5) as u32,
                1 => rng.next() as u32,
                _ => rng.below(1_000) as u32,
            };
            let used = match rng.below(3) {
                0 => limit.saturating_add(rng.below(3) as u32),
                1 => limit.saturating_sub(rng.below(3) as u32),
                _ => rng.below(u64::from(limit) + 1) as u32,
            };
            let d = Decision {
                allowed: rng.below(2) == 0,
                limit,
                used,
                reset_at_ms: near(&mut rng),
                retry_at_ms: near(&mut rng),
            };
            let expected = model(&d, now);
            let call = format!("limit_response(&{}, {})", show(&d), ms(now));
            let got = respond(&d, now)
                .unwrap_or_else(|message| panic!("random decisions (seed {seed:#x}): {message}"));
            let headers: Vec<(&str, &str)> = expected
                .1
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let difference = first_difference(&got, expected.0, &headers);
            if !difference.is_empty() {
                panic!(
                    "random decisions (seed {seed:#x}): {call} returned status {} with headers \
                     {}, expected status {} with headers {}: {difference}",
                    got.0,
                    show_headers(&got.1),
                    expected.0,
                    show_headers(&headers)
                );
            }
        }
    }
}
