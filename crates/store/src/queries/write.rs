//! The one write path of versioned rows (ADR 0010 addendum). A change to a
//! row that carries a `version` sets its columns, moves its version and update
//! time on, and is finished by its audit entry, in the writer's transaction:
//! [`update`] returns a [`Written`] that only [`Written::audit`] consumes, and
//! no other statement of the store moves a version (the test
//! `only_the_write_path_moves_a_version` reads the sources to hold that).

use std::borrow::Cow;

use steward_domain::audit::Changes;

use super::super::Conn;
use super::audit::append;
use super::{Arg, Sql};
use crate::{AuditActor, Result, StoreError};

/// What a column becomes.
#[derive(Debug, Clone)]
pub enum Set {
    /// `column = value`.
    To(Cow<'static, str>, Arg),
    /// `column = COALESCE(column, value)`: set once, then kept.
    Once(Cow<'static, str>, Arg),
}

impl Set {
    pub fn to(column: impl Into<Cow<'static, str>>, value: Arg) -> Set {
        Set::To(column.into(), value)
    }

    pub fn once(column: impl Into<Cow<'static, str>>, value: Arg) -> Set {
        Set::Once(column.into(), value)
    }
}

/// The row a change is to: by its `id`, or by another unique column.
pub struct Row {
    table: &'static str,
    key: &'static str,
    value: Arg,
}

impl Row {
    pub fn id(table: &'static str, id: i64) -> Row {
        Row {
            table,
            key: "id",
            value: Arg::I64(id),
        }
    }

    pub fn keyed(table: &'static str, key: &'static str, value: Arg) -> Row {
        Row { table, key, value }
    }
}

/// The audit entry that finishes a change.
pub struct Entry<'a> {
    pub actor: &'a AuditActor,
    pub org_id: Option<i64>,
    pub record_type: &'a str,
    pub record_number: &'a str,
    pub action: &'a str,
    pub changes: &'a Changes,
}

/// A row changed but not yet audited: [`Written::audit`] finishes it. Dropped
/// instead, the compiler warns (an error under the project's lints).
#[must_use = "a change to a versioned row is finished by `Written::audit`"]
pub struct Written {
    at: i64,
}

impl Written {
    /// Appends the change's audit entry, at the time the row was written.
    pub async fn audit(self, conn: &mut Conn, e: Entry<'_>) -> Result<()> {
        append(
            conn,
            e.actor,
            e.org_id,
            e.record_type,
            e.record_number,
            e.action,
            e.changes,
            self.at,
        )
        .await
    }
}

/// Appends the audit entry of a write that moves no version (a creation, a
/// link, a file on a comment).
pub async fn append_entry(conn: &mut Conn, e: Entry<'_>, at: i64) -> Result<()> {
    Written { at }.audit(conn, e).await
}

/// Sets `set` on `row` and moves its version and update time on.
/// With `from_version` (the version of the row as the change was computed from
/// it), a row changed meanwhile is [`StoreError::Stale`] and nothing is written;
/// so is a row that does not exist, so callers find (and lock) the row first.
pub async fn update(
    conn: &mut Conn,
    row: Row,
    from_version: Option<i64>,
    set: Vec<Set>,
    at: i64,
) -> Result<Written> {
    let mut q = Sql::new(&format!("UPDATE {} SET ", row.table));
    for s in set {
        match s {
            Set::To(column, arg) => q.push(&column).push(" = ").arg(arg),
            Set::Once(column, arg) => q
                .push(&column)
                .push(" = COALESCE(")
                .push(&column)
                .push(", ")
                .arg(arg)
                .push(")"),
        };
        q.push(", ");
    }
    q.push("updated_at = ")
        .arg(Arg::I64(at))
        .push(", version = version + 1 WHERE ")
        .push(row.key)
        .push(" = ")
        .arg(row.value);
    if let Some(v) = from_version {
        q.push(" AND version = ").arg(Arg::I64(v));
    }
    match q.execute(&mut *conn).await? {
        0 if from_version.is_some() => Err(StoreError::Stale),
        0 => Err(StoreError::NotFound),
        _ => Ok(Written { at }),
    }
}

/// Sets a kind's own row (`table`, keyed by `record_id`) to `args`, in the
/// order of `columns`: only within its record's change (`written`), whose
/// version stands for both.
pub async fn own_row(
    conn: &mut Conn,
    _written: &Written,
    table: &str,
    record_id: i64,
    columns: &[&str],
    args: Vec<Arg>,
) -> Result<()> {
    let mut q = Sql::new(&format!("UPDATE {table} SET "));
    for (i, (column, arg)) in columns.iter().zip(args).enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push(column).push(" = ").arg(arg);
    }
    q.push(" WHERE record_id = ").arg(Arg::I64(record_id));
    match q.execute(conn).await? {
        0 => Err(StoreError::Corrupt(format!(
            "work record {record_id} has no row in {table}"
        ))),
        _ => Ok(()),
    }
}

/// [`update`] and its audit entry at once, for a change that learns nothing
/// from the written row before its entry.
pub async fn apply(
    conn: &mut Conn,
    row: Row,
    from_version: Option<i64>,
    set: Vec<Set>,
    at: i64,
    entry: Entry<'_>,
) -> Result<()> {
    update(&mut *conn, row, from_version, set, at)
        .await?
        .audit(conn, entry)
        .await
}

#[cfg(test)]
mod tests {
    /// Every statement that moves a `version` is in this file: a versioned
    /// row cannot be changed without its audit entry.
    #[test]
    fn only_the_write_path_moves_a_version() {
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("source folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 20, "the store's sources: {files:?}");
        let offenders: Vec<_> = files
            .iter()
            .filter(|p| !p.ends_with("queries/write.rs"))
            .filter(|p| {
                let text = std::fs::read_to_string(p).expect("source");
                let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                flat.contains("version=version+1") || flat.contains(".version+1")
            })
            .collect();
        assert!(
            offenders.is_empty(),
            "versions moved outside write.rs: {offenders:?}"
        );
    }
}
