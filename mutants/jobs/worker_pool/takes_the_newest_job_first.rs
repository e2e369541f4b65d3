use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};

/// Why [`WorkerPool::submit`] refused a job. A refused job is dropped without running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitError {
    /// The queue already holds `queue_capacity` jobs.
    QueueFull,
    /// `shutdown` has been called.
    ShuttingDown,
}

type Job = Box<dyn FnOnce() + Send + 'static>;

struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when a job is queued or the pool closes.
    work: Condvar,
    capacity: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Jobs never run under this lock, so it cannot be poisoned by a job's panic.
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A fixed set of worker threads taking jobs from a bounded FIFO queue.
pub struct WorkerPool {
    shared: Arc<Shared>,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

impl WorkerPool {
    /// Starts `workers` threads behind a queue of at most `queue_capacity` jobs. Panics if
    /// either is 0.
    pub fn new(workers: usize, queue_capacity: usize) -> Self {
        assert!(workers > 0, "a worker pool needs at least one worker");
        assert!(
            queue_capacity > 0,
            "a worker pool needs a queue capacity of at least 1"
        );
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                closed: false,
            }),
            work: Condvar::new(),
            capacity: queue_capacity,
        });
        let handles = (0..workers)
            .map(|_| {
                let shared = Arc::clone(&shared);
                thread::spawn(move || work(&shared))
            })
            .collect();
        WorkerPool {
            shared,
            workers: Mutex::new(handles),
        }
    }

    /// Queues `job` to run on a worker, or refuses it at once (see [`SubmitError`]).
    pub fn submit<F>(&self, job: F) -> Result<(), SubmitError>
    where
        F: FnOnce() + Send + 'static,
    {
        let mut queue = self.shared.lock();
        if queue.closed {
            return Err(SubmitError::ShuttingDown);
        }
        if queue.jobs.len() >= self.shared.capacity {
            return Err(SubmitError::QueueFull);
        }
        queue.jobs.push_back(Box::new(job));
        drop(queue);
        self.shared.work.notify_one();
        Ok(())
    }

    /// Refuses new jobs, finishes every accepted job, and joins every worker thread.
    pub fn shutdown(&self) {
        self.shared.lock().closed = true;
        self.shared.work.notify_all();
        let handles = std::mem::take(
            &mut *self
                .workers
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        for handle in handles {
            // A worker never panics: jobs' panics are caught.
            let _ = handle.join();
        }
    }
}

/// A worker's loop: take the oldest job, run it without the lock, repeat until closed and
/// drained.
fn work(shared: &Shared) {
    loop {
        let job = {
            let mut queue = shared.lock();
            loop {
                if let Some(job) = queue.jobs.pop_back() {
                    break job;
                }
                if queue.closed {
                    return;
                }
                queue = shared
                    .work
                    .wait(queue)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        // A panicking job must not take its worker down.
        let _ = panic::catch_unwind(AssertUnwindSafe(job));
    }
}
