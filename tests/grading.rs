//! Grading a class: `check` as CI runs it, with reports that classroom tools read.

mod common;

use common::{Sandbox, files_under, intro_solution, two_exercise_course};

#[test]
fn an_exercise_that_cannot_be_graded_is_reported_and_the_others_still_are() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    std::fs::remove_file(sb.ws().join("exercises/t/first.rs")).unwrap();
    sb.write("exercises/t/second.rs", &intro_solution());
    let junit = sb.dir.path().join("results.xml");
    let run = sb
        .run(&["check", "--json", "--junit", junit.to_str().unwrap()])
        .status(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["status"], "fail", "{json}");
    let first = &json["exercises"][0];
    assert_eq!(first["exercise"], "first");
    assert_eq!(first["status"], "error");
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("first.rs is missing"),
        "{first}"
    );
    assert_eq!(json["exercises"][1]["status"], "pass", "{json}");
    // The pass was recorded.
    let list = sb.run(&["list"]).status(0).stdout;
    assert!(list.contains("done     second"), "{list}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testcase name=\"grading\" classname=\"first\">"),
        "{xml}"
    );
    assert!(xml.contains("<error message=\""), "{xml}");
    let text = sb.run(&["check"]).status(1).stdout;
    assert!(
        text.contains("could not be graded: exercises/t/first.rs is missing"),
        "{text}"
    );
    assert!(text.contains("1/2 exercises pass"), "{text}");
}

#[test]
fn the_overall_status_is_error_only_when_nothing_ran() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    for name in ["first", "second"] {
        std::fs::remove_file(sb.ws().join(format!("exercises/t/{name}.rs"))).unwrap();
    }
    let run = sb.run(&["check", "--json"]).status(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["status"], "error", "{json}");
}

/// A course whose checks all pass whatever the code: what a student could point their
/// state file at.
fn forged_course(sb: &Sandbox) {
    let forged = sb.ws().join("my-course");
    let real = sb.dir.path().join("course");
    for entry in files_under(&real) {
        let rel = entry.strip_prefix(&real).unwrap();
        let dest = forged.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(&entry).unwrap();
        let text = if rel.starts_with("checks") {
            // The real check names, with empty bodies.
            text.lines()
                .filter(|l| l.starts_with("#[test]") || l.starts_with("fn "))
                .map(|l| {
                    if l.starts_with("fn ") {
                        format!("{l}}}")
                    } else {
                        l.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            text
        };
        std::fs::write(dest, text).unwrap();
    }
}

#[test]
fn the_instructors_course_decides_not_the_students_state_file() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    forged_course(&sb);
    let state = sb.read(".backlings/state.toml");
    let course_line = state.lines().find(|l| l.starts_with("course =")).unwrap();
    sb.write(
        ".backlings/state.toml",
        &state.replace(course_line, "course = \"my-course\""),
    );
    // The forge works where nothing else is said...
    sb.run(&["check"]).status(0);
    // ...but not in CI, where the course must be named,
    let mut ci = sb.command_in(&sb.ws(), &["check", "--junit", "r.xml"]);
    ci.env("CI", "true");
    let refused = common::Run::of(ci).status(2);
    assert!(
        refused.stderr.contains("pass --course"),
        "{}",
        refused.stderr
    );
    // and the instructor's course grades the untouched stubs as failing.
    let course = sb.dir.path().join("course");
    let mut ci = sb.command_in(
        &sb.ws(),
        &["check", "--json", "--course", course.to_str().unwrap()],
    );
    ci.env("CI", "true");
    let graded = common::Run::of(ci).status(1);
    let json: serde_json::Value = serde_json::from_str(&graded.stdout).unwrap();
    assert_eq!(json["status"], "fail", "{json}");
    let mut run = sb.command_in(
        &sb.ws(),
        &["run", "first", "--course", course.to_str().unwrap()],
    );
    run.env("CI", "true");
    common::Run::of(run).status(1);
}

#[test]
fn a_course_that_does_not_fit_the_workspace_is_refused() {
    let sb = Sandbox::init();
    two_exercise_course_files(&sb);
    let course = sb.dir.path().join("course");
    let run = sb
        .run(&["check", "--course", course.to_str().unwrap()])
        .status(2);
    assert!(
        run.stderr.contains("is it the right course?"),
        "{}",
        run.stderr
    );
    // The built-in course fits the built-in workspace.
    let run = sb.run(&["run", "intro", "--course", "builtin"]).status(1);
    assert!(run.stdout.contains("checks failed"), "{}", run.stdout);
}

/// The files of `two_exercise_course`, without a workspace for them.
fn two_exercise_course_files(sb: &Sandbox) {
    let other = Sandbox::empty();
    two_exercise_course(&other);
    for file in files_under(&other.dir.path().join("course")) {
        let rel = file.strip_prefix(other.dir.path()).unwrap();
        let dest = sb.dir.path().join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, dest).unwrap();
    }
}

#[test]
fn a_workspace_and_its_course_move_together() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let state = sb.read(".backlings/state.toml");
    assert!(state.contains("course = \"../course\""), "{state}");
    let moved = sb.dir.path().join("moved");
    std::fs::create_dir(&moved).unwrap();
    std::fs::rename(sb.ws(), moved.join("ws")).unwrap();
    std::fs::rename(sb.dir.path().join("course"), moved.join("course")).unwrap();
    let run = sb.run_in(&moved.join("ws"), &["list"]).status(0);
    assert!(run.stdout.contains("first"), "{}", run.stdout);
}

#[test]
fn checks_a_timeout_kept_from_running_are_skipped_in_junit() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    sb.write(
        "exercises/t/first.rs",
        "pub fn health_body(_version: &str) -> String {\n    loop { std::thread::sleep(std::time::Duration::from_millis(50)); }\n}\n",
    );
    let junit = sb.dir.path().join("results.xml");
    sb.run(&["check", "--junit", junit.to_str().unwrap()])
        .status(1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(r#"<testsuite name="first" tests="3" skipped="2" errors="1" failures="0""#),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message=\"not run: check reports_the_given_version timed out\""),
        "{xml}"
    );
}

#[test]
fn junit_says_what_kind_of_failure_each_is_and_why_a_file_did_not_compile() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    sb.write(
        "exercises/t/first.rs",
        "pub fn health_body(version: &str) -> String {\n    let port: u16 = \"8080\";\n    version.to_string()\n}\n",
    );
    sb.write(
        "exercises/t/second.rs",
        "pub fn health_body(version: &str) -> String {\n    version.to_string()\n}\n",
    );
    let junit = sb.dir.path().join("results.xml");
    sb.run(&["check", "--junit", junit.to_str().unwrap()])
        .status(1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(r#"type="compile error""#), "{xml}");
    assert!(xml.contains(r#"type="check failed""#), "{xml}");
    // Every error of the file that did not compile carries the compiler's output.
    let compile_errors = xml.matches("mismatched types").count();
    assert!(compile_errors >= 3, "{xml}");
}

/// What a JUnit reader makes of `xml`: it must validate against Jenkins' junit-10 schema, and
/// junitparser (what many CI reporters use) gives each test case as
/// `SUITE/NAME RESULT TYPE TIME?`. `.ci/format-readers` installs both.
fn read_as_ci_does(xml: &std::path::Path) -> Vec<String> {
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci/junit-10.xsd");
    assert!(
        xsd.is_file(),
        "{} is missing: run `bash .ci/format-readers` (CI's .ci/run does)",
        xsd.display()
    );
    let script = r#"
import sys, junitparser, xmlschema
xmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2])
for suite in junitparser.JUnitXml.fromfile(sys.argv[2]):
    for case in suite:
        kinds = [(r._tag, r.type or "") for r in case.result] or [("pass", "")]
        timed = "timed" if case._elem.get("time") is not None else "untimed"
        for kind, type_ in kinds:
            print(f"{suite.name}/{case.name} {kind} {type_.replace(' ', '_') or '-'} {timed}")
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&xsd)
        .arg(xml)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "the report does not read cleanly (`bash .ci/format-readers` installs the readers):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Every kind of result a report holds (a pass, a failure, a timeout and the checks it kept
/// from running, a compile error, an exercise that cannot be graded) validates against the
/// junit-10 schema and reads in junitparser as what it is; each check that ran has its time.
#[test]
fn junit_reports_read_cleanly_in_the_tools_ci_uses() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let junit = sb.dir.path().join("results.xml");
    let junit_arg = junit.to_str().unwrap();

    sb.write(
        "exercises/t/first.rs",
        "pub fn health_body(version: &str) -> String {\n    println!(\"asked for {version}\");\n    if version == \"2.0.0\" { loop {} }\n    String::new()\n}\n",
    );
    sb.write("exercises/t/second.rs", &intro_solution());
    sb.run(&["check", "--junit", junit_arg]).status(1);
    assert_eq!(
        read_as_ci_does(&junit),
        [
            "first/reports_the_given_version failure check_failed timed",
            "first/uses_no_spaces error timeout untimed",
            "first/works_for_any_version_string skipped - untimed",
            "second/reports_the_given_version pass - timed",
            "second/uses_no_spaces pass - timed",
            "second/works_for_any_version_string pass - timed",
        ]
    );

    sb.write("exercises/t/first.rs", "pub fn health_body( {}\n");
    std::fs::remove_file(sb.ws().join("exercises/t/second.rs")).unwrap();
    sb.run(&["check", "--junit", junit_arg]).status(1);
    assert_eq!(
        read_as_ci_does(&junit),
        [
            "first/reports_the_given_version error compile_error untimed",
            "first/uses_no_spaces error compile_error untimed",
            "first/works_for_any_version_string error compile_error untimed",
            "second/grading error - untimed",
        ]
    );
}

/// A check is a test the checks' binary has: a `#[test]` only in a comment of the checks
/// file is none, so it cannot fail every solution.
#[test]
fn a_test_in_a_comment_of_the_checks_file_is_no_check() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let checks = sb.dir.path().join("course/checks/t/first.rs");
    let mut text = std::fs::read_to_string(&checks).unwrap();
    text.push_str("\n/*\n#[test]\nfn ghost() {\n    panic!(\"retired\");\n}\n*/\n");
    std::fs::write(&checks, text).unwrap();
    sb.write(
        "exercises/t/first.rs",
        &intro_solution().replace("super::intro::", "super::first::"),
    );
    let run = sb.run(&["run", "first", "--json"]).status(0);
    assert!(!run.stdout.contains("ghost"), "{}", run.stdout);
}
