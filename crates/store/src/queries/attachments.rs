//! Attachment records (the bytes themselves live in the server's data folder).

use steward_domain::audit::Changes;

use super::super::{Conn, Pools};
use super::write::{self, Entry, Row, Written};
use crate::{Attachment, AuditActor, NewAttachment, RecordRef, Result, StoreError, now_ms};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT a.id, a.record_id, i.number AS record_number, a.org_id, a.comment_id, a.visibility, \
             a.file_name, a.content_type, a.size, a.sha256, a.storage_key, a.uploaded_by, \
             u.name AS uploaded_by_name, a.created_at \
             FROM attachments a JOIN work_records i ON i.id = a.record_id \
             LEFT JOIN users u ON u.id = a.uploaded_by",
            $tail
        )
    };
}

/// Records an attachment and its audit entry inside `conn`'s transaction;
/// the entry finishes `moved`, the record's version moved by the attachment,
/// when it came alone (one on a comment moves the record with the comment).
pub(super) async fn insert(
    conn: &mut Conn,
    actor: &AuditActor,
    record: &RecordRef,
    a: &NewAttachment,
    now: i64,
    moved: Option<Written>,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attachments (record_id, org_id, visibility, file_name, content_type, size, \
         sha256, storage_key, uploaded_by, created_at, comment_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(record.id)
    .bind(record.org_id)
    .bind(&a.visibility)
    .bind(&a.file_name)
    .bind(&a.content_type)
    .bind(a.size)
    .bind(&a.sha256)
    .bind(&a.storage_key)
    .bind(actor.user_id)
    .bind(now)
    .bind(a.comment_id)
    .fetch_one(&mut *conn)
    .await?;
    let mut c = Changes::default();
    c.set("attachment_id", &id);
    if let Some(comment) = a.comment_id {
        c.set("comment_id", &comment);
    }
    c.set("file_name", &a.file_name);
    c.set("content_type", &a.content_type);
    c.set("size", &a.size);
    c.set("sha256", &a.sha256);
    c.set("visibility", &a.visibility);
    let action = if a.visibility == "internal" {
        "work_note_attachment"
    } else {
        "attachment"
    };
    let entry = Entry {
        actor,
        org_id: Some(record.org_id),
        record_type: &record.kind,
        record_number: &record.number,
        action,
        changes: &c,
    };
    match moved {
        Some(w) => w.audit(conn, entry).await?,
        None => write::append_entry(conn, entry, now).await?,
    }
    Ok(id)
}

pub async fn create(
    p: &Pools,
    actor: &AuditActor,
    record: &RecordRef,
    a: &NewAttachment,
) -> Result<Attachment> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let moved = write::update(
        &mut tx,
        Row::id("work_records", record.id),
        None,
        vec![],
        now,
    )
    .await?;
    let id = insert(&mut tx, actor, record, a, now, Some(moved)).await?;
    let row = sqlx::query_as(select!(" WHERE a.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn list(p: &Pools, record_id: i64, include_internal: bool) -> Result<Vec<Attachment>> {
    Ok(sqlx::query_as(select!(
        " WHERE a.record_id = $1 AND ($2 OR a.visibility = 'public') ORDER BY a.id"
    ))
    .bind(record_id)
    .bind(include_internal)
    .fetch_all(p.read())
    .await?)
}

pub async fn get(p: &Pools, id: i64) -> Result<Attachment> {
    sqlx::query_as(select!(" WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}
