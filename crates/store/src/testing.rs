//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL
//! database dropped when the guard goes away.

use std::sync::atomic::{AtomicU64, Ordering};

/// The PostgreSQL server tests use: `STEWARD_TEST_PG` or the local default.
pub fn pg_admin_url() -> String {
    std::env::var("STEWARD_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Whether the PostgreSQL suite should run: `STEWARD_TEST_PG_REQUIRED=1` makes a
/// missing server a failure; otherwise a test skips PostgreSQL only when it does not answer.
pub fn postgres_available() -> bool {
    let url = pg_admin_url();
    let answered = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| rt.block_on(async { admin(&url).await.is_ok() }))
            .unwrap_or(false)
    })
    .join()
    .unwrap_or(false);
    if !answered && std::env::var("STEWARD_TEST_PG_REQUIRED").is_ok_and(|v| v == "1") {
        panic!(
            "PostgreSQL is required (STEWARD_TEST_PG_REQUIRED=1) but {} does not answer",
            pg_admin_url()
        );
    }
    answered
}

/// The backends to run a test on: SQLite always, PostgreSQL when it answers.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if postgres_available() {
        v.push(Backend::Postgres);
    } else {
        eprintln!(
            "WARNING: PostgreSQL does not answer at {}; running on SQLite only",
            pg_admin_url()
        );
    }
    v
}

/// A database that exists for as long as this value lives.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    _dir: Option<TempDir>,
}

/// A pool on the admin database, connected the way the store connects.
async fn admin(url: &str) -> crate::Result<sqlx::PgPool> {
    Ok(sqlx::PgPool::connect_with(crate::pg::connect_options(url)?).await?)
}

/// `url` with its database replaced by `name`; the other options in its query
/// (`?sslmode=...`, `?host=...`) are kept, a `dbname` option is dropped.
fn with_database(url: &str, name: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return format!("{url}/{name}");
    };
    u.set_path(&format!("/{name}"));
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| k != "dbname")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    u.to_string()
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = TempDir::new();
                let url = format!("sqlite://{}/steward.db", dir.0.display());
                TestDb {
                    url,
                    pg_name: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let name = format!("steward_test_{}", unique_suffix());
                let admin = admin(&pg_admin_url()).await.expect("connect to PostgreSQL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin)
                    .await
                    .expect("create test database");
                admin.close().await;
                let url = with_database(&pg_admin_url(), &name);
                TestDb {
                    url,
                    pg_name: Some(name),
                    _dir: None,
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(admin) = admin(&pg_admin_url()).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&admin)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A temporary folder removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("steward-test-{}", unique_suffix()));
        std::fs::create_dir_all(&dir).expect("create temporary folder");
        TempDir(dir)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn a_test_database_keeps_the_servers_address_and_options() {
        let cases = [
            ("postgres://u@h:5432/postgres", "postgres://u@h:5432/t1"),
            (
                "postgresql://u@h/postgres?sslmode=require",
                "postgresql://u@h/t1?sslmode=require",
            ),
            ("postgres://u@h:5432", "postgres://u@h:5432/t1"),
            (
                "postgres://u@h/?dbname=postgres&sslmode=disable",
                "postgres://u@h/t1?sslmode=disable",
            ),
            (
                "postgres:///postgres?host=/var/run/postgresql",
                "postgres:///t1?host=%2Fvar%2Frun%2Fpostgresql",
            ),
        ];
        for (admin, expected) in cases {
            assert_eq!(with_database(admin, "t1"), expected);
        }
    }
}
