//! Shell completion: the script that registers it with a shell, and the exercise names it
//! offers. Completion is dynamic (clap_complete's `CompleteEnv`): on every Tab the shell runs
//! backlings itself with `COMPLETE` set, so names come from the course at hand rather than
//! from a list frozen into the script.

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap_complete::env::Shells;
use clap_complete::{CompleteEnv, CompletionCandidate};

use crate::course::Course;
use crate::workspace::Workspace;

/// Set to a shell's name, it turns a run of backlings into a completion request
/// (clap_complete's default name, which the registration scripts use).
const COMPLETE_VAR: &str = "COMPLETE";

/// The shells clap_complete registers completion with.
const SHELLS: Shells<'static> = Shells::builtins();

/// Answers a completion request and exits when `COMPLETE` asks for one; returns otherwise.
/// Call first thing: the request must find stdout unwritten and no other thread running.
pub fn answer_when_asked(cli: fn() -> clap::Command) {
    CompleteEnv::with_factory(cli).var(COMPLETE_VAR).complete();
}

/// The shells a registration script can be printed for.
pub fn shell_names() -> impl Iterator<Item = &'static str> {
    SHELLS.names()
}

/// Names of the exercises of the workspace around the current directory (of the built-in
/// course outside one) that start with `typed`. A workspace whose course cannot be read
/// offers nothing: completion runs inside the learner's shell and must stay silent.
pub fn learner_exercises(typed: &OsStr) -> Vec<CompletionCandidate> {
    let course =
        std::env::current_dir()
            .ok()
            .and_then(|cwd| match Workspace::course_around(&cwd) {
                Ok(Some(course)) => Some(course),
                Ok(None) => Course::builtin().ok(),
                Err(_) => None,
            });
    candidates(course.as_ref(), typed)
}

/// Names of the exercises `dev check` would prove without `--course` (the course in the
/// current directory, else the built-in one) that start with `typed`. A `--course` on the
/// command line is not seen: clap_complete hands a completer only the word being typed.
pub fn course_exercises(typed: &OsStr) -> Vec<CompletionCandidate> {
    candidates(crate::dev::load_course(None).ok().as_ref(), typed)
}

fn candidates(course: Option<&Course>, typed: &OsStr) -> Vec<CompletionCandidate> {
    let (Some(course), Some(typed)) = (course, typed.to_str()) else {
        return Vec::new();
    };
    course
        .exercises
        .iter()
        .filter(|ex| ex.name.starts_with(typed))
        // Shells that show descriptions (zsh, fish) show the summary beside the name.
        .map(|ex| CompletionCandidate::new(&ex.name).help(Some(ex.summary.clone().into())))
        .collect()
}

/// Prints the script that registers completion with `shell`: the one `COMPLETE=SHELL
/// backlings` prints, which calls back into this binary on every Tab.
pub fn print_registration(shell: &str) -> Result<ExitCode> {
    let completer = SHELLS
        .completer(shell)
        .with_context(|| format!("no completion support for the shell {shell:?}"))?;
    let mut script = Vec::new();
    completer
        .write_registration(
            COMPLETE_VAR,
            "backlings",
            "backlings",
            &invoked_as(),
            &mut script,
        )
        .context("writing the completion script")?;
    std::io::stdout()
        .write_all(&script)
        .context("printing the completion script")?;
    Ok(ExitCode::SUCCESS)
}

/// The program the script runs to complete, named as `CompleteEnv` names it: a bare
/// `backlings` is left to PATH (so the script survives reinstalls), a relative path such as
/// `./target/debug/backlings` is made absolute.
fn invoked_as() -> String {
    let argv0 = std::env::args_os()
        .next()
        .map_or_else(|| PathBuf::from("backlings"), PathBuf::from);
    let path = match std::env::current_dir() {
        Ok(cwd) if argv0.components().count() > 1 => cwd.join(argv0),
        _ => argv0,
    };
    path.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(course: &Course, typed: &str) -> Vec<String> {
        candidates(Some(course), OsStr::new(typed))
            .iter()
            .map(|c| c.get_value().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn only_names_starting_with_what_was_typed_are_offered() {
        let course = Course::builtin().unwrap();
        assert_eq!(names(&course, "lru"), ["lru_cache"]);
        assert_eq!(names(&course, "").len(), course.exercises.len());
        assert!(names(&course, "no_such_prefix").is_empty());
    }

    #[test]
    fn no_course_offers_nothing() {
        assert!(candidates(None, OsStr::new("l")).is_empty());
    }
}
