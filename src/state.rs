//! The learner's progress: which exercises are done, hints revealed, the current exercise.
//! Stored as TOML and always replaced atomically, so a crash leaves the old or the new file.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::files::write_atomically;

const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub version: u32,
    /// `"builtin"` or the absolute path of a course directory.
    pub course: String,
    /// The exercise watch mode shows; `None` once the course is complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseState>,
    /// Mock interview rounds (`backlings interview`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interviews: Vec<InterviewRecord>,
}

/// One mock interview round, as its scorecard showed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterviewRecord {
    pub exercise: String,
    /// When the round started, local time: `2026-12-03 10:30`.
    pub started: String,
    pub seconds_allowed: u64,
    pub passed: bool,
    /// Seconds from the start to the first save that compiled, and to the pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_compile_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_secs: Option<u64>,
    /// Graded saves of new content.
    pub saves: u32,
    pub hints: u32,
    /// Every check that failed on the way, in the order they first failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_checks: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseState {
    #[serde(default)]
    pub done: bool,
    #[serde(default)]
    pub hints_shown: usize,
    #[serde(default)]
    pub attempts: u32,
    /// Time spent in watch mode on this exercise, in seconds (see `Workspace::record`).
    #[serde(default)]
    pub seconds: u64,
    /// The fingerprint of the content last counted as an attempt, in hex: grading the same
    /// content again (a re-grade, a second watcher seeing the same save) is no new attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempted: Option<String>,
}

impl State {
    pub fn new(course: String, current: Option<String>) -> State {
        State {
            version: STATE_VERSION,
            course,
            current,
            exercises: BTreeMap::new(),
            interviews: Vec::new(),
        }
    }

    pub fn is_done(&self, name: &str) -> bool {
        self.exercises.get(name).is_some_and(|e| e.done)
    }

    pub fn entry(&mut self, name: &str) -> &mut ExerciseState {
        self.exercises.entry(name.to_string()).or_default()
    }
}

/// The state file of one workspace.
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub fn new(path: PathBuf) -> StateFile {
        StateFile { path }
    }

    pub fn load(&self) -> Result<State> {
        self.parse(&self.read()?)
    }

    /// Loads the state; if the file is readable but does not parse, keeps a copy beside it,
    /// salvages what it can (the course, the current exercise, each exercise's valid fields)
    /// and saves that, returning with it a message naming the file, the problem and the copy.
    pub fn load_or_recover(&self) -> Result<(State, Option<String>)> {
        let text = self.read()?;
        let problem = match self.parse(&text) {
            Ok(state) => return Ok((state, None)),
            Err(e) => format!("{e:#}"),
        };
        // A newer backlings wrote it: what looks broken here is what this version cannot read.
        if newer_version(&text).is_some() {
            bail!(problem);
        }
        let copy = self
            .path
            .with_extension(format!("toml.corrupt-{}", file_timestamp()));
        fs::write(&copy, &text).with_context(|| {
            format!(
                "keeping a copy of {} at {}",
                self.path.display(),
                copy.display()
            )
        })?;
        let state = salvage(&text);
        self.save(&state)?;
        let kept = state.exercises.values().filter(|e| e.done).count();
        let notice = format!(
            "{problem}\nThe progress file was repaired: {kept} finished exercise(s) recovered; \
             the original is kept at {}",
            copy.display()
        );
        Ok((state, Some(notice)))
    }

    fn read(&self) -> Result<String> {
        fs::read_to_string(&self.path)
            .with_context(|| format!("reading progress file {}", self.path.display()))
    }

    fn parse(&self, text: &str) -> Result<State> {
        if let Some(version) = newer_version(text) {
            bail!(
                "{}: progress format version {version} was written by a newer backlings, which \
                 this one (format {STATE_VERSION}) cannot read; update it with \
                 `cargo install --locked backlings` (the file was left as it is)",
                self.path.display()
            );
        }
        let state: State =
            toml::from_str(text).map_err(|e| anyhow::anyhow!("{}: {e}", self.path.display()))?;
        if state.version != STATE_VERSION {
            bail!(
                "{}: progress format version {} is not supported (expected {STATE_VERSION})",
                self.path.display(),
                state.version
            );
        }
        Ok(state)
    }

    pub fn save(&self, state: &State) -> Result<()> {
        let text = toml::to_string_pretty(state).context("serialising progress")?;
        write_atomically(&self.path, text.as_bytes())
    }

    /// Re-reads the file, applies `change`, and writes it back, holding a lock on a file next
    /// to it meanwhile, so that two processes sharing a workspace (two watchers, a watcher and
    /// `run`) never lose each other's changes.
    pub fn update<T>(&self, change: impl FnOnce(&mut State) -> T) -> Result<(State, T)> {
        // An update takes milliseconds; much longer means a stuck process holds the lock.
        let _lock = crate::lock::exclusive_within(
            &self.path.with_extension("lock"),
            std::time::Duration::from_secs(10),
        )?;
        let mut state = self.load()?;
        let out = change(&mut state);
        self.save(&state)?;
        Ok((state, out))
    }
}

/// The local time to the second, as a file name can hold it on every OS
/// (`2026-12-02T15-04-05`), for naming kept copies and backups.
pub fn file_timestamp() -> String {
    jiff::Zoned::now().strftime("%Y-%m-%dT%H-%M-%S").to_string()
}

/// The format version `text` names, if it is newer than this backlings knows; read before
/// anything else, since a newer format may hold fields this one refuses.
fn newer_version(text: &str) -> Option<i64> {
    let table: toml::Table = text.parse().ok()?;
    table
        .get("version")
        .and_then(toml::Value::as_integer)
        .filter(|&v| v > i64::from(STATE_VERSION))
}

/// Reads whatever valid fields a damaged state file still has.
fn salvage(text: &str) -> State {
    let table: toml::Table = text.parse().unwrap_or_default();
    let string = |key: &str| table.get(key).and_then(|v| v.as_str()).map(str::to_string);
    // Without the course the workspace cannot be opened; look for its line even in broken TOML.
    let course = string("course")
        .or_else(|| {
            text.lines()
                .filter_map(|l| {
                    l.trim()
                        .strip_prefix("course")?
                        .trim()
                        .strip_prefix('=')?
                        .trim()
                        .parse::<toml::Value>()
                        .ok()
                })
                .find_map(|v| v.as_str().map(str::to_string))
        })
        .unwrap_or_else(|| "builtin".to_string());
    let mut state = State::new(course, string("current"));
    if let Some(exercises) = table.get("exercises").and_then(|v| v.as_table()) {
        for (name, entry) in exercises {
            let Some(entry) = entry.as_table() else {
                continue;
            };
            let int = |key: &str| {
                entry
                    .get(key)
                    .and_then(|v| v.as_integer())
                    .filter(|n| *n >= 0)
            };
            state.exercises.insert(
                name.clone(),
                ExerciseState {
                    done: entry.get("done").and_then(|v| v.as_bool()).unwrap_or(false),
                    hints_shown: int("hints_shown").map_or(0, |n| n as usize),
                    attempts: int("attempts").map_or(0, |n| n.min(u32::MAX as i64) as u32),
                    seconds: int("seconds").map_or(0, |n| n as u64),
                    attempted: entry
                        .get("attempted")
                        .and_then(|v| v.as_str())
                        .map(str::to_string),
                },
            );
        }
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_updates() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.toml"));
        file.save(&State::new("builtin".into(), Some("intro".into())))
            .unwrap();
        let (state, ()) = file
            .update(|s| {
                s.entry("intro").done = true;
                s.current = Some("next".into());
            })
            .unwrap();
        assert_eq!(file.load().unwrap(), state);
        assert!(state.is_done("intro"));
        assert!(!state.is_done("next"));
    }

    #[test]
    fn a_hand_edited_file_keeps_its_valid_progress_and_a_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.toml");
        let edited = "version = 1\ncourse = \"/my/course\"\ncurrent = \"b\"\n\n[exercises.a]\ndone = true\n\n[exercises.b]\ndone = \"yes\"\nhints_shown = 2\n";
        fs::write(&path, edited).unwrap();
        let file = StateFile::new(path.clone());
        let (recovered, message) = file.load_or_recover().unwrap();
        let message = message.unwrap();
        assert!(
            message.starts_with(&path.display().to_string()),
            "{message}"
        );
        assert!(
            message.contains("1 finished exercise(s) recovered"),
            "{message}"
        );
        let state = file.load().unwrap();
        assert_eq!(state, recovered);
        assert_eq!(state.course, "/my/course");
        assert_eq!(state.current.as_deref(), Some("b"));
        assert!(state.is_done("a"));
        assert!(!state.is_done("b"));
        assert_eq!(state.exercises["b"].hints_shown, 2);
        let copies: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
            .collect();
        assert_eq!(copies.len(), 1);
        assert_eq!(fs::read_to_string(copies[0].path()).unwrap(), edited);
        assert_eq!(
            file.load_or_recover().unwrap(),
            (state, None),
            "a repaired file needs no repair"
        );
    }

    #[test]
    fn garbage_still_finds_the_course_line() {
        let state = salvage("course = \"/c\"\n[[[ not toml");
        assert_eq!(state.course, "/c");
        assert!(state.exercises.is_empty());
        assert_eq!(salvage("").course, "builtin");
    }

    #[test]
    fn a_corrupt_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.toml");
        fs::write(&path, "version = \"one\"").unwrap();
        let err = StateFile::new(path.clone()).load().unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
    }
}
