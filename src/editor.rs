//! Opening an exercise in the learner's editor: `--edit-cmd`, VS Code when its terminal runs
//! backlings, then `$VISUAL` and `$EDITOR`. Windowed editors start beside watch mode; a
//! terminal editor gets a tmux pane of its own, since watch mode owns this terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::platform;

/// Editors that take over the terminal they start in.
const TERMINAL_EDITORS: &[&str] = &[
    "vi", "vim", "nvim", "nano", "pico", "emacs", "hx", "helix", "micro", "kak", "ne", "joe", "mg",
    "ed", "jed", "mcedit",
];

/// A shell command that opens the file given as its last argument.
pub struct Editor {
    command: String,
    /// Where the command came from, for messages.
    source: &'static str,
    /// The tmux pane a terminal editor was opened in, and the file it was opened on.
    pane: Option<(String, PathBuf)>,
}

impl Editor {
    /// The editor to use, or `None` when nothing says which one.
    pub fn find(edit_cmd: Option<&str>) -> Option<Editor> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(command) = edit_cmd {
            return Some(Editor {
                command: command.to_string(),
                source: "--edit-cmd",
                pane: None,
            });
        }
        if var("TERM_PROGRAM").as_deref() == Some("vscode") && which::which("code").is_ok() {
            return Some(Editor {
                command: "code --goto".to_string(),
                source: "VS Code's terminal",
                pane: None,
            });
        }
        for name in ["VISUAL", "EDITOR"] {
            if let Some(command) = var(name) {
                return Some(Editor {
                    command,
                    source: if name == "VISUAL" {
                        "$VISUAL"
                    } else {
                        "$EDITOR"
                    },
                    pane: None,
                });
            }
        }
        None
    }

    fn runs_in_terminal(&self) -> bool {
        let program = first_word(&self.command);
        let name = Path::new(program)
            .file_name()
            .map_or(program.into(), |n| n.to_string_lossy());
        TERMINAL_EDITORS.contains(&name.as_ref())
    }

    /// Opens `file` and returns what happened, for the learner. A windowed editor's process
    /// is returned to be waited on, so that a failure can still be reported.
    pub fn open(&mut self, file: &Path) -> Result<(String, Option<std::process::Child>)> {
        if self.runs_in_terminal() {
            if std::env::var_os("TMUX").is_none() {
                bail!(
                    "{} ({}) runs in a terminal, and watch mode is using this one: open {} in another terminal, \
                     or pass --edit-cmd with a windowed editor (e.g. --edit-cmd \"code --goto\")",
                    self.source,
                    self.command,
                    file.display()
                );
            }
            return self.open_in_tmux_pane(file).map(|message| (message, None));
        }
        let child = platform::shell_command(&[], &self.command, file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {} ({})", self.command, self.source))?;
        Ok((
            format!("Opening with {} ({})…", self.command, self.source),
            Some(child),
        ))
    }

    /// Opens `file` in the pane this editor has open already, or else in a new pane beside
    /// watch mode, in backlings' own tmux window.
    fn open_in_tmux_pane(&mut self, file: &Path) -> Result<String> {
        if let Some((pane, shown)) = self.pane.take()
            && tmux(&["display-message", "-p", "-t", &pane, ""]).is_ok()
        {
            let message = if shown == file {
                tmux(&["select-pane", "-t", &pane])?;
                format!("Back to the tmux pane where {} has it open", self.command)
            } else {
                // The learner saved the last exercise to pass it; its editor gives way.
                let respawn = ["tmux", "respawn-pane", "-k", "-t", pane.as_str()];
                run(platform::shell_command(&respawn, &self.command, file))?;
                format!("Opened in the same tmux pane with {}", self.command)
            };
            self.pane = Some((pane, file.to_path_buf()));
            return Ok(message);
        }
        let own_pane = std::env::var("TMUX_PANE").ok();
        let mut split = vec!["tmux", "split-window", "-h", "-P", "-F", "#{pane_id}"];
        if let Some(own) = &own_pane {
            split.extend(["-t", own.as_str()]);
        }
        let pane = run(platform::shell_command(&split, &self.command, file))?;
        self.pane = Some((pane, file.to_path_buf()));
        Ok(format!("Opened in a tmux pane with {}", self.command))
    }
}

/// Runs `tmux ARGS`; what it printed.
fn tmux(args: &[&str]) -> Result<String> {
    let mut command = Command::new("tmux");
    command.args(args);
    run(command)
}

/// Runs a tmux command to its end; what it printed, or why it failed.
fn run(mut command: Command) -> Result<String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .context("running tmux")?;
    if !out.status.success() {
        bail!(
            "tmux failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The program of a shell command line: its first word, which may be quoted.
fn first_word(command: &str) -> &str {
    let command = command.trim_start();
    match command.chars().next() {
        Some(quote @ ('\'' | '"')) => {
            let rest = &command[1..];
            rest.find(quote).map_or(rest, |end| &rest[..end])
        }
        _ => command.split_whitespace().next().unwrap_or(""),
    }
}

/// Waits for a windowed editor's launcher; what went wrong, if it failed.
pub fn failure(child: std::process::Child) -> Option<String> {
    match child.wait_with_output() {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "the editor failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Some(format!("the editor failed: {e}")),
    }
}

pub const NO_EDITOR: &str =
    "no editor is set: pass --edit-cmd \"code --goto\" (or your editor), or set $VISUAL or $EDITOR";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_is_the_first_word_quoted_or_not() {
        assert_eq!(first_word("code --goto"), "code");
        assert_eq!(first_word("  '/my dir/vi' -p"), "/my dir/vi");
        assert_eq!(first_word("\"/x y/nvim\""), "/x y/nvim");
        let vi = Editor {
            command: "'/a b/vi' -R".into(),
            source: "$EDITOR",
            pane: None,
        };
        assert!(vi.runs_in_terminal());
        let code = Editor {
            command: "code --wait".into(),
            source: "$EDITOR",
            pane: None,
        };
        assert!(!code.runs_in_terminal());
    }
}
