//! The store's methods for internal audits, their findings and samples:
//! each calls the same query on whichever backend is connected (`dispatch!`).

use crate::*;

kind_methods!(
    audits,
    Audit,
    AuditFields,
    create_audit,
    audit,
    list_audits,
    update_audit
);

kind_methods!(
    findings,
    Finding,
    FindingFields,
    create_finding,
    finding,
    list_findings,
    update_finding
);

impl Store {
    /// The findings of the audit `audit_id`, oldest first.
    pub async fn findings_of(&self, audit_id: i64) -> Result<Vec<Finding>> {
        dispatch!(self, findings::of_audit(audit_id))
    }

    /// The findings on any of `clauses`, newest first.
    pub async fn findings_on(&self, clauses: &[String]) -> Result<Vec<Finding>> {
        dispatch!(self, findings::on_clauses(clauses))
    }

    /// The numbers of the records of `kind` opened in `[from_ms, to_ms)`.
    pub async fn sample_population(
        &self,
        kind: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<String>> {
        dispatch!(self, internal_audits::population(kind, from_ms, to_ms))
    }

    pub async fn add_sample(&self, actor: &AuditActor, new: &NewSample<'_>) -> Result<Sample> {
        dispatch!(self, internal_audits::add_sample(actor, new))
    }

    pub async fn samples(&self, audit_id: i64) -> Result<Vec<Sample>> {
        dispatch!(self, internal_audits::samples(audit_id))
    }

    /// The active roles `users` hold, per process their RACI names.
    pub async fn role_holdings(&self, users: &[i64]) -> Result<Vec<RoleHolding>> {
        dispatch!(self, internal_audits::role_holdings(users))
    }

    pub async fn programme_audits(&self, programme_id: i64) -> Result<Vec<PlannedAudit>> {
        dispatch!(self, internal_audits::programme_audits(programme_id))
    }

    /// The audits (not cancelled) whose scope covers the requirement `clause`.
    pub async fn audits_covering(&self, clause: &str) -> Result<Vec<PlannedAudit>> {
        dispatch!(self, internal_audits::audits_covering(clause))
    }

    /// Findings and nonconformities per clause opened in `[from_ms, to_ms)`.
    pub async fn audit_attention(&self, from_ms: i64, to_ms: i64) -> Result<Vec<(String, i64)>> {
        dispatch!(self, internal_audits::attention(from_ms, to_ms))
    }
}
