//! The one-shot learner commands: init, run, check, hint, list, reset, solution, compare, stats.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use indicatif::ProgressBar;

use crate::course::{self, Course};
use crate::files::write_atomically;
use crate::grader::{Outcome, Toolchain, Verdict};
use crate::session;
use crate::ui::{self, Theme, json, link, link_padded, out, outln};
use crate::workspace::{Counted, Workspace};

/// The workspace the current directory is in, once what opening it had to do is said.
fn current_workspace() -> Result<Workspace> {
    session::open().map(ui::announced)
}

pub fn init(path: Option<PathBuf>, course_dir: Option<PathBuf>) -> Result<ExitCode> {
    let course = match &course_dir {
        Some(dir) => Course::from_dir(dir)?,
        None => Course::builtin()?,
    };
    let (path, next) = match path {
        Some(path) => {
            let next = format!("cd {} && backlings", path.display());
            (path, next)
        }
        None => (crate::workspace::default_root()?, "backlings".to_string()),
    };
    let ws = Workspace::init(&path, course)?;
    out!("{}", ui::render_welcome(&ws, &Theme::stdout()))?;
    outln!(
        "Next: run `{next}`{}.",
        if next == "backlings" {
            " (from any directory)"
        } else {
            ""
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The workspace to grade, against the course `--course` names, if it does.
fn workspace_to_grade(course: Option<&Path>) -> Result<Workspace> {
    session::open_for_grading(course).map(ui::announced)
}

/// What keeps a verdict from being shown as one: the reason it could not be graded.
fn graded(verdict: Verdict) -> Result<Verdict> {
    match verdict.outcome {
        Outcome::NotGraded { reason } => Err(anyhow::anyhow!(reason)),
        _ => Ok(verdict),
    }
}

pub fn run(
    name: Option<&str>,
    as_json: bool,
    course: Option<&Path>,
    strict: Option<bool>,
) -> Result<ExitCode> {
    let sandbox = session::sandbox_for(strict, course.is_some())?;
    let ws = workspace_to_grade(course)?;
    ws.ensure_writable()?;
    let ex = ws.named_or_current(name)?.clone();
    let toolchain = Toolchain::discover()?;
    let verdict = graded(session::grade_once(&ws, &toolchain, &ex, sandbox.as_ref()))?;
    // One-shot grades say nothing about how long the learner worked.
    let counted = Counted::Attempt {
        content: crate::files::fingerprint(&ws.read_exercise(&ex)?),
        spent: Duration::ZERO,
    };
    let next = ws.record(&ex, verdict.passed(), counted)?;
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json::results(&verdict))?
        )?;
    } else {
        let theme = Theme::stdout();
        outln!(
            "{} {}",
            theme.heading.apply_to(&ex.name),
            link(&ex.shown_path(), &ws.exercise_path(&ex))
        )?;
        out!("{}", ui::render_verdict(&verdict, &theme, ui::Detail::Full))?;
        if verdict.passed() {
            let advice = session::advice(&ws, &toolchain, &ex)?;
            out!("\n{}", ui::render_advice(advice.as_deref(), &theme))?;
            outln!(
                "\nReference solution: {} (`backlings compare {}` shows what differs)",
                link(
                    &course::shown(&ex.solution_rel_path()),
                    &ws.solution_path(&ex)
                ),
                ex.name
            )?;
            match next.and_then(|n| ws.course().find(&n).ok()) {
                Some(next) => outln!(
                    "Next: {} {}",
                    next.name,
                    link(&next.shown_path(), &ws.exercise_path(next))
                )?,
                None if ws.done_count(&ws.state()?) == ws.course().exercises.len() => {
                    outln!("\n{}", ws.course().final_message.trim())?
                }
                None => {}
            }
        }
    }
    Ok(if verdict.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Grades every exercise of the workspace; `strict` as for [`session::sandbox_for`].
pub fn check(
    as_json: bool,
    junit: Option<&Path>,
    course: Option<&Path>,
    strict: Option<bool>,
) -> Result<ExitCode> {
    let sandbox = session::sandbox_for(strict, junit.is_some() || course.is_some())?;
    let ws = workspace_to_grade(course)?;
    ws.ensure_writable()?;
    let toolchain = Toolchain::discover()?;
    let exercises = &ws.course().exercises;
    let bar = if as_json {
        ProgressBar::hidden()
    } else {
        ui::progress_bar("grading", exercises.len())
    };
    let graded = crate::parallel::parallel_map(exercises, &bar, |ex| {
        session::grade_once(&ws, &toolchain, ex, sandbox.as_ref())
    });
    bar.finish_and_clear();

    // One exercise that cannot be graded (a missing file, say) is reported as such; the
    // others are still recorded and reported.
    for (ex, verdict) in exercises.iter().zip(&graded) {
        if !matches!(verdict.outcome, Outcome::NotGraded { .. }) {
            ws.record(ex, verdict.passed(), Counted::Nothing)?;
        }
    }
    let all_passed = graded.iter().all(Verdict::passed);
    if let Some(path) = junit {
        let names = exercises.iter().map(|e| e.name.as_str());
        let xml = ui::junit::report(names.zip(&graded))?;
        write_atomically(path, xml.as_bytes())
            .with_context(|| format!("writing the JUnit report {}", path.display()))?;
    }
    if as_json {
        let exercises: Vec<json::ExerciseResults> = exercises
            .iter()
            .zip(&graded)
            .map(|(ex, verdict)| json::ExerciseResults {
                exercise: ex.name.clone(),
                results: json::results(verdict),
            })
            .collect();
        let out = json::CourseResults {
            version: 2,
            status: json::course_status(&exercises),
            exercises,
        };
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
    } else {
        let theme = Theme::stdout();
        let (name_width, path_width) = ui::column_widths(exercises);
        for (ex, verdict) in exercises.iter().zip(&graded) {
            let mark = if verdict.passed() {
                theme.good.apply_to("✓")
            } else {
                theme.bad.apply_to("✗")
            };
            outln!(
                "{mark} {:name_width$}  {}  {}",
                ex.name,
                theme.dim.apply_to(link_padded(
                    &ex.shown_path(),
                    &ws.exercise_path(ex),
                    path_width
                )),
                verdict.headline()
            )?;
        }
        let passed = graded.iter().filter(|v| v.passed()).count();
        outln!("\n{passed}/{} exercises pass", graded.len())?;
    }
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn hint(name: Option<&str>) -> Result<ExitCode> {
    let ws = current_workspace()?;
    let ex = ws.named_or_current(name)?;
    let theme = Theme::stdout();
    if ex.hints.is_empty() {
        outln!("{} has no hints.", ex.name)?;
        return Ok(ExitCode::SUCCESS);
    }
    let recorded = ws.ensure_writable().and_then(|()| ws.reveal_hint(ex));
    let shown = match &recorded {
        Ok(shown) => *shown,
        Err(_) => {
            let seen = ws
                .state()?
                .exercises
                .get(&ex.name)
                .map_or(0, |e| e.hints_shown);
            (seen + 1).min(ex.hints.len())
        }
    };
    out!("{}", ui::render_hints(ex, shown, &theme))?;
    if let Err(why) = recorded {
        eprintln!(
            "{} this hint was shown but not remembered: {why:#}",
            theme.warn.apply_to("note:")
        );
    }
    if shown == ex.hints.len() {
        outln!("{}", theme.dim.apply_to("That was the last hint."))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list() -> Result<ExitCode> {
    let ws = current_workspace()?;
    let state = ws.state()?;
    out!("{}", ui::render_list(&ws, &state, &Theme::stdout()))?;
    Ok(ExitCode::SUCCESS)
}

pub fn stats() -> Result<ExitCode> {
    let ws = current_workspace()?;
    let state = ws.state()?;
    out!(
        "{}",
        ui::render_stats(ws.course(), &state, &Theme::stdout(), ui::Scope::Full)
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn reset(name: &str, yes: bool) -> Result<ExitCode> {
    let ws = current_workspace()?;
    ws.ensure_writable()?;
    let ex = ws.course().find(name)?;
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "`backlings reset` replaces your file with the stub; pass --yes to confirm when not on a terminal"
            );
        }
        out!(
            "Replace {} with the original stub? Your version is kept as a backup. [y/N] ",
            ex.shown_path()
        )?;
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            outln!("Nothing changed.")?;
            return Ok(ExitCode::from(1));
        }
    }
    let backup = ws.reset(ex)?;
    let theme = Theme::stdout();
    outln!(
        "{} {}",
        theme.good.apply_to("Restored"),
        link(&ex.shown_path(), &ws.exercise_path(ex))
    )?;
    if let Some(backup) = backup {
        let shown = backup.strip_prefix(ws.root()).unwrap_or(&backup);
        outln!(
            "Your previous version: {}",
            link(&shown.display().to_string(), &backup)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn solution(name: Option<&str>) -> Result<ExitCode> {
    let ws = current_workspace()?;
    let ex = ws.passed_exercise(name, "the reference solution")?;
    let theme = Theme::stdout();
    outln!(
        "{}\n",
        theme.dim.apply_to(format!(
            "// {}",
            link(
                &course::shown(&ex.solution_rel_path()),
                &ws.solution_path(ex)
            )
        ))
    )?;
    out!("{}", ws.course().solution(ex)?)?;
    Ok(ExitCode::SUCCESS)
}

/// The debrief of a passed exercise: rendered on a terminal, the Markdown itself when piped.
pub fn debrief(name: Option<&str>) -> Result<ExitCode> {
    let ws = current_workspace()?;
    let ex = ws.passed_exercise(name, "the debrief")?;
    let Some(debrief) = ws.course().debrief(ex)? else {
        bail!("this course has no debrief for {}", ex.name);
    };
    if std::io::stdout().is_terminal() {
        out!("{}", ui::render_markdown(&debrief, &Theme::stdout()))?;
    } else {
        out!("{debrief}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn compare(name: Option<&str>) -> Result<ExitCode> {
    let ws = current_workspace()?;
    let ex = ws.passed_exercise(name, "the reference solution")?;
    let theme = Theme::stdout();
    let advice = session::advice(&ws, &Toolchain::discover()?, ex)?;
    let both = session::comparison(&ws, ex)?;
    out!("{}", ui::render_comparison(&ws, ex, &both, &theme))?;
    out!("\n{}", ui::render_advice(advice.as_deref(), &theme))?;
    Ok(ExitCode::SUCCESS)
}
