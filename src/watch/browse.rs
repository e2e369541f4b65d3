//! `backlings list` on a terminal: the exercise list as a screen of its own, outside watch
//! mode, and the reset both share.

use std::process::ExitCode;
use std::sync::mpsc;

use anyhow::Result;

use super::events::{self, Event, Key};
use super::list::{self, ListView};
use super::screen::{self, Body, Frame};
use crate::terminal;
use crate::ui::{Theme, link, outln};
use crate::workspace::Workspace;

/// `backlings list` on a terminal: the interactive list on its own. Enter makes the chosen
/// exercise the current one, which watch mode opens next.
pub fn browse() -> Result<ExitCode> {
    let ws = crate::session::open().map(crate::ui::announced)?;
    let (tx, rx) = mpsc::channel();
    let terminal = terminal::Borrowed::take()?;
    events::read_terminal(tx);
    let state = ws.state()?;
    let selected = state
        .current
        .as_deref()
        .and_then(|n| ws.course().index_of(n));
    let mut list = ListView::on_its_own(selected.unwrap_or(0));
    let theme = Theme::stdout();
    let mut painter = screen::Painter::new();
    let chosen = loop {
        let state = ws.state()?;
        let (rows, cols) = painter.size();
        let listed = list.render(ws.course(), &state, &theme, cols);
        let frame = Frame {
            done: ws.done_count(&state),
            total: ws.course().exercises.len(),
            body: Body::List {
                text: &listed.text,
                focus: listed.focus,
                keys: &listed.keys,
                typing: list.takes_text(),
            },
            banner: None,
            poll_notice: false,
            clock: None,
            scroll: 0,
        };
        painter.paint(&screen::render(&frame, &theme, rows, cols))?;
        let Ok(event) = rx.recv() else { break None };
        let key = match event {
            Event::Key(Key::CtrlC) => break None,
            Event::Key(Key::Char('q')) if !list.takes_text() => break None,
            Event::Key(key) => key,
            _ => continue,
        };
        match list.on_key(&key, ws.course(), &state) {
            list::Action::Stay => {}
            list::Action::Close => break None,
            list::Action::Jump(index) => break Some(index),
            list::Action::Reset(index) => list.notice = Some(reset_notice(&ws, index)?),
        }
    };
    let _ = painter.clear();
    drop(terminal);
    if let Some(index) = chosen {
        let ex = &ws.course().exercises[index];
        ws.set_current(ex)?;
        outln!(
            "Current exercise: {} {}\nRun `backlings` to work on it.",
            ex.name,
            link(&ex.shown_path(), &ws.exercise_path(ex))
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Restores the stub of exercise `index` and says where the learner's version went.
pub(super) fn reset_notice(ws: &Workspace, index: usize) -> Result<String> {
    let ex = &ws.course().exercises[index];
    let backup = ws.reset(ex)?;
    Ok(match backup {
        Some(backup) => {
            let shown = backup.strip_prefix(ws.root()).unwrap_or(&backup);
            format!(
                "Restored {}; your previous version is at {}",
                ex.shown_path(),
                link(&shown.display().to_string(), &backup)
            )
        }
        None => format!("Restored {}", ex.shown_path()),
    })
}
