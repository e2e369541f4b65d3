//! # job_queue: leases, retries and a dead-letter queue
//!
//! A notification service sends its emails through a job queue: the API enqueues one job
//! per email, and a fleet of workers claim jobs, send them and acknowledge them. Workers
//! die mid-job (a deploy, an out-of-memory kill, a lost network), so a claim must not
//! delete the job. Instead the queue *leases* it: the job becomes invisible for a
//! **visibility timeout**, and if the worker does not acknowledge it before the lease runs
//! out, the job becomes claimable again and another worker gets it. That is
//! **at-least-once** delivery: no job is lost, but a job may run twice, so its work must
//! be idempotent.
//!
//! Two failure modes make this subtle. A worker that was merely *slow* (a long garbage
//! collection pause) may try to acknowledge a job after its lease ended and the job went
//! to another worker: that late ack must be refused, or it would delete a job someone else
//! is still working on. So each claim hands out a fresh **receipt** (a lease token), and
//! only the receipt of the current, unexpired lease counts. And a *poison* job that fails
//! every time (a malformed address that crashes the sender) must not circulate forever:
//! after `max_attempts` deliveries it moves to a **dead-letter queue** for a human to
//! inspect. This is how SQS, Google Pub/Sub and the classic "jobs table with
//! `SELECT ... FOR UPDATE SKIP LOCKED`" all work.
//!
//! ## The task
//!
//! Implement [`JobQueue`]. Keep the declared signatures; the struct's fields are yours.
//! Time is a parameter (`now_ms`, milliseconds) of every call; never read the clock.
//!
//! ## Rules
//!
//! - Every job is in exactly one place: **ready** (claimable), **in flight** (leased to a
//!   worker), **dead** (in the dead-letter queue), or gone (acknowledged).
//! - `enqueue(payload, now_ms)` adds a ready job and returns its id: `1` for the first job
//!   of a queue, then `2`, `3`, ...
//! - `claim(now_ms)` returns `None` if no job is ready. Otherwise it takes the ready job
//!   with the **smallest id** (the oldest), counts one more attempt for it, and leases it
//!   until `now_ms + visibility_timeout_ms` (its *deadline*). It returns a [`Delivery`]
//!   with the job's id and payload, `attempt` (1 on the first delivery of that job, 2 on
//!   the second, ...), and a **new receipt**: a [`Receipt`] value this queue never
//!   returned before (the numbers are yours to choose).
//! - A lease is **live** while `now_ms < deadline`. At `now_ms >= deadline` it has ended
//!   and the delivery counts as failed: the job is ready again, claimable from the
//!   deadline on, unless it has used up its attempts (see below). A deadline beyond
//!   `u64::MAX` never comes: compute `now_ms + visibility_timeout_ms` exactly (the checks
//!   run in debug mode, where an overflowing `+` panics).
//! - `ack(receipt, now_ms)`: if `receipt` belongs to a live lease, the job is done: it is
//!   deleted for good and `ack` returns `Ok(())`. Otherwise it returns
//!   `Err(QueueError::StaleReceipt)` and changes nothing. A receipt is stale when its lease
//!   has ended by any means: expired (whether or not the job was claimed again since),
//!   acked or nacked already; and a receipt this queue never issued is stale too.
//! - `nack(receipt, now_ms)`: the worker reports that the job failed. For a live lease,
//!   the lease ends now and the job is ready again at once (a `claim` at the same `now_ms`
//!   can take it), unless it has used up its attempts; returns `Ok(())`. A stale receipt
//!   returns `Err(QueueError::StaleReceipt)` and changes nothing.
//! - **Dead letters.** When a delivery fails (its lease expires, or it is nacked) and the
//!   job has now been delivered `max_attempts` times, the job goes to the dead-letter
//!   queue instead of back to ready. It is never delivered again.
//!   `dead_letters(now_ms)` lists the dead jobs in ascending id order, each as a
//!   [`DeadLetter`] with its id, payload and number of attempts.
//! - `counts(now_ms)` returns how many jobs are ready, in flight and dead at `now_ms`.
//! - `now_ms` never decreases from one call to the next (the checks guarantee it), and
//!   `max_attempts` is at least 1.
//!
//! ## Examples
//!
//! ```text
//! let mut q = JobQueue::new(30_000, 3);        // 30 s leases, at most 3 deliveries
//! q.enqueue("email 1", 0)     -> 1
//! q.enqueue("email 2", 0)     -> 2
//! q.claim(1_000)              -> Some(Delivery { job_id: 1, payload: "email 1", attempt: 1, receipt: r1 })
//! q.claim(1_000)              -> Some(Delivery { job_id: 2, payload: "email 2", attempt: 1, receipt: r2 })
//! q.claim(1_000)              -> None          both jobs are in flight
//! q.ack(r2, 5_000)            -> Ok(())        job 2 is done
//! q.claim(30_999)             -> None          job 1 is leased until 31_000
//! q.claim(31_000)             -> Some(Delivery { job_id: 1, payload: "email 1", attempt: 2, receipt: r3 })
//! q.ack(r1, 31_500)           -> Err(StaleReceipt)   the first worker was too slow
//! q.nack(r3, 32_000)          -> Ok(())        attempt 2 failed: ready again at once
//! q.claim(32_000)             -> Some(Delivery { job_id: 1, payload: "email 1", attempt: 3, receipt: r4 })
//! q.counts(32_000)            -> Counts { ready: 0, in_flight: 1, dead: 0 }
//! q.claim(62_000)             -> None          attempt 3 timed out: job 1 is dead
//! q.dead_letters(62_000)      -> [DeadLetter { job_id: 1, payload: "email 1", attempts: 3 }]
//! q.ack(r4, 62_000)           -> Err(StaleReceipt)
//! ```
//!
//! (`r1`, `r2`, `r3` and `r4` are four different receipts.)
//!
//! ## Edge cases
//!
//! - `max_attempts == 1`: the first failed delivery dead-letters the job.
//! - `visibility_timeout_ms == 0`: a lease ends the moment it starts, so the job is ready
//!   again at once and even an `ack` at the same `now_ms` is stale.
//! - Several leases can end at the same moment; they all end, and `claim` still takes the
//!   smallest ready id.
//!
//! ## Complexity
//!
//! With n jobs in the queue, `enqueue`, `claim`, `ack` and `nack` must take O(log n)
//! time, amortised over the calls (each lease ends only once), and `counts` O(1) plus
//! the same amortised work. Scanning all jobs to find the smallest ready id, or all
//! leases to find the expired ones, is O(n) per call and fails the checks, which compare
//! the speed of claim and ack in queues of 128 and 2048 jobs. Use only the standard
//! library.

use std::marker::PhantomData;

/// The token a claim hands out; only the latest, unexpired one can ack or nack the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Receipt(pub u64);

/// One delivery of a job to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The id `enqueue` returned.
    pub job_id: u64,
    /// The payload given to `enqueue`.
    pub payload: String,
    /// 1 for the first delivery of this job, 2 for the second, ...
    pub attempt: u32,
    /// The lease token for `ack` and `nack`.
    pub receipt: Receipt,
}

/// A job that used up its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The id `enqueue` returned.
    pub job_id: u64,
    /// The payload given to `enqueue`.
    pub payload: String,
    /// How many times it was delivered (`max_attempts`).
    pub attempts: u32,
}

/// How many jobs are in each place at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Claimable now.
    pub ready: usize,
    /// Claimed, lease still live.
    pub in_flight: usize,
    /// In the dead-letter queue.
    pub dead: usize,
}

/// Why `ack` or `nack` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueError {
    /// The receipt's lease has ended: expired, already acked or nacked, or never issued.
    StaleReceipt,
}

/// An at-least-once job queue with visibility timeouts and a dead-letter queue.
pub struct JobQueue {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl JobQueue {
    /// An empty queue: a claim leases a job for `visibility_timeout_ms`; a job is
    /// delivered at most `max_attempts` times (at least 1).
    pub fn new(visibility_timeout_ms: u64, max_attempts: u32) -> Self {
        todo!("an empty queue with {visibility_timeout_ms} ms leases and {max_attempts} attempts")
    }

    /// Adds a ready job with `payload`; returns its id (1, 2, 3, ...).
    pub fn enqueue(&mut self, payload: &str, now_ms: u64) -> u64 {
        todo!("enqueue {payload:?} at {now_ms} ms")
    }

    /// Leases the ready job with the smallest id until `now_ms + visibility_timeout_ms`,
    /// with a new receipt; `None` if no job is ready.
    pub fn claim(&mut self, now_ms: u64) -> Option<Delivery> {
        todo!("claim a job at {now_ms} ms")
    }

    /// The job leased with `receipt` is done: delete it. `StaleReceipt` if that lease has
    /// ended.
    pub fn ack(&mut self, receipt: Receipt, now_ms: u64) -> Result<(), QueueError> {
        todo!("ack {receipt:?} at {now_ms} ms")
    }

    /// The job leased with `receipt` failed: ready again at once, or dead-lettered when out
    /// of attempts. `StaleReceipt` if that lease has ended.
    pub fn nack(&mut self, receipt: Receipt, now_ms: u64) -> Result<(), QueueError> {
        todo!("nack {receipt:?} at {now_ms} ms")
    }

    /// The dead-letter queue at `now_ms`, in ascending job id order.
    pub fn dead_letters(&mut self, now_ms: u64) -> Vec<DeadLetter> {
        todo!("the dead letters at {now_ms} ms")
    }

    /// How many jobs are ready, in flight and dead at `now_ms`.
    pub fn counts(&mut self, now_ms: u64) -> Counts {
        todo!("count the jobs at {now_ms} ms")
    }
}
