//! Draws the watch screen from a snapshot of the app's state, fitted to the terminal: the
//! header and the key bar stay put, and a body taller than the terminal scrolls.

use std::fmt::Write as _;
use std::path::Path;

use super::keys::{self, Action, key_bar};
use super::wrap;
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
    /// A mock interview's clock, on the header line.
    pub clock: Option<String>,
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
        /// A passed exercise's debrief can be read.
        can_debrief: bool,
        /// In a mock interview round: only the keys that work in one are offered.
        in_round: bool,
        /// Another exercise whose file was saved, which `s` switches to.
        switch_to: Option<&'a str>,
    },
    /// The exercise list renders itself; `focus` is the body line that must stay visible.
    List {
        text: &'a str,
        focus: usize,
        keys: &'a str,
        /// Keys are text (a search query), so `q` does not quit.
        typing: bool,
    },
    /// A page to read: the comparison or the debrief, with that screen's keys.
    Reading(&'a str, keys::Screen),
    Finished {
        summary: &'a str,
        can_compare: bool,
        can_debrief: bool,
    },
}

/// A frame's body and its keys, before the screen is laid out.
struct Content<'a> {
    body: String,
    /// A body line that must stay visible (the list's highlighted exercise).
    focus: Option<usize>,
    /// The list's own key bar, in front of the keys.
    list_keys: Option<&'a str>,
    /// (key, label) of each key the bar shows.
    keys: Vec<(String, String)>,
}

impl Content<'_> {
    fn plain(body: String, keys: Vec<(String, String)>) -> Self {
        Content {
            body,
            focus: None,
            list_keys: None,
            keys,
        }
    }
}

fn content<'a>(body: &Body<'a>, theme: &Theme) -> Content<'a> {
    match body {
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
            can_debrief,
            in_round,
            switch_to,
        } => {
            let mut body = format!(
                "{}  {}\n{}\n\n",
                theme.heading.apply_to(name),
                link(rel_path, abs_path),
                theme.dim.apply_to(summary)
            );
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
            let keys = key_bar(keys::Screen::Exercise, |action| match action {
                _ if *in_round => action.works_in_a_round(),
                Action::Hint => *hints_left > 0,
                Action::Compare => *can_compare,
                Action::Debrief => *can_debrief,
                Action::Switch => switch_to.is_some(),
                _ => true,
            });
            Content::plain(body, labelled(keys, *switch_to))
        }
        Body::List {
            text,
            focus: line,
            keys,
            typing,
        } => Content {
            body: text.to_string(),
            focus: Some(*line),
            list_keys: Some(keys),
            // While typing a search, `q` is a letter.
            keys: if *typing {
                vec![]
            } else {
                vec![("q".to_string(), "quit".to_string())]
            },
        },
        Body::Reading(text, screen) => {
            Content::plain(text.to_string(), labelled(key_bar(*screen, |_| true), None))
        }
        Body::Finished {
            summary,
            can_compare,
            can_debrief,
        } => Content::plain(
            summary.to_string(),
            labelled(
                key_bar(keys::Screen::Finished, |action| match action {
                    Action::Compare => *can_compare,
                    Action::Debrief => *can_debrief,
                    _ => true,
                }),
                None,
            ),
        ),
    }
}

/// Key bar entries as (key, label); the switch names the exercise it switches to.
fn labelled(
    entries: Vec<(String, Action, &'static str)>,
    switch_to: Option<&str>,
) -> Vec<(String, String)> {
    entries
        .into_iter()
        .map(|(key, action, label)| match (action, switch_to) {
            (Action::Switch, Some(name)) => (key, format!("{label} {name}")),
            _ => (key, label.to_string()),
        })
        .collect()
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
        // Narrower on a narrow terminal, so the header stays one row.
        progress_bar(
            frame.done,
            frame.total,
            cols.saturating_sub(26).clamp(4, 20)
        ),
        frame.done,
        frame.total
    );
    if let Some(clock) = &frame.clock {
        top.insert_str(
            top.len() - 2,
            &format!("  ·  {}", theme.warn.apply_to(clock)),
        );
    }
    if let Some(banner) = frame.banner {
        let _ = write!(top, "{banner}\n\n");
    }
    let Content {
        body,
        focus,
        list_keys,
        mut keys,
    } = content(&frame.body, theme);
    let scroll_key = ("↑↓".to_string(), "scroll".to_string());
    let bar = |keys: &[(String, String)]| {
        list_keys
            .into_iter()
            .map(str::to_string)
            .chain(
                keys.iter()
                    .map(|(k, what)| format!("{} {what}", theme.key.apply_to(k))),
            )
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let notice = frame
        .poll_notice
        .then(|| theme.dim.apply_to(POLL_NOTICE).to_string());
    let layout = |keys: &[(String, String)]| Layout {
        top: &top,
        body: &body,
        keys: bar(keys),
        notice: notice.as_deref(),
        scroll: frame.scroll,
        focus,
    };
    let fitted = layout(&keys).fit(rows, cols, theme);
    if fitted.max_scroll == 0 || focus.is_some() {
        return fitted;
    }
    // The body overflows: lay it out again with a key bar that says how to scroll it.
    keys.insert(keys.len() - 1, scroll_key);
    layout(&keys).fit(rows, cols, theme)
}

/// The parts of a screen before they are fitted to the terminal.
struct Layout<'a> {
    /// The header: its first line stays even on the smallest terminal.
    top: &'a str,
    body: &'a str,
    /// The key bar, which always shows.
    keys: String,
    /// A hint under the key bar, left out when rows are short.
    notice: Option<&'a str>,
    /// First body row shown, when the body is taller than its window.
    scroll: usize,
    /// A body line that must show (the list's highlighted exercise).
    focus: Option<usize>,
}

impl Layout<'_> {
    /// Lays the screen out in `rows` × `cols`: every line wrapped at spaces to rows that fit,
    /// the header and key bar in place, and as much of the body between them as fits from
    /// row `scroll` (moved so that line `focus` shows). Nothing is written on the last row,
    /// where a newline would scroll the whole screen.
    fn fit(&self, rows: usize, cols: usize, theme: &Theme) -> Screen {
        let cols = cols.max(1);
        let budget = rows.saturating_sub(1).max(1);
        let wrapped = |text: &str| -> Vec<String> {
            text.lines()
                .flat_map(|line| wrap::wrap(line, cols))
                .collect()
        };
        let mut top = wrapped(self.top);
        let mut bottom = vec![String::new()];
        bottom.extend(wrapped(&self.keys));
        let notice = self.notice.map(wrapped).unwrap_or_default();
        // The first row of each body line, so that `focus` (a line) finds its row.
        let mut body = Vec::new();
        let mut first_row = Vec::new();
        for line in self.body.lines() {
            first_row.push(body.len());
            body.extend(wrap::wrap(line, cols));
        }
        if top.len() + body.len() + bottom.len() + notice.len() <= budget {
            let all = [top, body, bottom, notice].concat();
            return Screen {
                text: joined(&all, budget),
                max_scroll: 0,
            };
        }
        // Short of rows: the first header line, the key bar, and the body between.
        if top.len() + bottom.len() + notice.len() + 4 > budget {
            top.truncate(1);
            bottom.remove(0);
        } else {
            bottom.extend(notice);
        }
        // Too short for any body row and its indicator: the header line and the key bar's
        // last rows, which end with how to quit.
        let room = budget.saturating_sub(top.len());
        if bottom.len() + 2 > room {
            let keys = &bottom[bottom.len() - room.min(bottom.len())..];
            return Screen {
                text: joined(&[top, keys.to_vec()].concat(), budget),
                max_scroll: body.len().saturating_sub(1),
            };
        }
        let window = budget - top.len() - bottom.len() - 1;
        let max_scroll = body.len().saturating_sub(window);
        let mut scroll = self.scroll.min(max_scroll);
        if let Some(&focus) = self.focus.and_then(|line| first_row.get(line)) {
            if focus < scroll {
                scroll = focus;
            } else if focus >= scroll + window {
                scroll = focus + 1 - window;
            }
        }
        let shown = &body[scroll..body.len().min(scroll + window)];
        let indicator = theme
            .dim
            .apply_to(format!(
                "── lines {}–{} of {} ──",
                scroll + 1,
                scroll + shown.len(),
                body.len()
            ))
            .to_string();
        let mut all = top;
        all.extend_from_slice(shown);
        all.push(console::truncate_str(&indicator, cols, "").into_owned());
        all.extend(bottom);
        Screen {
            text: joined(&all, budget),
            max_scroll,
        }
    }
}

/// The first `budget` of `rows`, each ended by a newline.
fn joined(rows: &[String], budget: usize) -> String {
    rows.iter()
        .take(budget)
        .map(|row| format!("{row}\n"))
        .collect()
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

    fn layout<'a>(top: &'a str, body: &'a str, scroll: usize, focus: Option<usize>) -> Layout<'a> {
        Layout {
            top,
            body,
            keys: "keys".to_string(),
            notice: None,
            scroll,
            focus,
        }
    }

    #[test]
    fn a_body_that_fits_is_shown_whole() {
        let s = layout("top\n", "a\nb\n", 0, None).fit(10, 20, &Theme::plain());
        assert_eq!(s.text, "top\na\nb\n\nkeys\n");
        assert_eq!(s.max_scroll, 0);
    }

    #[test]
    fn a_tall_body_scrolls_between_fixed_header_and_keys() {
        let body: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let s = layout("top\n", &body, 3, None).fit(9, 40, &Theme::plain());
        // 8 usable rows: top, 4 body rows, indicator, a blank row, keys.
        assert_eq!(
            s.text,
            "top\nline 4\nline 5\nline 6\nline 7\n── lines 4–7 of 20 ──\n\nkeys\n"
        );
        assert_eq!(s.max_scroll, 16);
        let s = layout("top\n", &body, 99, None).fit(9, 40, &Theme::plain());
        assert!(
            s.text.contains("line 20\n── lines 17–20 of 20"),
            "{}",
            s.text
        );
    }

    #[test]
    fn long_lines_wrap_at_spaces_and_focus_stays_visible() {
        let body = "one two three four five six\nb\nc\nd\ne\n";
        let s = layout("top\n", body, 0, Some(4)).fit(8, 10, &Theme::plain());
        assert!(s.text.contains("e\n── lines"), "{}", s.text);
        assert!(s.text.lines().count() <= 7, "{}", s.text);
        let s = layout("top\n", body, 0, None).fit(30, 10, &Theme::plain());
        assert!(
            s.text.contains("one two\n  three\n  four\n  five six\n"),
            "{}",
            s.text
        );
    }

    #[test]
    fn a_small_terminal_keeps_the_header_line_some_body_and_every_key() {
        let keys = "h hint · e edit · l list · n next · r re-grade · q quit";
        let s = Layout {
            keys: keys.to_string(),
            notice: Some("saves not noticed? quit and run `backlings --poll`"),
            ..layout(
                "backlings  [----] 0/33 done\n\nbanner\n",
                "body one\nbody two\n",
                0,
                None,
            )
        }
        .fit(10, 40, &Theme::plain());
        let lines: Vec<&str> = s.text.lines().collect();
        assert_eq!(lines[0], "backlings  [----] 0/33 done", "{}", s.text);
        assert!(s.text.contains("body one"), "{}", s.text);
        assert!(s.text.contains("q quit"), "{}", s.text);
        assert!(lines.len() <= 9, "{}", s.text);
    }

    #[test]
    fn a_tiny_terminal_never_gets_more_rows_than_it_has() {
        let body: String = (1..=50)
            .map(|i| format!("a long line number {i}\n"))
            .collect();
        for rows in 1..8 {
            for cols in [1, 5, 12] {
                let s = Layout {
                    notice: Some("notice"),
                    ..layout("top\nbanner\n", &body, 0, None)
                }
                .fit(rows, cols, &Theme::plain());
                let used = s.text.lines().count();
                assert!(s.text.lines().all(|l| wrap::width(l) <= cols), "{}", s.text);
                assert!(
                    used < rows.max(2),
                    "{rows}x{cols}: {used} rows:\n{}",
                    s.text
                );
            }
        }
    }
}
