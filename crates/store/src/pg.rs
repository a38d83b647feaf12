//! The PostgreSQL backend: one pool; human numbers come from sequences so that
//! concurrent creations never queue behind one counter row.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};

use crate::pg_batch::Batcher;
use crate::{Result, StoreOptions};

pub type Db = sqlx::Postgres;
pub type Conn = sqlx::PgConnection;

/// Connection options for `url`. A server on this machine (a loopback address,
/// `localhost` or a Unix socket) is reached without TLS unless the URL (any
/// `ssl...` option) or the environment (`PGSSLMODE`, `PGSSLCERT`, `PGSSLKEY`,
/// `PGSSLROOTCERT`) says something about TLS: encryption over loopback protects
/// nothing that leaves the machine, and it nearly doubled the CPU of each
/// creation (ADR 0009). Any other host keeps the driver's default, `prefer`.
pub fn connect_options(url: &str) -> Result<PgConnectOptions> {
    let mut opts = PgConnectOptions::from_str(url)?;
    // No JIT compilation unless the URL asks for it (`options=-c jit=on`):
    // Steward's statements are short or aggregate a few thousand rows, and an
    // estimate past `jit_above_cost` spent 270 ms compiling a 30 ms evidence
    // check (docs/performance.md).
    if !opts.get_options().is_some_and(|o| o.contains("jit=")) {
        opts = opts.options([("jit", "off")]);
    }
    let env_chosen = ["PGSSLMODE", "PGSSLCERT", "PGSSLKEY", "PGSSLROOTCERT"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
    if plain_on_this_machine(url, &opts, env_chosen)? {
        return Ok(opts.ssl_mode(PgSslMode::Disable));
    }
    Ok(opts)
}

/// Whether to connect without TLS: the server is on this machine and neither
/// the URL nor the environment (`env_chosen`) chose anything about TLS.
fn plain_on_this_machine(url: &str, opts: &PgConnectOptions, env_chosen: bool) -> Result<bool> {
    let parsed = url::Url::parse(url)
        .map_err(|e| crate::StoreError::Config(format!("database URL: {e}")))?;
    let url_chosen = parsed.query_pairs().any(|(key, _)| key.starts_with("ssl"));
    let local = opts.get_socket().is_some() || is_loopback(opts.get_host());
    Ok(local && !url_chosen && !env_chosen)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.starts_with('/')
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[derive(Clone)]
pub struct Pools {
    pub pool: PgPool,
    batcher: Arc<Batcher>,
    /// `StoreOptions::notifications`.
    pub notify: bool,
}

impl Pools {
    pub async fn connect(url: &str, o: &StoreOptions) -> Result<Pools> {
        let opts = connect_options(url)?;
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
    /// The organisations of an article's audience (`r`), as one text of
    /// comma-separated ids.
    macro_rules! article_orgs {
        () => {
            "(SELECT string_agg(ao.org_id::text, ',' ORDER BY ao.org_id) FROM article_orgs ao \
             WHERE ao.record_id = r.id)"
        };
    }
    pub(crate) use article_orgs;

    /// The organisations an offering names, comma-separated.
    macro_rules! offering_orgs {
        () => {
            "(SELECT string_agg(x.org_id::text, ',' ORDER BY x.org_id) FROM offering_orgs x \
             WHERE x.offering_id = o.id)"
        };
    }
    pub(crate) use offering_orgs;

    use steward_domain::number::NumberKind;

    use super::q::{Arg, PreparedInsert, Sql};
    use super::{Conn, Pools};
    use crate::Result;

    /// A search in PostgreSQL's full text: each word as a prefix
    /// (`to_tsquery('simple', 'print:*')`), each phrase with
    /// `phraseto_tsquery`, exclusions with `!!`; ranked by `ts_rank_cd`
    /// (number and title weigh more), best first, with a headline worked out
    /// for the rows kept only. `allowed` adds the condition on `d`
    /// (search_docs) that narrows it to what the actor may find.
    /// How many of the newest documents a search first looks for its
    /// candidates in, before it asks the full-text index for older ones.
    pub const RECENT: i64 = 30_000;

    pub fn search(
        q: &steward_domain::search::Query,
        allowed: impl Fn(&mut Sql),
        limit: i64,
    ) -> Sql {
        use steward_domain::search::Term;
        let query = |sql: &mut Sql| {
            sql.push("(");
            let terms = q
                .include
                .iter()
                .map(|t| (false, t))
                .chain(q.exclude.iter().map(|t| (true, t)));
            for (i, (not, t)) in terms.enumerate() {
                if i > 0 {
                    sql.push(" && ");
                }
                if not {
                    sql.push("!!");
                }
                match t {
                    Term::Word(w) => sql
                        .push("to_tsquery('simple', ")
                        .arg(Arg::Text(format!("{w}:*"))),
                    Term::Phrase(ws) => sql
                        .push("phraseto_tsquery('simple', ")
                        .arg(Arg::Text(ws.join(" "))),
                };
                sql.push(")");
            }
            sql.push(")");
        };
        // Candidates: the newest `CANDIDATES` matches the actor may find
        // among the newest `RECENT` documents (read backwards on the key,
        // materialised so that the planner cannot turn it into a scan of
        // the whole table), or, when fewer are there, the newest matches
        // the GIN index finds. Only they are ranked, and only the best
        // `limit` get a headline: a common word costs the same however long
        // the history.
        let cand = super::q::search::CANDIDATES;
        let mut sql = Sql::new(
            "WITH recent AS MATERIALIZED (SELECT id, kind, ref_id, org_id, tsv FROM search_docs \
             ORDER BY id DESC LIMIT ",
        );
        sql.arg(Arg::I64(RECENT))
            .push("), near AS MATERIALIZED (SELECT d.id FROM recent d WHERE d.tsv @@ ");
        query(&mut sql);
        allowed(&mut sql);
        sql.push(" ORDER BY d.id DESC LIMIT ")
            .arg(Arg::I64(cand))
            .push(
                "), c AS (SELECT id FROM near UNION ALL (SELECT d.id FROM search_docs d \
                   WHERE (SELECT COUNT(*) FROM near) < ",
            )
            .arg(Arg::I64(cand))
            .push(" AND d.tsv @@ ");
        query(&mut sql);
        allowed(&mut sql);
        sql.push(" ORDER BY d.id + 0 DESC LIMIT ")
            .arg(Arg::I64(cand))
            .push(
                ")) SELECT k.kind, k.number, k.title, ts_headline('simple', k.title || ' · ' || k.body, ",
            );
        query(&mut sql);
        sql.push(
            ", 'StartSel=' || chr(2) || ', StopSel=' || chr(3) || \
             ', MaxWords=24, MinWords=10, ShortWord=1') AS snippet, k.rank FROM \
             (SELECT d.kind, d.number, d.title, d.body, d.id, \
             CAST(ts_rank_cd(d.tsv, ",
        );
        query(&mut sql);
        sql.push(
            ") AS DOUBLE PRECISION) AS rank FROM search_docs d WHERE d.id IN (SELECT id FROM c) \
             ORDER BY rank DESC, d.id DESC LIMIT ",
        )
        .arg(Arg::I64(limit))
        .push(") k ORDER BY k.rank DESC, k.id DESC");
        sql
    }

    /// Row lock for read-modify-write inside a transaction.
    pub const FOR_UPDATE: &str = " FOR UPDATE";

    /// Claims (jobs, the SLA sweep) skip rows that other workers hold.
    pub const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

    /// How a plain write transaction begins (the benchmark's raw ceiling).
    pub const RAW_BEGIN: &str = "BEGIN";

    /// Folds the pending rows of the daily counts into one row per day
    /// (`rollups::compact`), one statement per table: the rows it removes
    /// are those it sums, whatever other writers or another server's
    /// sweeper do meanwhile (a row another statement removed first is
    /// skipped, a row written meanwhile stays pending). Returns how many
    /// days were folded.
    pub async fn compact_counts(p: &Pools) -> Result<u64> {
        let mut folded = 0;
        for (table, key, join, columns, sums, keep) in [
            (
                "record_counts",
                "kind, org_id, day",
                "r.kind = k.kind AND r.org_id = k.org_id AND r.day = k.day",
                "opened, resolved, major",
                "SUM(opened), SUM(resolved), SUM(major)",
                "SUM(opened) <> 0 OR SUM(resolved) <> 0 OR SUM(major) <> 0",
            ),
            (
                "clock_counts",
                "agreement, org_id, kind, day",
                "r.agreement = k.agreement AND r.org_id = k.org_id AND r.kind = k.kind \
                 AND r.day = k.day",
                "stopped, met, elapsed_ms, breached, changes",
                "SUM(stopped), SUM(met), SUM(elapsed_ms), SUM(breached), SUM(changes)",
                "SUM(changes) <> 0",
            ),
        ] {
            let returning: Vec<String> = key
                .split(", ")
                .chain(columns.split(", "))
                .map(|c| format!("r.{c}"))
                .collect();
            folded += sqlx::query(sqlx::AssertSqlSafe(format!(
                "WITH k AS (SELECT DISTINCT {key} FROM {table} WHERE pending), \
                 moved AS (DELETE FROM {table} r USING k WHERE {join} RETURNING {}) \
                 INSERT INTO {table} ({key}, {columns}, pending) \
                 SELECT {key}, {sums}, FALSE FROM moved GROUP BY {key} HAVING {keep}",
                returning.join(", ")
            )))
            .execute(p.read())
            .await?
            .rows_affected();
        }
        Ok(folded)
    }

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

    /// The schema as lines to compare with SQLite's (see `sqlite::SCHEMA`).
    /// 1 when Steward's `users` table exists, else 0.
    pub const HAS_USERS: &str = "SELECT COUNT(*) FROM information_schema.tables \
        WHERE table_schema = current_schema() AND table_name = 'users'";
    pub const SCHEMA: &str = "SELECT 'column ' || table_name || '.' || column_name || ' ' || \
          CASE WHEN data_type IN ('bigint', 'integer', 'smallint') THEN 'int' \
               WHEN data_type = 'boolean' THEN 'bool' \
               WHEN data_type IN ('double precision', 'real', 'numeric') THEN 'float' \
               WHEN data_type = 'bytea' THEN 'blob' ELSE 'text' END || ' ' || \
          CASE WHEN is_nullable = 'NO' THEN 'not null' ELSE 'null' END \
        FROM information_schema.columns WHERE table_schema = current_schema() \
          AND table_name NOT LIKE '_sqlx%' \
        UNION ALL \
        SELECT 'index ' || t.relname || ' (' || \
          (SELECT string_agg(COALESCE(a.attname::text, '<expr>'), ',' ORDER BY k.ord) \
           FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
           LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) \
          || ')' || CASE WHEN ix.indisunique THEN ' unique' ELSE '' END \
          || CASE WHEN ix.indpred IS NOT NULL THEN ' partial' ELSE '' END \
        FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
        JOIN pg_namespace n ON n.oid = t.relnamespace \
        WHERE n.nspname = current_schema() AND NOT ix.indisprimary AND t.relname NOT LIKE '_sqlx%' \
        UNION ALL \
        SELECT 'foreign key ' || cl.relname || '.' || a.attname || ' -> ' || fcl.relname || '.' \
          || fa.attname || ' on delete ' || CASE c.confdeltype WHEN 'c' THEN 'cascade' \
             WHEN 'n' THEN 'set null' WHEN 'r' THEN 'restrict' WHEN 'd' THEN 'set default' \
             ELSE 'no action' END \
        FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid \
        JOIN pg_class fcl ON fcl.oid = c.confrelid \
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] \
        JOIN pg_namespace n ON n.oid = cl.relnamespace \
        WHERE c.contype = 'f' AND n.nspname = current_schema() \
        ORDER BY 1";
}

// Deliberate: the same query tree, compiled once per backend.
#[allow(clippy::duplicate_mod)]
#[path = "queries/mod.rs"]
pub mod q;

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(url: &str, env_chosen: bool) -> bool {
        let opts = PgConnectOptions::from_str(url).unwrap();
        plain_on_this_machine(url, &opts, env_chosen).unwrap()
    }

    #[test]
    fn jit_is_off_unless_the_url_asks_for_it() {
        let opts = connect_options("postgres://u@127.0.0.1:5432/db").unwrap();
        assert_eq!(opts.get_options(), Some("-c jit=off"));
        let url = "postgres://u@127.0.0.1:5432/db?options=-c%20jit%3Don";
        let opts = connect_options(url).unwrap();
        assert_eq!(opts.get_options(), Some("-c jit=on"));
    }

    #[test]
    fn this_machine_is_plain_unless_tls_is_asked_for() {
        for url in [
            "postgres://u@127.0.0.1:5432/db",
            "postgres://u@LOCALHOST/db",
            "postgres://u@127.0.0.2/db",
            "postgres:///db?host=::1",
            "postgres:///db?host=/var/run/postgresql",
            "postgres://u@db.internal/db?host=127.0.0.1",
        ] {
            assert!(plain(url, false), "{url}");
            assert!(!plain(url, true), "{url} with PGSSL* set");
        }
        for query in [
            "sslmode=require",
            "ssl-mode=prefer",
            "a=b&sslmode=verify-full",
            "ssl%6Dode=require",
            "sslrootcert=/etc/ca.pem",
            "sslcert=/etc/c.pem&sslkey=/etc/k.pem",
        ] {
            assert!(
                !plain(&format!("postgres://u@127.0.0.1/db?{query}"), false),
                "{query}"
            );
        }
    }

    #[test]
    fn other_hosts_keep_the_drivers_default() {
        for url in [
            "postgres://u@db.internal/db",
            "postgres://u@10.0.0.5/db",
            "postgres://u@[2001:db8::1]/db",
            "postgres://u@localhost/db?hostaddr=10.0.0.5",
        ] {
            assert!(!plain(url, false), "{url}");
        }
    }
}
