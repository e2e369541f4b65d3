//! Watch mode's keys as data: each key, the action it takes, its label in the key bar and
//! what the README says it does. The handler, the key bars and the README's table are all
//! made from this one list, so a new key is one entry here and one arm in the handler.

use super::events::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Hint,
    Edit,
    List,
    Next,
    Regrade,
    Compare,
    Debrief,
    Switch,
    /// Back from the comparison or the debrief to the exercise.
    Back,
    Quit,
}

impl Action {
    /// What a mock interview round lets the learner do: no moving on, no list, no peeking at
    /// the reference solution.
    pub fn works_in_a_round(self) -> bool {
        matches!(
            self,
            Action::Hint | Action::Edit | Action::Regrade | Action::Quit
        )
    }
}

/// Where a key works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Exercise,
    Compare,
    Debrief,
    /// A mock interview round ended.
    Scorecard,
    /// The course is complete.
    Finished,
}

pub struct Binding {
    pub key: char,
    pub action: Action,
    /// In the key bar: `h hint`.
    pub label: &'static str,
    /// In the README's table of keys.
    pub does: &'static str,
    pub screens: &'static [Screen],
}

use Screen::{Compare, Debrief, Exercise, Finished, Scorecard};

/// In the order of the key bar.
pub const BINDINGS: &[Binding] = &[
    Binding {
        key: 'h',
        action: Action::Hint,
        label: "hint",
        does: "next hint",
        screens: &[Exercise],
    },
    Binding {
        key: 'e',
        action: Action::Edit,
        label: "edit",
        does: "open the exercise in your editor: `--edit-cmd CMD`, else VS Code when backlings \
               runs in its terminal, else `$VISUAL`, else `$EDITOR`; a terminal editor (vim, \
               nano, hx…) opens in a new tmux pane",
        screens: &[Exercise],
    },
    Binding {
        key: 'l',
        action: Action::List,
        label: "list",
        does: "the exercise list",
        screens: &[Exercise, Compare, Debrief, Finished],
    },
    Binding {
        key: 'n',
        action: Action::Next,
        label: "next",
        does: "skip to the next pending exercise",
        screens: &[Exercise],
    },
    Binding {
        key: 'r',
        action: Action::Regrade,
        label: "re-grade",
        does: "grade again",
        screens: &[Exercise],
    },
    Binding {
        key: 'c',
        action: Action::Compare,
        label: "compare",
        does: "after a pass: your file against the reference solution, and clippy's advice",
        screens: &[Exercise, Finished],
    },
    Binding {
        key: 'd',
        action: Action::Debrief,
        label: "debrief",
        does: "after a pass: the debrief, what an interviewer asks once the code works \
               (complexity, follow-up questions, strong signals and red flags)",
        screens: &[Exercise, Finished],
    },
    Binding {
        key: 's',
        action: Action::Switch,
        label: "switch to",
        does: "after you saved another exercise's file: switch to that exercise",
        screens: &[Exercise],
    },
    Binding {
        key: 'c',
        action: Action::Back,
        label: "back",
        does: "in the comparison (or `esc`): back to the exercise",
        screens: &[Compare],
    },
    Binding {
        key: 'd',
        action: Action::Back,
        label: "back",
        does: "in the debrief (or `esc`): back to the exercise",
        screens: &[Debrief],
    },
    Binding {
        key: 'q',
        action: Action::Quit,
        label: "quit",
        does: "quit",
        screens: &[Exercise, Compare, Debrief, Scorecard, Finished],
    },
];

/// The action `key` takes on `screen`, if any.
pub fn action(screen: Screen, key: &Key) -> Option<Action> {
    match key {
        Key::Escape if matches!(screen, Compare | Debrief) => Some(Action::Back),
        Key::Char(c) => BINDINGS
            .iter()
            .find(|b| b.key == *c && b.screens.contains(&screen))
            .map(|b| b.action),
        _ => None,
    }
}

/// The key bar's entries on `screen`, for the actions `offered` says are available now, as
/// (key, action, label).
pub fn key_bar(
    screen: Screen,
    offered: impl Fn(Action) -> bool,
) -> Vec<(String, Action, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.screens.contains(&screen) && offered(b.action))
        .map(|b| (b.key.to_string(), b.action, b.label))
        .collect()
}

/// Each key of watch mode and what it does, as plain text (for the man page).
pub fn help() -> impl Iterator<Item = (String, String)> {
    BINDINGS.iter().map(|b| {
        (
            b.key.to_string(),
            b.does.replace('`', "").replace('…', "..."),
        )
    })
}

/// The README's table of keys, one row per key (a key with two actions in two places says
/// both).
#[cfg(test)]
pub fn markdown_table() -> String {
    let mut table = String::from("| key | what it does |\n|---|---|\n");
    for binding in BINDINGS {
        table.push_str(&format!("| `{}` | {} |\n", binding.key, binding.does));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_every_key_as_the_bindings_say() {
        let readme = include_str!("../../README.md");
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "README.md should hold this table of keys:\n{table}"
        );
    }

    #[test]
    fn each_key_means_one_thing_on_each_screen() {
        for screen in [Exercise, Compare, Debrief, Scorecard, Finished] {
            let mut keys: Vec<char> = BINDINGS
                .iter()
                .filter(|b| b.screens.contains(&screen))
                .map(|b| b.key)
                .collect();
            let all = keys.len();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), all, "a key bound twice on {screen:?}");
        }
    }

    #[test]
    fn keys_act_only_where_they_are_bound() {
        assert_eq!(action(Exercise, &Key::Char('c')), Some(Action::Compare));
        assert_eq!(action(Compare, &Key::Char('c')), Some(Action::Back));
        assert_eq!(action(Compare, &Key::Escape), Some(Action::Back));
        assert_eq!(action(Exercise, &Key::Char('d')), Some(Action::Debrief));
        assert_eq!(action(Debrief, &Key::Char('d')), Some(Action::Back));
        assert_eq!(action(Debrief, &Key::Escape), Some(Action::Back));
        assert_eq!(action(Debrief, &Key::Char('c')), None);
        assert_eq!(action(Exercise, &Key::Escape), None);
        assert_eq!(action(Finished, &Key::Char('h')), None);
        assert_eq!(action(Finished, &Key::Char('l')), Some(Action::List));
    }
}
