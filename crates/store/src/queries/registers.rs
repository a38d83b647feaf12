//! The SMS registers (context, parties, roles, risks, objectives, plan,
//! training, communication, documents): one table, one set of queries. Which
//! columns a register uses comes from its fields in `steward_domain::register`.

use std::collections::BTreeMap;

use sqlx::{AssertSqlSafe, Row};
use steward_domain::audit::Changes;
use steward_domain::number::NumberKind;
use steward_domain::register::{Field, FieldType, Register};

use super::super::{Conn, Db, Pools};
use super::audit::append;
use super::write::{self, Entry, Row as WriteRow, Set};
use super::{Arg, NumberedInsert, Sql, insert_numbered};
use crate::{
    AuditActor, FieldValue, RecordFile, RecordWrite, Result, SmsLink, SmsRecord, StoreError, now_ms,
};

/// The users a record names in its own columns: `SELECT` joins each.
#[cfg(test)]
const USER_COLUMNS: [&str; 3] = ["owner", "person", "reviewer"];

const SELECT: &str = "SELECT r.*, \
    owner.email AS owner_email, owner.name AS owner_name, \
    person.email AS person_email, person.name AS person_name, \
    reviewer.email AS reviewer_email, reviewer.name AS reviewer_name, \
    approver.name AS approved_by_name \
    FROM sms_records r \
    LEFT JOIN users owner ON owner.id = r.owner_id \
    LEFT JOIN users person ON person.id = r.person_id \
    LEFT JOIN users reviewer ON reviewer.id = r.reviewer_id \
    LEFT JOIN users approver ON approver.id = r.approved_by";

/// The column that keeps a scalar field.
pub fn column(f: &Field) -> String {
    if f.ty == FieldType::User {
        format!("{}_id", f.name)
    } else {
        f.name.to_owned()
    }
}

fn decode(row: &<Db as sqlx::Database>::Row, register: Register) -> Result<SmsRecord> {
    let mut values = BTreeMap::new();
    for f in register.fields() {
        let v = match f.ty {
            FieldType::Links(_) | FieldType::Raci => continue,
            FieldType::User => match row.try_get::<Option<i64>, _>(column(f).as_str())? {
                Some(id) => FieldValue::User {
                    id,
                    email: row.try_get(format!("{}_email", f.name).as_str())?,
                    name: row.try_get(format!("{}_name", f.name).as_str())?,
                },
                None => FieldValue::Null,
            },
            FieldType::Score | FieldType::Months => row
                .try_get::<Option<i64>, _>(f.name)?
                .map_or(FieldValue::Null, FieldValue::Int),
            FieldType::Number => row
                .try_get::<Option<f64>, _>(f.name)?
                .map_or(FieldValue::Null, FieldValue::Real),
            _ => row
                .try_get::<Option<String>, _>(f.name)?
                .map_or(FieldValue::Null, FieldValue::Text),
        };
        values.insert(f.name.to_owned(), v);
    }
    Ok(SmsRecord {
        id: row.try_get("id")?,
        register,
        number: row.try_get("number")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        status: row.try_get("status")?,
        values,
        links: Vec::new(),
        doc_version: row.try_get("doc_version")?,
        approved_version: row.try_get("approved_version")?,
        approved_by_name: row.try_get("approved_by_name")?,
        approved_at: row.try_get("approved_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

/// The links of `records`, in one query, attached to each.
async fn attach_links<'c, E>(executor: E, records: &mut [SmsRecord]) -> Result<()>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    if records.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new(
        "SELECT l.record_id, l.field, l.target_type, l.target_id, \
         COALESCE(u.email, s.number, t.number, l.target_key, '') AS target_key, \
         COALESCE(u.name, s.name, t.title, l.target_key, '') AS label, l.value \
         FROM sms_links l \
         LEFT JOIN users u ON l.target_type = 'user' AND u.id = l.target_id \
         LEFT JOIN services s ON l.target_type = 'service' AND s.id = l.target_id \
         LEFT JOIN sms_records t ON l.target_type = 'record' AND t.id = l.target_id \
         WHERE l.record_id IN (",
    );
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.arg(Arg::I64(r.id));
    }
    q.push(") ORDER BY l.record_id, l.field, 6");
    let links: Vec<(i64, SmsLink)> = q
        .fetch_all::<LinkRow, _>(executor)
        .await?
        .into_iter()
        .map(|l| {
            (
                l.record_id,
                SmsLink {
                    field: l.field,
                    target_type: l.target_type,
                    target_id: l.target_id,
                    key: l.target_key,
                    label: l.label,
                    value: l.value,
                },
            )
        })
        .collect();
    for r in records.iter_mut() {
        r.links = links
            .iter()
            .filter(|(id, _)| *id == r.id)
            .map(|(_, l)| l.clone())
            .collect();
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    record_id: i64,
    field: String,
    target_type: String,
    target_id: Option<i64>,
    target_key: String,
    label: String,
    value: Option<String>,
}

async fn load(conn: &mut Conn, id: i64, register: Register) -> Result<SmsRecord> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let mut r = [decode(&row, register)?];
    attach_links(&mut *conn, &mut r).await?;
    let [r] = r;
    Ok(r)
}

/// One record by its number.
pub async fn get(p: &Pools, register: Register, number: &str) -> Result<SmsRecord> {
    let sql = format!("{SELECT} WHERE r.kind = $1 AND r.number = $2");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(register.kind())
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut r = [decode(&row, register)?];
    attach_links(p.read(), &mut r).await?;
    let [r] = r;
    Ok(r)
}

/// A page of a register in number order, after the record `after` (keyset).
pub async fn list(
    p: &Pools,
    register: Register,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<SmsRecord>> {
    let sql = format!("{SELECT} WHERE r.kind = $1 AND r.id > $2 ORDER BY r.id LIMIT $3");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(register.kind())
        .bind(after.unwrap_or(0))
        .bind(limit)
        .fetch_all(p.read())
        .await?;
    let mut out = rows
        .iter()
        .map(|r| decode(r, register))
        .collect::<Result<Vec<_>>>()?;
    attach_links(p.read(), &mut out).await?;
    Ok(out)
}

/// The id of a record by number, for links.
pub async fn id_of(p: &Pools, register: Register, number: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM sms_records WHERE kind = $1 AND number = $2")
            .bind(register.kind())
            .bind(number)
            .fetch_optional(p.read())
            .await?,
    )
}

fn scalar_args(w: &RecordWrite) -> (Vec<String>, Vec<Arg>) {
    let mut columns = vec![
        "title".to_owned(),
        "description".to_owned(),
        "status".to_owned(),
    ];
    let mut args = vec![
        Arg::Text(w.title.clone()),
        Arg::Text(w.description.clone()),
        Arg::Text(w.status.clone()),
    ];
    for f in w.register.fields().iter().filter(|f| !f.is_link()) {
        columns.push(column(f));
        args.push(match w.values.get(f.name) {
            Some(FieldValue::Int(v)) => Arg::OptI64(Some(*v)),
            Some(FieldValue::Real(v)) => Arg::OptF64(Some(*v)),
            Some(FieldValue::Text(v)) => Arg::OptText(Some(v.clone())),
            Some(FieldValue::User { id, .. }) => Arg::OptI64(Some(*id)),
            Some(FieldValue::Null) | None => match f.ty {
                FieldType::Number => Arg::OptF64(None),
                FieldType::User | FieldType::Score | FieldType::Months => Arg::OptI64(None),
                _ => Arg::OptText(None),
            },
        });
    }
    (columns, args)
}

async fn write_links(conn: &mut Conn, id: i64, w: &RecordWrite) -> Result<()> {
    sqlx::query("DELETE FROM sms_links WHERE record_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for l in &w.links {
        sqlx::query(
            "INSERT INTO sms_links (record_id, field, target_type, target_id, target_key, value) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&l.field)
        .bind(&l.target_type)
        .bind(l.target_id)
        .bind((l.target_type == "process").then_some(&l.key))
        .bind(&l.value)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn create(p: &Pools, actor: &AuditActor, w: &RecordWrite) -> Result<SmsRecord> {
    let now = now_ms();
    let (mut columns, mut args) = scalar_args(w);
    columns.extend(["kind".to_owned(), "created_at".into(), "updated_at".into()]);
    args.extend([
        Arg::Text(w.register.kind().to_owned()),
        Arg::I64(now),
        Arg::I64(now),
    ]);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut tx = p.begin().await?;
    let (id, _) = insert_numbered(
        &mut tx,
        NumberedInsert {
            kind: NumberKind::Record(w.register),
            table: "sms_records",
            columns: &columns,
            args,
            actor,
            org_id: None,
            record_type: w.register.kind(),
            action: "create",
            changes: &w.changes,
            at: now,
            children: Vec::new(),
        },
    )
    .await?;
    write_links(&mut tx, id, w).await?;
    let r = load(&mut tx, id, w.register).await?;
    tx.commit().await?;
    Ok(r)
}

/// Locks the record for a change and checks the expected version.
async fn lock(
    conn: &mut Conn,
    register: Register,
    number: &str,
    expected_version: Option<i64>,
) -> Result<(i64, i64)> {
    let sql = format!(
        "SELECT id, version FROM sms_records WHERE kind = $1 AND number = $2{}",
        super::super::dialect::FOR_UPDATE
    );
    let (id, version): (i64, i64) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(register.kind())
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if expected_version.is_some_and(|v| v != version) {
        return Err(StoreError::Stale);
    }
    Ok((id, version))
}

pub async fn update(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    w: &RecordWrite,
) -> Result<SmsRecord> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let (id, version) = lock(&mut tx, w.register, number, expected_version).await?;
    if w.changes.is_empty() {
        return load(&mut tx, id, w.register).await;
    }
    let (columns, args) = scalar_args(w);
    let set = columns
        .into_iter()
        .zip(args)
        .map(|(c, a)| Set::to(c, a))
        .collect();
    let entry = Entry {
        actor,
        org_id: None,
        record_type: w.register.kind(),
        record_number: number,
        action: "update",
        changes: &w.changes,
    };
    let row = WriteRow::id("sms_records", id);
    write::apply(&mut tx, row, Some(version), set, now, entry).await?;
    write_links(&mut tx, id, w).await?;
    let r = load(&mut tx, id, w.register).await?;
    tx.commit().await?;
    Ok(r)
}

/// A step of a document's workflow: its new status, and on approval the
/// approved version's text; on revision the next version number.
pub async fn document_step(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    step: &str,
    new_status: &str,
) -> Result<SmsRecord> {
    let now = now_ms();
    let register = Register::Documents;
    let mut tx = p.begin().await?;
    let (id, version) = lock(&mut tx, register, number, expected_version).await?;
    let before = load(&mut tx, id, register).await?;
    let mut c = Changes::default();
    c.diff("status", &before.status, &new_status.to_owned());
    match step {
        "approve" => {
            sqlx::query(
                "UPDATE sms_records SET approved_version = doc_version, approved_by = $1, \
                 approved_at = $2 WHERE id = $3",
            )
            .bind(actor.user_id)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO document_versions (record_id, version_no, body, approved_by, approved_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(before.doc_version)
            .bind(&before.description)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            c.set("approved_version", &before.doc_version);
        }
        "revise" => {
            sqlx::query("UPDATE sms_records SET doc_version = doc_version + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            c.diff(
                "doc_version",
                &before.doc_version,
                &(before.doc_version + 1),
            );
        }
        _ => {}
    }
    let entry = Entry {
        actor,
        org_id: None,
        record_type: register.kind(),
        record_number: number,
        action: step,
        changes: &c,
    };
    let set = vec![Set::to("status", Arg::Text(new_status.to_owned()))];
    let row = WriteRow::id("sms_records", id);
    write::apply(&mut tx, row, Some(version), set, now, entry).await?;
    let r = load(&mut tx, id, register).await?;
    tx.commit().await?;
    Ok(r)
}

/// Records that `user_id` has read the approved version of a document; a
/// second acknowledgement of the same version changes nothing.
pub async fn acknowledge(
    p: &Pools,
    actor: &AuditActor,
    record: &SmsRecord,
    version_no: i64,
    user_id: i64,
) -> Result<bool> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let added = sqlx::query(
        "INSERT INTO document_acks (record_id, version_no, user_id, acknowledged_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(record.id)
    .bind(version_no)
    .bind(user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if added {
        let mut c = Changes::default();
        c.set("acknowledged_version", &version_no);
        append(
            &mut tx,
            actor,
            None,
            "document",
            &record.number,
            "acknowledge",
            &c,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// Who acknowledged a version of a document: (user id, name, when).
pub async fn acknowledgements(
    p: &Pools,
    record_id: i64,
    version_no: i64,
) -> Result<Vec<(i64, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT a.user_id, u.name, a.acknowledged_at FROM document_acks a \
         JOIN users u ON u.id = a.user_id WHERE a.record_id = $1 AND a.version_no = $2 \
         ORDER BY lower(u.name)",
    )
    .bind(record_id)
    .bind(version_no)
    .fetch_all(p.read())
    .await?)
}

/// The approved versions of a document, newest first: (version, approver, when).
pub async fn document_versions(
    p: &Pools,
    record_id: i64,
) -> Result<Vec<(i64, Option<String>, i64)>> {
    Ok(sqlx::query_as(
        "SELECT v.version_no, u.name, v.approved_at FROM document_versions v \
         LEFT JOIN users u ON u.id = v.approved_by WHERE v.record_id = $1 \
         ORDER BY v.version_no DESC",
    )
    .bind(record_id)
    .fetch_all(p.read())
    .await?)
}

const FILE_COLUMNS: &str = "f.id, f.record_id, f.version_no, f.file_name, f.content_type, \
    f.size, f.sha256, f.storage_key, u.name AS uploaded_by_name, f.created_at";

/// Adds a file to a record (a document's current version) or, without a
/// record, to the evidence store.
pub async fn add_file(
    p: &Pools,
    actor: &AuditActor,
    record: Option<&SmsRecord>,
    f: &crate::NewAttachment,
) -> Result<RecordFile> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO record_files (record_id, version_no, file_name, content_type, size, sha256, \
         storage_key, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(record.map(|r| r.id))
    .bind(record.map(|r| r.doc_version))
    .bind(&f.file_name)
    .bind(&f.content_type)
    .bind(f.size)
    .bind(&f.sha256)
    .bind(&f.storage_key)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(r) = record {
        let mut c = Changes::default();
        c.set("file", &f.file_name);
        append(
            &mut tx,
            actor,
            None,
            r.register.kind(),
            &r.number,
            "attach",
            &c,
            now,
        )
        .await?;
    }
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM record_files f LEFT JOIN users u ON u.id = f.uploaded_by \
         WHERE f.id = $1"
    );
    let file = sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(file)
}

pub async fn files(p: &Pools, record_id: i64) -> Result<Vec<RecordFile>> {
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM record_files f LEFT JOIN users u ON u.id = f.uploaded_by \
         WHERE f.record_id = $1 ORDER BY f.id"
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(record_id)
        .fetch_all(p.read())
        .await?)
}

pub async fn file(p: &Pools, id: i64) -> Result<RecordFile> {
    let sql = format!(
        "SELECT {FILE_COLUMNS} FROM record_files f LEFT JOIN users u ON u.id = f.uploaded_by \
         WHERE f.id = $1"
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// How many records each register holds: (kind, count).
pub async fn counts(p: &Pools) -> Result<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT kind, COUNT(*) FROM sms_records GROUP BY kind")
            .fetch_all(p.read())
            .await?,
    )
}

/// Risks counted per likelihood and impact (open risks), for the heat map.
pub async fn risk_matrix(p: &Pools) -> Result<Vec<(i64, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT likelihood, impact, COUNT(*) FROM sms_records \
         WHERE kind = 'risk' AND status = 'open' AND likelihood IS NOT NULL AND impact IS NOT NULL \
         GROUP BY likelihood, impact",
    )
    .fetch_all(p.read())
    .await?)
}

/// Sets the recorded value of objectives measured by Steward, and keeps one
/// value per objective per day as its history.
/// With `current` false, only the history is written (a past day's value).
pub async fn record_objective_values(
    p: &Pools,
    day: &str,
    values: &[(i64, f64)],
    current: bool,
) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    let mut tx = p.begin().await?;
    for (id, v) in values {
        if current {
            sqlx::query("UPDATE sms_records SET actual = $1 WHERE id = $2 AND kind = 'objective'")
                .bind(v)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO objective_values (record_id, day, value) VALUES ($1, $2, $3) \
             ON CONFLICT (record_id, day) DO UPDATE SET value = excluded.value",
        )
        .bind(id)
        .bind(day)
        .bind(v)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An objective's recorded values, oldest first: (day, value).
pub async fn objective_history(p: &Pools, record_id: i64) -> Result<Vec<(String, f64)>> {
    Ok(
        sqlx::query_as("SELECT day, value FROM objective_values WHERE record_id = $1 ORDER BY day")
            .bind(record_id)
            .fetch_all(p.read())
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_user_field_is_joined_by_the_select() {
        for r in Register::ALL {
            for f in r.fields().iter().filter(|f| f.ty == FieldType::User) {
                assert!(USER_COLUMNS.contains(&f.name), "{:?}.{}", r, f.name);
                assert!(SELECT.contains(&format!("{}.email AS {}_email", f.name, f.name)));
            }
        }
    }
}
