//! clippy's advice on a passed exercise, worded so that it is clearly optional.

use std::fmt::Write as _;

use super::Theme;

/// `advice` as shown after a pass: `None` means clippy is not installed.
pub fn render_advice(advice: Option<&[String]>, theme: &Theme) -> String {
    let Some(advice) = advice else {
        return format!(
            "{}\n",
            theme.dim.apply_to(
                "Install clippy (`rustup component add clippy`) for advice on idiomatic Rust after each pass."
            )
        );
    };
    if advice.is_empty() {
        return format!(
            "{}\n",
            theme.good.apply_to("clippy has no advice on your code.")
        );
    }
    let mut out = format!(
        "{}\n",
        theme.heading.apply_to(format!(
            "Advice from clippy ({} suggestion{}; it never blocks your progress):",
            advice.len(),
            if advice.len() == 1 { "" } else { "s" }
        ))
    );
    for lint in advice {
        let lint = if console::colors_enabled() {
            lint.clone()
        } else {
            console::strip_ansi_codes(lint).into_owned()
        };
        let _ = writeln!(out, "\n{}", lint.trim_end());
    }
    out
}
