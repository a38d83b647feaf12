//! The store's methods for improvements: each calls the same query on
//! whichever backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_improvement(
        &self,
        actor: &AuditActor,
        new: &NewImprovement,
    ) -> Result<Improvement> {
        dispatch!(self, improvements::create(actor, new))
    }

    pub async fn improvement(&self, number: &str) -> Result<Improvement> {
        dispatch!(self, improvements::get(number))
    }

    pub async fn list_improvements(
        &self,
        filter: &RecordFilter,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Improvement>> {
        dispatch!(self, improvements::list(filter, after, limit))
    }

    pub async fn update_improvement<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Improvement>
    where
        F: FnOnce(&Improvement) -> Result<ImprovementFields, RuleError>,
    {
        dispatch!(
            self,
            improvements::update(actor, number, expected_version, action, change)
        )
    }
}
