//! The command line itself: help with examples, shell completions and man pages generated
//! from the same definition.

mod common;

use std::path::Path;
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

/// Asks the binary for completions the way the registration scripts do: `COMPLETE` names the
/// shell, the words typed so far follow `--`, and `_CLAP_COMPLETE_INDEX` says which one the
/// cursor is on (here the last). Completion must never print an error, whatever it finds.
fn complete_in(dir: &Path, words: &[&str]) -> Vec<String> {
    let mut cmd = Command::new(BIN);
    cmd.arg("--")
        .args(words)
        .current_dir(dir)
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("_CLAP_IFS", "\n");
    let run = Run::of(cmd).status(0);
    assert_eq!(run.stderr, "", "completing {words:?}");
    run.stdout.lines().map(str::to_string).collect()
}

#[test]
fn completions_print_the_script_that_complete_prints_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = backlings(&["completions", shell]).status(0).stdout;
        let mut asked = Command::new(BIN);
        asked.env("COMPLETE", shell);
        assert_eq!(script, Run::of(asked).status(0).stdout, "{shell}");
        // The script calls back into this very binary on every Tab.
        assert!(script.contains(BIN), "{shell}:\n{script}");
        assert!(script.contains("COMPLETE"), "{shell}:\n{script}");
    }
    let run = backlings(&["completions", "tcsh"]).status(2);
    assert!(run.stderr.contains("possible values"), "{}", run.stderr);
}

#[test]
fn tab_completes_commands_options_and_the_exercise_names_of_the_workspace() {
    let sb = Sandbox::init();
    let commands = complete_in(&sb.ws(), &["backlings", ""]);
    for command in [
        "init", "run", "check", "hint", "reset", "compare", "dev", "man",
    ] {
        assert!(
            commands.iter().any(|c| c == command),
            "{command}: {commands:?}"
        );
    }
    assert_eq!(
        complete_in(&sb.ws(), &["backlings", "check", "--j"]),
        ["--json", "--junit"]
    );
    let dev_check = complete_in(&sb.ws(), &["backlings", "dev", "check", "--"]);
    for option in ["--course", "--repeat"] {
        assert!(dev_check.iter().any(|o| o == option), "{dev_check:?}");
    }
    for command in ["run", "hint", "reset", "solution", "compare"] {
        assert_eq!(
            complete_in(&sb.ws(), &["backlings", command, "lru"]),
            ["lru_cache"],
            "{command}"
        );
    }
    // From a directory deep inside the workspace too, as the commands find it.
    assert_eq!(
        complete_in(&sb.ws().join("exercises"), &["backlings", "run", "query_s"]),
        ["query_string"]
    );
    // Outside a workspace, the built-in course's names.
    assert_eq!(
        complete_in(sb.dir.path(), &["backlings", "hint", "lru"]),
        ["lru_cache"]
    );
    // `dev check` takes several names; each completes.
    assert_eq!(
        complete_in(
            sb.dir.path(),
            &["backlings", "dev", "check", "intro", "lru"]
        ),
        ["lru_cache"]
    );
}

#[test]
fn completion_offers_the_course_of_the_workspace_at_hand_and_changes_nothing() {
    let sb = Sandbox::empty();
    common::two_exercise_course(&sb);
    let offered = complete_in(&sb.ws(), &["backlings", "run", ""]);
    let names: Vec<&String> = offered.iter().filter(|w| !w.starts_with('-')).collect();
    assert_eq!(names, ["first", "second"]);
    let course = sb.dir.path().join("course");
    assert_eq!(
        complete_in(&course, &["backlings", "dev", "check", "s"]),
        ["second"]
    );

    // A course that gained an exercise: its name completes, but only a command adds its stub.
    let info = course.join("info.toml");
    let grown = std::fs::read_to_string(&info).unwrap()
        + "\n[[exercises]]\nname = \"third\"\ndir = \"t\"\nsummary = \"s\"\nhints = []\n";
    std::fs::write(&info, grown).unwrap();
    let state = sb.read(".backlings/state.toml");
    assert_eq!(
        complete_in(&sb.ws(), &["backlings", "run", "th"]),
        ["third"]
    );
    assert!(!sb.ws().join("exercises/t/third.rs").exists());
    assert_eq!(sb.read(".backlings/state.toml"), state);

    // A course that cannot be read: nothing to offer, and nothing said.
    std::fs::write(&info, "not toml [").unwrap();
    let offered = complete_in(&sb.ws(), &["backlings", "run", ""]);
    assert!(offered.iter().all(|w| w.starts_with('-')), "{offered:?}");
}

/// The real thing: bash runs the line `backlings completions --help` gives for `~/.bashrc`, with
/// backlings on PATH, and Tab after `backlings run lru` (the function `complete` registered,
/// called as readline calls it) offers `lru_cache`.
#[cfg(unix)]
#[test]
fn bash_completes_exercise_names_with_the_line_the_help_gives() {
    let sb = Sandbox::init();
    let script = sb.dir.path().join("backlings.bash");
    std::fs::write(&script, backlings(&["completions", "bash"]).stdout).unwrap();
    let status = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success(), "bash -n rejected the completion script");

    let help = backlings(&["completions", "--help"]).status(0).stdout;
    let bashrc_line = help
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("echo '")?
                .strip_suffix("' >> ~/.bashrc")
        })
        .unwrap_or_else(|| panic!("no line for ~/.bashrc in\n{help}"));
    let session = format!(
        r#"
        {bashrc_line}
        spec=$(complete -p backlings) || exit 1
        function=${{spec##*-F }}
        function=${{function%% *}}
        COMP_WORDS=(backlings run lru)
        COMP_CWORD=2
        COMP_LINE='backlings run lru'
        COMP_POINT=${{#COMP_LINE}}
        "$function" backlings lru run
        printf '%s\n' "${{COMPREPLY[@]}}"
    "#
    );
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut bash = Command::new("bash");
    bash.args(["-c", &session])
        .current_dir(sb.ws())
        .env("PATH", path);
    let run = Run::of(bash).status(0);
    assert_eq!(run.stdout, "lru_cache\n", "{}", run.stderr);
}

/// The pages `backlings man DIR` writes, by file name, sorted.
fn man_pages_written(sb: &Sandbox) -> Vec<(String, String)> {
    let dir = sb.dir.path().join("man1");
    let run = backlings(&["man", dir.to_str().unwrap()]).status(0);
    assert!(
        run.stdout.contains("Wrote the backlings man pages"),
        "{}",
        run.stdout
    );
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let text = std::fs::read_to_string(e.path()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), text)
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn man_pages_are_generated_from_the_cli_definition() {
    let run = backlings(&["man"]).status(0);
    assert!(run.stdout.contains(".TH backlings 1"), "{}", run.stdout);
    assert!(run.stdout.contains("backlings\\-init(1)"), "{}", run.stdout);
    assert!(run.stdout.contains("Backend engineering exercises in Rust"));

    let sb = Sandbox::empty();
    let pages = man_pages_written(&sb);
    let names: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
    for page in [
        "backlings.1",
        "backlings-init.1",
        "backlings-dev-new.1",
        "backlings-dev-check.1",
    ] {
        assert!(names.contains(&page), "{page} missing from {names:?}");
    }
    // No page for `help`, which is no command of its own, and none referring to one.
    assert!(!names.contains(&"backlings-help.1"), "{names:?}");
    assert!(
        !run.stdout.contains("backlings\\-help(1)"),
        "{}",
        run.stdout
    );
    let dev_check = &pages
        .iter()
        .find(|(n, _)| n == "backlings-dev-check.1")
        .unwrap()
        .1;
    assert!(dev_check.contains("\\-\\-repeat"), "{dev_check}");
}

#[test]
fn every_man_page_has_exit_status_environment_files_and_examples() {
    let main_page = backlings(&["man"]).status(0).stdout;
    for status in ["0", "1", "2", "130"] {
        assert!(
            main_page.contains(&format!(".TP\n\\fB{status}\\fR\n")),
            "{status}"
        );
    }
    for variable in [
        "NO_COLOR", "TERM", "VISUAL", "EDITOR", "TMUX", "TMPDIR", "PATH", "COMPLETE",
    ] {
        assert!(main_page.contains(variable), "{variable}");
    }
    for file in [
        ".backlings/state.toml",
        ".backlings/backups/",
        ".backlings/cache/",
        "exercises/TOPIC/NAME.rs",
        "Cargo.toml",
        "info.toml",
    ] {
        assert!(main_page.contains(&format!("\\fB{file}\\fR")), "{file}");
    }
    assert!(main_page.contains("\\fBbacklings check \\-\\-json > results.json\\fR"));

    let sb = Sandbox::empty();
    for (name, page) in
        std::iter::once(("backlings man".to_string(), main_page)).chain(man_pages_written(&sb))
    {
        for section in [
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            ".SH FILES",
            ".SH EXAMPLES",
        ] {
            assert!(page.contains(section), "{name} lacks {section}");
        }
        // Examples are under EXAMPLES, not in clap_mangen's untitled catch-all.
        assert!(!page.contains(".SH EXTRA"), "{name}");
        // Plain ASCII: roff glyphs written as escapes, nothing any output device lacks.
        assert!(page.is_ascii(), "{name} holds non-ASCII text");
    }
}

/// Each argument and option is an `.TP` entry in OPTIONS: its name, then what it means.
#[test]
fn every_argument_is_described_in_the_man_pages() {
    let sb = Sandbox::empty();
    for (name, page) in man_pages_written(&sb) {
        let Some((_, options)) = page.split_once(".SH OPTIONS\n") else {
            continue;
        };
        let options = options.split("\n.SH ").next().unwrap();
        for entry in options.split(".TP\n").skip(1) {
            let mut lines = entry.lines();
            let term = lines.next().unwrap();
            assert!(
                lines.any(|line| !line.starts_with('.') && !line.trim().is_empty()),
                "{name}: {term} has no description"
            );
        }
    }
}

/// groff is what `man` runs: a page it warns about shows garbage or nothing on some terminal.
#[cfg(target_os = "linux")]
#[test]
fn groff_renders_every_man_page_without_a_warning() {
    let sb = Sandbox::empty();
    for (name, _) in man_pages_written(&sb) {
        let path = sb.dir.path().join("man1").join(&name);
        for device in ["-Tutf8", "-Tascii"] {
            let out = Command::new("groff")
                .args(["-man", "-ww", "-z", device])
                .arg(&path)
                .output()
                .expect("groff is installed (.ci/run installs groff-base)");
            let warnings = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && warnings.is_empty(),
                "groff {device} on {name}:\n{warnings}"
            );
        }
    }
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
