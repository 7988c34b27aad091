//! The in-memory store behind every route: one account under one lock, ids that only grow, and
//! persistence to the `--state` file after every successful write.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::records::AccountData;
use super::state_file::write_atomically;

/// The account plus the next ids to hand out.
pub(crate) struct Account {
    pub data: AccountData,
    next_campaign_id: u64,
    next_lead_id: u64,
    next_assistant_id: u64,
}

impl Account {
    fn new(data: AccountData) -> Account {
        // Like an auto-increment column: after the highest id ever loaded, never reused within a
        // run even when the highest campaign is deleted.
        let next_campaign_id = data.campaigns.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        let next_lead_id = data.leads.iter().map(|l| l.id).max().unwrap_or(0) + 1;
        let next_assistant_id = data.assistants.iter().map(|a| a.id).max().unwrap_or(0) + 1;
        Account {
            data,
            next_campaign_id,
            next_lead_id,
            next_assistant_id,
        }
    }

    pub(crate) fn allocate_campaign_id(&mut self) -> u64 {
        let id = self.next_campaign_id;
        self.next_campaign_id += 1;
        id
    }

    pub(crate) fn allocate_assistant_id(&mut self) -> u64 {
        let id = self.next_assistant_id;
        self.next_assistant_id += 1;
        id
    }

    pub(crate) fn allocate_lead_id(&mut self) -> u64 {
        let id = self.next_lead_id;
        self.next_lead_id += 1;
        id
    }
}

pub(crate) struct Store {
    account: Mutex<Account>,
    state_file: Option<PathBuf>,
}

impl Store {
    pub(crate) fn new(data: AccountData, state_file: Option<PathBuf>) -> Store {
        Store {
            account: Mutex::new(Account::new(data)),
            state_file,
        }
    }

    /// Writes the state file now (at start, so a bad path fails early rather than on first write).
    pub(crate) fn persist_now(&self) -> anyhow::Result<()> {
        let account = self.lock();
        match &self.state_file {
            Some(path) => write_atomically(path, &account.data),
            None => Ok(()),
        }
    }

    pub(crate) fn read<R>(&self, f: impl FnOnce(&AccountData) -> R) -> R {
        f(&self.lock().data)
    }

    /// Runs a write; on `Ok` the state file is rewritten before the lock is released, so the file
    /// always reflects writes in the order they happened. Checks and the write happen under one
    /// lock, so concurrent creates cannot both pass the campaign limit.
    pub(crate) fn write<R, E>(&self, f: impl FnOnce(&mut Account) -> Result<R, E>) -> Result<R, E> {
        let mut account = self.lock();
        let result = f(&mut account)?;
        if let Some(path) = &self.state_file {
            // The write already happened in memory and the client will be told so; a disk
            // failure is the operator's problem, reported loudly rather than turned into a 500.
            if let Err(err) = write_atomically(path, &account.data) {
                tracing::error!("{err:#}");
            }
        }
        Ok(result)
    }

    fn lock(&self) -> MutexGuard<'_, Account> {
        // A panic in another request must not take the whole emulator down with it.
        self.account.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
