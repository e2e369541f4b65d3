//! The command line itself: help with examples, shell completions and man pages generated
//! from the same definition.

mod common;

use std::process::Command;

use common::{BIN, Run, Sandbox};

fn backlings(args: &[&str]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("NO_COLOR", "1");
    Run::of(cmd)
}

#[test]
fn help_texts_show_examples() {
    for args in [
        &["--help"][..],
        &["init", "--help"],
        &["run", "--help"],
        &["check", "--help"],
        &["dev", "new", "--help"],
        &["dev", "check", "--help"],
    ] {
        let run = backlings(args).status(0);
        assert!(
            run.stdout.contains("Examples:") || run.stdout.contains("Example:"),
            "{args:?}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn completions_cover_every_command_and_bash_parses_its_script() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = backlings(&["completions", shell]).status(0);
        for word in [
            "init", "check", "hint", "reset", "dev", "course", "repeat", "junit",
        ] {
            assert!(run.stdout.contains(word), "{shell} completions lack {word}");
        }
    }
    let sb = Sandbox::empty();
    let script = sb.dir.path().join("backlings.bash");
    std::fs::write(&script, backlings(&["completions", "bash"]).stdout).unwrap();
    let status = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success(), "bash -n rejected the completion script");
    let run = backlings(&["completions", "tcsh"]).status(2);
    assert!(run.stderr.contains("possible values"), "{}", run.stderr);
}

#[test]
fn man_pages_are_generated_from_the_cli_definition() {
    let run = backlings(&["man"]).status(0);
    assert!(run.stdout.contains(".TH backlings 1"), "{}", run.stdout);
    assert!(run.stdout.contains("backlings\\-init(1)"), "{}", run.stdout);
    assert!(run.stdout.contains("Backend engineering exercises in Rust"));

    let sb = Sandbox::empty();
    let dir = sb.dir.path().join("man1");
    let run = backlings(&["man", dir.to_str().unwrap()]).status(0);
    assert!(
        run.stdout.contains("Wrote the backlings man pages"),
        "{}",
        run.stdout
    );
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in [
        "backlings.1",
        "backlings-init.1",
        "backlings-dev-new.1",
        "backlings-dev-check.1",
    ] {
        assert!(
            pages.iter().any(|p| p == page),
            "{page} missing from {pages:?}"
        );
    }
    let dev_check = std::fs::read_to_string(dir.join("backlings-dev-check.1")).unwrap();
    assert!(dev_check.contains("\\-\\-repeat"), "{dev_check}");
}
