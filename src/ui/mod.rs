//! Everything the learner sees: styled text, clickable paths, verdicts, lists, JSON and JUnit XML.
//! Nothing here knows how grading works; it only renders what the grader returned.

mod advice;
mod diff;
mod exercise;
pub mod json;
pub mod junit;
mod markdown;
mod stats;
mod style;
mod verdict;

pub use advice::render_advice;
pub use diff::render_diff;
pub use exercise::{
    announced, column_widths, render_comparison, render_hints, render_list, render_welcome,
};
pub use markdown::render_markdown;
pub use stats::{Scope, clock_text, render_stats};
pub use style::{Theme, ignore_empty_no_color, link, link_padded};
pub use verdict::{Detail, render_verdict};

/// `print!` that returns the write error instead of panicking, so that `backlings … | head`
/// ends quietly: `main` takes a broken pipe for a reader that has seen enough.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($arg)*)
    }};
}

/// `println!` that returns the write error; see [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)
    }};
}

pub(crate) use {out, outln};

/// A progress bar on standard error, or a hidden one where it could not redraw itself: off a
/// terminal, or on one that cannot move the cursor (`TERM=dumb`).
pub fn progress_bar(doing: &str, len: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() || !crate::terminal::can_redraw() {
        return indicatif::ProgressBar::hidden();
    }
    indicatif::ProgressBar::new(len as u64).with_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {doing} [{{bar:30}}] {{pos}}/{{len}}"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    )
}

/// Whether `err` comes from writing to a reader that went away (`backlings list | head -1`).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
