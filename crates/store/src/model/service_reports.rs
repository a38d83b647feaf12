//! Service reports (ISO/IEC 20000-1 9.4): a customer's figures per month and
//! the archive of what was issued.

use serde::{Deserialize, Serialize};

use super::UtcMillis;

/// One customer's figures in one month of a period, each one SQL aggregate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CustomerMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub incidents_opened: i64,
    pub incidents_resolved: i64,
    pub major_incidents: i64,
    /// Problems opened in the month that are linked to the customer's incidents.
    pub problems_opened: i64,
    pub complaints_opened: i64,
    pub ratings: i64,
    /// Ratings of 4 or 5.
    pub ratings_satisfied: i64,
    /// Sum of the scores (the mean is this over `ratings`).
    pub rating_total: i64,
}

/// A record listed in a service report (a major incident, a problem, a complaint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReportedRecord {
    pub number: String,
    pub title: String,
    pub state: String,
    pub priority: i64,
    pub service: Option<String>,
    pub opened_at: UtcMillis,
    pub resolved_at: Option<UtcMillis>,
}

/// A service report in the archive, without its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IssuedReport {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub period: String,
    pub period_from: String,
    pub period_to: String,
    pub issued_at: UtcMillis,
    pub issued_by_name: Option<String>,
    /// Who issued it as the audit trail names them.
    pub issuer: String,
    pub sha256: String,
}

/// What to keep as issued.
#[derive(Debug, Clone)]
pub struct NewServiceReport<'a> {
    pub org_id: i64,
    pub org_name: &'a str,
    pub period: &'a str,
    pub period_from: &'a str,
    pub period_to: &'a str,
    pub body: &'a str,
}
