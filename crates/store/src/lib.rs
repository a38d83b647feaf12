//! Steward's store: every SQL statement of the system, on SQLite and PostgreSQL.
//!
//! Each query is written once, in `queries/`, with `$n` placeholders that both
//! databases accept. That module tree is compiled twice, once per backend
//! (`sqlite.rs` and `pg.rs` each mount it with `#[path]`), so every query is
//! type-checked against both drivers without sqlx's `Any` driver. The few
//! dialect differences (number sequences, row locks) live in each backend's
//! small `dialect` module. [`Store`] dispatches to the backend in use.

mod code;
mod group_commit;
mod model;
mod pg;
mod pg_batch;
mod sqlite;
pub mod testing;
pub mod ttl_cache;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use ttl_cache::TtlCache;

pub use code::{Code, CodeValue};
pub use model::*;
use steward_domain::RuleError;
use steward_domain::access::Visibility;
use steward_domain::register::Register;

/// Errors of the store. The server maps each to one HTTP status in one place.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique value is already taken.
    #[error("{0}")]
    Conflict(String),
    /// The record changed since the version the caller read.
    #[error("the record was changed by someone else")]
    Stale,
    /// A domain rule refused the change.
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error("invalid database URL: {0}")]
    Config(String),
    /// A stored value no rule knows (an unknown state or kind): never read
    /// as a default.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<steward_domain::ValidationError> for StoreError {
    fn from(e: steward_domain::ValidationError) -> Self {
        StoreError::Rule(RuleError::Validation(e))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Turns a unique-constraint violation into [`StoreError::Conflict`].
pub(crate) fn on_unique(e: sqlx::Error, message: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(message.to_owned())
        }
        _ => StoreError::Database(e),
    }
}

#[derive(Clone)]
enum Backend {
    // Boxed: the SQLite pools carry their connect options and are much larger.
    Sqlite(Box<sqlite::Pools>),
    Pg(pg::Pools),
}

/// The database behind Steward.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    caches: Arc<Caches>,
}

/// What the store remembers for a few seconds ([`ttl_cache`]).
struct Caches {
    /// The user behind each bearer token (by the token's hash).
    tokens: TtlCache<String, Option<User>>,
    /// The agreements and calendars that clocks are measured with.
    terms: TtlCache<(), Arc<steward_domain::sla::SlaTerms>>,
    /// What a new incident's references name ([`Store::incident_refs`]).
    refs: TtlCache<RefsKey, IncidentRefs>,
}

/// An [`IncidentRefsQuery`], owned: caller (by id or e-mail), service, group, assignee.
type RefsKey = (
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

impl Default for Caches {
    fn default() -> Self {
        Caches {
            tokens: TtlCache::new(4096),
            terms: TtlCache::new(1),
            refs: TtlCache::new(4096),
        }
    }
}

/// Calls the same query function on whichever backend is connected.
macro_rules! dispatch {
    ($self:ident, $($f:ident)::+ ( $($arg:expr),* $(,)? )) => {
        match &$self.backend {
            Backend::Sqlite(p) => crate::sqlite::q::$($f)::+(p, $($arg),*).await,
            Backend::Pg(p) => crate::pg::q::$($f)::+(p, $($arg),*).await,
        }
    };
}

// The store's methods, one file per process (declared after `dispatch!`,
// which they use).
mod methods;

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// PostgreSQL pool size; SQLite readers.
    pub max_connections: u32,
    /// SQLite `synchronous=FULL` (true, default) or `NORMAL`.
    pub sqlite_full_sync: bool,
    /// Queue a `notify` job for each incident event (default). Off when no
    /// one can be told (no mail transport): the job would do nothing.
    pub notifications: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 16,
            sqlite_full_sync: true,
            notifications: true,
        }
    }
}

impl Store {
    /// Connects to `sqlite://path` or `postgres://...`.
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Store> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite(Box::new(sqlite::Pools::connect(url, options).await?))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Pg(pg::Pools::connect(url, options).await?)
        } else {
            return Err(StoreError::Config(format!(
                "{url:?}: expected sqlite://PATH or postgres://..."
            )));
        };
        Ok(Store {
            backend,
            caches: Default::default(),
        })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Pg(_) => "postgres",
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(p) => p.migrate().await,
            Backend::Pg(p) => p.migrate().await,
        }
    }

    /// The SQLite database file, when this store is SQLite.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        match &self.backend {
            Backend::Sqlite(p) => Some(p.file()),
            Backend::Pg(_) => None,
        }
    }

    /// SQLite: a consistent copy of the database at `path`, safe while
    /// serving. (PostgreSQL is copied by `pg_dump`, outside the store.)
    pub async fn sqlite_backup_into(&self, path: &std::path::Path) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(p) => p.backup_into(path).await,
            Backend::Pg(_) => Err(StoreError::Config(
                "a PostgreSQL database is copied with pg_dump".into(),
            )),
        }
    }

    /// Refreshes the query planner's statistics where tables changed a lot
    /// (SQLite `PRAGMA optimize`; PostgreSQL's autovacuum does this itself).
    pub async fn optimize(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(p) => p.optimize().await,
            Backend::Pg(_) => Ok(()),
        }
    }

    /// Whether the database holds any organisation or user. A database
    /// without Steward's tables holds nothing.
    pub async fn holds_data(&self) -> Result<bool> {
        dispatch!(self, meta::holds_data())
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<()> {
        dispatch!(self, meta::ping())
    }

    /// Pool figures for metrics: (connections open, idle).
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.backend {
            Backend::Sqlite(p) => (p.read.size() + 1, p.read.num_idle()),
            Backend::Pg(p) => (p.pool.size(), p.pool.num_idle()),
        }
    }

    /// The schema as comparable lines (columns with type and nullability,
    /// indexes, foreign keys), to check that both databases' agree.
    pub async fn schema(&self) -> Result<Vec<String>> {
        dispatch!(self, meta::schema())
    }

    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(p) => {
                p.writer.close().await;
                p.read.close().await;
            }
            Backend::Pg(p) => p.pool.close().await,
        }
    }
}
