//! The SQLite backend: one writer connection whose transactions are shared by
//! concurrent writes (group commit), a pool of readers, WAL, `synchronous=FULL`
//! unless configured otherwise.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

use crate::{Result, StoreOptions};

pub type Db = sqlx::Sqlite;
pub type Conn = sqlx::SqliteConnection;

#[derive(Clone)]
pub struct Pools {
    pub writer: crate::group_commit::Writer,
    pub read: SqlitePool,
    options: SqliteConnectOptions,
    /// `StoreOptions::notifications`.
    pub notify: bool,
}

impl Pools {
    pub async fn connect(url: &str, o: &StoreOptions) -> Result<Pools> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(if o.sqlite_full_sync {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            })
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // Create the file (and switch it to WAL) before readers open it read-only.
        let mut first = opts.connect().await?;
        sqlx::query("SELECT 1").execute(&mut first).await?;
        first.close().await?;
        // Readers map the file: a page is read from the OS page cache without
        // a system call and a copy into each connection's own cache, which is
        // what evidence checks over a million incidents spent most of their
        // time on (see docs/performance.md).
        let read = SqlitePoolOptions::new()
            .max_connections(o.max_connections.clamp(1, 8))
            // A reader loads the planner's statistics when it opens: replaced
            // every ten minutes, readers plan with what `optimize` last found.
            .max_lifetime(Duration::from_secs(600))
            .connect_with(
                opts.clone()
                    .read_only(true)
                    .pragma("mmap_size", "1073741824"),
            )
            .await?;
        Ok(Pools {
            writer: crate::group_commit::Writer::new(opts.clone()),
            read,
            options: opts,
            notify: o.notifications,
        })
    }

    /// The database file.
    pub fn file(&self) -> std::path::PathBuf {
        self.options.get_filename().to_path_buf()
    }

    /// A consistent copy of the database written to `path` (`VACUUM INTO`),
    /// on a connection of its own: it reads one snapshot while the writer
    /// goes on (WAL), so it is safe while Steward serves.
    pub async fn backup_into(&self, path: &std::path::Path) -> Result<()> {
        let mut conn = self.options.connect().await?;
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_string_lossy().into_owned())
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(())
    }

    /// Refreshes the planner's statistics where they are stale (`PRAGMA
    /// optimize`, which analyses only tables that changed enough), on the
    /// writer; readers pick them up as they are replaced (`max_lifetime`).
    pub async fn optimize(&self) -> Result<()> {
        let mut conn = self.options.connect().await?;
        sqlx::query("PRAGMA optimize=0x10002")
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(())
    }

    pub async fn migrate(&self) -> Result<()> {
        let mut conn = self.options.connect().await?;
        sqlx::migrate!("./migrations/sqlite").run(&mut conn).await?;
        conn.close().await?;
        Ok(())
    }

    /// A write: a savepoint in the writer's shared transaction (group commit,
    /// see `group_commit`), begun `IMMEDIATE` so that it never fails half-way
    /// when it upgrades from reading to writing.
    pub async fn begin(&self) -> Result<crate::group_commit::WriteTx> {
        self.writer.begin().await
    }

    pub fn read(&self) -> &SqlitePool {
        &self.read
    }

    /// After a bulk load: moves the write-ahead log into the database file,
    /// so that readers do not look pages up in a log of hundreds of megabytes.
    pub async fn after_bulk_load(&self) -> Result<()> {
        let mut conn = self.options.connect().await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(())
    }

    /// A plain pool with one writer and no group commit: the database's raw
    /// ceiling for the benchmark, with the same durability settings.
    pub async fn raw_pool(&self) -> Result<SqlitePool> {
        Ok(SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(self.options.clone())
            .await?)
    }
}

/// What SQLite spells differently.
pub mod dialect {
    /// The organisations of an article's audience (`r`), as one text of
    /// comma-separated ids.
    macro_rules! article_orgs {
        () => {
            "(SELECT group_concat(ao.org_id) FROM article_orgs ao WHERE ao.record_id = r.id)"
        };
    }
    pub(crate) use article_orgs;

    /// The organisations an offering names, comma-separated.
    macro_rules! offering_orgs {
        () => {
            "(SELECT group_concat(x.org_id) FROM offering_orgs x WHERE x.offering_id = o.id)"
        };
    }
    pub(crate) use offering_orgs;

    use steward_domain::number::NumberKind;

    use super::q::{Arg, PreparedInsert, Sql};
    use super::{Conn, Pools};
    use crate::Result;

    /// A search in FTS5: each word as a prefix (`"print"*`), each phrase
    /// quoted, exclusions after `NOT`; ranked by BM25 with the number and
    /// title weighing more than the body, best first. `allowed` adds the
    /// condition on `d` (search_docs) that narrows it to what the actor may find.
    pub fn search(
        q: &steward_domain::search::Query,
        allowed: impl Fn(&mut Sql),
        limit: i64,
    ) -> Sql {
        use steward_domain::search::Term;
        let fts = |t: &Term| match t {
            Term::Word(w) => format!("\"{}\"*", w.replace('"', "\"\"")),
            Term::Phrase(ws) => format!("\"{}\"", ws.join(" ").replace('"', "\"\"")),
        };
        let mut text = format!(
            "({})",
            q.include.iter().map(fts).collect::<Vec<_>>().join(" ")
        );
        for t in &q.exclude {
            text.push_str(" NOT ");
            text.push_str(&fts(t));
        }
        // The newest `CANDIDATES` matches the actor may find (FTS5 reads
        // them in rowid order, no sort), then BM25 and the snippet only for
        // the matches from the oldest of them on: a common word costs the
        // same however long the history. Not `rowid IN (...)`: FTS5 would
        // run the whole match once per candidate.
        let mut sql = Sql::new(
            "WITH c AS (SELECT search_fts.rowid AS id FROM search_fts \
             JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ",
        );
        sql.arg(Arg::Text(text.clone()));
        allowed(&mut sql);
        sql.push(" ORDER BY search_fts.rowid DESC LIMIT ")
            .arg(Arg::I64(super::q::search::CANDIDATES))
            .push(
                ") SELECT d.kind, d.number, d.title, \
                 snippet(search_fts, -1, char(2), char(3), '…', 16) AS snippet, \
                 -bm25(search_fts, 10.0, 5.0, 1.0) AS rank \
                 FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid \
                 WHERE search_fts MATCH ",
            );
        sql.arg(Arg::Text(text));
        sql.push(" AND search_fts.rowid >= (SELECT MIN(id) FROM c)");
        allowed(&mut sql);
        sql.push(" ORDER BY bm25(search_fts, 10.0, 5.0, 1.0), d.id DESC LIMIT ")
            .arg(Arg::I64(limit));
        sql
    }

    /// SQLite has one writer, so write transactions are already exclusive.
    pub const FOR_UPDATE: &str = "";

    /// Claims skip rows other transactions hold; SQLite's single writer holds them all.
    pub const SKIP_LOCKED: &str = "";

    /// How a plain write transaction begins (the benchmark's raw ceiling).
    pub const RAW_BEGIN: &str = "BEGIN IMMEDIATE";

    /// Folds the pending rows of the daily counts into one row per day
    /// (`rollups::compact`): under the single writer nothing else writes
    /// meanwhile, so the rows up to the largest id are summed into new rows
    /// and then removed. Returns how many days were folded.
    pub async fn compact_counts(p: &Pools) -> Result<u64> {
        let mut folded = 0;
        let mut tx = p.begin().await?;
        for (table, key, sums, zero) in [
            (
                "record_counts",
                "kind, org_id, day",
                "SUM(opened), SUM(resolved), SUM(major)",
                "opened = 0 AND resolved = 0 AND major = 0",
            ),
            (
                "clock_counts",
                "agreement, org_id, kind, day",
                "SUM(stopped), SUM(met), SUM(elapsed_ms), SUM(breached), SUM(changes)",
                "changes = 0",
            ),
        ] {
            let columns = if table == "record_counts" {
                "opened, resolved, major"
            } else {
                "stopped, met, elapsed_ms, breached, changes"
            };
            let last: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COALESCE(MAX(id), 0) FROM {table}"
            )))
            .fetch_one(&mut *tx)
            .await?;
            folded += sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {table} ({key}, {columns}, pending) \
                 SELECT {key}, {sums}, FALSE FROM {table} WHERE id <= $1 \
                 AND ({key}) IN (SELECT {key} FROM {table} WHERE pending AND id <= $1) \
                 GROUP BY {key}"
            )))
            .bind(last)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE id <= $1 \
                 AND ({key}) IN (SELECT {key} FROM {table} WHERE id > $1)"
            )))
            .bind(last)
            .execute(&mut *tx)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE id > $1 AND {zero}"
            )))
            .bind(last)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(folded)
    }

    /// The next human number of a record type: a counter row, safe under the single writer.
    pub async fn next_number(conn: &mut Conn, kind: NumberKind) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value",
        )
        .bind(kind.prefix())
        .fetch_one(conn)
        .await?)
    }

    /// A numbered record with its audit entry and children, inside `conn`'s
    /// transaction: SQLite cannot write inside a `WITH`, so the number comes
    /// from [`next_number`] and each row is its own statement.
    pub async fn insert_numbered(conn: &mut Conn, ins: &PreparedInsert) -> Result<(i64, String)> {
        let number = ins.kind.format(next_number(&mut *conn, ins.kind).await?);
        let mut q = Sql::new(&format!(
            "INSERT INTO {} (number, {}) VALUES (",
            ins.table,
            ins.columns.join(", ")
        ));
        q.arg(Arg::Text(number.clone()));
        for a in &ins.args {
            q.push(", ").arg(a.clone());
        }
        q.push(") RETURNING id");
        let id = q.fetch_scalar(&mut *conn).await?;
        super::q::audit::insert_entry(&mut *conn, &number, &ins.audit).await?;
        for c in &ins.children {
            let mut q = Sql::new(&format!(
                "INSERT INTO {} ({}, {}) VALUES (",
                c.table,
                c.parent_column,
                c.columns.join(", ")
            ));
            q.arg(Arg::I64(id));
            for a in &c.args {
                q.push(", ").arg(a.clone());
            }
            q.push(")");
            q.execute(&mut *conn).await?;
        }
        Ok((id, number))
    }

    /// A numbered record written on its own: one write of the group commit.
    pub async fn insert_numbered_alone(p: &Pools, ins: PreparedInsert) -> Result<(i64, String)> {
        write_one(p, async |conn| insert_numbered(conn, &ins).await).await
    }

    /// A write that reads, then changes the database with one statement: on
    /// SQLite, a write in the group commit (see the PostgreSQL twin).
    pub async fn write_one<T>(
        p: &Pools,
        work: impl AsyncFnOnce(&mut Conn) -> Result<T>,
    ) -> Result<T> {
        let mut tx = p.begin().await?;
        let done = work(&mut tx).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The schema as lines to compare with PostgreSQL's: each column with
    /// its kind of type and nullability, each index (primary keys aside) with
    /// its columns, uniqueness and whether it is partial, each foreign key
    /// with its rule on delete. Names of indexes and constraints differ
    /// between the two databases and are left out.
    /// 1 when Steward's `users` table exists, else 0.
    pub const HAS_USERS: &str =
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'users'";
    pub const SCHEMA: &str = "WITH t AS (SELECT name FROM sqlite_master WHERE type = 'table' \
        AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' AND name <> 'counters') \
        SELECT 'column ' || t.name || '.' || p.name || ' ' || \
          CASE WHEN upper(p.type) LIKE '%INT%' THEN 'int' \
               WHEN upper(p.type) LIKE '%BOOL%' THEN 'bool' \
               WHEN upper(p.type) LIKE '%REAL%' OR upper(p.type) LIKE '%DOUB%' THEN 'float' \
               WHEN upper(p.type) LIKE '%BLOB%' THEN 'blob' ELSE 'text' END || ' ' || \
          CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 'not null' ELSE 'null' END \
        FROM t JOIN pragma_table_info(t.name) p \
        UNION ALL \
        SELECT 'index ' || t.name || ' (' || \
          (SELECT group_concat(COALESCE(ii.name, '<expr>'), ',') FROM pragma_index_info(il.name) ii) \
          || ')' || CASE WHEN il.\"unique\" THEN ' unique' ELSE '' END \
          || CASE WHEN il.partial THEN ' partial' ELSE '' END \
        FROM t JOIN pragma_index_list(t.name) il WHERE il.origin <> 'pk' \
        UNION ALL \
        SELECT 'foreign key ' || t.name || '.' || fk.\"from\" || ' -> ' || fk.\"table\" || '.' \
          || COALESCE(fk.\"to\", 'id') || ' on delete ' || lower(fk.on_delete) \
        FROM t JOIN pragma_foreign_key_list(t.name) fk \
        ORDER BY 1";
}

// Deliberate: the same query tree, compiled once per backend.
#[allow(clippy::duplicate_mod)]
#[path = "queries/mod.rs"]
pub mod q;
