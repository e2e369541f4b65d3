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

/// One lock around every balance: no lock order to get wrong.
pub struct Bank {
    balances: Mutex<Vec<u64>>,
    len: usize,
    observer: Arc<dyn LockObserver>,
}

impl Bank {
    pub fn new(balances: &[u64], observer: Arc<dyn LockObserver>) -> Self {
        Bank {
            balances: Mutex::new(balances.to_vec()),
            len: balances.len(),
            observer,
        }
    }

    /// Locks the bank on behalf of these accounts.
    fn lock(&self, accounts: &[AccountId]) -> MutexGuard<'_, Vec<u64>> {
        for &a in accounts {
            self.observer.waiting(a);
        }
        let guard = self.balances.lock().unwrap();
        for &a in accounts {
            self.observer.acquired(a);
        }
        guard
    }

    pub fn balance(&self, account: AccountId) -> Option<u64> {
        if account >= self.len {
            return None;
        }
        Some(self.lock(&[account])[account])
    }

    pub fn transfer(
        &self,
        from: AccountId,
        to: AccountId,
        amount: u64,
    ) -> Result<(), TransferError> {
        for account in [from, to] {
            if account >= self.len {
                return Err(TransferError::NoSuchAccount(account));
            }
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        let mut balances = self.lock(&[from.min(to), from.max(to)]);
        if balances[from] < amount {
            return Err(TransferError::InsufficientFunds {
                balance: balances[from],
                amount,
            });
        }
        balances[from] -= amount;
        balances[to] += amount;
        Ok(())
    }
}
