//! Mutant: logs every request, rejected ones too, so a client that keeps retrying while
//! limited keeps its own log full and is never let through again.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

pub struct SlidingLogLimiter {
    limit: u32,
    window_ms: u64,
    log: VecDeque<(u64, Rc<str>)>,
    counts: HashMap<Rc<str>, u32>,
}

impl SlidingLogLimiter {
    pub fn new(limit: u32, window_ms: u64) -> Self {
        SlidingLogLimiter {
            limit,
            window_ms,
            log: VecDeque::new(),
            counts: HashMap::new(),
        }
    }

    pub fn allow(&mut self, client: &str, now_ms: u64) -> bool {
        while let Some(&(t, _)) = self.log.front() {
            if now_ms - t < self.window_ms {
                break;
            }
            let (_, old) = self.log.pop_front().expect("the front exists");
            match self.counts.get_mut(&*old) {
                Some(count) if *count > 1 => *count -= 1,
                _ => {
                    self.counts.remove(&*old);
                }
            }
        }
        if self.limit == 0 {
            return false;
        }
        let key: Rc<str> = match self.counts.get_key_value(client) {
            Some((key, _)) => Rc::clone(key),
            None => Rc::from(client),
        };
        let count = self.counts.entry(Rc::clone(&key)).or_insert(0);
        let allowed = *count < self.limit;
        *count += 1;
        self.log.push_back((now_ms, key));
        allowed
    }

    pub fn tracked_clients(&self) -> usize {
        self.counts.len()
    }

    pub fn logged_requests(&self) -> usize {
        self.log.len()
    }
}
