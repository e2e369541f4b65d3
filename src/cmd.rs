//! The one-shot learner commands: init, run, check, hint, list, reset, solution, compare, stats.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use indicatif::ProgressBar;

use crate::course::{self, Course, Exercise, Origin};
use crate::files::write_atomically;
use crate::grader::{self, Submission, Toolchain, Verdict};
use crate::platform::Sandbox;
use crate::ui::{self, Theme, json, link, link_padded, out, outln};
use crate::workspace::{Counted, Workspace};

/// Never set: one-shot commands are not cancelled.
pub static NOT_CANCELLED: AtomicBool = AtomicBool::new(false);

pub fn current_workspace() -> Result<Workspace> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Ok(announced(Workspace::locate_or_explain(&cwd)?))
}

/// `ws`, once what opening it had to do is said on stderr.
fn announced(ws: Workspace) -> Workspace {
    for notice in &ws.notices {
        eprintln!("{} {notice}", Theme::stdout().warn.apply_to("note:"));
    }
    ws
}

/// Grades the learner's file of `ex` in `ws`.
pub fn grade_exercise(
    ws: &Workspace,
    toolchain: &Toolchain,
    ex: &Exercise,
    strict: Option<&Sandbox>,
    cancel: &AtomicBool,
) -> Result<Option<Verdict>> {
    let file = ws.exercise_path(ex);
    ws.check_exercise_file(ex)?;
    let checks = ws.course.checks(ex)?;
    let support = ws.course.checks_support()?;
    let build = ws.build_dir(ex);
    let sub = Submission {
        name: &ex.name,
        file: &file,
        display_root: &ws.root,
        checks: &checks,
        support: &support,
        time_limit: ex.time_limit,
        build_dir: Some(&build),
        strict,
    };
    grader::grade(toolchain, &sub, cancel)
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
    print_welcome(&ws)?;
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

/// What a new workspace holds, and how to work in it.
pub fn print_welcome(ws: &Workspace) -> Result<()> {
    let theme = Theme::stdout();
    outln!(
        "{} a workspace with {} exercises at {}\n",
        theme.good.apply_to("Created"),
        ws.course.exercises.len(),
        link(&ws.root.display().to_string(), &ws.root)
    )?;
    outln!("{}\n", ws.course.welcome_message.trim())?;
    Ok(())
}

/// The exercise `name`, or without one the current exercise.
fn named_or_current<'a>(ws: &'a Workspace, name: Option<&str>) -> Result<&'a Exercise> {
    match name {
        Some(name) => ws.course.find(name),
        None => ws.current_exercise(&ws.state()?).ok_or_else(|| {
            anyhow::anyhow!("every exercise is done, so there is no current one; name one (`backlings list` shows them)")
        }),
    }
}

/// The workspace to grade, against the course `--course` names, if it does.
fn workspace_to_grade(course: Option<&Path>) -> Result<Workspace> {
    let chosen = match course {
        None => None,
        Some(dir) if dir == Path::new("builtin") => Some(Origin::Builtin),
        Some(dir) => Some(Origin::Dir(
            crate::platform::canonicalize(dir)
                .with_context(|| format!("finding the course directory {}", dir.display()))?,
        )),
    };
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Ok(announced(Workspace::locate_for_grading(
        &cwd,
        chosen.as_ref(),
    )?))
}

/// The sandbox to grade in: `strict` is what `--strict` or `--no-strict` said, if either
/// did; otherwise grading is strict when it is `for_record` (a report file, the instructor's
/// course) in CI. Strict grading without a sandbox is refused, never done unsandboxed.
fn sandbox_for(strict: Option<bool>, for_record: bool) -> Result<Option<Sandbox>> {
    let strict = strict.unwrap_or_else(|| crate::workspace::in_ci() && for_record);
    strict
        .then(|| Sandbox::find().map_err(|why| anyhow::anyhow!("{why}")))
        .transpose()
}

pub fn run(
    name: Option<&str>,
    as_json: bool,
    course: Option<&Path>,
    strict: Option<bool>,
) -> Result<ExitCode> {
    let sandbox = sandbox_for(strict, course.is_some())?;
    let ws = workspace_to_grade(course)?;
    ws.ensure_writable()?;
    let ex = named_or_current(&ws, name)?.clone();
    let toolchain = Toolchain::discover()?;
    let verdict = grade_exercise(&ws, &toolchain, &ex, sandbox.as_ref(), &NOT_CANCELLED)?
        .expect("never cancelled");
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
            let advice = advice_on(&ws, &toolchain, &ex)?;
            out!("\n{}", ui::render_advice(advice.as_deref(), &theme))?;
            outln!(
                "\nReference solution: {} (`backlings compare {}` shows what differs)",
                link(
                    &course::shown(&ex.solution_rel_path()),
                    &ws.solution_path(&ex)
                ),
                ex.name
            )?;
            match next.and_then(|n| ws.course.find(&n).ok()) {
                Some(next) => outln!(
                    "Next: {} {}",
                    next.name,
                    link(&next.shown_path(), &ws.exercise_path(next))
                )?,
                None if ws.done_count(&ws.state()?) == ws.course.exercises.len() => {
                    outln!("\n{}", ws.course.final_message.trim())?
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

/// Grades every exercise of the workspace; `strict` as for [`sandbox_for`].
pub fn check(
    as_json: bool,
    junit: Option<&Path>,
    course: Option<&Path>,
    strict: Option<bool>,
) -> Result<ExitCode> {
    let sandbox = sandbox_for(strict, junit.is_some() || course.is_some())?;
    let ws = workspace_to_grade(course)?;
    ws.ensure_writable()?;
    let toolchain = Toolchain::discover()?;
    let exercises = &ws.course.exercises;
    let bar = if as_json {
        ProgressBar::hidden()
    } else {
        ui::progress_bar("grading", exercises.len())
    };
    let results = parallel_map(exercises, &bar, |ex| {
        grade_exercise(&ws, &toolchain, ex, sandbox.as_ref(), &NOT_CANCELLED)
    });
    bar.finish_and_clear();

    // One exercise that cannot be graded (a missing file, say) is reported as such; the
    // others are still graded, recorded and reported.
    let mut graded: Vec<std::result::Result<Verdict, String>> = Vec::new();
    for (ex, result) in exercises.iter().zip(results) {
        match result {
            Ok(verdict) => {
                let verdict = verdict.expect("never cancelled");
                ws.record(ex, verdict.passed(), Counted::Nothing)?;
                graded.push(Ok(verdict));
            }
            Err(e) => graded.push(Err(format!("{e:#}"))),
        }
    }
    let all_passed = graded.iter().all(|g| g.as_ref().is_ok_and(Verdict::passed));
    if let Some(path) = junit {
        let names = exercises.iter().map(|e| e.name.as_str());
        let xml = ui::junit::report(names.zip(graded.iter().map(|g| g.as_ref())))?;
        write_atomically(path, xml.as_bytes())
            .with_context(|| format!("writing the JUnit report {}", path.display()))?;
    }
    if as_json {
        let exercises: Vec<json::ExerciseResults> = exercises
            .iter()
            .zip(&graded)
            .map(|(ex, g)| json::ExerciseResults {
                exercise: ex.name.clone(),
                results: match g {
                    Ok(verdict) => json::results(verdict),
                    Err(why) => json::not_graded(why),
                },
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
        let (name_width, path_width) = column_widths(exercises);
        for (ex, g) in exercises.iter().zip(&graded) {
            let passed = g.as_ref().is_ok_and(Verdict::passed);
            let mark = if passed {
                theme.good.apply_to("✓")
            } else {
                theme.bad.apply_to("✗")
            };
            let what = match g {
                Ok(verdict) => verdict.headline(),
                Err(why) => format!("could not be graded: {why}"),
            };
            outln!(
                "{mark} {:name_width$}  {}  {what}",
                ex.name,
                theme.dim.apply_to(link_padded(
                    &ex.shown_path(),
                    &ws.exercise_path(ex),
                    path_width
                )),
            )?;
        }
        let passed = graded
            .iter()
            .filter(|g| g.as_ref().is_ok_and(Verdict::passed))
            .count();
        outln!("\n{passed}/{} exercises pass", graded.len())?;
    }
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Applies `f` to every item on all cores, ticking `bar`, and returns results in input order.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    bar: &ProgressBar,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(items.len().max(1));
    let next = Mutex::new(0usize);
    let (tx, rx) = mpsc::channel();
    thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, f) = (&next, &f);
            scope.spawn(move || {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n - 1
                    };
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, f(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        bar.enable_steady_tick(Duration::from_millis(100));
        let mut out: Vec<Option<R>> = items.iter().map(|_| None).collect();
        for (i, r) in rx {
            out[i] = Some(r);
            bar.inc(1);
        }
        out.into_iter()
            .map(|r| r.expect("every item is mapped"))
            .collect()
    })
}

pub fn hint(name: Option<&str>) -> Result<ExitCode> {
    let ws = current_workspace()?;
    let ex = named_or_current(&ws, name)?;
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
    out!("{}", render_hints(ex, shown, &theme))?;
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

/// The first `shown` hints of `ex`, numbered.
pub fn render_hints(ex: &Exercise, shown: usize, theme: &Theme) -> String {
    ex.hints
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, h)| {
            format!(
                "{} {}\n",
                theme
                    .key
                    .apply_to(format!("Hint {}/{}:", i + 1, ex.hints.len())),
                h
            )
        })
        .collect()
}

pub fn list() -> Result<ExitCode> {
    let ws = current_workspace()?;
    let state = ws.state()?;
    out!("{}", render_list(&ws, &state, &Theme::stdout()))?;
    Ok(ExitCode::SUCCESS)
}

pub fn render_list(ws: &Workspace, state: &crate::state::State, theme: &Theme) -> String {
    let exercises = &ws.course.exercises;
    let (name_width, path_width) = column_widths(exercises);
    let mut out = String::new();
    for ex in exercises {
        let (status, style) = theme.status(state, &ex.name);
        out.push_str(&format!(
            "{}  {:name_width$}  {}  {}\n",
            style.apply_to(status),
            ex.name,
            link_padded(&ex.shown_path(), &ws.exercise_path(ex), path_width),
            theme.dim.apply_to(&ex.summary)
        ));
    }
    let done = ws.done_count(state);
    out.push_str(&format!("\n{done}/{} done\n", exercises.len()));
    out
}

/// The widths of the name and path columns of a table of `exercises`.
fn column_widths(exercises: &[Exercise]) -> (usize, usize) {
    let widest = |width: fn(&Exercise) -> usize| exercises.iter().map(width).max().unwrap_or(0);
    (
        widest(|ex| ex.name.chars().count()),
        widest(|ex| ex.shown_path().chars().count()),
    )
}

pub fn stats() -> Result<ExitCode> {
    let ws = current_workspace()?;
    let state = ws.state()?;
    out!(
        "{}",
        ui::render_stats(&ws.course, &state, &Theme::stdout(), ui::Scope::Full)
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn reset(name: &str, yes: bool) -> Result<ExitCode> {
    let ws = current_workspace()?;
    ws.ensure_writable()?;
    let ex = ws.course.find(name)?;
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
        let shown = backup.strip_prefix(&ws.root).unwrap_or(&backup);
        outln!(
            "Your previous version: {}",
            link(&shown.display().to_string(), &backup)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The exercise `name`, if the learner has passed it: its reference solution is theirs to see.
fn passed_exercise<'a>(ws: &'a Workspace, name: Option<&str>) -> Result<&'a Exercise> {
    let ex = named_or_current(ws, name)?;
    if !ws.state()?.is_done(&ex.name) {
        bail!(
            "the reference solution of {} unlocks once your version passes; `backlings hint {}` helps meanwhile",
            ex.name,
            ex.name
        );
    }
    Ok(ex)
}

pub fn solution(name: Option<&str>) -> Result<ExitCode> {
    let ws = current_workspace()?;
    let ex = passed_exercise(&ws, name)?;
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
    out!("{}", ws.course.solution(ex)?)?;
    Ok(ExitCode::SUCCESS)
}

pub fn compare(name: Option<&str>) -> Result<ExitCode> {
    let ws = current_workspace()?;
    let ex = passed_exercise(&ws, name)?;
    let theme = Theme::stdout();
    let advice = advice_on(&ws, &Toolchain::discover()?, ex)?;
    out!("{}", render_comparison(&ws, ex, &theme)?)?;
    out!("\n{}", ui::render_advice(advice.as_deref(), &theme))?;
    Ok(ExitCode::SUCCESS)
}

/// clippy's advice on the learner's file of `ex`; `None` without clippy.
pub fn advice_on(
    ws: &Workspace,
    toolchain: &Toolchain,
    ex: &Exercise,
) -> Result<Option<Vec<String>>> {
    grader::clippy_advice(toolchain, &ex.name, &ws.exercise_path(ex), &ws.root)
}

/// The learner's file of `ex` against the reference solution, with both paths as links.
pub fn render_comparison(ws: &Workspace, ex: &Exercise, theme: &Theme) -> Result<String> {
    let path = ws.exercise_path(ex);
    let mine =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(format!(
        "{} {}  {} {}\n\n{}",
        theme.bad.apply_to("- yours:"),
        link(&ex.shown_path(), &path),
        theme.good.apply_to("+ reference:"),
        link(
            &course::shown(&ex.solution_rel_path()),
            &ws.solution_path(ex)
        ),
        ui::render_diff(&mine, &ws.course.solution(ex)?, theme)
    ))
}
