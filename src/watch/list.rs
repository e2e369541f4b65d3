//! The interactive exercise list: move with arrows or j/k, filter by status, search by name,
//! jump to an exercise, reset one after confirming.

use std::fmt::Write as _;

use console::truncate_str;

use super::events::Key;
use crate::course::{Course, Exercise};
use crate::state::State;
use crate::ui::Theme;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    Pending,
    Done,
}

impl Filter {
    fn next(self) -> Filter {
        match self {
            Filter::All => Filter::Pending,
            Filter::Pending => Filter::Done,
            Filter::Done => Filter::All,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Pending => "pending",
            Filter::Done => "done",
        }
    }
}

/// What a key asks the list's owner to do.
pub enum Action {
    Stay,
    Close,
    /// Make this exercise (an index into the course) the current one.
    Jump(usize),
    /// Restore this exercise's stub; the learner confirmed.
    Reset(usize),
}

pub struct ListView {
    /// Index into the course of the highlighted exercise.
    selected: usize,
    filter: Filter,
    query: String,
    /// Keys go into the search query until Enter or Esc.
    searching: bool,
    /// Waiting for y/n on resetting this exercise.
    confirm_reset: Option<usize>,
    /// The outcome of the last action, shown above the list.
    pub notice: Option<String>,
    /// `backlings list` on its own, where Enter chooses the exercise and closing quits, rather
    /// than a view inside watch mode.
    on_its_own: bool,
}

/// The list's lines, the line of the highlighted exercise, and its key bar.
pub struct Rendered {
    pub text: String,
    pub focus: usize,
    pub keys: String,
}

impl ListView {
    /// The list as a view of watch mode, with `selected` highlighted.
    pub fn new(selected: usize) -> ListView {
        ListView {
            selected,
            filter: Filter::All,
            query: String::new(),
            searching: false,
            confirm_reset: None,
            notice: None,
            on_its_own: false,
        }
    }

    /// The list as `backlings list` shows it on a terminal.
    pub fn on_its_own(selected: usize) -> ListView {
        ListView {
            on_its_own: true,
            ..ListView::new(selected)
        }
    }

    /// Whether keys are text (a search query), so that `q` is a letter, not "quit".
    pub fn takes_text(&self) -> bool {
        self.searching
    }

    fn visible(&self, course: &Course, state: &State) -> Vec<usize> {
        let query = self.query.to_lowercase();
        course
            .exercises
            .iter()
            .enumerate()
            .filter(|(_, e)| match self.filter {
                Filter::All => true,
                Filter::Pending => !state.is_done(&e.name),
                Filter::Done => state.is_done(&e.name),
            })
            .filter(|(_, e)| e.name.contains(&query) || e.topic.contains(&query))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn on_key(&mut self, key: &Key, course: &Course, state: &State) -> Action {
        if let Some(index) = self.confirm_reset.take() {
            if matches!(key, Key::Char('y' | 'Y')) {
                return Action::Reset(index);
            }
            self.notice = Some("Nothing was reset.".to_string());
            return Action::Stay;
        }
        if self.searching {
            match key {
                Key::Char(c) if !c.is_control() => self.query.push(*c),
                Key::Backspace => {
                    self.query.pop();
                }
                Key::Enter => self.searching = false,
                Key::Escape => {
                    self.searching = false;
                    self.query.clear();
                }
                _ => {}
            }
            self.keep_selection_visible(course, state);
            return Action::Stay;
        }
        let visible = self.visible(course, state);
        let at = visible.iter().position(|&i| i == self.selected);
        let step = |delta: isize| {
            let last = visible.len().checked_sub(1)? as isize;
            let from = at.unwrap_or(0) as isize;
            visible.get((from + delta).clamp(0, last) as usize).copied()
        };
        let moved = match key {
            Key::ArrowUp | Key::Char('k') => step(-1),
            Key::ArrowDown | Key::Char('j') => step(1),
            Key::PageUp => step(-10),
            Key::PageDown => step(10),
            Key::Home | Key::Char('g') => visible.first().copied(),
            Key::End | Key::Char('G') => visible.last().copied(),
            Key::Char('f') => {
                self.filter = self.filter.next();
                self.keep_selection_visible(course, state);
                return Action::Stay;
            }
            Key::Char('/') => {
                self.searching = true;
                return Action::Stay;
            }
            Key::Enter if at.is_some() => return Action::Jump(self.selected),
            Key::Char('r') if at.is_some() => {
                self.confirm_reset = Some(self.selected);
                return Action::Stay;
            }
            Key::Escape | Key::Char('l') => return Action::Close,
            _ => None,
        };
        if let Some(index) = moved {
            self.selected = index;
            self.notice = None;
        }
        Action::Stay
    }

    fn keep_selection_visible(&mut self, course: &Course, state: &State) {
        let visible = self.visible(course, state);
        if let Some(&first) = visible
            .first()
            .filter(|_| !visible.contains(&self.selected))
        {
            self.selected = first;
        }
    }

    pub fn render(&self, course: &Course, state: &State, theme: &Theme, cols: usize) -> Rendered {
        let visible = self.visible(course, state);
        let mut text = String::new();
        let search = if self.searching || !self.query.is_empty() {
            format!(
                " · search: {}{}",
                self.query,
                if self.searching { "▏" } else { "" }
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "{} · showing {} ({} of {}){search}",
            theme.heading.apply_to("Exercises"),
            self.filter.name(),
            visible.len(),
            course.exercises.len()
        );
        if let Some(index) = self.confirm_reset {
            let _ = writeln!(
                text,
                "{}",
                theme.warn.apply_to(format!(
                    "Reset {} to its stub? Your file is kept in {}. y/n",
                    course.exercises[index].name,
                    crate::workspace::backups_dir_shown()
                ))
            );
        } else if let Some(notice) = &self.notice {
            let _ = writeln!(text, "{notice}");
        }
        text.push('\n');
        let widest = |field: fn(&Exercise) -> &str| {
            let lengths = course.exercises.iter().map(|e| field(e).len());
            lengths.max().unwrap_or(0)
        };
        let (name_width, topic_width) = (widest(|e| &e.name), widest(|e| &e.topic));
        let mut focus = text.lines().count();
        for &i in &visible {
            let ex = &course.exercises[i];
            let (status, style) = theme.status(state, &ex.name);
            let selected = i == self.selected;
            if selected {
                focus = text.lines().count();
            }
            let row = format!(
                "{} {}  {:name_width$}  {:topic_width$}  {}",
                if selected { "▸" } else { " " },
                style.apply_to(status),
                ex.name,
                ex.topic,
                theme.dim.apply_to(&ex.summary)
            );
            let row = truncate_str(&row, cols.saturating_sub(1), "…");
            if selected {
                let _ = writeln!(text, "{}", theme.heading.apply_to(row));
            } else {
                let _ = writeln!(text, "{row}");
            }
        }
        if visible.is_empty() {
            let _ = writeln!(text, "{}", theme.dim.apply_to("  (no exercise matches)"));
        }
        Rendered {
            text,
            focus,
            keys: self.key_bar(theme),
        }
    }

    /// The list's key bar: what its keys do while searching, in watch mode, or on its own.
    fn key_bar(&self, theme: &Theme) -> String {
        let key = |k: &str| theme.key.apply_to(k.to_string()).to_string();
        if self.searching {
            format!(
                "type to search · {} done · {} clear · {} quit",
                key("⏎"),
                key("esc"),
                key("ctrl-c")
            )
        } else if self.on_its_own {
            format!(
                "{} move · {} make current · {} filter · {} search · {} reset",
                key("↑↓/jk"),
                key("⏎"),
                key("f"),
                key("/"),
                key("r"),
            )
        } else {
            format!(
                "{} move · {} open · {} filter · {} search · {} reset · {} back",
                key("↑↓/jk"),
                key("⏎"),
                key("f"),
                key("/"),
                key("r"),
                key("l/esc")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &mut ListView, course: &Course, state: &State, keys: &[Key]) -> Vec<Action> {
        keys.iter().map(|k| list.on_key(k, course, state)).collect()
    }

    #[test]
    fn moving_in_an_empty_result_does_nothing() {
        let course = Course::builtin().unwrap();
        let state = State::new("builtin".into(), None);
        let mut list = ListView::new(0);
        let typed: Vec<Key> = "/zzz".chars().map(Key::Char).chain([Key::Enter]).collect();
        keys(&mut list, &course, &state, &typed);
        assert!(list.visible(&course, &state).is_empty());
        for key in [
            Key::Char('j'),
            Key::ArrowUp,
            Key::PageDown,
            Key::End,
            Key::Enter,
            Key::Char('r'),
        ] {
            assert!(matches!(list.on_key(&key, &course, &state), Action::Stay));
        }
    }

    #[test]
    fn filters_cycle_and_keep_a_visible_selection() {
        let course = Course::builtin().unwrap();
        let mut state = State::new("builtin".into(), None);
        state.entry("query_string").done = true;
        let mut list = ListView::new(0);
        keys(&mut list, &course, &state, &[Key::Char('f')]);
        assert_eq!(list.filter.name(), "pending");
        assert_eq!(
            list.visible(&course, &state).len(),
            course.exercises.len() - 1
        );
        keys(&mut list, &course, &state, &[Key::Char('f')]);
        assert_eq!(list.visible(&course, &state), [1]);
        assert_eq!(list.selected, 1, "the selection moves to what is shown");
        assert!(matches!(
            list.on_key(&Key::Enter, &course, &state),
            Action::Jump(1)
        ));
    }

    #[test]
    fn a_reset_needs_a_yes() {
        let course = Course::builtin().unwrap();
        let state = State::new("builtin".into(), None);
        let mut list = ListView::new(2);
        let actions = keys(
            &mut list,
            &course,
            &state,
            &[Key::Char('r'), Key::Char('n')],
        );
        assert!(actions.iter().all(|a| matches!(a, Action::Stay)));
        assert_eq!(list.notice.as_deref(), Some("Nothing was reset."));
        keys(&mut list, &course, &state, &[Key::Char('r')]);
        assert!(matches!(
            list.on_key(&Key::Char('y'), &course, &state),
            Action::Reset(2)
        ));
    }
}
