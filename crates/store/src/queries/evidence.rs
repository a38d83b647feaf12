//! What people add to a requirement of the catalogue: its owner, how it is
//! met and notes, and manual evidence (a linked record, a file, an auditor's note).

use steward_domain::audit::Changes;

use super::super::Pools;
use super::Arg;
use super::audit::append;
use super::write::{self, Entry, Row, Set};
use crate::{AuditActor, Evidence, NewEvidence, RequirementNote, Result, StoreError, now_ms};

const NOTE: &str = "SELECT n.clause, n.owner_id, u.name AS owner_name, u.email AS owner_email, \
    n.operated_by, n.controls, n.notes, n.updated_at, n.version \
    FROM requirement_notes n LEFT JOIN users u ON u.id = n.owner_id";

pub async fn note(p: &Pools, clause: &str) -> Result<Option<RequirementNote>> {
    let sql = format!("{NOTE} WHERE n.clause = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(clause)
        .fetch_optional(p.read())
        .await?)
}

/// Sets a requirement's owner, how it is met and its notes.
pub async fn set_note(
    p: &Pools,
    actor: &AuditActor,
    n: &RequirementNote,
    expected_version: Option<i64>,
) -> Result<RequirementNote> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    // Writers of the same note take turns, as for every versioned row.
    let lock = format!(
        "SELECT clause FROM requirement_notes WHERE clause = $1{}",
        super::super::dialect::FOR_UPDATE
    );
    let _: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(lock))
        .bind(&n.clause)
        .fetch_optional(&mut *tx)
        .await?;
    let sql = format!("{NOTE} WHERE n.clause = $1");
    let before: Option<RequirementNote> = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(&n.clause)
        .fetch_optional(&mut *tx)
        .await?;
    if expected_version.is_some_and(|v| Some(v) != before.as_ref().map(|b| b.version)) {
        return Err(StoreError::Stale);
    }
    let mut c = Changes::default();
    let none = RequirementNote::default();
    let b = before.as_ref().unwrap_or(&none);
    c.diff("owner", &b.owner_email, &n.owner_email);
    c.diff("operated_by", &b.operated_by, &n.operated_by);
    c.diff("controls", &b.controls, &n.controls);
    c.diff("notes", &b.notes, &n.notes);
    if c.is_empty() && before.is_some() {
        return Ok(before.unwrap_or_default());
    }
    let set = vec![
        Set::to("owner_id", Arg::OptI64(n.owner_id)),
        Set::to("operated_by", Arg::Text(n.operated_by.clone())),
        Set::to("controls", Arg::Text(n.controls.clone())),
        Set::to("notes", Arg::Text(n.notes.clone())),
    ];
    let entry = Entry {
        actor,
        org_id: None,
        record_type: "requirement",
        record_number: &n.clause,
        action: "update",
        changes: &c,
    };
    match &before {
        Some(b) => {
            let row = Row::keyed("requirement_notes", "clause", Arg::Text(n.clause.clone()));
            write::apply(&mut tx, row, Some(b.version), set, now, entry).await?;
        }
        None => {
            // A first note: written once; another writer's first note meanwhile is stale.
            let written = sqlx::query(
                "INSERT INTO requirement_notes (clause, owner_id, operated_by, controls, notes, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (clause) DO NOTHING",
            )
            .bind(&n.clause)
            .bind(n.owner_id)
            .bind(&n.operated_by)
            .bind(&n.controls)
            .bind(&n.notes)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if written.rows_affected() == 0 {
                return Err(StoreError::Stale);
            }
            append(
                &mut tx,
                actor,
                None,
                "requirement",
                &n.clause,
                "update",
                &c,
                now,
            )
            .await?;
        }
    }
    let after = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&n.clause)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(after)
}

const EVIDENCE: &str = "SELECT e.id, e.clause, e.kind, e.record_type, e.record_key, e.file_id, \
    f.file_name, e.note, u.name AS created_by_name, e.created_at \
    FROM evidence e LEFT JOIN users u ON u.id = e.created_by \
    LEFT JOIN record_files f ON f.id = e.file_id";

/// Adds evidence; a file's record is written in the same transaction.
pub async fn add(
    p: &Pools,
    actor: &AuditActor,
    e: &NewEvidence,
    file: Option<&crate::NewAttachment>,
) -> Result<Evidence> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let file_id: Option<i64> = match file {
        Some(f) => Some(
            sqlx::query_scalar(
                "INSERT INTO record_files (file_name, content_type, size, sha256, storage_key, \
                 uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&f.file_name)
            .bind(&f.content_type)
            .bind(f.size)
            .bind(&f.sha256)
            .bind(&f.storage_key)
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?,
        ),
        None => e.file_id,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO evidence (clause, kind, record_type, record_key, file_id, note, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&e.clause)
    .bind(&e.kind)
    .bind(&e.record_type)
    .bind(&e.record_key)
    .bind(file_id)
    .bind(&e.note)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let mut c = Changes::default();
    c.set("kind", &e.kind);
    c.set("record", &e.record_key);
    c.set("file", &file.map(|f| f.file_name.clone()));
    c.set("note", &e.note);
    append(
        &mut tx,
        actor,
        None,
        "requirement",
        &e.clause,
        "add_evidence",
        &c,
        now,
    )
    .await?;
    let sql = format!("{EVIDENCE} WHERE e.id = $1");
    let out = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(out)
}

/// A requirement's manual evidence and notes, newest first.
pub async fn list(p: &Pools, clause: &str) -> Result<Vec<Evidence>> {
    let sql = format!("{EVIDENCE} WHERE e.clause = $1 ORDER BY e.id DESC");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(clause)
        .fetch_all(p.read())
        .await?)
}

/// How many items of manual evidence (not notes) each requirement has.
pub async fn counts(p: &Pools) -> Result<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as(
            "SELECT clause, COUNT(*) FROM evidence WHERE kind <> 'note' GROUP BY clause",
        )
        .fetch_all(p.read())
        .await?,
    )
}

/// Every requirement's owner and how it is met.
pub async fn notes(p: &Pools) -> Result<Vec<RequirementNote>> {
    let sql = format!("{NOTE} ORDER BY n.clause");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(p.read())
        .await?)
}
