//! The edges a learner touches around the core loop: pipes, colours, odd terminals, odd
//! names, odd files. Every test drives the real binary.

mod common;

use std::process::Stdio;

use common::{Run, Sandbox, intro_solution, two_exercise_course};

/// Runs `args` in the workspace with a standard output whose reader is already gone, as after
/// `backlings list | head -1` once `head` has its line.
fn with_stdout_closed(sb: &Sandbox, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = sb.command_in(&sb.ws(), args);
    cmd.stdout(writer).stderr(Stdio::piped());
    Run::of(cmd)
}

#[test]
fn a_reader_that_goes_away_ends_every_command_quietly() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    sb.write("exercises/t/first.rs", &intro_solution());
    sb.run(&["run", "first"]).status(0);
    for args in [
        &["run", "first"][..],
        &["run", "second"],
        &["run", "first", "--json"],
        &["check"],
        &["check", "--json"],
        &["list"],
        &["stats"],
        &["hint", "second"],
        &["solution", "first"],
        &["compare", "first"],
        &["man"],
        &["completions", "bash"],
        &["--help"],
    ] {
        let run = with_stdout_closed(&sb, args);
        assert!(
            run.stderr.is_empty() && matches!(run.status, 0 | 1),
            "{args:?} exited {} with:\n{}",
            run.status,
            run.stderr
        );
    }
}

#[test]
fn control_characters_from_the_learners_code_are_shown_not_obeyed() {
    let sb = Sandbox::init();
    sb.write(
        "exercises/intro/intro.rs",
        "pub fn health_body(_version: &str) -> String {\n    panic!(\"\\x1b[2J\\x1b[Hgone\\r\\u{202e}\\x07\")\n}\n",
    );
    let run = sb.run(&["run", "intro"]).status(1);
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
    assert!(
        run.stdout.contains(r"\x1b[2J\x1b[Hgone\r\u{202e}\x07"),
        "{}",
        run.stdout
    );
}

/// Output a pseudo-terminal received from `backlings ARGS` run in the workspace with `env`.
#[cfg(target_os = "linux")]
fn on_a_terminal(sb: &Sandbox, env: &[(&str, &str)], args: &str) -> String {
    // util-linux's `script` gives the binary a pseudo-terminal.
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &format!("'{}' {args}", common::BIN), "/dev/null"])
        .current_dir(sb.ws())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    let out = cmd
        .output()
        .expect("util-linux's script is installed (.ci/run installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn an_empty_no_color_keeps_colours_and_a_set_one_or_a_dumb_terminal_drops_them() {
    let sb = Sandbox::init();
    let colour = "\x1b[36m";
    let shown = on_a_terminal(&sb, &[], "hint intro");
    assert!(shown.contains(colour), "no colour by default: {shown:?}");
    let shown = on_a_terminal(&sb, &[("NO_COLOR", "")], "hint intro");
    assert!(
        shown.contains(colour),
        "NO_COLOR= took the colour: {shown:?}"
    );
    for env in [("NO_COLOR", "1"), ("TERM", "dumb")] {
        let shown = on_a_terminal(&sb, &[env], "hint intro");
        assert!(!shown.contains('\x1b'), "{env:?}: {shown:?}");
        assert!(shown.contains("Hint 1/"), "{env:?}: {shown}");
    }
}

/// A dumb terminal (Emacs' shell) prints escape sequences as text: watch mode and the list
/// must not send any that clear, move or hide.
#[cfg(unix)]
#[test]
fn a_dumb_terminal_gets_no_clearing_or_cursor_escapes() {
    use common::{Tmux, intro_solution};
    let sb = Sandbox::init();
    let ws = sb.ws();
    let tmux = Tmux::shell(&ws);
    let log = sb.dir.path().join("dumb.log");
    tmux.record_output(&log);
    // Each command line says when backlings has ended, so no key meant for the shell reaches it.
    tmux.keys(&format!(
        "TERM=dumb '{}' list; echo \"list: $?\"",
        common::BIN
    ));
    tmux.keys("Enter");
    tmux.wait_for(&["done", "quit"]);
    tmux.keys("q");
    tmux.wait_for(&["list: 0"]);
    tmux.keys(&format!("TERM=dumb '{}'; echo \"watch: $?\"", common::BIN));
    tmux.keys("Enter");
    tmux.wait_for(&["✗"]);
    sb.write("exercises/intro/intro.rs", &intro_solution());
    tmux.wait_for(&["intro passed"]);
    tmux.keys("q");
    tmux.wait_for(&["watch: 0"]);
    let bytes = std::fs::read(&log).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    for escape in ["\x1b[2J", "\x1b[H", "\x1b[?25l", "\x1b[?25h", "\x1b[?1049h"] {
        assert!(!text.contains(escape), "{escape:?} sent: {text:?}");
    }
    assert!(text.contains("intro passed"), "{text}");
}

#[test]
fn names_are_suggested_from_a_prefix_a_case_or_a_word() {
    let sb = Sandbox::init();
    for (typed, suggested) in [
        ("lru", "did you mean \"lru_cache\"?"),
        ("LRU_CACHE", "did you mean \"lru_cache\"?"),
        ("ttl", "did you mean \"ttl_cache\"?"),
        ("lru_cahce", "did you mean \"lru_cache\"?"),
        ("limiter", "did you mean one of \"fixed_window_limiter\", "),
    ] {
        let run = sb.run(&["run", typed]).status(2);
        assert!(run.stderr.contains(suggested), "{typed}: {}", run.stderr);
    }
}

#[test]
fn commands_without_a_name_use_the_current_exercise() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let hint = sb.run(&["hint"]).status(0);
    assert!(hint.stdout.contains("first hint one"), "{}", hint.stdout);
    let run = sb.run(&["run"]).status(1);
    assert!(run.stdout.starts_with("first "), "{}", run.stdout);
    let solution = sb.run(&["solution"]).status(2);
    assert!(
        solution.stderr.contains("first unlocks"),
        "{}",
        solution.stderr
    );
    sb.write("exercises/t/first.rs", &intro_solution());
    sb.run(&["run"]).status(0);
    // The pass made `second` the current exercise.
    let run = sb.run(&["run"]).status(1);
    assert!(run.stdout.starts_with("second "), "{}", run.stdout);
    let compare = sb.run(&["compare"]).status(2);
    assert!(
        compare.stderr.contains("second unlocks"),
        "{}",
        compare.stderr
    );
    sb.write("exercises/t/second.rs", &intro_solution());
    sb.run(&["run"]).status(0);
    let run = sb.run(&["run"]).status(2);
    assert!(
        run.stderr.contains("every exercise is done"),
        "{}",
        run.stderr
    );
    sb.run(&["solution", "second"]).status(0);
}

/// The `attempts` recorded for `name`, and whether stats call it started.
fn attempts(sb: &Sandbox, name: &str) -> (i64, bool) {
    let state: toml::Table = sb.read(".backlings/state.toml").parse().unwrap();
    let attempts = state
        .get("exercises")
        .and_then(|e| e.get(name))
        .and_then(|e| e.get("attempts"))
        .and_then(|a| a.as_integer())
        .unwrap_or(0);
    let stats = sb.run(&["stats"]).status(0).stdout;
    let line = stats
        .lines()
        .rfind(|l| l.starts_with(name))
        .unwrap()
        .to_string();
    (attempts, line.contains("started"))
}

#[test]
fn an_attempt_is_a_grade_of_changed_content_and_check_counts_none() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    sb.run(&["check"]).status(1);
    assert_eq!(attempts(&sb, "first"), (0, false), "check counted");
    sb.run(&["run", "first"]).status(1);
    assert_eq!(attempts(&sb, "first"), (0, false), "the untouched stub");
    let stub = sb.read("exercises/t/first.rs");
    for (edit, expected) in [("// one", 1), ("// one", 1), ("// two", 2)] {
        sb.write("exercises/t/first.rs", &format!("{stub}\n{edit}\n"));
        sb.run(&["run", "first"]).status(1);
        assert_eq!(attempts(&sb, "first"), (expected, true), "after {edit}");
    }
    // A pass by `check` is recorded, but is no attempt.
    sb.write("exercises/t/second.rs", &intro_solution());
    sb.run(&["check"]).status(1);
    assert_eq!(attempts(&sb, "second"), (0, false));
    assert!(sb.run(&["list"]).stdout.contains("done     second"));
}

#[test]
fn counters_saturate_instead_of_wrapping() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let state = sb.read(".backlings/state.toml");
    sb.write(
        ".backlings/state.toml",
        &format!(
            "{state}\n[exercises.first]\nattempts = 4294967295\nseconds = 9223372036854775807\n"
        ),
    );
    sb.run(&["run", "first"]).status(1);
    assert_eq!(attempts(&sb, "first").0, 4294967295);
}

#[test]
fn reset_keeps_a_readable_backup_only_of_a_changed_file() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let backups = sb.ws().join(".backlings/backups");
    let listed = || -> Vec<String> {
        std::fs::read_dir(&backups)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let run = sb.run(&["reset", "first", "--yes"]).status(0);
    assert!(
        listed().is_empty(),
        "an untouched stub was backed up: {:?}",
        listed()
    );
    assert!(!run.stdout.contains("previous version"), "{}", run.stdout);
    sb.write("exercises/t/first.rs", "// mine\n");
    let run = sb.run(&["reset", "first", "--yes"]).status(0);
    let names = listed();
    assert_eq!(names.len(), 1, "{names:?}");
    // first.2026-12-02T15-04-05.rs
    let stamp = names[0]
        .strip_prefix("first.")
        .and_then(|n| n.strip_suffix(".rs"))
        .unwrap();
    let shape: String = stamp
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    assert_eq!(shape, "9999-99-99T99-99-99", "{}", names[0]);
    assert!(run.stdout.contains(&names[0]), "{}", run.stdout);
}

#[test]
fn plain_tables_align_their_columns() {
    let sb = Sandbox::init();
    let column_of = |text: &str, needle: fn(&str) -> Option<usize>| -> Vec<usize> {
        text.lines().filter_map(needle).collect()
    };
    let list = sb.run(&["list"]).status(0).stdout;
    // The summary follows the path column.
    let summaries = column_of(&list, |l| {
        let end = l.find(".rs")? + 3;
        Some(end + l[end..].len() - l[end..].trim_start().len())
    });
    assert!(summaries.len() > 30, "{list}");
    assert!(summaries.windows(2).all(|w| w[0] == w[1]), "{list}");
}

#[test]
fn check_piped_aligns_its_columns_too() {
    let sb = Sandbox::empty();
    let course = sb.dir.path().join("course");
    let mut info =
        String::from("format_version = 1\nwelcome_message = \"hi\"\nfinal_message = \"bye\"\n");
    for (topic, name) in [("t", "a"), ("a_longer_topic", "a_much_longer_name")] {
        info.push_str(&format!(
            "\n[[exercises]]\nname = \"{name}\"\ndir = \"{topic}\"\nsummary = \"s\"\nhints = [\"h\"]\n"
        ));
        for kind in ["exercises", "solutions", "checks"] {
            let text = common::course_file(&format!("{kind}/intro/intro.rs"))
                .replace("super::intro::", &format!("super::{name}::"));
            let path = course.join(format!("{kind}/{topic}/{name}.rs"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
    std::fs::write(course.join("info.toml"), info).unwrap();
    sb.run_in(
        sb.dir.path(),
        &["init", "ws", "--course", course.to_str().unwrap()],
    )
    .status(0);
    let check = sb.run(&["check"]).status(1).stdout;
    let verdicts: Vec<usize> = check
        .lines()
        .filter_map(|l| l.find("3 of 3 checks failed"))
        .collect();
    assert_eq!(verdicts.len(), 2, "{check}");
    assert_eq!(verdicts[0], verdicts[1], "{check}");
}

#[test]
fn a_progress_file_from_a_newer_backlings_is_refused_and_left_alone() {
    let sb = Sandbox::init();
    let newer = "version = 2\ncourse = \"builtin\"\nsomething_new = true\n";
    sb.write(".backlings/state.toml", newer);
    let run = sb.run(&["list"]).status(2);
    assert!(
        run.stderr.contains("written by a newer backlings"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.read(".backlings/state.toml"), newer);
    let kept: Vec<_> = std::fs::read_dir(sb.ws().join(".backlings"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("corrupt")
        })
        .collect();
    assert!(kept.is_empty(), "it was treated as corrupt");
}

#[test]
fn a_deleted_exercise_file_is_not_announced_as_new() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    std::fs::remove_file(sb.ws().join("exercises/t/second.rs")).unwrap();
    let run = sb.run(&["list"]).status(0);
    assert!(!run.stderr.contains("new exercise"), "{}", run.stderr);
    assert!(!sb.ws().join("exercises/t/second.rs").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_workspace_path_that_is_not_utf8_is_refused_at_init() {
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::empty();
    let path = sb.dir.path().join(std::ffi::OsStr::from_bytes(b"ws\xff"));
    let run = Run::of({
        let mut cmd = sb.command_in(sb.dir.path(), &["init"]);
        cmd.arg(&path);
        cmd
    })
    .status(2);
    assert!(run.stderr.contains("is not valid UTF-8"), "{}", run.stderr);
    assert!(!path.exists());
}

#[test]
fn the_default_workspace_is_in_home_and_every_command_finds_it_from_anywhere() {
    let sb = Sandbox::empty();
    // As the README's first command does: from a checkout of backlings itself.
    let checkout = sb.dir.path().join("checkout");
    let elsewhere = sb.dir.path().join("elsewhere/deeper");
    std::fs::create_dir_all(&checkout).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let before = sb.run_in(&checkout, &["list"]).status(2);
    assert!(
        before.stderr.contains("backlings init PATH"),
        "{}",
        before.stderr
    );
    let init = sb.run_in(&checkout, &["init"]).status(0);
    let home_ws = sb.dir.path().join("backlings");
    assert!(
        home_ws.join(".backlings/state.toml").is_file(),
        "{}",
        init.stdout
    );
    assert!(
        std::fs::read_dir(&checkout).unwrap().next().is_none(),
        "init wrote into the checkout"
    );
    assert!(
        init.stdout.contains("(from any directory)"),
        "{}",
        init.stdout
    );
    for dir in [&checkout, &elsewhere] {
        let list = sb.run_in(dir, &["list"]).status(0);
        assert!(list.stdout.contains("current  intro"), "{}", list.stdout);
        let hint = sb.run_in(dir, &["hint"]).status(0);
        assert!(hint.stdout.contains("Hint"), "{}", hint.stdout);
    }
    // A workspace the directory is in comes first.
    sb.run_in(sb.dir.path(), &["init", "ws"]).status(0);
    let stats = sb.run(&["stats"]).status(0);
    assert!(stats.stdout.contains("0/108 hints"), "{}", stats.stdout);
    let stats = sb.run_in(&elsewhere, &["stats"]).status(0);
    assert!(stats.stdout.contains("2/108 hints"), "{}", stats.stdout);
}

#[test]
fn the_generated_manifest_is_a_cargo_workspace_of_its_own() {
    let sb = Sandbox::empty();
    let outer = sb.dir.path().join("outer");
    std::fs::create_dir_all(&outer).unwrap();
    std::fs::write(
        outer.join("Cargo.toml"),
        "[workspace]\nmembers = []\nresolver = \"3\"\n",
    )
    .unwrap();
    sb.run_in(&outer, &["init", "ws"]).status(0);
    let metadata = std::process::Command::new("cargo")
        .args([
            "metadata",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
        ])
        .current_dir(outer.join("ws"))
        .output()
        .unwrap();
    assert!(
        metadata.status.success(),
        "cargo refused the workspace inside another one:\n{}",
        String::from_utf8_lossy(&metadata.stderr)
    );
}

/// The first run makes `~/backlings` after a welcome that says what comes next; Ctrl-C or
/// `q` there quits, Enter starts.
#[cfg(unix)]
#[test]
fn the_welcome_says_what_comes_next_and_quits_on_ctrl_c() {
    use common::Tmux;
    let sb = Sandbox::empty();
    let tmux = Tmux::shell(sb.dir.path());
    let exports: Vec<String> = sb
        .home_env()
        .iter()
        .map(|(name, value)| format!("export {name}='{}'", value.display()))
        .collect();
    tmux.keys(&exports.join("; "));
    tmux.keys("Enter");
    let start = format!("'{}'; echo \"ended: $?\"", common::BIN);
    tmux.keys(&start);
    tmux.keys("Enter");
    let screen = tmux.wait_for(&["Press Enter to start, or q to quit"]);
    assert!(screen.contains("in your editor"), "{screen}");
    tmux.keys("C-c");
    tmux.wait_for(&["ended: 0"]);
    assert!(
        sb.dir
            .path()
            .join("backlings/.backlings/state.toml")
            .is_file()
    );
    tmux.keys("clear");
    tmux.keys("Enter");
    // Made already: no welcome, straight to the exercise.
    tmux.keys(&start);
    tmux.keys("Enter");
    let screen = tmux.wait_for(&["intro", "checks failed"]);
    assert!(!screen.contains("Press Enter to start"), "{screen}");
    tmux.keys("q");
    tmux.wait_for(&["ended: 0"]);
}

#[test]
fn what_the_learners_code_printed_is_labelled_as_theirs_and_kept_apart() {
    let sb = Sandbox::init();
    sb.write(
        "exercises/intro/intro.rs",
        "pub fn health_body(version: &str) -> String {\n    for i in 0..50 {\n        println!(\"debug line {i} for {version}\");\n    }\n    String::new()\n}\n",
    );
    let run = sb.run(&["run", "intro"]).status(1);
    let out = &run.stdout;
    assert!(out.contains("your code printed:"), "{out}");
    assert!(out.contains("│ debug line 0 for"), "{out}");
    // Cut per check: each check's reason still shows.
    assert!(out.contains("more lines"), "{out}");
    for check in [
        "reports_the_given_version",
        "uses_no_spaces",
        "works_for_any_version_string",
    ] {
        let line = out
            .lines()
            .find(|l| l.contains(check))
            .unwrap_or_else(|| panic!("{check} missing:\n{out}"));
        assert!(!line.contains("debug line"), "{line}");
    }
    let json = sb.run(&["run", "intro", "--json"]).status(1).stdout;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &json["tests"][0];
    assert!(
        first["output"]
            .as_str()
            .unwrap()
            .starts_with("debug line 0"),
        "{first}"
    );
    assert!(
        first["output"].as_str().unwrap().chars().count() <= 500,
        "{first}"
    );
    assert!(
        !first["message"].as_str().unwrap().contains("debug line"),
        "{first}"
    );
}

#[test]
fn checks_after_a_timeout_say_which_check_stopped_the_run() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    sb.write(
        "exercises/t/first.rs",
        "pub fn health_body(version: &str) -> String {\n    if version.is_empty() { return String::new(); }\n    loop { std::thread::sleep(std::time::Duration::from_millis(50)); }\n}\n",
    );
    let run = sb.run(&["run", "first"]).status(1);
    let out = &run.stdout;
    assert!(
        out.contains("timed out after 2.0 s while running check reports_the_given_version"),
        "{out}"
    );
    assert!(
        out.contains("uses_no_spaces: not run: check reports_the_given_version timed out"),
        "{out}"
    );
    assert!(!out.contains("without a message"), "{out}");
}
