//! The learner's progress: which exercises are done, hints revealed, the current exercise.
//! Stored as TOML and always replaced atomically, so a crash leaves the old or the new file.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

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
}

impl State {
    pub fn new(course: String, current: Option<String>) -> State {
        State {
            version: STATE_VERSION,
            course,
            current,
            exercises: BTreeMap::new(),
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
        let text = fs::read_to_string(&self.path)
            .with_context(|| format!("reading progress file {}", self.path.display()))?;
        let state: State =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", self.path.display()))?;
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

    /// Re-reads the file, applies `change`, and writes it back, so that two processes sharing a
    /// workspace only lose each other's changes if they race within the same few microseconds.
    pub fn update<T>(&self, change: impl FnOnce(&mut State) -> T) -> Result<(State, T)> {
        let mut state = self.load()?;
        let out = change(&mut state);
        self.save(&state)?;
        Ok((state, out))
    }
}

/// Writes `bytes` to a temporary file next to `path`, syncs it and renames it over `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", tmp.path().display()))?;
    tmp.persist(path)
        .with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
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
    fn a_corrupt_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.toml");
        fs::write(&path, "version = \"one\"").unwrap();
        let err = StateFile::new(path.clone()).load().unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
    }
}
