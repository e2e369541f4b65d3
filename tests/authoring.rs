//! The instructor's workflow on a course in a temp dir: `dev new` scaffolds, `dev check`
//! catches each kind of unsound exercise, and the finished course works for a learner.

mod common;

use std::fs;
use std::path::PathBuf;

use common::{Run, Sandbox, files_under};

/// A sandbox with a course at `course/` started by `dev new`.
struct Authoring {
    sb: Sandbox,
}

impl Authoring {
    /// A course with the scaffolded exercises `(name, topic)`, each finished (placeholders
    /// filled in) unless `finished` is false.
    fn with(exercises: &[(&str, &str)], finished: bool) -> Authoring {
        let a = Authoring {
            sb: Sandbox::empty(),
        };
        for (name, topic) in exercises {
            a.dev_in_parent(&["new", name, "--topic", topic, "--course", "course"])
                .status(0);
        }
        if finished {
            a.finish();
        }
        a
    }

    fn course(&self) -> PathBuf {
        self.sb.dir.path().join("course")
    }

    fn dev_in_parent(&self, args: &[&str]) -> Run {
        let mut full = vec!["dev"];
        full.extend_from_slice(args);
        self.sb.run_in(self.sb.dir.path(), &full)
    }

    /// `backlings dev ARGS` inside the course directory.
    fn dev(&self, args: &[&str]) -> Run {
        let mut full = vec!["dev"];
        full.extend_from_slice(args);
        self.sb.run_in(&self.course(), &full)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.course().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// What an author does after `dev new`: every placeholder replaced by real text.
    fn finish(&self) {
        for file in files_under(&self.course()) {
            let text = fs::read_to_string(&file).unwrap();
            fs::write(&file, text.replace("TODO(author)", "Written")).unwrap();
        }
    }

    /// `dev check` must fail, naming each of `problems`.
    #[track_caller]
    fn check_fails_with(&self, args: &[&str], problems: &[&str]) -> Run {
        let mut full = vec!["check"];
        full.extend_from_slice(args);
        let run = self.dev(&full).status(1);
        let out = slashed(&run.stdout);
        for p in problems {
            assert!(out.contains(p), "expected {p:?} in:\n{}", run.stdout);
        }
        assert!(run.stdout.contains("problem(s) found"), "{}", run.stdout);
        run
    }
}

/// `text` with this OS's path separator written `/`, as the expected messages write paths.
fn slashed(text: &str) -> String {
    text.replace(std::path::MAIN_SEPARATOR, "/")
}

/// The cells of the `dev check` table row of `exercise`, without the solution's time.
fn row<'a>(table: &'a str, exercise: &str) -> Vec<&'a str> {
    let line = table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(exercise))
        .unwrap_or_else(|| panic!("no row for {exercise} in:\n{table}"));
    let mut cells: Vec<&str> = line.split_whitespace().collect();
    if let Some(ms) = cells.iter().position(|&c| c == "ms") {
        cells.remove(ms - 1);
    }
    cells
}

#[test]
fn dev_new_scaffolds_a_working_exercise_that_dev_check_refuses_until_written() {
    let a = Authoring::with(&[("slow_log", "logs")], false);
    for rel in [
        "info.toml",
        "exercises/logs/slow_log.rs",
        "solutions/logs/slow_log.rs",
        "checks/logs/slow_log.rs",
        "mutants/logs/slow_log/strictly_greater.rs",
    ] {
        assert!(a.path(rel).is_file(), "{rel} was not created");
    }
    assert!(
        a.read("checks/logs/slow_log.rs")
            .contains("use super::slow_log::")
    );

    // The scaffold grades like a real exercise, but its placeholders are problems.
    let run = a.check_fails_with(
        &[],
        &[
            "exercises/logs/slow_log.rs:1: still holds the template's TODO(author) placeholders",
            "solutions/logs/slow_log.rs:",
            "checks/logs/slow_log.rs:1:",
            "info.toml:14:8: the summary or hints still hold",
            "welcome_message or final_message",
        ],
    );
    assert_eq!(
        row(&run.stdout, "slow_log"),
        ["slow_log", "3", "ok", "ok", "ms", "1/1"]
    );
    // Every path reads from where the author is, with the line to look at.
    let run = a.dev_in_parent(&["check", "--course", "course"]).status(1);
    let out = slashed(&run.stdout);
    let problems: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("problem: "))
        .collect();
    assert_eq!(problems.len(), 6, "{}", run.stdout);
    for problem in problems {
        let (path, _) = problem.split_once(": ").unwrap();
        let (file, line) = path.split_once(':').unwrap();
        assert!(
            file.starts_with("course/") && line.split(':').all(|n| n.parse::<u32>().is_ok()),
            "{problem}"
        );
    }

    a.finish();
    let run = a.dev(&["check"]).status(0);
    assert!(run.stdout.contains("1 exercise is sound"), "{}", run.stdout);
}

#[test]
fn dev_new_places_entries_by_topic_and_refuses_bad_or_taken_names() {
    let a = Authoring::with(&[("a1", "alpha"), ("b1", "beta"), ("a2", "alpha")], false);
    let info = a.read("info.toml");
    let order: Vec<&str> = info
        .lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .collect();
    assert_eq!(order, ["a1\"", "a2\"", "b1\""], "{info}");

    let run = a.dev(&["new", "a2", "--topic", "beta"]).status(2);
    assert!(
        run.stderr.contains("info.toml:")
            && run.stderr.contains("already has an exercise named \"a2\""),
        "{}",
        run.stderr
    );
    for bad in ["A2", "2a", "a-b", "fn"] {
        let run = a.dev(&["new", bad, "--topic", "alpha"]).status(2);
        assert!(
            run.stderr.contains("must be a lowercase Rust identifier"),
            "{bad}: {}",
            run.stderr
        );
    }
    let run = a.dev(&["new", "ok", "--topic", "Bad Topic"]).status(2);
    assert!(run.stderr.contains("topic \"Bad Topic\""), "{}", run.stderr);

    // A file already at the new exercise's path is never overwritten.
    a.write("exercises/gamma/c1.rs", "// mine\n");
    let run = a.dev(&["new", "c1", "--topic", "gamma"]).status(2);
    assert!(
        run.stderr.contains("exercises/gamma/c1.rs already exists"),
        "{}",
        run.stderr
    );
    assert_eq!(a.read("exercises/gamma/c1.rs"), "// mine\n");
    assert_eq!(
        a.read("info.toml"),
        info,
        "a refused `dev new` changed info.toml"
    );

    // Outside a course, and without --course, there is nothing to add to.
    let run =
        a.sb.run_in(a.sb.dir.path(), &["dev", "new", "x", "--topic", "t"])
            .status(2);
    assert!(run.stderr.contains("no info.toml here"), "{}", run.stderr);
}

#[test]
fn dev_check_catches_a_stub_that_passes_and_a_stub_that_does_not_compile() {
    let a = Authoring::with(&[("passes", "t"), ("broken", "t")], true);
    a.write(
        "exercises/t/passes.rs",
        &a.read("solutions/t/passes.rs")
            .replace("//!", "//! line\n//!"),
    );
    a.write(
        "exercises/t/broken.rs",
        &a.read("exercises/t/broken.rs")
            .replace("-> usize {", "-> usize {{"),
    );
    a.check_fails_with(
        &[],
        &[
            "exercises/t/passes.rs: the stub passes every check",
            "exercises/t/broken.rs: the stub does not compile",
        ],
    );
}

#[test]
fn dev_check_catches_a_failing_solution_and_a_surviving_or_broken_mutant() {
    let a = Authoring::with(&[("wrong", "t"), ("weak", "t")], true);
    a.write(
        "solutions/t/wrong.rs",
        &a.read("mutants/t/wrong/strictly_greater.rs"),
    );
    a.write(
        "mutants/t/weak/same_as_solution.rs",
        &a.read("solutions/t/weak.rs"),
    );
    a.write("mutants/t/weak/typo.rs", "pub fn slow_requests(");
    let run = a.check_fails_with(
        &[],
        &[
            "solutions/t/wrong.rs: the reference solution does not pass: 2 of 3 checks failed",
            "counts_requests_at_or_above_the_threshold: slow_requests(&[12, 250, 40, 300], 250) returned 1, expected 2",
            "weak mutant same_as_solution: survives every check; the checks of weak (checks/t/weak.rs) are too weak",
            "weak mutant typo: does not compile",
        ],
    );
    assert_eq!(row(&run.stdout, "weak")[5], "1/3");
    assert_eq!(row(&run.stdout, "wrong")[3], "FAIL");
}

#[test]
fn dev_check_catches_missing_and_orphan_files_and_missing_hints() {
    let a = Authoring::with(&[("gone", "t"), ("fine", "t")], true);
    fs::remove_file(a.path("checks/t/gone.rs")).unwrap();
    a.write("exercises/t/stray.rs", "// belongs to nothing\n");
    a.write("mutants/t/nobody/m.rs", "// belongs to nothing\n");
    let info = a.read("info.toml");
    let fine_at = info.find("name = \"fine\"").unwrap();
    let (head, tail) = info.split_at(fine_at);
    let tail = tail.replacen(
        &tail[tail.find("hints = [").unwrap()..=tail.find("]\n").unwrap()],
        "hints = []",
        1,
    );
    a.write("info.toml", &format!("{head}{tail}"));
    let run = a.check_fails_with(
        &[],
        &[
            "info.toml:14:8: exercise \"gone\" has no file checks/t/gone.rs",
            "orphan file exercises/t/stray.rs",
            "orphan file mutants/t/nobody/m.rs",
            "info.toml:24:8: info.toml gives no hints",
        ],
    );
    assert!(
        run.stdout.contains("gone      (not graded: files missing)"),
        "{}",
        run.stdout
    );
}

#[test]
fn dev_check_reports_a_bad_info_toml_with_its_location() {
    let a = Authoring::with(&[("one", "t")], true);
    let info = a.read("info.toml");
    a.write(
        "info.toml",
        &info.replace("dir = \"t\"", "dir = \"t\"\nhint = \"typo\""),
    );
    let run = a.dev(&["check"]).status(2);
    assert!(
        run.stderr
            .contains("info.toml:16:1: unknown field `hint`, expected one of"),
        "{}",
        run.stderr
    );
    a.write(
        "info.toml",
        &info.replace("format_version = 1", "format_version = 2"),
    );
    let run = a.dev(&["check"]).status(2);
    assert!(
        run.stderr
            .contains("info.toml:5:18: format_version 2 is not supported"),
        "{}",
        run.stderr
    );
    a.write(
        "info.toml",
        &info.replace("name = \"one\"", "name = \"one\"\nname = \"two\""),
    );
    let run = a.dev(&["check"]).status(2);
    assert!(run.stderr.contains("duplicate key"), "{}", run.stderr);
}

#[test]
fn dev_check_repeat_catches_flaky_checks_and_slow_solutions_are_refused() {
    let a = Authoring::with(&[("flaky", "t"), ("slow", "t")], true);
    // Fails on about half the runs: the low bit of the clock decides.
    let checks = a.read("checks/t/flaky.rs");
    a.write(
        "checks/t/flaky.rs",
        &format!(
            "{checks}\n#[test]\nfn depends_on_the_clock() {{\n    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();\n    assert!(t.subsec_nanos() / 1000 % 2 == 0, \"odd microsecond\");\n}}\n"
        ),
    );
    let solution = a.read("solutions/t/slow.rs");
    a.write(
        "solutions/t/slow.rs",
        &solution.replace(
            "latencies_ms.iter()",
            "std::thread::sleep(std::time::Duration::from_millis(400));\n    latencies_ms.iter()",
        ),
    );
    let info = a.read("info.toml");
    a.write("info.toml", &info.replace("dir = \"t\"\nsummary = \"Written: one line for the exercise list\"\nhints = [\n    \"Written: a nudge toward the idea, without the method\",\n    \"Written: the method, naming the std types and functions to use\",\n    \"Written: all but the code\",\n]\n\n[[exercises]]\nname = \"slow\"\ndir = \"t\"", "dir = \"t\"\nsummary = \"Written: one line for the exercise list\"\nhints = [\n    \"Written: a nudge toward the idea, without the method\",\n    \"Written: the method, naming the std types and functions to use\",\n    \"Written: all but the code\",\n]\n\n[[exercises]]\nname = \"slow\"\ndir = \"t\"\ntime_limit_secs = 2"));
    let run = a.check_fails_with(
        &["--repeat", "16"],
        &[
            "flaky: the reference solution passed",
            "of 16 runs; a check is flaky",
            "slow: the reference solution's checks took",
            "more than 1/2 of the 2.0 s time limit",
        ],
    );
    assert!(run.stdout.contains("FLAKY"), "{}", run.stdout);
    let run = a.dev(&["check", "--repeat", "0"]).status(2);
    assert!(run.stderr.contains("--repeat"), "{}", run.stderr);
}

#[test]
fn an_external_course_is_initialised_graded_and_upgraded_end_to_end() {
    let a = Authoring::with(&[("first", "basics")], true);
    let course = a.course();
    let sb = &a.sb;
    sb.run_in(
        sb.dir.path(),
        &["init", "ws", "--course", course.to_str().unwrap()],
    )
    .status(0);
    assert!(sb.ws().join("exercises/basics/first.rs").is_file());

    let run = sb.run(&["run", "first"]).status(1);
    assert!(
        run.stdout.contains("3 of 3 checks failed"),
        "{}",
        run.stdout
    );
    sb.write(
        "exercises/basics/first.rs",
        &a.read("solutions/basics/first.rs"),
    );
    let run = sb.run(&["run", "first"]).status(0);
    assert!(run.stdout.contains("all 3 checks passed"), "{}", run.stdout);

    // The teacher adds two exercises; the learner's work and progress stay as they are.
    a.dev(&["new", "second", "--topic", "basics"]).status(0);
    a.dev(&["new", "third", "--topic", "more"]).status(0);
    a.finish();
    sb.write(
        "exercises/more/third.rs",
        "// the learner's own notes, already here\n",
    );
    let learner_file = sb.read("exercises/basics/first.rs");
    let run = sb.run(&["list"]).status(0);
    assert!(
        run.stderr
            .contains("The course has 1 new exercise: second."),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "Cargo.toml now lists them (the previous one is at .backlings/backups/Cargo."
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("done     first"), "{}", run.stdout);
    assert!(run.stdout.contains("current  second"), "{}", run.stdout);
    assert!(run.stdout.contains("1/3 done"), "{}", run.stdout);
    assert_eq!(sb.read("exercises/basics/first.rs"), learner_file);
    assert_eq!(
        sb.read("exercises/more/third.rs"),
        "// the learner's own notes, already here\n"
    );
    assert_eq!(
        sb.read("exercises/basics/second.rs"),
        a.read("exercises/basics/second.rs")
    );
    assert!(sb.read("Cargo.toml").contains("name = \"second\""));
    // Only once: the next start has nothing new to say.
    let run = sb.run(&["list"]).status(0);
    assert!(!run.stderr.contains("new exercise"), "{}", run.stderr);

    // Graded by CI: JUnit XML with a suite per exercise and a case per check.
    let run = sb
        .run(&["check", "--junit", "results.xml", "--json"])
        .status(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["exercises"][0]["status"], "pass");
    assert_eq!(json["exercises"][1]["status"], "fail");
    let xml = sb.read("results.xml");
    assert!(
        xml.contains(r#"<testsuites name="backlings" tests="9" failures="3" errors="3">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testsuite name="first" tests="3" skipped="0" errors="0" failures="0""#),
        "{xml}"
    );
    assert!(
        xml.contains(
            r#"<testcase name="counts_requests_at_or_above_the_threshold" classname="second" "#
        ),
        "{xml}"
    );
    assert!(xml.contains("<error message=\"does not compile"), "{xml}");
}

#[test]
fn checks_share_helpers_through_checks_support_which_learners_never_see() {
    let a = Authoring::with(&[("first", "t")], true);
    a.write(
        "checks/support.rs",
        "pub fn call_text(latencies: &[u64], threshold: u64) -> String {\n    format!(\"slow_requests(&{latencies:?}, {threshold})\")\n}\n",
    );
    let checks = a.read("checks/t/first.rs");
    a.write(
        "checks/t/first.rs",
        &format!(
            "use support::call_text;\n{checks}\n#[test]\nfn one_request_at_the_threshold_is_slow() {{\n    \
             expect_eq!(slow_requests(&[5], 5), 1, \"{{}}\", call_text(&[5], 5));\n}}\n"
        ),
    );
    let run = a.dev(&["check"]).status(0);
    assert_eq!(
        row(&run.stdout, "first"),
        ["first", "4", "ok", "ok", "ms", "1/1"]
    );

    let sb = &a.sb;
    let course = a.course();
    sb.run_in(
        sb.dir.path(),
        &["init", "ws", "--course", course.to_str().unwrap()],
    )
    .status(0);
    assert!(
        !files_under(&sb.ws())
            .iter()
            .any(|f| f.ends_with("support.rs")),
        "the shared helpers reached the workspace"
    );
    sb.write(
        "exercises/t/first.rs",
        &a.read("mutants/t/first/strictly_greater.rs"),
    );
    let run = sb.run(&["run", "first"]).status(1);
    assert!(
        run.stdout
            .contains("slow_requests(&[5], 5) returned 0, expected 1"),
        "{}",
        run.stdout
    );
}

/// `dev classroom` writes a workflow that GitHub's schema accepts, whose every test runs a
/// command that really grades the exercise in the student's repository (with the course
/// checked out beside it, as the workflow does, and `CI` set: strictly).
#[test]
fn dev_classroom_writes_a_valid_workflow_whose_commands_grade_each_exercise() {
    let sb = Sandbox::empty();
    common::two_exercise_course(&sb);
    let course = sb.dir.path().join("course");
    let course_arg = course.to_str().unwrap();
    let ws = sb.ws();
    let ws_arg = ws.to_str().unwrap();

    let refused = sb.run(&["dev", "classroom", "--course", course_arg, "--out", ws_arg]);
    let refused = refused.status(2);
    assert!(
        refused.stderr.contains("pass --course-repo OWNER/NAME"),
        "{}",
        refused.stderr
    );
    let bad = sb.run(&[
        "dev",
        "classroom",
        "--course",
        course_arg,
        "--course-repo",
        "course",
    ]);
    assert!(bad.status(2).stderr.contains("give it as OWNER/NAME"));

    let args = [
        "dev",
        "classroom",
        "--course",
        course_arg,
        "--course-repo",
        "school/course",
        "--out",
        ws_arg,
        "--points",
        "5",
    ];
    let wrote = sb.run(&args).status(0);
    assert!(
        wrote
            .stdout
            .contains("2 autograding tests (10 points in all)"),
        "{}",
        wrote.stdout
    );
    assert!(wrote.stdout.contains("COURSE_TOKEN"), "{}", wrote.stdout);
    let workflow = ws.join(".github/workflows/classroom.yml");
    let again = sb.run(&args).status(2);
    assert!(
        again.stderr.contains("pass --force to replace it"),
        "{}",
        again.stderr
    );
    sb.run(&[&args[..], &["--force"]].concat()).status(0);

    assert_valid_workflow(&workflow);

    let yaml = fs::read_to_string(&workflow).unwrap();
    assert!(yaml.contains("repository: school/course"), "{yaml}");
    assert!(yaml.contains("runners: first,second"), "{yaml}");
    let commands: Vec<&str> = yaml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("command: "))
        .collect();
    assert_eq!(
        commands,
        [
            "backlings run first --course course",
            "backlings run second --course course"
        ]
    );
    // The workflow checks the course out into the student's repository as `course`.
    copy_tree(&course, &ws.join("course"));
    sb.write("exercises/t/second.rs", &common::intro_solution());
    for (command, expected) in commands.iter().zip([1, 0]) {
        let args: Vec<&str> = command.split(' ').skip(1).collect();
        let mut cmd = sb.command_in(&ws, &args);
        cmd.env("CI", "true");
        Run::of(cmd).status(expected);
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for file in files_under(from) {
        let rel = file.strip_prefix(from).unwrap();
        fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
        fs::copy(&file, to.join(rel)).unwrap();
    }
}

/// Fails unless GitHub's workflow schema (through action-validator) accepts `workflow`.
#[track_caller]
fn assert_valid_workflow(workflow: &std::path::Path) {
    let validator = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/ci/node_modules/.bin/action-validator");
    assert!(
        validator.is_file(),
        "{} is missing: run `bash .ci/format-readers` (CI's .ci/run does)",
        validator.display()
    );
    let validated = std::process::Command::new(&validator)
        .arg(workflow)
        .output()
        .unwrap();
    assert!(
        validated.status.success(),
        "{}: {}{}",
        workflow.display(),
        String::from_utf8_lossy(&validated.stdout),
        String::from_utf8_lossy(&validated.stderr)
    );
}

/// The grading workflow the guide shows is one GitHub accepts.
#[test]
fn the_guides_grading_workflow_is_valid() {
    let guide =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/authoring.md")).unwrap();
    let yaml = guide
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the guide shows a workflow");
    assert!(
        yaml.contains("backlings check --course course --junit"),
        "{yaml}"
    );
    let sb = Sandbox::empty();
    let file = sb.dir.path().join("grade.yml");
    fs::write(&file, yaml).unwrap();
    assert_valid_workflow(&file);
}

/// The course is found from any directory inside it, as git finds a repository; naming an
/// exercise shows what caught each mutant; with `--repeat`, a mutant caught only by chance
/// is a problem.
#[test]
fn dev_check_finds_the_course_from_inside_it_and_shows_what_caught_each_mutant() {
    let a = Authoring::with(&[("slow_log", "logs")], true);
    let inside = a.path("checks/logs");
    let mut args = vec!["dev", "check", "slow_log"];
    let run = a.sb.run_in(&inside, &args).status(0);
    assert!(
        run.stdout.contains("ok: 1 exercise is sound"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("What caught each mutant")
            && run.stdout.contains("  slow_log strictly_greater: "),
        "{}",
        run.stdout
    );

    // A mutant that is wrong in about half of its runs (a coin tossed once per run): 16 runs
    // all alike happen once in 30,000.
    a.write(
        "mutants/logs/slow_log/sometimes_wrong.rs",
        "pub fn slow_requests(latencies_ms: &[u64], threshold_ms: u64) -> usize {\n    \
         use std::hash::{BuildHasher, Hasher};\n    \
         static COIN: std::sync::OnceLock<u64> = std::sync::OnceLock::new();\n    \
         let coin = *COIN.get_or_init(|| std::collections::hash_map::RandomState::new().build_hasher().finish());\n    \
         let n = latencies_ms.iter().filter(|&&l| l >= threshold_ms).count();\n    \
         if coin % 2 == 0 { n + 1 } else { n }\n}\n",
    );
    args.extend(["--repeat", "16"]);
    let run = a.sb.run_in(&inside, &args).status(1);
    assert!(
        run.stdout
            .contains("slow_log mutant sometimes_wrong: survived")
            && run
                .stdout
                .contains("of 16 runs; the checks catch it only by chance"),
        "{}",
        run.stdout
    );
}

/// A `pub fn` of the stub that no check calls is named: nothing would notice if a learner
/// got it wrong. It is a warning: the course is still sound.
#[test]
fn dev_check_warns_about_a_stub_function_no_check_calls() {
    let a = Authoring::with(&[("slow_log", "logs")], true);
    let stub = a.read("exercises/logs/slow_log.rs");
    a.write(
        "exercises/logs/slow_log.rs",
        &format!("{stub}\npub fn is_slow(latency_ms: u64) -> bool {{\n    todo!(\"{{latency_ms}}\")\n}}\n"),
    );
    let line = 1 + a
        .read("exercises/logs/slow_log.rs")
        .lines()
        .position(|l| l.starts_with("pub fn is_slow"))
        .unwrap();
    let run = a.dev(&["check", "slow_log"]).status(0);
    assert!(
        slashed(&run.stdout).contains(&format!(
            "warning: exercises/logs/slow_log.rs:{line}: the stub declares `fn is_slow`, which no \
             check in checks/logs/slow_log.rs calls"
        )),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("`fn slow_requests`"), "{}", run.stdout);
}

/// A mutant only has to fail: its run stops at the first failed check, so a later check it
/// would hang in never starts, and what caught it is that check, not the time limit.
#[test]
fn dev_check_stops_a_mutant_at_its_first_failed_check() {
    let a = Authoring::with(&[("slow_log", "logs")], true);
    // Wrong at threshold 0, which the first check in name order asks; hangs on an empty list,
    // which only the last one does.
    a.write(
        "mutants/logs/slow_log/hangs_on_an_empty_list.rs",
        "pub fn slow_requests(latencies_ms: &[u64], threshold_ms: u64) -> usize {\n    \
         while latencies_ms.is_empty() {\n        std::thread::park();\n    }\n    \
         latencies_ms.iter().filter(|&&l| l > threshold_ms).count()\n}\n",
    );
    let run = a.dev(&["check", "slow_log"]).status(0);
    assert!(
        run.stdout.contains(
            "  slow_log hangs_on_an_empty_list: a_zero_threshold_makes_every_request_slow: \
             slow_requests(&[0, 1, .., 999], 0) returned 999, expected 1000"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        row(&run.stdout, "slow_log").last(),
        Some(&"2/2"),
        "{}",
        run.stdout
    );
}

/// A course `dev new` made is a Cargo project that rust-analyzer loads without an error in
/// any course file, the kit and the course's support included, and `cargo test` in it runs
/// every exercise's checks against its reference solution. A Cargo.toml of the author's own
/// is never replaced.
#[test]
fn dev_new_makes_a_course_that_rust_analyzer_and_cargo_understand() {
    let a = Authoring::with(&[("first", "t"), ("second", "u")], true);
    a.write(
        "checks/support.rs",
        "pub fn call_text(latencies: &[u64], threshold: u64) -> String {\n    format!(\"slow_requests(&{latencies:?}, {threshold})\")\n}\n",
    );
    let checks = a.read("checks/t/first.rs");
    a.write(
        "checks/t/first.rs",
        &format!(
            "use crate::kit::learner;\nuse crate::support::call_text;\n{checks}\n#[test]\n\
             fn one_request_at_the_threshold_is_slow() {{\n    \
             let got = learner(|| call_text(&[5], 5), || slow_requests(&[5], 5));\n    \
             expect_eq!(got, 1, \"{{}}\", call_text(&[5], 5));\n}}\n"
        ),
    );
    // Adding an exercise writes the project again, now with the support module.
    a.dev(&["new", "third", "--topic", "u"]).status(0);
    a.finish();
    assert!(a.read(".ide/first.rs").contains("mod support;"));
    a.dev(&["check"]).status(0);

    let course = a.course();
    let cargo = std::process::Command::new(env!("CARGO"))
        .args(["test", "--offline", "--quiet"])
        .current_dir(&course)
        .env("CARGO_TARGET_DIR", a.sb.dir.path().join("course-target"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&cargo.stdout);
    assert!(
        cargo.status.success(),
        "cargo test in the course failed:\n{out}\n{}",
        String::from_utf8_lossy(&cargo.stderr)
    );
    // 3 scaffold checks per exercise, and the one added to `first`.
    assert_eq!(out.matches("test result: ok.").count(), 3, "{out}");
    assert!(out.contains("4 passed"), "{out}");

    let analyzer = std::process::Command::new("rust-analyzer")
        .arg("diagnostics")
        .arg(&course)
        .output()
        .expect("rust-analyzer runs (`rustup component add rust-analyzer`; .ci/run installs it)");
    let report = String::from_utf8_lossy(&analyzer.stdout).replace('\r', "\n");
    assert!(
        analyzer.status.success(),
        "rust-analyzer found errors in the course:\n{report}\n{}",
        String::from_utf8_lossy(&analyzer.stderr)
    );
    for file in [
        "checks/t/first.rs",
        "checks/support.rs",
        ".ide/kit.rs",
        "solutions/u/second.rs",
        "exercises/u/third.rs",
        "mutants/t/first/strictly_greater.rs",
    ] {
        assert!(
            report.contains(
                &file
                    .split('/')
                    .fold(course.clone(), |path, part| path.join(part))
                    .display()
                    .to_string()
            ),
            "rust-analyzer never analysed {file}:\n{report}"
        );
    }

    let own = "[package]\nname = \"my-course-tools\"\nversion = \"1.0.0\"\nedition = \"2021\"\n";
    a.write("Cargo.toml", own);
    let run = a.dev(&["new", "fourth", "--topic", "u"]).status(0);
    assert_eq!(
        a.read("Cargo.toml"),
        own,
        "the author's Cargo.toml was replaced"
    );
    assert!(
        run.stdout
            .contains("is not backlings', so no editor project was written"),
        "{}",
        run.stdout
    );
}

/// `dev check --mutate` runs cargo-mutants over each reference solution against its checks:
/// a survivor is reported with its diff until the course records why it is equivalent, and
/// a record no survivor needs any more is named.
#[test]
fn dev_check_mutate_reports_survivors_until_they_are_explained() {
    let a = Authoring::with(&[("slow_log", "logs")], true);
    let solution = a.read("solutions/logs/slow_log.rs");
    // `+ 0` makes a mutant no check can catch: `- 0` is the same solution.
    a.write(
        "solutions/logs/slow_log.rs",
        &solution.replace(".count()\n", ".count() + 0\n"),
    );
    let run = a.dev(&["check", "--mutate"]).status(1);
    assert!(
        run.stdout.contains(
            "problem: slow_log mutant `replace + with - in slow_requests` survives every check"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("+    latencies_ms.iter().filter(|&&l| l >= threshold_ms).count() - /* ~ changed by cargo-mutants ~ */ 0"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1 unexplained surviving mutant(s)"),
        "{}",
        run.stdout
    );

    a.write(
        "mutants/logs/slow_log/equivalent.toml",
        "[[equivalent]]\nmutant = \"replace + with - in slow_requests\"\nwhy = \"adding or taking 0 is the same\"\n\n\
         [[equivalent]]\nmutant = \"replace < with <= in gone\"\nwhy = \"a function that is no more\"\n",
    );
    let run = a.dev(&["check", "--mutate"]).status(0);
    let table_row = row(&run.stdout, "slow_log");
    assert_eq!(table_row.last(), Some(&"0"), "{}", run.stdout);
    assert!(
        slashed(&run.stdout).contains(
            "warning: mutants/logs/slow_log/equivalent.toml: `replace < with <= in gone` is no \
             longer a surviving mutant; remove its entry"
        ),
        "{}",
        run.stdout
    );
    // The record is course content like the mutants: the regular proof accepts it.
    a.dev(&["check"]).status(0);
}

/// Debriefs are optional, but a course that has one has one for every exercise, each short
/// enough to read in one sitting.
#[test]
fn dev_check_wants_a_debrief_for_every_exercise_once_the_course_has_one() {
    let a = Authoring::with(&[("first", "t"), ("second", "t")], true);
    a.dev(&["check"]).status(0);
    let long_line = "word ".repeat(30);
    a.write(
        "debriefs/t/first.md",
        &format!("# first: debrief\n\n## Complexity\n\n{long_line}\n"),
    );
    a.check_fails_with(
        &[],
        &[
            "debriefs/t/second.md: no debrief, which the course's other exercises have",
            "debriefs/t/first.md:5: a line longer than 100 columns; wrap it",
        ],
    );
    a.write("debriefs/t/first.md", &"line\n".repeat(91));
    a.write("debriefs/t/second.md", "# second: debrief\n");
    a.check_fails_with(
        &[],
        &["debriefs/t/first.md: the debrief has 91 lines; keep it within 90 (two screens)"],
    );
    a.write("debriefs/t/first.md", "# first: debrief\n");
    a.dev(&["check"]).status(0);
}
