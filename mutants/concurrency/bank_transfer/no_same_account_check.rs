use std::sync::{Arc, Mutex, MutexGuard};

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
    accounts: Vec<Mutex<u64>>,
    observer: Arc<dyn LockObserver>,
}

impl Bank {
    /// Opens accounts `0..balances.len()` with these balances, reporting locks to
    /// `observer`.
    pub fn new(balances: &[u64], observer: Arc<dyn LockObserver>) -> Self {
        Bank {
            accounts: balances.iter().map(|&b| Mutex::new(b)).collect(),
            observer,
        }
    }

    /// Locks one account (which must exist), telling the observer before and after.
    fn lock(&self, account: AccountId) -> MutexGuard<'_, u64> {
        self.observer.waiting(account);
        // Every update is a single assignment, so a poisoned lock holds a valid balance.
        let guard = self.accounts[account]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.observer.acquired(account);
        guard
    }

    /// The balance of `account`, or `None` if there is no such account.
    pub fn balance(&self, account: AccountId) -> Option<u64> {
        if account >= self.accounts.len() {
            return None;
        }
        Some(*self.lock(account))
    }

    /// Moves `amount` from `from` to `to`, or refuses and changes nothing.
    pub fn transfer(
        &self,
        from: AccountId,
        to: AccountId,
        amount: u64,
    ) -> Result<(), TransferError> {
        for account in [from, to] {
            if account >= self.accounts.len() {
                return Err(TransferError::NoSuchAccount(account));
            }
        }
        // One global order: the lower id is always locked first.
        let (mut from_balance, mut to_balance) = if from < to {
            let f = self.lock(from);
            let t = self.lock(to);
            (f, t)
        } else {
            let t = self.lock(to);
            let f = self.lock(from);
            (f, t)
        };
        if *from_balance < amount {
            return Err(TransferError::InsufficientFunds {
                balance: *from_balance,
                amount,
            });
        }
        *from_balance -= amount;
        *to_balance += amount;
        Ok(())
    }
}
