//! The man pages: clap_mangen renders each command's name, synopsis, description, options and
//! subcommands from the command definition; this adds what a man page has that `--help` has
//! not (EXIT STATUS, ENVIRONMENT, FILES) and turns each help's examples into EXAMPLES.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};
use clap::Command;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

/// Every status backlings exits with, as `main` and the commands return them.
const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "Success. For run, check and dev check: every check passed.",
    ),
    (
        "1",
        "A grade did not pass: the exercise of run fails, not every exercise passes check, or \
         dev check found the course unsound. Also: reset was answered no.",
    ),
    (
        "2",
        "A usage, configuration or environment error: a bad argument, not inside a workspace, \
         an unknown exercise, a solution still locked, a course or progress file backlings \
         cannot use, rustc missing or too old, a file that cannot be read or written. The \
         message says what went wrong and how to fix it.",
    ),
    (
        "130",
        "Stopped by Ctrl-C, SIGTERM or SIGHUP, after giving the terminal back and ending every \
         test process still running.",
    ),
];

/// Every variable backlings (or a crate it uses on its behalf) reads.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "COMPLETE",
        "Set to bash, elvish, fish, powershell or zsh by the scripts of backlings completions: \
         backlings then completes the command line the shell passes instead of running it.",
    ),
    (
        "NO_COLOR",
        "When set and not empty, output has no colours and paths are not links; set but empty, \
         it changes nothing (no-color.org).",
    ),
    (
        "CLICOLOR, CLICOLOR_FORCE",
        "CLICOLOR=0 turns colours off; CLICOLOR_FORCE set to anything but 0 turns them on even \
         when output is not a terminal.",
    ),
    (
        "TERM",
        "dumb turns colours off, and watch mode and the list then never clear the screen or \
         move or hide the cursor (each screen is printed below the last) and progress bars are \
         left out; dumb or linux (the Linux console) shows paths as plain text instead of \
         clickable links.",
    ),
    (
        "VISUAL, EDITOR",
        "The command the e key of watch mode opens the exercise with (VISUAL first) when \
         --edit-cmd is not given and the terminal is not VS Code's.",
    ),
    (
        "TERM_PROGRAM, WT_SESSION",
        "TERM_PROGRAM=vscode (VS Code's terminal): the e key opens the exercise with \
         code --goto. On Windows, paths are links only in VS Code and Windows Terminal \
         (WT_SESSION).",
    ),
    (
        "TMUX",
        "Set inside tmux: an editor that runs in a terminal (vim, nano, ...) opens in a new \
         pane beside watch mode; elsewhere it is refused, since watch mode holds the terminal.",
    ),
    (
        "TMPDIR",
        "Where each grade compiles and runs the checks (TEMP or TMP on Windows); point it at \
         a writable directory with room when the default one is full or missing.",
    ),
    (
        "PATH",
        "Where rustc and clippy-driver are found. The checks run with PATH as their only \
         variable (on Windows also SystemRoot, windir, TEMP and TMP).",
    ),
];

/// The files of a workspace, and the file that makes a directory a course.
const FILES: &[(&str, &str)] = &[
    (
        ".backlings/state.toml",
        "Your progress: exercises done, hints shown, attempts, time spent, the current \
         exercise. The directory holding .backlings/ is the workspace root, found from the \
         current directory or any above it.",
    ),
    (
        ".backlings/backups/",
        "Your versions of exercises replaced by reset, and earlier Cargo.toml files.",
    ),
    (
        ".backlings/cache/",
        "Build directories and compile caches, one per exercise; safe to delete.",
    ),
    (
        "exercises/TOPIC/NAME.rs",
        "Your file for each exercise, graded on every save in watch mode.",
    ),
    (
        "solutions/TOPIC/NAME.rs",
        "The reference solution of an exercise, copied in once you pass it.",
    ),
    (
        "Cargo.toml",
        "Generated with one test target per exercise, for rust-analyzer and cargo test; \
         grading does not use it.",
    ),
    (
        "info.toml",
        "In a course directory (init --course, dev new, dev check): the course's messages and \
         exercises, beside exercises/, solutions/, checks/ and mutants/.",
    ),
];

/// Writes the page of `cli` to stdout.
pub fn print(cli: Command) -> Result<()> {
    let mut out = io::stdout().lock();
    render(&prepared(cli), &mut out)
        .and_then(|()| out.flush())
        .context("printing the man page")
}

/// Writes a page for `cli` and for each of its commands into `dir`, named as `man` looks
/// them up: `backlings.1`, `backlings-init.1`, `backlings-dev-check.1`, ...
pub fn write_all(cli: Command, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_tree(&prepared(cli), dir)
}

fn write_tree(cmd: &Command, dir: &Path) -> Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_tree(sub, dir)?;
    }
    let path = dir.join(Man::new(cmd.clone()).get_filename());
    let mut page = Vec::new();
    render(cmd, &mut page).context("rendering a man page")?;
    std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))
}

/// `cli` built, so that each command knows its full name (`backlings-dev-check`), and
/// without the `help` command, which has no page of its own.
fn prepared(cli: Command) -> Command {
    let mut cli = cli.disable_help_subcommand(true);
    cli.build();
    cli
}

/// One page: clap_mangen's sections, then ours, in the order of man-pages(7). The help's
/// examples become EXAMPLES instead of the untitled section clap_mangen would make of them.
fn render(cmd: &Command, out: &mut dyn Write) -> io::Result<()> {
    // Every page's footer names the program, not only the command.
    let man = Man::new(cmd.clone()).source(concat!("backlings ", env!("CARGO_PKG_VERSION")));
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if cmd.get_arguments().any(|arg| !arg.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if cmd.get_subcommands().any(|sub| !sub.is_hide_set()) {
        man.render_subcommands_section(out)?;
    }
    let mut roff = Roff::new();
    // Watch mode, the command without a subcommand, is the page of the program itself.
    if cmd.get_name() == "backlings" {
        let keys: Vec<(String, String)> = crate::watch::key_help().collect();
        let keys: Vec<(&str, &str)> = keys.iter().map(|(k, d)| (k.as_str(), d.as_str())).collect();
        definitions(&mut roff, "KEYS", &keys);
    }
    definitions(&mut roff, "EXIT STATUS", EXIT_STATUS);
    definitions(&mut roff, "ENVIRONMENT", ENVIRONMENT);
    definitions(&mut roff, "FILES", FILES);
    let examples = examples(cmd);
    if !examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for (command, note) in examples {
            roff.control("TP", []).text([bold(command)]);
            if let Some(note) = note {
                roff.text([roman(note)]);
            }
        }
    }
    roff.to_writer(out)?;
    if cmd.get_version().is_some() {
        man.render_version_section(out)?;
    }
    Ok(())
}

/// A section of terms, each followed by what it means.
fn definitions(roff: &mut Roff, title: &str, entries: &[(&str, &str)]) {
    roff.control("SH", [title]);
    for (term, meaning) in entries {
        roff.control("TP", [])
            .text([bold(*term)])
            .text([roman(*meaning)]);
    }
}

/// The examples of a command's help: after an "Example:" or "Examples:" line, one command
/// line per line, with what it shows in parentheses after two spaces or more.
fn examples(cmd: &Command) -> Vec<(String, Option<String>)> {
    let Some(help) = cmd.get_after_help() else {
        return Vec::new();
    };
    help.to_string()
        .lines()
        .skip(1)
        .map(|line| match line.trim().split_once("  (") {
            Some((command, note)) => (
                command.trim_end().to_string(),
                Some(note.trim_end_matches(')').to_string()),
            ),
            None => (line.trim().to_string(), None),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn every_command(cmd: &Command) -> Vec<&Command> {
        let mut all = vec![cmd];
        for sub in cmd.get_subcommands() {
            all.extend(every_command(sub));
        }
        all
    }

    /// `examples` reads the help texts by their layout: one that strays from it would lose
    /// its examples from the man page, or garble them.
    #[test]
    fn every_help_example_follows_the_layout_the_man_page_reads() {
        let cli = prepared(crate::Cli::command());
        for cmd in every_command(&cli) {
            let Some(help) = cmd.get_after_help() else {
                continue;
            };
            let help = help.to_string();
            let mut lines = help.lines();
            let heading = lines.next().unwrap_or_default();
            assert!(
                heading == "Examples:" || heading == "Example:",
                "{}: {help}",
                cmd.get_name()
            );
            for line in lines {
                assert!(
                    line.starts_with("  ") && !line.trim().is_empty(),
                    "{}: {line}",
                    cmd.get_name()
                );
                if let Some((_, note)) = line.split_once("  (") {
                    assert!(note.ends_with(')'), "{}: {line}", cmd.get_name());
                }
            }
        }
    }

    #[test]
    fn an_example_is_split_from_its_note() {
        let cmd = Command::new("x").after_help(
            "Examples:\n  backlings init             (./backlings)\n  backlings list | grep pending",
        );
        assert_eq!(
            examples(&cmd),
            [
                (
                    "backlings init".to_string(),
                    Some("./backlings".to_string())
                ),
                ("backlings list | grep pending".to_string(), None),
            ]
        );
    }
}
