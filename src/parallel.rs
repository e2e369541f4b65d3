//! Work spread over every core, for grading many files at once.

use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::Duration;

use indicatif::ProgressBar;

/// Applies `f` to every item on all cores, ticking `bar`, and returns results in input order.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    bar: &ProgressBar,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let workers = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(items.len().max(1));
    let next = Mutex::new(0usize);
    let (tx, rx) = mpsc::channel();
    thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, f) = (&next, &f);
            scope.spawn(move || {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n - 1
                    };
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, f(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        bar.enable_steady_tick(Duration::from_millis(100));
        let mut out: Vec<Option<R>> = items.iter().map(|_| None).collect();
        for (i, r) in rx {
            out[i] = Some(r);
            bar.inc(1);
        }
        out.into_iter()
            .map(|r| r.expect("every item is mapped"))
            .collect()
    })
}
