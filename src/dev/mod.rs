//! Instructor tools: `dev new` scaffolds an exercise, `dev check` proves a course sound,
//! `dev classroom` writes the workflow that grades it in GitHub Classroom.

mod check;
mod classroom;
mod editor;
mod mutate;
mod new;

use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::course::Course;

pub use check::check;
pub use classroom::{Options as ClassroomOptions, classroom};
pub use new::new;

/// Left by `dev new` wherever the author has something to write; `dev check` refuses a course
/// that still holds one, so a scaffold cannot ship unfinished.
const TEMPLATE_MARKER: &str = "TODO(author)";

/// The course a dev command works on: `--course DIR`, else the nearest directory holding an
/// `info.toml`, from the current one up, as git finds a repository (`.`, `..`, `../..`…).
/// `None` when neither applies.
fn course_dir(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit.or_else(|| {
        let cwd = std::env::current_dir().ok()?;
        let up = cwd
            .ancestors()
            .position(|dir| dir.join("info.toml").is_file())?;
        Some(match up {
            0 => PathBuf::from("."),
            up => std::iter::repeat_n("..", up).collect(),
        })
    })
}

/// Loads the course at `dir`, or the built-in course when there is none.
pub fn load_course(dir: Option<PathBuf>) -> Result<Course> {
    match course_dir(dir) {
        Some(dir) if dir.join("info.toml").is_file() => Course::from_dir(&dir),
        Some(dir) => bail!(
            "{} has no info.toml; a course directory holds info.toml, exercises/, solutions/, checks/ and mutants/ \
             (`backlings dev new NAME --topic TOPIC --course {}` starts one)",
            dir.display(),
            dir.display()
        ),
        None => Course::builtin(),
    }
}
