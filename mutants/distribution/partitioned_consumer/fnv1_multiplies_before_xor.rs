//! # partitioned_consumer: per-key order across worker threads (reference solution)

use std::thread;

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

/// The partition of `key`: 64-bit FNV-1a of its bytes, modulo `partitions`.
pub fn partition_for(key: &str, partitions: usize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in key.as_bytes() {
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        hash ^= u64::from(byte);
    }
    (hash % partitions as u64) as usize
}

/// Handles every message exactly once on `workers` threads; worker `p % workers` owns
/// partition `p` and handles its messages one at a time, in input order.
pub fn consume<F>(messages: Vec<Message>, partitions: usize, workers: usize, handler: &F)
where
    F: Fn(usize, &Message) + Sync,
{
    let mut queues: Vec<Vec<(usize, Message)>> = (0..workers).map(|_| Vec::new()).collect();
    for message in messages {
        let partition = partition_for(&message.key, partitions);
        queues[partition % workers].push((partition, message));
    }
    thread::scope(|scope| {
        for queue in queues {
            if queue.is_empty() {
                continue;
            }
            scope.spawn(move || {
                for (partition, message) in &queue {
                    handler(*partition, message);
                }
            });
        }
    });
}
