//! `dev classroom`: the GitHub Classroom autograding workflow for a course. Each exercise is
//! one autograding test worth its own points (`backlings run NAME --course …`, strict in CI),
//! and GitHub Classroom's reporter adds them up. The student's repository is a workspace; the
//! course, hidden checks included, is checked out from the instructor's private repository.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::course::Course;
use crate::files::write_atomically;
use crate::ui::{Theme, link, outln};

/// Where GitHub Classroom looks for the autograding workflow of a template repository.
const WORKFLOW: &str = ".github/workflows/classroom.yml";
/// Where the workflow checks the course out, relative to the student's repository.
const COURSE_CHECKOUT: &str = "course";
/// Minutes one exercise's grade may take on the runner, compile included.
const MINUTES_PER_EXERCISE: u32 = 5;

pub struct Options<'a> {
    pub names: &'a [String],
    pub course_dir: Option<PathBuf>,
    /// `OWNER/NAME` of the private repository that holds the course.
    pub course_repo: Option<&'a str>,
    pub points: u32,
    /// The template repository (a workspace) to write the workflow into.
    pub out: &'a Path,
    pub force: bool,
}

pub fn classroom(options: Options) -> Result<ExitCode> {
    let builtin = super::course_dir(options.course_dir.clone()).is_none();
    let course = super::load_course(options.course_dir)?;
    let exercises: Vec<&str> = if options.names.is_empty() {
        course.exercises.iter().map(|e| e.name.as_str()).collect()
    } else {
        for name in options.names {
            course.find(name)?;
        }
        options.names.iter().map(String::as_str).collect()
    };
    let source = match (builtin, options.course_repo) {
        (true, None) => CourseSource::Builtin,
        (_, Some(repo)) if is_repository(repo) => CourseSource::Repository(repo),
        (_, Some(repo)) => bail!(
            "--course-repo {repo:?} is not a GitHub repository name: give it as OWNER/NAME, \
             e.g. my-school/backend-course"
        ),
        (false, None) => bail!(
            "the workflow needs the course, hidden checks included, from a repository the \
             students cannot read: pass --course-repo OWNER/NAME, the private repository that \
             holds this course (the workflow checks it out with the COURSE_TOKEN secret)"
        ),
    };
    let path = options.out.join(crate::course::native(WORKFLOW));
    if path.exists() && !options.force {
        bail!(
            "{} already exists (nothing was changed); pass --force to replace it",
            path.display()
        );
    }
    let workflow = workflow(&course, &exercises, source, options.points);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    write_atomically(&path, workflow.as_bytes())?;

    let theme = Theme::stdout();
    outln!(
        "{} {} with {} autograding tests ({} points in all)",
        theme.good.apply_to("Wrote"),
        link(&path.display().to_string(), &path),
        exercises.len(),
        options.points as usize * exercises.len()
    )?;
    if let CourseSource::Repository(repo) = source {
        outln!(
            "Next: give the classroom's repositories a COURSE_TOKEN secret that can read {repo} \
             (a fine-grained token with read access to its contents), and commit the workflow \
             to the assignment's template repository."
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy)]
enum CourseSource<'a> {
    Builtin,
    Repository(&'a str),
}

/// `OWNER/NAME` as GitHub allows them.
fn is_repository(text: &str) -> bool {
    let allowed = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    text.split_once('/')
        .is_some_and(|(owner, name)| allowed(owner) && allowed(name))
}

fn workflow(course: &Course, exercises: &[&str], source: CourseSource, points: u32) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let course_arg = match source {
        CourseSource::Builtin => "builtin",
        CourseSource::Repository(_) => COURSE_CHECKOUT,
    };
    let mut yaml = format!(
        "# GitHub Classroom autograding, written by `backlings dev classroom` {version}.\n\
         # Each exercise is one test worth its points; `backlings run` exits 0 on a pass. In CI\n\
         # with --course it grades strictly: no `unsafe`, and the checks run in a sandbox.\n\
         name: Autograding Tests\n\
         on: [push, repository_dispatch]\n\
         permissions:\n  checks: write\n  actions: read\n  contents: read\n\
         jobs:\n  run-autograding-tests:\n    runs-on: ubuntu-latest\n\
         \x20   if: github.actor != 'github-classroom[bot]'\n    steps:\n\
         \x20     - uses: actions/checkout@v4\n"
    );
    if let CourseSource::Repository(repo) = source {
        let _ = write!(
            yaml,
            "      - name: The course, hidden checks included\n\
             \x20       uses: actions/checkout@v4\n        with:\n\
             \x20         repository: {repo}\n\
             \x20         token: ${{{{ secrets.COURSE_TOKEN }}}}\n\
             \x20         path: {COURSE_CHECKOUT}\n"
        );
    }
    let _ = write!(
        yaml,
        "      - uses: dtolnay/rust-toolchain@stable\n\
         \x20     - name: Cache backlings\n        uses: actions/cache@v4\n        with:\n\
         \x20         path: ~/.cargo/bin/backlings\n\
         \x20         key: backlings-{version}-${{{{ runner.os }}}}-${{{{ runner.arch }}}}\n\
         \x20     - name: Install backlings and its sandbox (bubblewrap)\n        run: |\n\
         \x20         sudo apt-get update -qq && sudo apt-get install -y bubblewrap\n\
         \x20         command -v backlings || cargo install --locked backlings --version {version}\n"
    );
    for name in exercises {
        let limit = course.find(name).map_or(MINUTES_PER_EXERCISE, |e| {
            MINUTES_PER_EXERCISE + e.time_limit.as_secs().div_ceil(60) as u32
        });
        let _ = write!(
            yaml,
            "      - name: {name}\n        id: {name}\n\
             \x20       uses: classroom-resources/autograding-command-grader@v1\n        with:\n\
             \x20         test-name: {name}\n\
             \x20         command: backlings run {name} --course {course_arg}\n\
             \x20         timeout: {limit}\n          max-score: {points}\n"
        );
    }
    let results: String = exercises
        .iter()
        .map(|name| {
            format!(
                "          {}_RESULTS: \"${{{{ steps.{name}.outputs.result }}}}\"\n",
                name.to_uppercase()
            )
        })
        .collect();
    let _ = write!(
        yaml,
        "      - name: Autograding Reporter\n\
         \x20       uses: classroom-resources/autograding-grading-reporter@v1\n        env:\n\
         {results}        with:\n          runners: {}\n",
        exercises.join(",")
    );
    yaml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names_are_owner_slash_name() {
        assert!(is_repository("my-school/backend.course_2026"));
        for bad in [
            "course",
            "a/b/c",
            "/course",
            "me/",
            "me/co urse",
            "me/${{ x }}",
        ] {
            assert!(!is_repository(bad), "{bad}");
        }
    }
}
