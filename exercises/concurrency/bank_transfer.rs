//! # bank_transfer: move money between accounts without deadlock
//!
//! A payments ledger moves money between accounts: `transfer(from, to, amount)` debits one
//! balance and credits another, and thousands of request threads do it at once. Each
//! account has a lock of its own, so transfers between unrelated accounts run in
//! parallel; a transfer locks its two accounts, checks the funds, moves the money and
//! unlocks. The classic bug: lock `from`, then `to`. Alice pays Bob while Bob pays Alice;
//! thread 1 holds Alice's lock and waits for Bob's, thread 2 holds Bob's and waits for
//! Alice's, and both wait forever. That is a **deadlock**, and the cure interviewers expect
//! is a **global lock order**: every thread takes the locks of its accounts in the same
//! order (say, lower account id first), whatever the direction of the transfer, so no
//! cycle of waiting threads can form. They also push on: a transfer to the same account
//! (locking one mutex twice deadlocks a thread on itself), and checking the balance
//! *before* taking the locks (two withdrawals both see enough money and overdraw).
//!
//! ## The task
//!
//! Implement [`Bank`]. Keep the declared signatures; the struct's fields are yours. The
//! bank is shared by threads (every method takes `&self`); give every account its own
//! `std::sync::Mutex`.
//!
//! The bank reports its locking to a [`LockObserver`], given to [`Bank::new`]. In
//! production that feeds lock-wait metrics; the checks use it to watch which locks you
//! take and to pause threads at the worst moments, so that a deadlock or a race shows up
//! every time, not once in a while. A simple way to get it right is to lock accounts only
//! through one helper of yours that calls `observer.waiting(id)`, locks, then calls
//! `observer.acquired(id)` and returns the guard.
//!
//! ## Rules
//!
//! - `Bank::new(balances, observer)` opens `balances.len()` accounts with ids
//!   `0, 1, 2, ...` and those opening balances. The total of all balances fits in a `u64`.
//! - `balance(id)` returns `Some(balance)`, or `None` if there is no account `id`.
//! - `transfer(from, to, amount)` checks, in this order, and returns the first error:
//!   1. `from`, then `to`, must exist: `Err(NoSuchAccount(id))` naming the missing one
//!      (`from` if both are missing);
//!   2. `from != to`: else `Err(SameAccount)`. Check this before locking anything;
//!   3. the balance of `from` must be at least `amount`: else
//!      `Err(InsufficientFunds { balance, amount })`, with the balance it found.
//!      Exactly the whole balance is fine (it leaves 0). This check must be made while
//!      holding both accounts' locks, in the same critical section as the update.
//!
//!   Then it subtracts `amount` from `from`, adds it to `to`, and returns `Ok(())`. A
//!   failed transfer changes nothing. `amount == 0` is a valid transfer that changes
//!   nothing.
//! - Money is conserved: whatever transfers run concurrently, every successful transfer
//!   is applied exactly once and the sum of all balances never changes.
//! - **No deadlock**: lock the two accounts of a transfer in one global order (for
//!   example the lower id first), whatever the direction.
//! - **Per-account locks**: transfers between disjoint pairs of accounts must be able to
//!   hold their locks at the same time; one lock around the whole bank is too coarse.
//! - **Observer**: call `observer.waiting(id)` right before you lock account `id`, and
//!   `observer.acquired(id)` right after you got the lock, every time, in `transfer` and
//!   `balance`. A transfer locks each of its two accounts exactly once; a rejected
//!   `SameAccount` or `NoSuchAccount` transfer locks nothing.
//!
//! ## Examples
//!
//! ```text
//! let bank = Bank::new(&[100, 50, 0], Arc::new(NoObserver));
//! bank.transfer(0, 1, 30)    -> Ok(())                       balances [70, 80, 0]
//! bank.transfer(1, 2, 80)    -> Ok(())                       balances [70, 0, 80]
//! bank.transfer(1, 0, 1)     -> Err(InsufficientFunds { balance: 0, amount: 1 })
//! bank.transfer(2, 2, 5)     -> Err(SameAccount)
//! bank.transfer(7, 0, 5)     -> Err(NoSuchAccount(7))
//! bank.transfer(0, 9, 500)   -> Err(NoSuchAccount(9))        checked before the funds
//! bank.balance(0)            -> Some(70)
//! bank.balance(3)            -> None
//!
//! transfer(0, 1, 30) reports: waiting(0), acquired(0), waiting(1), acquired(1)
//! transfer(1, 0, 30) reports the same order if you lock the lower id first.
//!
//! The deadlock, with locks taken in argument order:
//! thread 1: transfer(0, 1, 10)  locks 0 ... waits for 1
//! thread 2: transfer(1, 0, 20)  locks 1 ... waits for 0      neither ever returns
//! ```
//!
//! ## Edge cases
//!
//! - `transfer(a, a, amount)`: `Err(SameAccount)` (after the existence check), without
//!   locking, whatever the amount. Locking `a` twice would deadlock the thread on itself.
//! - A bank with no accounts: every `balance` is `None`, every transfer `NoSuchAccount`.
//! - Balances up to `u64::MAX` (the total still fits in a `u64`, so a credit never
//!   overflows).
//!
//! ## Complexity
//!
//! `balance` and `transfer` are O(1): they lock at most two accounts and never scan the
//! others. The checks run real threads that pause inside your locks; a deadlock is
//! reported after 2 seconds. Use only the standard library.

use std::sync::Arc;

/// An account's id: its index in the opening balances.
pub type AccountId = usize;

/// Watches the bank's locking. Implemented by the checks; [`NoObserver`] does nothing.
pub trait LockObserver: Send + Sync {
    /// Called right before the current thread tries to lock `account`.
    fn waiting(&self, account: AccountId);
    /// Called right after the current thread has locked `account`.
    fn acquired(&self, account: AccountId);
}

/// An observer that ignores everything, for when you don't need one.
pub struct NoObserver;

impl LockObserver for NoObserver {
    fn waiting(&self, _account: AccountId) {}
    fn acquired(&self, _account: AccountId) {}
}

/// Why a transfer was refused. A refused transfer changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferError {
    /// There is no account with this id.
    NoSuchAccount(AccountId),
    /// `from` and `to` are the same account.
    SameAccount,
    /// `from` holds less than `amount`.
    InsufficientFunds {
        /// The balance of `from` when the transfer was checked.
        balance: u64,
        /// The amount asked for.
        amount: u64,
    },
}

/// Accounts with one lock each, shared by threads through `&self`.
pub struct Bank {
    // Replace this placeholder with your own fields.
    _replace_me: (),
}

impl Bank {
    /// Opens accounts `0..balances.len()` with these balances, reporting locks to
    /// `observer`.
    pub fn new(balances: &[u64], observer: Arc<dyn LockObserver>) -> Self {
        let _ = observer;
        todo!("open {} accounts", balances.len())
    }

    /// The balance of `account`, or `None` if there is no such account.
    pub fn balance(&self, account: AccountId) -> Option<u64> {
        todo!("read the balance of account {account}")
    }

    /// Moves `amount` from `from` to `to`, or refuses and changes nothing.
    pub fn transfer(
        &self,
        from: AccountId,
        to: AccountId,
        amount: u64,
    ) -> Result<(), TransferError> {
        todo!("move {amount} from account {from} to account {to}")
    }
}

// The checks share one bank between threads. This fails to compile if your fields make
// `Bank` unsafe to share (use `Mutex`, not `RefCell` or `Cell`).
const _: fn() = || {
    fn shared_by_threads<T: Send + Sync>() {}
    shared_by_threads::<Bank>();
};
