//! The store's methods for service reports (ISO/IEC 20000-1 9.4): each
//! calls the same query on whichever backend is connected (`dispatch!`).

use crate::*;

impl Store {
    /// A customer's figures per month `(YYYY-MM, from, to ms)`.
    pub async fn customer_months(
        &self,
        org: i64,
        months: &[(String, i64, i64)],
    ) -> Result<Vec<CustomerMonth>> {
        dispatch!(self, service_reports::months(org, months))
    }

    /// A customer's major incidents opened in `[from, to)`.
    pub async fn customer_major_incidents(
        &self,
        org: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<ReportedRecord>> {
        dispatch!(self, service_reports::major_incidents(org, from, to))
    }

    /// A customer's complaints opened in `[from, to)` or open at its end.
    pub async fn customer_complaints(
        &self,
        org: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<ReportedRecord>> {
        dispatch!(self, service_reports::complaints(org, from, to))
    }

    /// Keeps a service report as issued, with the jobs `jobs_for` gives it
    /// (its e-mails) in the same transaction; Conflict when the customer
    /// already has one for the period.
    pub async fn issue_service_report(
        &self,
        actor: &AuditActor,
        new: &NewServiceReport<'_>,
        jobs_for: impl FnOnce(&IssuedReport) -> Vec<NewJob>,
    ) -> Result<IssuedReport> {
        dispatch!(self, service_reports::issue(actor, new, jobs_for))
    }

    /// Issued reports, newest first (one customer's when `org` is given).
    pub async fn service_reports(
        &self,
        org: Option<i64>,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<IssuedReport>> {
        dispatch!(self, service_reports::list(org, before, limit))
    }

    /// An issued report with its body (the report's JSON as issued).
    pub async fn service_report(&self, id: i64) -> Result<Option<(IssuedReport, String)>> {
        dispatch!(self, service_reports::get(id))
    }

    /// Customers with an agreed SLA and no report issued for `period`.
    pub async fn service_reports_due(&self, period: &str) -> Result<Vec<(i64, String)>> {
        dispatch!(self, service_reports::due(period))
    }
}
