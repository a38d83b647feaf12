//! The store's methods for attachments: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    /// Records an attachment of any work record (its bytes already stored), with its audit entry.
    pub async fn add_attachment(
        &self,
        actor: &AuditActor,
        record: &RecordRef,
        attachment: &NewAttachment,
    ) -> Result<Attachment> {
        dispatch!(self, attachments::create(actor, record, attachment))
    }

    /// An incident's attachments, oldest first; staff-only ones when `include_internal`.
    pub async fn attachments(
        &self,
        record_id: i64,
        include_internal: bool,
    ) -> Result<Vec<Attachment>> {
        dispatch!(self, attachments::list(record_id, include_internal))
    }

    /// One attachment by id; callers check the incident's visibility.
    pub async fn attachment(&self, id: i64) -> Result<Attachment> {
        dispatch!(self, attachments::get(id))
    }
}
