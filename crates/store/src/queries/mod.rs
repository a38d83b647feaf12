//! The queries of the store, written once. This tree is compiled once per
//! backend: `super` is `crate::sqlite` or `crate::pg`, which supply `Db`, `Conn`,
//! `Pools` and the `dialect` module.

pub mod actions;
pub mod agreements;
pub mod articles;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod calendars;
pub mod complaints;
pub mod conformity;
pub mod evidence;
pub mod groups;
pub mod improvements;
pub mod incidents;
pub mod internal_audits;
pub use internal_audits::{audits, findings};
pub mod jobs;
pub mod mail_in;
pub mod meta;
pub mod nonconformities;
pub mod notifications;
pub mod offerings;
pub mod orgs;
pub mod problems;
pub mod records;
pub mod registers;
pub mod relationship;
pub mod requests;
pub mod reviews;
pub mod rollups;
pub mod satisfaction;
pub mod search;
pub mod service_reports;
pub mod services;
pub mod sla;
pub mod surveys;
pub mod users;
pub mod write;

use sqlx::AssertSqlSafe;
use steward_domain::audit::Changes;
use steward_domain::number::NumberKind;

use super::{Conn, Db, Pools, dialect};
use crate::{AuditActor, Result};

/// A value bound to a `$n` placeholder of a query built at run time.
#[derive(Debug, Clone)]
pub enum Arg {
    I64(i64),
    Text(String),
    Bool(bool),
    OptI64(Option<i64>),
    OptText(Option<String>),
    OptF64(Option<f64>),
    OptBool(Option<bool>),
}

/// Binds every argument of `$args` to the query `$q`, in order.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::OptI64(v) => q.bind(v),
                Arg::OptText(v) => q.bind(v),
                Arg::OptF64(v) => q.bind(v),
                Arg::OptBool(v) => q.bind(v),
            };
        }
        q
    }};
}

/// A new record that takes the next number of its kind, and the audit entry of
/// its creation. Incidents are created this way; services still take their
/// number with `dialect::next_number` inside a longer transaction.
pub struct NumberedInsert<'a> {
    pub kind: NumberKind,
    pub table: &'static str,
    /// The record's columns other than `number`, in the order of `args`.
    pub columns: &'a [&'a str],
    pub args: Vec<Arg>,
    pub actor: &'a AuditActor,
    pub org_id: Option<i64>,
    pub record_type: &'static str,
    pub action: &'a str,
    pub changes: &'a Changes,
    pub at: i64,
    /// Rows that belong to the new record, written with it.
    pub children: Vec<Child>,
}

/// A row written with a new numbered record, pointing at it by `parent_column`.
pub struct Child {
    pub table: &'static str,
    pub parent_column: &'static str,
    pub columns: &'static [&'static str],
    pub args: Vec<Arg>,
}

/// A [`NumberedInsert`] that owns its values, ready for the dialect's writer
/// (which on PostgreSQL may write it together with concurrent ones).
pub struct PreparedInsert {
    pub kind: NumberKind,
    pub table: &'static str,
    pub columns: Vec<String>,
    pub args: Vec<Arg>,
    /// The audit entry's values, in the order of [`audit::ENTRY_COLUMNS`]; its
    /// record number is the new record's.
    pub audit: Vec<Arg>,
    pub children: Vec<Child>,
}

impl NumberedInsert<'_> {
    pub fn prepare(self) -> PreparedInsert {
        PreparedInsert {
            kind: self.kind,
            table: self.table,
            columns: self.columns.iter().map(|c| (*c).to_owned()).collect(),
            args: self.args,
            audit: audit::entry_values(
                self.actor,
                self.org_id,
                self.record_type,
                self.action,
                self.changes,
                self.at,
            ),
            children: self.children,
        }
    }
}

/// Writes `ins` inside `conn`'s transaction and returns the new row's id and
/// number, with its audit entry and children (see `dialect::insert_numbered`).
pub async fn insert_numbered(conn: &mut Conn, ins: NumberedInsert<'_>) -> Result<(i64, String)> {
    dialect::insert_numbered(conn, &ins.prepare()).await
}

/// Writes `ins` as a write of its own, committed when this returns. On
/// PostgreSQL, concurrent writes of the same kind share one statement (group
/// insert); on SQLite, one transaction of the group commit.
pub async fn insert_numbered_alone(p: &Pools, ins: NumberedInsert<'_>) -> Result<(i64, String)> {
    dialect::insert_numbered_alone(p, ins.prepare()).await
}

/// A `LIKE ... ESCAPE '\'` pattern that finds `text` anywhere in a
/// lower-cased column, its own `%`, `_` and `\` taken literally.
pub fn contains_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Appends `WITH m (label, s, e, fs, fe) AS (VALUES ...)`: the months of a
/// report, each `(YYYY-MM, first ms, end ms)`, and the whole days inside it
/// (`rollups::whole_days`), to aggregate per month.
pub fn months_cte(q: &mut Sql, months: &[(String, i64, i64)]) {
    q.push("WITH m (label, s, e, fs, fe) AS (VALUES ");
    for (n, (label, s, e)) in months.iter().enumerate() {
        if n > 0 {
            q.push(", ");
        }
        let (fs, fe) = rollups::whole_days(*s, *e);
        q.push("(CAST(")
            .arg(Arg::Text(label.clone()))
            .push(" AS TEXT)");
        for v in [*s, *e, fs, fe] {
            q.push(", CAST(").arg(Arg::I64(v)).push(" AS BIGINT)");
        }
        q.push(")");
    }
    q.push(")");
}

/// A query assembled from fragments, with its arguments numbered as they are pushed.
#[derive(Debug, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, fragment: &str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    /// Binds `arg` to the next placeholder already written in the text.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self
    }

    /// Binds `arg` and appends its placeholder.
    pub fn arg(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        let n = self.args.len();
        self.text.push('$');
        self.text.push_str(&n.to_string());
        self
    }

    /// Binds `args` and appends their placeholders as a list: `($1, $2, ...)`.
    pub fn list(&mut self, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        self.text.push('(');
        for (n, a) in args.into_iter().enumerate() {
            if n > 0 {
                self.text.push_str(", ");
            }
            self.arg(a);
        }
        self.text.push(')');
        self
    }

    pub async fn fetch_all<'c, T, E>(self, executor: E) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
        E: sqlx::Executor<'c, Database = Db>,
    {
        let q = bind_args!(sqlx::query_as::<Db, T>(AssertSqlSafe(self.text)), self.args);
        Ok(q.fetch_all(executor).await?)
    }

    pub async fn fetch_one<'c, T, E>(self, executor: E) -> Result<T>
    where
        T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
        E: sqlx::Executor<'c, Database = Db>,
    {
        let q = bind_args!(sqlx::query_as::<Db, T>(AssertSqlSafe(self.text)), self.args);
        Ok(q.fetch_one(executor).await?)
    }

    pub async fn execute<'c, E>(self, executor: E) -> Result<u64>
    where
        E: sqlx::Executor<'c, Database = Db>,
    {
        let q = bind_args!(sqlx::query::<Db>(AssertSqlSafe(self.text)), self.args);
        Ok(q.execute(executor).await?.rows_affected())
    }

    pub async fn fetch_scalar<'c, E>(self, executor: E) -> Result<i64>
    where
        E: sqlx::Executor<'c, Database = Db>,
    {
        let q = bind_args!(
            sqlx::query_scalar::<Db, i64>(AssertSqlSafe(self.text)),
            self.args
        );
        Ok(q.fetch_one(executor).await?)
    }
}
