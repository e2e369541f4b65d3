//! What a learner does in a workspace, the same for the one-shot commands and watch mode:
//! open it, grade an exercise, ask clippy about it, compare it with the reference. Nothing
//! here prints; `cmd` and `watch` show what it returns.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, anyhow};

use crate::course::{Exercise, Origin};
use crate::grader::{self, Cancelled, Submission, Toolchain, Verdict};
use crate::platform::Sandbox;
use crate::workspace::Workspace;

/// The workspace the current directory is in, or an error that says how to make one.
pub fn open() -> Result<Workspace> {
    Workspace::locate_or_explain(&current_dir()?)
}

/// The workspace to grade, against the course `--course` names, if it does.
pub fn open_for_grading(course: Option<&Path>) -> Result<Workspace> {
    let chosen = match course {
        None => None,
        Some(dir) if dir == Path::new("builtin") => Some(Origin::Builtin),
        Some(dir) => Some(Origin::Dir(
            crate::platform::canonicalize(dir)
                .with_context(|| format!("finding the course directory {}", dir.display()))?,
        )),
    };
    Workspace::locate_for_grading(&current_dir()?, chosen.as_ref())
}

fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().context("reading the current directory")
}

/// The sandbox to grade in: `strict` is what `--strict` or `--no-strict` said, if either
/// did; otherwise grading is strict when it is `for_record` (a report file, the instructor's
/// course) in CI. Strict grading without a sandbox is refused, never done unsandboxed.
pub fn sandbox_for(strict: Option<bool>, for_record: bool) -> Result<Option<Sandbox>> {
    let strict = strict.unwrap_or_else(|| crate::workspace::in_ci() && for_record);
    strict
        .then(|| Sandbox::find().map_err(|why| anyhow!("{why}")))
        .transpose()
}

/// Grades the learner's file of `ex`, unless `cancel` is set first. A file that cannot be
/// read as one (missing, a directory, too big) or checks that cannot be read are the
/// verdict's `NotGraded`.
pub fn grade(
    ws: &Workspace,
    toolchain: &Toolchain,
    ex: &Exercise,
    strict: Option<&Sandbox>,
    cancel: &AtomicBool,
) -> Result<Verdict, Cancelled> {
    let file = ws.exercise_path(ex);
    let sources = ws
        .check_exercise_file(ex)
        .and_then(|()| Ok((ws.course().checks(ex)?, ws.course().checks_support()?)));
    let (checks, support) = match sources {
        Ok(sources) => sources,
        Err(why) => return Ok(Verdict::not_graded(format!("{why:#}"))),
    };
    // Graded work trusts no build output found in the workspace: a cache committed with it
    // could hold compiled code of the student's choosing.
    let (build, kit_dir) = match strict {
        Some(_) => (None, None),
        None => (Some(ws.build_dir(ex)), Some(ws.shared_build_dir())),
    };
    let sub = Submission {
        name: &ex.name,
        file: &file,
        display_root: ws.root(),
        checks: &checks,
        support: &support,
        time_limit: ex.time_limit,
        build_dir: build.as_deref(),
        kit_dir: kit_dir.as_deref(),
        strict,
        stop_at_first_failure: false,
    };
    grader::grade(toolchain, &sub, cancel)
}

/// Grades the learner's file of `ex` to its verdict, as [`grade`] does.
pub fn grade_once(
    ws: &Workspace,
    toolchain: &Toolchain,
    ex: &Exercise,
    strict: Option<&Sandbox>,
) -> Verdict {
    grader::uncancelled(|never| grade(ws, toolchain, ex, strict, never))
}

/// clippy's advice on the learner's file of `ex`; `None` without clippy.
pub fn advice(ws: &Workspace, toolchain: &Toolchain, ex: &Exercise) -> Result<Option<Vec<String>>> {
    grader::clippy_advice(toolchain, &ex.name, &ws.exercise_path(ex), ws.root())
}

/// The learner's file of `ex` and the reference solution, to compare.
pub fn comparison(ws: &Workspace, ex: &Exercise) -> Result<(String, String)> {
    let path = ws.exercise_path(ex);
    let mine =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok((mine, ws.course().solution(ex)?.into_owned()))
}
