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

#[cfg(unix)]
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

/// util-linux's `script`, for a pseudo-terminal.
#[cfg(target_os = "linux")]
#[test]
fn paths_are_clickable_links_on_a_terminal_and_plain_elsewhere() {
    let sb = Sandbox::init();
    let file = sb.ws().join("exercises/intro/intro.rs");
    // `script` gives the binary a real pseudo-terminal.
    let out = Command::new("script")
        .args(["-qec", &format!("'{BIN}' run intro"), "/dev/null"])
        .current_dir(sb.ws())
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux's script is installed (.ci/run installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    let encoded: String = file
        .display()
        .to_string()
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let link = format!("\x1b]8;;file://{encoded}\x1b\\exercises/intro/intro.rs\x1b]8;;\x1b\\");
    assert!(
        text.contains(&link),
        "no link to {} in {text:?}",
        file.display()
    );

    let piped = sb.run(&["run", "intro"]).status(1);
    assert!(!piped.stdout.contains("\x1b]8;;"), "{:?}", piped.stdout);
    assert!(
        piped.stdout.contains("intro exercises/intro/intro.rs"),
        "{}",
        piped.stdout
    );
}
