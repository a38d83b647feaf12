//! Bearer tokens seen in the last few seconds, so that a burst of API calls
//! costs one database read per token rather than one per call.
//!
//! Revoking a token or changing a user through this `Store` empties the cache at
//! once; a change made by another process (a second server on the same
//! PostgreSQL database, the CLI) is seen within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::User;

/// How long a token check is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(5);

/// Beyond this many tokens the cache starts afresh (bounded memory).
const CAPACITY: usize = 4096;

#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Instant, User)>>,
}

impl TokenCache {
    pub fn get(&self, token_hash: &str) -> Option<User> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(token_hash)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, user)| user.clone())
    }

    pub fn put(&self, token_hash: &str, user: &User) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(token_hash.to_owned(), (Instant::now(), user.clone()));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}
