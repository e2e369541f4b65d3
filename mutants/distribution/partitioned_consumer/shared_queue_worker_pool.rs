//! # partitioned_consumer: per-key order across worker threads (reference solution)

use std::collections::VecDeque;
use std::sync::Mutex;
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
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % partitions as u64) as usize
}

/// A worker pool: every worker takes the next message from one shared queue.
pub fn consume<F>(messages: Vec<Message>, partitions: usize, workers: usize, handler: &F)
where
    F: Fn(usize, &Message) + Sync,
{
    let queue: Mutex<VecDeque<Message>> = Mutex::new(messages.into());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap().pop_front();
                    let Some(message) = next else { break };
                    handler(partition_for(&message.key, partitions), &message);
                }
            });
        }
    });
}
