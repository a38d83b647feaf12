//! Internal audits and their findings (ISO/IEC 20000-1 9.2): work records of
//! kinds `audit` and `finding` with their own fields in `audit_details` and
//! `finding_details`; the samples drawn for an audit; what the programme's
//! coverage and the auditors' independence read.

use steward_domain::audit::Changes;
use steward_domain::internal_audit::{AuditState, FindingState, requirements_in};
use steward_domain::kind::Kind;

use super::super::Pools;
use super::records::{self, KindFields, record_select};
use super::write::{Entry, append_entry};
use super::{Arg, Sql};
use crate::{
    Audit, AuditActor, AuditFields, Finding, FindingFields, NewSample, PlannedAudit, RecordCore,
    Result, RoleHolding, Sample, scope_text, team_text,
};

/// The audits' queries (`kind_queries!` reads the module's `select!`).
pub mod audits {
    use super::*;

    macro_rules! select {
        ($tail:literal) => {
            record_select!(
                "d.programme_id, o.number AS programme_number, o.title AS programme_title, \
                 d.scope, d.criteria, d.starts_on, d.team, d.started_at, d.conclusion, \
                 d.reported_at, d.cancelled_reason, \
                 (SELECT COUNT(*) FROM finding_details f WHERE f.audit_id = r.id) AS findings, \
                 (SELECT COUNT(*) FROM finding_details f JOIN work_records fr ON fr.id = f.record_id \
                  WHERE f.audit_id = r.id AND fr.state = 'open') AS open_findings",
                "JOIN audit_details d ON d.record_id = r.id \
                 LEFT JOIN sms_records o ON o.id = d.programme_id",
                "audit",
                $tail
            )
        };
    }

    impl KindFields for AuditFields {
        type State = AuditState;
        const TABLE: &'static str = "audit_details";
        const COLUMNS: &'static [&'static str] = &[
            "programme_id",
            "scope",
            "covers",
            "criteria",
            "starts_on",
            "team",
            "started_at",
            "conclusion",
            "reported_at",
            "cancelled_reason",
        ];

        fn core(&self) -> &RecordCore {
            &self.core
        }

        fn state(&self) -> AuditState {
            self.state
        }

        /// Reported is its resolution.
        fn times(&self) -> (Option<i64>, Option<i64>) {
            (self.life.reported_at, self.life.closed_at)
        }

        fn args(&self) -> Vec<Arg> {
            let (p, l) = (&self.plan, &self.life);
            vec![
                Arg::OptI64(self.programme_id),
                Arg::Text(scope_text(&p.scope)),
                Arg::Text(scope_text(
                    &requirements_in(&p.scope)
                        .iter()
                        .map(|r| r.clause.clone())
                        .collect::<Vec<_>>(),
                )),
                Arg::OptText(p.criteria.clone()),
                Arg::Text(p.starts_on.clone()),
                Arg::Text(team_text(&p.team)),
                Arg::OptI64(l.started_at),
                Arg::OptText(l.conclusion.clone()),
                Arg::OptI64(l.reported_at),
                Arg::OptText(l.cancelled_reason.clone()),
            ]
        }

        fn diff_own(&self, b: &Self, c: &mut Changes) {
            let (p, q) = (&self.plan, &b.plan);
            c.diff("programme_id", &self.programme_id, &b.programme_id);
            c.diff("scope", &p.scope.join(" "), &q.scope.join(" "));
            c.diff("criteria", &p.criteria, &q.criteria);
            c.diff("starts_on", &p.starts_on, &q.starts_on);
            c.diff("team", &team_text(&p.team), &team_text(&q.team));
            let (l, m) = (&self.life, &b.life);
            c.diff("conclusion", &l.conclusion, &m.conclusion);
            c.diff("cancelled_reason", &l.cancelled_reason, &m.cancelled_reason);
        }
    }

    records::kind_queries!(Kind::Audit, Audit, AuditFields);
}

/// The findings' queries.
pub mod findings {
    use super::*;

    /// Findings with their audit and the nonconformities linked to them
    /// (from either end of a link).
    macro_rules! select {
        ($tail:literal) => {
            record_select!(
                "d.audit_id, au.number AS audit_number, au.title AS audit_title, d.grade, \
                 d.clause, d.evidence, d.withdrawn_reason, \
                 (SELECT COUNT(*) FROM record_links l JOIN work_records w ON w.id = l.b_id \
                  WHERE l.a_id = r.id AND w.kind = 'nonconformity') + \
                 (SELECT COUNT(*) FROM record_links l JOIN work_records w ON w.id = l.a_id \
                  WHERE l.b_id = r.id AND w.kind = 'nonconformity') AS nonconformities",
                "JOIN finding_details d ON d.record_id = r.id \
                 JOIN work_records au ON au.id = d.audit_id",
                "finding",
                $tail
            )
        };
    }

    impl KindFields for FindingFields {
        type State = FindingState;
        const TABLE: &'static str = "finding_details";
        const COLUMNS: &'static [&'static str] = &[
            "audit_id",
            "grade",
            "clause",
            "evidence",
            "withdrawn_reason",
        ];

        fn core(&self) -> &RecordCore {
            &self.core
        }

        fn state(&self) -> FindingState {
            self.state
        }

        fn times(&self) -> (Option<i64>, Option<i64>) {
            (None, self.life.closed_at)
        }

        fn args(&self) -> Vec<Arg> {
            vec![
                Arg::I64(self.audit_id),
                Arg::Text(self.grade.as_str().to_owned()),
                Arg::Text(self.clause.clone()),
                Arg::Text(self.evidence.clone()),
                Arg::OptText(self.life.withdrawn_reason.clone()),
            ]
        }

        fn diff_own(&self, b: &Self, c: &mut Changes) {
            c.diff("audit_id", &self.audit_id, &b.audit_id);
            c.diff("grade", &self.grade.as_str(), &b.grade.as_str());
            c.diff("clause", &self.clause, &b.clause);
            c.diff("evidence", &self.evidence, &b.evidence);
            c.diff(
                "withdrawn_reason",
                &self.life.withdrawn_reason,
                &b.life.withdrawn_reason,
            );
        }
    }

    records::kind_queries!(Kind::Finding, Finding, FindingFields);

    /// The findings of the audit `audit_id`, oldest first (at most 500).
    pub async fn of_audit(p: &Pools, audit_id: i64) -> Result<Vec<Finding>> {
        Ok(sqlx::query_as(select!(
            " AND d.audit_id = $1 ORDER BY r.opened_at, r.id LIMIT 500"
        ))
        .bind(audit_id)
        .fetch_all(p.read())
        .await?)
    }

    /// The findings on any of `clauses`, newest first (at most 100).
    pub async fn on_clauses(p: &Pools, clauses: &[String]) -> Result<Vec<Finding>> {
        let mut q = Sql::new(select!(" AND d.clause IN "));
        q.list(clauses.iter().cloned().map(Arg::Text))
            .push(" ORDER BY r.opened_at DESC, r.id DESC LIMIT 100");
        q.fetch_all(p.read()).await
    }
}

/// The numbers of the records of `kind` opened from `from_ms` (included) to
/// `to_ms` (excluded): the population a sample is drawn from.
pub async fn population(p: &Pools, kind: &str, from_ms: i64, to_ms: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT number FROM work_records WHERE kind = $1 AND opened_at >= $2 AND opened_at < $3",
    )
    .bind(kind)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(p.read())
    .await?)
}

const SAMPLE: &str = "SELECT s.id, s.audit_id, s.kind, s.from_on, s.to_on, s.size, s.seed, \
     s.population, s.numbers, u.name AS drawn_by_name, s.drawn_at \
     FROM audit_samples s JOIN users u ON u.id = s.drawn_by";

/// Keeps a sample drawn for an audit, with its audit entry.
pub async fn add_sample(p: &Pools, actor: &AuditActor, new: &NewSample<'_>) -> Result<Sample> {
    let now = crate::now_ms();
    let numbers = new.numbers.join(" ");
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO audit_samples (audit_id, kind, from_on, to_on, size, seed, population, \
         numbers, drawn_by, drawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         RETURNING id",
    )
    .bind(new.audit_id)
    .bind(new.kind)
    .bind(new.from_on)
    .bind(new.to_on)
    .bind(new.size)
    .bind(new.seed)
    .bind(new.population)
    .bind(&numbers)
    .bind(new.drawn_by)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let mut c = Changes::default();
    c.set("sample_kind", &new.kind);
    c.set("period", &format!("{} to {}", new.from_on, new.to_on));
    c.set("seed", &new.seed);
    c.set("population", &new.population);
    c.set("drawn", &numbers);
    let entry = Entry {
        actor,
        org_id: None,
        record_type: Kind::Audit.spec().code,
        record_number: new.audit_number,
        action: "sample",
        changes: &c,
    };
    append_entry(&mut tx, entry, now).await?;
    let sample = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SAMPLE} WHERE s.id = $1")))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(sample)
}

/// The samples of the audit `audit_id`, oldest first.
pub async fn samples(p: &Pools, audit_id: i64) -> Result<Vec<Sample>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SAMPLE} WHERE s.audit_id = $1 ORDER BY s.id LIMIT 100"
    )))
    .bind(audit_id)
    .fetch_all(p.read())
    .await?)
}

/// The active roles `users` hold, one row per process each role's RACI names.
pub async fn role_holdings(p: &Pools, users: &[i64]) -> Result<Vec<RoleHolding>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT u.id AS user_id, u.email, r.number AS role_number, r.title AS role_title, \
         x.target_key AS process, x.value AS letter \
         FROM sms_links h JOIN sms_records r ON r.id = h.record_id \
         JOIN users u ON u.id = h.target_id \
         JOIN sms_links x ON x.record_id = r.id AND x.target_type = 'process' \
         WHERE r.kind = 'role' AND r.status = 'active' AND h.field = 'holders' \
         AND h.target_type = 'user' AND h.target_id IN ",
    );
    q.list(users.iter().copied().map(Arg::I64))
        .push(" ORDER BY u.email, r.number, x.target_key");
    q.fetch_all(p.read()).await
}

const PLANNED: &str = "SELECT r.number, r.title, r.state, d.scope, d.starts_on, r.target_at, \
     a.name AS assignee_name FROM work_records r JOIN audit_details d ON d.record_id = r.id \
     LEFT JOIN users a ON a.id = r.assignee_id WHERE r.kind = 'audit'";

/// The audits of the programme `programme_id`, by first day (at most 500).
pub async fn programme_audits(p: &Pools, programme_id: i64) -> Result<Vec<PlannedAudit>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PLANNED} AND d.programme_id = $1 ORDER BY d.starts_on, r.id LIMIT 500"
    )))
    .bind(programme_id)
    .fetch_all(p.read())
    .await?)
}

/// The audits (not cancelled) whose scope covers the requirement `clause`,
/// newest first (at most 50).
pub async fn audits_covering(p: &Pools, clause: &str) -> Result<Vec<PlannedAudit>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PLANNED} AND r.state <> 'cancelled' AND d.covers LIKE $1 \
         ORDER BY d.starts_on DESC, r.id DESC LIMIT 50"
    )))
    .bind(format!("% {clause} %"))
    .fetch_all(p.read())
    .await?)
}

/// Findings and nonconformities per clause, opened from `from_ms` to
/// `to_ms`: where past audits found weaknesses.
pub async fn attention(p: &Pools, from_ms: i64, to_ms: i64) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT clause, COUNT(*) FROM (\
         SELECT f.clause FROM finding_details f JOIN work_records r ON r.id = f.record_id \
         WHERE r.opened_at >= $1 AND r.opened_at < $2 AND f.grade IN ('major', 'minor') \
         UNION ALL SELECT n.clause FROM nonconformity_details n \
         JOIN work_records r ON r.id = n.record_id \
         WHERE r.opened_at >= $1 AND r.opened_at < $2 AND n.clause IS NOT NULL \
         AND r.state <> 'rejected') x GROUP BY clause",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(p.read())
    .await?)
}
