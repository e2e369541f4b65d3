//! How backlings ends, asked to stop (Ctrl-C, SIGTERM, SIGHUP, the console closing) or done
//! with a command that left work running on other threads (watch mode quit mid-grade): the
//! terminal given back, every process tree it started ended, every temporary directory
//! removed.

use crate::{platform, temp, terminal};

/// The exit status of a program stopped by Ctrl-C, as shells report it.
const INTERRUPTED: i32 = 130;

/// Makes a request to stop end backlings as [`leave_nothing_behind`] does. Call once, first
/// thing.
pub fn cleanly_when_asked() {
    // Fails only if a handler is set already, which leaves the default behaviour.
    let _ = ctrlc::set_handler(|| {
        terminal::restore();
        leave_nothing_behind();
        #[expect(
            clippy::exit,
            reason = "a stop request ends the process from any state"
        )]
        std::process::exit(INTERRUPTED);
    });
}

/// Ends every process tree still running and removes every temporary directory, for a
/// process about to exit without unwinding the threads that made them.
pub fn leave_nothing_behind() {
    platform::end_all_trees();
    temp::remove_all();
}
