//! The crate a grade compiles: the prelude of helpers, the checks with the sentinel's tests,
//! and last the learner's file as a module. It is fed to rustc on stdin, so check source
//! never touches the disk.

use std::fmt::Write as _;

use super::Submission;

/// Module holding the checks inside the graded crate; a name no learner would pick.
pub(super) const CHECKS_MODULE: &str = "__hidden_checks";

/// The kit's module and `support` as the checks' module sees them, by a glob import.
const IN_SCOPE: &str = "__checks_scope";

/// Helpers for the checks of every course, which they find at `crate::kit`.
pub const CHECKS_KIT: &str = include_str!("checks_kit.rs");

/// Helpers every checks file may use, defined before the checks module.
pub(super) const CHECKS_PRELUDE: &str = r#"
/// Fails the check with `CALL returned ACTUAL, expected EXPECTED` unless the two are equal.
#[allow(unused_macros)]
macro_rules! expect_eq {
    ($actual:expr, $expected:expr, $($call:tt)+) => {{
        let actual = $actual;
        let expected = $expected;
        if actual != expected {
            panic!("{} returned {:?}, expected {:?}", format_args!($($call)+), actual, expected);
        }
    }};
}
"#;

/// The crate rustc compiles: the prelude, the checks with the sentinel's tests, and last the
/// learner's file as a module. Last, because a `macro_rules!` is in scope from where it is
/// defined to the end of the crate: none of the learner's (not even under `#![macro_use]`)
/// can reach the checks or the prelude and turn `assert!` or `panic!` into nothing.
pub(super) fn crate_root(sub: &Submission) -> String {
    let mut root = String::from(CHECKS_PRELUDE);
    // The kit is a library of its own (see `kit`), named here so that `crate::kit` finds it.
    let _ = writeln!(root, "extern crate kit;");
    if !sub.support.is_empty() {
        let _ = writeln!(
            root,
            "#[allow(warnings)]\nmod support {{\n{}\n}}",
            sub.support
        );
    }
    // Checks written before the helpers moved to the crate root say `use support::..`: a
    // glob import keeps that working, and any import of the checks' own shadows it.
    let _ = writeln!(
        root,
        "mod {IN_SCOPE} {{\n    pub(crate) use crate::kit;\n{}}}",
        if sub.support.is_empty() {
            ""
        } else {
            "    pub(crate) use crate::support;\n"
        }
    );
    let _ = writeln!(
        root,
        "#[allow(warnings)]\nmod {CHECKS_MODULE} {{\nuse crate::{IN_SCOPE}::*;\n{}\n{SENTINEL}\n}}",
        sub.checks,
    );
    // A `forbid` on the module declaration: an `allow` inside the file cannot lift it.
    let _ = writeln!(
        root,
        "{}#[path = {:?}]\npub mod {};",
        if sub.strict.is_some() {
            "#[forbid(unsafe_code)]\n"
        } else {
            ""
        },
        sub.file.display().to_string(),
        sub.name
    );
    root
}

/// For editors: the crate a grade of exercise `name` compiles, over a course's own files,
/// named by `#[path]`s relative to the file this text is written to: `kit` (a copy of
/// [`CHECKS_KIT`]), the course's `support` if it has one, the checks, and `solution` in the
/// learner's place. Checks must name the helpers `crate::kit::..` and `crate::support::..`
/// here: the glob import that also lets graded checks say `support::..` cannot be added to
/// a file.
pub fn editor_crate_root(
    name: &str,
    kit: &str,
    support: Option<&str>,
    checks: &str,
    solution: &str,
) -> String {
    let mut root = String::from(CHECKS_PRELUDE);
    let _ = writeln!(root, "#[path = {kit:?}]\nmod kit;");
    if let Some(support) = support {
        let _ = writeln!(root, "#[path = {support:?}]\nmod support;");
    }
    let _ = writeln!(root, "#[path = {checks:?}]\nmod {CHECKS_MODULE};");
    let _ = writeln!(root, "#[path = {solution:?}]\npub mod {name};");
    root
}

/// The sentinel: a number no one can know before this grade, given to the test process on
/// its stdin and printed back at the very end. Seeing it on stdout proves that the test
/// process got through every check by itself, so results forged from the learner's code and
/// followed by an early exit cannot add up to a pass.
///
/// libtest runs tests one at a time in name order, so the test that takes the number from
/// stdin runs before any check (no identifier sorts before `A`) and the one that prints it
/// after every check. The number is never on disk nor in the binary: neither
/// `include_str!` at compile time nor running the binary again can learn it, and the learner's
/// code, which runs only after it was taken, finds stdin empty. It is kept in a private item
/// of the checks' module, which the learner's module cannot name.
const SENTINEL: &str = r#"
#[allow(non_snake_case)]
mod AAAA_sentinel {
    #[test]
    fn nonce_taken() {
        super::zzzz_sentinel::take_nonce();
    }
}
mod zzzz_sentinel {
    static NONCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

    pub(super) fn take_nonce() {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        let _ = NONCE.set(line.trim().to_string());
    }

    #[test]
    fn every_check_ran() {
        use std::io::Write;
        if let Some(nonce) = NONCE.get().filter(|n| !n.is_empty()) {
            let line = format!("\nbacklings sentinel {nonce}\n");
            let _ = std::io::stdout().write_all(line.as_bytes());
        }
    }
}
"#;
/// libtest's arguments that run each of `checks` by its full name and nothing else, then
/// the sentinel's tests: a test of the learner's that is named like a check, even inside a
/// module of theirs called like the checks', must not run there, where it could come after
/// the sentinel and rewrite the results.
pub(super) fn checks_filter<'a>(checks: impl Iterator<Item = &'a str>) -> Vec<String> {
    std::iter::once("--exact".to_string())
        .chain(
            checks
                .chain(SENTINEL_TESTS)
                .map(|name| format!("{CHECKS_MODULE}::{name}")),
        )
        .collect()
}

pub(super) const SENTINEL_TESTS: [&str; 2] = [
    "AAAA_sentinel::nonce_taken",
    "zzzz_sentinel::every_check_ran",
];

pub(super) fn sentinel_line(nonce: u64) -> String {
    format!("\nbacklings sentinel {nonce:016x}\n")
}

pub(super) fn nonce() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // Each RandomState starts from fresh random keys, so this is an unpredictable number.
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}
