//! The terminal is borrowed, and given back: one guard owns raw mode and the hidden cursor
//! for as long as a screen is up, and restores both when it is dropped, when the program
//! panics, and when it is asked to stop (Ctrl-C, SIGTERM, SIGHUP, the console closing).

use std::io::Write as _;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use crossterm::{cursor, terminal};

/// Whether a [`Borrowed`] holds the terminal now.
static BORROWED: AtomicBool = AtomicBool::new(false);

/// The exit status of a program stopped by Ctrl-C, as shells report it.
const INTERRUPTED: i32 = 130;

/// Makes a request to stop give the terminal back and end every process tree still running
/// before backlings exits. Call once, first thing.
pub fn stop_cleanly_when_asked() {
    // Fails only if a handler is set already, which leaves the default behaviour.
    let _ = ctrlc::set_handler(|| {
        restore();
        crate::platform::end_all_trees();
        #[expect(
            clippy::exit,
            reason = "a stop request ends the process from any state"
        )]
        std::process::exit(INTERRUPTED);
    });
}

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
fn restore() {
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
