//! Progress that motivates: completion per topic, attempts, hints and time, for `stats` and
//! the course-complete screen.

use std::fmt::Write as _;

use crate::course::{Course, Exercise};
use crate::state::{ExerciseState, State};

use super::Theme;

/// How much `render_stats` shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Topics and totals.
    Summary,
    /// Topics, totals and a row per exercise.
    Full,
}

/// Sums over a group of exercises.
#[derive(Default)]
struct Tally {
    exercises: usize,
    done: usize,
    attempts: u64,
    hints: usize,
    hints_available: usize,
    seconds: u64,
}

impl Tally {
    fn add(&mut self, ex: &Exercise, progress: Option<&ExerciseState>) {
        self.exercises += 1;
        self.hints_available += ex.hints.len();
        if let Some(p) = progress {
            self.done += usize::from(p.done);
            self.attempts += u64::from(p.attempts);
            self.hints += p.hints_shown;
            self.seconds += p.seconds;
        }
    }
}

pub fn render_stats(course: &Course, state: &State, theme: &Theme, scope: Scope) -> String {
    let (total, topics) = tallies(course, state);
    let width = course
        .exercises
        .iter()
        .map(|e| e.name.len())
        .chain(topics.iter().map(|(t, _)| t.len()))
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = String::new();
    let percent = (total.done * 100).checked_div(total.exercises).unwrap_or(0);
    let time = match total.seconds {
        0 => String::new(),
        s => format!(" · {} working time", duration(s)),
    };
    let _ = writeln!(
        out,
        "{} {}/{} exercises ({percent}%) · {} attempts · {}/{} hints{time}\n",
        theme.heading.apply_to("Progress:"),
        total.done,
        total.exercises,
        total.attempts,
        total.hints,
        total.hints_available,
    );
    let _ = writeln!(out, "{}", header(theme, width, "topic", "done"));
    for (topic, t) in &topics {
        let done = format!("{}/{}", t.done, t.exercises);
        let style = if t.done == t.exercises {
            &theme.good
        } else {
            &theme.dim
        };
        let _ = writeln!(
            out,
            "{topic:width$}  {}  {:>8}  {:>5}  {:>7}",
            style.apply_to(format!("{done:>7}")),
            t.attempts,
            format!("{}/{}", t.hints, t.hints_available),
            duration(t.seconds)
        );
    }
    if scope == Scope::Full {
        out.push_str(&per_exercise(course, state, theme, width));
        out.push_str(&interviews(state, theme));
    }
    out
}

/// Every mock interview round, oldest first.
fn interviews(state: &State, theme: &Theme) -> String {
    if state.interviews.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{}\n", theme.heading.apply_to("Mock interviews"));
    for round in &state.interviews {
        let allowed = clock_text(round.seconds_allowed);
        let outcome = match round.pass_secs {
            Some(secs) => theme
                .good
                .apply_to(format!("passed in {} of {allowed}", clock_text(secs))),
            None => theme.bad.apply_to(format!("time's up at {allowed}")),
        };
        let _ = writeln!(
            out,
            "{}  {}  {outcome} · {} saves · {} hints · {} checks failed on the way",
            round.started,
            round.exercise,
            round.saves,
            round.hints,
            round.failed_checks.len()
        );
    }
    out
}

/// `seconds` as a clock reads: `m:ss`, or `h:mm:ss` from an hour on.
pub fn clock_text(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The tally of the whole course, and of each topic in course order.
fn tallies<'a>(course: &'a Course, state: &State) -> (Tally, Vec<(&'a str, Tally)>) {
    let mut topics: Vec<(&str, Tally)> = Vec::new();
    let mut total = Tally::default();
    for ex in &course.exercises {
        let progress = state.exercises.get(&ex.name);
        total.add(ex, progress);
        match topics.iter_mut().find(|(t, _)| *t == ex.topic) {
            Some((_, tally)) => tally.add(ex, progress),
            None => {
                let mut tally = Tally::default();
                tally.add(ex, progress);
                topics.push((&ex.topic, tally));
            }
        }
    }
    (total, topics)
}

/// A table's header: its first two columns, then attempts, hints and time.
fn header(theme: &Theme, width: usize, first: &str, second: &str) -> String {
    format!(
        "{}",
        theme.heading.apply_to(format!(
            "{first:width$}  {second:>7}  {:>8}  {:>5}  {:>7}",
            "attempts", "hints", "time"
        ))
    )
}

/// The table of every exercise, and how time is counted.
fn per_exercise(course: &Course, state: &State, theme: &Theme, width: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n{}", header(theme, width, "exercise", "status"));
    for ex in &course.exercises {
        let p = state.exercises.get(&ex.name).cloned().unwrap_or_default();
        let (status, style) = if p.done {
            ("done", &theme.good)
        } else if p.attempts > 0 {
            ("started", &theme.warn)
        } else {
            ("-", &theme.dim)
        };
        let _ = writeln!(
            out,
            "{:width$}  {}  {:>8}  {:>5}  {:>7}",
            ex.name,
            style.apply_to(format!("{status:>7}")),
            p.attempts,
            format!("{}/{}", p.hints_shown, ex.hints.len()),
            duration(p.seconds)
        );
    }
    let _ = writeln!(
        out,
        "\n{}",
        theme.dim.apply_to(
            "Time is counted in watch mode, from one save to the next; a pause over 5 minutes counts as 5."
        )
    );
    out
}

/// `1h 05m`, `12m`, `40s`, or `-` for none.
fn duration(seconds: u64) -> String {
    match seconds {
        0 => "-".to_string(),
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_read_as_minutes_and_seconds() {
        assert_eq!(clock_text(0), "0:00");
        assert_eq!(clock_text(2700), "45:00");
        assert_eq!(clock_text(3725), "1:02:05");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "-");
        assert_eq!(duration(42), "42s");
        assert_eq!(duration(600), "10m");
        assert_eq!(duration(3900), "1h 05m");
    }
}
