//! The store's methods for `steward-bench`.

use crate::*;

/// Measurements for `steward-bench`; the server never calls these.
impl Store {
    /// Single-row insert transactions committed in `millis` by `clients`
    /// concurrent writers, with the store's durability settings.
    pub async fn bench_raw_inserts(&self, clients: u32, millis: u64) -> Result<u64> {
        dispatch!(self, bench::raw_inserts(clients, millis))
    }

    /// Bulk-adds `n` incidents numbered from `first` (benchmark data, without audit entries).
    #[allow(clippy::too_many_arguments)]
    pub async fn bench_fill_incidents(
        &self,
        n: i64,
        first: i64,
        newest_at: i64,
        org_id: i64,
        caller_id: i64,
        service_id: i64,
    ) -> Result<()> {
        dispatch!(
            self,
            bench::fill_incidents(n, first, newest_at, org_id, caller_id, service_id)
        )
    }

    /// Removes every incident, so that the list and check measurements run on
    /// generated history alone rather than on the burst of the throughput run.
    /// Replaces the benchmark's problems with `n`, each with the incidents
    /// linked to it (every 50th incident).
    pub async fn bench_fill_problems(&self, n: i64, org_id: i64, service_id: i64) -> Result<()> {
        dispatch!(self, bench::fill_problems(n, org_id, service_id, now_ms()))
    }

    /// Bulk-adds `n` published articles for everyone (benchmark data).
    pub async fn bench_fill_articles(&self, n: i64, org_id: i64) -> Result<()> {
        dispatch!(self, bench::fill_articles(n, org_id, now_ms()))
    }

    pub async fn bench_open_all(&self) -> Result<()> {
        dispatch!(self, bench::open_all())
    }

    /// Incidents opened in `[from, to)`, counted one by one (to check the
    /// daily counts against).
    pub async fn bench_count_opened(&self, from: i64, to: i64) -> Result<i64> {
        dispatch!(self, bench::count_opened(from, to))
    }

    /// Moves a message's arrival `days` into the past (for tests of the
    /// evidence on mail left in the quarantine).
    pub async fn bench_backdate_mail(&self, id: i64, days: i64) -> Result<()> {
        dispatch!(self, bench::backdate_mail(id, days * 86_400_000))
    }

    pub async fn bench_clear_incidents(&self) -> Result<()> {
        dispatch!(self, bench::clear_incidents())
    }

    /// The keyset cursor after the `offset`-th incident, newest first.
    pub async fn bench_cursor_at(&self, offset: i64) -> Result<Option<Cursor>> {
        dispatch!(self, bench::cursor_at(offset))
    }
}
