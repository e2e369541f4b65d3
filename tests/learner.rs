//! The learner's one-shot commands, driven through the real binary.

mod common;

use std::time::{Duration, Instant};

use common::{Sandbox, course_exercises, course_file};

#[test]
fn init_writes_every_stub_a_manifest_and_progress() {
    let sb = Sandbox::init();
    for (topic, name) in course_exercises() {
        let rel = format!("exercises/{topic}/{name}.rs");
        assert_eq!(sb.read(&rel), course_file(&rel), "{rel} is not the stub");
        assert!(
            sb.read("Cargo.toml").contains(&format!("path = \"{rel}\"")),
            "Cargo.toml misses {rel}"
        );
    }
    assert!(sb.read(".gitignore").contains("/target"));
    assert!(sb.ws().join(".backlings/state.toml").is_file());
    assert!(
        !sb.ws().join("checks").exists(),
        "hidden checks leaked into the workspace"
    );
}

#[test]
fn init_refuses_to_overwrite_a_workspace() {
    let sb = Sandbox::init();
    sb.write("exercises/intro/intro.rs", "// mine");
    let run = sb.run_in(sb.dir.path(), &["init", "ws"]).status(2);
    assert!(
        run.stderr.contains("already a backlings workspace"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.read("exercises/intro/intro.rs"), "// mine");
}

#[test]
fn commands_outside_a_workspace_say_how_to_make_one() {
    let sb = Sandbox::empty();
    let run = sb.run_in(sb.dir.path(), &["list"]).status(2);
    assert!(run.stderr.contains("backlings init"), "{}", run.stderr);
}

#[test]
fn every_stub_fails_and_every_solution_passes_in_a_workspace() {
    let sb = Sandbox::init();
    for (topic, name) in course_exercises() {
        let run = sb.run(&["run", &name]).status(1);
        assert!(run.stdout.contains("✗"), "{name} stub: {}", run.stdout);
        let rel = format!("exercises/{topic}/{name}.rs");
        sb.write(&rel, &course_file(&format!("solutions/{topic}/{name}.rs")));
        let run = sb.run(&["run", &name]).status(0);
        assert!(
            run.stdout.contains("checks passed"),
            "{name} solution: {}",
            run.stdout
        );
        assert_eq!(
            sb.read(&format!("solutions/{topic}/{name}.rs")),
            course_file(&format!("solutions/{topic}/{name}.rs"))
        );
    }
}

#[test]
fn a_compile_error_names_the_learners_file_and_line() {
    let sb = Sandbox::init();
    sb.write(
        "exercises/intro/intro.rs",
        "pub fn health_body(version: &str) -> String {\n    let port: u16 = \"8080\";\n    version.to_string()\n}\n",
    );
    let run = sb.run(&["run", "intro"]).status(1);
    assert!(run.stdout.contains("does not compile"), "{}", run.stdout);
    assert!(
        run.stdout.contains("--> exercises/intro/intro.rs:2:21"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_changed_signature_is_explained_without_showing_check_source() {
    let sb = Sandbox::init();
    sb.write(
        "exercises/intro/intro.rs",
        "pub fn health_body(version: u32) -> String {\n    version.to_string()\n}\n",
    );
    let run = sb.run(&["run", "intro"]).status(1);
    assert!(
        run.stdout.contains("(in the hidden checks)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("public API that the exercise's stub declares"),
        "{}",
        run.stdout
    );
    for line in course_file("checks/intro/intro.rs")
        .lines()
        .filter(|l| l.trim().len() > 12)
    {
        assert!(
            !run.stdout.contains(line.trim()),
            "check source leaked: {line}"
        );
    }
}

#[test]
fn failing_checks_say_what_was_called_and_what_came_back() {
    let sb = Sandbox::init();
    sb.write(
        "exercises/intro/intro.rs",
        "pub fn health_body(version: &str) -> String {\n    format!(\"{{\\\"status\\\":\\\"up\\\",\\\"version\\\":\\\"{version}\\\"}}\")\n}\n",
    );
    let run = sb.run(&["run", "intro"]).status(1);
    assert!(
        run.stdout.contains(
            r#"reports_the_given_version: health_body("1.4.2") returned "{\"status\":\"up\",\"version\":\"1.4.2\"}", expected "{\"status\":\"ok\",\"version\":\"1.4.2\"}""#
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn json_output_has_the_exercism_v2_fields() {
    let sb = Sandbox::init();
    let run = sb.run(&["run", "intro", "--json"]).status(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["version"], 2);
    assert_eq!(v["status"], "fail");
    let tests = v["tests"].as_array().unwrap();
    assert!(!tests.is_empty());
    for t in tests {
        assert!(t["name"].is_string());
        assert_eq!(t["status"], "fail");
        assert!(
            t["message"]
                .as_str()
                .unwrap()
                .contains("not yet implemented")
        );
    }

    let run = sb.run(&["check", "--json"]).status(1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["status"], "fail");
    assert_eq!(
        v["exercises"].as_array().unwrap().len(),
        course_exercises().len()
    );
    assert_eq!(v["exercises"][0]["exercise"], "intro");
}

#[test]
fn reset_keeps_a_backup_of_the_learners_file() {
    let sb = Sandbox::init();
    sb.write("exercises/intro/intro.rs", "// my attempt\n");
    sb.run(&["reset", "intro"]).status(2); // not a terminal and no --yes
    assert_eq!(sb.read("exercises/intro/intro.rs"), "// my attempt\n");
    let run = sb.run(&["reset", "intro", "--yes"]).status(0);
    assert_eq!(
        sb.read("exercises/intro/intro.rs"),
        course_file("exercises/intro/intro.rs")
    );
    let backups: Vec<_> = std::fs::read_dir(sb.ws().join(".backlings/backups"))
        .unwrap()
        .collect();
    assert_eq!(backups.len(), 1);
    let backup = backups[0].as_ref().unwrap().path();
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), "// my attempt\n");
    assert!(
        run.stdout.contains(".backlings/backups/intro."),
        "{}",
        run.stdout
    );
}

#[test]
fn progress_hints_and_solutions_survive_a_restart() {
    let sb = Sandbox::init();
    sb.run(&["solution", "intro"]).status(2);
    let first = sb.run(&["hint", "intro"]).status(0);
    assert!(first.stdout.contains("Hint 1/"), "{}", first.stdout);
    assert!(!first.stdout.contains("Hint 2/"), "{}", first.stdout);
    let second = sb.run(&["hint", "intro"]).status(0);
    assert!(second.stdout.contains("Hint 2/"), "{}", second.stdout);

    sb.write(
        "exercises/intro/intro.rs",
        &course_file("solutions/intro/intro.rs"),
    );
    sb.run(&["run", "intro"]).status(0);
    let list = sb.run(&["list"]).status(0);
    assert!(list.stdout.contains("done     intro"), "{}", list.stdout);
    let solution = sb.run(&["solution", "intro"]).status(0);
    assert!(
        solution.stdout.contains("pub fn health_body"),
        "{}",
        solution.stdout
    );
    let third = sb.run(&["hint", "intro"]).status(0);
    assert!(third.stdout.contains("Hint 3/"), "{}", third.stdout);
}

#[test]
fn unknown_exercise_names_get_a_suggestion() {
    let sb = Sandbox::init();
    let run = sb.run(&["run", "intr"]).status(2);
    assert!(
        run.stderr.contains("did you mean \"intro\""),
        "{}",
        run.stderr
    );
}

#[test]
fn a_corrupt_progress_file_is_repaired_with_a_copy_kept() {
    let sb = Sandbox::init();
    sb.write(
        "exercises/intro/intro.rs",
        &course_file("solutions/intro/intro.rs"),
    );
    sb.run(&["run", "intro"]).status(0);
    let state = sb.read(".backlings/state.toml");
    sb.write(
        ".backlings/state.toml",
        &format!("{state}\n[exercises.query_string]\ndone = 3\n"),
    );

    let run = sb.run(&["list"]).status(0);
    assert!(
        run.stderr.contains(".backlings/state.toml"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 finished exercise(s) recovered"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("done     intro"), "{}", run.stdout);
    let copies = std::fs::read_dir(sb.ws().join(".backlings"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("corrupt")
        })
        .count();
    assert_eq!(copies, 1);
    let again = sb.run(&["list"]).status(0);
    assert!(
        again.stderr.is_empty(),
        "repaired once, quiet after: {}",
        again.stderr
    );
}

#[test]
fn stats_show_completion_per_topic_attempts_hints_and_time() {
    let sb = Sandbox::init();
    sb.write(
        "exercises/intro/intro.rs",
        &course_file("solutions/intro/intro.rs"),
    );
    sb.run(&["hint", "query_string"]).status(0);
    // An attempt is a grade of changed content: the untouched stub is none.
    let stub = sb.read("exercises/parsing/query_string.rs");
    sb.write(
        "exercises/parsing/query_string.rs",
        &format!("{stub}\n// a first try\n"),
    );
    sb.run(&["run", "query_string"]).status(1);
    sb.run(&["run", "intro"]).status(0);
    // Working time is counted by watch mode; here it comes from an earlier session.
    let state = sb.read(".backlings/state.toml");
    sb.write(
        ".backlings/state.toml",
        // intro's entry comes first.
        &state.replacen("seconds = 0", "seconds = 3900", 1),
    );
    let run = sb.run(&["stats"]).status(0);
    for line in [
        "Progress: 1/36 exercises (2%) · 2 attempts · 1/108 hints · 1h 05m working time",
        "intro                        1/1         1    0/3   1h 05m",
        "parsing                      0/5         1   1/15        -",
        "intro                       done         1    0/3   1h 05m",
        "query_string             started         1    1/3        -",
        "sort_params                    -         0    0/3        -",
    ] {
        assert!(
            run.stdout.contains(line),
            "{line:?} missing from:\n{}",
            run.stdout
        );
    }
}

// --- the learner's own tests -----------------------------------------------------------------

/// `body` as a `#[cfg(test)] mod tests` at the end of `source`, the way a learner adds tests.
fn with_tests(source: &str, body: &str) -> String {
    format!("{source}\n#[cfg(test)]\nmod tests {{\n    use super::*;\n{body}}}\n")
}

const PASSING_TEST: &str = "
    #[test]
    fn starts_with_a_brace() {
        assert!(health_body(\"1\").starts_with('{'));
    }
";

const FAILING_TEST: &str = "
    #[test]
    fn has_no_quotes() {
        assert!(!health_body(\"1\").contains('\"'), \"quotes in {}\", health_body(\"1\"));
    }
";

#[test]
fn own_tests_are_reported_apart_and_a_failing_one_does_not_fail_the_checks() {
    let sb = Sandbox::init();
    let solution = course_file("solutions/intro/intro.rs");
    sb.write(
        "exercises/intro/intro.rs",
        &with_tests(&solution, &format!("{PASSING_TEST}{FAILING_TEST}")),
    );
    let run = sb.run(&["run", "intro"]).status(0);
    let (checks, own) = run.stdout.split_once("Your tests:").expect(&run.stdout);
    assert!(checks.contains("✓ all 3 checks passed"), "{}", run.stdout);
    assert!(own.starts_with(" 1 passed, 1 failed\n"), "{}", run.stdout);
    assert!(
        own.contains(r#"✗ tests::has_no_quotes: quotes in {"status":"ok","version":"1"}"#),
        "{}",
        run.stdout
    );
    assert!(
        own.contains("✓ tests::starts_with_a_brace"),
        "{}",
        run.stdout
    );
    let list = sb.run(&["list"]).status(0);
    assert!(list.stdout.contains("done     intro"), "{}", list.stdout);
}

#[test]
fn passing_own_tests_do_not_pass_failing_checks() {
    let sb = Sandbox::init();
    let stub = course_file("exercises/intro/intro.rs");
    let passing = "
    #[test]
    fn always_passes() {}

    #[test]
    #[should_panic]
    fn panics_as_it_should() {
        health_body(\"1\");
    }

    #[test]
    #[ignore]
    fn not_now() {}
";
    sb.write("exercises/intro/intro.rs", &with_tests(&stub, passing));
    let run = sb.run(&["run", "intro"]).status(1);
    assert!(
        run.stdout.contains("✗ 3 of 3 checks failed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "Your tests: 2 passed\n  ✓ tests::always_passes\n  ✓ tests::panics_as_it_should\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn json_lists_own_tests_apart_from_the_checks() {
    let sb = Sandbox::init();
    let solution = course_file("solutions/intro/intro.rs");
    sb.write(
        "exercises/intro/intro.rs",
        &with_tests(&solution, &format!("{PASSING_TEST}{FAILING_TEST}")),
    );
    let run = sb.run(&["run", "intro", "--json"]).status(0);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["status"], "pass");
    assert_eq!(v["tests"].as_array().unwrap().len(), 3);
    let own = v["own_tests"].as_array().unwrap();
    assert_eq!(own.len(), 2, "{own:?}");
    assert_eq!(own[0]["name"], "tests::has_no_quotes");
    assert_eq!(own[0]["status"], "fail");
    assert!(
        own[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("quotes in {"),
        "{own:?}"
    );
    assert_eq!(own[1]["name"], "tests::starts_with_a_brace");
    assert_eq!(own[1]["status"], "pass");
    assert!(own[1].get("message").is_none(), "{own:?}");
}

#[test]
fn an_endless_own_test_times_out_and_the_checks_still_pass() {
    let sb = Sandbox::empty();
    common::two_exercise_course(&sb); // `first` is intro with a 2 s time limit
    let endless = "
    #[test]
    fn waits_forever() {
        loop {
            std::hint::black_box(health_body(\"1\"));
        }
    }
";
    let solution = course_file("solutions/intro/intro.rs");
    sb.write(
        "exercises/t/first.rs",
        &with_tests(&solution, &format!("{PASSING_TEST}{endless}")),
    );
    let started = Instant::now();
    let run = sb.run(&["run", "first", "--json"]).status(0);
    let elapsed = started.elapsed();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["status"], "pass");
    let own = v["own_tests"].as_array().unwrap();
    assert_eq!(own.len(), 2, "{own:?}");
    assert_eq!(own[0]["name"], "tests::starts_with_a_brace");
    assert_eq!(own[0]["status"], "pass");
    assert_eq!(own[1]["name"], "tests::waits_forever");
    assert_eq!(own[1]["status"], "error");
    assert_eq!(
        own[1]["message"],
        "timed out after 2.0 s while running tests::waits_forever"
    );
    let graded =
        Duration::from_millis(v["compile_ms"].as_u64().unwrap() + v["run_ms"].as_u64().unwrap());
    assert!(
        elapsed < graded + Duration::from_secs(2 + 2),
        "own tests stopped {elapsed:?} after start, {graded:?} of it grading the checks"
    );

    let run = sb.run(&["run", "first"]).status(0);
    assert!(
        run.stdout.contains(
            "Your tests: 1 passed; timed out after 2.0 s while running tests::waits_forever"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_file_without_tests_shows_no_own_tests() {
    let sb = Sandbox::init();
    let solution = course_file("solutions/intro/intro.rs");
    // Words about tests, and a test commented out, are no tests.
    let no_tests = [
        solution.replace(
            "//! # intro",
            "//! Add your own `#[test]`s freely.\n//! # intro",
        ),
        format!("{solution}\n/*\n#[test]\nfn later() {{}}\n*/\n"),
    ];
    for source in no_tests {
        sb.write("exercises/intro/intro.rs", &source);
        let run = sb.run(&["run", "intro"]).status(0);
        assert!(!run.stdout.contains("Your tests"), "{}", run.stdout);
        let run = sb.run(&["run", "intro", "--json"]).status(0);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert!(v.get("own_tests").is_none(), "{}", run.stdout);
    }
}
