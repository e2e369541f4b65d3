//! Watch mode: show the current exercise, grade it on every save, advance on a pass.
//!
//! One loop owns all state and reacts to events from three sources: the file watcher, the
//! key reader and grading threads. A save grades at once (no fixed debounce); saves that
//! arrive while a grade runs cancel it and the newest content is graded next, so the last
//! save is never lost and bursts collapse into one grade.

mod browse;
mod events;
mod list;
mod screen;
mod wrap;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::course::{self, Course, Exercise};
use crate::editor::{self, Editor};
use crate::grader::{Cancelled, Outcome, Toolchain, Verdict};
use crate::session;
use crate::state::State;
use crate::terminal;
use crate::ui::{
    Scope, Theme, link, out, render_advice, render_comparison, render_hints, render_stats,
    render_welcome,
};
use crate::workspace::{Counted, Workspace};

pub use browse::browse;
use browse::reset_notice;
use events::{Event, Key};
use list::ListView;
use screen::{Body, Frame, Painter};

/// A longer pause between saves is a break, and counts as this much working time.
const IDLE_CAP: Duration = Duration::from_secs(5 * 60);

const NO_TERMINAL_ERR: &str = "watch mode needs an interactive terminal.
Use `backlings run NAME` to grade one exercise, or `backlings check` to grade them all.";

pub fn run(poll: bool, edit_cmd: Option<String>) -> Result<ExitCode> {
    if !crate::interactive() {
        bail!(NO_TERMINAL_ERR);
    }
    let Some(ws) = open_or_create()? else {
        return Ok(ExitCode::SUCCESS);
    };
    ws.ensure_writable()?;
    let toolchain = Toolchain::discover()?;
    let (tx, rx) = mpsc::channel();
    let _watcher = events::watch_files(&ws.root().join("exercises"), poll, tx.clone())?;
    let _terminal = terminal::Borrowed::take()?;
    events::read_terminal(tx.clone());

    let mut app = App::new(Arc::new(ws), Arc::new(toolchain), poll, tx)?;
    app.editor = Editor::find(edit_cmd.as_deref());
    app.run(&rx).map(|()| ExitCode::SUCCESS)
}

/// The workspace [`Workspace::locate`] finds; else the default one, made now after a welcome
/// the learner confirms. `None` if they chose to quit there.
fn open_or_create() -> Result<Option<Workspace>> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    if let Some(ws) = Workspace::locate(&cwd)? {
        return Ok(Some(ws));
    }
    let ws = Workspace::init(&crate::workspace::default_root()?, Course::builtin()?)?;
    out!("{}", render_welcome(&ws, &Theme::stdout()))?;
    out!(
        "Open {} in your editor.\nThis terminal will show the current exercise and grade it \
         every time you save.\n\nPress Enter to start, or q to quit (your workspace stays). ",
        ws.root().display()
    )?;
    std::io::stdout().flush()?;
    let _terminal = terminal::Borrowed::take()?;
    Ok(events::wait_for_start().then_some(ws))
}

enum View {
    Exercise,
    List(ListView),
    /// The learner's file of this exercise against the reference solution.
    Compare(usize),
}

struct App {
    ws: Arc<Workspace>,
    toolchain: Arc<Toolchain>,
    poll: bool,
    /// What `e` opens the exercise with.
    editor: Option<Editor>,
    tx: Sender<Event>,
    theme: Theme,
    painter: Painter,
    /// Progress as last read; shown when reading it fails, with a banner that says why.
    progress: State,
    /// Another exercise whose file was just saved, which `s` switches to.
    switch_offer: Option<usize>,
    /// The learner chose the exercise shown after passing it: a pass does not move on.
    revisiting: bool,
    /// Index of the exercise shown; `None` once the course is complete.
    current: Option<usize>,
    /// The exercise that passed last in this session, which `c` compares.
    last_passed: Option<usize>,
    /// clippy's advice on an exercise (by index), once it is in; `None` inside without clippy.
    advice: Option<(usize, Option<Vec<String>>)>,
    /// An exercise that just passed, whose advice waits for the next exercise's first
    /// verdict, so that clippy never delays a verdict the learner is waiting for.
    advice_after_next_grade: Option<usize>,
    view: View,
    /// When the learner last did something on the current exercise (a save, a move to it);
    /// the time until their next save is working time.
    active_since: Instant,
    /// First body line shown, and the most the body can scroll at the current size.
    scroll: usize,
    max_scroll: usize,
    verdict: Option<Verdict>,
    problem: Option<String>,
    banner: Option<String>,
    /// Sequence number of the newest read of the exercise file asked for, and whether a
    /// grade of what it reads is forced (`r`, a move), changed or not.
    reads: u64,
    force_next_read: bool,
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
        let current = ws
            .current_exercise(&state)
            .and_then(|ex| ws.course().index_of(&ex.name));
        let revisiting = current.is_some_and(|i| state.is_done(&ws.course().exercises[i].name));
        Ok(App {
            banner: (!ws.notices().is_empty()).then(|| ws.notices().join("\n")),
            ws,
            toolchain,
            poll,
            editor: None,
            tx,
            theme: Theme::stdout(),
            painter: Painter::new(),
            revisiting,
            progress: state,
            switch_offer: None,
            current,
            last_passed: None,
            advice: None,
            advice_after_next_grade: None,
            active_since: Instant::now(),
            view: View::Exercise,
            scroll: 0,
            max_scroll: 0,
            verdict: None,
            problem: None,
            reads: 0,
            force_next_read: false,
            seq: 0,
            running: None,
            regrade: false,
            graded_hash: None,
            grading_hash: None,
        })
    }

    fn exercise(&self) -> Option<&Exercise> {
        self.current.map(|i| &self.ws.course().exercises[i])
    }

    fn run(&mut self, rx: &Receiver<Event>) -> Result<()> {
        self.grade(true);
        loop {
            self.draw()?;
            let Ok(event) = rx.recv() else { break };
            // A failure to read or write progress (a corrupt or locked state file) is shown,
            // and the session goes on.
            let handled = match event {
                Event::FileChanged(path) => {
                    self.on_file_changed(&path);
                    Ok(())
                }
                Event::Key(Key::CtrlC) => break,
                Event::Key(Key::Char('q')) if !self.typing() => break,
                Event::Key(key) => self.on_key(key),
                Event::Resized => Ok(()),
                Event::Notice(message) => {
                    self.banner = Some(message);
                    Ok(())
                }
                Event::Advice(index, advice) => {
                    self.on_advice(index, advice);
                    Ok(())
                }
                Event::Read(read, result) => {
                    self.on_read(read, result);
                    Ok(())
                }
                Event::Graded(seq, result) => self.on_graded(seq, *result),
                Event::WatchError(e) => {
                    self.problem = Some(format!("the file watcher failed: {e}"));
                    Ok(())
                }
            };
            if let Err(e) = handled {
                self.banner = Some(format!("{} {e:#}", self.theme.bad.apply_to("!")));
            }
        }
        // Nothing on screen would be true any more: no grade runs, no key works.
        self.painter.clear()?;
        Ok(())
    }

    /// Progress, read again; on failure, the last progress read, and a banner saying why.
    fn state(&mut self) -> State {
        match self.ws.state() {
            Ok(state) => self.progress = state,
            Err(e) => {
                self.banner = Some(format!(
                    "{} progress could not be read, so what is shown may be stale: {e:#}",
                    self.theme.bad.apply_to("!")
                ));
            }
        }
        self.progress.clone()
    }

    fn on_file_changed(&mut self, path: &Path) {
        let Some(ex) = self.exercise() else { return };
        if same_file(path, &self.ws.exercise_path(ex)) {
            // The learner is working on this exercise: what was said about the previous one,
            // or about the editor, is stale now.
            self.banner = None;
            self.last_passed = None;
            self.switch_offer = None;
            self.grade(false);
            return;
        }
        let course = &self.ws.course();
        let Some(other) = course
            .exercises
            .iter()
            .position(|e| same_file(path, &self.ws.exercise_path(e)))
        else {
            return;
        };
        // A stub just restored (a reset from the list) is no work of the learner's.
        let stub = course.stub(&course.exercises[other]);
        let saved = self.ws.read_exercise(&course.exercises[other]);
        if let (Ok(stub), Ok(saved)) = (stub, saved)
            && saved == stub.as_bytes()
        {
            return;
        }
        let (saved, shown) = (&course.exercises[other], ex.name.clone());
        self.banner = Some(format!(
            "You saved {}, which is not the exercise shown ({shown}): press {} to switch to {}.",
            saved.shown_path(),
            self.theme.key.apply_to("s"),
            saved.name
        ));
        self.switch_offer = Some(other);
    }

    /// Whether keys are text being typed (a search), not commands.
    fn typing(&self) -> bool {
        matches!(&self.view, View::List(list) if list.takes_text())
    }

    fn on_key(&mut self, key: Key) -> Result<()> {
        if let View::List(_) = &self.view {
            let state = self.state();
            let View::List(list) = &mut self.view else {
                unreachable!("checked above")
            };
            match list.on_key(&key, self.ws.course(), &state) {
                list::Action::Stay => {}
                list::Action::Close => self.show(View::Exercise),
                list::Action::Jump(index) => self.jump_to(index)?,
                list::Action::Reset(index) => {
                    let notice = reset_notice(&self.ws, index)?;
                    if let View::List(list) = &mut self.view {
                        list.notice = Some(notice);
                    }
                }
            }
            return Ok(());
        }
        let page = (self.painter.size().0 / 2).max(1);
        match (&self.view, key) {
            (_, Key::ArrowUp | Key::Char('k')) => self.scroll = self.scroll.saturating_sub(1),
            (_, Key::ArrowDown | Key::Char('j')) => self.scroll += 1,
            (_, Key::PageUp) => self.scroll = self.scroll.saturating_sub(page),
            (_, Key::PageDown | Key::Char(' ')) => self.scroll += page,
            (_, Key::Home) => self.scroll = 0,
            (_, Key::End) => self.scroll = self.max_scroll,
            (View::Compare(_), Key::Char('c') | Key::Escape) => self.show(View::Exercise),
            (View::Exercise, Key::Char('c')) => {
                let state = self.state();
                match (self.comparable(&state), self.exercise()) {
                    (Some(index), _) => {
                        if self.advice.as_ref().is_none_or(|(i, _)| *i != index) {
                            self.advice_after_next_grade = None;
                            self.ask_clippy(index);
                        }
                        self.show(View::Compare(index));
                    }
                    (None, Some(ex)) => {
                        self.banner = Some(format!(
                            "{} has not passed yet: {} compares your file with the reference \
                             solution once it does.",
                            ex.name,
                            self.theme.key.apply_to("c")
                        ));
                    }
                    (None, None) => {}
                }
            }
            (View::Exercise, Key::Char('s')) => {
                if let Some(index) = self.switch_offer.take() {
                    self.jump_to(index)?;
                }
            }
            (_, Key::Char('l')) => {
                let selected = self.current.or(self.last_passed).unwrap_or(0);
                self.show(View::List(ListView::new(selected)));
            }
            (View::Exercise, Key::Char('h')) => self.reveal_hint()?,
            (View::Exercise, Key::Char('e')) => self.edit(),
            (View::Exercise, Key::Char('r')) => self.grade(true),
            (View::Exercise, Key::Char('n')) => self.skip()?,
            _ => {}
        }
        self.scroll = self.scroll.min(self.max_scroll);
        Ok(())
    }

    fn show(&mut self, view: View) {
        self.view = view;
        self.scroll = 0;
    }

    /// The exercise `c` compares: the one that just passed (until the learner works on the
    /// next), else the current one if done.
    fn comparable(&self, state: &State) -> Option<usize> {
        self.last_passed.or(self
            .current
            .filter(|&i| state.is_done(&self.ws.course().exercises[i].name)))
    }

    /// Starts clippy on exercise `index` in the background.
    fn ask_clippy(&mut self, index: usize) {
        self.advice = None;
        let (ws, toolchain, tx) = (self.ws.clone(), self.toolchain.clone(), self.tx.clone());
        thread::spawn(move || {
            let ex = &ws.course().exercises[index];
            // Advice is optional: if clippy cannot run, there is none.
            let advice = session::advice(&ws, &toolchain, ex).unwrap_or(Some(Vec::new()));
            let _ = tx.send(Event::Advice(index, advice));
        });
    }

    fn on_advice(&mut self, index: usize, advice: Option<Vec<String>>) {
        let count = advice.as_ref().map_or(0, Vec::len);
        let note = (count > 0 && self.last_passed == Some(index)).then(|| {
            format!(
                "\n  clippy has {count} suggestion{} on your {}: press {} to see {}",
                if count == 1 { "" } else { "s" },
                self.ws.course().exercises[index].name,
                self.theme.key.apply_to("c"),
                if count == 1 { "it" } else { "them" }
            )
        });
        // Right under the "passed" line it is about.
        if let (Some(banner), Some(note)) = (&mut self.banner, note) {
            let end_of_first_line = banner.find('\n').unwrap_or(banner.len());
            banner.insert_str(end_of_first_line, &note);
        }
        self.advice = Some((index, advice));
    }

    /// `e`: opens the current exercise in the learner's editor.
    fn edit(&mut self) {
        let Some(ex) = self.exercise() else { return };
        let file = self.ws.exercise_path(ex);
        let Some(editor) = &mut self.editor else {
            self.banner = Some(editor::NO_EDITOR.to_string());
            return;
        };
        self.banner = Some(match editor.open(&file) {
            Ok((message, child)) => {
                if let Some(child) = child {
                    let tx = self.tx.clone();
                    thread::spawn(move || {
                        if let Some(failure) = editor::failure(child) {
                            let _ = tx.send(Event::Notice(failure));
                        }
                    });
                }
                message
            }
            Err(e) => format!("{e:#}"),
        });
    }

    /// Makes exercise `index` the current one, from the list.
    fn jump_to(&mut self, index: usize) -> Result<()> {
        self.ws.set_current(&self.ws.course().exercises[index])?;
        self.banner = None;
        self.move_to(Some(index));
        Ok(())
    }

    /// Grades the current file (once read, in `on_read`), unless `force` is false and it is
    /// unchanged since the last grade.
    fn grade(&mut self, force: bool) {
        let Some(ex) = self.exercise().cloned() else {
            return;
        };
        // Read away from this loop, so that no file (on a stalled network mount, say) can
        // freeze the screen; only the newest read decides, and a forced one forces it.
        self.reads += 1;
        self.force_next_read |= force;
        let (read, ws, tx) = (self.reads, self.ws.clone(), self.tx.clone());
        thread::spawn(move || {
            let read_result = ws
                .read_exercise(&ex)
                .map(|bytes| crate::files::fingerprint(&bytes))
                .map_err(|e| format!("{e:#}"));
            let _ = tx.send(Event::Read(read, read_result));
        });
    }

    /// Grades the content just read, unless it is what was graded last and nothing forces it.
    fn on_read(&mut self, read: u64, result: std::result::Result<u64, String>) {
        if read != self.reads {
            return;
        }
        let force = std::mem::take(&mut self.force_next_read);
        let Some(ex) = self.exercise().cloned() else {
            return;
        };
        let hash = match result {
            Ok(hash) => hash,
            Err(problem) => {
                self.problem = Some(problem);
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
            let result = session::grade(&ws, &toolchain, &ex, None, &cancel);
            let _ = tx.send(Event::Graded(seq, Box::new(result)));
        });
    }

    fn on_graded(
        &mut self,
        seq: u64,
        result: std::result::Result<Verdict, Cancelled>,
    ) -> Result<()> {
        if seq != self.seq {
            return Ok(());
        }
        self.running = None;
        if std::mem::take(&mut self.regrade) {
            self.grade(true);
            return Ok(());
        }
        let verdict = match result {
            Ok(Verdict {
                outcome: Outcome::NotGraded { reason },
                ..
            }) => {
                self.problem = Some(reason);
                return Ok(());
            }
            Ok(verdict) => verdict,
            Err(Cancelled) => return Ok(()),
        };
        if let Some(index) = self.advice_after_next_grade.take() {
            self.ask_clippy(index);
        }
        self.problem = None;
        self.scroll = 0;
        self.graded_hash = self.grading_hash;
        let ex = self
            .exercise()
            .cloned()
            .expect("a grade runs only for an exercise");
        let now = Instant::now();
        let spent = now.duration_since(self.active_since).min(IDLE_CAP);
        self.active_since = now;
        let counted = Counted::Attempt {
            content: self
                .graded_hash
                .expect("a delivered grade is of hashed content"),
            spent,
        };
        let recorded = self.ws.record(&ex, verdict.passed(), counted);
        if !verdict.passed() {
            self.verdict = Some(verdict);
            return recorded.map(drop);
        }
        if self.revisiting {
            // A refactor, another design: the learner stays until they press n.
            self.last_passed = self.ws.course().index_of(&ex.name);
            self.banner = Some(format!(
                "{} {} passes, as before. Press {} to compare it with the reference solution, {} \
                 for the next exercise.",
                self.theme.good.apply_to("✓"),
                ex.name,
                self.theme.key.apply_to("c"),
                self.theme.key.apply_to("n")
            ));
            self.verdict = Some(verdict);
            return recorded.map(drop);
        }
        let next = match recorded {
            Ok(next) => next,
            Err(e) => {
                // The pass shows; only the progress could not be written.
                self.verdict = Some(verdict);
                return Err(e.context("this pass could not be recorded; save again to retry"));
            }
        };
        self.last_passed = self.ws.course().index_of(&ex.name);
        let mut banner = format!(
            "{} {} passed. Press {} to compare your file with the reference solution: {}",
            self.theme.good.apply_to("✓"),
            ex.name,
            self.theme.key.apply_to("c"),
            link(
                &course::shown(&ex.solution_rel_path()),
                &self.ws.solution_path(&ex)
            )
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
        match next.as_deref().and_then(|n| self.ws.course().index_of(n)) {
            Some(i) => {
                let next = &self.ws.course().exercises[i];
                banner.push_str(&format!(
                    "\n{} {}  {}",
                    self.theme.heading.apply_to("Next:"),
                    next.name,
                    link(&next.shown_path(), &self.ws.exercise_path(next))
                ));
                self.move_to(Some(i));
                self.advice_after_next_grade = self.last_passed;
            }
            None => {
                self.move_to(None);
                if let Some(index) = self.last_passed {
                    self.ask_clippy(index);
                }
            }
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
        let state = self.state();
        self.revisiting = self.exercise().is_some_and(|ex| state.is_done(&ex.name));
        self.active_since = Instant::now();
        self.verdict = None;
        self.problem = None;
        self.graded_hash = None;
        self.grading_hash = None;
        self.show(View::Exercise);
        self.grade(true);
    }

    /// `n`: go to the next exercise not done yet, after the current one.
    fn skip(&mut self) -> Result<()> {
        let Some(ex) = self.exercise().cloned() else {
            return Ok(());
        };
        match self
            .ws
            .skip_after(&ex)?
            .and_then(|n| self.ws.course().index_of(&n))
        {
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

    fn draw(&mut self) -> Result<()> {
        let state = self.state();
        let course = &self.ws.course();
        let (rows, cols) = self.painter.size();
        let listed;
        let hints;
        let comparison;
        let finished;
        let (rel_path, abs_path);
        let body = match (&self.view, self.exercise()) {
            (View::List(list), _) => {
                listed = list.render(course, &state, &self.theme, cols);
                Body::List {
                    text: &listed.text,
                    focus: listed.focus,
                    keys: &listed.keys,
                    typing: list.takes_text(),
                }
            }
            (View::Compare(index), _) => {
                let ex = &course.exercises[*index];
                let advice = match &self.advice {
                    Some((i, advice)) if i == index => {
                        render_advice(advice.as_deref(), &self.theme)
                    }
                    _ => format!(
                        "{}\n",
                        self.theme.dim.apply_to("clippy is reading your code…")
                    ),
                };
                comparison = session::comparison(&self.ws, ex)
                    .map(|both| {
                        let diff = render_comparison(&self.ws, ex, &both, &self.theme);
                        format!("{diff}\n{advice}")
                    })
                    .unwrap_or_else(|e| format!("{e:#}"));
                Body::Compare(&comparison)
            }
            (View::Exercise, None) => {
                finished = format!(
                    "{}\n\n{}\n\n{}",
                    self.theme.good.apply_to("✓ Course complete!"),
                    course.final_message.trim(),
                    render_stats(course, &state, &self.theme, Scope::Summary)
                );
                Body::Finished {
                    summary: &finished,
                    can_compare: self.comparable(&state).is_some(),
                }
            }
            (View::Exercise, Some(ex)) => {
                let shown = state.exercises.get(&ex.name).map_or(0, |e| e.hints_shown);
                hints = render_hints(ex, shown, &self.theme);
                rel_path = ex.shown_path();
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
                    can_compare: self.comparable(&state).is_some(),
                    switch_to: self.switch_offer.map(|i| course.exercises[i].name.as_str()),
                }
            }
        };
        let frame = Frame {
            done: self.ws.done_count(&state),
            total: course.exercises.len(),
            body,
            banner: self.banner.as_deref(),
            poll_notice: !self.poll,
            scroll: self.scroll,
        };
        let screen = screen::render(&frame, &self.theme, rows, cols);
        self.max_scroll = screen.max_scroll;
        self.painter.paint(&screen)?;
        Ok(())
    }
}

fn same_file(event_path: &Path, exercise: &Path) -> bool {
    event_path == exercise || canonical(event_path) == canonical(exercise)
}

fn canonical(path: &Path) -> PathBuf {
    // A removed file cannot be canonicalised; its directory still can.
    match (
        path.parent()
            .and_then(|p| crate::platform::canonicalize(p).ok()),
        path.file_name(),
    ) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}
