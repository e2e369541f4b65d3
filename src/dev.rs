//! Instructor tools: `dev check` proves that a course is sound.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cmd::{NOT_CANCELLED, parallel_map};
use crate::course::{Course, Exercise};
use crate::grader::{self, Outcome, Submission, Toolchain, Verdict};
use crate::ui::Theme;

/// A statement shorter than this many doc-comment lines cannot hold rules and examples.
const MIN_STATEMENT_LINES: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Stub,
    Solution,
    Mutant,
}

struct Job<'a> {
    exercise: &'a Exercise,
    checks: &'a str,
    role: Role,
    label: String,
    source: String,
}

pub fn check(course_dir: Option<PathBuf>, names: &[String]) -> Result<ExitCode> {
    let course = match course_dir {
        Some(dir) => Course::from_dir(&dir)?,
        None if Path::new("info.toml").is_file() => Course::from_dir(Path::new("."))?,
        None => Course::builtin()?,
    };
    let selected: Vec<&Exercise> = if names.is_empty() {
        course.exercises.iter().collect()
    } else {
        names
            .iter()
            .map(|n| course.find(n))
            .collect::<Result<_>>()?
    };
    let theme = Theme::stdout();
    let mut problems = layout_problems(&course)?;

    let all_checks: Vec<String> = selected
        .iter()
        .map(|ex| course.checks(ex).map(|c| c.into_owned()))
        .collect::<Result<_>>()?;
    let mut jobs = Vec::new();
    for (ex, checks) in selected.iter().zip(&all_checks) {
        let stub = course.stub(ex)?.into_owned();
        if statement_lines(&stub) < MIN_STATEMENT_LINES {
            problems.push(format!(
                "{}: the stub's statement has fewer than {MIN_STATEMENT_LINES} `//!` lines; state the problem, rules, examples and complexity",
                ex.rel_path()
            ));
        }
        if ex.hints.is_empty() {
            problems.push(format!("{}: info.toml gives no hints", ex.name));
        }
        if grader::check_names(checks).is_empty() {
            problems.push(format!(
                "{}: the checks file declares no #[test] functions",
                ex.name
            ));
        }
        jobs.push(Job {
            exercise: ex,
            checks,
            role: Role::Stub,
            label: "stub".into(),
            source: stub,
        });
        let solution = course.solution(ex)?.into_owned();
        jobs.push(Job {
            exercise: ex,
            checks,
            role: Role::Solution,
            label: "solution".into(),
            source: solution,
        });
        for (slug, source) in course.mutants(ex)? {
            jobs.push(Job {
                exercise: ex,
                checks,
                role: Role::Mutant,
                label: format!("mutant {slug}"),
                source: source.into_owned(),
            });
        }
    }

    let toolchain = Toolchain::discover()?;
    let scratch = tempfile::Builder::new()
        .prefix("backlings-dev-")
        .tempdir()
        .context("creating a scratch directory")?;
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(jobs.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} proving [{bar:30}] {pos}/{len}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let indexed: Vec<(usize, &Job)> = jobs.iter().enumerate().collect();
    let verdicts = parallel_map(&indexed, &bar, |(i, job)| {
        grade_source(&toolchain, scratch.path(), *i, job)
    });
    bar.finish_and_clear();

    let mut table = String::new();
    let width = selected
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        table,
        "{:width$}  checks  stub    solution   mutants killed",
        "exercise"
    );
    for ex in &selected {
        let mut row = Row::default();
        for (job, verdict) in jobs
            .iter()
            .zip(&verdicts)
            .filter(|(j, _)| j.exercise.name == ex.name)
        {
            let verdict = match verdict {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!(
                        "{} {}: could not be graded: {e:#}",
                        ex.name, job.label
                    ));
                    continue;
                }
            };
            row.checks = verdict.checks.len();
            match (job.role, &verdict.outcome) {
                (Role::Stub, Outcome::Failed | Outcome::Crashed { .. } | Outcome::TimedOut { .. }) => row.stub_ok = true,
                (Role::Stub, Outcome::Passed) => problems.push(format!("{}: the stub passes every check", ex.name)),
                (Role::Stub, Outcome::CompileError) => problems.push(format!(
                    "{}: the stub does not compile:\n{}",
                    ex.name,
                    strip(&verdict.errors.join("\n"))
                )),
                (Role::Solution, Outcome::Passed) => {
                    row.solution_ok = true;
                    row.solution_time = verdict.run_time;
                }
                (Role::Solution, _) => problems.push(format!(
                    "{}: the reference solution does not pass: {}\n{}",
                    ex.name,
                    verdict.headline(),
                    failure_details(verdict)
                )),
                (Role::Mutant, Outcome::CompileError) => problems.push(format!(
                    "{} {}: does not compile (a mutant must be a plausible, compiling wrong solution):\n{}",
                    ex.name,
                    job.label,
                    strip(&verdict.errors.join("\n"))
                )),
                (Role::Mutant, Outcome::Passed) => problems.push(format!(
                    "{} {}: survives every check; the checks of {} are too weak",
                    ex.name, job.label, ex.name
                )),
                (Role::Mutant, _) => row.mutants_killed += 1,
            }
            if job.role == Role::Mutant {
                row.mutants += 1;
            }
        }
        let mark = |ok: bool| if ok { "ok" } else { "FAIL" };
        let _ = writeln!(
            table,
            "{:width$}  {:>6}  {:6}  {:4} {:>4} ms  {}/{}",
            ex.name,
            row.checks,
            mark(row.stub_ok),
            mark(row.solution_ok),
            row.solution_time.as_millis(),
            row.mutants_killed,
            row.mutants
        );
    }
    print!("{table}");
    if problems.is_empty() {
        println!(
            "\n{} {} exercises are sound",
            theme.good.apply_to("ok:"),
            selected.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!();
        for p in &problems {
            println!("{} {p}", theme.bad.apply_to("problem:"));
        }
        println!("\n{} problem(s) found", problems.len());
        Ok(ExitCode::from(1))
    }
}

#[derive(Default)]
struct Row {
    checks: usize,
    stub_ok: bool,
    solution_ok: bool,
    solution_time: Duration,
    mutants: usize,
    mutants_killed: usize,
}

fn grade_source(toolchain: &Toolchain, scratch: &Path, index: usize, job: &Job) -> Result<Verdict> {
    let dir = scratch.join(index.to_string());
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = dir.join(format!("{}.rs", job.exercise.name));
    fs::write(&file, &job.source).with_context(|| format!("writing {}", file.display()))?;
    let sub = Submission {
        name: &job.exercise.name,
        file: &file,
        display_root: &dir,
        checks: job.checks,
        time_limit: job.exercise.time_limit,
        build_dir: None,
    };
    Ok(grader::grade(toolchain, &sub, &NOT_CANCELLED)?.expect("never cancelled"))
}

fn failure_details(verdict: &Verdict) -> String {
    verdict
        .failed_checks()
        .map(|c| format!("    {}: {}", c.name, c.message.as_deref().unwrap_or("")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn strip(s: &str) -> String {
    console::strip_ansi_codes(s).into_owned()
}

fn statement_lines(stub: &str) -> usize {
    stub.lines()
        .filter(|l| l.trim_start().starts_with("//!"))
        .count()
}

/// Files and `info.toml` must agree: every exercise has its three files, and no file
/// belongs to no exercise.
fn layout_problems(course: &Course) -> Result<Vec<String>> {
    let files: BTreeSet<String> = course.list_files()?.into_iter().collect();
    let mut problems = Vec::new();
    let mut owned = BTreeSet::new();
    for ex in &course.exercises {
        for rel in [
            ex.rel_path(),
            ex.solution_rel_path(),
            format!("checks/{}/{}.rs", ex.topic, ex.name),
        ] {
            if !files.contains(&rel) {
                problems.push(format!("{}: missing file {rel}", ex.name));
            }
            owned.insert(rel);
        }
    }
    for rel in &files {
        let is_mutant_of_some = course.exercises.iter().any(|ex| {
            rel.strip_prefix(&ex.mutants_rel_dir())
                .is_some_and(|r| r.starts_with('/') && r.ends_with(".rs"))
        });
        if !owned.contains(rel) && !is_mutant_of_some {
            problems.push(format!(
                "orphan file {rel}: no exercise in info.toml uses it"
            ));
        }
    }
    Ok(problems)
}
