//! An exercise and a workspace as text: the welcome, the hints revealed so far, the table of
//! exercises, and the learner's file against the reference solution.

use crate::course::{self, Exercise};
use crate::state::State;
use crate::workspace::Workspace;

use super::{Theme, link, link_padded, render_diff};

/// `ws`, once what opening it had to do is said on stderr.
pub fn announced(ws: Workspace) -> Workspace {
    for notice in ws.notices() {
        eprintln!("{} {notice}", Theme::stdout().warn.apply_to("note:"));
    }
    ws
}

/// What a new workspace holds, and how to work in it.
pub fn render_welcome(ws: &Workspace, theme: &Theme) -> String {
    format!(
        "{} a workspace with {} exercises at {}\n\n{}\n\n",
        theme.good.apply_to("Created"),
        ws.course().exercises.len(),
        link(&ws.root().display().to_string(), ws.root()),
        ws.course().welcome_message.trim()
    )
}

/// The first `shown` hints of `ex`, numbered.
pub fn render_hints(ex: &Exercise, shown: usize, theme: &Theme) -> String {
    ex.hints
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, h)| {
            format!(
                "{} {}\n",
                theme
                    .key
                    .apply_to(format!("Hint {}/{}:", i + 1, ex.hints.len())),
                h
            )
        })
        .collect()
}

/// Every exercise with its status, path and summary, and how many are done.
pub fn render_list(ws: &Workspace, state: &State, theme: &Theme) -> String {
    let exercises = &ws.course().exercises;
    let (name_width, path_width) = column_widths(exercises);
    let mut out = String::new();
    for ex in exercises {
        let (status, style) = theme.status(state, &ex.name);
        out.push_str(&format!(
            "{}  {:name_width$}  {}  {}\n",
            style.apply_to(status),
            ex.name,
            link_padded(&ex.shown_path(), &ws.exercise_path(ex), path_width),
            theme.dim.apply_to(&ex.summary)
        ));
    }
    let done = ws.done_count(state);
    out.push_str(&format!("\n{done}/{} done\n", exercises.len()));
    out
}

/// The widths of the name and path columns of a table of `exercises`.
pub fn column_widths(exercises: &[Exercise]) -> (usize, usize) {
    let widest = |width: fn(&Exercise) -> usize| exercises.iter().map(width).max().unwrap_or(0);
    (
        widest(|ex| ex.name.chars().count()),
        widest(|ex| ex.shown_path().chars().count()),
    )
}

/// The learner's file of `ex` (`mine`) against the reference solution, with both paths as
/// links.
pub fn render_comparison(
    ws: &Workspace,
    ex: &Exercise,
    (mine, reference): &(String, String),
    theme: &Theme,
) -> String {
    format!(
        "{} {}  {} {}\n\n{}",
        theme.bad.apply_to("- yours:"),
        link(&ex.shown_path(), &ws.exercise_path(ex)),
        theme.good.apply_to("+ reference:"),
        link(
            &course::shown(&ex.solution_rel_path()),
            &ws.solution_path(ex)
        ),
        render_diff(mine, reference, theme)
    )
}
