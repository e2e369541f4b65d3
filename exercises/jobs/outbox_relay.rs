//! # outbox_relay: publish what the database committed
//!
//! An order service stores orders in its database and must tell the rest of the company
//! about them: it publishes `OrderPlaced`, `OrderPaid`, ... to a message broker (Kafka,
//! RabbitMQ). Doing both in the request handler is the *dual-write problem*: commit the
//! order, then publish, and a crash in between loses the event forever; publish first, then
//! commit, and a failed commit leaves the world believing in an order that does not exist.
//! There is no transaction spanning the database and the broker.
//!
//! The **transactional outbox** fixes this. The handler writes the event as a row of an
//! `outbox` table *in the same database transaction* as the order, so the event exists if
//! and only if the order does. A separate **relay** process then reads the unpublished
//! rows in order, publishes each one, and marks it published. If the relay crashes after
//! the broker took an event but before marking it, the next relay publishes it again:
//! delivery is **at least once**, and consumers drop the duplicates by event id. What the
//! relay must never do is *lose* an event or reorder the events of one order (a consumer
//! must not see `OrderPaid` before `OrderPlaced`). Interviewers ask exactly these
//! questions: where can it crash, what happens then, and what does the consumer see.
//!
//! ## The task
//!
//! Implement [`Outbox`] (the table) and [`Relay`] (the process). The data types and the
//! [`Publisher`] trait are given; the checks implement `Publisher` as a fake broker that
//! can refuse events or crash. Keep the declared signatures; the fields are yours.
//!
//! ## Rules: the outbox
//!
//! - `append(key, payload)` adds an unpublished [`Event`] and returns its id: `1` for the
//!   first event of an outbox, then `2`, `3`, ...; ids are never reused, not even after
//!   a purge. `key` names the aggregate (`"order-42"`) whose events must stay in order.
//! - `next_unpublished(after)` returns (a clone of) the unpublished event with the
//!   smallest id greater than `after`, or `None`; `next_unpublished(0)` is the oldest
//!   unpublished event. This is the indexed query a real relay runs.
//! - `mark_published(id)` marks an unpublished event published and returns `true`; for
//!   an id that is not an unpublished event (already published, purged, never issued) it
//!   returns `false` and changes nothing.
//! - `unpublished_count()` counts the unpublished events; `len()` counts all events in the
//!   table, published or not; `purge_published()` deletes every published event (and no
//!   other) and returns how many it deleted.
//!
//! ## Rules: one relay pass, `run_once(outbox, publisher)`
//!
//! - The pass walks the unpublished events in ascending id order and **tries** at most
//!   `batch_size` of them. Trying an event means calling `publisher.publish(&event)`.
//! - If `publish` returns `Ok(())`, the broker has the event: mark it published **at
//!   once**, before trying the next event (so a crash can leave at most one event
//!   published but unmarked).
//! - If `publish` returns `Err(BrokerDown)`, the event stays unpublished, and its key is
//!   **blocked** for the rest of the pass: the later events of that key are skipped (not
//!   tried, not counted toward `batch_size`), because publishing them now would overtake
//!   the failed one. Events of other keys carry on. The next pass starts over from the
//!   oldest unpublished event, so the failed event is tried again first.
//! - `run_once` returns a [`RelayReport`]: the ids published and the ids that failed,
//!   each list in the order they were tried.
//! - **Crashes.** The checks simulate a crash of the relay process by panicking inside
//!   `publish`, either before or after the broker stored the event. The panic unwinds
//!   through `run_once`; the check then drops the relay and starts a new one with
//!   `Relay::new` over the *same* `Outbox` (the database survives a crash; what you wrote
//!   to it before the crash stays written, nothing else does). Do not catch panics.
//!   After any number of crashes and failures, every event must reach the broker at
//!   least once, each key's events must reach it in id order once duplicates are
//!   dropped, and a crash may cause at most one duplicate.
//! - A relay never changes an event except through marking it published.
//!
//! ## Examples
//!
//! ```text
//! outbox.append("order-1", "placed")  -> 1
//! outbox.append("order-2", "placed")  -> 2
//! outbox.append("order-1", "paid")    -> 3
//! outbox.append("order-2", "paid")    -> 4
//! relay = Relay::new(10)
//! run_once, the broker refuses event 1:
//!     tries 1 (fails: "order-1" blocked), 2 (ok), skips 3, tries 4 (ok)
//!     -> RelayReport { published: [2, 4], failed: [1] }
//! outbox.next_unpublished(0) -> Some(Event { id: 1, .. });  unpublished_count() -> 2
//! run_once, the broker takes everything:
//!     -> RelayReport { published: [1, 3], failed: [] }
//! outbox.append("order-3", "placed")  -> 5
//! run_once, the broker stores event 5 and then the relay process dies (a panic)
//! Relay::new(10).run_once, the broker takes everything:
//!     -> RelayReport { published: [5], failed: [] }   5 reaches the broker twice
//! outbox.purge_published() -> 5;  outbox.len() -> 0
//! outbox.append("order-1", "shipped") -> 6
//! ```
//!
//! ## Edge cases
//!
//! - `batch_size == 0`: a pass tries nothing and returns an empty report.
//! - `batch_size == usize::MAX`: no limit; the pass tries every unpublished event
//!   whose key is not blocked.
//! - Keys, payloads and ids are compared exactly; `""` is a valid key.
//!
//! ## Complexity
//!
//! The outbox table keeps published events until they are purged, so it grows. With n
//! events in the table, `append`, `next_unpublished` and `mark_published` must take
//! O(log n) time (expected O(1) is fine too), and a pass O((b + s) log n) for b events
//! tried and s skipped: find unpublished events through an index of their own, never by
//! scanning past the published ones (a relay that did would slow down every day). The
//! checks compare the time of relay passes over tables of 128 and of 2048 published
//! events. Use only the standard library.

use std::marker::PhantomData;

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
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Self {
        todo!("create an empty outbox table")
    }

    /// Adds an unpublished event (inside the business transaction); returns its id
    /// (1, 2, 3, ...).
    pub fn append(&mut self, key: &str, payload: &str) -> u64 {
        todo!("append an event for {key:?} with payload {payload:?}")
    }

    /// The unpublished event with the smallest id greater than `after`, if any.
    pub fn next_unpublished(&self, after: u64) -> Option<Event> {
        todo!("find the first unpublished event after id {after}")
    }

    /// Marks event `id` published; `false` (and no change) if it is not an unpublished
    /// event.
    pub fn mark_published(&mut self, id: u64) -> bool {
        todo!("mark event {id} published")
    }

    /// How many events are unpublished.
    pub fn unpublished_count(&self) -> usize {
        todo!("count the unpublished events")
    }

    /// How many events the table holds, published or not.
    pub fn len(&self) -> usize {
        todo!("count the events in the table")
    }

    /// Whether the table holds no events.
    pub fn is_empty(&self) -> bool {
        todo!("is the table empty?")
    }

    /// Deletes every published event; returns how many it deleted.
    pub fn purge_published(&mut self) -> usize {
        todo!("delete the published events")
    }
}

/// The relay process. A crash drops it; a new one must carry on from the outbox alone.
pub struct Relay {
    // Replace this placeholder with your own fields.
    _replace_me: PhantomData<()>,
}

impl Relay {
    /// A relay that tries at most `batch_size` events per pass.
    pub fn new(batch_size: usize) -> Self {
        todo!("create a relay trying {batch_size} events per pass")
    }

    /// One pass: publishes unpublished events in id order, marking each one right after
    /// the broker took it; a refused event blocks its key for the rest of the pass.
    pub fn run_once(&mut self, outbox: &mut Outbox, publisher: &mut dyn Publisher) -> RelayReport {
        let _ = (outbox, publisher);
        todo!("run one pass of the relay")
    }
}
