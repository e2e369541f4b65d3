//! Draws the watch screen from a snapshot of the app's state, fitted to the terminal: the
//! header and the key bar stay put, and a body taller than the terminal scrolls.

use std::fmt::Write as _;
use std::path::Path;

use console::{measure_text_width, truncate_str};

use crate::grader::Verdict;
use crate::ui::{Detail, Theme, link, render_verdict};

pub const POLL_NOTICE: &str = "saves not noticed? quit and run `backlings --poll`";

/// Everything one frame shows.
pub struct Frame<'a> {
    pub done: usize,
    pub total: usize,
    pub body: Body<'a>,
    /// A message above the body, e.g. that the previous exercise passed.
    pub banner: Option<&'a str>,
    /// Whether to suggest `--poll` (watch mode without it).
    pub poll_notice: bool,
    /// First body line shown, when the body is taller than the terminal.
    pub scroll: usize,
}

pub enum Body<'a> {
    Exercise {
        name: &'a str,
        rel_path: &'a str,
        abs_path: &'a Path,
        summary: &'a str,
        grading: bool,
        verdict: Option<&'a Verdict>,
        /// Why there is no verdict: a missing file, a grader failure.
        problem: Option<&'a str>,
        hints: &'a str,
        hints_left: usize,
        /// A passed exercise can be compared with the reference solution.
        can_compare: bool,
    },
    /// The exercise list renders itself; `focus` is the body line that must stay visible.
    List {
        text: &'a str,
        focus: usize,
        keys: &'a str,
    },
    Compare(&'a str),
    Finished {
        summary: &'a str,
        can_compare: bool,
    },
}

/// A rendered frame and how far its body can scroll.
pub struct Screen {
    pub text: String,
    pub max_scroll: usize,
}

pub fn render(frame: &Frame, theme: &Theme, rows: usize, cols: usize) -> Screen {
    let mut top = format!(
        "{}  {} {}/{} done\n\n",
        theme.heading.apply_to("backlings"),
        progress_bar(frame.done, frame.total, 20),
        frame.done,
        frame.total
    );
    if let Some(banner) = frame.banner {
        let _ = write!(top, "{banner}\n\n");
    }
    let mut body = String::new();
    let mut focus = None;
    let mut list_keys = None;
    let scroll_key = ("↑↓", "scroll");
    let keys: Vec<(&str, &str)> = match &frame.body {
        Body::Exercise {
            name,
            rel_path,
            abs_path,
            summary,
            grading,
            verdict,
            problem,
            hints,
            hints_left,
            can_compare,
        } => {
            let _ = writeln!(
                body,
                "{}  {}",
                theme.heading.apply_to(name),
                link(rel_path, abs_path)
            );
            let _ = writeln!(body, "{}\n", theme.dim.apply_to(summary));
            if *grading {
                let _ = writeln!(body, "{}", theme.warn.apply_to("⟳ grading…"));
            }
            if let Some(problem) = problem {
                let _ = writeln!(body, "{} {problem}", theme.bad.apply_to("!"));
            } else if let Some(verdict) = verdict {
                body.push_str(&render_verdict(
                    verdict,
                    theme,
                    Detail::Compact { shown: 3 },
                ));
            }
            if !hints.is_empty() {
                let _ = write!(body, "\n{hints}");
            }
            let mut keys = vec![];
            if *hints_left > 0 {
                keys.push(("h", "hint"));
            }
            keys.extend([
                ("e", "edit"),
                ("l", "list"),
                ("n", "next"),
                ("r", "re-grade"),
            ]);
            if *can_compare {
                keys.push(("c", "compare"));
            }
            keys
        }
        Body::List {
            text,
            focus: line,
            keys,
        } => {
            body.push_str(text);
            focus = Some(*line);
            list_keys = Some(*keys);
            vec![]
        }
        Body::Compare(diff) => {
            body.push_str(diff);
            vec![("c", "back")]
        }
        Body::Finished {
            summary,
            can_compare,
        } => {
            body.push_str(summary);
            let mut keys = vec![("l", "list")];
            if *can_compare {
                keys.push(("c", "compare"));
            }
            keys
        }
    };
    let mut keys = keys;
    keys.push(("q", "quit"));
    let bottom = |keys: &[(&str, &str)]| {
        let bar = list_keys
            .into_iter()
            .map(str::to_string)
            .chain(
                keys.iter()
                    .map(|(k, what)| format!("{} {what}", theme.key.apply_to(k))),
            )
            .collect::<Vec<_>>()
            .join(" · ");
        let mut bottom = format!("\n{bar}\n");
        if frame.poll_notice {
            let _ = writeln!(bottom, "{}", theme.dim.apply_to(POLL_NOTICE));
        }
        bottom
    };
    let fitted = fit(
        &top,
        &body,
        &bottom(&keys),
        rows,
        cols,
        frame.scroll,
        focus,
        theme,
    );
    if fitted.max_scroll == 0 || focus.is_some() {
        return fitted;
    }
    // The body overflows: lay it out again with a key bar that says how to scroll it.
    keys.insert(keys.len() - 1, scroll_key);
    fit(
        &top,
        &body,
        &bottom(&keys),
        rows,
        cols,
        frame.scroll,
        focus,
        theme,
    )
}

/// Lays out `top`, as much of `body` as fits from line `scroll` (moved so that line `focus`
/// shows), and `bottom`, in `rows` × `cols`. Long lines wrap, and count as the rows they take.
/// Nothing is written on the last row, where a newline would scroll the whole screen.
#[allow(clippy::too_many_arguments)]
fn fit(
    top: &str,
    body: &str,
    bottom: &str,
    rows: usize,
    cols: usize,
    scroll: usize,
    focus: Option<usize>,
    theme: &Theme,
) -> Screen {
    let cols = cols.max(1);
    let budget = rows.saturating_sub(1).max(1);
    let height = |lines: &[&str]| lines.iter().map(|l| rows_of(l, cols)).sum::<usize>();
    let mut top: Vec<&str> = top.lines().collect();
    let body: Vec<&str> = body.lines().collect();
    let mut bottom: Vec<&str> = bottom.lines().collect();
    if height(&top) + height(&body) + height(&bottom) <= budget {
        return Screen {
            text: lines_within(&[top, body, bottom].concat(), budget, cols),
            max_scroll: 0,
        };
    }
    // A small terminal keeps the first header line and the key bar only.
    if height(&top) + height(&bottom) + 4 > budget {
        top.truncate(1);
        bottom.retain(|l| !l.is_empty());
        bottom.truncate(1);
    }
    let window = budget
        .saturating_sub(height(&top) + height(&bottom) + 1)
        .max(1);
    // The largest scroll that still fills the window.
    let mut max_scroll = body.len();
    let mut used = 0;
    while max_scroll > 0 && used + rows_of(body[max_scroll - 1], cols) <= window {
        used += rows_of(body[max_scroll - 1], cols);
        max_scroll -= 1;
    }
    let mut scroll = scroll.min(max_scroll);
    if let Some(focus) = focus {
        if focus < scroll {
            scroll = focus;
        }
        while scroll < focus && height(&body[scroll..=focus]) > window {
            scroll += 1;
        }
    }
    let mut shown = Vec::new();
    let mut used = 0;
    for line in &body[scroll..] {
        let r = rows_of(line, cols);
        if used + r > window {
            if shown.is_empty() {
                shown.push(*line);
            }
            break;
        }
        used += r;
        shown.push(*line);
    }
    let last = scroll + shown.len();
    let indicator = theme
        .dim
        .apply_to(format!(
            "── lines {}–{last} of {} ──",
            scroll + 1,
            body.len()
        ))
        .to_string();
    let mut all = top;
    all.extend(shown);
    all.push(&indicator);
    all.extend(bottom);
    Screen {
        text: lines_within(&all, budget, cols),
        max_scroll,
    }
}

/// How many terminal rows `line` takes when it wraps at `cols`.
fn rows_of(line: &str, cols: usize) -> usize {
    measure_text_width(line).div_ceil(cols).max(1)
}

/// `lines` joined, cut to `budget` rows; a line taller than what is left is truncated.
fn lines_within(lines: &[&str], budget: usize, cols: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for line in lines {
        let left = budget - used;
        if left == 0 {
            break;
        }
        let r = rows_of(line, cols);
        if r > left {
            out.push_str(&truncate_str(line, left * cols - 1, "…"));
            out.push('\n');
            break;
        }
        used += r;
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0);
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
}

/// Puts screens on the terminal: each replaces the last where the terminal can redraw; where
/// it cannot (`TERM=dumb`), each new one is printed below the last, and repeats are skipped.
pub struct Painter {
    term: console::Term,
    redraws: bool,
    last: String,
}

impl Painter {
    pub fn new() -> Painter {
        Painter {
            term: console::Term::stdout(),
            redraws: crate::terminal::can_redraw(),
            last: String::new(),
        }
    }

    /// The terminal's size as (rows, columns).
    pub fn size(&self) -> (usize, usize) {
        let (rows, cols) = self.term.size();
        (rows as usize, cols as usize)
    }

    pub fn paint(&mut self, screen: &Screen) -> std::io::Result<()> {
        if self.redraws {
            self.term.clear_screen()?;
        } else if screen.text == self.last {
            return Ok(());
        } else {
            self.term.write_str("\r\n")?;
        }
        // Raw mode may be on while a key is awaited, so end lines explicitly.
        self.term.write_str(&screen.text.replace('\n', "\r\n"))?;
        self.last.clone_from(&screen.text);
        self.term.flush()
    }

    /// Leaves an empty screen, where the terminal can redraw.
    pub fn clear(&self) -> std::io::Result<()> {
        if self.redraws {
            self.term.clear_screen()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_bar_fills_in_proportion() {
        assert_eq!(progress_bar(0, 5, 10), "[----------]");
        assert_eq!(progress_bar(3, 5, 10), "[######----]");
        assert_eq!(progress_bar(5, 5, 10), "[##########]");
        assert_eq!(progress_bar(0, 0, 4), "[----]");
    }

    #[test]
    fn a_body_that_fits_is_shown_whole() {
        let s = fit(
            "top\n",
            "a\nb\n",
            "keys\n",
            10,
            20,
            0,
            None,
            &Theme::plain(),
        );
        assert_eq!(s.text, "top\na\nb\nkeys\n");
        assert_eq!(s.max_scroll, 0);
    }

    #[test]
    fn a_tall_body_scrolls_between_fixed_header_and_keys() {
        let body: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let s = fit("top\n", &body, "keys\n", 8, 40, 3, None, &Theme::plain());
        // 7 usable rows: top, 4 body lines, indicator, keys.
        assert_eq!(
            s.text,
            "top\nline 4\nline 5\nline 6\nline 7\n── lines 4–7 of 20 ──\nkeys\n"
        );
        assert_eq!(s.max_scroll, 16);
        let s = fit("top\n", &body, "keys\n", 8, 40, 99, None, &Theme::plain());
        assert!(
            s.text.contains("line 20\n── lines 17–20 of 20"),
            "{}",
            s.text
        );
    }

    #[test]
    fn wrapped_lines_count_as_the_rows_they_take_and_focus_stays_visible() {
        let body = format!("{}\nb\nc\nd\ne\n", "x".repeat(25));
        let s = fit("top\n", &body, "keys\n", 7, 10, 0, Some(4), &Theme::plain());
        assert!(s.text.contains("e\n── lines"), "{}", s.text);
        assert!(s.text.lines().count() <= 6, "{}", s.text);
    }

    #[test]
    fn a_tiny_terminal_never_gets_more_rows_than_it_has() {
        let body: String = (1..=50)
            .map(|i| format!("a long line number {i}\n"))
            .collect();
        for rows in 1..8 {
            for cols in [1, 5, 12] {
                let s = fit(
                    "top\nbanner\n",
                    &body,
                    "\nkeys\nnotice\n",
                    rows,
                    cols,
                    0,
                    None,
                    &Theme::plain(),
                );
                let used: usize = s.text.lines().map(|l| rows_of(l, cols)).sum();
                assert!(
                    used < rows.max(2),
                    "{rows}x{cols}: {used} rows:\n{}",
                    s.text
                );
            }
        }
    }
}
