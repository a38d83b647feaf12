//! The work-record kernel (ADR 0010): what every kind of record shares, written
//! once. A record found by its number, its journal (comments and work notes),
//! and typed links between two records.

use steward_domain::audit::Changes;
use steward_domain::link::{LinkType, StoredLink};

use super::super::{Conn, Pools};
use super::audit::append;
use crate::LinkRow;
use crate::{AuditActor, Comment, RecordLink, RecordRef, Result, StoreError, on_unique};

/// An incident `i` linked to a problem, from either end of the link: two
/// halves, each an index lookup (an `OR` across both ends is not).
pub(super) const INCIDENT_LINKED_TO_PROBLEM: &str = "(EXISTS (SELECT 1 FROM record_links l \
     JOIN work_records r ON r.id = l.b_id WHERE l.a_id = i.id AND r.kind = 'problem') \
     OR EXISTS (SELECT 1 FROM record_links l JOIN work_records r ON r.id = l.a_id \
     WHERE l.b_id = i.id AND r.kind = 'problem'))";

const SELECT_REF: &str = "SELECT r.id, r.kind, r.number, r.org_id, r.title, r.state, \
     r.state_category, r.service_id, r.category FROM work_records r";

/// Any record by its number, within `org` when given (customers).
pub async fn by_number(p: &Pools, number: &str, org: Option<i64>) -> Result<RecordRef> {
    let sql = format!("{SELECT_REF} WHERE r.number = $1 AND ($2 IS NULL OR r.org_id = $2)");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(number)
        .bind(org)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// A record changed: its version and update time move on.
pub(super) async fn touch(conn: &mut Conn, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE work_records SET updated_at = $1, version = version + 1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes a comment or work note on `record` with its audit entry, inside
/// `conn`'s transaction. The caller moves the record's version.
pub(super) async fn insert_comment(
    conn: &mut Conn,
    actor: &AuditActor,
    record: &RecordRef,
    visibility: &str,
    body: &str,
    now: i64,
) -> Result<Comment> {
    let comment: Comment = sqlx::query_as(
        "INSERT INTO comments (record_id, org_id, author_id, visibility, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, record_id, author_id, NULL AS author_name, visibility, body, created_at",
    )
    .bind(record.id)
    .bind(record.org_id)
    .bind(actor.user_id)
    .bind(visibility)
    .bind(body)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(comment)
}

/// The audit entry of a comment: its id, visibility and text, with `extra`
/// changes that came with it (a clock stopped by the first response).
pub(super) async fn comment_audit(
    conn: &mut Conn,
    actor: &AuditActor,
    record: &RecordRef,
    comment: &Comment,
    mut c: Changes,
    now: i64,
) -> Result<()> {
    c.set("comment_id", &comment.id);
    c.set("visibility", &comment.visibility);
    c.set("body", &comment.body);
    let action = if comment.visibility == "internal" {
        "work_note"
    } else {
        "comment"
    };
    append(
        conn,
        actor,
        Some(record.org_id),
        &record.kind,
        &record.number,
        action,
        &c,
        now,
    )
    .await
}

/// Records `files` as attachments of `comment`, which they take the visibility of.
pub(super) async fn attach_to_comment(
    conn: &mut Conn,
    actor: &AuditActor,
    record: &RecordRef,
    comment: &Comment,
    files: &[crate::NewAttachment],
    now: i64,
) -> Result<()> {
    for file in files {
        let on_comment = crate::NewAttachment {
            comment_id: Some(comment.id),
            visibility: comment.visibility.clone(),
            ..file.clone()
        };
        super::attachments::insert(&mut *conn, actor, record, &on_comment, now).await?;
    }
    Ok(())
}

/// A comment on any record that has no clocks or notifications of its own,
/// with the files that came with it, in one transaction.
pub async fn add_comment(
    p: &Pools,
    actor: &AuditActor,
    record: &RecordRef,
    visibility: &str,
    body: &str,
    files: &[crate::NewAttachment],
) -> Result<Comment> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let comment = insert_comment(&mut tx, actor, record, visibility, body, now).await?;
    touch(&mut tx, record.id, now).await?;
    comment_audit(&mut tx, actor, record, &comment, Changes::default(), now).await?;
    attach_to_comment(&mut tx, actor, record, &comment, files, now).await?;
    tx.commit().await?;
    Ok(Comment {
        author_name: Some(actor.label.clone()),
        ..comment
    })
}

/// Links `from` to `to` as `link_type` reads from `from`'s side, with an
/// audit entry on each end. Two records are linked at most once.
pub async fn link(
    p: &Pools,
    actor: &AuditActor,
    from: &RecordRef,
    to: &RecordRef,
    link_type: LinkType,
) -> Result<RecordLink> {
    let stored = StoredLink::new(from.id, to.id, link_type)?;
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO record_links (a_id, b_id, link_type, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(stored.a)
    .bind(stored.b)
    .bind(stored.link_type.as_str())
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        on_unique(
            e,
            &format!("{} and {} are already linked", from.number, to.number),
        )
    })?;
    for (record, other, seen) in [(from, to, link_type), (to, from, link_type.inverse())] {
        let mut c = Changes::default();
        c.set("link", &seen.as_str());
        c.set("record", &other.number);
        append(
            &mut tx,
            actor,
            Some(record.org_id),
            &record.kind,
            &record.number,
            "link",
            &c,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(RecordLink {
        id,
        link_type,
        other: to.clone(),
        created_at: now,
    })
}

/// Removes the link between `from` and `to`, with an audit entry on each end.
pub async fn unlink(p: &Pools, actor: &AuditActor, from: &RecordRef, to: &RecordRef) -> Result<()> {
    let (a, b) = (from.id.min(to.id), from.id.max(to.id));
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let removed: Option<String> = sqlx::query_scalar(
        "DELETE FROM record_links WHERE a_id = $1 AND b_id = $2 RETURNING link_type",
    )
    .bind(a)
    .bind(b)
    .fetch_optional(&mut *tx)
    .await?;
    let stored = removed
        .as_deref()
        .and_then(LinkType::parse)
        .ok_or(StoreError::NotFound)?;
    for (record, other) in [(from, to), (to, from)] {
        let seen = if record.id == a {
            stored
        } else {
            stored.inverse()
        };
        let mut c = Changes::default();
        c.diff("link", &Some(seen.as_str()), &None);
        c.set("record", &other.number);
        append(
            &mut tx,
            actor,
            Some(record.org_id),
            &record.kind,
            &record.number,
            "unlink",
            &c,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The links of a record, read from its side, oldest first; with `org`, only
/// those to records of that organisation (what a customer may see).
pub async fn links(p: &Pools, record_id: i64, org: Option<i64>) -> Result<Vec<RecordLink>> {
    let rows: Vec<LinkRow> = sqlx::query_as(
        "SELECT l.id AS link_id, l.a_id, l.link_type, l.created_at, r.id, r.kind, r.number, \
         r.org_id, r.title, r.state, r.state_category, r.service_id, r.category FROM ( \
           SELECT id, a_id, b_id AS other, link_type, created_at FROM record_links WHERE a_id = $1 \
           UNION ALL \
           SELECT id, a_id, a_id AS other, link_type, created_at FROM record_links WHERE b_id = $1 \
         ) l JOIN work_records r ON r.id = l.other \
         WHERE ($2 IS NULL OR r.org_id = $2) ORDER BY l.id",
    )
    .bind(record_id)
    .bind(org)
    .fetch_all(p.read())
    .await?;
    rows.into_iter().map(|r| r.read_from(record_id)).collect()
}
