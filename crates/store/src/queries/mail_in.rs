//! Incoming e-mail (migration 0029, docs/email-in.md). Every message taken in
//! is one row of `inbound_mail`, written in the same transaction as what it
//! made (an incident, a comment) or as its quarantine, under a unique key: a
//! message handed in twice (an IMAP flag lost to a crash, a mail server that
//! retries) finds its row and makes nothing a second time.

use steward_domain::audit::Changes;
use steward_domain::sla::SlaTerms;

use super::super::{Conn, Pools};
use super::audit::append;
use super::write::Entry;
use super::{insert_numbered, records};
use crate::{
    AuditActor, Comment, InboundMail, Incident, MailAnchor, MailFilter, MailReplyTo, NewAttachment,
    NewIncident, RecordRef, Result, StoreError, now_ms,
};

const SELECT: &str = "SELECT m.id, m.message_id, m.source, m.sender, m.subject, m.size, \
     m.received_at, m.outcome, m.reason, m.detail, r.number AS record_number, \
     r.kind AS record_kind, m.review, u.name AS reviewed_by_name, m.reviewed_at \
     FROM inbound_mail m LEFT JOIN work_records r ON r.id = m.record_id \
     LEFT JOIN users u ON u.id = m.reviewed_by";

/// Whether a message with this key was taken in already.
pub async fn taken(p: &Pools, dedup_key: &str) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM inbound_mail WHERE dedup_key = $1")
        .bind(dedup_key)
        .fetch_optional(p.read())
        .await?;
    Ok(found.is_some())
}

/// The number of the record that the newest message taken in with one of
/// `ids` (a reply's `In-Reply-To` and `References`) made or replied to.
pub async fn record_of_messages(p: &Pools, ids: &[String]) -> Result<Option<String>> {
    let ids: Vec<&String> = ids.iter().take(50).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT r.number FROM inbound_mail m JOIN work_records r ON r.id = m.record_id \
         WHERE m.message_id IN ({}) ORDER BY m.id DESC LIMIT 1",
        marks.join(", ")
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(id);
    }
    Ok(q.fetch_optional(p.read()).await?)
}

/// Claims the message's row inside `conn`'s transaction, first of all its
/// writes: `None` when it was taken in already (or, for a release, was
/// reviewed meanwhile), and the caller then writes nothing.
async fn claim(
    conn: &mut Conn,
    anchor: MailAnchor<'_>,
    outcome: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<Option<i64>> {
    Ok(match anchor {
        MailAnchor::New(m) => {
            sqlx::query_scalar(
                "INSERT INTO inbound_mail (dedup_key, message_id, source, sender, subject, size, \
                 received_at, outcome, reason, detail, raw) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            )
            .bind(&m.dedup_key)
            .bind(&m.message_id)
            .bind(m.source)
            .bind(&m.sender)
            .bind(&m.subject)
            .bind(m.size)
            .bind(now)
            .bind(outcome)
            .bind(reason)
            .bind(&m.detail)
            .bind((outcome == "quarantined").then_some(m.raw.as_slice()))
            .fetch_optional(&mut *conn)
            .await?
        }
        MailAnchor::Release {
            id,
            reviewer,
            detail,
        } => {
            sqlx::query_scalar(
                "UPDATE inbound_mail SET outcome = $1, detail = $2, raw = NULL, \
                 review = 'released', reviewed_by = $3, reviewed_at = $4 \
                 WHERE id = $5 AND outcome = 'quarantined' AND review IS NULL RETURNING id",
            )
            .bind(outcome)
            .bind(detail)
            .bind(reviewer.user_id)
            .bind(now)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        }
    })
}

/// Ties the message to the record it made or replied to, and writes its
/// own audit entry.
async fn settle(
    conn: &mut Conn,
    actor: &AuditActor,
    id: i64,
    anchor: MailAnchor<'_>,
    record: &RecordRef,
    outcome: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE inbound_mail SET record_id = $1 WHERE id = $2")
        .bind(record.id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut c = Changes::default();
    c.set("outcome", &outcome);
    c.set("record", &record.number);
    let (action, by) = match anchor {
        MailAnchor::New(m) => {
            c.set("sender", &m.sender);
            c.set("subject", &m.subject);
            c.set("source", &m.source);
            if !m.detail.is_empty() {
                c.set("detail", &m.detail);
            }
            (outcome, actor)
        }
        MailAnchor::Release { reviewer, .. } => ("release", reviewer),
    };
    append(
        conn,
        by,
        Some(record.org_id),
        "mail",
        &mail_number(id),
        action,
        &c,
        now,
    )
    .await
}

/// How the audit trail names a message taken in.
pub fn mail_number(id: i64) -> String {
    format!("MAIL-{id}")
}

/// Holds a message in the quarantine with its reason; `None` when it was
/// taken in already.
pub async fn quarantine(
    p: &Pools,
    m: &crate::NewMail,
    reason: &str,
    detail: &str,
) -> Result<Option<i64>> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let held = crate::NewMail {
        detail: detail.to_owned(),
        ..m.clone()
    };
    let Some(id) = claim(
        &mut tx,
        MailAnchor::New(&held),
        "quarantined",
        Some(reason),
        now,
    )
    .await?
    else {
        // Committed, not dropped: on SQLite the row it met may wait in the
        // same group commit, and the answer "taken in already" must not
        // come before that row is durable.
        tx.commit().await?;
        return Ok(None);
    };
    let mut c = Changes::default();
    c.set("reason", &reason);
    c.set("detail", &detail);
    c.set("sender", &m.sender);
    c.set("subject", &m.subject);
    c.set("source", &m.source);
    append(
        &mut tx,
        &AuditActor::system("e-mail"),
        None,
        "mail",
        &mail_number(id),
        "quarantine",
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Opens an incident from a message, with the files that came with it, in
/// one transaction with the message's row; `None` when the message was taken
/// in already.
pub async fn open_incident(
    p: &Pools,
    actor: &AuditActor,
    terms: &SlaTerms,
    new: &NewIncident,
    files: &[NewAttachment],
    anchor: MailAnchor<'_>,
) -> Result<Option<Incident>> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let Some(id) = claim(&mut tx, anchor, "opened", None, now).await? else {
        // Committed, not dropped: on SQLite the row it met may wait in the
        // same group commit, and the answer "taken in already" must not
        // come before that row is durable.
        tx.commit().await?;
        return Ok(None);
    };
    let names = super::incidents::names(&mut *tx, new).await?;
    let inc = super::incidents::insert(
        actor,
        terms,
        new,
        names,
        now,
        now,
        "create",
        p.notify,
        async |ins| insert_numbered(&mut tx, ins).await,
    )
    .await?;
    let record = inc.record_ref();
    for file in files {
        super::attachments::insert(&mut tx, actor, &record, file, now, None).await?;
    }
    settle(&mut tx, actor, id, anchor, &record, "opened", now).await?;
    tx.commit().await?;
    Ok(Some(inc))
}

/// Writes a reply as a public comment on its record, with its files, in one
/// transaction with the message's row; `None` when it was taken in already.
#[allow(clippy::too_many_arguments)]
pub async fn reply(
    p: &Pools,
    actor: &AuditActor,
    terms: &SlaTerms,
    to: MailReplyTo<'_>,
    body: &str,
    first_response: bool,
    files: &[NewAttachment],
    anchor: MailAnchor<'_>,
) -> Result<Option<Comment>> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let Some(id) = claim(&mut tx, anchor, "replied", None, now).await? else {
        // Committed, not dropped: on SQLite the row it met may wait in the
        // same group commit, and the answer "taken in already" must not
        // come before that row is durable.
        tx.commit().await?;
        return Ok(None);
    };
    let (record, comment) = match to {
        MailReplyTo::Incident(inc) => {
            let c = super::incidents::comment_in(
                &mut tx,
                p.notify,
                actor,
                terms,
                inc,
                "public",
                body,
                first_response,
                now,
            )
            .await?;
            (inc.record_ref(), c)
        }
        MailReplyTo::Record(r) => {
            let c = records::insert_comment(&mut tx, actor, r, "public", body, now).await?;
            let moved = records::change(&mut tx, r.id, None, vec![], now).await?;
            records::comment_audit(&mut tx, moved, actor, r, &c, Changes::default()).await?;
            (r.clone(), c)
        }
    };
    records::attach_to_comment(&mut tx, actor, &record, &comment, files, now).await?;
    settle(&mut tx, actor, id, anchor, &record, "replied", now).await?;
    tx.commit().await?;
    Ok(Some(Comment {
        author_name: Some(actor.label.clone()),
        ..comment
    }))
}

/// Messages taken in, newest first, before the id `before`.
pub async fn list(
    p: &Pools,
    filter: MailFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<InboundMail>> {
    let cond = match filter {
        MailFilter::Waiting => "m.outcome = 'quarantined' AND m.reviewed_at IS NULL",
        // Released ones too: they were quarantined, and say why.
        MailFilter::Quarantined => "m.reason IS NOT NULL",
        MailFilter::All => "1 = 1",
    };
    let sql =
        format!("{SELECT} WHERE {cond} AND ($1 IS NULL OR m.id < $1) ORDER BY m.id DESC LIMIT $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(before)
        .bind(limit)
        .fetch_all(p.read())
        .await?)
}

pub async fn get(p: &Pools, id: i64) -> Result<InboundMail> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE m.id = $1")))
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// The bytes of a quarantined message (none once it is released).
pub async fn raw(p: &Pools, id: i64) -> Result<Option<Vec<u8>>> {
    let raw: Option<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT raw FROM inbound_mail WHERE id = $1")
            .bind(id)
            .fetch_optional(p.read())
            .await?;
    raw.ok_or(StoreError::NotFound)
}

/// Marks a quarantined message reviewed and left as it is (spam, an
/// out-of-office answer); its bytes are kept for the record. A message
/// reviewed already, or not quarantined, is a conflict.
pub async fn dismiss(p: &Pools, actor: &AuditActor, reviewer: i64, id: i64) -> Result<()> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let done: Option<i64> = sqlx::query_scalar(
        "UPDATE inbound_mail SET review = 'dismissed', reviewed_by = $1, reviewed_at = $2 \
         WHERE id = $3 AND outcome = 'quarantined' AND review IS NULL RETURNING id",
    )
    .bind(reviewer)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if done.is_none() {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM inbound_mail WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match exists {
            None => StoreError::NotFound,
            Some(_) => StoreError::Conflict("the message was reviewed already".into()),
        });
    }
    let mut c = Changes::default();
    c.set("review", &"dismissed");
    let entry = Entry {
        actor,
        org_id: None,
        record_type: "mail",
        record_number: &mail_number(id),
        action: "dismiss",
        changes: &c,
    };
    super::write::append_entry(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(())
}
