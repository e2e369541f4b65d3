//! Mutant: keeps the jobs in a Vec of (id, job) and finds one by scanning: O(n) per call.

/// The four states of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Accepted, waiting for a worker.
    Pending,
    /// A worker is running it.
    Running,
    /// Finished with a result.
    Succeeded,
    /// Finished with an error.
    Failed,
}

/// What `submit` answers: the body of `202 Accepted` and its `Location` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The new job's id: 1 for the first job, then 2, 3, ...
    pub id: u64,
    /// Where to poll: `"/jobs/{id}"`.
    pub status_url: String,
}

/// Why a call was refused. A refused call changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// No such job: never issued, or finished and expired (HTTP 404).
    NotFound { id: u64 },
    /// The job is in state `from`, which has no transition to `to` (HTTP 409).
    InvalidTransition { id: u64, from: State, to: State },
    /// `result` of a job that is still `Pending` or `Running` (HTTP 409; poll again).
    NotFinished { id: u64, state: State },
    /// `result` of a job that failed, with its error message.
    JobFailed { id: u64, error: String },
}

struct Job {
    state: State,
    payload: String,
    /// The result (Succeeded) or the error message (Failed).
    output: String,
    /// When it stops existing; `None` while unfinished, or if beyond `u64::MAX`.
    expires_at: Option<u64>,
}

/// Jobs by id, with finished jobs kept for `retention_ms`.
pub struct JobStore {
    retention_ms: u64,
    next_id: u64,
    jobs: Vec<(u64, Job)>,
}

impl Job {
    fn expired(&self, now_ms: u64) -> bool {
        self.expires_at.is_some_and(|at| now_ms >= at)
    }
}

impl JobStore {
    /// An empty store keeping finished jobs for `retention_ms` after they finish.
    pub fn new(retention_ms: u64) -> Self {
        JobStore {
            retention_ms,
            next_id: 1,
            jobs: Vec::new(),
        }
    }

    fn live(&self, id: u64, now_ms: u64) -> Result<&Job, JobError> {
        match self.jobs.iter().find(|(i, _)| *i == id).map(|(_, j)| j) {
            Some(job) if !job.expired(now_ms) => Ok(job),
            _ => Err(JobError::NotFound { id }),
        }
    }

    fn live_mut(&mut self, id: u64, now_ms: u64) -> Result<&mut Job, JobError> {
        match self.jobs.iter_mut().find(|(i, _)| *i == id).map(|(_, j)| j) {
            Some(job) if !job.expired(now_ms) => Ok(job),
            _ => Err(JobError::NotFound { id }),
        }
    }

    /// Moves job `id` from `from` to `to`, or refuses.
    fn transition(
        &mut self,
        id: u64,
        from: State,
        to: State,
        now_ms: u64,
    ) -> Result<&mut Job, JobError> {
        let job = self.live_mut(id, now_ms)?;
        if job.state != from {
            return Err(JobError::InvalidTransition {
                id,
                from: job.state,
                to,
            });
        }
        job.state = to;
        Ok(job)
    }

    /// Accepts a job: it is `Pending` under the next id.
    pub fn submit(&mut self, payload: &str, now_ms: u64) -> Accepted {
        let _ = now_ms;
        let id = self.next_id;
        self.next_id += 1;
        self.jobs.push((
            id,
            Job {
                state: State::Pending,
                payload: payload.to_string(),
                output: String::new(),
                expires_at: None,
            },
        ));
        Accepted {
            id,
            status_url: format!("/jobs/{id}"),
        }
    }

    /// The state of job `id`.
    pub fn status(&self, id: u64, now_ms: u64) -> Result<State, JobError> {
        self.live(id, now_ms).map(|job| job.state)
    }

    /// The result of a job that succeeded.
    pub fn result(&self, id: u64, now_ms: u64) -> Result<String, JobError> {
        let job = self.live(id, now_ms)?;
        match job.state {
            State::Succeeded => Ok(job.output.clone()),
            State::Failed => Err(JobError::JobFailed {
                id,
                error: job.output.clone(),
            }),
            state => Err(JobError::NotFinished { id, state }),
        }
    }

    /// `Pending -> Running`: a worker takes the job; returns its payload.
    pub fn start(&mut self, id: u64, now_ms: u64) -> Result<String, JobError> {
        let job = self.transition(id, State::Pending, State::Running, now_ms)?;
        Ok(job.payload.clone())
    }

    /// `Running -> Succeeded` with `result`, at `now_ms`.
    pub fn succeed(&mut self, id: u64, result: &str, now_ms: u64) -> Result<(), JobError> {
        let retention_ms = self.retention_ms;
        let job = self.transition(id, State::Running, State::Succeeded, now_ms)?;
        job.output = result.to_string();
        job.expires_at = now_ms.checked_add(retention_ms);
        Ok(())
    }

    /// `Running -> Failed` with `error`, at `now_ms`.
    pub fn fail(&mut self, id: u64, error: &str, now_ms: u64) -> Result<(), JobError> {
        let retention_ms = self.retention_ms;
        let job = self.transition(id, State::Running, State::Failed, now_ms)?;
        job.output = error.to_string();
        job.expires_at = now_ms.checked_add(retention_ms);
        Ok(())
    }

    /// `Failed -> Pending`: the job will run again, under the same id.
    pub fn retry(&mut self, id: u64, now_ms: u64) -> Result<(), JobError> {
        let job = self.transition(id, State::Failed, State::Pending, now_ms)?;
        job.output.clear();
        job.expires_at = None;
        Ok(())
    }

    /// Forgets the jobs that have expired at `now_ms`; returns their ids, ascending.
    pub fn purge_expired(&mut self, now_ms: u64) -> Vec<u64> {
        let expired: Vec<u64> = self
            .jobs
            .iter()
            .filter(|(_, job)| job.expired(now_ms))
            .map(|(id, _)| *id)
            .collect();
        self.jobs.retain(|(id, _)| !expired.contains(id));
        expired
    }

    /// How many jobs the store holds (expired ones count until purged).
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Whether the store holds no jobs.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}
