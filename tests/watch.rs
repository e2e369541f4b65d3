//! Watch mode in a real terminal (tmux), with real saves.
// Driven through tmux, which runs on Linux and macOS.
#![cfg(unix)]

mod common;

use std::fs::OpenOptions;
use std::io::Write;

use common::{Sandbox, Tmux, course_file, intro_solution, save_by_rename, two_exercise_course};

#[test]
fn grades_at_start_passes_on_a_rename_save_and_advances() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&[
        "first  exercises/t/first.rs",
        "0/2 done",
        "3 of 3 checks failed",
        "h hint",
        "q quit",
    ]);

    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    let screen = tmux.wait_for(&[
        "✓ first passed",
        "Next: second  exercises/t/second.rs",
        "1/2 done",
    ]);
    assert!(screen.contains("solutions/t/first.rs"), "{screen}");
    tmux.wait_for(&["second  exercises/t/second.rs", "3 of 3 checks failed"]);
    assert!(sb.ws().join("solutions/t/first.rs").is_file());

    // Once the learner works on the next exercise, the news of the last pass is stale.
    save_by_rename(
        &sb,
        "exercises/t/second.rs",
        &format!(
            "{}\n// a first try\n",
            course_file("exercises/intro/intro.rs")
        ),
    );
    tmux.wait_until("the pass banner gone", |screen| {
        !screen.contains("first passed") && screen.contains("3 of 3 checks failed")
    });

    // Progress survives a restart: the next session opens on `second`.
    tmux.keys("q");
    drop(tmux);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["second  exercises/t/second.rs", "1/2 done"]);
}

#[test]
fn in_place_writes_and_bursts_grade_the_last_content() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["3 of 3 checks failed"]);

    // A compile error written in place (no truncation, no rename), as some editors do.
    let path = sb.ws().join("exercises/t/first.rs");
    let broken = "pub fn health_body(version: &str) -> String { version }\n";
    let mut file = OpenOptions::new().write(true).open(&path).unwrap();
    file.write_all(broken.as_bytes()).unwrap();
    file.set_len(broken.len() as u64).unwrap();
    drop(file);
    tmux.wait_for(&["does not compile", "exercises/t/first.rs:1:"]);

    // A burst of truncate-and-write saves: the last one must win.
    for i in 0..5 {
        std::fs::write(
            &path,
            format!("pub fn health_body(v: &str) -> String {{ let _ = {i}; v.into() }}\n"),
        )
        .unwrap();
    }
    std::fs::write(&path, intro_solution()).unwrap();
    tmux.wait_for(&["✓ first passed"]);
}

#[test]
fn keys_reveal_hints_list_exercises_skip_and_quit() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["3 of 3 checks failed"]);

    tmux.keys("h");
    let screen = tmux.wait_for(&["Hint 1/2: first hint one"]);
    assert!(!screen.contains("first hint two"), "{screen}");
    tmux.keys("h");
    let screen = tmux.wait_for(&["Hint 2/2: first hint two"]);
    assert!(
        !screen.contains("h hint"),
        "no hints are left, so the key is not offered:\n{screen}"
    );

    tmux.keys("l");
    tmux.wait_for(&["▸ current  first", "  pending  second", "l/esc back"]);
    tmux.keys("l");
    tmux.wait_for(&["first  exercises/t/first.rs"]);

    tmux.keys("n");
    tmux.wait_for(&["second  exercises/t/second.rs"]);

    tmux.keys("q");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tmux.alive() {
        assert!(std::time::Instant::now() < deadline, "q did not quit");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn poll_mode_notices_saves() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "--poll");
    let screen = tmux.wait_for(&["3 of 3 checks failed"]);
    assert!(
        !screen.contains("--poll`"),
        "the poll hint is pointless in poll mode:\n{screen}"
    );
    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    tmux.wait_for(&["✓ first passed"]);
}

#[test]
fn a_deleted_exercise_file_is_reported_with_how_to_restore_it() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["3 of 3 checks failed"]);
    std::fs::remove_file(sb.ws().join("exercises/t/first.rs")).unwrap();
    tmux.wait_for(&["exercises/t/first.rs is missing", "backlings reset first"]);
    save_by_rename(
        &sb,
        "exercises/t/first.rs",
        "pub fn health_body(_: &str) -> String { String::new() }",
    );
    tmux.wait_for(&["2 of 3 checks failed"]);
    // Renamed away counts as missing too, and renaming it back is picked up.
    let (here, away) = (
        sb.ws().join("exercises/t/first.rs"),
        sb.ws().join("exercises/t/first.rs.bak"),
    );
    std::fs::rename(&here, &away).unwrap();
    tmux.wait_for(&["exercises/t/first.rs is missing", "backlings reset first"]);
    std::fs::rename(&away, &here).unwrap();
    tmux.wait_for(&["2 of 3 checks failed"]);
    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    tmux.wait_for(&["✓ first passed"]);
}

#[test]
fn two_watchers_in_one_workspace_share_progress() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let one = Tmux::start(&sb.ws(), "");
    let two = Tmux::start(&sb.ws(), "");
    one.wait_for(&["3 of 3 checks failed"]);
    two.wait_for(&["3 of 3 checks failed"]);
    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    one.wait_for(&["✓ first passed", "1/2 done"]);
    two.wait_for(&["✓ first passed", "1/2 done"]);
    let state: toml::Table = sb.read(".backlings/state.toml").parse().unwrap();
    assert_eq!(state["current"].as_str(), Some("second"), "{state}");
    assert_eq!(
        state["exercises"]["first"]["done"].as_bool(),
        Some(true),
        "{state}"
    );
    // Both graded the stub at start (no attempt) and then the one save, which both saw: one
    // attempt.
    assert_eq!(
        state["exercises"]["first"]["attempts"].as_integer(),
        Some(1),
        "{state}"
    );
}

#[test]
fn the_course_end_is_announced() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["3 of 3 checks failed"]);
    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    tmux.wait_for(&["second  exercises/t/second.rs", "3 of 3 checks failed"]);
    save_by_rename(&sb, "exercises/t/second.rs", &intro_solution());
    tmux.wait_for(&[
        "✓ Course complete!",
        "All done, well played.",
        "2/2 done",
        // One save each; grading the untouched stubs was no attempt.
        "Progress: 2/2 exercises (100%) · 2 attempts · 0/4 hints",
        "done  attempts  hints     time",
        "2/2         2    0/4",
        "l list · c compare · q quit",
    ]);
}

#[test]
fn without_a_terminal_it_points_to_run() {
    let sb = Sandbox::init();
    let run = sb.run(&[]).status(2);
    assert!(run.stderr.contains("backlings run NAME"), "{}", run.stderr);
}

#[test]
fn own_tests_are_shown_apart_and_a_failing_one_is_mentioned_after_a_pass() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["3 of 3 checks failed"]);
    let own_test = "\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn mine() {\n        assert_eq!(super::health_body(\"1\"), \"1\");\n    }\n}\n";

    let stub = course_file("exercises/intro/intro.rs");
    save_by_rename(&sb, "exercises/t/first.rs", &format!("{stub}{own_test}"));
    tmux.wait_for(&[
        "3 of 3 checks failed",
        "Your tests: 0 passed, 1 failed",
        "✗ tests::mine: not yet implemented",
    ]);

    save_by_rename(
        &sb,
        "exercises/t/first.rs",
        &format!("{}{own_test}", intro_solution()),
    );
    tmux.wait_for(&[
        "✓ first passed",
        "Your tests: 0 passed, 1 failed (`backlings run first` shows them)",
        "second  exercises/t/second.rs",
    ]);
}

#[test]
fn a_broken_progress_file_mid_session_shows_a_banner_and_the_session_goes_on() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["3 of 3 checks failed"]);
    let good = sb.read(".backlings/state.toml");
    sb.write(".backlings/state.toml", "version = [oops\n");
    tmux.keys("h");
    tmux.wait_for(&["state.toml", "!"]);
    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    // The verdict still shows; only recording it failed, and says so.
    tmux.wait_for(&["all 3 checks passed"]);
    assert!(tmux.alive(), "the session ended");
    sb.write(".backlings/state.toml", &good);
    save_by_rename(
        &sb,
        "exercises/t/first.rs",
        &format!("{}\n// again\n", intro_solution()),
    );
    tmux.wait_for(&["✓ first passed", "1/2 done"]);
}

#[test]
fn a_named_pipe_or_a_huge_file_never_freezes_the_screen() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let file = sb.ws().join("exercises/t/first.rs");
    std::fs::remove_file(&file).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&file)
        .status()
        .unwrap();
    assert!(made.success());
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["exercises/t/first.rs is not a regular file"]);
    // Keys still work.
    tmux.keys("l");
    tmux.wait_for(&["Exercises · showing all"]);
    tmux.keys("Escape");
    let run = sb.run(&["run", "first"]).status(2);
    assert!(
        run.stderr.contains("is not a regular file"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(&file).unwrap();
    std::fs::write(&file, "// x\n".repeat(300_000)).unwrap();
    tmux.keys("r");
    tmux.wait_for(&["exercises/t/first.rs is 1.4 MiB; an exercise file is at most 1 MiB"]);
}

#[test]
fn compare_before_a_pass_says_so_and_quitting_leaves_no_stale_screen() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["3 of 3 checks failed"]);
    tmux.keys("c");
    tmux.wait_for(&["first has not passed yet: c compares your file"]);
    // Searching, q is a letter: the key bar does not offer it as quit.
    tmux.keys("l");
    tmux.keys("/");
    let screen = tmux.wait_for(&["type to search"]);
    assert!(!screen.contains("q quit"), "{screen}");
    tmux.keys("Escape");
    tmux.keys("Escape");
    tmux.wait_for(&["first  exercises/t/first.rs"]);
    tmux.keys("r");
    tmux.keys("q");
    tmux.wait_until("an empty screen", |screen| {
        !screen.contains("grading") && !screen.contains("first")
    });
}

/// A mock interview round against the clock: the header counts down, only the round's keys
/// work, hints stay hidden until asked for, and the pass ends it with a scorecard (then the
/// debrief) that `stats` keeps.
#[test]
fn a_mock_interview_that_passes_ends_with_a_scorecard_which_stats_keeps() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    // A hint revealed before the round is not shown in it.
    sb.run(&["hint", "first"]).status(0);
    let debrief = sb.dir.path().join("course/debriefs/t/first.md");
    std::fs::create_dir_all(debrief.parent().unwrap()).unwrap();
    std::fs::write(&debrief, "# first: debrief\n\n## Complexity\n\nO(v).\n").unwrap();

    let tmux = Tmux::start(&sb.ws(), "interview --exercise first --minutes 10");
    let screen = tmux.wait_for(&["mock interview · 9:5", "3 of 3 checks failed", "h hint"]);
    assert!(!screen.contains("first hint one"), "{screen}");
    assert!(!screen.contains("l list"), "{screen}");
    tmux.keys("n");
    tmux.wait_for(&["In a mock interview, h, e and r work"]);
    tmux.keys("h");
    tmux.wait_for(&["Hint 1/2: first hint one"]);
    tmux.keys("h");
    tmux.wait_for(&["Hint 2/2: first hint two"]);
    save_by_rename(
        &sb,
        "exercises/t/first.rs",
        "pub fn health_body(v: &str) -> String { v }\n",
    );
    tmux.wait_for(&["does not compile"]);
    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    let screen = tmux.wait_for(&[
        "✓ Mock interview: first passed in 0:",
        "of the 10:00 allowed.",
        "saves graded    2",
        "hints used      2 of 2",
        "first compile   0:",
        "first: debrief",
        "O(v).",
        "q quit",
    ]);
    // The stub's failures are not the learner's: only the failing save's count, and it
    // did not compile.
    assert!(
        screen.contains("checks failed   none on the way"),
        "{screen}"
    );
    assert!(
        !screen.contains("left"),
        "the clock stops with the round:\n{screen}"
    );
    tmux.keys("q");
    tmux.wait_until("the round to end", |screen| {
        !screen.contains("Mock interview")
    });

    let stats = sb.run(&["stats"]).status(0);
    assert!(stats.stdout.contains("Mock interviews"), "{}", stats.stdout);
    assert!(
        stats.stdout.contains("first  passed in 0:"),
        "{}",
        stats.stdout
    );
    assert!(
        stats.stdout.contains("· 2 saves · 2 hints ·"),
        "{}",
        stats.stdout
    );
    // Two of the round's hints, one of them revealed before it: the progress counts two.
    assert!(stats.stdout.contains("2/4 hints"), "{}", stats.stdout);
}

/// Without --exercise, a round picks an exercise the learner has not passed; when time runs
/// out, the scorecard says so and the round is kept as not passed.
#[test]
fn a_mock_interview_that_runs_out_of_time_says_so() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    sb.run(&["run", "first"]).status(0);

    let tmux = Tmux::start(&sb.ws(), "interview --minutes 0.05");
    tmux.wait_for(&["second  exercises/t/second.rs", "mock interview · 0:0"]);
    let screen = tmux.wait_for(&[
        "✗ Time's up: second did not pass within 0:03.",
        "first pass      -",
        "saves graded    0",
        "hints used      0 of 2",
        "checks failed   none on the way",
        "first compile   -",
        "This course has no debrief for the exercise.",
    ]);
    assert!(!screen.contains("left"), "{screen}");
    let stats = sb.run(&["stats"]).status(0);
    assert!(
        stats.stdout.contains("second  time's up at 0:03"),
        "{}",
        stats.stdout
    );
}

#[test]
fn however_watch_mode_stops_mid_grade_it_leaves_no_temporary_directory() {
    let sb = Sandbox::init();
    let tmp = sb.temp_dir();
    sb.write(
        "exercises/intro/intro.rs",
        "pub fn health_body(_: &str) -> String { loop { std::hint::black_box(0); } }",
    );
    let stops: [(&str, Stop); _] = [
        ("q", |tmux| tmux.keys("q")),
        ("Ctrl-C", |tmux| tmux.keys("C-c")),
        ("SIGTERM", |tmux| common::terminate(tmux.pid())),
        // tmux ends the terminal as a closed window does: the program gets SIGHUP.
        ("the terminal closing", drop),
    ];
    for (how, stop) in stops {
        let tmux = Tmux::start_with_env(&sb.ws(), &format!("TMPDIR='{}'", tmp.display()), "");
        common::wait_for_checks_running(&tmp);
        stop(tmux);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let left = common::temporary_dirs_left(&tmp);
            if left.is_empty() && common::checks_running(&tmp).is_empty() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "stopped by {how}, watch mode left {left:?} and {:?}",
                common::checks_running(&tmp)
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// A way to stop the program in a terminal.
type Stop = fn(Tmux);
