//! # worker_pool: a fixed pool of threads behind a bounded queue
//!
//! An image service accepts uploads over HTTP and makes thumbnails in the background. A
//! request handler must answer fast, so it hands the work to a **worker pool**: a fixed
//! number of threads taking jobs from a shared queue. Two things make it production-ready.
//! **Back-pressure**: the queue is bounded, because an unbounded one turns a traffic spike
//! into ever-growing memory and latency; when it is full, `submit` refuses at once and
//! the handler answers `503 Service Unavailable` with `Retry-After`, so clients slow down
//! (load shedding). **Graceful shutdown**: on deploy, the service stops accepting work,
//! finishes every job it already accepted (users were told "we're on it"), and only then
//! exits, joining its threads. Interviewers probe exactly these, plus: do N workers really
//! run N jobs at once, what if a job panics, and are jobs ever lost or run twice?
//!
//! ## The task
//!
//! Implement [`WorkerPool`]. Keep the declared signatures; the struct's fields are yours.
//! The pool is shared by threads (`submit` and `shutdown` take `&self`, and the checks
//! call them from several threads through an `Arc`).
//!
//! ## Rules
//!
//! - `WorkerPool::new(workers, queue_capacity)` starts `workers` threads at once. It
//!   panics if `workers == 0` or `queue_capacity == 0`.
//! - The **queue** holds jobs that were accepted but not yet started. An idle worker takes
//!   the oldest job from the queue (**FIFO**) and runs it, then takes the next one. A
//!   worker runs one job at a time, and the workers run jobs **in parallel**: with `n`
//!   workers, `n` jobs can be running at once (never hold the queue's lock while running a
//!   job).
//! - `submit(job)` never blocks on a full queue:
//!   - if the pool is shutting down (or shut down): `Err(SubmitError::ShuttingDown)`,
//!     whether or not the queue is full;
//!   - else if the queue already holds `queue_capacity` jobs: `Err(SubmitError::QueueFull)`;
//!   - else the job is queued and `Ok(())` is returned.
//!
//!   A refused job is dropped and never runs. An accepted job runs **exactly once**.
//!   Running jobs do not count toward the capacity, only queued ones.
//! - `shutdown()` makes every later `submit` return `Err(ShuttingDown)` (including
//!   submits from inside running jobs), lets the workers finish the jobs already running
//!   **and every job still queued**, then joins every worker thread, and returns only when
//!   they have all exited. A worker waiting for work must wake up and exit. Calling
//!   `shutdown` again returns at once.
//! - A job that panics must not kill its worker: catch the panic
//!   (`std::panic::catch_unwind` with `AssertUnwindSafe`) and go on with the next job.
//!
//! ## Examples
//!
//! ```text
//! let pool = WorkerPool::new(2, 3);
//! pool.submit(job_a)  -> Ok(())     a worker starts job_a at once
//! pool.submit(job_b)  -> Ok(())     the other worker starts job_b
//! pool.submit(job_c)  -> Ok(())     both busy: queued [c]
//! pool.submit(job_d)  -> Ok(())     queued [c, d]
//! pool.submit(job_e)  -> Ok(())     queued [c, d, e]: full
//! pool.submit(job_f)  -> Err(QueueFull)     f is dropped: answer 503
//! ... job_a finishes; its worker takes c: queued [d, e]
//! pool.submit(job_g)  -> Ok(())     queued [d, e, g]
//! pool.shutdown()     runs d, e and g, joins both workers, returns
//! pool.submit(job_h)  -> Err(ShuttingDown)
//! ```
//!
//! ## Edge cases
//!
//! - Whether a worker has already taken a job submitted a moment ago depends on timing;
//!   the checks test fullness only while every worker is known to be busy.
//! - `shutdown` of an idle pool (workers waiting for work) must return promptly.
//! - A job may call `submit` on its own pool (it needs an `Arc` to it).
//!
//! ## Complexity
//!
//! `submit` and taking a job are O(1) (a `VecDeque` or a channel, not a scan). The checks
//! use real threads: jobs wait on each other to prove parallelism, and a deadlock is
//! reported after 2 seconds. Use only the standard library (`Mutex` and `Condvar`, or
//! `std::sync::mpsc::sync_channel`).

/// Why [`WorkerPool::submit`] refused a job. A refused job is dropped without running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitError {
    /// The queue already holds `queue_capacity` jobs.
    QueueFull,
    /// `shutdown` has been called.
    ShuttingDown,
}

/// A fixed set of worker threads taking jobs from a bounded FIFO queue.
pub struct WorkerPool {
    // Replace this placeholder with your own fields.
    _replace_me: (),
}

impl WorkerPool {
    /// Starts `workers` threads behind a queue of at most `queue_capacity` jobs. Panics if
    /// either is 0.
    pub fn new(workers: usize, queue_capacity: usize) -> Self {
        todo!("start {workers} workers behind a queue of {queue_capacity} jobs")
    }

    /// Queues `job` to run on a worker, or refuses it at once (see [`SubmitError`]).
    pub fn submit<F>(&self, job: F) -> Result<(), SubmitError>
    where
        F: FnOnce() + Send + 'static,
    {
        let _ = job;
        todo!("queue the job, or refuse it")
    }

    /// Refuses new jobs, finishes every accepted job, and joins every worker thread.
    pub fn shutdown(&self) {
        todo!("finish the queued jobs, then join the workers")
    }
}

// The checks share one pool between threads. This fails to compile if your fields make
// `WorkerPool` unsafe to share (use `Mutex`, not `RefCell` or `Cell`).
const _: fn() = || {
    fn shared_by_threads<T: Send + Sync>() {}
    shared_by_threads::<WorkerPool>();
};
