//! The PostgreSQL backend: one pool; human numbers come from sequences so that
//! concurrent creations never queue behind one counter row.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::{Result, StoreOptions};

pub type Db = sqlx::Postgres;
pub type Conn = sqlx::PgConnection;

#[derive(Clone)]
pub struct Pools {
    pub pool: PgPool,
}

impl Pools {
    pub async fn connect(url: &str, o: &StoreOptions) -> Result<Pools> {
        let opts = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(o.max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            // No ping before every query: a broken connection fails its query
            // and is dropped; the ping would cost a round trip each time.
            .test_before_acquire(false)
            .connect_with(opts)
            .await?;
        Ok(Pools { pool })
    }

    pub async fn migrate(&self) -> Result<()> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, Db>> {
        Ok(self.pool.begin().await?)
    }

    pub fn read(&self) -> &PgPool {
        &self.pool
    }

    /// After a bulk load: nothing to do beyond the `ANALYZE` already run.
    pub async fn after_bulk_load(&self) -> Result<()> {
        Ok(())
    }

    /// The pool itself: PostgreSQL's raw ceiling for the benchmark.
    pub async fn raw_pool(&self) -> Result<PgPool> {
        Ok(self.pool.clone())
    }
}

/// What PostgreSQL spells differently.
pub mod dialect {
    use steward_domain::number::NumberKind;

    use super::{Conn, Pools};
    use crate::Result;

    /// Row lock for read-modify-write inside a transaction.
    pub const FOR_UPDATE: &str = " FOR UPDATE";

    /// Claims (jobs, the SLA sweep) skip rows that other workers hold.
    pub const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

    /// How a plain write transaction begins (the benchmark's raw ceiling).
    pub const RAW_BEGIN: &str = "BEGIN";

    /// The next human number of a record type as an SQL expression: its
    /// sequence (never reused; gaps allowed).
    pub fn next_number_expr(kind: NumberKind) -> Option<String> {
        Some(format!(
            "nextval('number_{}')",
            kind.prefix().to_ascii_lowercase()
        ))
    }

    /// The next human number of a record type.
    pub async fn next_number(conn: &mut Conn, kind: NumberKind) -> Result<i64> {
        let sql = format!("SELECT {}", next_number_expr(kind).unwrap_or_default());
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(conn)
            .await?)
    }

    /// A write that reads, then changes the database with exactly one
    /// statement (such as [`insert_numbered`](crate::pg::q::insert_numbered)):
    /// on PostgreSQL it runs on a pooled connection in autocommit, so the one
    /// statement is atomic on its own and no `BEGIN`/`COMMIT` round trips are paid.
    pub async fn write_one<T>(
        p: &Pools,
        work: impl AsyncFnOnce(&mut Conn) -> Result<T>,
    ) -> Result<T> {
        let mut conn = p.pool.acquire().await?;
        work(&mut conn).await
    }

    /// Every table's columns, for the schema comparison test.
    pub const SCHEMA_COLUMNS: &str = "SELECT table_name::text, column_name::text \
        FROM information_schema.columns WHERE table_schema = current_schema() \
        AND table_name NOT LIKE '_sqlx%' ORDER BY 1, 2";
}

// Deliberate: the same query tree, compiled once per backend.
#[allow(clippy::duplicate_mod)]
#[path = "queries/mod.rs"]
pub mod q;
