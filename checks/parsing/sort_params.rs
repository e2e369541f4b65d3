use super::sort_params::{
    Direction, FilterKind, FilterValue, ListQuery, ListSpec, ParamError, SortKey, parse_list_params,
};

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

// ---------------------------------------------------------------------------------------
// The specs the checks use. USERS is the one shown in the statement.

const USERS: ListSpec = ListSpec {
    sortable: &["created_at", "name", "age"],
    filters: &[
        (
            "status",
            FilterKind::OneOf(&["active", "suspended", "deleted"]),
        ),
        ("age_min", FilterKind::Int { min: 0, max: 150 }),
        ("verified", FilterKind::Bool),
        (
            "balance_over",
            FilterKind::Int {
                min: i64::MIN,
                max: i64::MAX,
            },
        ),
    ],
    max_sort_keys: 3,
};

/// A spec that allows a single sort key and has one filter.
const ORDERS: ListSpec = ListSpec {
    sortable: &["total", "placed_at"],
    filters: &[("paid", FilterKind::Bool)],
    max_sort_keys: 1,
};

/// A spec that allows no sorting at all.
const NO_SORT: ListSpec = ListSpec {
    sortable: &["id"],
    filters: &[],
    max_sort_keys: 0,
};

fn spec_name(spec: &ListSpec) -> String {
    if *spec == USERS {
        "USERS".to_string()
    } else if *spec == ORDERS {
        "ORDERS /* sortable: [\"total\", \"placed_at\"], filters: [(\"paid\", Bool)], \
         max_sort_keys: 1 */"
            .to_string()
    } else if *spec == NO_SORT {
        "NO_SORT /* sortable: [\"id\"], filters: [], max_sort_keys: 0 */".to_string()
    } else {
        format!("{spec:?}")
    }
}

fn call_text(params: &[(&str, &str)], spec: &ListSpec) -> String {
    let list: Vec<String> = params
        .iter()
        .map(|(n, v)| format!("({n:?}, {v:?})"))
        .collect();
    format!(
        "parse_list_params(&[{}], &{})",
        list.join(", "),
        spec_name(spec)
    )
}

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

type Outcome = Result<ListQuery, ParamError>;

fn try_parse(params: &[(&str, &str)], spec: &ListSpec) -> Result<Outcome, String> {
    try_learner(|| parse_list_params(params, spec))
}

/// The learner's result; a panic fails the check, naming the call.
fn parsed(params: &[(&str, &str)], spec: &ListSpec) -> Outcome {
    match try_parse(params, spec) {
        Ok(outcome) => outcome,
        Err(panicked) if panicked.contains("not yet implemented") => {
            panic!("{} {panicked}", call_text(params, spec))
        }
        Err(panicked) => panic!(
            "{} {panicked}\n(the parser must never panic, for any input: return a ParamError)",
            call_text(params, spec)
        ),
    }
}

fn check(params: &[(&str, &str)], spec: &ListSpec, expected: Outcome) {
    expect_eq!(
        parsed(params, spec),
        expected,
        "{}",
        call_text(params, spec)
    );
}

fn asc(field: &'static str) -> SortKey {
    SortKey {
        field,
        direction: Direction::Ascending,
    }
}

fn desc(field: &'static str) -> SortKey {
    SortKey {
        field,
        direction: Direction::Descending,
    }
}

fn query(sort: Vec<SortKey>, filters: &[(&'static str, FilterValue)]) -> Outcome {
    Ok(ListQuery {
        sort,
        filters: filters.iter().copied().collect::<BTreeMap<_, _>>(),
    })
}

fn sorted(sort: Vec<SortKey>) -> Outcome {
    query(sort, &[])
}

fn filtered(name: &'static str, value: FilterValue) -> Outcome {
    query(vec![], &[(name, value)])
}

fn unknown_parameter(name: &str) -> Outcome {
    Err(ParamError::UnknownParameter { name: name.into() })
}

fn duplicate_parameter(name: &str) -> Outcome {
    Err(ParamError::DuplicateParameter { name: name.into() })
}

fn unknown_sort_field(field: &str) -> Outcome {
    Err(ParamError::UnknownSortField {
        field: field.into(),
    })
}

fn duplicate_sort_field(field: &str) -> Outcome {
    Err(ParamError::DuplicateSortField {
        field: field.into(),
    })
}

fn invalid(name: &str, value: &str) -> Outcome {
    Err(ParamError::InvalidFilterValue {
        name: name.into(),
        value: value.into(),
    })
}

// ---------------------------------------------------------------------------------------
// Valid queries.

#[test]
fn example_from_the_statement_parses() {
    check(
        &[("sort", "-created_at,name"), ("status", "active")],
        &USERS,
        query(
            vec![desc("created_at"), asc("name")],
            &[("status", FilterValue::Choice("active"))],
        ),
    );
    check(
        &[
            ("verified", "true"),
            ("sort", "age"),
            ("age_min", "18"),
            ("status", "suspended"),
        ],
        &USERS,
        query(
            vec![asc("age")],
            &[
                ("age_min", FilterValue::Int(18)),
                ("status", FilterValue::Choice("suspended")),
                ("verified", FilterValue::Bool(true)),
            ],
        ),
    );
}

#[test]
fn no_parameters_give_no_sort_and_no_filters() {
    check(&[], &USERS, query(vec![], &[]));
    check(&[], &NO_SORT, query(vec![], &[]));
}

#[test]
fn sort_keys_keep_the_clients_order_and_a_minus_means_descending() {
    check(&[("sort", "name")], &USERS, sorted(vec![asc("name")]));
    check(&[("sort", "-name")], &USERS, sorted(vec![desc("name")]));
    check(
        &[("sort", "age,-created_at,name")],
        &USERS,
        sorted(vec![asc("age"), desc("created_at"), asc("name")]),
    );
    check(
        &[("sort", "-name,-age")],
        &USERS,
        sorted(vec![desc("name"), desc("age")]),
    );
    check(
        &[("sort", "-placed_at")],
        &ORDERS,
        sorted(vec![desc("placed_at")]),
    );
}

#[test]
fn only_one_leading_minus_is_a_direction() {
    check(&[("sort", "--name")], &USERS, unknown_sort_field("-name"));
    check(&[("sort", "+name")], &USERS, unknown_sort_field("+name"));
    check(&[("sort", "name-")], &USERS, unknown_sort_field("name-"));
    check(
        &[("sort", "age,- name")],
        &USERS,
        unknown_sort_field(" name"),
    );
}

// ---------------------------------------------------------------------------------------
// Invalid sort values.

#[test]
fn empty_sort_fields_are_rejected() {
    for value in [
        "",
        ",",
        "name,",
        ",name",
        "-",
        "name,-",
        "name,,age",
        "-,name",
    ] {
        check(&[("sort", value)], &USERS, Err(ParamError::EmptySortField));
    }
}

#[test]
fn unknown_sort_fields_are_rejected_exactly_as_sent() {
    check(
        &[("sort", "password")],
        &USERS,
        unknown_sort_field("password"),
    );
    check(&[("sort", "Name")], &USERS, unknown_sort_field("Name"));
    check(&[("sort", "NAME")], &USERS, unknown_sort_field("NAME"));
    check(&[("sort", " name")], &USERS, unknown_sort_field(" name"));
    check(&[("sort", "name ")], &USERS, unknown_sort_field("name "));
    check(&[("sort", "name, age")], &USERS, unknown_sort_field(" age"));
    check(
        &[("sort", "name;DROP TABLE users")],
        &USERS,
        unknown_sort_field("name;DROP TABLE users"),
    );
    check(&[("sort", "status")], &USERS, unknown_sort_field("status"));
    check(&[("sort", "total")], &USERS, unknown_sort_field("total"));
}

#[test]
fn a_sort_field_named_twice_is_rejected() {
    check(
        &[("sort", "name,name")],
        &USERS,
        duplicate_sort_field("name"),
    );
    check(
        &[("sort", "name,-name")],
        &USERS,
        duplicate_sort_field("name"),
    );
    check(
        &[("sort", "-age,name,age")],
        &USERS,
        duplicate_sort_field("age"),
    );
}

#[test]
fn too_many_sort_keys_are_rejected_before_any_key_is_checked() {
    let too_many = || Err(ParamError::TooManySortKeys { max: 3 });
    check(
        &[("sort", "name,age,-created_at")],
        &USERS,
        sorted(vec![asc("name"), asc("age"), desc("created_at")]),
    );
    check(&[("sort", "name,age,created_at,name")], &USERS, too_many());
    check(&[("sort", "a,b,c,d")], &USERS, too_many());
    check(&[("sort", ",,,")], &USERS, too_many());
    check(&[("sort", "name,,,")], &USERS, too_many());
    check(&[("sort", "total,name,age,-name")], &USERS, too_many());
    let huge = "x,".repeat(20_000);
    check(&[("sort", &huge)], &USERS, too_many());

    check(&[("sort", "total")], &ORDERS, sorted(vec![asc("total")]));
    check(
        &[("sort", "total,placed_at")],
        &ORDERS,
        Err(ParamError::TooManySortKeys { max: 1 }),
    );
    check(
        &[("sort", "")],
        &NO_SORT,
        Err(ParamError::TooManySortKeys { max: 0 }),
    );
    check(
        &[("sort", "id")],
        &NO_SORT,
        Err(ParamError::TooManySortKeys { max: 0 }),
    );
}

// ---------------------------------------------------------------------------------------
// Parameter names.

#[test]
fn unknown_parameters_are_rejected() {
    check(&[("limit", "10")], &USERS, unknown_parameter("limit"));
    check(&[("", "")], &USERS, unknown_parameter(""));
    check(&[("Status", "active")], &USERS, unknown_parameter("Status"));
    check(&[("SORT", "name")], &USERS, unknown_parameter("SORT"));
    check(&[("sort ", "name")], &USERS, unknown_parameter("sort "));
    check(
        &[("status", "active"), ("paid", "true")],
        &USERS,
        unknown_parameter("paid"),
    );
    check(
        &[("status", "active")],
        &ORDERS,
        unknown_parameter("status"),
    );
}

#[test]
fn a_repeated_parameter_is_rejected() {
    check(
        &[("status", "active"), ("status", "deleted")],
        &USERS,
        duplicate_parameter("status"),
    );
    check(
        &[("status", "active"), ("status", "active")],
        &USERS,
        duplicate_parameter("status"),
    );
    check(
        &[("sort", "name"), ("sort", "-age")],
        &USERS,
        duplicate_parameter("sort"),
    );
    check(
        &[
            ("verified", "true"),
            ("sort", "age"),
            ("verified", "not a bool"),
        ],
        &USERS,
        duplicate_parameter("verified"),
    );
    check(
        &[("sort", "name"), ("age_min", "1"), ("sort", "")],
        &USERS,
        duplicate_parameter("sort"),
    );
}

#[test]
fn the_first_problem_from_left_to_right_is_the_error() {
    check(
        &[("sort", "password"), ("limit", "10")],
        &USERS,
        unknown_sort_field("password"),
    );
    check(
        &[("limit", "10"), ("sort", "password")],
        &USERS,
        unknown_parameter("limit"),
    );
    check(
        &[("age_min", "x"), ("status", "active"), ("status", "active")],
        &USERS,
        invalid("age_min", "x"),
    );
    check(
        &[("sort", "name,password,")],
        &USERS,
        unknown_sort_field("password"),
    );
    check(
        &[("sort", "name,,password")],
        &USERS,
        Err(ParamError::EmptySortField),
    );
    check(
        &[("sort", "age,age,x")],
        &USERS,
        duplicate_sort_field("age"),
    );
    check(&[("x", "1"), ("x", "1")], &USERS, unknown_parameter("x"));
}

// ---------------------------------------------------------------------------------------
// Filter values.

#[test]
fn one_of_filters_match_a_listed_value_exactly() {
    for value in ["active", "suspended", "deleted"] {
        let Some(choice) = ["active", "suspended", "deleted"]
            .into_iter()
            .find(|&c| c == value)
        else {
            unreachable!()
        };
        check(
            &[("status", value)],
            &USERS,
            filtered("status", FilterValue::Choice(choice)),
        );
    }
    for value in [
        "Active",
        "ACTIVE",
        "",
        " active",
        "active ",
        "activ",
        "active,deleted",
    ] {
        check(&[("status", value)], &USERS, invalid("status", value));
    }
}

#[test]
fn bool_filters_accept_only_true_and_false() {
    check(
        &[("verified", "true")],
        &USERS,
        filtered("verified", FilterValue::Bool(true)),
    );
    check(
        &[("verified", "false")],
        &USERS,
        filtered("verified", FilterValue::Bool(false)),
    );
    for value in [
        "", "1", "0", "yes", "no", "True", "FALSE", "t", " true", "true ",
    ] {
        check(&[("verified", value)], &USERS, invalid("verified", value));
    }
    check(
        &[("paid", "false")],
        &ORDERS,
        filtered("paid", FilterValue::Bool(false)),
    );
}

#[test]
fn int_filters_take_an_optional_minus_and_digits_within_the_range() {
    let cases = [
        ("0", 0),
        ("18", 18),
        ("150", 150),
        ("007", 7),
        ("-0", 0),
        ("000000000000000000000000042", 42),
    ];
    for (value, n) in cases {
        check(
            &[("age_min", value)],
            &USERS,
            filtered("age_min", FilterValue::Int(n)),
        );
    }
    for value in [
        "", "-", "+5", "5 ", " 5", "1e2", "0x10", "1_000", "4.0", "--1", "5-", "١٢", "151", "-1",
        "1000", "-150",
    ] {
        check(&[("age_min", value)], &USERS, invalid("age_min", value));
    }
}

#[test]
fn int_filters_cover_the_whole_i64_range_without_overflow() {
    let cases = [
        ("9223372036854775807", i64::MAX),
        ("-9223372036854775808", i64::MIN),
        ("-9223372036854775807", i64::MIN + 1),
        ("-42", -42),
    ];
    for (value, n) in cases {
        check(
            &[("balance_over", value)],
            &USERS,
            filtered("balance_over", FilterValue::Int(n)),
        );
    }
    for value in [
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "99999999999999999999999999999",
        "-99999999999999999999999999999",
    ] {
        check(
            &[("balance_over", value)],
            &USERS,
            invalid("balance_over", value),
        );
    }
}

#[test]
fn multi_byte_characters_anywhere_are_rejected_without_panicking() {
    check(&[("sort", "\u{e9}")], &USERS, unknown_sort_field("\u{e9}"));
    check(&[("sort", "-\u{e9}")], &USERS, unknown_sort_field("\u{e9}"));
    check(
        &[("sort", "\u{2212}name")],
        &USERS,
        unknown_sort_field("\u{2212}name"),
    );
    check(
        &[("sort", "name,\u{1f600}")],
        &USERS,
        unknown_sort_field("\u{1f600}"),
    );
    check(&[("\u{e9}", "x")], &USERS, unknown_parameter("\u{e9}"));
    check(
        &[("age_min", "\u{20ac}5")],
        &USERS,
        invalid("age_min", "\u{20ac}5"),
    );
    check(
        &[("age_min", "-\u{e9}")],
        &USERS,
        invalid("age_min", "-\u{e9}"),
    );
    check(
        &[("verified", "\u{e9}")],
        &USERS,
        invalid("verified", "\u{e9}"),
    );
}

// ---------------------------------------------------------------------------------------
// The error response.

#[test]
fn every_error_is_a_400_with_the_specified_message() {
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("limit", "10")], r#"unknown query parameter "limit""#),
        (
            vec![("status", "active"), ("status", "deleted")],
            r#"query parameter "status" appears more than once"#,
        ),
        (vec![("sort", "a,b,c,d")], "sort accepts at most 3 fields"),
        (vec![("sort", "name,")], "sort contains an empty field"),
        (vec![("sort", "password")], r#"cannot sort by "password""#),
        (vec![("sort", "age,-age")], r#"cannot sort by "age" twice"#),
        (
            vec![("age_min", "abc")],
            r#"invalid value "abc" for filter "age_min""#,
        ),
        (
            vec![("sort", "say \"hi\"\n")],
            r#"cannot sort by "say \"hi\"\n""#,
        ),
    ];
    for (params, message) in cases {
        let call = call_text(&params, &USERS);
        let error = match parsed(&params, &USERS) {
            Ok(got) => panic!("{call} returned Ok({got:?}), expected an error"),
            Err(error) => error,
        };
        let status = match try_learner(|| error.status()) {
            Ok(status) => status,
            Err(panicked) => panic!("{call} returned Err({error:?}); its .status() {panicked}"),
        };
        expect_eq!(
            status,
            400,
            "{call} returned Err({error:?}), and its .status()"
        );
        let text = match try_learner(|| error.to_string()) {
            Ok(text) => text,
            Err(panicked) => {
                panic!("{call} returned Err({error:?}); formatting it with Display {panicked}")
            }
        };
        expect_eq!(
            text.as_str(),
            message,
            "{call} returned Err({error:?}), and its .to_string()"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Random parameters against a reference model.

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

const NAMES: &[&str] = &[
    "sort",
    "sort",
    "sort",
    "status",
    "age_min",
    "age_min",
    "verified",
    "balance_over",
    "balance_over",
    "limit",
    "",
    "Sort",
    "\u{e9}",
];

const SORT_TOKENS: &[&str] = &[
    "name",
    "name",
    "age",
    "age",
    "created_at",
    "-",
    "-",
    "-",
    ",",
    ",",
    ",",
    "Name",
    " ",
    "+",
    "\u{e9}",
    "\u{20ac}",
    "x",
];

const VALUE_TOKENS: &[&str] = &[
    "0",
    "1",
    "5",
    "9",
    "15",
    "922337203685477580",
    "7",
    "8",
    "99999",
    "-",
    "-",
    "+",
    " ",
    "true",
    "false",
    "active",
    "deleted",
    "\u{e9}",
    "\u{20ac}",
    "x",
    "e",
];

fn random_value(rng: &mut Rng, tokens: &[&str]) -> String {
    let len = rng.below(6);
    (0..len).map(|_| tokens[rng.below(tokens.len())]).collect()
}

fn random_params(rng: &mut Rng) -> Vec<(String, String)> {
    let count = rng.below(5);
    (0..count)
        .map(|_| {
            let name = NAMES[rng.below(NAMES.len())];
            let sortish = (name == "sort") != (rng.below(5) == 0);
            let tokens = if sortish { SORT_TOKENS } else { VALUE_TOKENS };
            (name.to_string(), random_value(rng, tokens))
        })
        .collect()
}

/// The rules read literally.
fn model(params: &[(&str, &str)], spec: &ListSpec) -> Outcome {
    let mut result = ListQuery::default();
    let mut seen: Vec<&str> = Vec::new();
    for &(name, value) in params {
        let filter = spec.filters.iter().find(|(f, _)| *f == name);
        if name != "sort" && filter.is_none() {
            return unknown_parameter(name);
        }
        if seen.contains(&name) {
            return duplicate_parameter(name);
        }
        seen.push(name);
        if name == "sort" {
            let keys: Vec<&str> = value.split(',').collect();
            if keys.len() > spec.max_sort_keys {
                return Err(ParamError::TooManySortKeys {
                    max: spec.max_sort_keys,
                });
            }
            for key in keys {
                let (field, direction) = if key.starts_with('-') {
                    (&key[1..], Direction::Descending)
                } else {
                    (key, Direction::Ascending)
                };
                if field.is_empty() {
                    return Err(ParamError::EmptySortField);
                }
                let Some(&field) = spec.sortable.iter().find(|f| **f == field) else {
                    return unknown_sort_field(field);
                };
                if result.sort.iter().any(|k| k.field == field) {
                    return duplicate_sort_field(field);
                }
                result.sort.push(SortKey { field, direction });
            }
        } else if let Some(&(filter, kind)) = filter {
            let parsed = match kind {
                FilterKind::Bool if value == "true" => Some(FilterValue::Bool(true)),
                FilterKind::Bool if value == "false" => Some(FilterValue::Bool(false)),
                FilterKind::Bool => None,
                FilterKind::OneOf(choices) => choices
                    .iter()
                    .find(|c| **c == value)
                    .map(|c| FilterValue::Choice(c)),
                FilterKind::Int { min, max } => {
                    let digits = value.strip_prefix('-').unwrap_or(value);
                    let shaped = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                    // i128 holds every i64 and a few more digits; longer values are out of
                    // range once the leading zeros are gone.
                    let trimmed = digits.trim_start_matches('0');
                    if !shaped || trimmed.len() > 30 {
                        None
                    } else {
                        let magnitude: i128 = trimmed.parse().unwrap_or(0);
                        let n = if value.starts_with('-') {
                            -magnitude
                        } else {
                            magnitude
                        };
                        (i128::from(min) <= n && n <= i128::from(max))
                            .then(|| FilterValue::Int(n as i64))
                    }
                }
            };
            match parsed {
                Some(v) => {
                    result.filters.insert(filter, v);
                }
                None => return invalid(name, value),
            }
        }
    }
    Ok(result)
}

fn borrowed(params: &[(String, String)]) -> Vec<(&str, &str)> {
    params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

fn disagrees(params: &[(String, String)]) -> bool {
    let params = borrowed(params);
    try_parse(&params, &USERS).map_or(true, |got| got != model(&params, &USERS))
}

/// A smaller failing input: drop whole parameters, then characters of values.
fn minimise(mut params: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut at = 0;
    while at < params.len() {
        let mut fewer = params.clone();
        fewer.remove(at);
        if disagrees(&fewer) {
            params = fewer;
        } else {
            at += 1;
        }
    }
    for p in 0..params.len() {
        let mut at = 0;
        loop {
            let chars: Vec<char> = params[p].1.chars().collect();
            if at >= chars.len() {
                break;
            }
            let mut shorter = params.clone();
            shorter[p].1 = chars[..at].iter().chain(&chars[at + 1..]).collect();
            if disagrees(&shorter) {
                params = shorter;
            } else {
                at += 1;
            }
        }
    }
    params
}

#[test]
fn random_parameters_match_the_reference_and_never_panic() {
    const SEED: u64 = 0x5027_FA4A_0B5E_2026;
    const CASES: usize = 3000;
    let mut rng = Rng(SEED);
    for case in 0..CASES {
        let params = random_params(&mut rng);
        if !disagrees(&params) {
            continue;
        }
        let small = minimise(params.clone());
        let small_ref = borrowed(&small);
        let mut origin = format!("random case {case} of seed {SEED:#x}");
        if small != params {
            origin += &format!(", shortened from {}", call_text(&borrowed(&params), &USERS));
        }
        let call = call_text(&small_ref, &USERS);
        match try_parse(&small_ref, &USERS) {
            Err(panicked) => panic!(
                "{call} {panicked}\n({origin}; the parser must never panic: return a ParamError)"
            ),
            Ok(got) => panic!(
                "{call} returned {got:?}, expected {:?} ({origin})",
                model(&small_ref, &USERS)
            ),
        }
    }
}
