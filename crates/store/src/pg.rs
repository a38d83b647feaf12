//! The PostgreSQL backend: one pool; human numbers come from sequences so that
//! concurrent creations never queue behind one counter row.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::pg_batch::Batcher;
use crate::{Result, StoreOptions};

pub type Db = sqlx::Postgres;
pub type Conn = sqlx::PgConnection;

#[derive(Clone)]
pub struct Pools {
    pub pool: PgPool,
    batcher: Arc<Batcher>,
    /// `StoreOptions::notifications`.
    pub notify: bool,
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
        Ok(Pools {
            pool,
            batcher: Arc::default(),
            notify: o.notifications,
        })
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

    use super::q::PreparedInsert;
    use super::{Conn, Pools};
    use crate::Result;

    /// Row lock for read-modify-write inside a transaction.
    pub const FOR_UPDATE: &str = " FOR UPDATE";

    /// Claims (jobs, the SLA sweep) skip rows that other workers hold.
    pub const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

    /// How a plain write transaction begins (the benchmark's raw ceiling).
    pub const RAW_BEGIN: &str = "BEGIN";

    /// The next human number of a record type: its sequence (never reused;
    /// gaps allowed).
    pub async fn next_number(conn: &mut Conn, kind: NumberKind) -> Result<i64> {
        let sql = format!(
            "SELECT nextval('number_{}')",
            kind.prefix().to_ascii_lowercase()
        );
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(conn)
            .await?)
    }

    /// A numbered record with its audit entry and children, inside `conn`'s
    /// transaction: one statement (sequence, inserts in a data-modifying `WITH`).
    pub async fn insert_numbered(conn: &mut Conn, ins: &PreparedInsert) -> Result<(i64, String)> {
        let mut ids = crate::pg_batch::insert_rows(conn, &[ins]).await?;
        Ok(ids.remove(0))
    }

    /// A numbered record written on its own: with the rows of concurrent
    /// writes in one statement, committed when this returns (group insert).
    pub async fn insert_numbered_alone(p: &Pools, ins: PreparedInsert) -> Result<(i64, String)> {
        p.batcher.insert(&p.pool, ins).await
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
