//! Mutant: keeps all events in one BTreeMap with a `published` flag, so finding the next
//! unpublished event walks past every published one: each pass gets slower as the table
//! grows (the missing index on `published`).

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: u64,
    pub key: String,
    pub payload: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokerDown;

pub trait Publisher {
    fn publish(&mut self, event: &Event) -> Result<(), BrokerDown>;
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RelayReport {
    pub published: Vec<u64>,
    pub failed: Vec<u64>,
}

pub struct Outbox {
    next_id: u64,
    events: BTreeMap<u64, (Event, bool)>,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbox {
    pub fn new() -> Self {
        Outbox {
            next_id: 1,
            events: BTreeMap::new(),
        }
    }

    pub fn append(&mut self, key: &str, payload: &str) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let event = Event {
            id,
            key: key.to_string(),
            payload: payload.to_string(),
        };
        self.events.insert(id, (event, false));
        id
    }

    pub fn next_unpublished(&self, after: u64) -> Option<Event> {
        self.events
            .range((Bound::Excluded(after), Bound::Unbounded))
            .find(|(_, (_, published))| !published)
            .map(|(_, (event, _))| event.clone())
    }

    pub fn mark_published(&mut self, id: u64) -> bool {
        match self.events.get_mut(&id) {
            Some((_, published)) if !*published => {
                *published = true;
                true
            }
            _ => false,
        }
    }

    pub fn unpublished_count(&self) -> usize {
        self.events.values().filter(|(_, p)| !p).count()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn purge_published(&mut self) -> usize {
        let before = self.events.len();
        self.events.retain(|_, (_, published)| !*published);
        before - self.events.len()
    }
}

pub struct Relay {
    batch_size: usize,
}

impl Relay {
    pub fn new(batch_size: usize) -> Self {
        Relay { batch_size }
    }

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
