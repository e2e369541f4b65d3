use super::partitioned_consumer::{Message, consume, partition_for};
use crate::kit::SplitMix64;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Once, mpsc};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic (on any thread, while learner code runs) becomes a
// failure message that names the call.

static LEARNER_ACTIVE: AtomicBool = AtomicBool::new(false);
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
static QUIET_HOOK: Once = Once::new();

fn install_hook() {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if LEARNER_ACTIVE.load(Ordering::SeqCst) {
                let mut last = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
                if last.is_none() {
                    *last = Some(info.to_string());
                }
            } else {
                previous(info);
            }
        }));
    });
}

fn take_panic() -> String {
    LAST_PANIC
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or_else(|| "panicked".to_string())
}

/// Runs `f` (learner code); a panic fails the check with "`call()` panicked at ...".
fn learner<R>(call: impl FnOnce() -> String, f: impl FnOnce() -> R) -> R {
    install_hook();
    LEARNER_ACTIVE.store(true, Ordering::SeqCst);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    LEARNER_ACTIVE.store(false, Ordering::SeqCst);
    match result {
        Ok(value) => value,
        Err(_) => panic!("{} {}", call(), take_panic()),
    }
}

// ---------------------------------------------------------------------------------------
// The reference partitioning.

fn fnv1a(key: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in key.as_bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn reference_partition(key: &str, partitions: usize) -> usize {
    (fnv1a(key) % partitions as u64) as usize
}

/// A key whose partition (of `partitions`) is `partition`, other than those in `avoid`.
fn key_in(partition: usize, partitions: usize, prefix: &str, avoid: &[&str]) -> String {
    (0..)
        .map(|i| format!("{prefix}-{i}"))
        .find(|k| reference_partition(k, partitions) == partition && !avoid.contains(&k.as_str()))
        .expect("some key lands in every partition")
}

fn message(id: u64, key: &str) -> Message {
    Message {
        id,
        key: key.to_string(),
        payload: format!("event {id} of {key}"),
    }
}

/// `messages` with ids 1, 2, ... for the given keys.
fn messages(keys: &[&str]) -> Vec<Message> {
    keys.iter()
        .enumerate()
        .map(|(i, key)| message(i as u64 + 1, key))
        .collect()
}

// ---------------------------------------------------------------------------------------
// A recording handler: what ran where and when, overlaps, and an optional gate that blocks
// one message until another one starts or finishes.

struct Event {
    id: u64,
    partition: usize,
    thread: ThreadId,
    start: u64,
    end: u64,
}

/// Blocks message `blocked` until `release_on_start` starts or `release_on_done` finishes.
#[derive(Clone, Copy)]
struct Gate {
    blocked: u64,
    release_on_start: Option<u64>,
    release_on_done: Option<u64>,
}

#[derive(Default)]
struct GateState {
    released: bool,
    timed_out: bool,
    released_by_start: bool,
}

struct Recorder {
    partitions: usize,
    keys: HashMap<u64, String>,
    tick: AtomicU64,
    events: Mutex<Vec<Event>>,
    started: Mutex<BTreeSet<u64>>,
    in_flight: Mutex<HashMap<usize, u64>>,
    overlaps: Mutex<Vec<(u64, u64)>>,
    gate: Option<Gate>,
    gate_state: Mutex<GateState>,
    gate_changed: Condvar,
    /// Messages whose handling takes a little while.
    slow: BTreeSet<u64>,
}

const GATE_TIMEOUT: Duration = Duration::from_secs(1);
const CONSUME_TIMEOUT: Duration = Duration::from_secs(3);

impl Recorder {
    fn new(messages: &[Message], partitions: usize) -> Self {
        Recorder {
            partitions,
            keys: messages.iter().map(|m| (m.id, m.key.clone())).collect(),
            tick: AtomicU64::new(0),
            events: Mutex::new(Vec::new()),
            started: Mutex::new(BTreeSet::new()),
            in_flight: Mutex::new(HashMap::new()),
            overlaps: Mutex::new(Vec::new()),
            gate: None,
            gate_state: Mutex::new(GateState::default()),
            gate_changed: Condvar::new(),
            slow: BTreeSet::new(),
        }
    }

    fn release(&self, by_start: bool) {
        let mut state = self.gate_state.lock().unwrap();
        if !state.released {
            state.released = true;
            state.released_by_start = by_start;
        }
        self.gate_changed.notify_all();
    }

    fn handle(&self, partition: usize, message: &Message) {
        let start = self.tick.fetch_add(1, Ordering::SeqCst);
        self.started.lock().unwrap().insert(message.id);
        let true_partition = reference_partition(&message.key, self.partitions);
        if let Some(other) = self
            .in_flight
            .lock()
            .unwrap()
            .insert(true_partition, message.id)
        {
            self.overlaps.lock().unwrap().push((other, message.id));
        }
        if let Some(gate) = self.gate {
            if gate.release_on_start == Some(message.id) {
                self.release(true);
            }
            if gate.blocked == message.id {
                let deadline = Instant::now() + GATE_TIMEOUT;
                let mut state = self.gate_state.lock().unwrap();
                while !state.released {
                    let now = Instant::now();
                    if now >= deadline {
                        state.timed_out = true;
                        break;
                    }
                    state = self
                        .gate_changed
                        .wait_timeout(state, deadline - now)
                        .unwrap()
                        .0;
                }
            }
        }
        if self.slow.contains(&message.id) {
            thread::sleep(Duration::from_millis(1));
        } else {
            thread::yield_now();
        }
        {
            let mut in_flight = self.in_flight.lock().unwrap();
            if in_flight.get(&true_partition) == Some(&message.id) {
                in_flight.remove(&true_partition);
            }
        }
        let end = self.tick.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = self.gate {
            if gate.release_on_done == Some(message.id) {
                self.release(false);
            }
        }
        self.events.lock().unwrap().push(Event {
            id: message.id,
            partition,
            thread: thread::current().id(),
            start,
            end,
        });
    }

    fn key(&self, id: u64) -> &str {
        self.keys.get(&id).map(String::as_str).unwrap_or("?")
    }
}

fn describe_call(messages: &[Message], partitions: usize, workers: usize) -> String {
    let list = if messages.len() <= 8 {
        let items: Vec<String> = messages
            .iter()
            .map(|m| format!("({}, {:?})", m.id, m.key))
            .collect();
        format!("[{}]", items.join(" "))
    } else {
        let keys: BTreeSet<&str> = messages.iter().map(|m| m.key.as_str()).collect();
        format!("{} messages over {} keys", messages.len(), keys.len())
    };
    format!("consume({list}, {partitions}, {workers}, handler)")
}

/// Runs `consume` on its own thread with a recording handler and checks every rule.
/// Returns the recorder for extra checks.
fn run(
    messages: Vec<Message>,
    partitions: usize,
    workers: usize,
    recorder: Recorder,
) -> Arc<Recorder> {
    run_described(messages, partitions, workers, recorder, None)
}

fn run_described(
    messages: Vec<Message>,
    partitions: usize,
    workers: usize,
    recorder: Recorder,
    context: Option<String>,
) -> Arc<Recorder> {
    let call = context.unwrap_or_else(|| describe_call(&messages, partitions, workers));
    let recorder = Arc::new(recorder);
    let input = messages.clone();
    let (done_tx, done_rx) = mpsc::channel();
    let shared = Arc::clone(&recorder);
    install_hook();
    LEARNER_ACTIVE.store(true, Ordering::SeqCst);
    let runner = thread::spawn(move || {
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            consume(messages, partitions, workers, &|p: usize, m: &Message| {
                shared.handle(p, m)
            })
        }));
        let _ = done_tx.send(result.is_ok());
    });
    let outcome = done_rx.recv_timeout(CONSUME_TIMEOUT);
    LEARNER_ACTIVE.store(false, Ordering::SeqCst);
    match outcome {
        Ok(true) => {
            let _ = runner.join();
        }
        Ok(false) | Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("{call} {}", take_panic())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "deadlock suspected: {call} did not return within {} s",
            CONSUME_TIMEOUT.as_secs()
        ),
    }
    let state = recorder.gate_state.lock().unwrap();
    if let (Some(gate), true) = (recorder.gate, state.timed_out) {
        let waited_for = gate.release_on_done.or(gate.release_on_start).unwrap_or(0);
        let (pa, pb) = (
            reference_partition(recorder.key(gate.blocked), partitions),
            reference_partition(recorder.key(waited_for), partitions),
        );
        panic!(
            "{call}: the handler for message {} (key {:?}, partition {pa}, worker {}) waited {} s \
             for message {waited_for} (key {:?}, partition {pb}, worker {}) to be handled, and it \
             never was: different workers must run in parallel, so one blocked handler does not \
             hold up the other workers",
            gate.blocked,
            recorder.key(gate.blocked),
            pa % workers,
            GATE_TIMEOUT.as_secs(),
            recorder.key(waited_for),
            pb % workers,
        );
    }
    drop(state);
    verify(&call, &input, partitions, workers, &recorder);
    recorder
}

/// Checks exactly-once, partitions, per-partition order and serial handling, and threads.
fn verify(call: &str, input: &[Message], partitions: usize, workers: usize, recorder: &Recorder) {
    let events = recorder.events.lock().unwrap();
    // Returned only when done.
    let finished: BTreeSet<u64> = events.iter().map(|e| e.id).collect();
    if let Some(id) = recorder
        .started
        .lock()
        .unwrap()
        .difference(&finished)
        .next()
    {
        panic!(
            "{call} returned while the handler for message {id} (key {:?}) was still running, \
             expected consume to return only after every message has been handled",
            recorder.key(*id)
        );
    }
    // Exactly once.
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    for e in events.iter() {
        *seen.entry(e.id).or_insert(0) += 1;
    }
    for m in input {
        match seen.get(&m.id).copied().unwrap_or(0) {
            1 => {}
            0 => panic!(
                "{call}: message {} (key {:?}) was never passed to the handler, expected exactly \
                 once ({} of {} messages were handled)",
                m.id,
                m.key,
                seen.len(),
                input.len()
            ),
            n => panic!(
                "{call}: message {} (key {:?}) was passed to the handler {n} times, expected \
                 exactly once",
                m.id, m.key
            ),
        }
    }
    if seen.len() != input.len() {
        panic!(
            "{call}: the handler was called for {} distinct messages, expected {}",
            seen.len(),
            input.len()
        );
    }
    // The partition argument.
    for e in events.iter() {
        let key = recorder.key(e.id);
        let expected = reference_partition(key, partitions);
        if e.partition != expected {
            panic!(
                "{call}: message {} (key {key:?}) was handled as handler({}, ..), expected \
                 handler({expected}, ..): partition_for({key:?}, {partitions}) = FNV-1a {:#018x} \
                 % {partitions} = {expected}",
                e.id,
                e.partition,
                fnv1a(key)
            );
        }
    }
    // One at a time per partition.
    if let Some(&(first, second)) = recorder.overlaps.lock().unwrap().first() {
        let (k1, k2) = (recorder.key(first), recorder.key(second));
        panic!(
            "{call}: message {second} (key {k2:?}) started while message {first} (key {k1:?}) of \
             the same partition {} was still being handled, expected the messages of a partition \
             to be handled one at a time",
            reference_partition(k1, partitions)
        );
    }
    // Input order per partition.
    let position: HashMap<u64, usize> = input.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    let mut by_partition: BTreeMap<usize, Vec<&Event>> = BTreeMap::new();
    for e in events.iter() {
        by_partition.entry(e.partition).or_default().push(e);
    }
    for (partition, list) in by_partition.iter_mut() {
        list.sort_by_key(|e| e.start);
        for pair in list.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if position[&a.id] > position[&b.id] {
                panic!(
                    "{call}: in partition {partition}, message {} (key {:?}) was handled before \
                     message {} (key {:?}), expected input order ({} comes first in messages)",
                    a.id,
                    recorder.key(a.id),
                    b.id,
                    recorder.key(b.id),
                    b.id
                );
            }
            if a.end > b.start {
                panic!(
                    "{call}: in partition {partition}, message {} (key {:?}) started before the \
                     handler for message {} (key {:?}) had returned, expected one at a time",
                    b.id,
                    recorder.key(b.id),
                    a.id,
                    recorder.key(a.id)
                );
            }
        }
    }
    // Threads: one per worker, partition p on worker p % workers.
    let mut threads_of: BTreeMap<usize, HashSet<ThreadId>> = BTreeMap::new();
    for e in events.iter() {
        threads_of.entry(e.partition).or_default().insert(e.thread);
    }
    for (partition, threads) in &threads_of {
        if threads.len() > 1 {
            panic!(
                "{call}: the messages of partition {partition} were handled on {} different \
                 threads, expected all on the thread of worker {} ({partition} % {workers})",
                threads.len(),
                partition % workers
            );
        }
    }
    let thread_of: BTreeMap<usize, ThreadId> = threads_of
        .iter()
        .map(|(p, t)| (*p, *t.iter().next().unwrap()))
        .collect();
    for (&p, &tp) in &thread_of {
        for (&q, &tq) in &thread_of {
            if p < q && (p % workers == q % workers) != (tp == tq) {
                if tp == tq {
                    panic!(
                        "{call}: partitions {p} and {q} were handled on the same thread, expected \
                         different workers ({p} % {workers} = {}, {q} % {workers} = {})",
                        p % workers,
                        q % workers
                    );
                }
                panic!(
                    "{call}: partitions {p} and {q} were handled on different threads, expected \
                     both on worker {} ({p} % {workers} = {q} % {workers})",
                    p % workers
                );
            }
        }
    }
    let threads: HashSet<ThreadId> = events.iter().map(|e| e.thread).collect();
    if threads.len() > workers {
        panic!(
            "{call}: the handler ran on {} different threads, expected at most {workers} (one per \
             worker)",
            threads.len()
        );
    }
}

// ---------------------------------------------------------------------------------------
// partition_for.

#[test]
fn partition_for_is_fnv1a_64_modulo_the_partition_count() {
    for (key, partitions, expected) in [
        ("order-1", 4, 1),
        ("order-2", 4, 0),
        ("order-3", 4, 3),
        ("user:42", 4, 2),
        ("", 4, 1),
        ("a", 4, 0),
        ("order-1", 1, 0),
        ("anything", 1, 0),
    ] {
        assert_eq!(
            reference_partition(key, partitions),
            expected,
            "the check is wrong"
        );
        let got = learner(
            || format!("partition_for({key:?}, {partitions})"),
            || partition_for(key, partitions),
        );
        if got != expected {
            panic!(
                "partition_for({key:?}, {partitions}) returned {got}, expected {expected} \
                 (FNV-1a 64 of {key:?} is {:#018x})",
                fnv1a(key)
            );
        }
    }
    let mut rng = SplitMix64(0x9A27_0001);
    for _ in 0..300 {
        let len = rng.below(12) as usize;
        let mut key: String = (0..len)
            .map(|_| char::from_u32(0x20 + (rng.next() % 0x5f) as u32).unwrap())
            .collect();
        if rng.below(4) == 0 {
            key.push('é');
        }
        let partitions = match rng.below(4) {
            0 => 1 + rng.below(16) as usize,
            1 => 1 + rng.below(1000) as usize,
            2 => (1usize << 40) + rng.below(1000) as usize,
            _ => usize::MAX - rng.below(3) as usize,
        };
        let expected = reference_partition(&key, partitions);
        let got = learner(
            || format!("partition_for({key:?}, {partitions})"),
            || partition_for(&key, partitions),
        );
        if got != expected {
            panic!(
                "partition_for({key:?}, {partitions}) returned {got}, expected {expected} \
                 (FNV-1a 64 of {key:?} is {:#018x}; the modulo is taken on the full 64-bit hash)",
                fnv1a(&key)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// consume.

#[test]
fn the_example_from_the_statement() {
    let input = messages(&[
        "order-1", "order-2", "order-1", "order-3", "order-2", "user:42",
    ]);
    let recorder = Recorder::new(&input, 4);
    run(input, 4, 2, recorder);
}

#[test]
fn no_messages_means_no_handler_calls() {
    let recorder = Recorder::new(&[], 4);
    let recorder = run(Vec::new(), 4, 3, recorder);
    let calls = recorder.events.lock().unwrap().len();
    expect_eq!(
        calls,
        0,
        "consume([], 4, 3, handler), then the number of handler calls"
    );
}

#[test]
fn every_message_is_handled_exactly_once() {
    let keys: Vec<String> = (0..25).map(|i| format!("order-{i}")).collect();
    let input: Vec<Message> = (0..200)
        .map(|i| message(i + 1, &keys[(i * 7 % 25) as usize]))
        .collect();
    let recorder = Recorder::new(&input, 6);
    run(input, 6, 3, recorder);
}

#[test]
fn messages_of_a_partition_are_handled_one_at_a_time_in_input_order() {
    // Slow messages leave time for a wrong implementation to start the next one early.
    let keys: Vec<String> = (0..6).map(|i| format!("cart-{i}")).collect();
    let input: Vec<Message> = (0..60)
        .map(|i| message(i + 1, &keys[(i % 6) as usize]))
        .collect();
    let mut recorder = Recorder::new(&input, 3);
    recorder.slow = input
        .iter()
        .filter(|m| m.id % 10 == 1)
        .map(|m| m.id)
        .collect();
    run(input, 3, 3, recorder);
}

/// Key `a` in a partition of worker 0, key `b` in a partition of worker 1; message 1 (key
/// `a`) blocks until message 2 (also key `a`) starts, or until a later message of key `b`
/// is done. A correct consumer never starts message 2 before message 1 returns, and the
/// other worker handles `b`'s message, which releases message 1. A consumer that hands
/// message 2 to another thread starts it while message 1 is blocked: caught every time.
fn blocked_message_scenario(partitions: usize) {
    let a = key_in(0, partitions, "order", &[]);
    let b = key_in(1, partitions, "order", &[&a]);
    let c = key_in(partitions - 1, partitions, "user", &[&a, &b]);
    let keys = [&a, &a, &b, &a, &c, &b, &a, &c];
    let input: Vec<Message> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| message(i as u64 + 1, k))
        .collect();
    let mut recorder = Recorder::new(&input, partitions);
    recorder.gate = Some(Gate {
        blocked: 1,
        release_on_start: Some(2),
        release_on_done: Some(3),
    });
    let call = format!(
        "{} where the handler for message 1 blocks until message 2 starts or message 3 is done",
        describe_call(&input, partitions, 2)
    );
    let recorder = run_described(input, partitions, 2, recorder, Some(call.clone()));
    if recorder.gate_state.lock().unwrap().released_by_start {
        panic!(
            "{call}: message 2 (key {a:?}) started while the handler for message 1 (same key) \
             was still running, expected message 2 to wait for message 1: the messages of one \
             key must be handled one at a time, in input order, by the worker that owns their \
             partition"
        );
    }
}

#[test]
fn a_blocked_message_is_not_overtaken_by_the_next_message_with_its_key() {
    blocked_message_scenario(2);
    blocked_message_scenario(6);
}

#[test]
fn workers_run_in_parallel() {
    for (partitions, workers) in [(2, 2), (8, 4)] {
        let first = key_in(0, partitions, "order", &[]);
        let last = key_in(workers - 1, partitions, "order", &[&first]);
        let input = messages(&[&first, &first, &last, &first, &last]);
        let mut recorder = Recorder::new(&input, partitions);
        recorder.gate = Some(Gate {
            blocked: 1,
            release_on_start: None,
            release_on_done: Some(3),
        });
        let call = format!(
            "{} where the handler for message 1 blocks until message 3 is done",
            describe_call(&input, partitions, workers)
        );
        run_described(input, partitions, workers, recorder, Some(call));
    }
}

#[test]
fn each_partition_stays_on_the_thread_of_its_worker() {
    let keys: Vec<String> = (0..40).map(|i| format!("account-{i}")).collect();
    let input: Vec<Message> = (0..120)
        .map(|i| message(i + 1, &keys[(i * 13 % 40) as usize]))
        .collect();
    let recorder = Recorder::new(&input, 8);
    run(input, 8, 3, recorder);
}

#[test]
fn at_most_workers_threads_run_the_handler() {
    let keys: Vec<String> = (0..30).map(|i| format!("device-{i}")).collect();
    let input: Vec<Message> = (0..90)
        .map(|i| message(i + 1, &keys[(i % 30) as usize]))
        .collect();
    let recorder = Recorder::new(&input, 8);
    let call = describe_call(&input, 8, 2);
    let recorder = run(input, 8, 2, recorder);
    let threads: HashSet<ThreadId> = recorder
        .events
        .lock()
        .unwrap()
        .iter()
        .map(|e| e.thread)
        .collect();
    expect_eq!(
        threads.len(),
        2,
        "{call}, then the number of distinct threads that ran the handler"
    );
}

#[test]
fn one_partition_handles_everything_in_input_order() {
    let keys = [
        "order-1", "order-2", "", "order-1", "user:42", "order-2", "order-1",
    ];
    let input = messages(&keys);
    let recorder = Recorder::new(&input, 1);
    let recorder = run(input, 1, 4, recorder);
    let mut events: Vec<(u64, u64)> = recorder
        .events
        .lock()
        .unwrap()
        .iter()
        .map(|e| (e.start, e.id))
        .collect();
    events.sort();
    let order: Vec<u64> = events.iter().map(|e| e.1).collect();
    expect_eq!(
        order,
        (1..=7).collect::<Vec<u64>>(),
        "consume(7 messages, 1, 4, handler): the order of handled message ids"
    );
}

#[test]
fn more_workers_than_partitions_is_fine() {
    let input = messages(&["a", "b", "c", "a", "d", "b", "e", "a", "f", "c"]);
    let recorder = Recorder::new(&input, 2);
    run(input, 2, 6, recorder);
    let input = messages(&["x"]);
    let recorder = Recorder::new(&input, 3);
    run(input, 3, 8, recorder);
}

#[test]
fn consume_returns_only_after_every_message_is_handled() {
    let input = messages(&[
        "order-1", "order-2", "order-3", "order-1", "order-4", "order-2",
    ]);
    let mut recorder = Recorder::new(&input, 4);
    recorder.slow = [4, 6].into_iter().collect();
    // run() counts the handled messages right after consume returns.
    run(input, 4, 2, recorder);
}

// ---------------------------------------------------------------------------------------
// Random streams.

#[test]
fn random_streams_keep_every_rule() {
    for seed in 1..=5u64 {
        let seed = 0x57_4EA0 ^ seed;
        let mut rng = SplitMix64(seed);
        let partitions = 1 + rng.below(8) as usize;
        let workers = 1 + rng.below(5) as usize;
        let key_count = 1 + rng.below(20);
        let len = 20 + rng.below(80);
        let input: Vec<Message> = (0..len)
            .map(|i| message(i + 1, &format!("k{}", rng.below(key_count))))
            .collect();
        let recorder = Recorder::new(&input, partitions);
        let call = format!(
            "random stream (seed {seed:#x}): {}",
            describe_call(&input, partitions, workers)
        );
        run_described(input, partitions, workers, recorder, Some(call));
    }
}
