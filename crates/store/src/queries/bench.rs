//! Benchmark support: the raw insert ceiling of the database and bulk filling.
//! Used only by `steward-bench`; never by the server.

use super::super::{Pools, dialect};
use crate::{Cursor, Result};

/// Single-row insert transactions from `clients` concurrent writers for
/// `millis`; returns how many committed.
pub async fn raw_inserts(p: &Pools, clients: u32, millis: u64) -> Result<u64> {
    let mut tx = p.begin().await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM bench_raw")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    // Plain transactions, one per row, without the store's group commit.
    let raw = p.raw_pool().await?;
    let start = std::time::Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients as i64 {
        let raw = raw.clone();
        tasks.push(tokio::spawn(async move {
            let mut n: i64 = 0;
            while start.elapsed().as_millis() < millis as u128 {
                n += 1;
                let mut tx = raw.begin_with(dialect::RAW_BEGIN).await?;
                sqlx::query("INSERT INTO bench_raw (id, payload) VALUES ($1, $2)")
                    .bind(c * 1_000_000_000 + n)
                    .bind("a row of about the size of a small incident title and a few fields")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Ok::<u64, crate::StoreError>(n as u64)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t
            .await
            .map_err(|e| crate::StoreError::Config(e.to_string()))??;
    }
    Ok(total)
}

/// Adds `n` incidents in bulk (no audit entries: benchmark data), opened five
/// minutes apart going back from `newest_at`, like a provider's history: the
/// last 30 days hold a mix of open and closed incidents, everything older is
/// closed, with response, resolution and closure times, a few reopened and a
/// few closed without notes, so that the evidence checks have work to do.
pub async fn fill_incidents(
    p: &Pools,
    n: i64,
    first: i64,
    newest_at: i64,
    org_id: i64,
    caller_id: i64,
    service_id: i64,
) -> Result<()> {
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(50_000);
        let mut tx = p.begin().await?;
        sqlx::query(
            "WITH RECURSIVE s(g) AS (SELECT $1 UNION ALL SELECT g + 1 FROM s WHERE g < $2), \
             t AS (SELECT g, $6 - g * 300000 AS opened, \
             CASE WHEN g < 8640 AND g % 10 = 0 THEN 'new' \
             WHEN g < 8640 AND g % 10 = 1 THEN 'in_progress' ELSE 'closed' END AS state FROM s) \
             INSERT INTO work_records (kind, number, org_id, service_id, requester_id, title, \
             description, category, impact, urgency, priority, state, state_category, reopen_count, \
             opened_at, first_response_at, resolved_at, closed_at, resolution_code, resolution_notes, \
             updated_at, major) \
             SELECT 'incident', 'BENCH-' || g, $3, $4, $5, \
             'Bench incident ' || g || ' ' || CASE g % 16 WHEN 0 THEN 'printer' WHEN 1 THEN 'laptop' \
             WHEN 2 THEN 'vpn' WHEN 3 THEN 'mail' WHEN 4 THEN 'password' WHEN 5 THEN 'network' \
             WHEN 6 THEN 'screen' WHEN 7 THEN 'database' WHEN 8 THEN 'login' WHEN 9 THEN 'backup' \
             WHEN 10 THEN 'wifi' WHEN 11 THEN 'phone' WHEN 12 THEN 'invoice' WHEN 13 THEN 'report' \
             WHEN 14 THEN 'server' ELSE 'keyboard' END || ' ' || CASE (g / 16) % 13 \
             WHEN 0 THEN 'slow' WHEN 1 THEN 'broken' WHEN 2 THEN 'locked' WHEN 3 THEN 'missing' \
             WHEN 4 THEN 'error' WHEN 5 THEN 'timeout' WHEN 6 THEN 'crash' WHEN 7 THEN 'denied' \
             WHEN 8 THEN 'offline' WHEN 9 THEN 'stuck' WHEN 10 THEN 'noisy' WHEN 11 THEN 'frozen' \
             ELSE 'failed' END, \
             'generated at the ' || CASE (g / 7) % 11 WHEN 0 THEN 'office' WHEN 1 THEN 'branch' \
             WHEN 2 THEN 'warehouse' WHEN 3 THEN 'lab' WHEN 4 THEN 'floor' WHEN 5 THEN 'kiosk' \
             WHEN 6 THEN 'store' WHEN 7 THEN 'depot' WHEN 8 THEN 'tower' WHEN 9 THEN 'annex' \
             ELSE 'campus' END, \
             'general', 1 + g % 3, 1 + (g / 3) % 3, 1 + g % 5, state, \
             CASE state WHEN 'in_progress' THEN 'active' ELSE state END, \
             CASE WHEN g % 40 = 0 THEN 1 ELSE 0 END, opened, \
             CASE WHEN state = 'new' THEN NULL ELSE opened + (g % 40) * 60000 END, \
             CASE WHEN state = 'closed' THEN opened + (g % 12) * 3600000 END, \
             CASE WHEN state = 'closed' THEN opened + (g % 12) * 3600000 + 86400000 END, \
             CASE WHEN state = 'closed' THEN 'fixed' END, \
             CASE WHEN state = 'closed' AND g % 50 <> 0 THEN 'Done.' END, \
             opened, FALSE FROM t",
        )
        .bind(first + done)
        .bind(first + done + batch - 1)
        .bind(org_id)
        .bind(service_id)
        .bind(caller_id)
        .bind(newest_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        done += batch;
    }
    // As the server's sweeper would within a minute.
    super::rollups::compact(p).await?;
    let mut tx = p.begin().await?;
    sqlx::query("ANALYZE").execute(&mut *tx).await?;
    tx.commit().await?;
    p.after_bulk_load().await
}

pub async fn backdate_mail(p: &Pools, id: i64, by_ms: i64) -> Result<()> {
    let mut tx = p.begin().await?;
    sqlx::query("UPDATE inbound_mail SET received_at = received_at - $1 WHERE id = $2")
        .bind(by_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Reopens every incident as new (the SLA benchmark: open incidents to recompute).
pub async fn open_all(p: &Pools) -> Result<()> {
    let mut tx = p.begin().await?;
    sqlx::query(
        "UPDATE work_records SET state = 'new', state_category = 'new', first_response_at = NULL, \
         resolved_at = NULL, \
         closed_at = NULL, resolution_code = NULL, resolution_notes = NULL WHERE kind = 'incident'",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn clear_incidents(p: &Pools) -> Result<()> {
    let mut tx = p.begin().await?;
    for table in [
        "inbound_mail",
        "ratings",
        "record_links",
        "article_feedback",
        "article_versions",
        "article_orgs",
        "article_details",
        "problem_details",
        "problem_services",
        "complaint_details",
        "action_details",
        "nonconformity_details",
        "improvement_details",
        "audit_samples",
        "finding_details",
        "audit_details",
        "review_details",
        "service_review_details",
        "approval_links",
        "request_approvals",
        "task_details",
        "request_details",
        "sla_intervals",
        "sla_clocks",
        "attachments",
        "comments",
        "job_runs",
        "jobs",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM work_records")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    super::rollups::compact(p).await?;
    Ok(())
}

/// The cursor after the `offset`-th incident, newest first (for deep-page measurements).
pub async fn cursor_at(p: &Pools, offset: i64) -> Result<Option<Cursor>> {
    let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT priority, opened_at, id, sla_due_at FROM work_records WHERE kind = 'incident' \
         ORDER BY opened_at DESC, id DESC LIMIT 1 OFFSET $1",
    )
    .bind(offset)
    .fetch_optional(p.read())
    .await?;
    Ok(row.map(|(priority, opened_at, id, sla_due_at)| Cursor {
        priority,
        opened_at,
        id,
        sla_due_at,
    }))
}

/// Replaces the benchmark's problems with `n` new ones (`PRB-100001`...,
/// under investigation), and links every 50th incident to one of them
/// (`caused_by`), as a problem board over a large history would be.
pub async fn fill_problems(
    p: &Pools,
    n: i64,
    org_id: i64,
    service_id: i64,
    now: i64,
) -> Result<()> {
    let mut tx = p.begin().await?;
    for sql in [
        "DELETE FROM record_links",
        "DELETE FROM problem_details",
        "DELETE FROM problem_services",
        "DELETE FROM work_records WHERE kind = 'problem'",
    ] {
        sqlx::query(sql).execute(&mut *tx).await?;
    }
    sqlx::query(
        "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $1) \
         INSERT INTO work_records (kind, number, org_id, service_id, title, description, \
         category, impact, urgency, priority, state, state_category, opened_at, updated_at) \
         SELECT 'problem', 'PRB-' || (100000 + g), $2, $3, 'Bench problem ' || g, 'generated', \
         'general', 3, 3, 5, 'under_investigation', 'active', $4 - g * 60000, $4 FROM s",
    )
    .bind(n)
    .bind(org_id)
    .bind(service_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO problem_details (record_id) SELECT id FROM work_records WHERE kind = 'problem'",
    )
    .execute(&mut *tx)
    .await?;
    // Fresh statistics first: planned with none, the join below walks every
    // incident once per problem.
    sqlx::query("ANALYZE").execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO record_links (a_id, b_id, link_type, created_at) \
         SELECT i.id, p.id, 'caused_by', $2 FROM work_records i \
         JOIN work_records p ON p.kind = 'problem' \
         AND p.number = 'PRB-' || (100001 + (i.id / 50) % $1) \
         WHERE i.kind = 'incident' AND i.id % 50 = 0",
    )
    .bind(n)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("ANALYZE").execute(&mut *tx).await?;
    tx.commit().await?;
    p.after_bulk_load().await
}

/// Adds `n` published knowledge articles for everyone (`KB-100001`...),
/// written from the same words as the benchmark's incidents, for search.
pub async fn fill_articles(p: &Pools, n: i64, org_id: i64, now: i64) -> Result<()> {
    let mut tx = p.begin().await?;
    sqlx::query(
        "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < $1) \
         INSERT INTO work_records (kind, number, org_id, title, description, category, impact, \
         urgency, priority, state, state_category, opened_at, resolved_at, updated_at) \
         SELECT 'article', 'KB-' || (100000 + g), $2, \
         'Fix a ' || CASE g % 4 WHEN 0 THEN 'printer' WHEN 1 THEN 'vpn' WHEN 2 THEN 'mail' \
         ELSE 'laptop' END || ' that is ' || CASE g % 3 WHEN 0 THEN 'slow' WHEN 1 THEN 'offline' \
         ELSE 'locked' END || ' (' || g || ')', \
         'When it happens, restart it from the portal, then check the cable and the settings.', \
         'general', 3, 3, 5, 'published', 'resolved', $3 - g * 60000, $3 - g * 60000, $3 FROM s",
    )
    .bind(n)
    .bind(org_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO article_details (record_id, audience, draft_title, draft_body, version, \
         live_version, published_at) SELECT id, 'everyone', title, description, 1, 1, opened_at \
         FROM work_records WHERE kind = 'article'",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("ANALYZE").execute(&mut *tx).await?;
    tx.commit().await?;
    p.after_bulk_load().await
}

/// Incidents opened in `[from, to)`, counted from the records.
pub async fn count_opened(p: &Pools, from: i64, to: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM work_records WHERE kind = 'incident' AND opened_at >= $1 \
         AND opened_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(p.read())
    .await?)
}
