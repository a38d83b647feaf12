//! The store's methods for audit trail: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    /// Seals up to `batch` waiting entries into the chain; returns how many.
    pub async fn seal_audit(&self, batch: i64) -> Result<usize> {
        dispatch!(self, audit::seal(batch))
    }

    /// Walks the whole chain and reports the first broken link.
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        dispatch!(self, audit::verify())
    }

    pub async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        dispatch!(self, audit::list(filter))
    }

    /// The history of one record, oldest first.
    pub async fn record_history(&self, record_type: &str, number: &str) -> Result<Vec<AuditEntry>> {
        dispatch!(self, audit::history(record_type, number))
    }
}
