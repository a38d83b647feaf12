//! The audit trail: append (in the writer's transaction), seal, verify, read.

use steward_domain::audit::{CanonicalEntry, Changes, GENESIS, verify_link};

use super::super::{Conn, Pools, dialect};
use super::{Arg, Sql};
use crate::{AuditActor, AuditEntry, AuditFilter, AuditVerification, BrokenLink, Result};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, occurred_at, actor_id, actor_label, org_id, record_type, record_number, \
             action, changes, seq, hash FROM audit_log",
            $tail
        )
    };
}

/// Appends an unsealed entry. Call inside the transaction of the change itself.
/// The columns of `audit_log` that a new entry fills besides its record
/// number: the one definition of an entry, used by [`append`] and by the
/// numbered inserts of both databases (SQLite's `insert_numbered`,
/// PostgreSQL's group insert), which learn the record number only as they write.
pub const ENTRY_COLUMNS: &[&str] = &[
    "occurred_at",
    "actor_id",
    "actor_label",
    "org_id",
    "record_type",
    "action",
    "changes",
];

/// An entry's values in the order of [`ENTRY_COLUMNS`].
pub fn entry_values(
    actor: &AuditActor,
    org_id: Option<i64>,
    record_type: &str,
    action: &str,
    changes: &Changes,
    now: i64,
) -> Vec<Arg> {
    vec![
        Arg::I64(now),
        Arg::OptI64(actor.user_id),
        Arg::Text(actor.label.clone()),
        Arg::OptI64(org_id),
        Arg::Text(record_type.to_owned()),
        Arg::Text(action.to_owned()),
        Arg::Text(changes.to_json()),
    ]
}

/// Writes the entry of `record_number` with `values` (see [`entry_values`])
/// inside `conn`'s transaction.
pub async fn insert_entry(conn: &mut Conn, record_number: &str, values: &[Arg]) -> Result<()> {
    let mut q = Sql::new(&format!(
        "INSERT INTO audit_log (record_number, {}) VALUES (",
        ENTRY_COLUMNS.join(", ")
    ));
    q.arg(Arg::Text(record_number.to_owned()));
    for v in values {
        q.push(", ").arg(v.clone());
    }
    q.push(")");
    q.execute(conn).await?;
    Ok(())
}

/// Appends the entry of a write inside its transaction.
#[allow(clippy::too_many_arguments)]
pub async fn append(
    conn: &mut Conn,
    actor: &AuditActor,
    org_id: Option<i64>,
    record_type: &str,
    record_number: &str,
    action: &str,
    changes: &Changes,
    now: i64,
) -> Result<()> {
    let values = entry_values(actor, org_id, record_type, action, changes, now);
    insert_entry(conn, record_number, &values).await
}

fn canonical(e: &AuditEntry) -> CanonicalEntry<'_> {
    CanonicalEntry {
        id: e.id,
        occurred_at: e.occurred_at,
        actor_id: e.actor_id,
        actor_label: &e.actor_label,
        org_id: e.org_id,
        record_type: &e.record_type,
        record_number: &e.record_number,
        action: &e.action,
        changes: &e.changes,
    }
}

/// Seals up to `batch` unsealed entries, in id order, after the chain's head.
/// The head row is locked, so sealers on several processes take turns; writers
/// never touch it.
pub async fn seal(p: &Pools, batch: i64) -> Result<usize> {
    let mut tx = p.begin().await?;
    let head_sql = format!(
        "SELECT last_seq, last_hash FROM audit_chain WHERE id = 1{}",
        dialect::FOR_UPDATE
    );
    let (mut seq, mut hash): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(head_sql))
        .fetch_one(&mut *tx)
        .await?;
    let entries: Vec<AuditEntry> =
        sqlx::query_as(select!(" WHERE seq IS NULL ORDER BY id LIMIT $1"))
            .bind(batch)
            .fetch_all(&mut *tx)
            .await?;
    if entries.is_empty() {
        return Ok(0);
    }
    // One UPDATE per chunk rather than per entry keeps the writer free for requests.
    for chunk in entries.chunks(300) {
        let mut q = Sql::new("WITH v(id, seq, hash) AS (VALUES ");
        for (n, e) in chunk.iter().enumerate() {
            seq += 1;
            hash = canonical(e).chain_hash(&hash);
            q.push(if n == 0 { "(" } else { ", (" })
                .arg(Arg::I64(e.id))
                .push(", ")
                .arg(Arg::I64(seq))
                .push(", ")
                .arg(Arg::Text(hash.clone()))
                .push(")");
        }
        q.push(
            ") UPDATE audit_log SET seq = v.seq, hash = v.hash FROM v WHERE audit_log.id = v.id",
        );
        q.execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE audit_chain SET last_seq = $1, last_hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(entries.len())
}

/// Walks the sealed chain in order, recomputing every link, up to the head
/// recorded when the walk starts (entries sealed meanwhile are left for the
/// next run), and checks that it ends exactly there, so that removing the
/// newest entries shows too.
pub async fn verify(p: &Pools) -> Result<AuditVerification> {
    const PAGE: i64 = 5_000;
    let (last_seq, last_hash): (i64, String) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_chain WHERE id = 1")
            .fetch_one(p.read())
            .await?;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut verified = 0;
    let broken = |seq, entry_id, reason: &str| BrokenLink {
        seq,
        entry_id,
        reason: reason.to_owned(),
    };
    let mut first_broken = None;
    'walk: while expected_seq <= last_seq {
        let rows: Vec<AuditEntry> = sqlx::query_as(select!(
            " WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3"
        ))
        .bind(expected_seq)
        .bind(last_seq)
        .bind(PAGE)
        .fetch_all(p.read())
        .await?;
        if rows.is_empty() {
            break;
        }
        for e in &rows {
            let seq = e.seq.unwrap_or_default();
            if seq != expected_seq {
                first_broken = Some(broken(
                    expected_seq,
                    None,
                    "entry missing from the chain (deleted or renumbered)",
                ));
                break 'walk;
            }
            let hash = e.hash.as_deref().unwrap_or_default();
            if !verify_link(&canonical(e), &prev, hash) {
                first_broken = Some(broken(
                    seq,
                    Some(e.id),
                    "content or hash does not match the chain (entry altered)",
                ));
                break 'walk;
            }
            prev = hash.to_owned();
            expected_seq += 1;
            verified += 1;
        }
    }
    if first_broken.is_none() && (verified != last_seq || prev != last_hash) {
        first_broken = Some(broken(
            verified + 1,
            None,
            "the chain does not end at its recorded head (newest entries removed or head altered)",
        ));
    }
    let unsealed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE seq IS NULL")
        .fetch_one(p.read())
        .await?;
    Ok(AuditVerification {
        verified,
        unsealed,
        broken: first_broken,
    })
}

/// Audit entries, newest first, filtered.
pub async fn list(p: &Pools, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut q = Sql::new(select!(" WHERE 1 = 1"));
    if let Some(t) = &f.record_type {
        q.push(" AND record_type = ").arg(Arg::Text(t.clone()));
    }
    if let Some(n) = &f.record_number {
        q.push(" AND record_number = ").arg(Arg::Text(n.clone()));
    }
    if let Some(a) = f.actor_id {
        q.push(" AND actor_id = ").arg(Arg::I64(a));
    }
    if let Some(a) = &f.action {
        q.push(" AND action = ").arg(Arg::Text(a.clone()));
    }
    if let Some(b) = f.before_id {
        q.push(" AND id < ").arg(Arg::I64(b));
    }
    q.push(" ORDER BY id DESC LIMIT ")
        .arg(Arg::I64(f.limit.clamp(1, 500)));
    q.fetch_all(p.read()).await
}

/// One record's history, oldest first.
pub async fn history(p: &Pools, record_type: &str, number: &str) -> Result<Vec<AuditEntry>> {
    Ok(sqlx::query_as(select!(
        " WHERE record_type = $1 AND record_number = $2 ORDER BY id"
    ))
    .bind(record_type)
    .bind(number)
    .fetch_all(p.read())
    .await?)
}
