use super::async_jobs::{Accepted, JobError, JobStore, State};
use crate::kit::{SplitMix64, learner};
use JobError::{InvalidTransition, JobFailed, NotFinished, NotFound};
use State::{Failed, Pending, Running, Succeeded};

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::hint::black_box;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

fn time_text(ms: u64) -> String {
    if ms == u64::MAX {
        "u64::MAX".to_string()
    } else if ms > u64::MAX - 1000 {
        format!("u64::MAX - {}", u64::MAX - ms)
    } else {
        ms.to_string()
    }
}

fn accepted(id: u64) -> Accepted {
    Accepted {
        id,
        status_url: format!("/jobs/{id}"),
    }
}

// ---------------------------------------------------------------------------------------
// A scripted store: a failure message lists every call before the failing one.

struct Probe {
    jobs: JobStore,
    calls: Vec<String>,
}

impl Probe {
    fn new(retention_ms: u64) -> Self {
        let call = format!("JobStore::new({})", time_text(retention_ms));
        let jobs = learner(|| call.clone(), || JobStore::new(retention_ms));
        Probe {
            jobs,
            calls: vec![call],
        }
    }

    fn context(&self, call: &str) -> String {
        format!("after {}: {call}", self.calls.join(", "))
    }

    /// Runs one call and compares its answer; `why` explains the expectation.
    fn expect<R: Debug + PartialEq>(
        &mut self,
        call: String,
        f: impl FnOnce(&mut JobStore) -> R,
        expected: R,
        why: &str,
    ) {
        let context = self.context(&call);
        let jobs = &mut self.jobs;
        let got = learner(|| context.clone(), || f(jobs));
        if got != expected {
            panic!("{context} returned {got:?}, expected {expected:?}{why}");
        }
        self.calls.push(call);
    }

    fn submit(&mut self, payload: &str, now_ms: u64, id: u64) {
        let call = format!("submit({payload:?}, {})", time_text(now_ms));
        self.expect(call, |j| j.submit(payload, now_ms), accepted(id), "");
    }

    fn status(&mut self, id: u64, now_ms: u64, expected: Result<State, JobError>) {
        let call = format!("status({id}, {})", time_text(now_ms));
        self.expect(call, |j| j.status(id, now_ms), expected, "");
    }

    fn status_why(&mut self, id: u64, now_ms: u64, expected: Result<State, JobError>, why: &str) {
        let call = format!("status({id}, {})", time_text(now_ms));
        self.expect(call, |j| j.status(id, now_ms), expected, why);
    }

    fn result(&mut self, id: u64, now_ms: u64, expected: Result<&str, JobError>) {
        let call = format!("result({id}, {})", time_text(now_ms));
        let expected = expected.map(str::to_string);
        self.expect(call, |j| j.result(id, now_ms), expected, "");
    }

    fn start(&mut self, id: u64, now_ms: u64, expected: Result<&str, JobError>) {
        let call = format!("start({id}, {})", time_text(now_ms));
        let expected = expected.map(str::to_string);
        self.expect(call, |j| j.start(id, now_ms), expected, "");
    }

    fn succeed(&mut self, id: u64, result: &str, now_ms: u64, expected: Result<(), JobError>) {
        let call = format!("succeed({id}, {result:?}, {})", time_text(now_ms));
        self.expect(call, |j| j.succeed(id, result, now_ms), expected, "");
    }

    fn fail(&mut self, id: u64, error: &str, now_ms: u64, expected: Result<(), JobError>) {
        let call = format!("fail({id}, {error:?}, {})", time_text(now_ms));
        self.expect(call, |j| j.fail(id, error, now_ms), expected, "");
    }

    fn retry(&mut self, id: u64, now_ms: u64, expected: Result<(), JobError>) {
        let call = format!("retry({id}, {})", time_text(now_ms));
        self.expect(call, |j| j.retry(id, now_ms), expected, "");
    }

    fn purge(&mut self, now_ms: u64, expected: &[u64]) {
        let call = format!("purge_expired({})", time_text(now_ms));
        let why = " (the expired jobs' ids, in ascending order)";
        self.expect(call, |j| j.purge_expired(now_ms), expected.to_vec(), why);
    }

    fn len(&mut self, expected: usize) {
        let context = self.context("len()");
        let jobs = &self.jobs;
        let got = learner(|| context.clone(), || jobs.len());
        if got != expected {
            panic!("{context} returned {got}, expected {expected}");
        }
    }

    fn is_empty(&mut self, expected: bool) {
        let context = self.context("is_empty()");
        let jobs = &self.jobs;
        let got = learner(|| context.clone(), || jobs.is_empty());
        if got != expected {
            panic!("{context} returned {got}, expected {expected}");
        }
    }
}

fn not_found(id: u64) -> JobError {
    NotFound { id }
}

fn invalid(id: u64, from: State, to: State) -> JobError {
    InvalidTransition { id, from, to }
}

// ---------------------------------------------------------------------------------------
// The state machine.

#[test]
fn submit_returns_sequential_ids_and_their_status_urls() {
    let mut j = Probe::new(60_000);
    j.len(0);
    j.is_empty(true);
    j.submit("orders 2024", 1_000, 1);
    j.submit("orders 2023", 1_000, 2);
    j.submit("", 900, 3);
    j.status(1, 1_000, Ok(Pending));
    j.status(2, 1_000, Ok(Pending));
    j.status(3, 1_000, Ok(Pending));
    j.len(3);
    j.is_empty(false);
}

#[test]
fn start_returns_the_payload_and_the_job_is_running() {
    let mut j = Probe::new(60_000);
    j.submit("orders 2024", 0, 1);
    j.submit("", 0, 2);
    j.start(2, 10, Ok(""));
    j.status(2, 11, Ok(Running));
    j.status(1, 11, Ok(Pending));
    j.start(1, 12, Ok("orders 2024"));
    j.status(1, 13, Ok(Running));
}

#[test]
fn a_job_that_succeeded_has_its_result() {
    let mut j = Probe::new(60_000);
    j.submit("orders 2024", 0, 1);
    j.start(1, 10, Ok("orders 2024"));
    j.succeed(1, "s3://exports/1.csv", 20, Ok(()));
    j.status(1, 21, Ok(Succeeded));
    j.result(1, 22, Ok("s3://exports/1.csv"));
    j.result(1, 23, Ok("s3://exports/1.csv"));
    j.submit("empty", 30, 2);
    j.start(2, 31, Ok("empty"));
    j.succeed(2, "", 32, Ok(()));
    j.result(2, 33, Ok(""));
}

#[test]
fn a_job_that_failed_reports_its_error() {
    let mut j = Probe::new(60_000);
    j.submit("orders 2024", 0, 1);
    j.start(1, 10, Ok("orders 2024"));
    j.fail(1, "disk full", 20, Ok(()));
    j.status(1, 21, Ok(Failed));
    let failed = JobFailed {
        id: 1,
        error: "disk full".to_string(),
    };
    j.result(1, 22, Err(failed));
}

#[test]
fn result_of_an_unfinished_job_is_not_finished() {
    let mut j = Probe::new(60_000);
    j.submit("orders 2024", 0, 1);
    j.result(
        1,
        1,
        Err(NotFinished {
            id: 1,
            state: Pending,
        }),
    );
    j.start(1, 2, Ok("orders 2024"));
    j.result(
        1,
        3,
        Err(NotFinished {
            id: 1,
            state: Running,
        }),
    );
    j.succeed(1, "done", 4, Ok(()));
    j.result(1, 5, Ok("done"));
}

/// Puts job `id` (payload "p") into `state` at time 0..3.
fn job_in_state(j: &mut Probe, id: u64, state: State) {
    j.submit("p", 0, id);
    match state {
        Pending => {}
        Running => j.start(id, 1, Ok("p")),
        Succeeded => {
            j.start(id, 1, Ok("p"));
            j.succeed(id, "r", 2, Ok(()));
        }
        Failed => {
            j.start(id, 1, Ok("p"));
            j.fail(id, "e", 2, Ok(()));
        }
    }
}

#[test]
fn invalid_transitions_are_refused_and_change_nothing() {
    for state in [Pending, Running, Succeeded, Failed] {
        let mut j = Probe::new(60_000);
        job_in_state(&mut j, 1, state);
        if state != Pending {
            j.start(1, 10, Err(invalid(1, state, Running)));
        }
        if state != Running {
            j.succeed(1, "other", 11, Err(invalid(1, state, Succeeded)));
            j.fail(1, "other", 12, Err(invalid(1, state, Failed)));
        }
        if state != Failed {
            j.retry(1, 13, Err(invalid(1, state, Pending)));
        }
        j.status_why(1, 14, Ok(state), " (a refused call changes nothing)");
        match state {
            Succeeded => j.result(1, 15, Ok("r")),
            Failed => j.result(
                1,
                15,
                Err(JobFailed {
                    id: 1,
                    error: "e".to_string(),
                }),
            ),
            _ => j.result(1, 15, Err(NotFinished { id: 1, state })),
        }
    }
}

#[test]
fn retry_makes_a_failed_job_pending_again_under_the_same_id() {
    let mut j = Probe::new(60_000);
    j.submit("orders 2024", 0, 1);
    j.start(1, 10, Ok("orders 2024"));
    j.fail(1, "timeout", 20, Ok(()));
    j.retry(1, 30, Ok(()));
    j.status(1, 31, Ok(Pending));
    j.result(
        1,
        32,
        Err(NotFinished {
            id: 1,
            state: Pending,
        }),
    );
    j.start(1, 40, Ok("orders 2024"));
    j.succeed(1, "s3://exports/1.csv", 50, Ok(()));
    j.result(1, 51, Ok("s3://exports/1.csv"));
    j.submit("next", 60, 2);
    j.len(2);
}

#[test]
fn unknown_ids_are_not_found_by_every_method() {
    let mut j = Probe::new(60_000);
    j.status(1, 0, Err(not_found(1)));
    j.submit("a", 0, 1);
    for id in [0, 2, 99, u64::MAX] {
        j.status(id, 1, Err(not_found(id)));
        j.result(id, 1, Err(not_found(id)));
        j.start(id, 1, Err(not_found(id)));
        j.succeed(id, "r", 1, Err(not_found(id)));
        j.fail(id, "e", 1, Err(not_found(id)));
        j.retry(id, 1, Err(not_found(id)));
    }
    j.status(1, 2, Ok(Pending));
    j.len(1);
}

// ---------------------------------------------------------------------------------------
// Retention.

#[test]
fn finished_jobs_expire_retention_after_they_finish() {
    let mut j = Probe::new(1_000);
    j.submit("slow export", 0, 1);
    j.start(1, 10, Ok("slow export"));
    j.status(1, 4_000, Ok(Running));
    j.succeed(1, "done", 5_000, Ok(()));
    j.status_why(
        1,
        5_999,
        Ok(Succeeded),
        " (retention counts from when the job finished, at 5000, not from its submit)",
    );
    j.result(1, 5_999, Ok("done"));
    j.status(1, 6_000, Err(not_found(1)));
    j.result(1, 6_000, Err(not_found(1)));
    j.len(1);
}

#[test]
fn failed_jobs_expire_too() {
    let mut j = Probe::new(1_000);
    j.submit("a", 0, 1);
    j.start(1, 100, Ok("a"));
    j.fail(1, "boom", 200, Ok(()));
    j.status(1, 1_199, Ok(Failed));
    j.status(1, 1_200, Err(not_found(1)));
    j.retry(1, 1_200, Err(not_found(1)));
}

#[test]
fn unfinished_jobs_never_expire() {
    let mut j = Probe::new(10);
    j.submit("waiting", 0, 1);
    j.submit("working", 0, 2);
    j.start(2, 1, Ok("working"));
    j.status_why(1, 1_000_000, Ok(Pending), " (a Pending job never expires)");
    j.status_why(2, 1_000_000, Ok(Running), " (a Running job never expires)");
    j.purge(u64::MAX, &[]);
    j.status(1, u64::MAX, Ok(Pending));
    j.status(2, u64::MAX, Ok(Running));
    j.start(1, u64::MAX, Ok("waiting"));
    j.succeed(2, "r", u64::MAX - 20, Ok(()));
    j.result(2, u64::MAX - 11, Ok("r"));
    j.result(2, u64::MAX - 10, Err(not_found(2)));
}

#[test]
fn expired_jobs_are_not_found_by_every_method() {
    let mut j = Probe::new(100);
    j.submit("a", 0, 1);
    j.start(1, 1, Ok("a"));
    j.succeed(1, "r", 2, Ok(()));
    j.submit("b", 0, 2);
    j.start(2, 1, Ok("b"));
    j.fail(2, "e", 2, Ok(()));
    for id in [1, 2] {
        j.status(id, 102, Err(not_found(id)));
        j.result(id, 102, Err(not_found(id)));
        j.start(id, 102, Err(not_found(id)));
        j.succeed(id, "r", 102, Err(not_found(id)));
        j.fail(id, "e", 102, Err(not_found(id)));
        j.retry(id, 102, Err(not_found(id)));
    }
    // Time is a parameter: asked about an earlier moment, the job still exists.
    j.status(1, 101, Ok(Succeeded));
    j.result(
        2,
        101,
        Err(JobFailed {
            id: 2,
            error: "e".to_string(),
        }),
    );
    j.retry(2, 101, Ok(()));
    j.status(2, 5_000, Ok(Pending));
}

#[test]
fn retry_cancels_the_expiry_until_the_job_finishes_again() {
    let mut j = Probe::new(1_000);
    j.submit("a", 0, 1);
    j.start(1, 10, Ok("a"));
    j.fail(1, "timeout", 100, Ok(()));
    j.retry(1, 500, Ok(()));
    j.status_why(
        1,
        1_100,
        Ok(Pending),
        " (after retry the job is unfinished again, so it no longer expires)",
    );
    j.start(1, 2_000, Ok("a"));
    j.status(1, 2_500, Ok(Running));
    j.succeed(1, "done", 3_000, Ok(()));
    j.result(1, 3_999, Ok("done"));
    j.status(1, 4_000, Err(not_found(1)));
}

#[test]
fn zero_retention_expires_a_job_as_it_finishes() {
    let mut j = Probe::new(0);
    j.submit("a", 5, 1);
    j.status(1, 5, Ok(Pending));
    j.start(1, 5, Ok("a"));
    j.succeed(1, "r", 5, Ok(()));
    j.status(1, 5, Err(not_found(1)));
    j.result(1, 4, Ok("r"));
    j.purge(5, &[1]);
    j.len(0);
}

#[test]
fn retention_near_u64_max_does_not_overflow() {
    let mut j = Probe::new(u64::MAX);
    job_in_state(&mut j, 1, Succeeded);
    j.submit("b", 5, 2);
    j.start(2, 5, Ok("b"));
    j.fail(2, "e", 5, Ok(()));
    j.status_why(
        1,
        u64::MAX,
        Ok(Succeeded),
        " (finished at 2 with retention u64::MAX: 2 + u64::MAX lies beyond every time, so \
         it never expires)",
    );
    j.status(2, u64::MAX, Ok(Failed));
    j.purge(u64::MAX, &[]);
    j.len(2);

    // Finished at 0 with retention u64::MAX: expires at exactly u64::MAX.
    let mut j = Probe::new(u64::MAX);
    j.submit("a", 0, 1);
    j.start(1, 0, Ok("a"));
    j.succeed(1, "r", 0, Ok(()));
    j.status(1, u64::MAX - 1, Ok(Succeeded));
    j.status(1, u64::MAX, Err(not_found(1)));

    // Finished at u64::MAX - 5 with retention 10: beyond every time, never expires.
    let mut j = Probe::new(10);
    j.submit("a", u64::MAX - 5, 1);
    j.start(1, u64::MAX - 5, Ok("a"));
    j.succeed(1, "r", u64::MAX - 5, Ok(()));
    j.status(1, u64::MAX, Ok(Succeeded));
    j.purge(u64::MAX, &[]);
}

#[test]
fn purge_expired_deletes_expired_jobs_and_returns_their_ids_in_order() {
    const JOBS: u64 = 24;
    let finished_at = |id: u64| (id * 37) % 100 * 10;
    let mut j = Probe::new(1_000);
    j.purge(0, &[]);
    for id in 1..=JOBS {
        j.submit(&format!("job {id}"), 0, id);
        j.start(id, 1, Ok(&format!("job {id}")));
    }
    // Finish the jobs in a scrambled order; every fourth one stays Running.
    for k in 0..JOBS {
        let id = (k * 7) % JOBS + 1;
        if id % 4 == 0 {
            continue;
        }
        if id % 3 == 0 {
            j.fail(id, "e", finished_at(id), Ok(()));
        } else {
            j.succeed(id, "r", finished_at(id), Ok(()));
        }
    }
    j.calls.truncate(1);
    j.calls.push(format!(
        "submit and start of jobs 1 to {JOBS}, then fail (ids divisible by 3) or succeed \
         (the others) of every job whose id is not divisible by 4, at time (id * 37 % 100) * \
         10, in a scrambled order"
    ));
    let finished: Vec<u64> = (1..=JOBS).filter(|id| id % 4 != 0).collect();
    let expired_by = |t: u64| -> Vec<u64> {
        finished
            .iter()
            .copied()
            .filter(|&id| finished_at(id) + 1_000 <= t)
            .collect()
    };
    assert!(
        expired_by(1_500).len() >= 6,
        "check setup: too few expired jobs"
    );
    j.purge(999, &[]);
    j.purge(1_500, &expired_by(1_500));
    j.len(JOBS as usize - expired_by(1_500).len());
    let rest: Vec<u64> = finished
        .iter()
        .copied()
        .filter(|id| !expired_by(1_500).contains(id))
        .collect();
    j.purge(10_000, &rest);
    j.len((JOBS / 4) as usize);
    j.purge(10_000, &[]);
}

#[test]
fn ids_are_never_reused_after_purge() {
    let mut j = Probe::new(100);
    job_in_state(&mut j, 1, Succeeded);
    job_in_state(&mut j, 2, Failed);
    j.submit("c", 0, 3);
    j.purge(1_000, &[1, 2]);
    j.len(1);
    j.submit("d", 1_001, 4);
    j.status(1, 1_002, Err(not_found(1)));
    j.status(4, 1_002, Ok(Pending));
    j.start(4, 1_003, Ok("d"));
    j.start(3, 1_004, Ok("c"));
}

#[test]
fn the_export_example_from_the_statement() {
    let mut j = Probe::new(60_000);
    j.submit("orders 2024", 1_000, 1);
    j.status(1, 1_500, Ok(Pending));
    j.result(
        1,
        1_500,
        Err(NotFinished {
            id: 1,
            state: Pending,
        }),
    );
    j.succeed(1, "s3://x.csv", 1_600, Err(invalid(1, Pending, Succeeded)));
    j.start(1, 2_000, Ok("orders 2024"));
    j.start(1, 2_001, Err(invalid(1, Running, Running)));
    j.succeed(1, "s3://x.csv", 9_000, Ok(()));
    j.result(1, 68_999, Ok("s3://x.csv"));
    j.status(1, 69_000, Err(not_found(1)));
    j.len(1);
    j.purge(69_000, &[1]);
    j.submit("orders 2023", 70_000, 2);
    j.start(2, 70_001, Ok("orders 2023"));
    j.fail(2, "disk full", 70_002, Ok(()));
    let failed = JobFailed {
        id: 2,
        error: "disk full".to_string(),
    };
    j.result(2, 70_003, Err(failed));
    j.retry(2, 70_004, Ok(()));
    j.status(2, 999_999, Ok(Pending));
    j.status(3, 70_005, Err(not_found(3)));
}

// ---------------------------------------------------------------------------------------
// Random operations against a simple model.

const MODEL_RETENTION: u64 = 50;

#[derive(Clone, Copy, Debug)]
enum Op {
    Submit(u64),
    Status(u64, u64),
    Result(u64, u64),
    Start(u64, u64),
    Succeed(u64, u64),
    Fail(u64, u64),
    Retry(u64, u64),
    Purge(u64),
}

fn op_text(op: Op) -> String {
    match op {
        Op::Submit(t) => format!("submit(\"p\", {t})"),
        Op::Status(id, t) => format!("status({id}, {t})"),
        Op::Result(id, t) => format!("result({id}, {t})"),
        Op::Start(id, t) => format!("start({id}, {t})"),
        Op::Succeed(id, t) => format!("succeed({id}, \"r{id}\", {t})"),
        Op::Fail(id, t) => format!("fail({id}, \"e{id}\", {t})"),
        Op::Retry(id, t) => format!("retry({id}, {t})"),
        Op::Purge(t) => format!("purge_expired({t})"),
    }
}

/// The obvious store: id -> (state, output, finished at).
#[derive(Default)]
struct Model {
    next: u64,
    jobs: BTreeMap<u64, (State, String, Option<u64>)>,
}

impl Model {
    fn live(&self, id: u64, t: u64) -> Result<(State, String), JobError> {
        match self.jobs.get(&id) {
            Some((state, out, finished)) if !finished.is_some_and(|f| t >= f + MODEL_RETENTION) => {
                Ok((*state, out.clone()))
            }
            _ => Err(not_found(id)),
        }
    }

    fn step(
        &mut self,
        id: u64,
        t: u64,
        from: State,
        to: State,
        out: String,
    ) -> Result<(), JobError> {
        let (state, _) = self.live(id, t)?;
        if state != from {
            return Err(invalid(id, state, to));
        }
        let finished = matches!(to, Succeeded | Failed).then_some(t);
        self.jobs.insert(id, (to, out, finished));
        Ok(())
    }

    /// The expected answer, as Debug text.
    fn apply(&mut self, op: Op) -> String {
        match op {
            Op::Submit(_) => {
                self.next += 1;
                self.jobs.insert(self.next, (Pending, String::new(), None));
                format!("{:?}", accepted(self.next))
            }
            Op::Status(id, t) => format!("{:?}", self.live(id, t).map(|(s, _)| s)),
            Op::Result(id, t) => format!(
                "{:?}",
                self.live(id, t).and_then(|(state, out)| match state {
                    Succeeded => Ok(out),
                    Failed => Err(JobFailed { id, error: out }),
                    state => Err(NotFinished { id, state }),
                })
            ),
            Op::Start(id, t) => format!(
                "{:?}",
                self.step(id, t, Pending, Running, String::new())
                    .map(|()| "p".to_string())
            ),
            Op::Succeed(id, t) => format!(
                "{:?}",
                self.step(id, t, Running, Succeeded, format!("r{id}"))
            ),
            Op::Fail(id, t) => format!("{:?}", self.step(id, t, Running, Failed, format!("e{id}"))),
            Op::Retry(id, t) => format!("{:?}", self.step(id, t, Failed, Pending, String::new())),
            Op::Purge(t) => {
                let gone: Vec<u64> = self
                    .jobs
                    .iter()
                    .filter(|(_, (_, _, f))| f.is_some_and(|f| t >= f + MODEL_RETENTION))
                    .map(|(&id, _)| id)
                    .collect();
                for id in &gone {
                    self.jobs.remove(id);
                }
                format!("{gone:?}")
            }
        }
    }
}

fn run_learner(jobs: &mut JobStore, op: Op) -> String {
    match op {
        Op::Submit(t) => format!("{:?}", jobs.submit("p", t)),
        Op::Status(id, t) => format!("{:?}", jobs.status(id, t)),
        Op::Result(id, t) => format!("{:?}", jobs.result(id, t)),
        Op::Start(id, t) => format!("{:?}", jobs.start(id, t)),
        Op::Succeed(id, t) => format!("{:?}", jobs.succeed(id, &format!("r{id}"), t)),
        Op::Fail(id, t) => format!("{:?}", jobs.fail(id, &format!("e{id}"), t)),
        Op::Retry(id, t) => format!("{:?}", jobs.retry(id, t)),
        Op::Purge(t) => format!("{:?}", jobs.purge_expired(t)),
    }
}

/// Replays `ops` on a fresh store and model: the index of the first wrong call and why.
fn first_mismatch(ops: &[Op]) -> Option<(usize, String)> {
    crate::kit::first_mismatch(
        ops,
        || {
            let jobs = JobStore::new(MODEL_RETENTION);
            let model = Model::default();
            (jobs, model)
        },
        |(jobs, model), &op| {
            let got = run_learner(jobs, op);
            let expected = model.apply(op);
            if got != expected {
                return Some(format!(
                    "{} returned {got}, expected {expected}",
                    op_text(op)
                ));
            }
            let (got, expected) = (jobs.len(), model.jobs.len());
            if got != expected {
                return Some(format!(
                    "{}, then len() returned {got}, expected {expected}",
                    op_text(op)
                ));
            }
            None
        },
        |i, panicked| format!("{} panicked {panicked}", op_text(ops[i])),
    )
}

/// Drops calls while the replay still goes wrong, for a short failing sequence.
fn shrink(ops: Vec<Op>) -> Vec<Op> {
    crate::kit::shrink(ops, |ops| first_mismatch(ops).map(|(at, _)| at))
}

#[test]
fn random_operations_match_a_reference_model() {
    const SEQUENCES: u64 = 120;
    const OPS: usize = 40;
    for n in 0..SEQUENCES {
        let seed = 0xA5_0000 + n;
        let mut rng = SplitMix64(seed);
        let mut now = 0;
        let mut issued = 0;
        let ops: Vec<Op> = (0..OPS)
            .map(|_| {
                now += rng.below(20);
                // Times sometimes step back a little: calls need not come in time order.
                let t = now.saturating_sub(rng.below(4) * rng.below(10));
                let id = rng.below(issued + 2);
                match rng.below(16) {
                    0..=2 => {
                        issued += 1;
                        Op::Submit(t)
                    }
                    3 | 4 => Op::Status(id, t),
                    5 | 6 => Op::Result(id, t),
                    7..=9 => Op::Start(id, t),
                    10 | 11 => Op::Succeed(id, t),
                    12 => Op::Fail(id, t),
                    13 | 14 => Op::Retry(id, t),
                    _ => Op::Purge(t),
                }
            })
            .collect();
        if let Some((at, _)) = first_mismatch(&ops) {
            // A learner's HashMap may behave differently on every run: retry a few times,
            // and keep the unshrunk sequence if the shrunk one happens to pass.
            let reproduce = |ops: &[Op]| (0..10).find_map(|_| first_mismatch(ops));
            let shrunk = shrink(ops[..=at].to_vec());
            let (failing, (last, why)) = match reproduce(&shrunk) {
                Some(found) => (shrunk, found),
                None => {
                    let failing = ops[..=at].to_vec();
                    let found = reproduce(&failing).unwrap_or((
                        at,
                        format!("{} failed on the first run only", op_text(ops[at])),
                    ));
                    (failing, found)
                }
            };
            let before: String = failing[..last]
                .iter()
                .map(|&op| format!(", {}", op_text(op)))
                .collect();
            panic!(
                "random calls (seed {seed:#x}), shrunk to: JobStore::new({MODEL_RETENTION})\
                 {before}; then {why}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// O(1) or O(log n) per call: compare times with few and with many jobs.

fn store_with_jobs(size: u64) -> JobStore {
    learner(
        || format!("JobStore::new(1000000) with {size} submitted jobs"),
        || {
            let mut jobs = JobStore::new(1_000_000);
            for _ in 0..size {
                black_box(jobs.submit("p", 0));
            }
            jobs
        },
    )
}

/// Time of a job's whole life, plus polls, for `rounds` random existing jobs.
fn time_lifecycles(jobs: &mut JobStore, ids: &[u64]) -> Duration {
    let start = Instant::now();
    for &id in ids {
        let _ = black_box(jobs.status(id, 1));
        let _ = black_box(jobs.start(id, 1));
        let _ = black_box(jobs.fail(id, "e", 1));
        let _ = black_box(jobs.result(id, 1));
        let _ = black_box(jobs.retry(id, 1));
    }
    start.elapsed()
}

#[test]
fn call_time_does_not_grow_with_the_number_of_jobs() {
    // Same run, min of interleaved repetitions, 16x apart; only the ratio matters. A map
    // measures 1x to 1.5x; scanning a list of jobs measures about 10x. A correct store must
    // pass one of three attempts; a scan fails all three.
    const SMALL: u64 = 128;
    const LARGE: u64 = 2048;
    const ROUNDS: usize = 60;
    const REPETITIONS: u32 = 4;
    const ATTEMPTS: u32 = 3;
    const LIMIT: f64 = 3.0;
    let mut small = store_with_jobs(SMALL);
    let mut large = store_with_jobs(LARGE);
    let mut rng = SplitMix64(0xCAFE);
    let small_ids: Vec<u64> = (0..ROUNDS).map(|_| 1 + rng.below(SMALL)).collect();
    let large_ids: Vec<u64> = (0..ROUNDS).map(|_| 1 + rng.below(LARGE)).collect();
    let mut ratios = Vec::new();
    for _ in 0..ATTEMPTS {
        let (mut t_small, mut t_large) = (Duration::MAX, Duration::MAX);
        learner(
            || format!("status, start, fail, result and retry in a store of {LARGE} jobs"),
            || {
                for _ in 0..REPETITIONS {
                    t_small = t_small.min(time_lifecycles(&mut small, &small_ids));
                    t_large = t_large.min(time_lifecycles(&mut large, &large_ids));
                }
            },
        );
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
        if ratio <= LIMIT {
            return;
        }
        ratios.push(format!("{ratio:.1}x"));
    }
    panic!(
        "{ROUNDS} rounds of status, start, fail, result and retry of a random job in a store \
         of {LARGE} jobs took {} as long as in a store of {SMALL} jobs (best of {REPETITIONS}, \
         in {ATTEMPTS} attempts), expected about the same (at most {LIMIT}x): find a job by \
         its id in a map (HashMap or BTreeMap), not by scanning all jobs",
        ratios.join(", ")
    );
}
