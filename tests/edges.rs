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
