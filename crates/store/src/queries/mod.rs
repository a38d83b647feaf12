//! The queries of the store, written once. This tree is compiled once per
//! backend: `super` is `crate::sqlite` or `crate::pg`, which supply `Db`, `Conn`,
//! `Pools` and the `dialect` module.

pub mod agreements;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod calendars;
pub mod conformity;
pub mod evidence;
pub mod groups;
pub mod incidents;
pub mod jobs;
pub mod meta;
pub mod notifications;
pub mod orgs;
pub mod registers;
pub mod services;
pub mod sla;
pub mod users;

use sqlx::AssertSqlSafe;
use steward_domain::audit::Changes;
use steward_domain::number::NumberKind;

use super::{Conn, Db, dialect};
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

/// Writes `ins` inside `conn`'s transaction and returns the new row's id and
/// number. On PostgreSQL this is one statement (sequence, insert and audit entry
/// in a data-modifying `WITH`), so that it is atomic even without a transaction;
/// on SQLite, which has no such statement, the number comes from a counter row
/// under the single writer.
pub async fn insert_numbered(conn: &mut Conn, ins: NumberedInsert<'_>) -> Result<(i64, String)> {
    let n = ins.args.len();
    let list = |from: usize| {
        (from..from + n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let columns = ins.columns.join(", ");
    let audit_args = [
        Arg::I64(ins.at),
        Arg::OptI64(ins.actor.user_id),
        Arg::Text(ins.actor.label.clone()),
        Arg::OptI64(ins.org_id),
        Arg::Text(ins.record_type.to_owned()),
        Arg::Text(ins.action.to_owned()),
        Arg::Text(ins.changes.to_json()),
    ];
    if let Some(next) = dialect::next_number_expr(ins.kind) {
        let a = n + 1;
        let (prefix, width) = (ins.kind.prefix(), ins.kind.width());
        // Each child is one more data-modifying part of the same statement.
        let mut next_arg = a + 7;
        let mut children = String::new();
        for (k, c) in ins.children.iter().enumerate() {
            let values = (next_arg..next_arg + c.args.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            next_arg += c.args.len();
            children.push_str(&format!(
                ", c{k} AS (INSERT INTO {} ({}, {}) SELECT r.id, {values} FROM r)",
                c.table,
                c.parent_column,
                c.columns.join(", ")
            ));
        }
        let sql = format!(
            "WITH n AS (SELECT {next} AS v), \
             r AS (INSERT INTO {table} (number, {columns}) \
             SELECT '{prefix}-' || lpad(v::text, greatest({width}, length(v::text)), '0'), {values} \
             FROM n RETURNING id, number), \
             a AS (INSERT INTO audit_log (occurred_at, actor_id, actor_label, org_id, record_type, \
             record_number, action, changes) \
             SELECT ${a}, ${}, ${}, ${}, ${}, r.number, ${}, ${} FROM r){children} \
             SELECT id, number FROM r",
            a + 1,
            a + 2,
            a + 3,
            a + 4,
            a + 5,
            a + 6,
            table = ins.table,
            values = list(1),
        );
        let q = sqlx::query_as::<Db, (i64, String)>(AssertSqlSafe(sql));
        let child_args = ins.children.into_iter().flat_map(|c| c.args);
        let q = bind_args!(q, ins.args.into_iter().chain(audit_args).chain(child_args));
        return Ok(q.fetch_one(conn).await?);
    }
    let number = ins
        .kind
        .format(dialect::next_number(&mut *conn, ins.kind).await?);
    let sql = format!(
        "INSERT INTO {} (number, {columns}) VALUES ($1, {}) RETURNING id",
        ins.table,
        list(2)
    );
    let q = sqlx::query_scalar::<Db, i64>(AssertSqlSafe(sql)).bind(&number);
    let id = bind_args!(q, ins.args).fetch_one(&mut *conn).await?;
    audit::append(
        conn,
        ins.actor,
        ins.org_id,
        ins.record_type,
        &number,
        ins.action,
        ins.changes,
        ins.at,
    )
    .await?;
    for c in ins.children {
        let sql = format!(
            "INSERT INTO {} ({}, {}) VALUES ($1, {})",
            c.table,
            c.parent_column,
            c.columns.join(", "),
            (2..2 + c.args.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let q = sqlx::query::<Db>(AssertSqlSafe(sql)).bind(id);
        bind_args!(q, c.args).execute(&mut *conn).await?;
    }
    Ok((id, number))
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

    /// Binds `arg` and appends its placeholder.
    pub fn arg(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        let n = self.args.len();
        self.text.push('$');
        self.text.push_str(&n.to_string());
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
