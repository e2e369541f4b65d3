//! The adversarial corpus: learner files that try, by mistake or on purpose, to pass without
//! solving the exercise, to hang the grader or to harm the machine. Each is graded by the real
//! binary against the intro checks (`health_body`, three checks, a 2 s time limit) and must
//! fail clearly, within the limit plus 2 s, leaving no process and no temp dir behind.
// The attacks are written for Linux (/proc, sh, signals); the platform layer's tests hold the limits on every OS.
#![cfg(target_os = "linux")]

mod common;

use std::fs;
use std::time::Duration;

use common::Sandbox;

/// The body of a correct `health_body`.
const CORRECT: &str = r###"format!(r#"{{"status":"ok","version":"{version}"}}"#)"###;
/// The exercise's time limit in `two_exercise_course`, and the allowed overrun.
const LIMIT: Duration = Duration::from_secs(2);
const MARGIN: Duration = Duration::from_secs(2);

struct Graded {
    json: serde_json::Value,
    /// The run's messages, headline first, for looking for words in.
    text: String,
}

impl Graded {
    #[track_caller]
    fn says(&self, needle: &str) -> &Self {
        assert!(
            self.text.contains(needle),
            "expected {needle:?} in the verdict:\n{}",
            self.text
        );
        self
    }

    #[track_caller]
    fn status(&self, expected: &str) -> &Self {
        assert_eq!(self.json["status"], expected, "{}", self.text);
        self
    }
}

/// Grades `source` as the learner's file and checks what every case must hold.
#[track_caller]
fn grade(source: &str) -> Graded {
    let sb = Sandbox::empty();
    common::two_exercise_course(&sb);
    let tmp = sb.temp_dir();
    sb.write("exercises/t/first.rs", source);

    let mut cmd = sb.command_in(&sb.ws(), &["run", "first", "--json"]);
    cmd.env("TMPDIR", &tmp);
    let run = common::Run::of(cmd);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));

    let mut text = json["message"].as_str().unwrap_or_default().to_string();
    for test in json["tests"].as_array().unwrap() {
        let message = test["message"].as_str().unwrap_or_default();
        text.push_str(&format!("\n{}: {message}", test["name"]));
    }
    assert_eq!(
        run.status, 1,
        "not a failing verdict:\n{text}\n{}",
        run.stderr
    );
    assert_ne!(json["status"], "pass", "{text}");
    let run_ms = json["run_ms"].as_u64().unwrap();
    assert!(
        Duration::from_millis(run_ms) <= LIMIT + MARGIN,
        "the checks ran {run_ms} ms:\n{text}"
    );
    let left: Vec<_> = fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "left in the temp dir: {left:?}");
    let stray = common::processes_touching(sb.dir.path(), MARKER);
    assert!(stray.is_empty(), "processes left running: {stray:?}");
    // The workspace is untouched but for the recorded attempt.
    let state: toml::Table = sb.read(".backlings/state.toml").parse().unwrap();
    assert_eq!(state["current"].as_str(), Some("first"), "{state}");
    assert_eq!(sb.read("exercises/t/first.rs"), source);
    Graded { json, text }
}

/// A learner file whose `health_body` runs `body`, with `items` before it.
fn learner(items: &str, body: &str) -> String {
    format!(
        "{items}\npub fn health_body(version: &str) -> String {{\n    let _ = version;\n    {body}\n}}\n"
    )
}

/// An argument that marks the processes learner code starts, so leftovers can be found.
const MARKER: &str = "314159";

// --- ending the process early --------------------------------------------------------------

#[test]
fn exit_zero_is_not_a_pass() {
    grade(&learner("", "std::process::exit(0)"))
        .status("error")
        .says("crashed in check reports_the_given_version")
        .says("std::process::exit");
}

#[test]
fn exit_zero_after_the_first_checks_passed_is_not_a_pass() {
    let body = format!("if version == \"2.0.0\" {{ std::process::exit(0) }}\n    {CORRECT}");
    grade(&learner("", &body))
        .status("error")
        .says("crashed in check uses_no_spaces");
}

#[test]
fn exit_one_is_a_crash() {
    grade(&learner("", "std::process::exit(1)"))
        .status("error")
        .says("exited with status 1");
}

#[test]
fn abort_is_a_crash() {
    grade(&learner("", "std::process::abort()"))
        .status("error")
        .says("SIGABRT");
}

// --- fake harness output ---------------------------------------------------------------------

/// libtest's report on stdout for a run where every check passed.
const FAKE_REPORT: &str = "running 3 tests
test __hidden_checks::reports_the_given_version ... ok
test __hidden_checks::uses_no_spaces ... ok
test __hidden_checks::works_for_any_version_string ... ok

test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
/// libtest's `--logfile` lines for the same run, with the real check names (every verdict
/// shows them).
const FAKE_LOG: &str = "ok __hidden_checks::reports_the_given_version
ok __hidden_checks::uses_no_spaces
ok __hidden_checks::works_for_any_version_string
";
const WRITE: &str =
    "unsafe extern \"C\" {\n    fn write(fd: i32, buf: *const u8, count: usize) -> isize;\n}";

#[test]
fn fake_results_printed_to_stdout_and_stderr_do_not_pass() {
    let body = format!(
        "print!(\"{{}}{{}}\", {FAKE_REPORT:?}, {FAKE_LOG:?});\n    eprint!(\"{{}}\", {FAKE_REPORT:?});\n    String::new()"
    );
    grade(&learner("", &body))
        .status("fail")
        .says("returned \"\"");
}

/// Sprays both fakes into every file descriptor, so also into the results file, then exits 0.
#[test]
fn fake_results_written_to_every_file_descriptor_do_not_pass() {
    let body = format!(
        "let fake = format!(\"{{}}{{}}\", {FAKE_REPORT:?}, {FAKE_LOG:?});\n    for fd in 0..256 {{ unsafe {{ write(fd, fake.as_ptr(), fake.len()); }} }}\n    std::process::exit(0)"
    );
    grade(&learner(WRITE, &body))
        .status("error")
        .says("the test results were tampered with");
}

/// Writes each fake exactly where libtest would have: the report to stdout, the result lines
/// to every other descriptor (the results file among them), then exits 0 before any check
/// has finished, so the results file holds nothing else.
#[test]
fn fake_results_written_exactly_where_libtest_writes_do_not_pass() {
    let body = format!(
        "let (report, log) = ({FAKE_REPORT:?}, {FAKE_LOG:?});\n    unsafe {{ write(1, report.as_ptr(), report.len()); }}\n    for fd in 3..256 {{ unsafe {{ write(fd, log.as_ptr(), log.len()); }} }}\n    std::process::exit(0)"
    );
    grade(&learner(WRITE, &body))
        .status("error")
        .says("the test results were tampered with");
}

// --- panics --------------------------------------------------------------------------------

#[test]
fn a_panic_inside_drop_fails_the_check() {
    let items = "struct Bomb;\nimpl Drop for Bomb {\n    fn drop(&mut self) { panic!(\"boom in drop\") }\n}";
    let body = format!("let _bomb = Bomb;\n    {CORRECT}");
    grade(&learner(items, &body))
        .status("fail")
        .says("boom in drop");
}

#[test]
fn a_panic_while_panicking_is_a_crash() {
    let items = "struct Bomb;\nimpl Drop for Bomb {\n    fn drop(&mut self) { panic!(\"second panic\") }\n}";
    grade(&learner(
        items,
        "let _bomb = Bomb;\n    panic!(\"first panic\")",
    ))
    .status("error")
    .says("crashed in check reports_the_given_version")
    .says("SIGABRT");
}

// --- running out of time, stack or memory -----------------------------------------------------

#[test]
fn an_endless_loop_times_out_naming_the_running_check() {
    let body =
        format!("if version == \"2.0.0\" {{ loop {{ std::hint::black_box(0); }} }}\n    {CORRECT}");
    grade(&learner("", &body))
        .status("error")
        .says("timed out after 2.0 s while running check uses_no_spaces");
}

#[test]
fn sleeping_past_the_limit_times_out() {
    grade(&learner(
        "",
        "std::thread::sleep(std::time::Duration::from_secs(60));\n    String::new()",
    ))
    .status("error")
    .says("timed out after 2.0 s while running check reports_the_given_version");
}

#[test]
fn unbounded_recursion_is_a_stack_overflow() {
    let items = "fn depth(n: u64) -> u64 {\n    if n == u64::MAX { 0 } else { std::hint::black_box(depth(n + 1)) + 1 }\n}";
    grade(&learner(items, "depth(0).to_string()"))
        .status("error")
        .says("stack overflow");
}

#[test]
fn unbounded_allocation_is_out_of_memory() {
    let body = "let mut hoard = Vec::new();\n    loop { hoard.push(vec![0u64; 1 << 17]); std::hint::black_box(&hoard); }";
    grade(&learner("", body))
        .status("error")
        .says("out of memory");
}

// --- processes and threads -------------------------------------------------------------------

#[test]
fn child_processes_are_killed_even_in_a_group_of_their_own() {
    let body = format!(
        "use std::os::unix::process::CommandExt;\n    std::process::Command::new(\"sleep\").arg(\"{MARKER}\").spawn().unwrap();\n    std::process::Command::new(\"sleep\").arg(\"{MARKER}\").process_group(0).spawn().unwrap();\n    String::new()"
    );
    grade(&learner("", &body)).status("fail");
}

#[test]
fn threads_left_running_do_not_keep_the_grade_alive() {
    let body = "std::thread::spawn(|| loop { std::thread::sleep(std::time::Duration::from_millis(10)) });\n    String::new()";
    grade(&learner("", body)).status("fail");
}

#[test]
fn a_fork_loop_hits_the_process_limit() {
    let items = "unsafe extern \"C\" {\n    fn fork() -> i32;\n}";
    grade(&learner(items, "loop { unsafe { fork(); } }"))
        .status("error")
        .says("processes at once (a fork loop?)");
}

// --- output ----------------------------------------------------------------------------------

#[test]
fn megabytes_of_output_are_cut() {
    let sb = Sandbox::empty();
    common::two_exercise_course(&sb);
    let body = "for _ in 0..200_000 { println!(\"{}\", \"spam \".repeat(10)); }\n    String::new()";
    sb.write("exercises/t/first.rs", &learner("", body));
    let run = sb.run(&["run", "first"]).status(1);
    assert!(run.stdout.contains("the output was cut"), "{}", run.stdout);
    assert!(
        run.stdout.len() < 2 << 20,
        "{} bytes shown",
        run.stdout.len()
    );
    grade(&learner("", body)).status("fail");
}

#[test]
fn non_utf8_output_is_shown_lossily() {
    let body = "use std::io::Write;\n    let bytes = [b'x', 0xff, 0xfe, b'\\n'];\n    std::io::stdout().write_all(&bytes).unwrap();\n    std::io::stderr().write_all(&bytes).unwrap();\n    print!(\"{}\", String::from_utf8_lossy(&bytes));\n    panic!(\"after writing bytes\")";
    grade(&learner("", body))
        .status("fail")
        .says("after writing bytes");
}

// --- files -----------------------------------------------------------------------------------

/// Reads and writes what it can reach by relative paths: the working directory is empty and
/// neither the workspace, the checks nor the results are in reach.
#[test]
fn relative_paths_reach_neither_the_workspace_nor_the_checks() {
    let body = r#"let reachable: Vec<&str> = [
        "results.log", "checks", "checks.rs", "<anon>", ".backlings/state.toml",
        "../.backlings/state.toml", "../../.backlings/state.toml", "exercises/t/first.rs",
        "../exercises/t/first.rs", "../results.log", "../checks",
    ].into_iter().filter(|p| std::path::Path::new(p).exists()).collect();
    let here: Vec<String> = std::fs::read_dir(".").unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    for path in ["state.toml", "results.log", "first.rs"] {
        let _ = std::fs::write(path, "ok __hidden_checks::uses_no_spaces\n");
    }
    format!("here {here:?}, reachable {reachable:?}")"#;
    grade(&learner("", body))
        .status("fail")
        .says("returned \"here [], reachable []\"");
}

// --- the learner's own tests -------------------------------------------------------------------

/// A test of the learner's own that truncates whichever results file it can reach, fills it
/// with every check passing, prints libtest's summary for that and exits 0. Run among the
/// checks after the sentinel had printed its line, it would make a passing verdict.
const FORGING_TEST: &str = r###"#[test]
    fn zzzz_forge() {
        use std::io::Write;
        let log = "ok __hidden_checks::reports_the_given_version\nok __hidden_checks::uses_no_spaces\nok __hidden_checks::works_for_any_version_string\nok __hidden_checks::zzzz_sentinel::every_check_ran\n";
        for fd in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
            let target = std::fs::read_link(fd.path()).unwrap_or_default();
            if target.extension().is_some_and(|e| e == "log") {
                let _ = std::fs::write(&target, log);
            }
        }
        let _ = std::io::stdout().write_all(b"\ntest result: ok. 4 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n");
        std::process::exit(0);
    }"###;

/// The learner's tests live in their module, so even one named like a check, in a module
/// named like the checks', never runs with the checks and cannot count as one; and one run
/// with the learner's tests comes after the verdict.
#[test]
fn an_own_test_named_like_the_checks_cannot_forge_a_pass() {
    let items = format!(
        "#[cfg(test)]\nmod __hidden_checks {{\n    {FORGING_TEST}\n}}\n#[cfg(test)]\nmod tests {{\n    {FORGING_TEST}\n}}"
    );
    let graded = grade(&learner(&items, "String::new()"));
    graded.status("fail").says("returned \"\"");
    let own = graded.json["own_tests"].as_array().unwrap();
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(own[0]["name"], "tests::zzzz_forge");
    assert_eq!(own[0]["status"], "error");
}

// --- reaching into the checks ---------------------------------------------------------------

/// Macros that would turn every assertion into nothing.
const SILENCING_MACROS: &str = "macro_rules! panic { ($($t:tt)*) => {} }
macro_rules! assert { ($($t:tt)*) => {} }
macro_rules! assert_eq { ($($t:tt)*) => {} }
macro_rules! expect_eq { ($($t:tt)*) => {} }";

/// The learner's module comes after the checks in the crate root, so its `macro_rules!`
/// (which are in scope from where they are defined to the end of the crate) never reach
/// them; exported ones live at the crate root, where the checks do not look.
#[test]
fn learner_macros_never_reach_the_checks() {
    for attack in [
        format!("#![macro_use]\n{SILENCING_MACROS}"),
        SILENCING_MACROS.replace("macro_rules!", "#[macro_export] macro_rules!"),
    ] {
        let graded = grade(&learner(&attack, "String::new()"));
        assert_ne!(graded.json["status"], "pass", "{}", graded.text);
    }
}

/// A `write` or `exit` of the learner's, exported under the C library's name, would take its
/// place for libtest too (rewriting what it reports, or turning its failure exit into a
/// success), so a binary that defines one is refused before it runs, naming the symbol.
#[test]
fn symbols_that_replace_the_c_library_are_refused_by_name() {
    let write = r#"#[unsafe(no_mangle)]
pub extern "C" fn write(_fd: i32, _buf: *const u8, count: usize) -> isize {
    count as isize
}"#;
    let exit = r#"#[unsafe(export_name = "exit")]
pub extern "C" fn leave(_code: i32) -> ! {
    loop {}
}"#;
    for (items, name) in [(write, "write"), (exit, "exit")] {
        grade(&learner(items, CORRECT))
            .status("error")
            .says(&format!("your code defines the symbol `{name}`"));
    }
}

// --- reading the grader's secrets -------------------------------------------------------------

/// The sentinel's number is on the test process's stdin only, taken before any check runs:
/// not in a file of the build directory (found from the results file's path in argv), not in
/// the binary (run again for the sentinel's tests alone), so forged results that end with an
/// early exit still lack it.
#[test]
fn the_sentinel_is_found_neither_on_disk_nor_by_running_the_binary_again() {
    let body = r###"use std::io::Write;
    let args: Vec<String> = std::env::args().collect();
    let log = args.iter().position(|a| a == "--logfile").map(|i| args[i + 1].clone()).unwrap();
    let build = std::path::Path::new(&log).parent().unwrap().to_path_buf();
    let mut out = std::io::stdout();
    for entry in std::fs::read_dir(&build).unwrap().flatten() {
        let text = String::from_utf8_lossy(&std::fs::read(entry.path()).unwrap_or_default()).into_owned();
        for line in text.lines().filter(|l| l.contains("backlings sentinel ")) {
            let _ = out.write_all(format!("\n{line}\n").as_bytes());
        }
    }
    let mut input = String::new();
    let _ = std::io::stdin().read_line(&mut input);
    let _ = out.write_all(format!("\nbacklings sentinel {}\n", input.trim()).as_bytes());
    let _ = out.flush();
    let tests: Vec<&String> = args.iter().filter(|a| a.starts_with("__hidden_checks::")).collect();
    let _ = std::process::Command::new(&args[0])
        .arg("--exact")
        .args(tests.iter().filter(|t| t.contains("sentinel")))
        .status();
    let forged: String = tests.iter().map(|t| format!("ok {t}\n")).collect();
    std::fs::write(&log, forged).unwrap();
    let summary = format!("\ntest result: ok. {} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n", tests.len());
    let _ = out.write_all(summary.as_bytes());
    let _ = out.flush();
    std::process::exit(0)"###;
    grade(&learner("", body))
        .status("error")
        .says("the test results were tampered with");
}

/// rustc runs with only what a compiler needs of backlings' environment, so a CI secret
/// cannot reach a diagnostic (and from there the JUnit report) through compile-time reads.
#[test]
fn compile_time_reads_find_no_secret_of_the_environment() {
    let secret = "hunter2-do-not-print";
    for body in [
        r#"include_str!("/proc/self/environ").to_string()"#,
        r#"env!("BACKLINGS_CI_TOKEN").to_string()"#,
        r#"option_env!("BACKLINGS_CI_TOKEN").unwrap_or("").to_string()"#,
    ] {
        let sb = Sandbox::empty();
        common::two_exercise_course(&sb);
        sb.write("exercises/t/first.rs", &learner("", body));
        let mut cmd = sb.command_in(&sb.ws(), &["run", "first", "--json"]);
        cmd.env("BACKLINGS_CI_TOKEN", secret);
        let run = common::Run::of(cmd);
        assert_ne!(run.status, 0, "{body}: {}", run.stdout);
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{body} leaked the secret:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
}

/// rustc has a memory limit too: a file that includes an endless one fails to compile,
/// quickly, saying why.
#[test]
fn including_an_endless_file_at_compile_time_runs_out_of_memory_fast() {
    let started = std::time::Instant::now();
    let graded = grade(&learner(
        "",
        r#"format!("{}", include_bytes!("/dev/zero").len())"#,
    ));
    graded.status("error").says("out of memory");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

// --- attacking the results file ------------------------------------------------------------------

/// Replaces libtest's results file (its path is in the test process's arguments) with what
/// `make` creates at that path.
fn replace_results_file(make: &str) -> String {
    learner(
        "",
        &format!(
            r#"let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--logfile") {{
        let log = std::path::PathBuf::from(&args[at + 1]);
        let _ = std::fs::remove_file(&log);
        {make}
    }}
    String::new()"#
        ),
    )
}

#[test]
fn a_results_file_replaced_by_a_named_pipe_neither_hangs_nor_passes() {
    let graded = grade(&replace_results_file(
        r#"let _ = std::process::Command::new("mkfifo").arg(&log).status();"#,
    ));
    assert_ne!(graded.json["status"], "pass", "{}", graded.text);
}

#[test]
fn a_results_file_replaced_by_a_huge_sparse_file_neither_hangs_nor_passes() {
    let graded = grade(&replace_results_file(
        r#"if let Ok(file) = std::fs::File::create(&log) { let _ = file.set_len(4 << 30); }"#,
    ));
    assert_ne!(graded.json["status"], "pass", "{}", graded.text);
}

/// A directory tree deeper than any stack: removing the work dir afterwards must neither
/// overflow backlings' stack nor leave it behind.
#[test]
fn a_very_deep_directory_tree_is_removed_after_the_grade() {
    let graded = grade(&learner(
        "",
        r#"for _ in 0..60_000 {
        if std::fs::create_dir("d").is_err() || std::env::set_current_dir("d").is_err() {
            break;
        }
    }
    String::new()"#,
    ));
    assert_ne!(graded.json["status"], "pass", "{}", graded.text);
}

/// A process the learner's code leaves behind (out of its session, so not a strict grade)
/// that holds the workspace's progress lock, found from the results file's path in argv:
/// later commands give up after a while, naming the lock, instead of hanging forever.
#[test]
fn a_process_left_holding_the_progress_lock_cannot_hang_later_commands() {
    // A marker of its own: the other tests, running meanwhile, look for leftovers with theirs.
    const HOLDER: &str = "161803";
    let sb = Sandbox::empty();
    common::two_exercise_course(&sb);
    let body = format!(
        r#"let args: Vec<String> = std::env::args().collect();
    let log = args.iter().position(|a| a == "--logfile").map(|i| args[i + 1].clone()).unwrap();
    let lock = std::path::Path::new(&log).ancestors().nth(3).unwrap().join("state.lock");
    let script = format!("setsid flock '{{}}' sleep {HOLDER} >/dev/null 2>&1 &", lock.display());
    let _ = std::process::Command::new("sh").args(["-c", &script]).status();
    std::thread::sleep(std::time::Duration::from_millis(300));
    String::new()"#
    );
    sb.write("exercises/t/first.rs", &learner("", &body));
    let started = std::time::Instant::now();
    let run = sb.run(&["run", "first"]).status(2);
    let took = started.elapsed();
    let stray = common::processes_touching(sb.dir.path(), HOLDER);
    for process in &stray {
        // The holder leads a session of its own: end its whole group, `sleep` included.
        let group = format!("-{}", process.split(':').next().unwrap());
        let _ = std::process::Command::new("kill")
            .args(["-9", "--", &group])
            .status();
    }
    assert!(
        !stray.is_empty(),
        "the lock holder did not start: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("state.lock stayed locked by another process"),
        "{}",
        run.stderr
    );
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

/// Compile errors the checks' calls cause in the learner's code point into the checks (the
/// call with the wrong arguments, the macro that needs `Debug`); what is shown names the
/// problem and the learner's own lines, never a line of the checks, not even in a secondary
/// span, a note or a macro's backtrace.
#[test]
fn compile_errors_caused_by_the_checks_never_quote_them() {
    let checks = common::course_file("checks/intro/intro.rs");
    let check_lines: Vec<&str> = checks
        .lines()
        .map(str::trim)
        .filter(|l| l.len() >= 12)
        .collect();
    for (source, says) in [
        (
            "pub fn health_body(version: &str, pretty: bool) -> String {\n    format!(\"{version}{pretty}\")\n}\n",
            "takes 2 arguments but 1 argument was supplied",
        ),
        (
            "#[derive(PartialEq)]\npub struct Body(String);\nimpl PartialEq<&str> for Body {\n    fn eq(&self, other: &&str) -> bool { self.0 == *other }\n}\nimpl PartialEq<String> for Body {\n    fn eq(&self, other: &String) -> bool { &self.0 == other }\n}\npub fn health_body(version: &str) -> Body {\n    Body(version.to_string())\n}\n",
            "doesn't implement `Debug`",
        ),
    ] {
        let graded = grade(source);
        graded.status("error").says(says);
        for line in &check_lines {
            assert!(
                !graded.text.contains(line),
                "the checks' line {line:?} is quoted:\n{}",
                graded.text
            );
        }
    }
}
