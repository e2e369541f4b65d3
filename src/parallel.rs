//! Work spread over every core, for grading many files at once.

use std::collections::{HashMap, VecDeque};
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
    let mut index = 0usize;
    let own_group = |_: &T| {
        index += 1;
        index
    };
    parallel_map_grouped(items, own_group, bar, |item, _| f(item))
}

/// Applies `f` to every item on all cores as [`parallel_map`] does, but keeps each worker on
/// one group of items (`group` names an item's) for as long as that group has items left, in
/// input order, and tells `f` which worker (from 0) runs it: a cache a worker keeps for its
/// group carries from one item to the next.
pub fn parallel_map_grouped<T: Sync, R: Send, K: Eq + std::hash::Hash>(
    items: &[T],
    group: impl FnMut(&T) -> K,
    bar: &ProgressBar,
    f: impl Fn(&T, usize) -> R + Sync,
) -> Vec<R> {
    let workers = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(items.len().max(1));
    let queue = Mutex::new(Groups::new(items.iter().map(group)));
    let (tx, rx) = mpsc::channel();
    thread::scope(|scope| {
        for worker in 0..workers {
            let tx = tx.clone();
            let (queue, f) = (&queue, &f);
            scope.spawn(move || {
                let mut current = None;
                loop {
                    let next = queue.lock().unwrap().next(&mut current);
                    let Some(i) = next else { break };
                    if tx.send((i, f(&items[i], worker))).is_err() {
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

/// The items not yet handed out, by group, in the order groups first appear.
struct Groups {
    waiting: Vec<VecDeque<usize>>,
    started: Vec<bool>,
}

impl Groups {
    fn new<K: Eq + std::hash::Hash>(keys: impl Iterator<Item = K>) -> Groups {
        let mut index = HashMap::new();
        let mut waiting: Vec<VecDeque<usize>> = Vec::new();
        for (item, key) in keys.enumerate() {
            let next = index.len();
            let group = *index.entry(key).or_insert(next);
            if group == waiting.len() {
                waiting.push(VecDeque::new());
            }
            waiting[group].push_back(item);
        }
        let started = vec![false; waiting.len()];
        Groups { waiting, started }
    }

    /// The next item for a worker on group `current`: the next of that group; else the first
    /// of the group no worker has started that has the most items; else, every group being
    /// started, the next of the one with the most items left. `current` becomes its group.
    fn next(&mut self, current: &mut Option<usize>) -> Option<usize> {
        if let Some(item) = current.and_then(|g| self.waiting[g].pop_front()) {
            return Some(item);
        }
        let (group, _) = self
            .waiting
            .iter()
            .enumerate()
            .filter(|(_, items)| !items.is_empty())
            // The earliest group of the best, for input order among equals.
            .max_by_key(|&(g, items)| (!self.started[g], items.len(), std::cmp::Reverse(g)))?;
        self.started[group] = true;
        *current = Some(group);
        self.waiting[group].pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which items each of `workers` takes, in turn, when each finishes its item at once.
    fn handed_out(keys: &[char], workers: usize) -> Vec<Vec<usize>> {
        let mut groups = Groups::new(keys.iter());
        let mut current = vec![None; workers];
        let mut taken = vec![Vec::new(); workers];
        'rounds: loop {
            for w in 0..workers {
                match groups.next(&mut current[w]) {
                    Some(item) => taken[w].push(item),
                    None => break 'rounds,
                }
            }
        }
        taken
    }

    #[test]
    fn a_worker_stays_on_its_group_and_starts_the_largest_untouched_one_next() {
        // Groups a (0-3), b (4-5), c (6-8).
        let keys = ['a', 'a', 'a', 'a', 'b', 'b', 'c', 'c', 'c'];
        assert_eq!(
            handed_out(&keys, 2),
            // Worker 0 starts a, worker 1 the larger of b and c; b goes to whoever is free.
            vec![vec![0, 1, 2, 3, 5], vec![6, 7, 8, 4]]
        );
    }

    #[test]
    fn once_every_group_is_started_a_free_worker_joins_the_one_with_most_left() {
        assert_eq!(
            handed_out(&['a', 'a', 'a', 'a', 'a', 'b'], 2),
            vec![vec![0, 1, 3], vec![5, 2, 4]]
        );
    }

    #[test]
    fn items_of_their_own_group_go_out_in_input_order() {
        assert_eq!(
            handed_out(&['a', 'b', 'c', 'd', 'e'], 2),
            vec![vec![0, 2, 4], vec![1, 3]]
        );
    }
}
