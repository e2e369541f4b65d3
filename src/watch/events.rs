//! The sources of watch-mode events: saves of exercise files and key presses.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{Config, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

/// How often `--poll` looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(300);

pub enum Event {
    /// An exercise file was written, replaced or removed.
    FileChanged(PathBuf),
    Key(Key),
    /// The exercise file read for the request with this sequence number: the fingerprint
    /// of its content, or why it cannot be graded.
    Read(u64, std::result::Result<u64, String>),
    /// A grade started with this sequence number finished.
    Graded(
        u64,
        Box<std::result::Result<crate::grader::Verdict, crate::grader::Cancelled>>,
    ),
    /// The watcher itself failed (e.g. too many inotify watches).
    WatchError(String),
    /// The terminal changed size.
    Resized,
    /// clippy's advice on an exercise (by index) that passed; `None` without clippy.
    Advice(usize, Option<Vec<String>>),
    /// Something to tell the learner that happened away from the loop (an editor failed).
    Notice(String),
    /// A second went by: a mock interview's clock moves.
    Tick,
}

/// Watches `dir` recursively and sends `FileChanged` for every `.rs` file touched.
/// Keep the returned watcher alive for as long as events are wanted.
pub fn watch_files(dir: &Path, poll: bool, tx: Sender<Event>) -> Result<Box<dyn Watcher + Send>> {
    let handler = move |res: notify::Result<notify::Event>| match res {
        Ok(event) => {
            if !is_content_change(&event.kind) {
                return;
            }
            for path in event.paths {
                if path.extension().is_some_and(|e| e == "rs") {
                    let _ = tx.send(Event::FileChanged(path));
                }
            }
        }
        Err(e) => {
            let _ = tx.send(Event::WatchError(e.to_string()));
        }
    };
    let mut watcher: Box<dyn Watcher + Send> = if poll {
        let config = Config::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        Box::new(PollWatcher::new(handler, config).context("starting the polling file watcher")?)
    } else {
        Box::new(
            RecommendedWatcher::new(handler, Config::default())
                .context("starting the file watcher")?,
        )
    };
    watcher
        .watch(dir, RecursiveMode::Recursive)
        .with_context(|| format!("watching {}", dir.display()))?;
    Ok(watcher)
}

/// Writes in place, truncate-and-write, and a temp file renamed over the target all show up
/// as create, modify or remove; reads and opens do not.
fn is_content_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// The keys watch mode and the list act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Escape,
    Backspace,
    ArrowUp,
    ArrowDown,
    Home,
    End,
    PageUp,
    PageDown,
    CtrlC,
    Other,
}

/// Reads key presses and terminal resizes on a thread of its own until the receiver is
/// gone. Needs raw mode (see [`crate::terminal`]) to get keys as they are typed.
pub fn read_terminal(tx: Sender<Event>) {
    thread::spawn(move || {
        loop {
            let event = match crossterm::event::read() {
                Ok(TermEvent::Key(key)) if is_press(&key) => Event::Key(key_of(key)),
                Ok(TermEvent::Resize(..)) => Event::Resized,
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            if tx.send(event).is_err() {
                break;
            }
        }
    });
}

/// Waits on the welcome screen: `true` to start (Enter, Space), `false` to quit (q, Esc,
/// Ctrl-C, or no terminal left to read).
pub fn wait_for_start() -> bool {
    while let Ok(event) = crossterm::event::read() {
        let TermEvent::Key(key) = event else { continue };
        if !is_press(&key) {
            continue;
        }
        match key_of(key) {
            Key::Enter | Key::Char(' ') => return true,
            Key::CtrlC | Key::Escape | Key::Char('q') => return false,
            _ => {}
        }
    }
    false
}

/// A key going down or repeating; Windows also reports each key going up.
fn is_press(key: &KeyEvent) -> bool {
    key.kind != KeyEventKind::Release
}

fn key_of(key: KeyEvent) -> Key {
    match key.code {
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Key::CtrlC,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Escape,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Up => Key::ArrowUp,
        KeyCode::Down => Key::ArrowDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        _ => Key::Other,
    }
}
