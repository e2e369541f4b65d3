//! Renders a [`Verdict`] as the text block shown by `run`, `check` and watch mode.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::grader::{CheckResult, CheckStatus, Outcome, Verdict};

use super::Theme;

/// How much of a verdict to show.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every check, error and warning (`run`).
    Full,
    /// One screen (watch mode): passed checks as a count, the first `shown` failures and
    /// compiler errors in full, the rest by name or count.
    Compact { shown: usize },
}

/// The verdict as text, headline first, then the learner's own tests apart; compiler output
/// keeps its colours only when `theme` has colours enabled.
pub fn render_verdict(verdict: &Verdict, theme: &Theme, detail: Detail) -> String {
    let shown = match detail {
        Detail::Full => usize::MAX,
        Detail::Compact { shown } => shown,
    };
    let mut out = String::new();
    let headline = verdict.headline();
    let _ = writeln!(
        out,
        "{}",
        if verdict.passed() {
            theme.good.apply_to(format!("✓ {headline}"))
        } else {
            theme.bad.apply_to(format!("✗ {headline}"))
        }
    );
    match verdict.outcome {
        Outcome::CompileError => {
            for error in verdict.errors.iter().take(shown) {
                let _ = writeln!(out, "\n{}", strip(error).trim_end());
            }
            let hidden = verdict.errors.len().saturating_sub(shown);
            if hidden > 0 {
                let _ = writeln!(
                    out,
                    "\n{}",
                    theme
                        .dim
                        .apply_to(format!("… and {hidden} more (fix these first)"))
                );
            }
        }
        _ => {
            let passed = verdict
                .checks
                .iter()
                .filter(|c| c.status == CheckStatus::Passed)
                .count();
            if detail != Detail::Full && passed > 0 {
                let _ = writeln!(out, "  {} {passed} passing", theme.good.apply_to("✓"));
            }
            render_results(&mut out, &verdict.checks, theme, detail, shown);
            if verdict.output_truncated {
                let _ = writeln!(
                    out,
                    "{}",
                    theme
                        .warn
                        .apply_to("  (your code printed a lot; the output was cut)")
                );
            }
        }
    }
    if let Some(own) = &verdict.own_tests {
        let _ = writeln!(
            out,
            "\n{} {}",
            theme.heading.apply_to("Your tests:"),
            own.headline()
        );
        render_results(&mut out, &own.tests, theme, detail, shown);
    }
    render_warnings(&mut out, &verdict.warnings, theme, detail);
    out
}

/// Without colours if the terminal has none.
fn strip(s: &str) -> String {
    if console::colors_enabled() {
        s.to_string()
    } else {
        console::strip_ansi_codes(s).into_owned()
    }
}

/// Compiler warnings: a count on one screen, in full otherwise.
fn render_warnings(out: &mut String, warnings: &[String], theme: &Theme, detail: Detail) {
    if !warnings.is_empty() && detail != Detail::Full {
        let n = warnings.len();
        let _ = writeln!(
            out,
            "\n{}",
            theme.warn.apply_to(format!(
                "{n} compiler warning(s); `backlings run` shows them"
            ))
        );
    } else if !warnings.is_empty() {
        let n = warnings.len();
        let _ = writeln!(
            out,
            "\n{}",
            theme.warn.apply_to(format!(
                "{n} compiler warning{} (they never fail an exercise):",
                if n == 1 { "" } else { "s" }
            ))
        );
        for warning in warnings {
            let _ = writeln!(out, "{}", strip(warning).trim_end());
        }
    }
}

/// What the learner's code printed during one test, labelled as theirs and cut to a few lines
/// (more in full detail), so that one noisy test cannot push the others' reasons away.
fn render_output(out: &mut String, output: &str, theme: &Theme, detail: Detail) {
    const LINE_WIDTH: usize = 160;
    let most = match detail {
        Detail::Full => 40,
        Detail::Compact { .. } => 4,
    };
    let output = visible(output);
    let lines: Vec<&str> = output.lines().collect();
    let _ = writeln!(out, "      {}", theme.dim.apply_to("your code printed:"));
    for line in lines.iter().take(most) {
        let _ = writeln!(
            out,
            "      {} {}",
            theme.dim.apply_to("│"),
            console::truncate_str(line, LINE_WIDTH, "…")
        );
    }
    if lines.len() > most {
        let _ = writeln!(
            out,
            "      {}",
            theme
                .dim
                .apply_to(format!("… {} more lines", lines.len() - most))
        );
    }
}

/// `text` with every control character written out (`\x1b`, `\r`, `\u{202e}`), so what the
/// learner's code printed cannot move the cursor, clear the screen, recolour or reorder what
/// follows. Newlines stay; a tab becomes four spaces.
fn visible(text: &str) -> Cow<'_, str> {
    let shown_as_is = |c: char| c == '\n' || !(c.is_control() || is_bidi_control(c));
    if text.chars().all(shown_as_is) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if shown_as_is(c) => out.push(c),
            '\t' => out.push_str("    "),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// The Unicode controls that reorder text on screen (the "Trojan Source" characters).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// One line per result, each failure with its message: every result in full detail, only
/// the first `shown` failures (the rest by name) in compact detail.
fn render_results(
    out: &mut String,
    results: &[CheckResult],
    theme: &Theme,
    detail: Detail,
    shown: usize,
) {
    let unresolved: Vec<&str> = results
        .iter()
        .filter(|r| r.status != CheckStatus::Passed)
        .skip(shown)
        .map(|r| r.name.as_str())
        .collect();
    for result in results {
        let listed = result.status == CheckStatus::Passed && detail == Detail::Full
            || result.status != CheckStatus::Passed && !unresolved.contains(&result.name.as_str());
        if !listed {
            continue;
        }
        let (mark, style) = match result.status {
            CheckStatus::Passed => ("✓", &theme.good),
            CheckStatus::Failed => ("✗", &theme.bad),
            CheckStatus::NotRun => ("·", &theme.dim),
        };
        let _ = write!(out, "  {} {}", style.apply_to(mark), result.name);
        match &result.message {
            Some(message) if result.status != CheckStatus::Passed => {
                let message = visible(message);
                let mut lines = message.lines();
                let _ = writeln!(out, ": {}", lines.next().unwrap_or_default());
                for line in lines {
                    let _ = writeln!(out, "      {line}");
                }
                if let Some(output) = &result.output {
                    render_output(out, output, theme, detail);
                }
            }
            _ if result.status == CheckStatus::NotRun => {
                let _ = writeln!(out, " {}", theme.dim.apply_to("(not run)"));
            }
            _ => out.push('\n'),
        }
    }
    if !unresolved.is_empty() {
        let _ = writeln!(
            out,
            "  {} also failing: {}",
            theme.bad.apply_to("✗"),
            unresolved.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_written_out_and_text_is_kept() {
        assert!(matches!(visible("plain\nlines"), Cow::Borrowed(_)));
        assert_eq!(
            visible("a\x1b[2Jb\rc\td\u{7f}\u{202e}é\n"),
            "a\\x1b[2Jb\\rc    d\\x7f\\u{202e}é\n"
        );
    }
}
