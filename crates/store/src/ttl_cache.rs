//! Answers read in the last few seconds, so that a burst of requests costs one
//! database read per distinct question rather than one per request (ADR 0003).
//! The store keeps three: API tokens, the SLA terms, and the references a new
//! incident names.
//!
//! A change through this `Store` empties the cache it affects at once; a change
//! made by another process (a second server on the same PostgreSQL database,
//! the CLI) is seen within [`TTL`].

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long an answer is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(5);

pub struct TtlCache<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
    /// Bumped by every [`TtlCache::clear`]: a read that started before a clear
    /// must not put back what the clear removed.
    generation: AtomicU64,
    /// Beyond this many entries the cache starts afresh (bounded memory).
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        TtlCache {
            entries: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
            capacity: capacity.max(1),
        }
    }

    /// The answer to `key`, if it is fresh.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, v)| v.clone())
    }

    /// The generation to hand to [`TtlCache::put`], read before the database is asked.
    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Remembers an answer read at `generation`, unless the cache was cleared since.
    fn put(&self, generation: u64, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// The answer to `key`: remembered, or read by `load` and remembered when
    /// `keep` says it is worth keeping.
    pub async fn get_or_load<E>(
        &self,
        key: K,
        load: impl AsyncFnOnce() -> Result<V, E>,
        keep: impl FnOnce(&V) -> bool,
    ) -> Result<V, E> {
        if let Some(v) = self.get(&key) {
            return Ok(v);
        }
        let generation = self.generation();
        let v = load().await?;
        if keep(&v) {
            self.put(generation, key, v.clone());
        }
        Ok(v)
    }

    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_raced_a_clear_is_not_remembered() {
        let cache: TtlCache<String, i64> = TtlCache::new(8);
        let before = cache.generation();
        cache.clear(); // a revocation commits while the read runs
        cache.put(before, "t".into(), 1);
        assert_eq!(cache.get("t"), None);
        cache.put(cache.generation(), "t".into(), 1);
        assert_eq!(cache.get("t"), Some(1));
    }

    #[test]
    fn a_full_cache_starts_afresh() {
        let cache: TtlCache<i64, i64> = TtlCache::new(2);
        for k in 0..3 {
            cache.put(cache.generation(), k, k);
        }
        assert_eq!(cache.get(&0), None);
        assert_eq!(cache.get(&2), Some(2));
    }

    #[tokio::test]
    async fn get_or_load_reads_once_while_fresh() {
        let cache: TtlCache<&str, i64> = TtlCache::new(8);
        let mut reads = 0;
        for _ in 0..3 {
            let v = cache
                .get_or_load(
                    "k",
                    async || {
                        reads += 1;
                        Ok::<_, ()>(7)
                    },
                    |_| true,
                )
                .await;
            assert_eq!(v, Ok(7));
        }
        assert_eq!(reads, 1);
        cache.clear();
        let _ = cache
            .get_or_load("k", async || Ok::<_, ()>(8), |_| true)
            .await;
        assert_eq!(cache.get("k"), Some(8));
        // An answer not worth keeping is read again next time.
        let _ = cache
            .get_or_load("n", async || Ok::<_, ()>(0), |v| *v > 0)
            .await;
        assert_eq!(cache.get("n"), None);
    }
}
