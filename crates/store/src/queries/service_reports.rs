//! Service reports (ISO/IEC 20000-1 9.4): one customer's figures per month,
//! each an aggregate over an index range of that organisation's records, and
//! the archive of reports as issued, each with its audit entry.

use steward_domain::audit::Changes;

use super::super::Pools;
use super::write::{Entry, append_entry};
use super::{Arg, Sql};
use crate::{
    AuditActor, CustomerMonth, IssuedReport, NewJob, NewServiceReport, ReportedRecord, Result,
    on_unique,
};

/// The customer `org`'s figures in each month, oldest first.
pub async fn months(
    p: &Pools,
    org: i64,
    months: &[(String, i64, i64)],
) -> Result<Vec<CustomerMonth>> {
    if months.is_empty() {
        return Ok(Vec::new());
    }
    // The organisation is $1; the months follow.
    let mut q = Sql::new("");
    q.bind(Arg::I64(org));
    super::months_cte(&mut q, months);
    let of_kind = |kind: &str, at: &str, extra: &str| {
        format!(
            "(SELECT COUNT(*) FROM work_records w WHERE w.kind = '{kind}' AND w.org_id = $1 \
             AND w.{at} >= m.s AND w.{at} < m.e{extra})"
        )
    };
    use super::rollups::{Bounds, RecordCounter, Scope, records};
    let b = Bounds {
        s: "m.s",
        e: "m.e",
        fs: "m.fs",
        fe: "m.fe",
    };
    let org = Scope {
        org: Some("$1"),
        ..Scope::default()
    };
    // A problem is the customer's when it is linked to one of its incidents.
    let linked = |side: &str, other: &str| {
        format!(
            "EXISTS (SELECT 1 FROM record_links l JOIN work_records i ON i.id = l.{other} \
             WHERE l.{side} = p.id AND i.kind = 'incident' AND i.org_id = $1)"
        )
    };
    q.push(&format!(
        " SELECT m.label AS month, {} AS incidents_opened, {} AS incidents_resolved, \
         {} AS major_incidents, \
         (SELECT COUNT(*) FROM work_records p WHERE p.kind = 'problem' \
          AND p.opened_at >= m.s AND p.opened_at < m.e AND ({} OR {})) AS problems_opened, \
         {} AS complaints_opened, \
         (SELECT COUNT(*) FROM ratings t WHERE t.org_id = $1 \
          AND t.rated_at >= m.s AND t.rated_at < m.e) AS ratings, \
         (SELECT COUNT(*) FROM ratings t WHERE t.org_id = $1 \
          AND t.rated_at >= m.s AND t.rated_at < m.e AND t.score >= {}) AS ratings_satisfied, \
         (SELECT CAST(COALESCE(SUM(t.score), 0) AS BIGINT) FROM ratings t WHERE t.org_id = $1 \
          AND t.rated_at >= m.s AND t.rated_at < m.e) AS rating_total \
         FROM m ORDER BY m.label",
        records("incident", RecordCounter::Opened, org, b),
        records("incident", RecordCounter::Resolved, org, b),
        records("incident", RecordCounter::Major, org, b),
        linked("a_id", "b_id"),
        linked("b_id", "a_id"),
        of_kind("complaint", "opened_at", ""),
        steward_domain::satisfaction::SATISFIED_FROM,
    ));
    q.fetch_all(p.read()).await
}

const RECORD: &str = "SELECT w.number, w.title, w.state, w.priority, s.name AS service, \
     w.opened_at, w.resolved_at FROM work_records w LEFT JOIN services s ON s.id = w.service_id";

/// The customer's major incidents opened in `[from, to)`, oldest first (at
/// most 100). The daily counts say which days had any, so that only those
/// days' incidents are read: major incidents are rare, and the period's
/// other incidents are not looked at.
pub async fn major_incidents(
    p: &Pools,
    org: i64,
    from: i64,
    to: i64,
) -> Result<Vec<ReportedRecord>> {
    use super::rollups::DAY_MS;
    let days: Vec<(i64,)> = sqlx::query_as(
        "SELECT r.day FROM record_counts r WHERE r.kind = 'incident' AND r.org_id = $1 \
         AND r.day >= $2 AND r.day < $3 GROUP BY r.day HAVING SUM(r.major) > 0 ORDER BY r.day",
    )
    .bind(org)
    .bind(from.div_euclid(DAY_MS) * DAY_MS)
    .bind(to)
    .fetch_all(p.read())
    .await?;
    let mut out: Vec<ReportedRecord> = Vec::new();
    for (day,) in days {
        let left = 100 - out.len() as i64;
        if left <= 0 {
            break;
        }
        let rows: Vec<ReportedRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{RECORD} WHERE w.kind = 'incident' AND w.org_id = $1 AND w.opened_at >= $2 \
             AND w.opened_at < $3 AND w.major ORDER BY w.opened_at, w.id LIMIT $4"
        )))
        .bind(org)
        .bind(day.max(from))
        .bind((day + DAY_MS).min(to))
        .bind(left)
        .fetch_all(p.read())
        .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The customer's complaints opened in `[from, to)` or still open at `to`,
/// oldest first (at most 100).
pub async fn complaints(p: &Pools, org: i64, from: i64, to: i64) -> Result<Vec<ReportedRecord>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{RECORD} WHERE w.kind = 'complaint' AND w.org_id = $1 AND w.opened_at < $3 \
         AND (w.opened_at >= $2 OR w.state_category IN ('new', 'active', 'waiting')) \
         ORDER BY w.opened_at, w.id LIMIT 100"
    )))
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(p.read())
    .await?)
}

const ISSUED: &str = "SELECT r.id, r.org_id, o.name AS org_name, r.period, r.period_from, \
     r.period_to, r.issued_at, u.name AS issued_by_name, r.issuer, r.sha256 FROM service_reports r \
     JOIN organisations o ON o.id = r.org_id LEFT JOIN users u ON u.id = r.issued_by";

/// Keeps a report as issued, with its audit entry and the jobs `jobs_for`
/// gives it (its e-mails), in one transaction; a second report of the same
/// customer and period is a conflict.
pub async fn issue(
    p: &Pools,
    actor: &AuditActor,
    new: &NewServiceReport<'_>,
    jobs_for: impl FnOnce(&IssuedReport) -> Vec<NewJob>,
) -> Result<IssuedReport> {
    use sha2::Digest;
    let now = crate::now_ms();
    let sha = hex::encode(sha2::Sha256::digest(new.body.as_bytes()));
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO service_reports (org_id, period, period_from, period_to, issued_at, \
         issued_by, issuer, body, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(new.org_id)
    .bind(new.period)
    .bind(new.period_from)
    .bind(new.period_to)
    .bind(now)
    .bind(actor.user_id)
    .bind(&actor.label)
    .bind(new.body)
    .bind(&sha)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        on_unique(
            e,
            &format!(
                "{}'s service report for {} is already issued",
                new.org_name, new.period
            ),
        )
    })?;
    let mut c = Changes::default();
    c.set("period", &new.period);
    c.set("sha256", &sha);
    let number = format!("service-report-{id}");
    append_entry(
        &mut tx,
        Entry {
            actor,
            org_id: Some(new.org_id),
            record_type: "service_report",
            record_number: &number,
            action: "issue",
            changes: &c,
        },
        now,
    )
    .await?;
    let issued: IssuedReport =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ISSUED} WHERE r.id = $1")))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    for job in jobs_for(&issued) {
        super::jobs::enqueue(&mut tx, &job, now).await?;
    }
    tx.commit().await?;
    Ok(issued)
}

/// Issued reports, newest first, one customer's when `org` is given; keyset
/// pagination on `(issued_at, id)` below `before`.
pub async fn list(
    p: &Pools,
    org: Option<i64>,
    before: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<IssuedReport>> {
    let mut q = Sql::new(ISSUED);
    q.push(" WHERE 1 = 1");
    if let Some(org) = org {
        q.push(" AND r.org_id = ").arg(Arg::I64(org));
    }
    if let Some((at, id)) = before {
        q.push(" AND (r.issued_at < ")
            .arg(Arg::I64(at))
            .push(" OR (r.issued_at = ")
            .arg(Arg::I64(at))
            .push(" AND r.id < ")
            .arg(Arg::I64(id))
            .push("))");
    }
    q.push(" ORDER BY r.issued_at DESC, r.id DESC LIMIT ")
        .arg(Arg::I64(limit));
    q.fetch_all(p.read()).await
}

/// An issued report and its body.
pub async fn get(p: &Pools, id: i64) -> Result<Option<(IssuedReport, String)>> {
    let Some(r) =
        sqlx::query_as::<_, IssuedReport>(sqlx::AssertSqlSafe(format!("{ISSUED} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(p.read())
            .await?
    else {
        return Ok(None);
    };
    let body: String = sqlx::query_scalar("SELECT body FROM service_reports WHERE id = $1")
        .bind(id)
        .fetch_one(p.read())
        .await?;
    Ok(Some((r, body)))
}

/// Customers with an agreed SLA of their own in force in the month `period`
/// (`YYYY-MM`) and no report issued for it: those the monthly job still owes
/// one (the same rule as the `service-reports-issued` check).
pub async fn due(p: &Pools, period: &str) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.name FROM organisations o WHERE o.kind = 'customer' \
         AND EXISTS (SELECT 1 FROM agreements a WHERE a.org_id = o.id AND a.kind = 'sla' \
          AND a.status = 'agreed' AND substr(a.valid_from, 1, 7) <= $1 \
          AND (a.valid_to IS NULL OR substr(a.valid_to, 1, 7) >= $1)) \
         AND NOT EXISTS (SELECT 1 FROM service_reports r WHERE r.org_id = o.id \
          AND r.period = $1) ORDER BY o.id",
    )
    .bind(period)
    .fetch_all(p.read())
    .await?)
}
