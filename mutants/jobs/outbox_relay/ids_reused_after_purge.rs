//! Mutant: gives a new event the id `len() + 1`, so after a purge ids are handed out
//! again (and can even collide with an unpublished event).

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

/// One row of the outbox table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// 1 for the first event appended to an outbox, then 2, 3, ...
    pub id: u64,
    /// The aggregate the event is about (`"order-42"`); events of one key stay in order.
    pub key: String,
    /// The message body.
    pub payload: String,
}

/// The broker did not take the event (it may or may not be back on the next pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokerDown;

/// The message broker, as the relay sees it.
pub trait Publisher {
    /// Sends `event`. `Ok(())`: the broker stored it durably. `Err(BrokerDown)`: it did not.
    fn publish(&mut self, event: &Event) -> Result<(), BrokerDown>;
}

/// What one pass of the relay did, in the order it tried the events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RelayReport {
    /// The ids the broker accepted (and that are now marked published).
    pub published: Vec<u64>,
    /// The ids the broker refused (still unpublished).
    pub failed: Vec<u64>,
}

/// The outbox table: survives relay crashes, like the database it stands for.
pub struct Outbox {
    next_id: u64,
    unpublished: BTreeMap<u64, Event>,
    published: BTreeMap<u64, Event>,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Self {
        Outbox {
            next_id: 1,
            unpublished: BTreeMap::new(),
            published: BTreeMap::new(),
        }
    }

    /// Adds an unpublished event (inside the business transaction); returns its id.
    pub fn append(&mut self, key: &str, payload: &str) -> u64 {
        let _ = self.next_id;
        let id = self.len() as u64 + 1;
        let event = Event {
            id,
            key: key.to_string(),
            payload: payload.to_string(),
        };
        self.unpublished.insert(id, event);
        id
    }

    /// The unpublished event with the smallest id greater than `after`.
    pub fn next_unpublished(&self, after: u64) -> Option<Event> {
        self.unpublished
            .range((Bound::Excluded(after), Bound::Unbounded))
            .next()
            .map(|(_, event)| event.clone())
    }

    /// Marks event `id` published; `false` if it is not an unpublished event.
    pub fn mark_published(&mut self, id: u64) -> bool {
        match self.unpublished.remove(&id) {
            Some(event) => {
                self.published.insert(id, event);
                true
            }
            None => false,
        }
    }

    /// How many events are unpublished.
    pub fn unpublished_count(&self) -> usize {
        self.unpublished.len()
    }

    /// How many events the table holds, published or not.
    pub fn len(&self) -> usize {
        self.unpublished.len() + self.published.len()
    }

    /// Whether the table holds no events.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Deletes every published event; returns how many.
    pub fn purge_published(&mut self) -> usize {
        let purged = self.published.len();
        self.published.clear();
        purged
    }
}

/// The relay process. Holds no state that matters: a crash loses nothing.
pub struct Relay {
    batch_size: usize,
}

impl Relay {
    /// A relay that tries at most `batch_size` events per pass.
    pub fn new(batch_size: usize) -> Self {
        Relay { batch_size }
    }

    /// One pass over the unpublished events, in id order.
    pub fn run_once(&mut self, outbox: &mut Outbox, publisher: &mut dyn Publisher) -> RelayReport {
        let mut report = RelayReport::default();
        let mut blocked: HashSet<String> = HashSet::new();
        let mut attempts = 0;
        let mut after = 0;
        while attempts < self.batch_size {
            let Some(event) = outbox.next_unpublished(after) else {
                break;
            };
            after = event.id;
            if blocked.contains(&event.key) {
                continue;
            }
            attempts += 1;
            match publisher.publish(&event) {
                Ok(()) => {
                    outbox.mark_published(event.id);
                    report.published.push(event.id);
                }
                Err(BrokerDown) => {
                    report.failed.push(event.id);
                    blocked.insert(event.key);
                }
            }
        }
        report
    }
}
