//! The store's methods for any work record (the kernel): each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    /// Any work record by its number; with `visibility` of one organisation,
    /// only that organisation's.
    pub async fn record(&self, number: &str, visibility: Visibility) -> Result<RecordRef> {
        dispatch!(self, records::by_number(number, scope_org(visibility)))
    }

    /// A comment or work note, with its files, on a record without clocks of its own (not an incident).
    pub async fn add_record_comment(
        &self,
        actor: &AuditActor,
        record: &RecordRef,
        visibility: &str,
        body: &str,
        files: &[NewAttachment],
    ) -> Result<Comment> {
        dispatch!(
            self,
            records::add_comment(actor, record, visibility, body, files)
        )
    }

    /// Links two records (at most once per pair), `link_type` read from `from`.
    pub async fn link_records(
        &self,
        actor: &AuditActor,
        from: &RecordRef,
        to: &RecordRef,
        link_type: steward_domain::link::LinkType,
    ) -> Result<RecordLink> {
        dispatch!(self, records::link(actor, from, to, link_type))
    }

    pub async fn unlink_records(
        &self,
        actor: &AuditActor,
        from: &RecordRef,
        to: &RecordRef,
    ) -> Result<()> {
        dispatch!(self, records::unlink(actor, from, to))
    }

    /// A record's links from its side; with one organisation's visibility,
    /// only links to that organisation's records.
    pub async fn record_links(
        &self,
        record_id: i64,
        visibility: Visibility,
    ) -> Result<Vec<RecordLink>> {
        dispatch!(self, records::links(record_id, scope_org(visibility)))
    }

    /// Escalates open records of `kinds` past their target date (each once
    /// per target date), with the jobs `job_for` gives, in one transaction.
    pub async fn overdue_sweep(
        &self,
        kinds: &[&str],
        now: i64,
        limit: i64,
        job_for: impl Fn(&Overdue) -> Vec<NewJob>,
    ) -> Result<Vec<Overdue>> {
        dispatch!(self, records::overdue_sweep(kinds, now, limit, job_for))
    }
}
