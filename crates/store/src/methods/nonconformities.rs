//! The store's methods for nonconformities: each calls the same query on
//! whichever backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_nonconformity(
        &self,
        actor: &AuditActor,
        new: &NewNonconformity,
    ) -> Result<Nonconformity> {
        dispatch!(self, nonconformities::create(actor, new))
    }

    pub async fn nonconformity(&self, number: &str) -> Result<Nonconformity> {
        dispatch!(self, nonconformities::get(number))
    }

    pub async fn list_nonconformities(
        &self,
        filter: &RecordFilter,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Nonconformity>> {
        dispatch!(self, nonconformities::list(filter, after, limit))
    }

    /// The others sharing the cause of the nonconformity `id`.
    pub async fn recurring_nonconformities(&self, id: i64) -> Result<Vec<Nonconformity>> {
        dispatch!(self, nonconformities::recurring(id))
    }

    pub async fn update_nonconformity<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Nonconformity>
    where
        F: FnOnce(&Nonconformity) -> Result<NonconformityFields, RuleError>,
    {
        dispatch!(
            self,
            nonconformities::update(actor, number, expected_version, action, change)
        )
    }
}
