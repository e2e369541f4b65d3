//! Draws the watch screen from a snapshot of the app's state; knows nothing about events.

use std::fmt::Write as _;
use std::path::Path;

use crate::grader::Verdict;
use crate::ui::{Detail, Theme, link, render_verdict};

pub const POLL_NOTICE: &str = "saves not noticed? quit and run `backlings --poll`";

/// Everything one frame shows.
pub struct Frame<'a> {
    pub done: usize,
    pub total: usize,
    pub body: Body<'a>,
    /// A message above the verdict, e.g. that the previous exercise passed.
    pub banner: Option<&'a str>,
    pub polling: bool,
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
    },
    List(&'a str),
    Finished(&'a str),
}

pub fn render(frame: &Frame, theme: &Theme) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {} {}/{} done\n",
        theme.heading.apply_to("backlings"),
        progress_bar(frame.done, frame.total, 20),
        frame.done,
        frame.total
    );
    if let Some(banner) = frame.banner {
        let _ = writeln!(out, "{banner}\n");
    }
    let keys: &[(&str, &str)] = match &frame.body {
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
        } => {
            let _ = writeln!(
                out,
                "{}  {}",
                theme.heading.apply_to(name),
                link(rel_path, abs_path)
            );
            let _ = writeln!(out, "{}\n", theme.dim.apply_to(summary));
            if *grading {
                let _ = writeln!(out, "{}", theme.warn.apply_to("⟳ grading…"));
            }
            if let Some(problem) = problem {
                let _ = writeln!(out, "{} {problem}", theme.bad.apply_to("!"));
            } else if let Some(verdict) = verdict {
                out.push_str(&render_verdict(
                    verdict,
                    theme,
                    Detail::Compact { shown: 3 },
                ));
            }
            if !hints.is_empty() {
                let _ = write!(out, "\n{hints}");
            }
            if *hints_left > 0 {
                &[
                    ("h", "hint"),
                    ("l", "list"),
                    ("n", "next"),
                    ("r", "re-grade"),
                    ("q", "quit"),
                ]
            } else {
                &[
                    ("l", "list"),
                    ("n", "next"),
                    ("r", "re-grade"),
                    ("q", "quit"),
                ]
            }
        }
        Body::List(list) => {
            out.push_str(list);
            &[("l", "back"), ("q", "quit")]
        }
        Body::Finished(message) => {
            let _ = writeln!(
                out,
                "{}\n\n{}",
                theme.good.apply_to("✓ Course complete!"),
                message.trim()
            );
            &[("l", "list"), ("q", "quit")]
        }
    };
    let keys: Vec<String> = keys
        .iter()
        .map(|(k, what)| format!("{} {what}", theme.key.apply_to(k)))
        .collect();
    let _ = writeln!(out, "\n{}", keys.join(" · "));
    if !frame.polling {
        let _ = writeln!(out, "{}", theme.dim.apply_to(POLL_NOTICE));
    }
    out
}

fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0);
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
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
}
