//! Colours and clickable paths, honouring `NO_COLOR` and plain output off a terminal.

use std::path::Path;

use console::{Style, Term};

use crate::state::State;

/// Per no-color.org an empty `NO_COLOR` asks for nothing, yet the terminal crates read any value
/// as "no colour": so an empty one is dropped. Call first thing in `main`.
pub fn ignore_empty_no_color() {
    if std::env::var_os("NO_COLOR").is_some_and(|value| value.is_empty()) {
        // SAFETY: called before any other thread exists, so nothing reads the environment
        // while it changes.
        unsafe { std::env::remove_var("NO_COLOR") }
    }
}

/// Styles for one output stream; every style is plain when colours are off.
pub struct Theme {
    pub heading: Style,
    pub good: Style,
    pub bad: Style,
    pub warn: Style,
    pub dim: Style,
    pub key: Style,
}

impl Theme {
    pub fn stdout() -> Theme {
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            console::set_colors_enabled(false);
            console::set_colors_enabled_stderr(false);
        }
        Theme {
            heading: Style::new().bold(),
            good: Style::new().green().bold(),
            bad: Style::new().red().bold(),
            warn: Style::new().yellow(),
            dim: Style::new().dim(),
            key: Style::new().cyan().bold(),
        }
    }
}

impl Theme {
    /// How `state` describes exercise `name` in lists, padded to one width, with its style.
    pub fn status(&self, state: &State, name: &str) -> (&'static str, &Style) {
        if state.is_done(name) {
            ("done   ", &self.good)
        } else if state.current.as_deref() == Some(name) {
            ("current", &self.key)
        } else {
            ("pending", &self.dim)
        }
    }

    /// Colourless styles, for tests that compare rendered text.
    #[cfg(test)]
    pub fn plain() -> Theme {
        console::set_colors_enabled(false);
        Theme::stdout()
    }
}

/// `shown` as an OSC 8 hyperlink to `target` where the terminal renders them.
pub fn link(shown: &str, target: &Path) -> String {
    if !hyperlinks_supported() {
        return shown.to_string();
    }
    let url = crate::platform::file_url(target);
    format!("\x1b]8;;{url}\x1b\\{shown}\x1b]8;;\x1b\\")
}

/// [`link`], then spaces up to `width` columns, for a table column of paths.
pub fn link_padded(shown: &str, target: &Path, width: usize) -> String {
    let padding = width.saturating_sub(console::measure_text_width(shown));
    format!("{}{}", link(shown, target), " ".repeat(padding))
}

fn hyperlinks_supported() -> bool {
    let term = Term::stdout();
    term.is_term()
        && console::colors_enabled()
        && crate::platform::terminal_may_show_links()
        && std::env::var("TERM").map_or(true, |t| t != "dumb" && !t.starts_with("linux"))
}
