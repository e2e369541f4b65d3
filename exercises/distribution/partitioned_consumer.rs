//! # partitioned_consumer: per-key order across worker threads
//!
//! An order service publishes events to a log such as Kafka: `order-17 created`,
//! `order-17 paid`, `order-17 shipped`, interleaved with the events of thousands of other
//! orders. A downstream consumer updates each order's state from these events, and it must
//! apply the events of *one order* in the order they were published: applying `shipped`
//! before `paid` corrupts the order. One thread is too slow for the whole stream, but a
//! plain worker pool (any free thread takes the next message) breaks the order: while one
//! thread is still applying `paid`, another one picks up `shipped` and finishes first.
//!
//! Kafka's answer is *partitioning by key*: every message is routed to a partition by a
//! hash of its key, so all events of `order-17` land in the same partition, and each
//! partition is consumed by exactly one worker, sequentially. Different partitions are
//! handled in parallel, so the stream is processed on many threads, yet the events of any
//! one key are still applied one at a time, in order. "How do you keep per-entity ordering
//! and still scale consumers?" is a staple of backend interviews about queues.
//!
//! ## The task
//!
//! Implement [`partition_for`] and [`consume`]. Keep the declared signatures.
//!
//! ## Rules
//!
//! - **Partitioning.** `partition_for(key, partitions)` is the 64-bit FNV-1a hash of the
//!   key's bytes, modulo `partitions`:
//!
//!   ```text
//!   h = 0xcbf29ce484222325                       offset basis
//!   for each byte b of key:  h = h XOR b;  h = h * 0x100000001b3   (wrapping multiply)
//!   partition = h % partitions
//!   ```
//!
//! - **Workers.** `consume(messages, partitions, workers, handler)` handles the messages on
//!   `workers` worker threads. Partition `p` belongs to worker `p % workers`: every message
//!   of partition `p` is handled on that worker's thread, and each worker thread handles
//!   one message at a time. Use at most `workers` threads to run the handler.
//! - **Handling.** Every message is passed to the handler **exactly once**, as
//!   `handler(partition, &message)` with `partition = partition_for(&message.key,
//!   partitions)`.
//! - **Order.** The messages of one partition, and so all the messages with the same key,
//!   are handled in the order they appear in `messages`: the handler call for one returns
//!   before the call for the next one starts.
//! - **Parallelism.** Different workers run at the same time: a handler call that is slow,
//!   or blocked, in one worker must not hold up the other workers. (The checks' handler
//!   blocks in one partition until a message of another worker's partition is handled.)
//! - `consume` returns once every message has been handled, and not before.
//! - `partitions >= 1` and `workers >= 1`, and the checks use at most 8 workers. The
//!   handler may be called from any of your threads; it never panics.
//!
//! ## Examples
//!
//! ```text
//! partition_for("order-1", 4) = 1    FNV-1a("order-1") = 0xdee4809f34bee86d
//! partition_for("order-2", 4) = 0    FNV-1a("order-2") = 0xdee47d9f34bee354
//! partition_for("order-3", 4) = 3    FNV-1a("order-3") = 0xdee47e9f34bee507
//! partition_for("user:42", 4) = 2    FNV-1a("user:42") = 0x6c151ea4dcd221c2
//! partition_for("", 4)        = 1    FNV-1a("")        = 0xcbf29ce484222325
//! partition_for(anything, 1)  = 0
//!
//! consume(messages, 4, 2, &handler) with messages (id, key):
//!   (1, "order-1") (2, "order-2") (3, "order-1") (4, "order-3") (5, "order-2") (6, "user:42")
//!
//!   worker 0 owns partitions 0 and 2: it handles 2, 5 (partition 0) and 6 (partition 2)
//!   worker 1 owns partitions 1 and 3: it handles 1, 3 (partition 1) and 4 (partition 3)
//!   1 before 3 and 2 before 5, always; the two workers run side by side, so 2 may run
//!   before, during or after 1, and 6 may finish before 1 starts.
//!   handler is called as handler(1, &msg1), handler(0, &msg2), handler(1, &msg3),
//!   handler(3, &msg4), handler(0, &msg5), handler(2, &msg6), in some interleaving.
//! ```
//!
//! ## Edge cases
//!
//! - No messages: the handler is never called, and `consume` returns at once.
//! - One partition: every message goes to partition 0 and is handled in input order.
//! - More workers than partitions: the extra workers have nothing to do (you need not even
//!   start them). More partitions than workers: a worker owns several partitions.
//! - Keys are any strings, including `""`.
//!
//! ## Complexity
//!
//! Routing is O(n) for n messages (one hash per message). The handler does the real work;
//! your code must not serialise it beyond the rules above. Use only the standard library:
//! `std::thread::scope` lets worker threads borrow `handler` and the messages.

/// One message from the log: a unique id, the key it is partitioned by, and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// A unique id given by the producer.
    pub id: u64,
    /// The partitioning key, such as an order id.
    pub key: String,
    /// The body of the message.
    pub payload: String,
}

/// The partition of `key` among `partitions` (`>= 1`): 64-bit FNV-1a of the key's bytes,
/// modulo `partitions`.
pub fn partition_for(key: &str, partitions: usize) -> usize {
    todo!("hash {key:?} with FNV-1a 64 and reduce it modulo {partitions}")
}

/// Calls `handler(partition, &message)` exactly once for every message, on `workers`
/// threads: worker `p % workers` owns partition `p` and handles its messages one at a
/// time, in input order, while the workers run in parallel. Returns when all are handled.
pub fn consume<F>(messages: Vec<Message>, partitions: usize, workers: usize, handler: &F)
where
    F: Fn(usize, &Message) + Sync,
{
    let _ = handler;
    todo!(
        "route {} messages to {partitions} partitions and handle them on {workers} workers",
        messages.len()
    )
}
