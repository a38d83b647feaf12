//! Upgrades: a database made by the release before the work-record kernel
//! (migrations 1 to 8, filled by that release's `steward demo`) migrates with
//! every incident, comment, attachment, clock, job and audit entry in place,
//! and its audit chain still verifies. Runs on SQLite and PostgreSQL.
//!
//! The fixtures are that release's demo data (40 incidents), dumped as
//! `INSERT` statements: `tests/fixtures/before-kernel.{sqlite,postgres}.sql`.

use std::str::FromStr;

use steward_domain::access::Visibility;
use steward_domain::incident::Transition;
use steward_store::testing::{Backend, TestDb, backends};
use steward_store::{AuditActor, IncidentFilter, Store, StoreOptions};

/// The last migration of the release before the kernel.
const BEFORE_KERNEL: i64 = 8;

/// What must survive the upgrade, read with plain SQL that both schemas answer.
#[derive(Debug, PartialEq)]
struct Census {
    records: Vec<(i64, String, String, i64)>,
    comments: Vec<(i64, i64, String)>,
    attachments: Vec<(i64, i64, Option<i64>)>,
    clocks: Vec<(i64, String, String)>,
    intervals: i64,
    jobs: Vec<(i64, Option<i64>)>,
    audit: i64,
}

macro_rules! census {
    ($pool:expr, $table:literal, $requester:literal, $record:literal) => {{
        let p = $pool;
        Census {
            records: sqlx::query_as(concat!(
                "SELECT id, number, state, ",
                $requester,
                " FROM ",
                $table,
                " ORDER BY id"
            ))
            .fetch_all(p)
            .await
            .unwrap(),
            comments: sqlx::query_as(concat!(
                "SELECT id, ",
                $record,
                ", body FROM comments ORDER BY id"
            ))
            .fetch_all(p)
            .await
            .unwrap(),
            attachments: sqlx::query_as(concat!(
                "SELECT id, ",
                $record,
                ", comment_id FROM attachments ORDER BY id"
            ))
            .fetch_all(p)
            .await
            .unwrap(),
            clocks: sqlx::query_as(concat!(
                "SELECT ",
                $record,
                ", kind, status FROM sla_clocks ORDER BY 1, 2"
            ))
            .fetch_all(p)
            .await
            .unwrap(),
            intervals: sqlx::query_scalar("SELECT COUNT(*) FROM sla_intervals")
                .fetch_one(p)
                .await
                .unwrap(),
            jobs: sqlx::query_as("SELECT id, record_id FROM jobs ORDER BY id")
                .fetch_all(p)
                .await
                .unwrap(),
            audit: sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
                .fetch_one(p)
                .await
                .unwrap(),
        }
    }};
}

/// Rows the demo does not make (a file on a comment, a queued job), added in
/// the old schema's terms.
const EXTRA_ROWS: &str = "\
    INSERT INTO attachments (incident_id, org_id, visibility, file_name, content_type, size, \
        sha256, storage_key, uploaded_by, created_at, comment_id) \
    SELECT c.incident_id, c.org_id, c.visibility, 'log.txt', 'text/plain', 3, 'abc', 'k-1', \
        c.author_id, c.created_at, c.id FROM comments c ORDER BY c.id LIMIT 1; \
    INSERT INTO jobs (kind, payload, record_id, state, run_at, attempts, max_attempts, created_at) \
    SELECT 'notify', '{\"event\":\"raised\"}', id, 'queued', 0, 0, 5, 0 FROM incidents \
        ORDER BY id LIMIT 1;";

#[tokio::test]
async fn a_database_from_before_the_kernel_keeps_its_records_and_history() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let before = match backend {
            Backend::Sqlite => {
                let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&db.url)
                    .unwrap()
                    .create_if_missing(true)
                    .foreign_keys(true);
                let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
                sqlx::migrate!("./migrations/sqlite")
                    .run_to(BEFORE_KERNEL, &pool)
                    .await
                    .unwrap();
                // The fixture brings the counters and the chain head it had.
                sqlx::raw_sql("DELETE FROM counters; DELETE FROM audit_chain;")
                    .execute(&pool)
                    .await
                    .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(include_str!(
                    "fixtures/before-kernel.sqlite.sql"
                )))
                .execute(&pool)
                .await
                .unwrap();
                sqlx::raw_sql(EXTRA_ROWS).execute(&pool).await.unwrap();
                let c = census!(&pool, "incidents", "caller_id", "incident_id");
                pool.close().await;
                c
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                sqlx::migrate!("./migrations/postgres")
                    .run_to(BEFORE_KERNEL, &pool)
                    .await
                    .unwrap();
                sqlx::raw_sql("DELETE FROM audit_chain;")
                    .execute(&pool)
                    .await
                    .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(include_str!(
                    "fixtures/before-kernel.postgres.sql"
                )))
                .execute(&pool)
                .await
                .unwrap();
                sqlx::raw_sql(EXTRA_ROWS).execute(&pool).await.unwrap();
                let c = census!(&pool, "incidents", "caller_id", "incident_id");
                pool.close().await;
                c
            }
        };
        assert!(
            before.records.len() >= 40,
            "{backend:?}: the demo's incidents"
        );
        assert!(!before.comments.is_empty() && !before.clocks.is_empty());
        assert_eq!(before.attachments.len(), 1);
        assert!(before.jobs.iter().any(|(_, record)| record.is_some()));

        let store = Store::connect(&db.url, &StoreOptions::default())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let after = match backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
                census!(&pool, "work_records", "requester_id", "record_id")
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                census!(&pool, "work_records", "requester_id", "record_id")
            }
        };
        assert_eq!(before, after, "{backend:?}: every row kept as it was");

        // The chain made before the change still verifies.
        let v = store.verify_audit().await.unwrap();
        assert!(v.broken.is_none(), "{backend:?}: {v:?}");
        assert_eq!(v.verified + v.unsealed, before.audit, "{backend:?}");

        // Incidents read, list and change as before, through the store.
        let all = store
            .count_incidents(Visibility::All, &IncidentFilter::default(), 10_000)
            .await
            .unwrap();
        assert_eq!(all as usize, before.records.len(), "{backend:?}");
        let (_, number, _, _) = before
            .records
            .iter()
            .find(|(_, _, state, _)| state == "new")
            .expect("an incident still new")
            .clone();
        let inc = store.incident(&number, Visibility::All).await.unwrap();
        let history_before = store.record_history("incident", &number).await.unwrap();
        assert!(!history_before.is_empty(), "{backend:?}: old history");
        let actor = AuditActor::system("upgrade test");
        let changed = store
            .update_incident(
                &actor,
                &number,
                Visibility::All,
                Some(inc.version),
                "transition",
                |i| {
                    let mut f = i.fields();
                    f.lifecycle = i
                        .lifecycle()
                        .apply(&Transition::Start, i.opened_at + 1, true)?;
                    Ok(f)
                },
            )
            .await
            .unwrap();
        assert_eq!(changed.state.as_str(), "in_progress");
        let history = store.record_history("incident", &number).await.unwrap();
        assert_eq!(history.len(), history_before.len() + 1);
        let comments = store.comments(inc.id, true).await.unwrap();
        let stored: Vec<_> = before
            .comments
            .iter()
            .filter(|(_, record, _)| *record == inc.id)
            .collect();
        assert_eq!(comments.len(), stored.len(), "{backend:?}");
        while store.seal_audit(1000).await.unwrap() > 0 {}
        let v = store.verify_audit().await.unwrap();
        assert!(v.broken.is_none(), "{backend:?}: {v:?}");
        assert_eq!(v.unsealed, 0);
        assert_eq!(v.verified, before.audit + 1, "{backend:?}");

        // A code no rule knows (a state, a hold reason)
        // fails the read instead of passing for another value.
        let other = before
            .records
            .iter()
            .map(|r| r.1.clone())
            .find(|n| *n != number)
            .unwrap();
        // (Roles and clock statuses have CHECK constraints on both databases.)
        let corruptions: [(&str, String); 2] = [
            (
                "UPDATE work_records SET state = 'lost' WHERE number = $1",
                number.clone(),
            ),
            (
                "UPDATE work_records SET hold_reason = 'napping' WHERE number = $1",
                other.clone(),
            ),
        ];
        for (sql, arg) in &corruptions {
            match backend {
                Backend::Sqlite => {
                    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
                    sqlx::query(sqlx::AssertSqlSafe(*sql))
                        .bind(arg)
                        .execute(&pool)
                        .await
                        .unwrap();
                }
                Backend::Postgres => {
                    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                    sqlx::query(sqlx::AssertSqlSafe(*sql))
                        .bind(arg)
                        .execute(&pool)
                        .await
                        .unwrap();
                }
            }
        }
        let decode_error = |r: &Result<_, steward_store::StoreError>, column: &str| {
            matches!(
                r,
                Err(steward_store::StoreError::Database(sqlx::Error::ColumnDecode { index, .. }))
                    if index.contains(column)
            )
        };
        let read = store.incident(&number, Visibility::All).await.map(|_| ());
        assert!(decode_error(&read, "state"), "{backend:?}: {read:?}");
        let read = store.incident(&other, Visibility::All).await.map(|_| ());
        assert!(decode_error(&read, "hold_reason"), "{backend:?}: {read:?}");
        store.close().await;
    }
}
