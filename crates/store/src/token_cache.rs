//! Bearer tokens seen in the last few seconds, so that a burst of API calls
//! costs one database read per token rather than one per call.
//!
//! Revoking a token or changing a user through this `Store` empties the cache at
//! once; a change made by another process (a second server on the same
//! PostgreSQL database, the CLI) is seen within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::User;

/// How long a token check is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(5);

/// Beyond this many tokens the cache starts afresh (bounded memory).
const CAPACITY: usize = 4096;

#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Instant, User)>>,
    /// Bumped by every [`TokenCache::clear`]: a lookup that started before a
    /// clear must not put back what the clear removed.
    generation: AtomicU64,
}

impl TokenCache {
    pub fn get(&self, token_hash: &str) -> Option<User> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(token_hash)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, user)| user.clone())
    }

    /// The generation to hand to [`TokenCache::put`], read before the database is asked.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Remembers a lookup made at `generation`, unless the cache was cleared since.
    pub fn put(&self, token_hash: &str, user: &User, generation: u64) {
        if let Ok(mut entries) = self.entries.lock() {
            if self.generation.load(Ordering::SeqCst) != generation {
                return;
            }
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(token_hash.to_owned(), (Instant::now(), user.clone()));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: 1,
            org_id: 1,
            org_name: "P".into(),
            org_kind: "provider".into(),
            email: "a@p.test".into(),
            name: "A".into(),
            role: "agent".into(),
            time_zone: None,
            org_time_zone: "UTC".into(),
            active: true,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_lookup_that_raced_a_clear_is_not_remembered() {
        let cache = TokenCache::default();
        let before = cache.generation();
        cache.clear(); // a revocation commits while the lookup runs
        cache.put("t", &user(), before);
        assert!(cache.get("t").is_none());
        cache.put("t", &user(), cache.generation());
        assert_eq!(cache.get("t").map(|u| u.id), Some(1));
    }
}
