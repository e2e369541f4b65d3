//! When watch mode grades: every save asks for a read of the exercise file; what the newest
//! read finds starts a grade, cancels the running one (which then restarts on the newest
//! content), or is ignored because it is what was graded last. No threads or clocks here:
//! the loop reports reads and grades, and does what the answers say.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What to do with the content a read found.
#[derive(Debug)]
pub enum AfterRead {
    /// A newer read was asked for since: this one decides nothing.
    Stale,
    /// Grade it: `seq` names the grade, and `cancel` stops it.
    Start { seq: u64, cancel: Arc<AtomicBool> },
    /// A grade of other content was running: it is cancelled, and the newest content is
    /// graded once it stops.
    Cancelled,
    /// The running grade is of this very content: let it finish.
    AlreadyGrading,
    /// It is what the verdict shown is for (say, renamed away and back): show that again.
    Unchanged,
}

/// What to do with a grade that ended.
#[derive(Debug, PartialEq, Eq)]
pub enum AfterGrade {
    /// It is not the newest grade: drop it.
    Stale,
    /// A newer save cancelled it: read the file and grade again, changed or not.
    Restart,
    /// Show its verdict.
    Deliver,
}

#[derive(Default)]
pub struct Scheduler {
    /// The newest read asked for, and whether what it finds must be graded even if unchanged.
    reads: u64,
    force_next_read: bool,
    /// The newest grade started, and its cancel flag while it runs.
    seq: u64,
    running: Option<Arc<AtomicBool>>,
    /// The running grade was cancelled for newer content: grade again when it stops.
    regrade: bool,
    /// The content of the verdict shown, and of the grade running, by hash.
    graded_hash: Option<u64>,
    grading_hash: Option<u64>,
}

impl Scheduler {
    /// A read of the exercise file is wanted (a save, `r`, a move to another exercise);
    /// `force` grades what it finds even if unchanged. Returns the read's number.
    pub fn want_read(&mut self, force: bool) -> u64 {
        self.reads += 1;
        self.force_next_read |= force;
        self.reads
    }

    /// Whether `read` is the newest read, which alone decides; it is then answered, and
    /// whether it was forced is forgotten.
    fn answer(&mut self, read: u64) -> Option<bool> {
        (read == self.reads).then(|| std::mem::take(&mut self.force_next_read))
    }

    /// A read failed: whether it is the newest, whose failure is the one to show.
    pub fn read_failed(&mut self, read: u64) -> bool {
        self.answer(read).is_some()
    }

    /// Read `read` found content hashing to `hash`.
    pub fn read_done(&mut self, read: u64, hash: u64) -> AfterRead {
        let Some(force) = self.answer(read) else {
            return AfterRead::Stale;
        };
        if let Some(cancel) = &self.running {
            if self.grading_hash != Some(hash) || force {
                cancel.store(true, Ordering::Relaxed);
                self.regrade = true;
                return AfterRead::Cancelled;
            }
            return AfterRead::AlreadyGrading;
        }
        if !force && self.graded_hash == Some(hash) {
            return AfterRead::Unchanged;
        }
        self.seq += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        self.running = Some(cancel.clone());
        self.grading_hash = Some(hash);
        AfterRead::Start {
            seq: self.seq,
            cancel,
        }
    }

    /// Grade `seq` ended (with a verdict, cancelled, or not graded).
    pub fn grade_done(&mut self, seq: u64) -> AfterGrade {
        if seq != self.seq {
            return AfterGrade::Stale;
        }
        self.running = None;
        if std::mem::take(&mut self.regrade) {
            return AfterGrade::Restart;
        }
        AfterGrade::Deliver
    }

    /// The delivered verdict is shown: its content is the one an unchanged save leaves be.
    /// Returns that content's hash.
    pub fn shown(&mut self) -> Option<u64> {
        self.graded_hash = self.grading_hash;
        self.graded_hash
    }

    /// Whether a grade is running.
    pub fn grading(&self) -> bool {
        self.running.is_some()
    }

    /// Another exercise is shown: the running grade is cancelled, and its end, even if it
    /// got a verdict before it saw the flag, is stale; nothing of this one's is remembered.
    pub fn forget(&mut self) {
        if let Some(cancel) = self.running.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        self.seq += 1;
        self.regrade = false;
        self.graded_hash = None;
        self.grading_hash = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Starts a grade of content `hash`, as a save followed by its read does.
    fn start(s: &mut Scheduler, hash: u64) -> (u64, Arc<AtomicBool>) {
        let read = s.want_read(false);
        match s.read_done(read, hash) {
            AfterRead::Start { seq, cancel } => (seq, cancel),
            other => panic!("expected a start, got {other:?}"),
        }
    }

    #[test]
    fn a_save_starts_a_grade_and_its_verdict_is_delivered() {
        let mut s = Scheduler::default();
        let (seq, cancel) = start(&mut s, 1);
        assert!(s.grading());
        assert_eq!(s.grade_done(seq), AfterGrade::Deliver);
        assert!(!s.grading());
        assert!(!cancel.load(Ordering::Relaxed));
        assert_eq!(s.shown(), Some(1));
    }

    #[test]
    fn a_burst_of_saves_cancels_the_running_grade_once_and_grades_the_newest_next() {
        let mut s = Scheduler::default();
        let (first, cancel) = start(&mut s, 1);
        // Three saves arrive while it runs; only the newest read decides.
        let reads: Vec<u64> = (0..3).map(|_| s.want_read(false)).collect();
        assert!(matches!(s.read_done(reads[0], 2), AfterRead::Stale));
        assert!(matches!(s.read_done(reads[1], 3), AfterRead::Stale));
        assert!(matches!(s.read_done(reads[2], 4), AfterRead::Cancelled));
        assert!(
            cancel.load(Ordering::Relaxed),
            "the running grade is cancelled"
        );
        // The cancelled grade ends: the file is read again, and a grade of it starts.
        assert_eq!(s.grade_done(first), AfterGrade::Restart);
        let read = s.want_read(true);
        let AfterRead::Start { seq, cancel } = s.read_done(read, 4) else {
            panic!("the newest content is graded");
        };
        assert!(seq > first);
        assert!(!cancel.load(Ordering::Relaxed));
        assert_eq!(s.grade_done(seq), AfterGrade::Deliver);
        assert_eq!(s.shown(), Some(4));
    }

    #[test]
    fn saving_what_is_being_graded_lets_the_grade_finish() {
        let mut s = Scheduler::default();
        let (seq, cancel) = start(&mut s, 7);
        let read = s.want_read(false);
        assert!(matches!(s.read_done(read, 7), AfterRead::AlreadyGrading));
        assert!(!cancel.load(Ordering::Relaxed));
        assert_eq!(s.grade_done(seq), AfterGrade::Deliver);
    }

    #[test]
    fn an_unchanged_file_is_not_graded_again_unless_forced() {
        let mut s = Scheduler::default();
        let (seq, _) = start(&mut s, 5);
        s.grade_done(seq);
        s.shown();
        let read = s.want_read(false);
        assert!(matches!(s.read_done(read, 5), AfterRead::Unchanged));
        assert!(!s.grading());
        // `r` forces it; and a forced read stays forced even if a plain one follows.
        s.want_read(true);
        let read = s.want_read(false);
        assert!(matches!(s.read_done(read, 5), AfterRead::Start { .. }));
    }

    #[test]
    fn a_verdict_that_was_not_shown_does_not_make_its_content_unchanged() {
        let mut s = Scheduler::default();
        let (seq, _) = start(&mut s, 5);
        // Delivered but not shown (it could not be graded): the same content grades again.
        assert_eq!(s.grade_done(seq), AfterGrade::Deliver);
        let read = s.want_read(false);
        assert!(matches!(s.read_done(read, 5), AfterRead::Start { .. }));
    }

    #[test]
    fn a_grade_ending_after_a_newer_one_started_is_dropped() {
        let mut s = Scheduler::default();
        let (old, _) = start(&mut s, 1);
        s.forget();
        let (new, _) = start(&mut s, 2);
        assert_eq!(s.grade_done(old), AfterGrade::Stale);
        assert!(s.grading(), "the newer grade still runs");
        assert_eq!(s.grade_done(new), AfterGrade::Deliver);
    }

    #[test]
    fn moving_to_another_exercise_cancels_the_grade_without_a_restart() {
        let mut s = Scheduler::default();
        let (seq, cancel) = start(&mut s, 1);
        let read = s.want_read(false);
        assert!(matches!(s.read_done(read, 2), AfterRead::Cancelled));
        s.forget();
        assert!(cancel.load(Ordering::Relaxed));
        assert!(!s.grading());
        // Its end, verdict or not, is no grade of the exercise shown now; nothing restarts.
        assert_eq!(s.grade_done(seq), AfterGrade::Stale);
        let (next, _) = start(&mut s, 1);
        assert_eq!(s.grade_done(seq), AfterGrade::Stale);
        assert_eq!(s.grade_done(next), AfterGrade::Deliver);
    }

    #[test]
    fn only_the_newest_failed_read_is_shown() {
        let mut s = Scheduler::default();
        let old = s.want_read(false);
        let new = s.want_read(false);
        assert!(!s.read_failed(old));
        assert!(s.read_failed(new));
    }
}
