//! A hostile environment: read-only or full disks, a missing or old compiler, broken course
//! files, several backlings at once, and being killed mid-write. Each gets a specific message
//! with the fix, and progress is never lost.
// Mount namespaces (unshare) and /proc are Linux's.
#![cfg(target_os = "linux")]

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{BIN, Run, Sandbox};

#[track_caller]
fn says(run: &Run, needles: &[&str]) {
    for needle in needles {
        assert!(
            run.stderr.contains(needle),
            "expected {needle:?} on stderr:\n{}\n(stdout: {})",
            run.stderr,
            run.stdout
        );
    }
}

/// Runs `script` with `sh` in a private mount namespace (so it may mount file systems) with
/// `$BIN` set to the binary and `$WS` to the workspace.
fn with_private_mounts(sb: &Sandbox, script: &str) -> Run {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut cmd = Command::new("unshare");
    // Not root: a user namespace maps us to root inside it, where mounting is allowed.
    cmd.args(if root { &["-m"][..] } else { &["-r", "-m"][..] })
        .args(["sh", "-c", script])
        .current_dir(sb.ws())
        .env("BIN", BIN)
        .env("WS", sb.ws())
        .env("NO_COLOR", "1");
    Run::of(cmd)
}

#[test]
fn a_read_only_workspace_is_named_with_the_fix() {
    let sb = Sandbox::init();
    let run = with_private_mounts(
        &sb,
        r#"mount --bind "$WS" "$WS" && mount -o remount,bind,ro "$WS" && exec "$BIN" run intro"#,
    )
    .status(2);
    says(
        &run,
        &[
            "cannot write in the workspace",
            "read-only file system",
            "copy the workspace somewhere writable",
        ],
    );
}

#[test]
fn a_read_only_workspace_still_lists_shows_stats_hints_and_solutions() {
    let sb = Sandbox::init();
    sb.write(
        "exercises/intro/intro.rs",
        &common::course_file("solutions/intro/intro.rs"),
    );
    sb.run(&["run", "intro"]).status(0);
    let read_only = r#"mount --bind "$WS" "$WS" && mount -o remount,bind,ro "$WS" && "#;
    for (command, shows) in [
        ("list", "done"),
        ("stats", "Progress:"),
        ("hint intro", "Hint 1/"),
        ("solution intro", "pub fn health_body"),
    ] {
        let run =
            with_private_mounts(&sb, &format!("{read_only}exec \"$BIN\" {command}")).status(0);
        assert!(
            run.stdout.contains(shows),
            "{command}: {}\n{}",
            run.stdout,
            run.stderr
        );
    }
    let hint = with_private_mounts(&sb, &format!("{read_only}exec \"$BIN\" hint intro"));
    assert!(
        hint.stderr.contains("shown but not remembered"),
        "{}",
        hint.stderr
    );
}

#[test]
fn a_build_cache_that_cannot_be_written_is_no_compile_error() {
    let sb = Sandbox::init();
    sb.run(&["run", "intro"]).status(1);
    let cache = sb.ws().join(".backlings/cache/intro");
    let script = format!(
        r#"mount --bind '{0}' '{0}' && mount -o remount,bind,ro '{0}' && exec "$BIN" run intro"#,
        cache.display()
    );
    let run = with_private_mounts(&sb, &script).status(2);
    says(&run, &["cannot write the build cache", "delete it"]);
    assert!(!run.stdout.contains("error["), "{}", run.stdout);
}

#[test]
fn a_full_disk_is_named_with_the_fix() {
    let sb = Sandbox::init();
    let cache = sb.ws().join(".backlings/cache");
    fs::create_dir_all(&cache).unwrap();
    let script = format!(
        r#"mount -t tmpfs -o size=64k tmpfs '{}' && exec "$BIN" run intro"#,
        cache.display()
    );
    let run = with_private_mounts(&sb, &script).status(2);
    says(
        &run,
        &[
            "No space left on device",
            "the disk is full",
            ".backlings/cache",
            "TMPDIR",
        ],
    );
}

#[test]
fn a_missing_or_unwritable_temp_dir_is_named_with_the_fix() {
    let sb = Sandbox::init();
    for (tmpdir, fix) in [
        ("/nonexistent/backlings", "it does not exist"),
        ("/proc", "it is not writable"),
    ] {
        let mut cmd = sb.command_in(&sb.ws(), &["run", "intro"]);
        cmd.env("TMPDIR", tmpdir);
        let run = Run::of(cmd).status(2);
        says(
            &run,
            &[&format!("cannot create a build directory in {tmpdir}"), fix],
        );
    }
}

#[test]
fn a_missing_rustc_says_how_to_install_it() {
    let sb = Sandbox::init();
    let empty = sb.dir.path().join("empty-path");
    fs::create_dir(&empty).unwrap();
    let mut cmd = sb.command_in(&sb.ws(), &["run", "intro"]);
    cmd.env("PATH", &empty);
    let run = Run::of(cmd).status(2);
    says(
        &run,
        &["`rustc` was not found on PATH", "https://rustup.rs"],
    );
}

#[test]
fn a_too_old_rustc_says_how_to_update() {
    let sb = Sandbox::init();
    let bin = sb.dir.path().join("old-toolchain");
    fs::create_dir(&bin).unwrap();
    let rustc = bin.join("rustc");
    fs::write(
        &rustc,
        "#!/bin/sh\ncase \"$*\" in\n  *sysroot*) echo /nonexistent ;;\n  *) printf 'rustc 1.70.0 (90c541806 2023-05-31)\\nrelease: 1.70.0\\n' ;;\nesac\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&rustc, fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = sb.command_in(&sb.ws(), &["run", "intro"]);
    cmd.env("PATH", format!("{}:/usr/bin:/bin", bin.display()));
    let run = Run::of(cmd).status(2);
    says(&run, &["rustc 1.70.0 is too old", "rustup update stable"]);
}

/// A one-exercise course in `dir` whose info.toml entry is `entry`.
fn course_with(dir: &Path, entry: &str) {
    for kind in ["exercises", "solutions", "checks"] {
        let path = dir.join(format!("{kind}/intro/intro.rs"));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, common::course_file(&format!("{kind}/intro/intro.rs"))).unwrap();
    }
    fs::write(
        dir.join("info.toml"),
        format!("format_version = 1\nwelcome_message = \"w\"\nfinal_message = \"f\"\n\n{entry}"),
    )
    .unwrap();
}

#[test]
fn broken_course_files_are_reported_with_file_line_and_column() {
    let good =
        "[[exercises]]\nname = \"intro\"\ndir = \"intro\"\nsummary = \"s\"\nhints = [\"h\"]\n";
    let cases = [
        (
            good.replace("summary", "sumary"),
            vec![
                "course/info.toml:8:1: unknown field `sumary`",
                "expected one of",
            ],
        ),
        (
            format!("{good}\n{good}"),
            vec![
                "info.toml:12:8",
                "duplicate exercise name \"intro\"",
                "info.toml:6:8",
            ],
        ),
        (
            good.replace(
                "summary = \"s\"",
                "summary = \"s\"\ntime_limit_secs = \"5\"",
            ),
            vec!["course/info.toml:9:19: invalid type: string \"5\""],
        ),
        (
            good.replace("dir = \"intro\"", "dir = \"elsewhere\""),
            vec![
                "info.toml:6:8",
                "exercise \"intro\" needs the file exercises/elsewhere/intro.rs",
            ],
        ),
        (
            good.replace("name = \"intro\"", "name = \"Intro-1\""),
            vec!["info.toml:6:8", "must be a lowercase Rust identifier"],
        ),
    ];
    for (entry, needles) in cases {
        let sb = Sandbox::empty();
        let course = sb.dir.path().join("course");
        course_with(&course, &entry);
        let run = sb
            .run_in(sb.dir.path(), &["init", "ws", "--course", "course"])
            .status(2);
        says(&run, &needles);
        assert!(
            !sb.ws().join(".backlings").exists(),
            "init left a workspace behind"
        );
    }

    let sb = Sandbox::empty();
    let course = sb.dir.path().join("course");
    course_with(&course, good);
    let info = course.join("info.toml");
    let text = fs::read_to_string(&info).unwrap();
    fs::write(
        &info,
        text.replace("format_version = 1", "format_version = 7"),
    )
    .unwrap();
    let run = sb
        .run_in(sb.dir.path(), &["init", "ws", "--course", "course"])
        .status(2);
    says(
        &run,
        &["info.toml:1:18", "format_version 7 is not supported"],
    );
}

#[test]
fn concurrent_runs_in_one_workspace_lose_no_progress() {
    let sb = Sandbox::init();
    // Six exercises at once: each run's attempt must survive the other five's updates.
    let mut names = Vec::new();
    for (topic, name) in common::course_exercises().into_iter().take(6) {
        // Changed from the stub, so that each grade is an attempt.
        let rel = format!("exercises/{topic}/{name}.rs");
        sb.write(&rel, &format!("{}\n// tried\n", sb.read(&rel)));
        names.push(name);
    }
    let runs: Vec<_> = names
        .iter()
        .map(|name| {
            sb.command_in(&sb.ws(), &["run", name])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in runs {
        assert_eq!(child.wait().unwrap().code(), Some(1));
    }
    let state: toml::Table = sb.read(".backlings/state.toml").parse().unwrap();
    for name in &names {
        assert_eq!(
            state["exercises"][name.as_str()]["attempts"].as_integer(),
            Some(1),
            "{name}: {state}"
        );
    }
}

#[test]
fn killing_the_tool_at_any_moment_leaves_readable_progress() {
    let sb = Sandbox::init();
    sb.write(
        "exercises/intro/intro.rs",
        &common::course_file("solutions/intro/intro.rs"),
    );
    // SIGKILL leaves no chance to remove temporary directories: they go with the sandbox.
    let tmp = sb.temp_dir();
    for delay_ms in (0..400).step_by(25) {
        let mut child = sb
            .command_in(&sb.ws(), &["check"])
            .env("TMPDIR", &tmp)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        let run = sb.run(&["list"]).status(0);
        assert!(
            run.stderr.is_empty(),
            "progress needed repair after a kill at {delay_ms} ms:\n{}",
            run.stderr
        );
    }
    // What was recorded before the kills survives them.
    sb.run(&["run", "intro"]).status(0);
    let run = sb.run(&["list"]).status(0);
    assert!(run.stdout.contains("done     intro"), "{}", run.stdout);
}

#[test]
fn the_test_process_dies_with_backlings() {
    let sb = Sandbox::init();
    let tmp = sb.temp_dir();
    sb.write(
        "exercises/intro/intro.rs",
        "pub fn health_body(_: &str) -> String { loop { std::hint::black_box(0); } }",
    );
    let mut cmd = sb.command_in(&sb.ws(), &["run", "intro"]);
    cmd.env("TMPDIR", &tmp);
    let mut child = cmd.spawn().unwrap();
    // Once the checks are running, kill backlings as a closed terminal would.
    common::wait_for_checks_running(&tmp);
    child.kill().unwrap();
    child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let stray = common::checks_running(&tmp);
    assert!(stray.is_empty(), "outlived backlings: {stray:?}");
}

#[test]
fn a_dev_check_stopped_mid_way_leaves_no_temporary_directory() {
    let sb = Sandbox::empty();
    let tmp = sb.temp_dir();
    let mut cmd = sb.command_in(sb.dir.path(), &["dev", "check", "lru_cache"]);
    cmd.env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    common::wait_for_checks_running(&tmp);
    common::terminate(child.id());
    child.wait().unwrap();
    let left = common::temporary_dirs_left(&tmp);
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(common::checks_running(&tmp).is_empty());
}
