//! Mutant: keeps every job in one BTreeMap with its state and, on every call, scans all
//! jobs to end the expired leases and to find the first ready one: O(n) per call.

use std::collections::BTreeMap;

/// The token a claim hands out; only the latest, unexpired one can ack or nack the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Receipt(pub u64);

/// One delivery of a job to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub job_id: u64,
    pub payload: String,
    pub attempt: u32,
    pub receipt: Receipt,
}

/// A job that used up its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub job_id: u64,
    pub payload: String,
    pub attempts: u32,
}

/// How many jobs are in each place at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub ready: usize,
    pub in_flight: usize,
    pub dead: usize,
}

/// Why `ack` or `nack` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueError {
    StaleReceipt,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Ready,
    Leased(Receipt, Option<u64>),
    Dead,
}

struct Job {
    payload: String,
    attempts: u32,
    place: Place,
}

pub struct JobQueue {
    visibility_timeout_ms: u64,
    max_attempts: u32,
    next_id: u64,
    next_receipt: u64,
    jobs: BTreeMap<u64, Job>,
}

impl JobQueue {
    pub fn new(visibility_timeout_ms: u64, max_attempts: u32) -> Self {
        JobQueue {
            visibility_timeout_ms,
            max_attempts,
            next_id: 1,
            next_receipt: 1,
            jobs: BTreeMap::new(),
        }
    }

    fn fail(job: &mut Job, max_attempts: u32) {
        job.place = if job.attempts >= max_attempts {
            Place::Dead
        } else {
            Place::Ready
        };
    }

    fn expire(&mut self, now_ms: u64) {
        let max_attempts = self.max_attempts;
        for job in self.jobs.values_mut() {
            if let Place::Leased(_, Some(deadline)) = job.place
                && deadline <= now_ms
            {
                Self::fail(job, max_attempts);
            }
        }
    }

    fn leased(&mut self, receipt: Receipt, now_ms: u64) -> Result<u64, QueueError> {
        self.expire(now_ms);
        self.jobs
            .iter()
            .find(|(_, job)| matches!(job.place, Place::Leased(r, _) if r == receipt))
            .map(|(&id, _)| id)
            .ok_or(QueueError::StaleReceipt)
    }

    pub fn enqueue(&mut self, payload: &str, now_ms: u64) -> u64 {
        self.expire(now_ms);
        let id = self.next_id;
        self.next_id += 1;
        self.jobs.insert(
            id,
            Job {
                payload: payload.to_string(),
                attempts: 0,
                place: Place::Ready,
            },
        );
        id
    }

    pub fn claim(&mut self, now_ms: u64) -> Option<Delivery> {
        self.expire(now_ms);
        let (&id, job) = self
            .jobs
            .iter_mut()
            .find(|(_, job)| job.place == Place::Ready)?;
        let receipt = Receipt(self.next_receipt);
        self.next_receipt += 1;
        job.attempts += 1;
        job.place = Place::Leased(receipt, now_ms.checked_add(self.visibility_timeout_ms));
        Some(Delivery {
            job_id: id,
            payload: job.payload.clone(),
            attempt: job.attempts,
            receipt,
        })
    }

    pub fn ack(&mut self, receipt: Receipt, now_ms: u64) -> Result<(), QueueError> {
        let id = self.leased(receipt, now_ms)?;
        self.jobs.remove(&id);
        Ok(())
    }

    pub fn nack(&mut self, receipt: Receipt, now_ms: u64) -> Result<(), QueueError> {
        let id = self.leased(receipt, now_ms)?;
        let max_attempts = self.max_attempts;
        Self::fail(self.jobs.get_mut(&id).expect("found"), max_attempts);
        Ok(())
    }

    pub fn dead_letters(&mut self, now_ms: u64) -> Vec<DeadLetter> {
        self.expire(now_ms);
        self.jobs
            .iter()
            .filter(|(_, job)| job.place == Place::Dead)
            .map(|(&id, job)| DeadLetter {
                job_id: id,
                payload: job.payload.clone(),
                attempts: job.attempts,
            })
            .collect()
    }

    pub fn counts(&mut self, now_ms: u64) -> Counts {
        self.expire(now_ms);
        let mut counts = Counts::default();
        for job in self.jobs.values() {
            match job.place {
                Place::Ready => counts.ready += 1,
                Place::Leased(..) => counts.in_flight += 1,
                Place::Dead => counts.dead += 1,
            }
        }
        counts
    }
}
