use super::bank_transfer::{AccountId, Bank, LockObserver, TransferError};
use crate::kit::{SplitMix64, learner, try_learner};

use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Running learner code: a panic becomes a failure message that names the call.

// ---------------------------------------------------------------------------------------
// Deadlock detection: the work runs on a thread of its own, and the check waits for it with
// a deadline. A deadlocked thread is left behind (the grader ends the process).

/// Threads left blocked by earlier checks in this run.
static STUCK_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Runs `work`, which starts `threads` threads of its own, on a new thread and waits at
/// most 2 s for it (0.25 s once an earlier check already found a deadlock).
fn with_deadline<R: Send + 'static>(
    threads: usize,
    what: &str,
    why: &str,
    work: impl FnOnce() -> R + Send + 'static,
) -> R {
    let stuck = STUCK_THREADS.load(Ordering::SeqCst);
    if stuck + threads > 40 {
        panic!(
            "not run: earlier checks left {stuck} threads deadlocked; fix the deadlock they \
             report first"
        );
    }
    let (limit, limit_text) = if stuck == 0 {
        (Duration::from_secs(2), "2 s")
    } else {
        (Duration::from_millis(250), "0.25 s")
    };
    let (tx, rx) = mpsc::channel();
    let runner = thread::spawn(move || {
        let _ = tx.send(work());
    });
    match rx.recv_timeout(limit) {
        Ok(result) => {
            let _ = runner.join();
            result
        }
        Err(RecvTimeoutError::Timeout) => {
            STUCK_THREADS.fetch_add(threads + 1, Ordering::SeqCst);
            panic!("deadlock suspected: not finished after {limit_text}: {what}. {why}");
        }
        Err(RecvTimeoutError::Disconnected) => {
            panic!("{what} ended without a result (a panic outside the learner's code)")
        }
    }
}

// ---------------------------------------------------------------------------------------
// The observer: records what each thread reports and, in threaded checks, pauses threads.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Waiting(AccountId),
    Acquired(AccountId),
}

impl Event {
    fn account(self) -> AccountId {
        match self {
            Event::Waiting(a) | Event::Acquired(a) => a,
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Waiting(a) => write!(f, "waiting({a})"),
            Event::Acquired(a) => write!(f, "acquired({a})"),
        }
    }
}

fn events_text(events: &[Event]) -> String {
    let parts: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

thread_local! {
    /// Events reported on this thread, while a single-threaded check records them.
    static RECORDING: RefCell<Option<Vec<Event>>> = const { RefCell::new(None) };
    /// The scenario this thread takes part in, and its number in it.
    static PARTICIPANT: RefCell<Option<(Arc<Scenario>, usize)>> = const { RefCell::new(None) };
}

struct CheckObserver;

impl LockObserver for CheckObserver {
    fn waiting(&self, account: AccountId) {
        observe(Event::Waiting(account));
    }
    fn acquired(&self, account: AccountId) {
        observe(Event::Acquired(account));
    }
}

fn observe(event: Event) {
    RECORDING.with(|r| {
        if let Some(events) = r.borrow_mut().as_mut() {
            events.push(event);
        }
    });
    let participant = PARTICIPANT.with(|p| p.borrow().clone());
    if let Some((scenario, me)) = participant {
        scenario.on_event(me, event);
    }
}

/// Runs `f` on this thread and returns what it reported to the observer.
fn recording<R>(f: impl FnOnce() -> R) -> (R, Vec<Event>) {
    RECORDING.with(|r| *r.borrow_mut() = Some(Vec::new()));
    let result = f();
    let events = RECORDING
        .with(|r| r.borrow_mut().take())
        .unwrap_or_default();
    (result, events)
}

/// Where a scenario pauses each thread, and until when.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pause {
    /// Right after a thread's first lock, until every other thread holds a lock too (or
    /// waits for a lock that someone holds).
    AfterFirstLock,
    /// Right before a thread's second lock, until every other thread got that far too (or
    /// waits for a lock that someone holds).
    BeforeSecondLock,
    /// Right after a thread's second lock, until every other thread holds two locks too.
    AfterSecondLock,
}

/// How long a paused thread waits for the others before the scenario stops pausing. A
/// correct bank never makes it wait that long: its threads either get there or wait for
/// a lock that a paused thread holds, and both let the paused thread go on at once.
const PAUSE_LIMIT: Duration = Duration::from_secs(1);

/// Set once a scenario gave up waiting; later scenarios then wait only briefly, so that a
/// wrong bank fails each check quickly instead of running into the time limit.
static PAUSES_GAVE_UP: AtomicBool = AtomicBool::new(false);

fn pause_limit() -> Duration {
    if PAUSES_GAVE_UP.load(Ordering::SeqCst) {
        Duration::from_millis(100)
    } else {
        PAUSE_LIMIT
    }
}

struct ScenarioState {
    events: Vec<Vec<Event>>,
    done: Vec<bool>,
    gave_up: bool,
}

/// Steers a few threads into one interleaving: the observer pauses them at chosen points.
struct Scenario {
    pause: Pause,
    state: Mutex<ScenarioState>,
    changed: Condvar,
}

fn count(events: &[Event], acquired: bool) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Acquired(_)) == acquired)
        .count()
}

/// Whether a thread with these events holds `account`: it acquired it and has only dealt
/// with other accounts since (re-locking the same account means it let go of it).
fn holds(events: &[Event], account: AccountId) -> bool {
    match events.iter().rposition(|e| *e == Event::Acquired(account)) {
        Some(i) => events[i + 1..].iter().all(|e| e.account() != account),
        None => false,
    }
}

impl Scenario {
    fn new(pause: Pause, threads: usize) -> Self {
        Scenario {
            pause,
            state: Mutex::new(ScenarioState {
                events: vec![Vec::new(); threads],
                done: vec![false; threads],
                gave_up: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn blocked(state: &ScenarioState, u: usize) -> bool {
        match state.events[u].last() {
            Some(Event::Waiting(account)) => (0..state.events.len())
                .any(|v| v != u && !state.done[v] && holds(&state.events[v], *account)),
            _ => false,
        }
    }

    fn may_proceed(&self, state: &ScenarioState, me: usize) -> bool {
        (0..state.events.len()).filter(|&u| u != me).all(|u| {
            let events = &state.events[u];
            match self.pause {
                Pause::AfterFirstLock => {
                    state.done[u] || count(events, true) >= 1 || Self::blocked(state, u)
                }
                Pause::BeforeSecondLock => {
                    state.done[u] || count(events, false) >= 2 || Self::blocked(state, u)
                }
                Pause::AfterSecondLock => count(events, true) >= 2,
            }
        })
    }

    fn on_event(&self, me: usize, event: Event) {
        let mut state = self.state.lock().unwrap();
        state.events[me].push(event);
        self.changed.notify_all();
        let mine = &state.events[me];
        let pauses = match (self.pause, event) {
            (Pause::AfterFirstLock, Event::Acquired(_)) => count(mine, true) == 1,
            (Pause::BeforeSecondLock, Event::Waiting(_)) => count(mine, false) == 2,
            (Pause::AfterSecondLock, Event::Acquired(_)) => count(mine, true) == 2,
            _ => false,
        };
        if !pauses {
            return;
        }
        let deadline = Instant::now() + pause_limit();
        while !state.gave_up && !self.may_proceed(&state, me) {
            let now = Instant::now();
            if now >= deadline {
                state.gave_up = true;
                PAUSES_GAVE_UP.store(true, Ordering::SeqCst);
                self.changed.notify_all();
                break;
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap().0;
        }
    }

    fn finish(&self, me: usize) {
        self.state.lock().unwrap().done[me] = true;
        self.changed.notify_all();
    }
}

fn new_bank(balances: &[u64]) -> Result<Bank, String> {
    try_learner(|| Bank::new(balances, Arc::new(CheckObserver)))
        .map_err(|panicked| format!("Bank::new(&{balances:?}, observer) {panicked}"))
}

fn read_balances(bank: &Bank, accounts: usize) -> Result<Vec<Option<u64>>, String> {
    (0..accounts)
        .map(|a| {
            try_learner(|| bank.balance(a)).map_err(|panicked| format!("balance({a}) {panicked}"))
        })
        .collect()
}

fn some_all(balances: &[u64]) -> Vec<Option<u64>> {
    balances.iter().map(|&b| Some(b)).collect()
}

/// What a scenario run saw: each transfer's result, each thread's reported events, whether
/// the pauses were given up, and the balances at the end.
struct Outcome {
    results: Vec<Result<(), TransferError>>,
    events: Vec<Vec<Event>>,
    gave_up: bool,
    balances: Vec<Option<u64>>,
}

fn transfer_text((from, to, amount): (AccountId, AccountId, u64)) -> String {
    format!("transfer({from}, {to}, {amount})")
}

/// Runs each transfer on a thread of its own, all on one bank, paused as `pause` says.
fn run_scenario(
    pause: Pause,
    balances: &[u64],
    transfers: &[(AccountId, AccountId, u64)],
    what: &str,
    why: &str,
) -> Outcome {
    let balances = balances.to_vec();
    let transfers = transfers.to_vec();
    let outcome = with_deadline(transfers.len(), what, why, move || {
        let bank = new_bank(&balances)?;
        let scenario = Arc::new(Scenario::new(pause, transfers.len()));
        let results = thread::scope(|scope| {
            let workers: Vec<_> = transfers
                .iter()
                .enumerate()
                .map(|(me, &(from, to, amount))| {
                    let (bank, scenario) = (&bank, Arc::clone(&scenario));
                    scope.spawn(move || {
                        PARTICIPANT.with(|p| *p.borrow_mut() = Some((Arc::clone(&scenario), me)));
                        let result = try_learner(|| bank.transfer(from, to, amount));
                        PARTICIPANT.with(|p| *p.borrow_mut() = None);
                        scenario.finish(me);
                        result.map_err(|panicked| {
                            format!("{} {panicked}", transfer_text((from, to, amount)))
                        })
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap())
                .collect::<Result<Vec<_>, String>>()
        })?;
        let state = scenario.state.lock().unwrap();
        let (events, gave_up) = (state.events.clone(), state.gave_up);
        drop(state);
        let balances = read_balances(&bank, balances.len())?;
        Ok::<_, String>(Outcome {
            results,
            events,
            gave_up,
            balances,
        })
    });
    match outcome {
        Ok(outcome) => outcome,
        Err(message) => panic!("{what}: {message}"),
    }
}

// ---------------------------------------------------------------------------------------
// Scripted calls on one bank; a failure message lists every call before it.

struct Probe {
    bank: Bank,
    accounts: usize,
    calls: Vec<String>,
}

impl Probe {
    fn new(balances: &[u64]) -> Self {
        match new_bank(balances) {
            Ok(bank) => Probe {
                bank,
                accounts: balances.len(),
                calls: vec![format!("Bank::new(&{balances:?}, observer)")],
            },
            Err(message) => panic!("{message}"),
        }
    }

    fn context(&self, call: &str) -> String {
        format!("after {}: {call}", self.calls.join(", "))
    }

    /// Calls transfer, checks its result and returns what it reported to the observer.
    fn transfer(
        &mut self,
        from: AccountId,
        to: AccountId,
        amount: u64,
        expected: Result<(), TransferError>,
    ) -> (String, Vec<Event>) {
        let call = transfer_text((from, to, amount));
        let bank = &self.bank;
        let (got, events) = recording(|| try_learner(|| bank.transfer(from, to, amount)));
        let context = self.context(&call);
        match got {
            Ok(got) if got == expected => {
                self.calls.push(format!("{call} -> {got:?}"));
                (context, events)
            }
            Ok(got) => panic!("{context} returned {got:?}, expected {expected:?}"),
            Err(panicked) => panic!("{context} {panicked}"),
        }
    }

    fn expect(
        &mut self,
        from: AccountId,
        to: AccountId,
        amount: u64,
        expected: Result<(), TransferError>,
    ) {
        let call = transfer_text((from, to, amount));
        let bank = &self.bank;
        let got = learner(|| self.context(&call), || bank.transfer(from, to, amount));
        if got != expected {
            panic!(
                "{} returned {got:?}, expected {expected:?}",
                self.context(&call)
            );
        }
        self.calls.push(format!("{call} -> {got:?}"));
    }

    fn balances(&mut self, expected: &[u64]) {
        let got = match read_balances(&self.bank, self.accounts) {
            Ok(got) => got,
            Err(message) => panic!("{}", self.context(&message)),
        };
        let expected = some_all(expected);
        if got != expected {
            panic!(
                "{} returned {got:?}, expected {expected:?}",
                self.context(&format!("balance(id) for id in 0..{}", self.accounts))
            );
        }
    }
}

fn insufficient(balance: u64, amount: u64) -> Result<(), TransferError> {
    Err(TransferError::InsufficientFunds { balance, amount })
}

// ---------------------------------------------------------------------------------------
// One thread.

#[test]
fn a_new_bank_reports_the_opening_balances() {
    let mut b = Probe::new(&[100, 0, 42, u64::MAX - 142]);
    b.balances(&[100, 0, 42, u64::MAX - 142]);
    let bank = &b.bank;
    for missing in [4, 5, usize::MAX] {
        let got = learner(
            || b.context(&format!("balance({missing})")),
            || bank.balance(missing),
        );
        expect_eq!(got, None, "{}", b.context(&format!("balance({missing})")));
    }
}

#[test]
fn a_transfer_moves_the_amount_from_one_account_to_the_other() {
    let mut b = Probe::new(&[100, 50, 0]);
    b.expect(0, 1, 30, Ok(()));
    b.balances(&[70, 80, 0]);
    b.expect(1, 2, 80, Ok(()));
    b.balances(&[70, 0, 80]);
    b.expect(2, 0, 5, Ok(()));
    b.balances(&[75, 0, 75]);
}

#[test]
fn the_whole_balance_may_be_transferred() {
    let mut b = Probe::new(&[40, 0]);
    b.expect(0, 1, 40, Ok(()));
    b.balances(&[0, 40]);
    b.expect(1, 0, 40, Ok(()));
    b.balances(&[40, 0]);
}

#[test]
fn insufficient_funds_are_refused_and_change_nothing() {
    let mut b = Probe::new(&[100, 50, 0]);
    b.expect(0, 1, 101, insufficient(100, 101));
    b.expect(2, 0, 1, insufficient(0, 1));
    b.expect(1, 2, u64::MAX, insufficient(50, u64::MAX));
    b.balances(&[100, 50, 0]);
    b.expect(0, 2, 60, Ok(()));
    b.expect(0, 1, 41, insufficient(40, 41));
    b.balances(&[40, 50, 60]);
}

#[test]
fn unknown_accounts_are_refused_before_anything_else() {
    let mut b = Probe::new(&[100, 50]);
    b.expect(2, 0, 5, Err(TransferError::NoSuchAccount(2)));
    b.expect(0, 7, 5, Err(TransferError::NoSuchAccount(7)));
    b.expect(9, 8, 5, Err(TransferError::NoSuchAccount(9)));
    b.expect(0, 2, 500, Err(TransferError::NoSuchAccount(2)));
    b.expect(3, 3, 5, Err(TransferError::NoSuchAccount(3)));
    b.expect(
        usize::MAX,
        0,
        1,
        Err(TransferError::NoSuchAccount(usize::MAX)),
    );
    b.balances(&[100, 50]);
}

#[test]
fn a_bank_without_accounts_refuses_everything() {
    let mut b = Probe::new(&[]);
    let bank = &b.bank;
    let got = learner(|| b.context("balance(0)"), || bank.balance(0));
    expect_eq!(got, None, "{}", b.context("balance(0)"));
    b.expect(0, 1, 0, Err(TransferError::NoSuchAccount(0)));
}

#[test]
fn a_zero_amount_transfer_succeeds_and_changes_nothing() {
    let mut b = Probe::new(&[0, 10]);
    b.expect(0, 1, 0, Ok(()));
    b.expect(1, 0, 0, Ok(()));
    b.balances(&[0, 10]);
}

#[test]
fn balances_near_u64_max_do_not_overflow() {
    let mut b = Probe::new(&[u64::MAX - 5, 5, 0]);
    b.expect(1, 0, 5, Ok(()));
    b.balances(&[u64::MAX, 0, 0]);
    b.expect(0, 2, u64::MAX, Ok(()));
    b.balances(&[0, 0, u64::MAX]);
}

#[test]
fn a_transfer_to_the_same_account_is_refused_without_locking() {
    let what = "Bank::new(&[100, 50], observer), then transfer(1, 1, 5) and transfer(0, 0, 500)";
    let outcome = with_deadline(
        0,
        what,
        "check from == to before locking anything: locking one account's Mutex twice \
         blocks the thread on itself",
        || {
            let bank = new_bank(&[100, 50])?;
            let mut got = Vec::new();
            for (from, to, amount) in [(1, 1, 5), (0, 0, 500)] {
                let (result, events) =
                    recording(|| try_learner(|| bank.transfer(from, to, amount)));
                let result = result.map_err(|panicked| {
                    format!("{} {panicked}", transfer_text((from, to, amount)))
                })?;
                got.push((transfer_text((from, to, amount)), result, events));
            }
            Ok::<_, String>((got, read_balances(&bank, 2)?))
        },
    );
    let (got, balances) = match outcome {
        Ok(outcome) => outcome,
        Err(message) => panic!("{what}: {message}"),
    };
    for (call, result, events) in got {
        if result != Err(TransferError::SameAccount) {
            panic!("{what}: {call} returned {result:?}, expected Err(SameAccount)");
        }
        if !events.is_empty() {
            panic!(
                "{what}: {call} reported {} to the observer, expected nothing: a refused \
                 SameAccount transfer locks nothing",
                events_text(&events)
            );
        }
    }
    expect_eq!(
        balances,
        some_all(&[100, 50]),
        "{what}, then balance(id) for id in 0..2"
    );
}

/// Checks that `events` lock exactly `accounts`, each once: waiting(a) before acquired(a).
fn check_locks_each_once(call: &str, events: &[Event], accounts: &[AccountId]) {
    let mut expected_accounts = accounts.to_vec();
    expected_accounts.sort_unstable();
    let explain = format!(
        "{call} reported {} to the observer, expected waiting(a) then acquired(a) exactly \
         once for each of accounts {expected_accounts:?}",
        events_text(events)
    );
    if events.len() != 2 * accounts.len() {
        panic!("{explain}");
    }
    for &a in accounts {
        let waits: Vec<usize> = (0..events.len())
            .filter(|&i| events[i] == Event::Waiting(a))
            .collect();
        let gets: Vec<usize> = (0..events.len())
            .filter(|&i| events[i] == Event::Acquired(a))
            .collect();
        if waits.len() != 1 || gets.len() != 1 || waits[0] > gets[0] {
            panic!("{explain}");
        }
    }
}

#[test]
fn a_transfer_locks_each_of_its_accounts_once_and_reports_it() {
    let mut b = Probe::new(&[100, 100, 100, 100]);
    for (from, to) in [(3, 1), (1, 3), (0, 2)] {
        let (call, events) = b.transfer(from, to, 10, Ok(()));
        check_locks_each_once(&call, &events, &[from, to]);
    }
    let (call, events) = b.transfer(2, 0, 1000, insufficient(110, 1000));
    check_locks_each_once(&call, &events, &[2, 0]);
    let bank = &b.bank;
    let call = b.context("balance(2)");
    let (got, events) = recording(|| learner(|| call.clone(), || bank.balance(2)));
    expect_eq!(got, Some(110), "{call}");
    check_locks_each_once(&call, &events, &[2]);
    for (from, to) in [(7, 1), (1, 7)] {
        let (call, events) = b.transfer(from, to, 1, Err(TransferError::NoSuchAccount(7)));
        if !events.is_empty() {
            panic!(
                "{call} reported {} to the observer, expected nothing: a NoSuchAccount \
                 transfer locks nothing",
                events_text(&events)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Real threads, paused by the observer at the worst moments.

const LOCK_ORDER: &str = "lock the two accounts of a transfer in one global order (say, the \
     lower id first), whatever the direction of the transfer, so that no cycle of threads \
     each holding a lock the next one waits for can form";

#[test]
fn opposing_transfers_do_not_deadlock() {
    for (a, b) in [(0usize, 1usize), (4, 2)] {
        let transfers = [(a, b, 10), (b, a, 25)];
        let what = format!(
            "{} and {} on two threads, with 6 accounts of 100, each thread paused right after \
             taking its first lock until the other holds one too (or waits for one)",
            transfer_text(transfers[0]),
            transfer_text(transfers[1])
        );
        let outcome = run_scenario(
            Pause::AfterFirstLock,
            &[100; 6],
            &transfers,
            &what,
            LOCK_ORDER,
        );
        for (i, result) in outcome.results.iter().enumerate() {
            expect_eq!(*result, Ok(()), "{what}: {}", transfer_text(transfers[i]));
        }
        let mut expected = vec![100u64; 6];
        expected[a] += 15;
        expected[b] -= 15;
        expect_eq!(
            outcome.balances,
            some_all(&expected),
            "{what}, then balance(id) for id in 0..6"
        );
    }
}

#[test]
fn three_transfers_in_a_cycle_do_not_deadlock() {
    let transfers = [(0, 1, 10), (1, 2, 20), (2, 0, 30)];
    let what = "transfer(0, 1, 10), transfer(1, 2, 20) and transfer(2, 0, 30) on three \
                threads, with 3 accounts of 100, each thread paused right after taking its \
                first lock until every other one holds one too (or waits for one)";
    let outcome = run_scenario(
        Pause::AfterFirstLock,
        &[100; 3],
        &transfers,
        what,
        LOCK_ORDER,
    );
    for (i, result) in outcome.results.iter().enumerate() {
        expect_eq!(*result, Ok(()), "{what}: {}", transfer_text(transfers[i]));
    }
    expect_eq!(
        outcome.balances,
        some_all(&[120, 90, 90]),
        "{what}, then balance(id) for id in 0..3"
    );
}

#[test]
fn two_withdrawals_from_one_account_never_overdraw_it() {
    let transfers = [(0, 1, 70), (0, 2, 70)];
    let what = "transfer(0, 1, 70) and transfer(0, 2, 70) on two threads, with balances \
                [100, 0, 0], each thread paused right before its second lock until the other \
                got that far too (or waits for a lock)";
    let outcome = run_scenario(
        Pause::BeforeSecondLock,
        &[100, 0, 0],
        &transfers,
        what,
        "look for a lock that is never released",
    );
    let ok: Vec<usize> = (0..2).filter(|&i| outcome.results[i].is_ok()).collect();
    let [winner] = ok[..] else {
        panic!(
            "{what}: the transfers returned {:?}, expected one Ok(()) and one \
             Err(InsufficientFunds {{ balance: 30, amount: 70 }}): check the balance while \
             holding both locks, in the same critical section as the update",
            outcome.results
        );
    };
    let loser = 1 - winner;
    expect_eq!(
        outcome.results[loser],
        insufficient(30, 70),
        "{what}: after {} succeeded, {}",
        transfer_text(transfers[winner]),
        transfer_text(transfers[loser])
    );
    let mut expected = vec![30, 0, 0];
    expected[transfers[winner].1] = 70;
    expect_eq!(
        outcome.balances,
        some_all(&expected),
        "{what}, then balance(id) for id in 0..3"
    );
}

#[test]
fn transfers_between_different_accounts_hold_their_locks_at_the_same_time() {
    let transfers = [(0, 1, 5), (3, 2, 5)];
    let what = "transfer(0, 1, 5) and transfer(3, 2, 5) on two threads, with 4 accounts of \
                100, each thread paused right after taking its second lock until the other \
                holds its two as well";
    let outcome = run_scenario(
        Pause::AfterSecondLock,
        &[100; 4],
        &transfers,
        what,
        "look for a lock that is never released",
    );
    if outcome.gave_up {
        panic!(
            "{what}: after one transfer held both its accounts, the other could not lock its \
             own two (reported: {} by transfer(0, 1, 5), {} by transfer(3, 2, 5)); give every \
             account its own lock, so transfers between different accounts never wait for \
             each other (one lock around the whole bank serialises every transfer)",
            events_text(&outcome.events[0]),
            events_text(&outcome.events[1])
        );
    }
    for (i, result) in outcome.results.iter().enumerate() {
        expect_eq!(*result, Ok(()), "{what}: {}", transfer_text(transfers[i]));
    }
    expect_eq!(
        outcome.balances,
        some_all(&[95, 105, 105, 95]),
        "{what}, then balance(id) for id in 0..4"
    );
}

#[test]
fn eight_threads_of_random_transfers_conserve_money() {
    const SEED: u64 = 0xBA4C_0001;
    const THREADS: usize = 8;
    const TRANSFERS: usize = 100;
    const ACCOUNTS: usize = 6;
    const OPENING: u64 = 1000;
    let what = format!(
        "{THREADS} threads doing {TRANSFERS} random transfers each among {ACCOUNTS} accounts \
         of {OPENING} (seed {SEED:#x}; thread t draws from SplitMix64(seed + t))"
    );
    let why = "lock the two accounts of a transfer in one global order (say, the lower id \
               first), and refuse from == to before locking anything (a thread that locks \
               one account twice blocks on itself)";
    let outcome = with_deadline(THREADS, &what, why, move || {
        let bank = new_bank(&[OPENING; ACCOUNTS])?;
        let start = Barrier::new(THREADS);
        let per_thread = thread::scope(|scope| {
            let workers: Vec<_> = (0..THREADS)
                .map(|t| {
                    let (bank, start) = (&bank, &start);
                    scope.spawn(move || {
                        let mut rng = SplitMix64(SEED + t as u64);
                        let plan: Vec<(AccountId, AccountId, u64)> = (0..TRANSFERS)
                            .map(|_| {
                                let from = rng.below(ACCOUNTS as u64) as usize;
                                let to = rng.below(ACCOUNTS as u64) as usize;
                                (from, to, rng.below(400))
                            })
                            .collect();
                        start.wait();
                        let mut done = Vec::new();
                        for &step in &plan {
                            match try_learner(|| bank.transfer(step.0, step.1, step.2)) {
                                Ok(result) => done.push((step, result)),
                                Err(panicked) => {
                                    return Err(format!(
                                        "thread {t}'s call {}, {} {panicked}",
                                        done.len(),
                                        transfer_text(step)
                                    ));
                                }
                            }
                        }
                        Ok(done)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap())
                .collect::<Result<Vec<_>, String>>()
        })?;
        let balances = read_balances(&bank, ACCOUNTS)?;
        Ok::<_, String>((per_thread, balances))
    });
    let (per_thread, balances) = match outcome {
        Ok(outcome) => outcome,
        Err(message) => panic!("{what}: {message}"),
    };
    let mut expected = [OPENING as i128; ACCOUNTS];
    for (t, done) in per_thread.iter().enumerate() {
        for (i, &(step, result)) in done.iter().enumerate() {
            let (from, to, amount) = step;
            let call = format!("{what}: thread {t}'s call {i}, {}", transfer_text(step));
            match result {
                Ok(()) if from != to => {
                    expected[from] -= amount as i128;
                    expected[to] += amount as i128;
                }
                Err(TransferError::SameAccount) if from == to => {}
                Err(TransferError::InsufficientFunds {
                    balance,
                    amount: asked,
                }) if from != to && asked == amount && balance < amount => {}
                other => {
                    let wanted = if from == to {
                        "Err(SameAccount)"
                    } else {
                        "Ok(()) or Err(InsufficientFunds { balance, amount }) with balance < amount"
                    };
                    panic!("{call}, returned {other:?}, expected {wanted}");
                }
            }
        }
    }
    let expected: Vec<Option<u64>> = expected.iter().map(|&b| u64::try_from(b).ok()).collect();
    if balances != expected {
        let total: u64 = balances.iter().map(|b| b.unwrap_or(0)).sum();
        panic!(
            "{what}, then balance(id) for id in 0..{ACCOUNTS} returned {balances:?}, expected \
             {expected:?} (the opening balances plus every successful transfer, each applied \
             exactly once); the total is {total}, expected {}",
            OPENING * ACCOUNTS as u64
        );
    }
}
