//! Mutant: a nacked job always goes back to ready; only expired leases count toward the
//! dead-letter limit, so a poison job that fails fast is retried forever.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    /// Claimed, lease still running.
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

struct Job {
    payload: String,
    attempts: u32,
    /// The live lease: its receipt and deadline (`None`: never expires).
    lease: Option<(Receipt, Option<u64>)>,
}

/// An at-least-once job queue with visibility timeouts and a dead-letter queue.
pub struct JobQueue {
    visibility_timeout_ms: u64,
    max_attempts: u32,
    next_id: u64,
    next_receipt: u64,
    jobs: HashMap<u64, Job>,
    ready: BTreeSet<u64>,
    leases: BTreeMap<(u64, u64), Receipt>,
    receipts: HashMap<Receipt, u64>,
    dead: BTreeMap<u64, DeadLetter>,
}

impl JobQueue {
    /// An empty queue: a claim hides a job for `visibility_timeout_ms`; a job is delivered
    /// at most `max_attempts` times (at least 1).
    pub fn new(visibility_timeout_ms: u64, max_attempts: u32) -> Self {
        JobQueue {
            visibility_timeout_ms,
            max_attempts,
            next_id: 1,
            next_receipt: 1,
            jobs: HashMap::new(),
            ready: BTreeSet::new(),
            leases: BTreeMap::new(),
            receipts: HashMap::new(),
            dead: BTreeMap::new(),
        }
    }

    /// Ends the leases whose deadline is `<= now_ms`.
    fn expire(&mut self, now_ms: u64) {
        while let Some((&(deadline, id), &receipt)) = self.leases.first_key_value() {
            if deadline > now_ms {
                break;
            }
            self.leases.remove(&(deadline, id));
            self.receipts.remove(&receipt);
            self.release(id);
        }
    }

    /// A delivery of job `id` failed: retry it, or dead-letter it when out of attempts.
    fn release(&mut self, id: u64) {
        let job = self.jobs.get_mut(&id).expect("a leased job exists");
        job.lease = None;
        if job.attempts >= self.max_attempts {
            let job = self.jobs.remove(&id).expect("a leased job exists");
            self.dead.insert(
                id,
                DeadLetter {
                    job_id: id,
                    payload: job.payload,
                    attempts: job.attempts,
                },
            );
        } else {
            self.ready.insert(id);
        }
    }

    /// Ends the live lease of `receipt` and returns its job id.
    fn end_lease(&mut self, receipt: Receipt, now_ms: u64) -> Result<u64, QueueError> {
        self.expire(now_ms);
        let id = self
            .receipts
            .remove(&receipt)
            .ok_or(QueueError::StaleReceipt)?;
        let job = self.jobs.get_mut(&id).expect("a leased job exists");
        if let Some((_, Some(deadline))) = job.lease.take() {
            self.leases.remove(&(deadline, id));
        }
        Ok(id)
    }

    /// Adds a job; returns its id (1, 2, 3, ...).
    pub fn enqueue(&mut self, payload: &str, now_ms: u64) -> u64 {
        self.expire(now_ms);
        let id = self.next_id;
        self.next_id += 1;
        self.jobs.insert(
            id,
            Job {
                payload: payload.to_string(),
                attempts: 0,
                lease: None,
            },
        );
        self.ready.insert(id);
        id
    }

    /// Leases the ready job with the smallest id until `now_ms + visibility_timeout_ms`.
    pub fn claim(&mut self, now_ms: u64) -> Option<Delivery> {
        self.expire(now_ms);
        let id = self.ready.pop_first()?;
        let receipt = Receipt(self.next_receipt);
        self.next_receipt += 1;
        let deadline = now_ms.checked_add(self.visibility_timeout_ms);
        let job = self.jobs.get_mut(&id).expect("a ready job exists");
        job.attempts += 1;
        job.lease = Some((receipt, deadline));
        if let Some(deadline) = deadline {
            self.leases.insert((deadline, id), receipt);
        }
        self.receipts.insert(receipt, id);
        Some(Delivery {
            job_id: id,
            payload: job.payload.clone(),
            attempt: job.attempts,
            receipt,
        })
    }

    /// The job of `receipt` is done: delete it.
    pub fn ack(&mut self, receipt: Receipt, now_ms: u64) -> Result<(), QueueError> {
        let id = self.end_lease(receipt, now_ms)?;
        self.jobs.remove(&id);
        Ok(())
    }

    /// The job of `receipt` failed: make it ready again at once, or dead-letter it.
    pub fn nack(&mut self, receipt: Receipt, now_ms: u64) -> Result<(), QueueError> {
        let id = self.end_lease(receipt, now_ms)?;
        self.jobs.get_mut(&id).expect("a leased job exists").lease = None;
        self.ready.insert(id);
        Ok(())
    }

    /// The dead-letter queue at `now_ms`, in ascending job id order.
    pub fn dead_letters(&mut self, now_ms: u64) -> Vec<DeadLetter> {
        self.expire(now_ms);
        self.dead.values().cloned().collect()
    }

    /// How many jobs are ready, in flight and dead at `now_ms`.
    pub fn counts(&mut self, now_ms: u64) -> Counts {
        self.expire(now_ms);
        Counts {
            ready: self.ready.len(),
            in_flight: self.receipts.len(),
            dead: self.dead.len(),
        }
    }
}
