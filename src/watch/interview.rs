//! A mock interview round: one exercise against the clock, hints hidden until asked for, and
//! a scorecard at the end (a pass or time's up) that is kept in the progress.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::course::Exercise;
use crate::grader::{Outcome, Verdict};
use crate::state::InterviewRecord;
use crate::ui::{Theme, clock_text};

pub struct Round {
    /// Index of the exercise in the course.
    pub exercise: usize,
    started: Instant,
    started_at: String,
    limit: Duration,
    first_compile: Option<Duration>,
    passed_at: Option<Duration>,
    saves: u32,
    /// Hints revealed in this round: only these are shown.
    pub hints: usize,
    failed_checks: Vec<String>,
    /// The content last counted as a save, so a re-grade of it is not one.
    last_content: Option<u64>,
    ended: bool,
}

impl Round {
    pub fn new(exercise: usize, limit: Duration) -> Round {
        Round {
            exercise,
            started: Instant::now(),
            started_at: jiff::Zoned::now().strftime("%Y-%m-%d %H:%M").to_string(),
            limit,
            first_compile: None,
            passed_at: None,
            saves: 0,
            hints: 0,
            failed_checks: Vec::new(),
            last_content: None,
            ended: false,
        }
    }

    pub fn is_over(&self) -> bool {
        self.ended
    }

    pub fn time_is_up(&self) -> bool {
        self.started.elapsed() >= self.limit
    }

    /// The header's clock: `mock interview · 44:12 left`.
    pub fn clock(&self) -> String {
        let left = self.limit.saturating_sub(self.started.elapsed());
        // Rounded up, so 0:00 shows only once time is up.
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        format!("mock interview · {} left", clock_text(secs))
    }

    /// Takes in a grade of `content`; true if it passed, which ends the round. The first
    /// grade is of the file as the round found it: the round counts from the first save.
    pub fn on_verdict(&mut self, verdict: &Verdict, content: u64) -> bool {
        let elapsed = self.started.elapsed();
        let found = self.last_content.replace(content);
        match found {
            None => return false,
            Some(last) if last != content => self.saves += 1,
            Some(_) => {}
        }
        if verdict.outcome == Outcome::CompileError {
            return false;
        }
        self.first_compile.get_or_insert(elapsed);
        for check in verdict.failed_checks() {
            if !self.failed_checks.contains(&check.name) {
                self.failed_checks.push(check.name.clone());
            }
        }
        if verdict.passed() {
            self.passed_at = Some(elapsed);
        }
        verdict.passed()
    }

    /// Ends the round: what the progress keeps of it.
    pub fn end(&mut self, ex: &Exercise) -> InterviewRecord {
        self.ended = true;
        InterviewRecord {
            exercise: ex.name.clone(),
            started: self.started_at.clone(),
            seconds_allowed: self.limit.as_secs(),
            passed: self.passed_at.is_some(),
            first_compile_secs: self.first_compile.map(|d| d.as_secs()),
            pass_secs: self.passed_at.map(|d| d.as_secs()),
            saves: self.saves,
            hints: u32::try_from(self.hints).unwrap_or(u32::MAX),
            failed_checks: self.failed_checks.clone(),
        }
    }
}

/// The scorecard of a round that ended, then the exercise's debrief, if any.
pub fn scorecard(
    record: &InterviewRecord,
    ex: &Exercise,
    debrief: Option<&str>,
    theme: &Theme,
) -> String {
    let allowed = clock_text(record.seconds_allowed);
    let mut out = match record.pass_secs {
        Some(secs) => format!(
            "{} {} passed in {} of the {allowed} allowed.\n\n",
            theme.good.apply_to("✓ Mock interview:"),
            ex.name,
            clock_text(secs)
        ),
        None => format!(
            "{} {} did not pass within {allowed}.\n\n",
            theme.bad.apply_to("✗ Time's up:"),
            ex.name
        ),
    };
    let seconds = |s: Option<u64>| s.map_or_else(|| "-".to_string(), clock_text);
    let rows = [
        ("first compile", seconds(record.first_compile_secs)),
        ("first pass", seconds(record.pass_secs)),
        ("saves graded", record.saves.to_string()),
        (
            "hints used",
            format!("{} of {}", record.hints, ex.hints.len()),
        ),
        (
            "checks failed",
            match record.failed_checks.len() {
                0 => "none on the way".to_string(),
                n => format!("{n} on the way: {}", record.failed_checks.join(", ")),
            },
        ),
    ];
    for (what, value) in rows {
        let _ = writeln!(out, "  {:<15} {value}", theme.heading.apply_to(what));
    }
    out.push('\n');
    match debrief {
        Some(debrief) => out.push_str(debrief),
        None => out.push_str("This course has no debrief for the exercise.\n"),
    }
    out.push_str(&format!(
        "\n{}\n",
        theme
            .dim
            .apply_to("The round is kept in your progress: `backlings stats` lists every round.")
    ));
    out
}
