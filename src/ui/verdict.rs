//! Renders a [`Verdict`] as the text block shown by `run`, `check` and watch mode.

use std::fmt::Write as _;

use crate::grader::{CheckStatus, Outcome, Verdict};

use super::Theme;

/// The verdict as text, headline first; compiler output keeps its colours only when `theme`
/// has colours enabled.
pub fn render_verdict(verdict: &Verdict, theme: &Theme) -> String {
    let colored = console::colors_enabled();
    let strip = |s: &str| {
        if colored {
            s.to_string()
        } else {
            console::strip_ansi_codes(s).into_owned()
        }
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
            for error in &verdict.errors {
                let _ = writeln!(out, "\n{}", strip(error).trim_end());
            }
        }
        _ => {
            for check in &verdict.checks {
                let (mark, style) = match check.status {
                    CheckStatus::Passed => ("✓", &theme.good),
                    CheckStatus::Failed => ("✗", &theme.bad),
                    CheckStatus::NotRun => ("·", &theme.dim),
                };
                let _ = write!(out, "  {} {}", style.apply_to(mark), check.name);
                match &check.message {
                    Some(message) if check.status != CheckStatus::Passed => {
                        let mut lines = message.lines();
                        let _ = writeln!(out, ": {}", lines.next().unwrap_or_default());
                        for line in lines {
                            let _ = writeln!(out, "      {line}");
                        }
                    }
                    _ if check.status == CheckStatus::NotRun => {
                        let _ = writeln!(out, " {}", theme.dim.apply_to("(not run)"));
                    }
                    _ => out.push('\n'),
                }
            }
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
    if !verdict.warnings.is_empty() {
        let n = verdict.warnings.len();
        let _ = writeln!(
            out,
            "\n{}",
            theme.warn.apply_to(format!(
                "{n} compiler warning{} (they never fail an exercise):",
                if n == 1 { "" } else { "s" }
            ))
        );
        for warning in &verdict.warnings {
            let _ = writeln!(out, "{}", strip(warning).trim_end());
        }
    }
    out
}
