//! Strict mode (`check --strict`), which graded work gets by default in CI: the learner's file
//! may not use `unsafe`, and the checks run in bubblewrap's sandbox. Each test grades a
//! learner file that tries to reach past the sandbox, with the real binary against the intro
//! checks (`health_body`), and reads what the attempt found from the check's failure message.
// bubblewrap is Linux's; `.ci/run` installs it, so a machine without it fails here, loudly.
#![cfg(target_os = "linux")]

mod common;

use std::fs;

use common::Sandbox;

/// The first exercise's results from `check --json` and `args` with `source` as its file.
fn grade_strictly(source: &str, args: &[&str], envs: &[(&str, &str)]) -> serde_json::Value {
    let sb = Sandbox::empty();
    common::two_exercise_course(&sb);
    let tmp = sb.temp_dir();
    sb.write("exercises/t/first.rs", source);
    let mut cmd = sb.command_in(&sb.ws(), &["check", "--json"]);
    cmd.args(args).env("TMPDIR", &tmp);
    for (key, value) in envs {
        cmd.env(key, value);
    }
    let run = common::Run::of(cmd);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    let left: Vec<_> = fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "left in the temp dir: {left:?}");
    json["exercises"][0].clone()
}

/// A learner file whose `health_body` returns what `body` finds.
fn learner(items: &str, body: &str) -> String {
    format!(
        "{items}\npub fn health_body(version: &str) -> String {{\n    let _ = version;\n    {body}\n}}\n"
    )
}

/// Every message of a result, for looking for words in.
fn text(results: &serde_json::Value) -> String {
    let mut text = results["message"].as_str().unwrap_or_default().to_string();
    for test in results["tests"].as_array().into_iter().flatten() {
        text.push('\n');
        text.push_str(test["message"].as_str().unwrap_or_default());
    }
    text
}

#[test]
fn a_correct_file_passes() {
    let correct = learner(
        "",
        r###"format!(r#"{{"status":"ok","version":"{version}"}}"#)"###,
    );
    let results = grade_strictly(&correct, &["--strict"], &[]);
    assert_eq!(results["status"], "pass", "{}", text(&results));
}

/// `unsafe` is what could reach past the checks from inside the process (the C library's
/// functions, memory); the ban is a `forbid` on the module, which the file cannot lift.
#[test]
fn unsafe_code_does_not_compile_even_under_an_allow() {
    let source = learner(
        "#![allow(unsafe_code)]\nunsafe extern \"C\" {\n    fn getpid() -> i32;\n}",
        "unsafe { getpid() }.to_string()",
    );
    let results = grade_strictly(&source, &["--strict"], &[]);
    assert_eq!(results["status"], "error");
    assert!(text(&results).contains("unsafe_code"), "{}", text(&results));
    // Not strict, the same file compiles (and fails the checks).
    let results = grade_strictly(&source, &[], &[]);
    assert_eq!(results["status"], "fail", "{}", text(&results));
}

/// What the test process can see: none of the workspace, the home directory, `/proc` or the
/// network; its working directory is empty; its parent is the sandbox's own init.
#[test]
fn the_checks_see_nothing_of_the_machine() {
    let body = r#"let paths = ["/proc/self/environ", "/root", "/home", "/etc/passwd", "/work/main"]
        .iter().filter(|p| std::path::Path::new(p).exists()).count();
    let here = std::fs::read_dir(".").map(|d| d.count()).unwrap_or(99);
    let net = std::net::TcpStream::connect("1.1.1.1:80").is_ok();
    format!("paths {paths} here {here} net {net} parent {}", std::os::unix::process::parent_id())"#;
    let results = grade_strictly(&learner("", body), &["--strict"], &[]);
    let text = text(&results);
    assert!(
        text.contains("returned \"paths 0 here 0 net false parent 1\""),
        "{text}"
    );
}

/// A process that leaves its session and stops its parent (the sandbox's init, the only
/// parent it can see) neither outlives the grade nor holds it past the time limit.
#[test]
fn processes_the_checks_start_end_with_them() {
    let body = r#"let _ = std::process::Command::new("sh")
        .args(["-c", "setsid sleep 271828 >/dev/null 2>&1 & kill -STOP 1; echo done"])
        .output();
    String::from("done")"#;
    let results = grade_strictly(&learner("", body), &["--strict"], &[]);
    assert_eq!(results["status"], "fail", "{}", text(&results));
    let stray = common::processes_touching(std::path::Path::new("/nonexistent"), "271828");
    assert!(stray.is_empty(), "processes left running: {stray:?}");
}

/// Files the checks write go to memory that is capped, and are gone after the grade.
#[test]
fn scratch_space_is_capped() {
    let body = r#"let chunk = vec![7u8; 1 << 20];
    let mut written = 0;
    for dir in ["/dev/shm", "/tmp", "."] {
        let mut file = std::fs::File::create(format!("{dir}/fill")).unwrap();
        use std::io::Write;
        while written < 4096 && file.write_all(&chunk).is_ok() { written += 1; }
    }
    format!("wrote {} MiB", written.min(4096) / 100 * 100)"#;
    let results = grade_strictly(&learner("", body), &["--strict"], &[]);
    let text = text(&results);
    assert!(text.contains("returned \"wrote 100 MiB\""), "{text}");
}

/// In CI, a report file or the instructor's course means graded work: strict unless told not.
#[test]
fn ci_grades_strictly_when_grading_against_the_instructors_course() {
    let source = learner(
        "unsafe extern \"C\" {\n    fn getpid() -> i32;\n}",
        "unsafe { getpid() }.to_string()",
    );
    let course = ["--course", "../course"];
    let strict = grade_strictly(&source, &course, &[("CI", "true")]);
    assert_eq!(strict["status"], "error", "{}", text(&strict));
    assert!(text(&strict).contains("unsafe_code"), "{}", text(&strict));
    let lax = grade_strictly(
        &source,
        &[&course[..], &["--no-strict"]].concat(),
        &[("CI", "true")],
    );
    assert_eq!(lax["status"], "fail", "{}", text(&lax));
}

/// `run`, which a classroom autograder calls once per exercise, grades the same way.
#[test]
fn run_grades_strictly_too() {
    let sb = Sandbox::empty();
    common::two_exercise_course(&sb);
    sb.write(
        "exercises/t/first.rs",
        &learner(
            "unsafe extern \"C\" {\n    fn getpid() -> i32;\n}",
            "unsafe { getpid() }.to_string()",
        ),
    );
    let mut cmd = sb.command_in(
        &sb.ws(),
        &["run", "first", "--json", "--course", "../course"],
    );
    cmd.env("CI", "true");
    let run = common::Run::of(cmd);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    assert_eq!(json["status"], "error", "{json}");
    assert!(text(&json).contains("unsafe_code"), "{json}");
}

/// Graded work trusts no build output found in the workspace, where a student could commit
/// some: a kit library planted in its cache, which practice grades link, is not what a strict
/// grade links, and a strict grade builds nothing there.
#[test]
fn a_strict_grade_links_nothing_from_the_workspace_cache() {
    let sb = Sandbox::empty();
    common::two_exercise_course(&sb);
    sb.write(
        "exercises/t/first.rs",
        &learner(
            "",
            r###"format!(r#"{{"status":"ok","version":"{version}"}}"#)"###,
        ),
    );
    let grade = |strict: &str| {
        let run = sb.run_in(&sb.ws(), &["run", "first", "--json", strict]);
        serde_json::from_str::<serde_json::Value>(&run.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
    };
    assert_eq!(grade("--no-strict")["status"], "pass");
    let cache = sb.ws().join(".backlings/cache");
    let kits: Vec<_> = fs::read_dir(cache.join("kit")).unwrap().flatten().collect();
    assert_eq!(kits.len(), 1, "{kits:?}");
    fs::write(kits[0].path(), "not a library").unwrap();

    // Practice links the planted file (so that is where a grade would look)...
    let practice = grade("--no-strict");
    assert_eq!(practice["status"], "error", "{practice}");
    fs::remove_dir_all(cache.join("first")).unwrap();
    // ...a strict grade does not, and leaves the cache as it found it.
    let strict = grade("--strict");
    assert_eq!(strict["status"], "pass", "{}", text(&strict));
    assert!(!cache.join("first").join("incremental").exists());
}
