//! Nonconformities (ISO/IEC 20000-1 10.1): work records of kind
//! `nonconformity` with their own fields in `nonconformity_details`, read with
//! their open actions and the others that share their cause.

use steward_domain::audit::Changes;
use steward_domain::kind::Kind;
use steward_domain::nonconformity::NonconformityState;

use super::super::Pools;
use super::Arg;
use super::records::{self, KindFields, record_select};
use crate::{Nonconformity, NonconformityFields, RecordCore, Result};

/// Nonconformities with their own fields, their open actions and how many
/// others share their cause within a year (365 days in milliseconds,
/// `steward_domain::nonconformity::RECURRING_DAYS`).
macro_rules! select {
    ($tail:literal) => {
        record_select!(
            "d.source, d.severity, d.clause, d.correction, d.root_cause, d.cause_category, \
             d.rejected_reason, \
             (SELECT COUNT(*) FROM action_details ad JOIN work_records ar ON ar.id = ad.record_id \
              WHERE ad.parent_id = r.id AND ar.state_category NOT IN ('closed', 'cancelled')) \
              AS open_actions, \
             (SELECT COUNT(*) FROM nonconformity_details d2 \
              JOIN work_records r2 ON r2.id = d2.record_id \
              WHERE r2.id <> r.id AND r2.state <> 'rejected' \
              AND (d2.clause = d.clause OR d2.cause_category = d.cause_category) \
              AND r2.opened_at BETWEEN r.opened_at - 31536000000 AND r.opened_at + 31536000000) \
              AS recurring",
            "JOIN nonconformity_details d ON d.record_id = r.id",
            "nonconformity",
            $tail
        )
    };
}

impl KindFields for NonconformityFields {
    type State = NonconformityState;
    const TABLE: &'static str = "nonconformity_details";
    const COLUMNS: &'static [&'static str] = &[
        "source",
        "severity",
        "clause",
        "correction",
        "root_cause",
        "cause_category",
        "rejected_reason",
    ];

    fn core(&self) -> &RecordCore {
        &self.core
    }

    fn state(&self) -> NonconformityState {
        self.state
    }

    fn times(&self) -> (Option<i64>, Option<i64>) {
        (None, self.life.closed_at)
    }

    fn args(&self) -> Vec<Arg> {
        let (f, a) = (&self.finding, &self.analysis);
        vec![
            Arg::Text(f.source.as_str().to_owned()),
            Arg::Text(f.severity.as_str().to_owned()),
            Arg::OptText(f.clause.clone()),
            Arg::OptText(a.correction.clone()),
            Arg::OptText(a.root_cause.clone()),
            Arg::OptText(a.cause_category.map(|c| c.as_str().to_owned())),
            Arg::OptText(self.life.rejected_reason.clone()),
        ]
    }

    fn diff_own(&self, b: &Self, c: &mut Changes) {
        let (f, g) = (&self.finding, &b.finding);
        c.diff("source", &f.source.as_str(), &g.source.as_str());
        c.diff("severity", &f.severity.as_str(), &g.severity.as_str());
        c.diff("clause", &f.clause, &g.clause);
        let (a, z) = (&self.analysis, &b.analysis);
        c.diff("correction", &a.correction, &z.correction);
        c.diff("root_cause", &a.root_cause, &z.root_cause);
        c.diff(
            "cause_category",
            &a.cause_category.map(|c| c.as_str()),
            &z.cause_category.map(|c| c.as_str()),
        );
        c.diff(
            "rejected_reason",
            &self.life.rejected_reason,
            &b.life.rejected_reason,
        );
    }
}

records::kind_queries!(Kind::Nonconformity, Nonconformity, NonconformityFields);

/// The other nonconformities sharing the cause of `id` (the same clause or
/// cause category within a year, not rejected), newest first, at most 50.
pub async fn recurring(p: &Pools, id: i64) -> Result<Vec<Nonconformity>> {
    Ok(sqlx::query_as(select!(
        " AND r.id IN (SELECT r2.id FROM work_records r1 \
          JOIN nonconformity_details d1 ON d1.record_id = r1.id \
          JOIN nonconformity_details d2 ON d2.clause = d1.clause \
               OR d2.cause_category = d1.cause_category \
          JOIN work_records r2 ON r2.id = d2.record_id \
          WHERE r1.id = $1 AND r2.id <> r1.id AND r2.state <> 'rejected' \
          AND r2.opened_at BETWEEN r1.opened_at - 31536000000 AND r1.opened_at + 31536000000) \
         ORDER BY r.opened_at DESC, r.id DESC LIMIT 50"
    ))
    .bind(id)
    .fetch_all(p.read())
    .await?)
}

/// The nonconformities raised against the requirement `clause`, newest
/// first, at most 50.
pub async fn of_clause(p: &Pools, clause: &str) -> Result<Vec<Nonconformity>> {
    Ok(sqlx::query_as(select!(
        " AND d.clause = $1 ORDER BY r.opened_at DESC, r.id DESC LIMIT 50"
    ))
    .bind(clause)
    .fetch_all(p.read())
    .await?)
}
