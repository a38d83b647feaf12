//! Group insert for PostgreSQL: numbered records created at the same time
//! (incidents from many API clients) are written by one statement, so that the
//! database parses, plans and commits once for the whole batch. See ADR 0008.
//!
//! A request hands its prepared row to a small set of writer tasks and waits
//! for the outcome; it is acknowledged only after the statement that holds its
//! row has committed. A writer takes whatever is waiting when it becomes free,
//! so a lone request is written at once and batches grow only under load. When
//! a batch fails (one bad row fails the whole statement), each of its rows is
//! written again on its own, so that one request's error never becomes
//! another's.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::AssertSqlSafe;
use sqlx::postgres::{PgArguments, PgPool};
use sqlx::query::QueryAs;
use tokio::sync::{mpsc, oneshot};

use crate::pg::q::audit::ENTRY_COLUMNS as AUDIT_COLUMNS;
use crate::pg::q::{Arg, PreparedInsert};
use crate::pg::{Conn, Db};
use crate::{Result, StoreError};

/// Rows per statement at most: a batch of incidents binds one array per
/// column, so the size only bounds the statement's memory and latency.
const MAX_BATCH: usize = 128;

/// Writer tasks, each with one statement in flight. Measured at 32 clients on
/// two cores (docs/performance.md): one writer leaves the database idle while
/// its commit waits for the disk; eight make batches of two and cost as much
/// CPU as no batching; four were best.
const WRITERS: usize = 4;

type Outcome = Result<(i64, String)>;

struct Job {
    row: PreparedInsert,
    done: oneshot::Sender<Outcome>,
}

type Queue = Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Job>>>;

/// The writers' queue, started on first use in the runtime that uses it.
#[derive(Default)]
pub struct Batcher {
    queue: Mutex<Option<mpsc::UnboundedSender<Job>>>,
}

impl Batcher {
    /// Writes `row` with the rows that arrive with it; returns once committed.
    pub async fn insert(&self, pool: &PgPool, row: PreparedInsert) -> Outcome {
        let (done, outcome) = oneshot::channel();
        let mut job = Job { row, done };
        // A queue whose writers are gone (their runtime ended) is replaced once.
        for _ in 0..2 {
            match self.sender(pool).send(job) {
                Ok(()) => {
                    return outcome
                        .await
                        .unwrap_or(Err(StoreError::Database(sqlx::Error::WorkerCrashed)));
                }
                Err(mpsc::error::SendError(back)) => {
                    job = back;
                    *self.queue.lock().unwrap_or_else(PoisonError::into_inner) = None;
                }
            }
        }
        Err(StoreError::Database(sqlx::Error::WorkerCrashed))
    }

    fn sender(&self, pool: &PgPool) -> mpsc::UnboundedSender<Job> {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tx) = queue.as_ref().filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let rx: Queue = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..WRITERS {
            tokio::spawn(writer(pool.clone(), rx.clone()));
        }
        *queue = Some(tx.clone());
        tx
    }
}

async fn writer(pool: PgPool, queue: Queue) {
    loop {
        let mut jobs = Vec::new();
        {
            let mut rx = queue.lock().await;
            match rx.recv().await {
                Some(job) => jobs.push(job),
                None => return,
            }
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
        }
        // Rows of different tables, columns or number kinds (prefixes) cannot
        // share a statement.
        let mut shapes: BTreeMap<(&'static str, &'static str, String), Vec<Job>> = BTreeMap::new();
        for job in jobs {
            let key = (
                job.row.table,
                job.row.kind.prefix(),
                job.row.columns.join(","),
            );
            shapes.entry(key).or_default().push(job);
        }
        for (_, jobs) in shapes {
            write_batch(&pool, jobs).await;
        }
    }
}

async fn write_batch(pool: &PgPool, jobs: Vec<Job>) {
    let rows: Vec<&PreparedInsert> = jobs.iter().map(|j| &j.row).collect();
    let written = match pool.acquire().await {
        Ok(mut conn) => insert_rows(&mut conn, &rows).await,
        Err(e) => Err(e.into()),
    };
    match written {
        Ok(ids) => {
            for (job, id) in jobs.into_iter().zip(ids) {
                let _ = job.done.send(Ok(id));
            }
        }
        Err(e) if jobs.len() == 1 => {
            let _ = jobs.into_iter().next().map(|j| j.done.send(Err(e)));
        }
        Err(_) => {
            for job in jobs {
                let outcome = match pool.acquire().await {
                    Ok(mut conn) => insert_rows(&mut conn, &[&job.row])
                        .await
                        .map(|mut ids| ids.remove(0)),
                    Err(e) => Err(e.into()),
                };
                let _ = job.done.send(outcome);
            }
        }
    }
}

/// A column of values bound as one array parameter.
enum Column {
    I64(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
    F64(Vec<Option<f64>>),
}

impl Column {
    /// The column of the `j`th value of every row; all must be of one type.
    fn of<'a>(values: impl Iterator<Item = &'a Arg>) -> Result<Column> {
        let mut values = values.peekable();
        let mut col = match values.peek() {
            Some(Arg::I64(_) | Arg::OptI64(_)) | None => Column::I64(Vec::new()),
            Some(Arg::Text(_) | Arg::OptText(_)) => Column::Text(Vec::new()),
            Some(Arg::Bool(_) | Arg::OptBool(_)) => Column::Bool(Vec::new()),
            Some(Arg::OptF64(_)) => Column::F64(Vec::new()),
        };
        for v in values {
            match (&mut col, v) {
                (Column::I64(c), Arg::I64(v)) => c.push(Some(*v)),
                (Column::I64(c), Arg::OptI64(v)) => c.push(*v),
                (Column::Text(c), Arg::Text(v)) => c.push(Some(v.clone())),
                (Column::Text(c), Arg::OptText(v)) => c.push(v.clone()),
                (Column::Bool(c), Arg::Bool(v)) => c.push(Some(*v)),
                (Column::Bool(c), Arg::OptBool(v)) => c.push(*v),
                (Column::F64(c), Arg::OptF64(v)) => c.push(*v),
                _ => {
                    return Err(StoreError::Database(sqlx::Error::Protocol(
                        "rows of one insert disagree on a column's type".into(),
                    )));
                }
            }
        }
        Ok(col)
    }

    fn sql_type(&self) -> &'static str {
        match self {
            Column::I64(_) => "int8[]",
            Column::Text(_) => "text[]",
            Column::Bool(_) => "bool[]",
            Column::F64(_) => "float8[]",
        }
    }

    fn bind<'q>(
        self,
        q: QueryAs<'q, Db, (i64, i64, String), PgArguments>,
    ) -> QueryAs<'q, Db, (i64, i64, String), PgArguments> {
        match self {
            Column::I64(v) => q.bind(v),
            Column::Text(v) => q.bind(v),
            Column::Bool(v) => q.bind(v),
            Column::F64(v) => q.bind(v),
        }
    }
}

/// The array parameters of one statement, in the order of their placeholders.
#[derive(Default)]
struct Statement {
    params: Vec<Column>,
}

impl Statement {
    /// `unnest(...) WITH ORDINALITY AS alias(ord, x0, x1, ...)` over `columns`.
    fn unnest(&mut self, alias: &str, ords: Option<Column>, columns: Vec<Column>) -> String {
        let mut arrays = Vec::new();
        let mut names = Vec::new();
        let given = ords.is_some();
        if let Some(ords) = ords {
            names.push("ord".to_owned());
            arrays.push(self.param(ords));
        }
        for (j, c) in columns.into_iter().enumerate() {
            names.push(format!("x{j}"));
            arrays.push(self.param(c));
        }
        let ordinality = if given {
            ""
        } else {
            names.push("ord".to_owned());
            " WITH ORDINALITY"
        };
        format!(
            "unnest({}){ordinality} AS {alias}({})",
            arrays.join(", "),
            names.join(", ")
        )
    }

    fn param(&mut self, c: Column) -> String {
        let ty = c.sql_type();
        self.params.push(c);
        format!("${}::{ty}", self.params.len())
    }
}

/// A kind of child row: its table, the column that points at the parent, and
/// its other columns.
type ChildKind<'a> = (&'a str, &'a str, String);

/// Writes `rows` (all of one table and columns) with their numbers, audit
/// entries and children in one statement, and returns each row's id and
/// number, in the order of `rows`.
pub async fn insert_rows(conn: &mut Conn, rows: &[&PreparedInsert]) -> Result<Vec<(i64, String)>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let mut st = Statement::default();
    let width = first.args.len();
    if rows
        .iter()
        .any(|r| r.args.len() != width || r.audit.len() != AUDIT_COLUMNS.len())
    {
        return Err(StoreError::Database(sqlx::Error::Protocol(
            "rows of one insert disagree on their columns".into(),
        )));
    }
    let mut columns = Vec::with_capacity(width + AUDIT_COLUMNS.len());
    for j in 0..width {
        columns.push(Column::of(rows.iter().map(|r| &r.args[j]))?);
    }
    for j in 0..AUDIT_COLUMNS.len() {
        columns.push(Column::of(rows.iter().map(|r| &r.audit[j]))?);
    }
    let values = st.unnest("w", None, columns);
    let record: Vec<String> = (0..width).map(|j| format!("v.x{j}")).collect();
    let audit: Vec<String> = (width..width + AUDIT_COLUMNS.len())
        .map(|j| format!("v.x{j}"))
        .collect();
    let prefix = first.kind.prefix();
    let sequence = format!("number_{}", prefix.to_ascii_lowercase());
    // Each row takes its id (from the table's identity sequence) and its
    // number here, in arrival order (PostgreSQL evaluates volatile outputs
    // after the sort), so that the record, its audit entry and its children
    // are all written from `v` without joining what was inserted. The ORDER BY
    // also keeps the inner query from being folded into `v`, where `s.n`,
    // used three times, would call nextval three times per row.
    let mut sql = format!(
        "WITH v AS (SELECT s.*, {number} AS number FROM (SELECT w.*, nextval('{table}_id_seq') AS id, \
         nextval('{sequence}') AS n FROM {values} ORDER BY w.ord) s), \
         r AS (INSERT INTO {table} (id, number, {cols}) SELECT v.id, v.number, {record} FROM v), \
         a AS (INSERT INTO audit_log (record_number, {audit_cols}) SELECT v.number, {audit} FROM v)",
        number = first.kind.sql_format("s.n"),
        table = first.table,
        cols = first.columns.join(", "),
        record = record.join(", "),
        audit_cols = AUDIT_COLUMNS.join(", "),
        audit = audit.join(", "),
    );
    // Children, one part per kind of child row, each pointing at its parent by
    // the parent's position in `rows`.
    let mut kinds: BTreeMap<ChildKind, Vec<(i64, &[Arg])>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        for c in &row.children {
            kinds
                .entry((c.table, c.parent_column, c.columns.join(", ")))
                .or_default()
                .push((i as i64 + 1, &c.args));
        }
    }
    for (n, ((table, parent, cols), children)) in kinds.into_iter().enumerate() {
        let width = children[0].1.len();
        if children.iter().any(|(_, a)| a.len() != width) {
            return Err(StoreError::Database(sqlx::Error::Protocol(
                "child rows of one insert disagree on their columns".into(),
            )));
        }
        let ords = Column::I64(children.iter().map(|(o, _)| Some(*o)).collect());
        let mut columns = Vec::with_capacity(width);
        for j in 0..width {
            columns.push(Column::of(children.iter().map(|(_, a)| &a[j]))?);
        }
        let alias = format!("y{n}");
        let source = st.unnest(&alias, Some(ords), columns);
        let picked: Vec<String> = (0..width).map(|j| format!("{alias}.x{j}")).collect();
        sql.push_str(&format!(
            ", c{n} AS (INSERT INTO {table} ({parent}, {cols}) SELECT v.id, {} \
             FROM {source} JOIN v USING (ord))",
            picked.join(", ")
        ));
    }
    sql.push_str(" SELECT v.ord, v.id, v.number FROM v");
    let mut q = sqlx::query_as::<Db, (i64, i64, String)>(AssertSqlSafe(sql));
    for c in st.params {
        q = c.bind(q);
    }
    let mut written = q.fetch_all(&mut *conn).await?;
    if written.len() != rows.len() {
        return Err(StoreError::Database(sqlx::Error::RowNotFound));
    }
    written.sort_unstable_by_key(|(ord, _, _)| *ord);
    Ok(written.into_iter().map(|(_, id, n)| (id, n)).collect())
}
