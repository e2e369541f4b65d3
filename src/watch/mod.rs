//! Watch mode: show the current exercise, grade it on every save, advance on a pass.
//!
//! One loop owns all state and reacts to events from three sources: the file watcher, the
//! key reader and grading threads. A save grades at once (no fixed debounce); saves that
//! arrive while a grade runs cancel it and the newest content is graded next, so the last
//! save is never lost and bursts collapse into one grade.

mod advice;
mod browse;
mod events;
mod grading;
mod interview;
mod keys;
mod list;
mod screen;
mod wrap;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
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
    Scope, Theme, link, out, render_advice, render_comparison, render_hints, render_markdown,
    render_stats, render_welcome,
};
use crate::workspace::{Counted, Workspace};

use advice::{AdviceSchedule, Lints};
pub use browse::browse;
use browse::reset_notice;
use events::{Event, Key};
use grading::{AfterGrade, AfterRead, Scheduler};
use interview::Round;
use keys::Action;
pub use keys::help as key_help;
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
    session_loop(ws, poll, edit_cmd, None)
}

/// A mock interview round: the exercise `name`, or one not passed yet, against a clock of
/// `minutes`; watch mode otherwise.
pub fn interview(
    poll: bool,
    edit_cmd: Option<String>,
    minutes: f64,
    name: Option<&str>,
) -> Result<ExitCode> {
    if !crate::interactive() {
        bail!(NO_TERMINAL_ERR);
    }
    let ws = session::open().map(crate::ui::announced)?;
    let index = match name {
        Some(name) => ws.course().find(name).map(|ex| {
            ws.course()
                .index_of(&ex.name)
                .expect("a found exercise has an index")
        })?,
        None => not_passed_at_random(&ws)?,
    };
    session_loop(
        ws,
        poll,
        edit_cmd,
        Some(Round::new(index, Duration::from_secs_f64(minutes * 60.0))),
    )
}

/// One of the exercises the learner has not passed, picked at random.
fn not_passed_at_random(ws: &Workspace) -> Result<usize> {
    use std::hash::{BuildHasher, RandomState};
    let state = ws.state()?;
    let open: Vec<usize> = (0..ws.course().exercises.len())
        .filter(|&i| !state.is_done(&ws.course().exercises[i].name))
        .collect();
    if open.is_empty() {
        bail!("you have passed every exercise; pick one for the round with --exercise NAME");
    }
    let pick = RandomState::new().hash_one(Instant::now()) as usize % open.len();
    Ok(open[pick])
}

fn session_loop(
    ws: Workspace,
    poll: bool,
    edit_cmd: Option<String>,
    round: Option<Round>,
) -> Result<ExitCode> {
    ws.ensure_writable()?;
    let toolchain = Toolchain::discover()?;
    let (tx, rx) = mpsc::channel();
    let _watcher = events::watch_files(&ws.root().join("exercises"), poll, tx.clone())?;
    let _terminal = terminal::Borrowed::take()?;
    events::read_terminal(tx.clone());

    if round.is_some() {
        let tx = tx.clone();
        thread::spawn(move || {
            while tx.send(Event::Tick).is_ok() {
                thread::sleep(Duration::from_secs(1));
            }
        });
    }
    let editor = Editor::find(edit_cmd.as_deref());
    let mut app = App::new(Arc::new(ws), Arc::new(toolchain), poll, editor, tx)?;
    if let Some(round) = round {
        app.place.current = Some(round.exercise);
        app.place.revisiting = false;
        app.round = Some(round);
    }
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
    /// The learner's file of this exercise against the reference solution, rendered when
    /// the view opened (or why it could not be).
    Compare(usize, String),
    /// The debrief of this passed exercise, rendered when the view opened.
    Debrief(String),
    /// The scorecard of the mock interview round that just ended.
    Scorecard(String),
}

/// What the terminal shows and how: the view, how far its body is scrolled, and the painter
/// that puts frames on screen.
struct Display {
    theme: Theme,
    painter: Painter,
    /// Whether saves are polled for (`--poll`), so the hint to poll is left out.
    poll: bool,
    view: View,
    /// First body line shown, and the most the body can scroll at the current size.
    scroll: usize,
    max_scroll: usize,
}

impl Display {
    fn show(&mut self, view: View) {
        self.view = view;
        self.scroll = 0;
    }

    /// Whether keys are text being typed (a search), not commands.
    fn typing(&self) -> bool {
        matches!(&self.view, View::List(list) if list.takes_text())
    }
}

/// Where the learner is in the course.
struct Place {
    /// Index of the exercise shown; `None` once the course is complete.
    current: Option<usize>,
    /// The learner chose the exercise shown after passing it: a pass does not move on.
    revisiting: bool,
    /// The exercise that passed last in this session, which `c` compares.
    last_passed: Option<usize>,
    /// Another exercise whose file was just saved, which `s` switches to.
    switch_offer: Option<usize>,
    /// When the learner last did something on the current exercise (a save, a move to it);
    /// the time until their next save is working time.
    active_since: Instant,
}

/// What the body says about the current exercise, and the banner above it.
#[derive(Default)]
struct Said {
    verdict: Option<Verdict>,
    /// Why there is no verdict: a missing file, a grader failure.
    problem: Option<String>,
    banner: Option<String>,
}

struct App {
    ws: Arc<Workspace>,
    toolchain: Arc<Toolchain>,
    /// What `e` opens the exercise with.
    editor: Option<Editor>,
    tx: Sender<Event>,
    /// Progress as last read, read again after every write of this session's and before
    /// every key is handled, rather than on every frame.
    progress: State,
    place: Place,
    said: Said,
    grading: Scheduler,
    advice: AdviceSchedule,
    display: Display,
    /// The mock interview round under way (`backlings interview`), if any.
    round: Option<Round>,
}

impl App {
    fn new(
        ws: Arc<Workspace>,
        toolchain: Arc<Toolchain>,
        poll: bool,
        editor: Option<Editor>,
        tx: Sender<Event>,
    ) -> Result<App> {
        let progress = ws.state()?;
        let current = ws
            .current_exercise(&progress)
            .and_then(|ex| ws.course().index_of(&ex.name));
        let revisiting = current.is_some_and(|i| progress.is_done(&ws.course().exercises[i].name));
        Ok(App {
            said: Said {
                banner: (!ws.notices().is_empty()).then(|| ws.notices().join("\n")),
                ..Said::default()
            },
            ws,
            toolchain,
            editor,
            tx,
            progress,
            place: Place {
                current,
                revisiting,
                last_passed: None,
                switch_offer: None,
                active_since: Instant::now(),
            },
            grading: Scheduler::default(),
            advice: AdviceSchedule::default(),
            display: Display {
                theme: Theme::stdout(),
                painter: Painter::new(),
                poll,
                view: View::Exercise,
                scroll: 0,
                max_scroll: 0,
            },
            round: None,
        })
    }

    fn exercise(&self) -> Option<&Exercise> {
        self.place.current.map(|i| &self.ws.course().exercises[i])
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
                Event::Key(Key::Char('q')) if !self.display.typing() => break,
                Event::Key(key) => self.on_key(key),
                Event::Resized => Ok(()),
                Event::Notice(message) => {
                    self.said.banner = Some(message);
                    Ok(())
                }
                Event::Tick => {
                    if self
                        .round
                        .as_ref()
                        .is_some_and(|r| !r.is_over() && r.time_is_up())
                    {
                        self.end_round();
                    }
                    Ok(())
                }
                Event::Advice(index, lints) => {
                    self.on_advice(index, lints);
                    Ok(())
                }
                Event::Read(read, result) => {
                    self.on_read(read, result);
                    Ok(())
                }
                Event::Graded(seq, result) => self.on_graded(seq, *result),
                Event::WatchError(e) => {
                    self.said.problem = Some(format!("the file watcher failed: {e}"));
                    Ok(())
                }
            };
            if let Err(e) = handled {
                self.said.banner = Some(format!("{} {e:#}", self.display.theme.bad.apply_to("!")));
            }
        }
        // Nothing on screen would be true any more: no grade runs, no key works.
        self.display.painter.clear()?;
        Ok(())
    }

    /// Reads progress again, after a write; on failure, the last progress read stays, with a
    /// banner saying why.
    fn refresh_progress(&mut self) {
        match self.ws.state() {
            Ok(state) => self.progress = state,
            Err(e) => {
                self.said.banner = Some(format!(
                    "{} progress could not be read, so what is shown may be stale: {e:#}",
                    self.display.theme.bad.apply_to("!")
                ));
            }
        }
    }

    fn on_file_changed(&mut self, path: &Path) {
        let Some(ex) = self.exercise() else { return };
        if same_file(path, &self.ws.exercise_path(ex)) {
            // The learner is working on this exercise: what was said about the previous one,
            // or about the editor, is stale now.
            self.said.banner = None;
            self.place.last_passed = None;
            self.place.switch_offer = None;
            self.grade(false);
            return;
        }
        let course = self.ws.course();
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
        self.said.banner = Some(format!(
            "You saved {}, which is not the exercise shown ({shown}): press {} to switch to {}.",
            saved.shown_path(),
            self.display.theme.key.apply_to("s"),
            saved.name
        ));
        self.place.switch_offer = Some(other);
    }

    fn on_key(&mut self, key: Key) -> Result<()> {
        // Another terminal may have changed progress (`backlings run`, `backlings hint`);
        // what a key does and shows is decided on progress as it is now.
        self.refresh_progress();
        if let View::List(list) = &mut self.display.view {
            match list.on_key(&key, self.ws.course(), &self.progress) {
                list::Action::Stay => {}
                list::Action::Close => self.display.show(View::Exercise),
                list::Action::Jump(index) => self.jump_to(index)?,
                list::Action::Reset(index) => {
                    let notice = reset_notice(&self.ws, index)?;
                    self.refresh_progress();
                    if let View::List(list) = &mut self.display.view {
                        list.notice = Some(notice);
                    }
                }
            }
            return Ok(());
        }
        if self.scrolled(&key) {
            return Ok(());
        }
        let screen = match (&self.display.view, self.place.current) {
            (View::Compare(..), _) => keys::Screen::Compare,
            (View::Debrief(..), _) => keys::Screen::Debrief,
            (View::Scorecard(..), _) => keys::Screen::Scorecard,
            (_, None) => keys::Screen::Finished,
            _ => keys::Screen::Exercise,
        };
        let action = keys::action(screen, &key);
        if self.round.is_some() && !action.is_some_and(Action::works_in_a_round) {
            if action.is_some() {
                self.said.banner = Some(format!(
                    "In a mock interview, {}, {} and {} work; {} ends the round without a \
                     scorecard.",
                    self.display.theme.key.apply_to("h"),
                    self.display.theme.key.apply_to("e"),
                    self.display.theme.key.apply_to("r"),
                    self.display.theme.key.apply_to("q")
                ));
            }
            return Ok(());
        }
        match action {
            Some(Action::Back) => self.display.show(View::Exercise),
            Some(Action::Compare) => self.compare(),
            Some(Action::Debrief) => self.debrief(),
            Some(Action::Switch) => {
                if let Some(index) = self.place.switch_offer.take() {
                    self.jump_to(index)?;
                }
            }
            Some(Action::List) => {
                let selected = self.place.current.or(self.place.last_passed).unwrap_or(0);
                self.display.show(View::List(ListView::new(selected)));
            }
            Some(Action::Hint) => self.reveal_hint()?,
            Some(Action::Edit) => self.edit(),
            Some(Action::Regrade) => self.grade(true),
            Some(Action::Next) => self.skip()?,
            // The loop quits before keys reach here.
            Some(Action::Quit) | None => {}
        }
        Ok(())
    }

    /// Scrolls the body if `key` is a scrolling key; says whether it was one.
    fn scrolled(&mut self, key: &Key) -> bool {
        let display = &mut self.display;
        let page = (display.painter.size().0 / 2).max(1);
        display.scroll = match key {
            Key::ArrowUp | Key::Char('k') => display.scroll.saturating_sub(1),
            Key::ArrowDown | Key::Char('j') => display.scroll + 1,
            Key::PageUp => display.scroll.saturating_sub(page),
            Key::PageDown | Key::Char(' ') => display.scroll + page,
            Key::Home => 0,
            Key::End => display.max_scroll,
            _ => return false,
        }
        .min(display.max_scroll);
        true
    }

    /// `c`: the learner's file against the reference solution, if there is a pass to compare.
    fn compare(&mut self) {
        match (self.comparable(), self.exercise()) {
            (Some(index), _) => {
                if self.advice.wanted_now(index) {
                    self.ask_clippy(index);
                }
                let ex = &self.ws.course().exercises[index];
                let diff = session::comparison(&self.ws, ex)
                    .map(|both| render_comparison(&self.ws, ex, &both, &self.display.theme))
                    .unwrap_or_else(|e| format!("{e:#}"));
                self.display.show(View::Compare(index, diff));
            }
            (None, Some(ex)) => {
                self.said.banner = Some(format!(
                    "{} has not passed yet: {} compares your file with the reference \
                     solution once it does.",
                    ex.name,
                    self.display.theme.key.apply_to("c")
                ));
            }
            (None, None) => {}
        }
    }

    /// Ends the mock interview round: its scorecard is shown and kept in the progress.
    fn end_round(&mut self) {
        let Some(round) = &mut self.round else { return };
        let ex = self.ws.course().exercises[round.exercise].clone();
        let record = round.end(&ex);
        let theme = &self.display.theme;
        let debrief = self
            .ws
            .course()
            .debrief(&ex)
            .ok()
            .flatten()
            .map(|d| render_markdown(&d, theme));
        let text = interview::scorecard(&record, &ex, debrief.as_deref(), theme);
        if let Err(e) = self.ws.record_interview(record) {
            self.said.banner = Some(format!("{} {e:#}", theme.bad.apply_to("!")));
        }
        self.refresh_progress();
        self.display.show(View::Scorecard(text));
    }

    /// After a pass: where to read what an interviewer asks next, if the course says.
    fn debrief_offer(&self, ex: &Exercise) -> Option<String> {
        self.ws.course().has_debrief(ex).then(|| {
            format!(
                "\nPress {} for the debrief: what an interviewer asks once the code works.",
                self.display.theme.key.apply_to("d")
            )
        })
    }

    /// `d`: the debrief of the exercise that just passed, if the course has one.
    fn debrief(&mut self) {
        match (self.debrief_text(), self.exercise()) {
            (Some(markdown), _) => {
                let text = render_markdown(&markdown, &self.display.theme);
                self.display.show(View::Debrief(text));
            }
            (None, Some(ex)) if self.comparable().is_none() => {
                self.said.banner = Some(format!(
                    "{} has not passed yet: {} shows its debrief once it does.",
                    ex.name,
                    self.display.theme.key.apply_to("d")
                ));
            }
            _ => {}
        }
    }

    /// The debrief `d` shows: of the exercise `c` compares, if the course has one.
    fn debrief_text(&self) -> Option<std::borrow::Cow<'static, str>> {
        let ex = &self.ws.course().exercises[self.comparable()?];
        self.ws.course().debrief(ex).ok().flatten()
    }

    /// The exercise `c` compares: the one that just passed (until the learner works on the
    /// next), else the current one if done.
    fn comparable(&self) -> Option<usize> {
        self.place.last_passed.or(self
            .place
            .current
            .filter(|&i| self.progress.is_done(&self.ws.course().exercises[i].name)))
    }

    /// Starts clippy on exercise `index` in the background.
    fn ask_clippy(&mut self, index: usize) {
        self.advice.asked();
        let (ws, toolchain, tx) = (self.ws.clone(), self.toolchain.clone(), self.tx.clone());
        thread::spawn(move || {
            let ex = &ws.course().exercises[index];
            // Advice is optional: if clippy cannot run, there is none.
            let lints = session::advice(&ws, &toolchain, ex).unwrap_or(Some(Vec::new()));
            let _ = tx.send(Event::Advice(index, lints));
        });
    }

    fn on_advice(&mut self, index: usize, lints: Lints) {
        let count = lints.as_ref().map_or(0, Vec::len);
        let note = (count > 0 && self.place.last_passed == Some(index)).then(|| {
            format!(
                "\n  clippy has {count} suggestion{} on your {}: press {} to see {}",
                if count == 1 { "" } else { "s" },
                self.ws.course().exercises[index].name,
                self.display.theme.key.apply_to("c"),
                if count == 1 { "it" } else { "them" }
            )
        });
        // Right under the "passed" line it is about.
        if let (Some(banner), Some(note)) = (&mut self.said.banner, note) {
            let end_of_first_line = banner.find('\n').unwrap_or(banner.len());
            banner.insert_str(end_of_first_line, &note);
        }
        self.advice.received(index, lints);
    }

    /// `e`: opens the current exercise in the learner's editor.
    fn edit(&mut self) {
        let Some(ex) = self.exercise() else { return };
        let file = self.ws.exercise_path(ex);
        let Some(editor) = &mut self.editor else {
            self.said.banner = Some(editor::NO_EDITOR.to_string());
            return;
        };
        self.said.banner = Some(match editor.open(&file) {
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
        self.said.banner = None;
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
        let read = self.grading.want_read(force);
        let (ws, tx) = (self.ws.clone(), self.tx.clone());
        thread::spawn(move || {
            let read_result = ws
                .read_exercise(&ex)
                .map(|bytes| crate::files::fingerprint(&bytes))
                .map_err(|e| format!("{e:#}"));
            let _ = tx.send(Event::Read(read, read_result));
        });
    }

    /// Grades the content just read, as the scheduler says.
    fn on_read(&mut self, read: u64, result: std::result::Result<u64, String>) {
        let Some(ex) = self.exercise().cloned() else {
            return;
        };
        let hash = match result {
            Ok(hash) => hash,
            Err(problem) => {
                if self.grading.read_failed(read) {
                    self.said.problem = Some(problem);
                }
                return;
            }
        };
        match self.grading.read_done(read, hash) {
            AfterRead::Start { seq, cancel } => {
                let (ws, toolchain, tx) =
                    (self.ws.clone(), self.toolchain.clone(), self.tx.clone());
                thread::spawn(move || {
                    let result = session::grade(&ws, &toolchain, &ex, None, &cancel);
                    let _ = tx.send(Event::Graded(seq, Box::new(result)));
                });
            }
            // Back to the content of the last verdict (say, renamed away and back): show it.
            AfterRead::Unchanged => self.said.problem = None,
            AfterRead::Stale | AfterRead::Cancelled | AfterRead::AlreadyGrading => {}
        }
    }

    fn on_graded(
        &mut self,
        seq: u64,
        result: std::result::Result<Verdict, Cancelled>,
    ) -> Result<()> {
        if self.round.as_ref().is_some_and(Round::is_over) {
            // The scorecard is out: later saves change nothing of the round.
            return Ok(());
        }
        match self.grading.grade_done(seq) {
            AfterGrade::Stale => return Ok(()),
            AfterGrade::Restart => {
                self.grade(true);
                return Ok(());
            }
            AfterGrade::Deliver => {}
        }
        let verdict = match result {
            Ok(Verdict {
                outcome: Outcome::NotGraded { reason },
                ..
            }) => {
                self.said.problem = Some(reason);
                return Ok(());
            }
            Ok(verdict) => verdict,
            Err(Cancelled) => return Ok(()),
        };
        if let Some(index) = self.advice.verdict_in() {
            self.ask_clippy(index);
        }
        self.said.problem = None;
        self.display.scroll = 0;
        let content = self
            .grading
            .shown()
            .expect("a delivered grade is of hashed content");
        let ex = self
            .exercise()
            .cloned()
            .expect("a grade runs only for an exercise");
        let now = Instant::now();
        let spent = now.duration_since(self.place.active_since).min(IDLE_CAP);
        self.place.active_since = now;
        let recorded = self
            .ws
            .record(&ex, verdict.passed(), Counted::Attempt { content, spent });
        self.refresh_progress();
        if let Some(round) = &mut self.round
            && round.on_verdict(&verdict, content)
        {
            self.said.verdict = Some(verdict);
            self.end_round();
            return recorded.map(drop);
        }
        if !verdict.passed() {
            self.said.verdict = Some(verdict);
            return recorded.map(drop);
        }
        if self.place.revisiting {
            // A refactor, another design: the learner stays until they press n.
            self.place.last_passed = self.ws.course().index_of(&ex.name);
            let offer = self.debrief_offer(&ex).unwrap_or_default();
            self.said.banner = Some(format!(
                "{} {} passes, as before. Press {} to compare it with the reference solution, {} \
                 for the next exercise.{offer}",
                self.display.theme.good.apply_to("✓"),
                ex.name,
                self.display.theme.key.apply_to("c"),
                self.display.theme.key.apply_to("n")
            ));
            self.said.verdict = Some(verdict);
            return recorded.map(drop);
        }
        let next = match recorded {
            Ok(next) => next,
            Err(e) => {
                // The pass shows; only the progress could not be written.
                self.said.verdict = Some(verdict);
                return Err(e.context("this pass could not be recorded; save again to retry"));
            }
        };
        self.on_first_pass(&ex, &verdict, next);
        Ok(())
    }

    /// Says that `ex` passed for the first time, and moves on to `next`, if any.
    fn on_first_pass(&mut self, ex: &Exercise, verdict: &Verdict, next: Option<String>) {
        let theme = &self.display.theme;
        self.place.last_passed = self.ws.course().index_of(&ex.name);
        let mut banner = format!(
            "{} {} passed. Press {} to compare your file with the reference solution: {}",
            theme.good.apply_to("✓"),
            ex.name,
            theme.key.apply_to("c"),
            link(
                &course::shown(&ex.solution_rel_path()),
                &self.ws.solution_path(ex)
            )
        );
        if let Some(offer) = self.debrief_offer(ex) {
            banner.push_str(&offer);
        }
        // The verdict is not shown after a pass, so the learner's own failing tests are
        // mentioned here or never.
        if let Some(own) = verdict.own_tests.as_ref().filter(|o| !o.passed()) {
            banner.push_str(&format!(
                "\n{} {} (`backlings run {}` shows them)",
                theme.heading.apply_to("Your tests:"),
                own.headline(),
                ex.name
            ));
        }
        match next.as_deref().and_then(|n| self.ws.course().index_of(n)) {
            Some(i) => {
                let next = &self.ws.course().exercises[i];
                banner.push_str(&format!(
                    "\n{} {}  {}",
                    theme.heading.apply_to("Next:"),
                    next.name,
                    link(&next.shown_path(), &self.ws.exercise_path(next))
                ));
                self.move_to(Some(i));
                if let Some(passed) = self.place.last_passed {
                    self.advice.after_next_verdict(passed);
                }
            }
            None => {
                self.move_to(None);
                if let Some(index) = self.place.last_passed {
                    self.ask_clippy(index);
                }
            }
        }
        self.said.banner = Some(banner);
    }

    fn move_to(&mut self, index: Option<usize>) {
        self.grading.forget();
        self.place.current = index;
        self.refresh_progress();
        self.place.revisiting = self
            .exercise()
            .is_some_and(|ex| self.progress.is_done(&ex.name));
        self.place.active_since = Instant::now();
        self.said.verdict = None;
        self.said.problem = None;
        self.display.show(View::Exercise);
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
                self.said.banner = None;
                self.move_to(Some(i));
            }
            None => self.said.banner = Some("No other exercise is pending.".to_string()),
        }
        Ok(())
    }

    fn reveal_hint(&mut self) -> Result<()> {
        let Some(ex) = self.exercise().cloned() else {
            return Ok(());
        };
        if let Some(round) = &mut self.round {
            // The round shows only its own hints; the progress counts a hint once.
            round.hints = (round.hints + 1).min(ex.hints.len());
            if round.hints
                <= self
                    .progress
                    .exercises
                    .get(&ex.name)
                    .map_or(0, |e| e.hints_shown)
            {
                return Ok(());
            }
        }
        let revealed = self.ws.reveal_hint(&ex);
        self.refresh_progress();
        revealed.map(drop)
    }

    /// Builds the frame for the state of the session, then paints it.
    fn draw(&mut self) -> Result<()> {
        let (rows, cols) = self.display.painter.size();
        let screen = {
            let texts = self.frame_texts(cols);
            let frame = self.frame(&texts);
            screen::render(&frame, &self.display.theme, rows, cols)
        };
        self.display.max_scroll = screen.max_scroll;
        self.display.painter.paint(&screen)?;
        Ok(())
    }

    /// The text a frame shows that is made for it.
    fn frame_texts(&self, cols: usize) -> FrameTexts<'_> {
        let (course, theme) = (self.ws.course(), &self.display.theme);
        match (&self.display.view, self.exercise()) {
            (View::List(list), _) => FrameTexts::List {
                rendered: list.render(course, &self.progress, theme, cols),
                typing: list.takes_text(),
            },
            (View::Compare(index, diff), _) => {
                let advice = match self.advice.on(*index) {
                    Some(lints) => render_advice(lints.as_deref(), theme),
                    None => format!("{}\n", theme.dim.apply_to("clippy is reading your code…")),
                };
                FrameTexts::Reading(format!("{diff}\n{advice}"), keys::Screen::Compare)
            }
            (View::Debrief(text), _) => FrameTexts::Reading(text.clone(), keys::Screen::Debrief),
            (View::Scorecard(text), _) => {
                FrameTexts::Reading(text.clone(), keys::Screen::Scorecard)
            }
            (View::Exercise, None) => FrameTexts::Finished(format!(
                "{}\n\n{}\n\n{}",
                theme.good.apply_to("✓ Course complete!"),
                course.final_message.trim(),
                render_stats(course, &self.progress, theme, Scope::Summary)
            )),
            (View::Exercise, Some(ex)) => {
                let shown = match &self.round {
                    Some(round) => round.hints,
                    None => self
                        .progress
                        .exercises
                        .get(&ex.name)
                        .map_or(0, |e| e.hints_shown),
                };
                FrameTexts::Exercise {
                    ex,
                    hints: render_hints(ex, shown, theme),
                    hints_left: ex.hints.len().saturating_sub(shown),
                    rel_path: ex.shown_path(),
                    abs_path: self.ws.exercise_path(ex),
                }
            }
        }
    }

    fn frame<'a>(&'a self, texts: &'a FrameTexts<'a>) -> Frame<'a> {
        let course = self.ws.course();
        let can_compare = self.comparable().is_some();
        // Drawn on every frame: whether the file is there, not what it says.
        let can_debrief = self
            .comparable()
            .is_some_and(|i| course.has_debrief(&course.exercises[i]));
        let body = match texts {
            FrameTexts::List { rendered, typing } => Body::List {
                text: &rendered.text,
                focus: rendered.focus,
                keys: &rendered.keys,
                typing: *typing,
            },
            FrameTexts::Reading(text, screen) => Body::Reading(text, *screen),
            FrameTexts::Finished(summary) => Body::Finished {
                summary,
                can_compare,
                can_debrief,
            },
            FrameTexts::Exercise {
                ex,
                hints,
                hints_left,
                rel_path,
                abs_path,
            } => Body::Exercise {
                name: &ex.name,
                rel_path,
                abs_path,
                summary: &ex.summary,
                grading: self.grading.grading(),
                verdict: self.said.verdict.as_ref(),
                problem: self.said.problem.as_deref(),
                hints,
                hints_left: *hints_left,
                can_compare,
                can_debrief,
                in_round: self.round.is_some(),
                switch_to: self
                    .place
                    .switch_offer
                    .map(|i| course.exercises[i].name.as_str()),
            },
        };
        Frame {
            done: self.ws.done_count(&self.progress),
            total: course.exercises.len(),
            body,
            banner: self.said.banner.as_deref(),
            poll_notice: !self.display.poll,
            clock: self
                .round
                .as_ref()
                .filter(|r| !r.is_over())
                .map(Round::clock),
            scroll: self.display.scroll,
        }
    }
}

/// The text of a frame that is made for it rather than kept in the session.
enum FrameTexts<'a> {
    List {
        rendered: list::Rendered,
        typing: bool,
    },
    /// A page to read, with the screen whose keys it takes.
    Reading(String, keys::Screen),
    Finished(String),
    Exercise {
        ex: &'a Exercise,
        hints: String,
        hints_left: usize,
        rel_path: String,
        abs_path: PathBuf,
    },
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
