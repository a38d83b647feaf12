//! The SLA terms (agreements and calendars) that every incident write measures
//! its clocks with, kept for a few seconds so that a write does not read every
//! agreement. A change through this store empties the cache at once; another
//! process sees it within [`TTL`], like API tokens (ADR 0003).

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use steward_domain::sla::SlaTerms;

pub const TTL: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct TermsCache {
    slot: Mutex<Option<(Instant, u64, Arc<SlaTerms>)>>,
    generation: AtomicU64,
}

impl TermsCache {
    /// The cached terms, if fresh and not invalidated since they were read.
    pub fn get(&self) -> Option<Arc<SlaTerms>> {
        let g = self.generation.load(Ordering::Acquire);
        let slot = self.slot.lock().ok()?;
        match &*slot {
            Some((at, gen_, t)) if *gen_ == g && at.elapsed() < TTL => Some(t.clone()),
            _ => None,
        }
    }

    /// The generation to pass to [`TermsCache::put`]: read it before loading.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps terms loaded at generation `g`; ignored if invalidated meanwhile.
    pub fn put(&self, g: u64, terms: Arc<SlaTerms>) {
        if let Ok(mut slot) = self.slot.lock()
            && self.generation.load(Ordering::Acquire) == g
        {
            *slot = Some((Instant::now(), g, terms));
        }
    }

    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut slot) = self.slot.lock() {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_that_raced_an_invalidation_is_not_kept() {
        let c = TermsCache::default();
        let g = c.generation();
        c.invalidate();
        c.put(g, Arc::new(SlaTerms::default()));
        assert!(c.get().is_none());
        let g = c.generation();
        c.put(g, Arc::new(SlaTerms::default()));
        assert!(c.get().is_some());
    }
}
