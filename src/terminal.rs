//! The terminal is borrowed, and given back: one guard owns raw mode and the hidden cursor
//! for as long as a screen is up, and restores both when it is dropped, when the program
//! panics, and when backlings is asked to stop (see `stop`).

use std::io::Write as _;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use crossterm::{cursor, terminal};

/// Whether a [`Borrowed`] holds the terminal now.
static BORROWED: AtomicBool = AtomicBool::new(false);

/// Whether the terminal understands cursor movement and clearing; `TERM=dumb` (Emacs' shell,
/// some IDE consoles) shows escape sequences as text instead.
pub fn can_redraw() -> bool {
    std::env::var_os("TERM").is_none_or(|term| term != "dumb")
}

/// Holds the terminal in raw mode with the cursor hidden until dropped.
pub struct Borrowed(());

impl Borrowed {
    pub fn take() -> Result<Borrowed> {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        terminal::enable_raw_mode().context("putting the terminal in raw mode")?;
        BORROWED.store(true, Ordering::SeqCst);
        if can_redraw() {
            let _ = crossterm::execute!(std::io::stdout(), cursor::Hide);
        }
        Ok(Borrowed(()))
    }
}

impl Drop for Borrowed {
    fn drop(&mut self) {
        restore();
    }
}

/// Gives the terminal back as it was: cooked mode, echo, a visible cursor. Does nothing when
/// nothing is borrowed, so output piped elsewhere gets no escape sequence.
pub fn restore() {
    if !BORROWED.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout();
    if can_redraw() {
        let _ = crossterm::execute!(out, cursor::Show);
    }
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}
