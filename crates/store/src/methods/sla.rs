//! The store's methods for SLA clocks: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    /// The agreements and calendars clocks are measured with (cached for a few seconds; see [`ttl_cache`]).
    pub async fn sla_terms(&self) -> Result<std::sync::Arc<steward_domain::sla::SlaTerms>> {
        self.caches
            .terms
            .get_or_load(
                (),
                async || {
                    let agreements = self.list_agreements().await?;
                    let calendars = self.list_calendars().await?;
                    Ok(Arc::new(model::sla_terms(&agreements, &calendars)))
                },
                |_| true,
            )
            .await
    }

    /// Brings the clocks of every open incident to the current terms (after a
    /// calendar or agreement changed); returns how many incidents changed.
    pub async fn recompute_clocks(&self) -> Result<u64> {
        let (mut after, mut until) = (0, None);
        let mut changed = 0;
        while let (n, Some(next)) = self.recompute_clocks_after(after, until).await? {
            changed += n;
            (after, until) = (next.0, Some(next.1));
        }
        Ok(changed)
    }

    /// One batch of [`Store::recompute_clocks`]: the open incidents after id
    /// `after` up to id `until` (first batch: `None`, the newest incident now);
    /// returns how many changed and the `(after, until)` to go on from
    /// (`None`: done).
    pub async fn recompute_clocks_after(
        &self,
        after: i64,
        until: Option<i64>,
    ) -> Result<(u64, Option<(i64, i64)>)> {
        let terms = self.sla_terms().await?;
        dispatch!(self, sla::recompute_batch(&terms, after, until))
    }

    /// Forgets the cached SLA terms (after a change made elsewhere, in tests).
    pub fn forget_sla_terms(&self) {
        self.caches.terms.clear();
    }

    pub async fn sla_clocks(&self, record_id: i64) -> Result<Vec<ClockRow>> {
        dispatch!(self, sla::clocks(record_id))
    }

    /// An agreement's SLA figures per month `(label, start, end)` and clock
    /// kind; one customer's clocks when `org` is given.
    pub async fn sla_report(
        &self,
        agreement: &str,
        org: Option<i64>,
        months: &[(String, i64, i64)],
    ) -> Result<Vec<SlaMonthRow>> {
        dispatch!(self, sla::report(agreement, org, months))
    }

    /// An agreement's clocks breached in `[from, to)`, newest first; one
    /// customer's when `org` is given.
    pub async fn sla_breaches(
        &self,
        agreement: &str,
        org: Option<i64>,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<SlaBreachRow>> {
        dispatch!(self, sla::breaches(agreement, org, from, to, limit))
    }

    /// Records why a breached clock missed its target; Conflict when it is not breached.
    pub async fn set_breach_reason(
        &self,
        actor: &AuditActor,
        record_id: i64,
        kind: steward_domain::sla::ClockKind,
        reason: &str,
    ) -> Result<()> {
        dispatch!(self, sla::set_breach_reason(actor, record_id, kind, reason))
    }

    pub async fn sla_intervals(&self, record_id: i64) -> Result<Vec<ClockIntervalRow>> {
        dispatch!(self, sla::intervals(record_id))
    }

    /// Marks clocks that crossed their warning point or due time, with the jobs
    /// `job_for` gives for each, in one transaction (see `queries/sla.rs`).
    pub async fn sla_sweep(
        &self,
        now: i64,
        limit: i64,
        job_for: impl Fn(&Fired) -> Vec<NewJob>,
    ) -> Result<Vec<Fired>> {
        dispatch!(self, sla::sweep(now, limit, job_for))
    }
}
