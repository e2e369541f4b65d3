//! The learner's workspace: exercise files, generated `Cargo.toml`, backups and progress.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::course::{self, Course, Exercise, Origin};
use crate::files::{write_atomically, write_new};
use crate::state::{InterviewRecord, State, StateFile, file_timestamp};

/// Directory inside a workspace that belongs to the tool.
const TOOL_DIR: &str = ".backlings";
const BACKUPS_DIR: &str = "backups";
/// The name of the workspace made when none is named, in the home directory.
const DEFAULT_DIR: &str = "backlings";

/// Where a workspace is made when none is named: `backlings` in the home directory. Being
/// one fixed place, every command finds it from any directory, and it is never made inside
/// a checkout of backlings itself, beside the hidden checks.
pub fn default_root() -> Result<PathBuf> {
    std::env::home_dir()
        .filter(|home| !home.as_os_str().is_empty())
        .map(|home| home.join(DEFAULT_DIR))
        .context(
            "cannot tell your home directory (HOME is not set), where the workspace goes by \
             default; make one elsewhere with `backlings init PATH`",
        )
}

/// The root of the workspace `cwd` is in, else of the default workspace if it exists.
fn locate_root(cwd: &Path) -> Option<PathBuf> {
    let around = cwd.ancestors().find(|dir| state_path(dir).is_file());
    around.map(Path::to_path_buf).or_else(|| {
        default_root()
            .ok()
            .filter(|root| state_path(root).is_file())
    })
}

/// What a grade counts for in the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The learner graded the file's content (a save in watch mode, `run`), whose
    /// [`fingerprint`](crate::files::fingerprint) is `content`: an attempt, unless it is the
    /// untouched stub or this very content was counted already. `spent` is working time
    /// since the previous grade.
    Attempt { content: u64, spent: Duration },
    /// `check`: a pass is recorded, nothing is counted, and a failure leaves no trace.
    Nothing,
}

pub struct Workspace {
    root: PathBuf,
    course: Course,
    state_file: StateFile,
    notices: Vec<String>,
}

impl Workspace {
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn course(&self) -> &Course {
        &self.course
    }

    /// What opening had to do that the learner should know about: a repaired progress
    /// file, exercises the course gained since the workspace was made.
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// The workspace `cwd` is in (it or an ancestor holds `.backlings/`), else the default
    /// one (`~/backlings`) if it exists: the one every command uses.
    pub fn locate(cwd: &Path) -> Result<Option<Workspace>> {
        locate_root(cwd)
            .map(|root| Workspace::open(&root))
            .transpose()
    }

    /// [`Workspace::locate`], or an error saying how to make a workspace.
    pub fn locate_or_explain(cwd: &Path) -> Result<Workspace> {
        Workspace::locate(cwd)?.ok_or_else(|| {
            let default = default_root()
                .map(|root| format!(", and there is none at {}", root.display()))
                .unwrap_or_default();
            anyhow::anyhow!(
                "not inside a backlings workspace (no .backlings/ here or above){default}.\n\
                 Run `backlings` to create that one and start, or `backlings init PATH` to make \
                 one elsewhere."
            )
        })
    }

    /// The course of the workspace [`Workspace::locate`] finds, read without changing
    /// anything: no repaired progress file, no new stubs. Shell completion asks on every Tab.
    pub fn course_around(cwd: &Path) -> Result<Option<Course>> {
        let Some(root) = locate_root(cwd) else {
            return Ok(None);
        };
        let state = StateFile::new(state_path(&root)).load()?;
        Course::load(&origin_from_state(&state.course, &root)).map(Some)
    }

    /// Opens the workspace at `root`. A read-only one opens too, for the commands that only
    /// read (`list`, `stats`, `hint`, `solution`); the others call [`Workspace::ensure_writable`].
    pub fn open(root: &Path) -> Result<Workspace> {
        Workspace::open_for(root, None)
    }

    /// Opens the workspace at `root` to be graded against `course`, not the one its state file
    /// names (which, in a student's repository, is the student's to edit). Nothing is added
    /// to the workspace; an exercise it lacks is reported missing when graded.
    fn open_graded_against(root: &Path, course: &Origin) -> Result<Workspace> {
        let ws = Workspace::open_for(root, Some(course))?;
        let present = ws
            .course
            .exercises
            .iter()
            .filter(|ex| ws.exercise_path(ex).exists())
            .count();
        if present == 0 {
            bail!(
                "the workspace at {} holds none of the exercises of the course {}: is it the \
                 right course?",
                root.display(),
                course_shown(course)
            );
        }
        Ok(ws)
    }

    fn open_for(root: &Path, chosen: Option<&Origin>) -> Result<Workspace> {
        let writable = ensure_writable(root).is_ok();
        let state_file = StateFile::new(state_path(root));
        let (state, repair_notice) = if writable {
            state_file.load_or_recover()?
        } else {
            (state_file.load()?, None)
        };
        let origin = match chosen {
            Some(chosen) => chosen.clone(),
            None => origin_from_state(&state.course, root),
        };
        let course = Course::load(&origin).with_context(|| {
            format!("loading the course of the workspace at {}", root.display())
        })?;
        let ws = Workspace {
            root: root.to_path_buf(),
            course,
            state_file,
            notices: repair_notice.into_iter().collect(),
        };
        if writable && chosen.is_none() {
            ws.gain_new_exercises(&state)
        } else {
            Ok(ws)
        }
    }

    /// The workspace [`Workspace::locate`] finds, to be graded: against `course` when given;
    /// else against its own, unless that is a directory and this runs in CI, where the state
    /// file may be a student's and must not choose the checks.
    pub fn locate_for_grading(cwd: &Path, course: Option<&Origin>) -> Result<Workspace> {
        let Some(root) = locate_root(cwd) else {
            return Workspace::locate_or_explain(cwd);
        };
        if let Some(course) = course {
            return Workspace::open_graded_against(&root, course);
        }
        let state = StateFile::new(state_path(&root)).load()?;
        let recorded = origin_from_state(&state.course, &root);
        if matches!(recorded, Origin::Dir(_)) && in_ci() {
            bail!(
                "in CI the course must be named: {} records the course {}, and a student's \
                 repository could point that at checks of its own; pass --course with the \
                 instructor's course directory (or --course builtin)",
                state_path(&root).display(),
                course_shown(&recorded)
            );
        }
        Workspace::open(&root)
    }

    /// Fails with the fix when the workspace cannot take a new file: grading records progress
    /// and keeps its compile cache there.
    pub fn ensure_writable(&self) -> Result<()> {
        ensure_writable(&self.root)
    }

    /// A newer backlings (or an updated course directory) may bring exercises this workspace
    /// has never seen: their stubs are added, the manifest lists them (the previous one is
    /// backed up), and a finished course has a current exercise again. Nothing the learner
    /// wrote is touched: a file already at an exercise's path is theirs and stays.
    fn gain_new_exercises(mut self, state: &State) -> Result<Workspace> {
        // Known: graded once, or listed in the manifest the workspace was made with. A known
        // exercise whose file is gone was deleted by the learner, and stays so.
        let listed = self.manifest_targets();
        let new: Vec<&Exercise> = self
            .course
            .exercises
            .iter()
            .filter(|ex| !state.exercises.contains_key(&ex.name) && !listed.contains(&ex.name))
            .filter(|ex| !self.exercise_path(ex).exists())
            .collect();
        if new.is_empty() {
            return Ok(self);
        }
        for ex in &new {
            write_new(&self.exercise_path(ex), self.course.stub(ex)?.as_bytes())?;
        }
        let manifest = self.root.join("Cargo.toml");
        let wanted = cargo_manifest(&self.course);
        let mut notice = format!(
            "The course has {} new exercise{}: {}.",
            new.len(),
            if new.len() == 1 { "" } else { "s" },
            new.iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if fs::read_to_string(&manifest).ok().as_deref() != Some(wanted.as_str()) {
            if manifest.exists() {
                let backup = self.backup_file(&manifest, "Cargo.toml")?;
                notice.push_str(&format!(
                    " Cargo.toml now lists them (the previous one is at {}).",
                    backup.strip_prefix(&self.root).unwrap_or(&backup).display()
                ));
            }
            write_atomically(&manifest, wanted.as_bytes())?;
        }
        let first_new = new[0].name.clone();
        self.state_file.update(|state| {
            if state.current.is_none() {
                state.current = Some(first_new);
            }
        })?;
        self.notices.push(notice);
        Ok(self)
    }

    /// Creates a workspace at `root`, which must not exist or be an empty directory.
    pub fn init(root: &Path, course: Course) -> Result<Workspace> {
        // rustc takes the exercise's path as UTF-8 text (`#[path = "…"]`), and so do editors'
        // links: another path could not be graded.
        let absolute =
            std::path::absolute(root).with_context(|| format!("resolving {}", root.display()))?;
        if absolute.to_str().is_none() {
            bail!(
                "{} is not valid UTF-8, and rustc reads the path of every exercise as UTF-8 text; \
                 choose a path whose names are UTF-8 (nothing was changed)",
                absolute.display()
            );
        }
        if state_path(root).exists() {
            bail!(
                "{} is already a backlings workspace; run `backlings` inside it (nothing was changed)",
                root.display()
            );
        }
        if root.exists()
            && fs::read_dir(root)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true)
        {
            bail!(
                "{} already exists and is not empty; choose another path with `backlings init PATH` (nothing was changed)",
                root.display()
            );
        }
        // Every file the workspace will need is read before anything is written, so that a
        // broken course leaves nothing half-made behind.
        let stubs = course
            .exercises
            .iter()
            .map(|ex| {
                let stub = course.stub(ex)?;
                course.solution(ex)?;
                course.checks(ex)?;
                Ok((ex.rel_path(), stub))
            })
            .collect::<Result<Vec<_>>>()
            .context("the course is incomplete (nothing was changed)")?;
        fs::create_dir_all(root.join(TOOL_DIR))
            .with_context(|| format!("creating the workspace directory {}", root.display()))?;
        let root = crate::platform::canonicalize(root)
            .with_context(|| format!("resolving {}", root.display()))?;
        for (rel, stub) in stubs {
            write_new(&root.join(course::native(&rel)), stub.as_bytes())?;
        }
        write_new(&root.join("Cargo.toml"), cargo_manifest(&course).as_bytes())?;
        write_new(&root.join(".gitignore"), b"/target\n/.backlings/cache\n")?;
        let state = State::new(
            origin_to_state(&course.origin, &root),
            course.exercises.first().map(|e| e.name.clone()),
        );
        let state_file = StateFile::new(state_path(&root));
        state_file.save(&state)?;
        Ok(Workspace {
            root,
            course,
            state_file,
            notices: Vec::new(),
        })
    }

    /// The test targets the workspace's `Cargo.toml` lists: one per exercise it was made or
    /// last updated with.
    fn manifest_targets(&self) -> Vec<String> {
        let text = fs::read_to_string(self.root.join("Cargo.toml")).unwrap_or_default();
        let manifest: toml::Table = text.parse().unwrap_or_default();
        let targets = manifest.get("test").and_then(toml::Value::as_array);
        targets
            .into_iter()
            .flatten()
            .filter_map(|target| target.get("name")?.as_str().map(str::to_string))
            .collect()
    }

    pub fn state(&self) -> Result<State> {
        self.state_file.load()
    }

    pub fn exercise_path(&self, ex: &Exercise) -> PathBuf {
        self.root.join(course::native(&ex.rel_path()))
    }

    /// The learner's file of `ex`, read only once [`Workspace::check_exercise_file`] passes.
    pub fn read_exercise(&self, ex: &Exercise) -> Result<Vec<u8>> {
        self.check_exercise_file(ex)?;
        fs::read(self.exercise_path(ex)).with_context(|| format!("reading {}", ex.shown_path()))
    }

    /// Fails, saying what is wrong, unless the learner's file of `ex` is a regular file of at
    /// most 1 MiB: a named pipe or a device would block whatever reads it (rustc too), and a
    /// huge file is no exercise.
    pub fn check_exercise_file(&self, ex: &Exercise) -> Result<()> {
        const MOST: u64 = 1 << 20;
        let shown = ex.shown_path();
        let metadata = match fs::metadata(self.exercise_path(ex)) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "{shown} is missing; `backlings reset {}` restores the stub (backups of your \
                 versions are in {})",
                ex.name,
                backups_dir_shown()
            ),
            Err(e) => return Err(e).with_context(|| format!("reading {shown}")),
        };
        if !metadata.is_file() {
            bail!(
                "{shown} is not a regular file (a directory, named pipe or device?); put your \
                 code there, or `backlings reset {}` to restore the stub",
                ex.name
            );
        }
        if metadata.len() > MOST {
            bail!(
                "{shown} is {:.1} MiB; an exercise file is at most 1 MiB",
                metadata.len() as f64 / MOST as f64
            );
        }
        Ok(())
    }

    pub fn solution_path(&self, ex: &Exercise) -> PathBuf {
        self.root.join(course::native(&ex.solution_rel_path()))
    }

    /// Build directory and incremental compilation cache of one exercise, away from the
    /// learner's sources and from cargo's `target/`, so grading never waits on the editor's
    /// rust-analyzer or vice versa.
    pub fn build_dir(&self, ex: &Exercise) -> PathBuf {
        self.root.join(TOOL_DIR).join("cache").join(&ex.name)
    }

    /// Build output every exercise shares (the checks' kit); no exercise is named `kit`.
    pub fn shared_build_dir(&self) -> PathBuf {
        self.root.join(TOOL_DIR).join("cache").join("kit")
    }

    /// Records a verdict of `ex`, counted as `counted` says. A pass marks the exercise done,
    /// copies the reference solution into `solutions/`, and returns the next pending
    /// exercise; a first pass also makes that one `current`.
    pub fn record(&self, ex: &Exercise, passed: bool, counted: Counted) -> Result<Option<String>> {
        if passed {
            let solution = self.course.solution(ex)?;
            let dest = self.solution_path(ex);
            fs::create_dir_all(dest.parent().unwrap())
                .with_context(|| format!("creating {}", dest.parent().unwrap().display()))?;
            write_atomically(&dest, solution.as_bytes())?;
        } else if counted == Counted::Nothing {
            return Ok(None);
        }
        let stub = crate::files::fingerprint(self.course.stub(ex)?.as_bytes());
        let (_, next) = self.state_file.update(|state| {
            let entry = state.entry(&ex.name);
            if let Counted::Attempt { content, spent } = counted {
                let fingerprint = format!("{content:016x}");
                if content != stub && entry.attempted.as_ref() != Some(&fingerprint) {
                    entry.attempts = entry.attempts.saturating_add(1);
                    entry.attempted = Some(fingerprint);
                }
                // TOML integers are signed 64-bit.
                entry.seconds = entry
                    .seconds
                    .saturating_add(spent.as_secs())
                    .min(i64::MAX as u64);
            }
            if !passed {
                return None;
            }
            // Only a first pass moves on: one passed before is being revisited, and the
            // learner stays on it.
            let first_pass = !std::mem::replace(&mut entry.done, true);
            let next = self.next_pending(state, &ex.name);
            let current = state.current.as_deref();
            if first_pass && (current == Some(ex.name.as_str()) || current.is_none()) {
                state.current.clone_from(&next);
            }
            next
        })?;
        Ok(next)
    }

    /// Records one more hint of `ex` as shown (up to all of them); returns how many are.
    pub fn reveal_hint(&self, ex: &Exercise) -> Result<usize> {
        let (_, shown) = self.state_file.update(|state| {
            let entry = state.entry(&ex.name);
            entry.hints_shown = (entry.hints_shown + 1).min(ex.hints.len());
            entry.hints_shown
        })?;
        Ok(shown)
    }

    /// Keeps a mock interview round's scorecard in the progress.
    pub fn record_interview(&self, record: InterviewRecord) -> Result<()> {
        self.state_file
            .update(|state| state.interviews.push(record))?;
        Ok(())
    }

    /// How many of the course's exercises `state` records as done.
    pub fn done_count(&self, state: &State) -> usize {
        self.course
            .exercises
            .iter()
            .filter(|e| state.is_done(&e.name))
            .count()
    }

    /// The exercise the learner is on: the one `state` names, else the first not done.
    pub fn current_exercise(&self, state: &State) -> Option<&Exercise> {
        match &state.current {
            Some(name) => self
                .course
                .exercises
                .iter()
                .find(|e| &e.name == name)
                .or(self.course.exercises.first()),
            None => self
                .course
                .exercises
                .iter()
                .find(|e| !state.is_done(&e.name)),
        }
    }

    /// The exercise `name`, or without one the current exercise.
    pub fn named_or_current(&self, name: Option<&str>) -> Result<&Exercise> {
        match name {
            Some(name) => self.course.find(name),
            None => self.current_exercise(&self.state()?).ok_or_else(|| {
                anyhow::anyhow!(
                    "every exercise is done, so there is no current one; name one (`backlings \
                     list` shows them)"
                )
            }),
        }
    }

    /// The exercise `name` (or the current one) if the learner has passed it; else an error
    /// saying that `what` of it (its reference solution, its debrief) unlocks with a pass.
    pub fn passed_exercise(&self, name: Option<&str>, what: &str) -> Result<&Exercise> {
        let ex = self.named_or_current(name)?;
        if !self.state()?.is_done(&ex.name) {
            bail!(
                "{what} of {} unlocks once your version passes; `backlings hint {}` helps \
                 meanwhile",
                ex.name,
                ex.name
            );
        }
        Ok(ex)
    }

    /// Makes `ex` the exercise the learner is on.
    pub fn set_current(&self, ex: &Exercise) -> Result<()> {
        self.state_file
            .update(|state| state.current = Some(ex.name.clone()))?;
        Ok(())
    }

    /// Moves the learner past `ex` to the next exercise not done yet, which it returns;
    /// `None`, and nothing changes, if there is none.
    pub fn skip_after(&self, ex: &Exercise) -> Result<Option<String>> {
        let (_, next) = self.state_file.update(|state| {
            let next = self.next_pending(state, &ex.name);
            if next.is_some() {
                state.current.clone_from(&next);
            }
            next
        })?;
        Ok(next)
    }

    /// The first exercise after `after` (wrapping around) that is not done.
    fn next_pending(&self, state: &State, after: &str) -> Option<String> {
        let start = self.course.index_of(after).map_or(0, |i| i + 1);
        let n = self.course.exercises.len();
        (0..n)
            .map(|k| &self.course.exercises[(start + k) % n])
            .find(|e| !state.is_done(&e.name) && e.name != after)
            .map(|e| e.name.clone())
    }

    /// Restores the stub of `ex`, first copying the learner's file to `.backlings/backups/`.
    /// Returns the backup's path, if the file held anything but the stub.
    pub fn reset(&self, ex: &Exercise) -> Result<Option<PathBuf>> {
        let path = self.exercise_path(ex);
        let stub = self.course.stub(ex)?;
        // An untouched stub has nothing worth keeping.
        let backup = match fs::read(&path) {
            Ok(mine) if mine == stub.as_bytes() => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            _ => Some(self.backup(ex)?),
        };
        fs::create_dir_all(path.parent().unwrap())
            .with_context(|| format!("creating {}", path.parent().unwrap().display()))?;
        write_atomically(&path, stub.as_bytes())?;
        Ok(backup)
    }

    fn backup(&self, ex: &Exercise) -> Result<PathBuf> {
        self.backup_file(&self.exercise_path(ex), &format!("{}.rs", ex.name))
    }

    /// Copies `src` into `.backlings/backups/` as `STEM.<local time>.EXT`, never over a file.
    fn backup_file(&self, src: &Path, name: &str) -> Result<PathBuf> {
        let dir = self.root.join(TOOL_DIR).join(BACKUPS_DIR);
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        let stamp = file_timestamp();
        let mut dest = dir.join(format!("{stem}.{stamp}.{ext}"));
        let mut n = 1;
        while dest.exists() {
            dest = dir.join(format!("{stem}.{stamp}-{n}.{ext}"));
            n += 1;
        }
        fs::copy(src, &dest)
            .with_context(|| format!("backing up {} to {}", src.display(), dest.display()))?;
        Ok(dest)
    }
}

/// Where backups go, relative to the workspace, as the learner reads paths on this OS.
pub fn backups_dir_shown() -> String {
    let mut shown = Path::new(TOOL_DIR).join(BACKUPS_DIR).display().to_string();
    shown.push(std::path::MAIN_SEPARATOR);
    shown
}

/// The nearest of `start` and its ancestors that holds a progress file.
fn state_path(root: &Path) -> PathBuf {
    root.join(TOOL_DIR).join("state.toml")
}

/// Whether this runs in CI, as GitHub Actions, GitLab and most others say with `CI`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// A course as messages name it.
fn course_shown(origin: &Origin) -> String {
    match origin {
        Origin::Builtin => "built into backlings".to_string(),
        Origin::Dir(dir) => dir.display().to_string(),
    }
}

/// How the state file names the course of the workspace at `root`: `builtin`, or the course
/// directory relative to the workspace (with `/`), so that the two can move together.
fn origin_to_state(origin: &Origin, root: &Path) -> String {
    match origin {
        Origin::Builtin => "builtin".to_string(),
        Origin::Dir(dir) => match pathdiff::diff_paths(dir, root) {
            Some(relative) => relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
            None => dir.display().to_string(),
        },
    }
}

/// The course the state file of the workspace at `root` names; a relative directory is
/// relative to the workspace (older workspaces recorded an absolute one).
fn origin_from_state(course: &str, root: &Path) -> Origin {
    if course == "builtin" {
        Origin::Builtin
    } else {
        Origin::Dir(root.join(course))
    }
}

/// A manifest with one test target per exercise: each file is a crate root the editor's
/// rust-analyzer understands, and `cargo test --test NAME` runs the learner's own tests.
fn cargo_manifest(course: &Course) -> String {
    let mut out = String::from(
        "# Generated by backlings so that rust-analyzer and `cargo test` understand the exercises.\n\
         # Grading does not use this file or target/.\n\
         [package]\nname = \"backlings-workspace\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         # A workspace of its own, even inside another Cargo workspace's directory.\n\
         [workspace]\n\n\
         [lints.rust]\ndead_code = \"allow\"\n",
    );
    for ex in &course.exercises {
        let _ = write!(
            out,
            "\n[[test]]\nname = \"{}\"\npath = \"{}\"\n",
            ex.name,
            ex.rel_path()
        );
    }
    out
}

fn ensure_writable(root: &Path) -> Result<()> {
    let dir = root.join(TOOL_DIR);
    let Err(err) = tempfile::NamedTempFile::new_in(&dir) else {
        return Ok(());
    };
    use std::io::ErrorKind::*;
    let fix = match err.kind() {
        ReadOnlyFilesystem => {
            "it is on a read-only file system: copy the workspace somewhere writable"
        }
        PermissionDenied => "you may not write there: make it yours and writable (chmod -R u+w)",
        StorageFull => "the disk is full: free some space",
        _ => "make sure the directory exists and is writable",
    };
    bail!(
        "cannot write in the workspace at {} ({err}): backlings keeps your progress in {}; {fix}",
        root.display(),
        dir.display()
    )
}
