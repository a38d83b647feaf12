//! The store's methods for complaints: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_complaint(
        &self,
        actor: &AuditActor,
        new: &NewComplaint,
    ) -> Result<Complaint> {
        dispatch!(self, complaints::create(actor, new))
    }

    pub async fn complaint(&self, number: &str) -> Result<Complaint> {
        dispatch!(self, complaints::get(number))
    }

    pub async fn list_complaints(
        &self,
        filter: &RecordFilter,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Complaint>> {
        dispatch!(self, complaints::list(filter, after, limit))
    }

    pub async fn update_complaint<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Complaint>
    where
        F: FnOnce(&Complaint) -> Result<ComplaintFields, RuleError>,
    {
        dispatch!(
            self,
            complaints::update(actor, number, expected_version, action, change)
        )
    }
}
