//! Turns what rustc and the test binary printed into typed results: compiler diagnostics
//! (with hidden-check source kept out), per-test outcomes and failure messages, for the
//! hidden checks and for the learner's own tests alike.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde::Deserialize;

use crate::platform::Crash;

/// Diagnostics of one compile, already rendered by rustc (with ANSI colours).
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct JsonDiagnostic {
    message: String,
    level: String,
    code: Option<JsonCode>,
    spans: Vec<JsonSpan>,
    #[serde(default)]
    children: Vec<JsonDiagnostic>,
    rendered: Option<String>,
}

#[derive(Deserialize)]
struct JsonCode {
    code: String,
}

#[derive(Deserialize)]
struct JsonSpan {
    file_name: String,
    is_primary: bool,
    label: Option<String>,
    #[serde(default)]
    line_start: usize,
    #[serde(default)]
    column_start: usize,
    /// The macro invocation this span came from, if any.
    #[serde(default)]
    expansion: Option<Box<JsonExpansion>>,
}

#[derive(Deserialize)]
struct JsonExpansion {
    span: JsonSpan,
    #[serde(default)]
    def_site_span: Option<JsonSpan>,
}

impl JsonSpan {
    /// Whether this span, or a macro it was expanded from or defined in, is in `file`.
    fn reaches(&self, file: &str) -> bool {
        self.file_name == file
            || self.expansion.as_ref().is_some_and(|e| {
                e.span.reaches(file) || e.def_site_span.as_ref().is_some_and(|d| d.reaches(file))
            })
    }
}

impl JsonDiagnostic {
    /// Whether any part of the diagnostic (a secondary span, a note, a macro backtrace)
    /// points into `file`.
    fn reaches(&self, file: &str) -> bool {
        self.spans.iter().any(|s| s.reaches(file)) || self.children.iter().any(|c| c.reaches(file))
    }

    /// The diagnostic without quoting `file`: its message, the places outside `file` it
    /// points at, and the notes that point nowhere in it.
    fn rendered_without(&self, file: &str) -> String {
        let code = self
            .code
            .as_ref()
            .map(|c| format!("[{}]", c.code))
            .unwrap_or_default();
        let mut text = format!("{}{code}: {}", self.level, self.message);
        // Only the places themselves: a macro's backtrace is never printed.
        for span in self.spans.iter().filter(|s| s.file_name != file) {
            let label = span
                .label
                .as_deref()
                .map(|l| format!(": {l}"))
                .unwrap_or_default();
            text.push_str(&format!(
                "\n  --> {}:{}:{}{label}",
                span.file_name, span.line_start, span.column_start
            ));
        }
        text.push_str(&self.notes_outside(file));
        text.push_str("\n  (what it shows of the hidden checks is left out)");
        text
    }

    /// The diagnostic's notes and helps that point nowhere in `file`, one `= level: text`
    /// line each.
    fn notes_outside(&self, file: &str) -> String {
        self.children
            .iter()
            .filter(|c| !c.reaches(file))
            .map(|c| format!("\n  = {}: {}", c.level, c.message))
            .collect()
    }
}

const API_MISMATCH_NOTE: &str = "the hidden checks use the public API that the exercise's stub declares \
(names, types and signatures); keep it exactly as given and put your own helpers beside it";

/// A missing trait (E0277) is rarely a changed signature: the checks use the types as the
/// statement promises, e.g. shared between threads, and the learner's fields break that.
const MISSING_TRAIT_NOTE: &str = "the hidden checks use your types as the statement promises \
(shared between threads, compared, printed...); the fields or derives you chose take away a \
trait they need";

/// Splits rustc's `--error-format=json` stderr into rendered errors and warnings.
/// A diagnostic located in the hidden checks (`checks_file`) is replaced by its message
/// alone, so check source never reaches the learner.
pub fn parse_diagnostics(stderr: &str, checks_file: &str) -> Diagnostics {
    let mut out = Diagnostics::default();
    for line in stderr.lines() {
        let Ok(diag) = serde_json::from_str::<JsonDiagnostic>(line) else {
            if !line.trim().is_empty() {
                out.errors.push(line.to_string());
            }
            continue;
        };
        let is_error = diag.level.starts_with("error");
        if diag.level == "failure-note" {
            continue;
        }
        if diag.spans.is_empty()
            && (diag.message.starts_with("aborting due to")
                || diag.message.ends_with("warnings emitted")
                || diag.message.ends_with("warning emitted"))
        {
            continue;
        }
        let in_checks = diag
            .spans
            .iter()
            .find(|s| s.is_primary && s.file_name == checks_file);
        let text = if let Some(span) = in_checks {
            if !is_error {
                continue;
            }
            let code = diag.code.as_ref().map(|c| c.code.as_str());
            let label = span
                .label
                .as_deref()
                .map(|l| format!(": {l}"))
                .unwrap_or_default();
            let mut text = format!(
                "error{}: {}{label} (in the hidden checks)",
                code.map(|c| format!("[{c}]")).unwrap_or_default(),
                diag.message
            );
            // Notes that point into the learner's own code say which of their types is why.
            text.push_str(&diag.notes_outside(checks_file));
            let note = match code {
                Some("E0277") => MISSING_TRAIT_NOTE,
                _ => API_MISMATCH_NOTE,
            };
            text.push_str(&format!("\n  = note: {note}"));
            text
        } else if diag.reaches(checks_file) {
            diag.rendered_without(checks_file)
        } else {
            diag.rendered.unwrap_or(diag.message)
        };
        let list = if is_error {
            &mut out.errors
        } else {
            &mut out.warnings
        };
        if !list.contains(&text) {
            list.push(text);
        }
    }
    out
}

/// Whether `src` may declare a test: some line starts with `#[test]`. Cheap and generous (it
/// does not know comments or strings), so a file it passes over has no test.
pub fn has_tests(src: &str) -> bool {
    src.lines()
        .any(|line| line.trim_start().starts_with("#[test]"))
}

/// Names of the `#[test]` functions in a checks file, in source order.
pub fn check_names(checks_src: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut armed = false;
    for line in checks_src.lines() {
        let mut rest = line.trim();
        if let Some(after) = rest.strip_prefix("#[test]") {
            armed = true;
            rest = after.trim();
        }
        if !armed {
            continue;
        }
        let rest = rest.strip_prefix("pub ").unwrap_or(rest);
        if let Some(sig) = rest.strip_prefix("fn ") {
            let name: String = sig
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
            armed = false;
        }
    }
    names
}

/// `path` relative to `module`, a top-level module of the test crate; `None` for a path
/// outside it.
fn below<'a>(path: &'a str, module: &str) -> Option<&'a str> {
    path.strip_prefix(module)?.strip_prefix("::")
}

/// Result lines libtest wrote to `--logfile` for the tests in `module`: test name → passed.
pub fn parse_logfile(log: &str, module: &str) -> HashMap<String, bool> {
    log.lines()
        .filter_map(|line| {
            let (status, name) = line.split_once(' ')?;
            let name = below(name, module)?;
            match status {
                "ok" => Some((name.to_string(), true)),
                "failed" => Some((name.to_string(), false)),
                _ => None,
            }
        })
        .collect()
}

/// Whether `log` says exactly that every check in `expected` passed, once each, and nothing
/// else, and libtest's own summary on `stdout` agrees. Anything more (a duplicate, a name no
/// check has, a stray line) means something besides libtest wrote to its files, so a
/// passing verdict cannot be trusted.
pub fn is_clean_pass(log: &str, stdout: &str, module: &str, expected: &[String]) -> bool {
    let mut seen = HashSet::new();
    let lines_ok = log.lines().all(|line| {
        line.strip_prefix("ok ")
            .and_then(|name| below(name, module))
            .is_some_and(|name| expected.iter().any(|e| e == name) && seen.insert(name))
    });
    let summary = format!("test result: ok. {} passed; 0 failed;", expected.len());
    lines_ok && seen.len() == expected.len() && stdout.contains(&summary)
}

/// What a failed test left in libtest's `---- NAME stdout ----` section.
#[derive(Debug, PartialEq, Eq)]
pub struct Failure {
    /// What it panicked with: the reason it failed.
    pub message: String,
    /// What the learner's code printed while it ran, before that panic.
    pub output: String,
}

/// The failures in libtest's `---- NAME stdout ----` sections for the tests in `module`, by
/// test name.
pub fn parse_failures(stdout: &str, module: &str) -> HashMap<String, Failure> {
    let mut out = HashMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    let mut finish = |cur: Option<(String, Vec<&str>)>| {
        if let Some((name, lines)) = cur {
            out.insert(name, split_failure(&lines));
        }
    };
    for line in stdout.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            finish(current.take());
            current = below(name, module).map(|n| (n.to_string(), Vec::new()));
        } else if line == "failures:" || line == "successes:" {
            finish(current.take());
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    finish(current);
    out
}

/// The test in `module` that libtest announced last on `stdout` (`test NAME ... `) with no
/// result after it. With one test thread, libtest announces each test before running it, so
/// this one was running when the process stopped.
pub fn running_test(stdout: &str, module: &str) -> Option<String> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("test ") && l.contains(" ... "))?;
    let (announced, result) = line.strip_prefix("test ")?.rsplit_once(" ... ")?;
    if ["ok", "FAILED", "ignored"]
        .iter()
        .any(|done| result.starts_with(done))
    {
        return None;
    }
    // A name is a path, without spaces; a `#[should_panic]` test is announced as
    // `NAME - should panic`.
    let name = announced.split(' ').next()?;
    below(name, module).map(str::to_string)
}

/// How long each test in `module` ran, from when libtest announced it on `stdout`
/// (`test NAME ... `) to when it printed its result, as `arrivals` (see
/// [`super::process::Finished::stdout_arrivals`]) tell. libtest flushes both, so each half
/// arrives as it is printed.
pub fn test_times(
    stdout: &str,
    arrivals: &[(usize, Duration)],
    module: &str,
) -> HashMap<String, Duration> {
    // When the byte at `offset` had arrived.
    let arrived = |offset: usize| {
        let at = arrivals.partition_point(|&(len, _)| len <= offset);
        arrivals.get(at).map(|&(_, time)| time)
    };
    let mut times = HashMap::new();
    let mut offset = 0;
    for line in stdout.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some((announced, result)) = line
            .strip_prefix("test ")
            .and_then(|l| l.split_once(" ... "))
        else {
            continue;
        };
        let Some(name) = announced.split(' ').next().and_then(|n| below(n, module)) else {
            continue;
        };
        if result.trim_end().is_empty() {
            continue;
        }
        let result_at = start + line.len() - result.len();
        if let (Some(begun), Some(ended)) = (arrived(result_at - 1), arrived(result_at)) {
            times.insert(name.to_string(), ended.saturating_sub(begun));
        }
    }
    times
}

/// Splits a failure section at the test's own panic (the last `thread '…' panicked at` line):
/// before it is what the learner's code printed, after it the panic message, without
/// libtest's location line and backtrace hint.
fn split_failure(lines: &[&str]) -> Failure {
    let is_panic_line = |l: &&str| l.starts_with("thread '") && l.contains("panicked at");
    let (printed, message) = match lines.iter().rposition(is_panic_line) {
        Some(at) => (&lines[..at], &lines[at + 1..]),
        None => (&[][..], lines),
    };
    let message: Vec<&str> = message
        .iter()
        .copied()
        .filter(|l| !l.starts_with("note: run with `RUST_BACKTRACE"))
        .collect();
    Failure {
        message: message.join("\n").trim().to_string(),
        output: printed.join("\n").trim().to_string(),
    }
}

/// A short reason for an abnormal end of the test process, from how it ended and its stderr.
pub fn crash_reason(crash: &Crash, stderr: &str) -> String {
    if stderr.contains("has overflowed its stack") {
        "stack overflow (unbounded recursion?)".to_string()
    } else if stderr.contains("memory allocation of") || crash.out_of_memory {
        "out of memory (the checks run with a memory limit; look for unbounded growth)".to_string()
    } else {
        crash.summary.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_times_run_from_announcement_to_result() {
        let stdout =
            "running 2 tests\ntest m::a ... ok\ntest m::b ... FAILED\ntest other::c ... ok\n";
        let at = |text: &str| stdout.find(text).unwrap();
        let ms = Duration::from_millis;
        let arrivals = [
            (at("ok\ntest m::b"), ms(10)),
            (at("FAILED"), ms(15)),
            (at("test other"), ms(40)),
            (stdout.len(), ms(41)),
        ];
        let times = test_times(stdout, &arrivals, "m");
        assert_eq!(times.len(), 2, "{times:?}");
        assert_eq!(times["a"], ms(5));
        assert_eq!(times["b"], ms(25));
    }

    #[test]
    fn finds_check_names_in_source_order() {
        let src = "#[test]\nfn b_first() {}\n\nfn helper() {}\n#[test]\n#[should_panic]\nfn a_second() {}\n#[test] fn inline() {}\n";
        assert_eq!(check_names(src), ["b_first", "a_second", "inline"]);
    }

    #[test]
    fn a_test_attribute_at_the_start_of_a_line_means_tests() {
        assert!(has_tests(
            "fn f() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n"
        ));
        assert!(!has_tests(
            "//! Add your own `#[test]`s freely.\nfn f() {}\n"
        ));
    }

    #[test]
    fn the_running_test_is_the_last_announced_without_a_result() {
        let ran = "\nrunning 4 tests\ntest m::a ... ok\ntest m::b ... ignored, slow\ntest m::c - should panic ... ok\n";
        assert_eq!(running_test(ran, "m"), None);
        let stopped = format!("{ran}test m::tests::d - should panic ... \nprinted by d\n");
        assert_eq!(running_test(&stopped, "m").as_deref(), Some("tests::d"));
        assert_eq!(running_test(&stopped, "other"), None);
    }

    #[test]
    fn a_clean_pass_lists_each_check_once_and_nothing_else() {
        let expected = ["a".to_string(), "b".to_string()];
        let stdout = "test result: ok. 2 passed; 0 failed; 0 ignored";
        let clean = "ok m::a\nok m::b\n";
        assert!(is_clean_pass(clean, stdout, "m", &expected));
        for forged in [
            "ok m::a\nok m::b\nok m::b\n",
            "ok m::a\nok m::b\nok m::c\n",
            "ok m::a\nok m::b\ntest m::a ... ok\n",
            "ok m::a\n",
        ] {
            assert!(!is_clean_pass(forged, stdout, "m", &expected), "{forged:?}");
        }
        assert!(!is_clean_pass(
            clean,
            "test result: ok. 3 passed; 0 failed;",
            "m",
            &expected
        ));
    }

    #[test]
    fn failures_keep_the_message_apart_from_the_output_and_drop_the_location() {
        let stdout = "running 2 tests\ntest m::a ... FAILED\n\nfailures:\n\n---- m::a stdout ----\nlearner print\n\nthread 'm::a' (12) panicked at <anon>:3:5:\nf(1) returned 2, expected 3\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\nfailures:\n    m::a\n";
        let failures = parse_failures(stdout, "m");
        assert_eq!(
            failures["a"],
            Failure {
                message: "f(1) returned 2, expected 3".to_string(),
                output: "learner print".to_string(),
            }
        );
    }

    #[test]
    fn logfile_results_are_scoped_to_the_checks_module() {
        let log = "ok m::a\nfailed m::b\nok other::c\nignored m::d\n";
        let results = parse_logfile(log, "m");
        assert_eq!(results.len(), 2);
        assert!(results["a"]);
        assert!(!results["b"]);
    }

    #[test]
    fn diagnostics_in_the_checks_hide_their_source() {
        let stderr = r#"{"$message_type":"diagnostic","message":"cannot find function `f` in module `x`","code":{"code":"E0425","explanation":null},"level":"error","spans":[{"file_name":"<anon>","is_primary":true,"label":"expected `u32`"}],"children":[],"rendered":"SECRET CHECK SOURCE"}
{"$message_type":"diagnostic","message":"unused variable","code":null,"level":"warning","spans":[{"file_name":"exercises/t/x.rs","is_primary":true,"label":null}],"children":[],"rendered":"warning: unused variable"}
{"$message_type":"diagnostic","message":"aborting due to 1 previous error","code":null,"level":"error","spans":[],"children":[],"rendered":"error: aborting"}"#;
        let d = parse_diagnostics(stderr, "<anon>");
        assert_eq!(d.errors.len(), 1);
        assert!(d.errors[0].starts_with("error[E0425]: cannot find function `f` in module `x`: expected `u32` (in the hidden checks)"));
        assert!(!d.errors[0].contains("SECRET"));
        assert_eq!(d.warnings, ["warning: unused variable"]);
    }

    #[test]
    fn secondary_spans_notes_and_macro_backtraces_into_the_checks_are_left_out() {
        let secondary = r#"{"message":"mismatched types","code":{"code":"E0308"},"level":"error","spans":[{"file_name":"exercises/t/x.rs","is_primary":true,"label":"expected `u32`","line_start":3,"column_start":5},{"file_name":"<anon>","is_primary":false,"label":"SECRET","line_start":9,"column_start":1}],"children":[{"message":"expected due to this","level":"note","spans":[{"file_name":"<anon>","is_primary":true,"label":null}],"children":[],"rendered":null},{"message":"try `.into()`","level":"help","spans":[],"children":[],"rendered":null}],"rendered":"SECRET CHECK SOURCE"}"#;
        let from_a_macro = r#"{"message":"unused result","code":null,"level":"error","spans":[{"file_name":"exercises/t/x.rs","is_primary":true,"label":null,"line_start":7,"column_start":9,"expansion":{"span":{"file_name":"exercises/t/x.rs","is_primary":false,"label":null},"def_site_span":{"file_name":"<anon>","is_primary":false,"label":null}}}],"children":[],"rendered":"SECRET MACRO SOURCE"}"#;
        let d = parse_diagnostics(&format!("{secondary}\n{from_a_macro}"), "<anon>");
        assert_eq!(d.errors.len(), 2, "{:?}", d.errors);
        assert_eq!(
            d.errors[0],
            "error[E0308]: mismatched types\n  --> exercises/t/x.rs:3:5: expected `u32`\n  = help: try `.into()`\n  (what it shows of the hidden checks is left out)"
        );
        assert!(
            d.errors[1].contains("--> exercises/t/x.rs:7:9"),
            "{}",
            d.errors[1]
        );
        assert!(
            d.errors.iter().all(|e| !e.contains("SECRET")),
            "{:?}",
            d.errors
        );
    }
}
