//! `dev check`: a course is sound when its files agree with `info.toml`, every stub compiles
//! and fails, every solution passes (every time, well inside its limit) and every mutant fails.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

use super::TEMPLATE_MARKER;
use crate::course::{CHECKS_SUPPORT, Course, Exercise};
use crate::grader::{self, CheckStatus, Outcome, Submission, Toolchain, Verdict};
use crate::parallel::parallel_map_grouped;
use crate::temp::TempDir;
use crate::ui::{self, Theme, out, outln};

/// A statement shorter than this many doc-comment lines cannot hold rules and examples.
const MIN_STATEMENT_LINES: usize = 8;
/// A solution slower than this share of its time limit leaves a slower machine no margin.
const MAX_SHARE_OF_LIMIT: u32 = 2;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Stub,
    Solution,
    Mutant,
}

/// The sources of one exercise, read before grading starts.
struct Sources<'a> {
    exercise: &'a Exercise,
    checks: String,
}

struct Job {
    /// Index into the list of exercises being proved.
    exercise: usize,
    role: Role,
    /// A mutant's name (its file's stem); empty for the stub and the solution.
    slug: String,
    label: String,
    source: String,
}

/// What the runs of one mutant add up to.
#[derive(Default)]
struct MutantRuns {
    runs: usize,
    kills: usize,
    /// How the first run that failed it did: the check and the first line of its message.
    killed_by: Option<String>,
}

/// What the grades of one exercise add up to, for its row in the table.
#[derive(Default)]
struct Row {
    checks: usize,
    stub_ok: bool,
    solution_runs: usize,
    solution_passes: usize,
    slowest_solution: Duration,
    /// Each mutant that compiled, by name, and those that did not.
    mutants: BTreeMap<String, MutantRuns>,
    broken_mutants: BTreeSet<String>,
}

pub fn check(
    course_dir: Option<PathBuf>,
    names: &[String],
    repeat: u32,
    mutate: bool,
) -> Result<ExitCode> {
    let course = super::load_course(course_dir)?;
    let selected: Vec<&Exercise> = if names.is_empty() {
        course.exercises.iter().collect()
    } else {
        names
            .iter()
            .map(|n| course.find(n))
            .collect::<Result<_>>()?
    };
    if mutate {
        return super::mutate::mutate(&course, &selected);
    }
    let layout = layout_problems(&course)?;
    let mut problems: Vec<String> = layout.iter().map(|(_, p)| p.clone()).collect();
    if [&course.welcome_message, &course.final_message]
        .iter()
        .any(|m| m.contains(TEMPLATE_MARKER))
    {
        let info = course.read("info.toml").unwrap_or_default();
        // The messages come before the first exercise's table.
        let line = info
            .lines()
            .take_while(|l| l.trim() != "[[exercises]]")
            .position(|l| l.contains(TEMPLATE_MARKER))
            .map_or(String::new(), |i| format!(":{}", i + 1));
        problems.push(format!(
            "{}{line}: welcome_message or final_message still holds the template's {TEMPLATE_MARKER} placeholder",
            course.shown_file("info.toml")
        ));
    }
    let incomplete: BTreeSet<&str> = layout.iter().filter_map(|(n, _)| n.as_deref()).collect();
    let gradable = selected
        .iter()
        .filter(|ex| !incomplete.contains(ex.name.as_str()));
    let mut warnings = Vec::new();
    let (sources, jobs) = plan(&course, gradable, repeat, &mut problems, &mut warnings);
    let verdicts = grade_all(&course, &sources, &jobs)?;

    let width = selected
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(8)
        .max(8);
    // How each mutant was caught, to review the messages learners will see: shown when
    // the author names the exercises.
    let mut caught = String::new();
    let mut table = format!(
        "{:width$}  checks  stub  solution  slowest  mutants killed\n",
        "exercise"
    );
    for (index, src) in sources.iter().enumerate() {
        let graded = jobs
            .iter()
            .zip(&verdicts)
            .filter(|(j, _)| j.exercise == index);
        let row = row_of(&course, src.exercise, graded, &mut problems);
        let _ = writeln!(table, "{}", row.shown(&src.exercise.name, width));
        for (slug, runs) in &row.mutants {
            if let Some(how) = &runs.killed_by {
                let _ = writeln!(caught, "  {} {slug}: {how}", src.exercise.name);
            }
        }
    }
    for ex in selected
        .iter()
        .filter(|e| incomplete.contains(e.name.as_str()))
    {
        let _ = writeln!(table, "{:width$}  (not graded: files missing)", ex.name);
    }
    out!("{table}")?;
    if !names.is_empty() && !caught.is_empty() {
        out!(
            "\nWhat caught each mutant (the check, and the first line of its message):\n{caught}"
        )?;
    }
    report(selected.len(), &warnings, &problems)
}

/// The sources and grading jobs of each exercise in `gradable`; what keeps one from being
/// graded, or is unfinished about it, goes to `problems`, what is doubtful to `warnings`.
fn plan<'a>(
    course: &Course,
    gradable: impl Iterator<Item = &'a &'a Exercise>,
    repeat: u32,
    problems: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> (Vec<Sources<'a>>, Vec<Job>) {
    let mut sources = Vec::new();
    let mut jobs = Vec::new();
    for ex in gradable {
        match read_jobs(course, ex, sources.len(), repeat, problems, warnings) {
            Ok((checks, mut more)) => {
                sources.push(Sources {
                    exercise: ex,
                    checks,
                });
                jobs.append(&mut more);
            }
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    (sources, jobs)
}

/// Every job graded on all cores, each in a scratch directory of its own.
fn grade_all(course: &Course, sources: &[Sources], jobs: &[Job]) -> Result<Vec<Result<Verdict>>> {
    let toolchain = Toolchain::discover()?;
    let scratch = TempDir::new("backlings-dev-").context("creating a scratch directory")?;
    let bar = ui::progress_bar("proving", jobs.len());
    let support = course.checks_support()?;
    // Each worker keeps a build directory per exercise, so that rustc's incremental cache
    // carries the checks and all that did not change from one file of the exercise to the
    // next (its stub, solution and mutants differ by a few lines); and a worker stays on its
    // exercise while it has jobs left. An exercise's directories go when its last job is done.
    let kit_dir = scratch.path().join("kit");
    let left: Vec<AtomicUsize> = (0..sources.len())
        .map(|i| AtomicUsize::new(jobs.iter().filter(|j| j.exercise == i).count()))
        .collect();
    let verdicts = parallel_map_grouped(
        jobs,
        |job| job.exercise,
        &bar,
        |job, worker| {
            let name = &sources[job.exercise].exercise.name;
            let dir = scratch.path().join(format!("{name}.{worker}"));
            let verdict = grade_source(
                &toolchain,
                &dir,
                &kit_dir,
                &sources[job.exercise],
                &support,
                job,
            );
            if left[job.exercise].fetch_sub(1, Ordering::SeqCst) == 1 {
                remove_builds_of(scratch.path(), name);
            }
            verdict
        },
    );
    bar.finish_and_clear();
    Ok(verdicts)
}

/// Removes the build directories of exercise `name` in `scratch`.
fn remove_builds_of(scratch: &Path, name: &str) {
    let prefix = format!("{name}.");
    for entry in fs::read_dir(scratch).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// What the grades of `ex` add up to; what is wrong with them goes to `problems`.
fn row_of<'a>(
    course: &Course,
    ex: &Exercise,
    graded: impl Iterator<Item = (&'a Job, &'a Result<Verdict>)>,
    problems: &mut Vec<String>,
) -> Row {
    let mut row = Row::default();
    for (job, verdict) in graded {
        match verdict {
            Ok(verdict) => judge(course, ex, job, verdict, &mut row, problems),
            Err(e) => problems.push(format!(
                "{} {}: could not be graded: {e:#}",
                ex.name, job.label
            )),
        }
    }
    mutant_problems(course, ex, &row, problems);
    if row.solution_passes > 0 && row.solution_passes < row.solution_runs {
        problems.push(format!(
            "{}: the reference solution passed {} of {} runs; a check is flaky (see the failures above)",
            ex.name, row.solution_passes, row.solution_runs
        ));
    }
    if row.solution_passes > 0 && row.slowest_solution * MAX_SHARE_OF_LIMIT > ex.time_limit {
        problems.push(format!(
            "{}: the reference solution's checks took {} ms, more than 1/{MAX_SHARE_OF_LIMIT} of the {:.1} s time limit; \
             make the checks cheaper or raise time_limit_secs in info.toml so slower machines do not fail learners",
            ex.name,
            row.slowest_solution.as_millis(),
            ex.time_limit.as_secs_f64()
        ));
    }
    row
}

impl Row {
    /// The row of exercise `name` in the table, its name padded to `width`.
    fn shown(&self, name: &str, width: usize) -> String {
        let solution = match self.solution_passes {
            n if n == self.solution_runs => "ok".to_string(),
            0 => "FAIL".to_string(),
            n => format!("FLAKY {n}/{}", self.solution_runs),
        };
        format!(
            "{:width$}  {:>6}  {:4}  {:8}  {:>4} ms  {}/{}",
            name,
            self.checks,
            if self.stub_ok { "ok" } else { "FAIL" },
            solution,
            self.slowest_solution.as_millis(),
            self.mutants.values().filter(|m| m.kills == m.runs).count(),
            self.mutants.len() + self.broken_mutants.len()
        )
    }
}

/// What a stub declares that no check calls: a `pub fn` whose name the checks file never
/// mentions, so no check can notice if a learner gets it wrong.
fn uncalled(course: &Course, ex: &Exercise, stub: &str, checks: &str) -> Vec<String> {
    stub.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let rest = line.trim_start().strip_prefix("pub fn ")?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty() && !mentions(checks, &name)).then(|| {
                format!(
                    "{}:{}: the stub declares `fn {name}`, which no check in {} calls",
                    course.shown_file(&ex.rel_path()),
                    i + 1,
                    course.shown_file(&ex.checks_rel_path())
                )
            })
        })
        .collect()
}

/// Whether `text` holds `word` as a whole identifier.
fn mentions(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The verdict on the course: sound, or every problem found; warnings either way.
fn report(exercises: usize, warnings: &[String], problems: &[String]) -> Result<ExitCode> {
    let theme = Theme::stdout();
    if !warnings.is_empty() {
        outln!()?;
    }
    for w in warnings {
        outln!("{} {w}", theme.warn.apply_to("warning:"))?;
    }
    if problems.is_empty() {
        outln!(
            "\n{} {exercises} exercise{} sound",
            theme.good.apply_to("ok:"),
            if exercises == 1 { " is" } else { "s are" }
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!()?;
    for p in problems {
        outln!("{} {p}", theme.bad.apply_to("problem:"))?;
    }
    outln!("\n{} problem(s) found", problems.len())?;
    Ok(ExitCode::from(1))
}

/// Reads an exercise's files, adds what is unfinished about it to `problems` and what is
/// doubtful to `warnings`, and returns its checks and the grading jobs: the stub, and
/// `repeat` runs of the solution and of each mutant.
fn read_jobs(
    course: &Course,
    ex: &Exercise,
    index: usize,
    repeat: u32,
    problems: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<(String, Vec<Job>)> {
    let stub = course.stub(ex)?.into_owned();
    let solution = course.solution(ex)?.into_owned();
    let checks = course.checks(ex)?.into_owned();
    let mutants = course.mutants(ex)?;
    problems.extend(unfinished(course, ex, &stub, &solution, &checks, &mutants));
    warnings.extend(uncalled(course, ex, &stub, &checks));

    let runs = |what: &str, run: u32| {
        if repeat > 1 {
            format!("{what} (run {run} of {repeat})")
        } else {
            what.to_string()
        }
    };
    let mut jobs = vec![Job {
        exercise: index,
        role: Role::Stub,
        slug: String::new(),
        label: "stub".into(),
        source: stub,
    }];
    for run in 1..=repeat.max(1) {
        jobs.push(Job {
            exercise: index,
            role: Role::Solution,
            slug: String::new(),
            label: runs("solution", run),
            source: solution.clone(),
        });
        // A mutant caught only by chance is as bad as one not caught: each runs as often.
        for (slug, source) in &mutants {
            jobs.push(Job {
                exercise: index,
                role: Role::Mutant,
                slug: slug.clone(),
                label: runs(&format!("mutant {slug}"), run),
                source: source.to_string(),
            });
        }
    }
    Ok((checks, jobs))
}

/// What makes an exercise incomplete before any grade: a short statement, no hints, no
/// checks, no mutants, template placeholders left.
fn unfinished(
    course: &Course,
    ex: &Exercise,
    stub: &str,
    solution: &str,
    checks: &str,
    mutants: &[(String, Cow<'static, str>)],
) -> Vec<String> {
    let mut found = Vec::new();
    if statement_lines(stub) < MIN_STATEMENT_LINES {
        found.push(format!(
            "{}: the stub's statement has fewer than {MIN_STATEMENT_LINES} `//!` lines; state the problem, rules, examples and complexity",
            course.shown_file(&ex.rel_path())
        ));
    }
    if ex.hints.is_empty() {
        found.push(format!("{}: info.toml gives no hints", ex.defined_at));
    }
    if grader::check_names(checks).is_empty() {
        found.push(format!(
            "{}: the checks file declares no #[test] functions",
            course.shown_file(&ex.checks_rel_path())
        ));
    }
    if mutants.is_empty() {
        found.push(format!(
            "{}: no mutants; add plausible wrong solutions there so the checks are proved to catch them",
            course.shown_file(&ex.mutants_rel_dir())
        ));
    }
    let mut texts = vec![
        (ex.rel_path(), stub),
        (ex.solution_rel_path(), solution),
        (ex.checks_rel_path(), checks),
    ];
    for (slug, source) in mutants {
        texts.push((format!("{}/{slug}.rs", ex.mutants_rel_dir()), source));
    }
    for (rel, text) in texts {
        if let Some(line) = text.lines().position(|l| l.contains(TEMPLATE_MARKER)) {
            found.push(format!(
                "{}:{}: still holds the template's {TEMPLATE_MARKER} placeholders ({} left)",
                course.shown_file(&rel),
                line + 1,
                text.matches(TEMPLATE_MARKER).count()
            ));
        }
    }
    found.extend(debrief_problems(course, ex));
    if std::iter::once(&ex.summary)
        .chain(&ex.hints)
        .any(|t| t.contains(TEMPLATE_MARKER))
    {
        found.push(format!(
            "{}: the summary or hints still hold the template's {TEMPLATE_MARKER} placeholders",
            ex.defined_at
        ));
    }
    found
}

/// A debrief is read in one sitting: two screens at most.
fn debrief_problems(course: &Course, ex: &Exercise) -> Vec<String> {
    const MAX_LINES: usize = 90;
    const MAX_COLUMNS: usize = 100;
    let shown = course.shown_file(&ex.debrief_rel_path());
    // A missing one is a layout problem (see `layout_problems`).
    let debrief = match course.debrief(ex) {
        Ok(Some(debrief)) => debrief,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![format!("{e:#}")],
    };
    let mut found = Vec::new();
    let lines = debrief.lines().count();
    if lines > MAX_LINES {
        found.push(format!(
            "{shown}: the debrief has {lines} lines; keep it within {MAX_LINES} (two screens)"
        ));
    }
    if let Some((i, _)) = debrief
        .lines()
        .enumerate()
        .find(|(_, line)| line.chars().count() > MAX_COLUMNS)
    {
        found.push(format!(
            "{shown}:{}: a line longer than {MAX_COLUMNS} columns; wrap it",
            i + 1
        ));
    }
    found
}

/// Adds one grade to its exercise's row, and what is wrong with it to `problems`.
fn judge(
    course: &Course,
    ex: &Exercise,
    job: &Job,
    verdict: &Verdict,
    row: &mut Row,
    problems: &mut Vec<String>,
) {
    row.checks = verdict.checks.len();
    match (job.role, &verdict.outcome) {
        (Role::Stub, Outcome::Passed) => problems.push(format!(
            "{}: the stub passes every check",
            course.shown_file(&ex.rel_path())
        )),
        (Role::Stub, Outcome::CompileError) => problems.push(format!(
            "{}: the stub does not compile:\n{}",
            course.shown_file(&ex.rel_path()),
            strip(&verdict.errors.join("\n"))
        )),
        (Role::Stub, _) => row.stub_ok = true,
        (Role::Solution, outcome) => {
            row.solution_runs += 1;
            if *outcome == Outcome::Passed {
                row.solution_passes += 1;
                row.slowest_solution = row.slowest_solution.max(verdict.run_time);
            } else {
                problems.push(format!(
                    "{}: the reference {} does not pass: {}\n{}",
                    course.shown_file(&ex.solution_rel_path()),
                    job.label,
                    verdict.headline(),
                    failure_details(verdict)
                ));
            }
        }
        (Role::Mutant, Outcome::CompileError) => {
            if row.broken_mutants.insert(job.slug.clone()) {
                problems.push(format!(
                    "{} mutant {}: does not compile (a mutant must be a plausible, compiling wrong solution):\n{}",
                    ex.name,
                    job.slug,
                    strip(&verdict.errors.join("\n"))
                ));
            }
        }
        (Role::Mutant, outcome) => {
            let runs = row.mutants.entry(job.slug.clone()).or_default();
            runs.runs += 1;
            if *outcome != Outcome::Passed {
                runs.kills += 1;
                runs.killed_by.get_or_insert_with(|| killed_by(verdict));
            }
        }
    }
}

/// How a mutant's verdict caught it: the first failed check and the first line of its
/// message, or why the run stopped.
fn killed_by(verdict: &Verdict) -> String {
    // Not `failed_checks`: after a run that stopped at its first failure, checks that never
    // ran are not what caught it.
    let failed = verdict
        .checks
        .iter()
        .find(|check| check.status == CheckStatus::Failed);
    match failed {
        Some(check) if verdict.outcome == Outcome::Failed => {
            let message = check.message.as_deref().unwrap_or_default();
            format!(
                "{}: {}",
                check.name,
                message.lines().next().unwrap_or_default()
            )
        }
        _ => verdict.headline(),
    }
}

/// What is wrong with the mutants of `ex` over all their runs: one that survived every
/// run, or one that only some runs caught.
fn mutant_problems(course: &Course, ex: &Exercise, row: &Row, problems: &mut Vec<String>) {
    for (slug, runs) in &row.mutants {
        if runs.kills == 0 {
            problems.push(format!(
                "{} mutant {slug}: survives every check; the checks of {} ({}) are too weak to catch it",
                ex.name,
                ex.name,
                course.shown_file(&ex.checks_rel_path())
            ));
        } else if runs.kills < runs.runs {
            problems.push(format!(
                "{} mutant {slug}: survived {} of {} runs; the checks catch it only by chance \
                 (force the interleaving, or hammer harder)",
                ex.name,
                runs.runs - runs.kills,
                runs.runs
            ));
        }
    }
}

/// Grades `job` with `dir` as its build directory, which holds the graded file too, at the
/// same path for every job of the exercise, and the kit built in `kit_dir`.
fn grade_source(
    toolchain: &Toolchain,
    dir: &Path,
    kit_dir: &Path,
    sources: &Sources,
    support: &str,
    job: &Job,
) -> Result<Verdict> {
    let ex = sources.exercise;
    let src = dir.join("src");
    fs::create_dir_all(&src).with_context(|| format!("creating {}", src.display()))?;
    let file = src.join(format!("{}.rs", ex.name));
    fs::write(&file, &job.source).with_context(|| format!("writing {}", file.display()))?;
    let build = dir.join("build");
    let sub = Submission {
        name: &ex.name,
        file: &file,
        display_root: &src,
        checks: &sources.checks,
        support,
        time_limit: ex.time_limit,
        build_dir: Some(&build),
        kit_dir: Some(kit_dir),
        strict: None,
        // A stub or a mutant only has to fail, and say how: its first failure says both.
        stop_at_first_failure: job.role != Role::Solution,
    };
    // A course is proved on a machine that can grade; one that cannot stops the proof.
    match grader::uncancelled(|never| grader::grade(toolchain, &sub, never)) {
        Verdict {
            outcome: Outcome::NotGraded { reason },
            ..
        } => Err(anyhow::anyhow!(reason)),
        verdict => Ok(verdict),
    }
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

/// Files and `info.toml` must agree: every exercise has its three files, and no file belongs
/// to no exercise. Each problem comes with the exercise it makes ungradable, if any.
fn layout_problems(course: &Course) -> Result<Vec<(Option<String>, String)>> {
    let files: BTreeSet<String> = course.list_files()?.into_iter().collect();
    let mut problems = Vec::new();
    let mut owned = BTreeSet::from([CHECKS_SUPPORT.to_string()]);
    for ex in &course.exercises {
        owned.insert(ex.debrief_rel_path());
        for rel in [ex.rel_path(), ex.solution_rel_path(), ex.checks_rel_path()] {
            if !files.contains(&rel) {
                problems.push((
                    Some(ex.name.clone()),
                    format!(
                        "{}: exercise {:?} has no file {}",
                        ex.defined_at,
                        ex.name,
                        course.shown_file(&rel)
                    ),
                ));
            }
            owned.insert(rel);
        }
    }
    for rel in &files {
        let is_mutant_of_some = course.exercises.iter().any(|ex| {
            rel.strip_prefix(&ex.mutants_rel_dir())
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|r| {
                    (r.ends_with(".rs") && !r.contains('/')) || r == super::mutate::EQUIVALENT_FILE
                })
        });
        if !owned.contains(rel) && !is_mutant_of_some {
            problems.push((
                None,
                format!(
                    "orphan file {}: no exercise in info.toml uses it (a typo in a name or dir?)",
                    course.shown_file(rel)
                ),
            ));
        }
    }
    // Debriefs are optional, but a course that has some has one for every exercise.
    if files.iter().any(|f| f.starts_with("debriefs/")) {
        for ex in &course.exercises {
            let rel = ex.debrief_rel_path();
            if !files.contains(&rel) {
                problems.push((
                    None,
                    format!(
                        "{}: no debrief, which the course's other exercises have (what an \
                         interviewer asks once the code works)",
                        course.shown_file(&rel)
                    ),
                ));
            }
        }
    }
    Ok(problems)
}
