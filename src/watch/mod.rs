//! Watch mode: show the current exercise, grade it on every save, advance on a pass.
//!
//! One loop owns all state and reacts to events from three sources: the file watcher, the
//! key reader and grading threads. A save grades at once (no fixed debounce); saves that
//! arrive while a grade runs cancel it and the newest content is graded next, so the last
//! save is never lost and bursts collapse into one grade.

mod events;
mod screen;

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use anyhow::{Context, Result, bail};
use console::{Key, Term};

use crate::cmd::{grade_exercise, print_welcome, record, render_hints, render_list};
use crate::course::{Course, Exercise};
use crate::grader::{Toolchain, Verdict};
use crate::ui::{Theme, link};
use crate::workspace::{DEFAULT_DIR, Workspace};

use events::Event;
use screen::{Body, Frame};

const NO_TERMINAL_ERR: &str = "watch mode needs an interactive terminal.
Use `backlings run NAME` to grade one exercise, or `backlings check` to grade them all.";

pub fn run(poll: bool) -> Result<ExitCode> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!(NO_TERMINAL_ERR);
    }
    let ws = open_or_create()?;
    let toolchain = Toolchain::discover()?;
    let (tx, rx) = mpsc::channel();
    let _watcher = events::watch_files(&ws.root.join("exercises"), poll, tx.clone())?;
    events::read_keys(tx.clone());

    let term = Term::stdout();
    let _ = term.hide_cursor();
    let mut app = App::new(Arc::new(ws), Arc::new(toolchain), poll, tx)?;
    let result = app.run(&rx);
    let _ = term.show_cursor();
    result.map(|()| ExitCode::SUCCESS)
}

/// The workspace around the current directory; else `./backlings`, created if needed.
fn open_or_create() -> Result<Workspace> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    if let Some(ws) = Workspace::find(&cwd)? {
        return Ok(ws);
    }
    let default = cwd.join(DEFAULT_DIR);
    if let Some(ws) = Workspace::find(&default)? {
        return Ok(ws);
    }
    let ws = Workspace::init(&default, Course::builtin()?)?;
    print_welcome(&ws, Path::new(DEFAULT_DIR));
    print!("\nPress any key to start. ");
    std::io::stdout().flush()?;
    let _ = Term::stdout().read_key_raw();
    Ok(ws)
}

enum View {
    Exercise,
    List,
}

struct App {
    ws: Arc<Workspace>,
    toolchain: Arc<Toolchain>,
    poll: bool,
    tx: Sender<Event>,
    theme: Theme,
    /// Index of the exercise shown; `None` once the course is complete.
    current: Option<usize>,
    view: View,
    verdict: Option<Verdict>,
    problem: Option<String>,
    banner: Option<String>,
    /// Sequence number of the newest grade started, and its cancel flag while it runs.
    seq: u64,
    running: Option<Arc<AtomicBool>>,
    /// A save arrived while grading: grade again when the running grade stops.
    regrade: bool,
    /// Hash of the content the shown verdict is for, and of the content being graded.
    graded_hash: Option<u64>,
    grading_hash: Option<u64>,
}

impl App {
    fn new(
        ws: Arc<Workspace>,
        toolchain: Arc<Toolchain>,
        poll: bool,
        tx: Sender<Event>,
    ) -> Result<App> {
        let state = ws.state()?;
        let current = match &state.current {
            Some(name) => ws.course.index_of(name).or(Some(0)),
            None => ws
                .course
                .exercises
                .iter()
                .position(|e| !state.is_done(&e.name)),
        };
        Ok(App {
            banner: (!ws.notices.is_empty()).then(|| ws.notices.join("\n")),
            ws,
            toolchain,
            poll,
            tx,
            theme: Theme::stdout(),
            current,
            view: View::Exercise,
            verdict: None,
            problem: None,
            seq: 0,
            running: None,
            regrade: false,
            graded_hash: None,
            grading_hash: None,
        })
    }

    fn exercise(&self) -> Option<&Exercise> {
        self.current.map(|i| &self.ws.course.exercises[i])
    }

    fn run(&mut self, rx: &Receiver<Event>) -> Result<()> {
        self.grade(true);
        loop {
            self.draw()?;
            let Ok(event) = rx.recv() else { return Ok(()) };
            match event {
                Event::FileChanged(path) => self.on_file_changed(&path),
                Event::Key(Key::Char('q') | Key::CtrlC) => return Ok(()),
                Event::Key(key) => self.on_key(key)?,
                Event::Graded(seq, result) => self.on_graded(seq, *result)?,
                Event::WatchError(e) => {
                    self.problem = Some(format!("the file watcher failed: {e}"))
                }
            }
        }
    }

    fn on_file_changed(&mut self, path: &Path) {
        let Some(ex) = self.exercise() else { return };
        if same_file(path, &self.ws.exercise_path(ex)) {
            self.grade(false);
        }
    }

    fn on_key(&mut self, key: Key) -> Result<()> {
        match (&self.view, key) {
            (View::List, Key::Char('l') | Key::Escape) => self.view = View::Exercise,
            (View::Exercise, Key::Char('l')) => self.view = View::List,
            (View::Exercise, Key::Char('h')) => self.reveal_hint()?,
            (View::Exercise, Key::Char('r')) => self.grade(true),
            (View::Exercise, Key::Char('n')) => self.skip()?,
            _ => {}
        }
        Ok(())
    }

    /// Grades the current file, unless `force` is false and it is unchanged since the last grade.
    fn grade(&mut self, force: bool) {
        let Some(ex) = self.exercise().cloned() else {
            return;
        };
        let path = self.ws.exercise_path(&ex);
        let hash = match fs::read(&path) {
            Ok(bytes) => content_hash(&bytes),
            Err(_) => {
                self.problem = Some(format!(
                    "{} is missing. Restore the stub with `backlings reset {}` (earlier versions are in .backlings/backups/), \
                     or save the file again.",
                    ex.rel_path(),
                    ex.name
                ));
                return;
            }
        };
        if let Some(cancel) = &self.running {
            if self.grading_hash != Some(hash) || force {
                cancel.store(true, Ordering::Relaxed);
                self.regrade = true;
            }
            return;
        }
        if !force && self.graded_hash == Some(hash) {
            // Back to the content of the last verdict (say, renamed away and back): show it.
            self.problem = None;
            return;
        }
        self.seq += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        self.running = Some(cancel.clone());
        self.grading_hash = Some(hash);
        let (seq, ws, toolchain, tx) = (
            self.seq,
            self.ws.clone(),
            self.toolchain.clone(),
            self.tx.clone(),
        );
        thread::spawn(move || {
            let result = grade_exercise(&ws, &toolchain, &ex, &cancel);
            let _ = tx.send(Event::Graded(seq, Box::new(result)));
        });
    }

    fn on_graded(&mut self, seq: u64, result: Result<Option<Verdict>>) -> Result<()> {
        if seq != self.seq {
            return Ok(());
        }
        self.running = None;
        if std::mem::take(&mut self.regrade) {
            self.grade(true);
            return Ok(());
        }
        let verdict = match result {
            Ok(Some(verdict)) => verdict,
            Ok(None) => return Ok(()),
            Err(e) => {
                self.problem = Some(format!("{e:#}"));
                return Ok(());
            }
        };
        self.problem = None;
        self.graded_hash = self.grading_hash;
        let ex = self
            .exercise()
            .cloned()
            .expect("a grade runs only for an exercise");
        let next = record(&self.ws, &ex, &verdict)?;
        if !verdict.passed() {
            self.verdict = Some(verdict);
            return Ok(());
        }
        let mut banner = format!(
            "{} {} passed. Compare with the reference solution: {}",
            self.theme.good.apply_to("✓"),
            ex.name,
            link(&ex.solution_rel_path(), &self.ws.solution_path(&ex))
        );
        // The verdict is not shown after a pass, so the learner's own failing tests are
        // mentioned here or never.
        if let Some(own) = verdict.own_tests.as_ref().filter(|o| !o.passed()) {
            banner.push_str(&format!(
                "\n{} {} (`backlings run {}` shows them)",
                self.theme.heading.apply_to("Your tests:"),
                own.headline(),
                ex.name
            ));
        }
        match next.as_deref().and_then(|n| self.ws.course.index_of(n)) {
            Some(i) => {
                let next = &self.ws.course.exercises[i];
                banner.push_str(&format!(
                    "\n{} {}  {}",
                    self.theme.heading.apply_to("Next:"),
                    next.name,
                    link(&next.rel_path(), &self.ws.exercise_path(next))
                ));
                self.move_to(Some(i));
            }
            None => self.move_to(None),
        }
        self.banner = Some(banner);
        Ok(())
    }

    fn move_to(&mut self, index: Option<usize>) {
        if let Some(cancel) = self.running.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        self.regrade = false;
        self.current = index;
        self.verdict = None;
        self.problem = None;
        self.graded_hash = None;
        self.grading_hash = None;
        self.view = View::Exercise;
        self.grade(true);
    }

    /// `n`: go to the next exercise not done yet, after the current one.
    fn skip(&mut self) -> Result<()> {
        let Some(ex) = self.exercise().cloned() else {
            return Ok(());
        };
        let (_, next) = self.ws.state_file.update(|state| {
            let next = self.ws.next_pending(state, &ex.name);
            if next.is_some() {
                state.current.clone_from(&next);
            }
            next
        })?;
        match next.and_then(|n| self.ws.course.index_of(&n)) {
            Some(i) => {
                self.banner = None;
                self.move_to(Some(i));
            }
            None => self.banner = Some("No other exercise is pending.".to_string()),
        }
        Ok(())
    }

    fn reveal_hint(&mut self) -> Result<()> {
        let Some(ex) = self.exercise().cloned() else {
            return Ok(());
        };
        self.ws.reveal_hint(&ex)?;
        Ok(())
    }

    fn draw(&self) -> Result<()> {
        let state = self.ws.state()?;
        let course = &self.ws.course;
        let done = self.ws.done_count(&state);
        let list;
        let hints;
        let (rel_path, abs_path);
        let body = match (&self.view, self.exercise()) {
            (View::List, _) => {
                list = render_list(&self.ws, &state, &self.theme);
                Body::List(&list)
            }
            (View::Exercise, None) => Body::Finished(&course.final_message),
            (View::Exercise, Some(ex)) => {
                let shown = state.exercises.get(&ex.name).map_or(0, |e| e.hints_shown);
                hints = render_hints(ex, shown, &self.theme);
                rel_path = ex.rel_path();
                abs_path = self.ws.exercise_path(ex);
                Body::Exercise {
                    name: &ex.name,
                    rel_path: &rel_path,
                    abs_path: &abs_path,
                    summary: &ex.summary,
                    grading: self.running.is_some(),
                    verdict: self.verdict.as_ref(),
                    problem: self.problem.as_deref(),
                    hints: &hints,
                    hints_left: ex.hints.len().saturating_sub(shown),
                }
            }
        };
        let frame = Frame {
            done,
            total: course.exercises.len(),
            body,
            banner: self.banner.as_deref(),
            polling: self.poll,
        };
        let text = screen::render(&frame, &self.theme);
        let term = Term::stdout();
        term.clear_screen()?;
        // Raw mode may be on while a key is awaited, so end lines explicitly.
        term.write_str(&text.replace('\n', "\r\n"))?;
        term.flush()?;
        Ok(())
    }
}

fn content_hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

fn same_file(event_path: &Path, exercise: &Path) -> bool {
    event_path == exercise || canonical(event_path) == canonical(exercise)
}

fn canonical(path: &Path) -> PathBuf {
    // A removed file cannot be canonicalised; its directory still can.
    match (
        path.parent().and_then(|p| fs::canonicalize(p).ok()),
        path.file_name(),
    ) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}
