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
mod kernel_model;
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
pub use kernel_model::*;
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

    // ---- organisations -------------------------------------------------

    pub async fn create_org(
        &self,
        actor: &AuditActor,
        name: &str,
        kind: &str,
        time_zone: &str,
    ) -> Result<Organisation> {
        let created = dispatch!(self, orgs::create(actor, name, kind, time_zone));
        self.caches.refs.clear();
        created
    }

    pub async fn org_by_id(&self, id: i64) -> Result<Organisation> {
        dispatch!(self, orgs::by_id(id))
    }

    pub async fn org_by_name(&self, name: &str) -> Result<Organisation> {
        dispatch!(self, orgs::by_name(name))
    }

    pub async fn list_orgs(&self) -> Result<Vec<Organisation>> {
        dispatch!(self, orgs::list())
    }

    /// The provider's own organisation, if it exists yet.
    pub async fn provider_org(&self) -> Result<Option<Organisation>> {
        dispatch!(self, orgs::provider())
    }

    // ---- users, groups, credentials ------------------------------------

    pub async fn create_user(
        &self,
        actor: &AuditActor,
        email: &str,
        name: &str,
        role: &str,
        org_id: i64,
        password_hash: Option<&str>,
    ) -> Result<User> {
        let created = dispatch!(
            self,
            users::create(actor, email, name, role, org_id, password_hash)
        );
        self.caches.refs.clear();
        created
    }

    pub async fn user_by_id(&self, id: i64) -> Result<User> {
        dispatch!(self, users::by_id(id))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        dispatch!(self, users::by_email(email))
    }

    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        dispatch!(self, users::credentials(email))
    }

    /// Users, ordered by name; optionally only one organisation's.
    pub async fn list_users(&self, org_id: Option<i64>) -> Result<Vec<User>> {
        dispatch!(self, users::list(org_id))
    }

    /// Changes a user's name, role, active flag, time zone or password.
    pub async fn update_user(
        &self,
        actor: &AuditActor,
        id: i64,
        change: &UserChange,
    ) -> Result<User> {
        let updated = dispatch!(self, users::update(actor, id, change));
        self.caches.tokens.clear();
        self.caches.refs.clear();
        updated
    }

    /// Creates an assignment group with its members, in one transaction.
    pub async fn create_group(
        &self,
        actor: &AuditActor,
        name: &str,
        description: &str,
        member_ids: &[i64],
    ) -> Result<AssignmentGroup> {
        let created = dispatch!(self, groups::create(actor, name, description, member_ids));
        self.caches.refs.clear();
        created
    }

    pub async fn list_groups(&self) -> Result<Vec<AssignmentGroup>> {
        dispatch!(self, groups::list())
    }

    pub async fn group_by_name(&self, name: &str) -> Result<AssignmentGroup> {
        dispatch!(self, groups::by_name(name))
    }

    pub async fn groups_of_user(&self, user_id: i64) -> Result<Vec<i64>> {
        dispatch!(self, groups::of_user(user_id))
    }

    pub async fn is_group_member(&self, group_id: i64, user_id: i64) -> Result<bool> {
        dispatch!(self, groups::is_member(group_id, user_id))
    }

    // ---- sessions, tokens, login throttling ----------------------------

    pub async fn create_session(
        &self,
        actor: &AuditActor,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<()> {
        dispatch!(
            self,
            auth::create_session(actor, token_hash, user_id, csrf_token, expires_at)
        )
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        dispatch!(self, auth::session(token_hash))
    }

    pub async fn touch_session(&self, token_hash: &str, now: i64, expires_at: i64) -> Result<()> {
        dispatch!(self, auth::touch_session(token_hash, now, expires_at))
    }

    pub async fn delete_session(&self, actor: &AuditActor, token_hash: &str) -> Result<()> {
        dispatch!(self, auth::delete_session(actor, token_hash))
    }

    pub async fn create_token(
        &self,
        actor: &AuditActor,
        user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken> {
        dispatch!(self, auth::create_token(actor, user_id, name, token_hash))
    }

    /// The active user a live (not revoked) token belongs to; records its use.
    /// Answers from [`ttl_cache`] for a few seconds after a check.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<User>> {
        // Only found users are kept: unknown tokens must not crowd them out.
        self.caches
            .tokens
            .get_or_load(
                token_hash.to_owned(),
                async || dispatch!(self, users::by_token(token_hash)),
                Option::is_some,
            )
            .await
    }

    pub async fn list_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        dispatch!(self, auth::list_tokens(user_id))
    }

    pub async fn revoke_token(&self, actor: &AuditActor, user_id: i64, id: i64) -> Result<()> {
        let revoked = dispatch!(self, auth::revoke_token(actor, user_id, id));
        self.caches.tokens.clear();
        revoked
    }

    /// Until when (ms) logins for this e-mail are refused, if they are.
    pub async fn login_locked_until(&self, email: &str) -> Result<Option<i64>> {
        dispatch!(self, auth::locked_until(email))
    }

    /// Counts a failed login; locks after `max_failures` within `window_ms`.
    pub async fn record_login_failure(
        &self,
        email: &str,
        max_failures: i64,
        window_ms: i64,
        lock_ms: i64,
    ) -> Result<()> {
        dispatch!(
            self,
            auth::record_failure(email, max_failures, window_ms, lock_ms)
        )
    }

    pub async fn clear_login_failures(&self, email: &str) -> Result<()> {
        dispatch!(self, auth::clear_failures(email))
    }

    // ---- services ------------------------------------------------------

    pub async fn create_service(&self, actor: &AuditActor, f: &ServiceFields) -> Result<Service> {
        let created = dispatch!(self, services::create(actor, f));
        self.caches.refs.clear();
        created
    }

    /// A service as `visibility` may see it: customers see only services their organisation receives.
    pub async fn service(&self, number: &str, visibility: Visibility) -> Result<Service> {
        dispatch!(self, services::get(number, scope_org(visibility)))
    }

    pub async fn list_services(&self, visibility: Visibility) -> Result<Vec<Service>> {
        dispatch!(self, services::list(scope_org(visibility)))
    }

    pub async fn service_customers(&self, service_id: i64) -> Result<Vec<Organisation>> {
        dispatch!(self, services::customers(service_id))
    }

    pub async fn update_service(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        f: &ServiceFields,
    ) -> Result<Service> {
        let updated = dispatch!(self, services::update(actor, number, expected_version, f));
        self.caches.refs.clear();
        updated
    }

    // ---- incidents -----------------------------------------------------

    /// A new incident's caller, service, group and assignee, found by what a
    /// user typed, in one read (the checks stay with the caller). Answers from
    /// [`ttl_cache`] for a few seconds: a burst of creations naming the same
    /// people and service reads them once. Only answers that found everything
    /// named are kept, so that a user or service just created by another
    /// process is never refused from memory.
    pub async fn incident_refs(&self, q: &IncidentRefsQuery<'_>) -> Result<IncidentRefs> {
        let (id, email) = match q.caller {
            CallerRef::Id(id) => (Some(id), None),
            CallerRef::Email(e) => (None, Some(e.to_owned())),
        };
        let key = (
            id,
            email,
            q.service.to_owned(),
            q.group.map(str::to_owned),
            q.assignee.map(str::to_owned),
        );
        let found_all = |r: &IncidentRefs| {
            r.caller_id.is_some()
                && r.service_id.is_some()
                && (q.group.is_none() || r.group_id.is_some())
                && (q.assignee.is_none() || r.assignee_id.is_some())
        };
        self.caches
            .refs
            .get_or_load(key, async || dispatch!(self, incidents::refs(q)), found_all)
            .await
    }

    pub async fn create_incident(&self, actor: &AuditActor, new: &NewIncident) -> Result<Incident> {
        let terms = self.sla_terms().await?;
        dispatch!(self, incidents::create(actor, &terms, new))
    }

    /// Imports incidents with their own times and comments, in one transaction.
    pub async fn import_incidents(
        &self,
        actor: &AuditActor,
        items: &[ImportedIncident],
    ) -> Result<usize> {
        let terms = self.sla_terms().await?;
        dispatch!(self, incidents::import(actor, &terms, items))
    }

    /// An incident as `visibility` may see it; another organisation's answers NotFound.
    pub async fn incident(&self, number: &str, visibility: Visibility) -> Result<Incident> {
        dispatch!(self, incidents::get(number, scope_org(visibility)))
    }

    pub async fn list_incidents(
        &self,
        visibility: Visibility,
        filter: &IncidentFilter,
        order: IncidentOrder,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Incident>> {
        dispatch!(
            self,
            incidents::list(scope_org(visibility), filter, order, after, limit)
        )
    }

    /// Counts matching incidents, stopping at `cap` (lists never count exactly past it).
    pub async fn count_incidents(
        &self,
        visibility: Visibility,
        filter: &IncidentFilter,
        cap: i64,
    ) -> Result<i64> {
        dispatch!(self, incidents::count(scope_org(visibility), filter, cap))
    }

    /// Changes an incident through `change`, a pure function from the record to
    /// its new fields (a domain rule), in one transaction with its audit entry.
    /// `expected_version` guards against lost updates (optimistic concurrency).
    pub async fn update_incident<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        visibility: Visibility,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Incident>
    where
        F: FnOnce(&Incident) -> Result<IncidentFields, RuleError>,
    {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            incidents::update(
                actor,
                &terms,
                number,
                scope_org(visibility),
                expected_version,
                action,
                change
            )
        )
    }

    /// Adds a comment or work note with the files attached to it (their bytes
    /// already stored), in one transaction; `first_response` also stamps the
    /// incident's first response.
    pub async fn add_comment(
        &self,
        actor: &AuditActor,
        incident: &Incident,
        visibility: &str,
        body: &str,
        first_response: bool,
        files: &[NewAttachment],
    ) -> Result<Comment> {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            incidents::add_comment(
                actor,
                &terms,
                incident,
                visibility,
                body,
                first_response,
                files
            )
        )
    }

    pub async fn comments(&self, record_id: i64, include_internal: bool) -> Result<Vec<Comment>> {
        dispatch!(self, incidents::comments(record_id, include_internal))
    }

    /// Comment `id` of the incident, whoever may see it; 404 when it is not the incident's.
    pub async fn comment(&self, record_id: i64, id: i64) -> Result<Comment> {
        dispatch!(self, incidents::comment(record_id, id))
    }

    // ---- any work record (the kernel) ---------------------------------

    /// Any work record by its number; with `visibility` of one organisation,
    /// only that organisation's.
    pub async fn record(&self, number: &str, visibility: Visibility) -> Result<RecordRef> {
        dispatch!(self, records::by_number(number, scope_org(visibility)))
    }

    /// A comment or work note, with its files, on a record without clocks of its own (not an incident).
    pub async fn add_record_comment(
        &self,
        actor: &AuditActor,
        record: &RecordRef,
        visibility: &str,
        body: &str,
        files: &[NewAttachment],
    ) -> Result<Comment> {
        dispatch!(
            self,
            records::add_comment(actor, record, visibility, body, files)
        )
    }

    /// Links two records (at most once per pair), `link_type` read from `from`.
    pub async fn link_records(
        &self,
        actor: &AuditActor,
        from: &RecordRef,
        to: &RecordRef,
        link_type: steward_domain::link::LinkType,
    ) -> Result<RecordLink> {
        dispatch!(self, records::link(actor, from, to, link_type))
    }

    pub async fn unlink_records(
        &self,
        actor: &AuditActor,
        from: &RecordRef,
        to: &RecordRef,
    ) -> Result<()> {
        dispatch!(self, records::unlink(actor, from, to))
    }

    /// A record's links from its side; with one organisation's visibility,
    /// only links to that organisation's records.
    pub async fn record_links(
        &self,
        record_id: i64,
        visibility: Visibility,
    ) -> Result<Vec<RecordLink>> {
        dispatch!(self, records::links(record_id, scope_org(visibility)))
    }

    // ---- problems ------------------------------------------------------

    pub async fn create_problem(&self, actor: &AuditActor, new: &NewProblem) -> Result<Problem> {
        dispatch!(self, problems::create(actor, new))
    }

    pub async fn problem(&self, number: &str) -> Result<Problem> {
        dispatch!(self, problems::get(number))
    }

    pub async fn list_problems(
        &self,
        filter: &ProblemFilter,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Problem>> {
        dispatch!(self, problems::list(filter, after, limit))
    }

    pub async fn update_problem<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Problem>
    where
        F: FnOnce(&Problem) -> Result<ProblemFields, RuleError>,
    {
        dispatch!(
            self,
            problems::update(actor, number, expected_version, action, change)
        )
    }

    pub async fn problem_services(&self, problem_id: i64) -> Result<Vec<(String, String)>> {
        dispatch!(self, problems::services(problem_id))
    }

    /// Incidents linked to a problem, newest link first, after link id `after`.
    pub async fn problem_incidents(
        &self,
        problem_id: i64,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<LinkedIncident>> {
        dispatch!(self, problems::incidents(problem_id, after, limit))
    }

    pub async fn known_errors_for(
        &self,
        incident_id: i64,
        published_only: bool,
    ) -> Result<Vec<KnownError>> {
        dispatch!(
            self,
            problems::known_errors_for(incident_id, published_only)
        )
    }

    pub async fn trend_groups(
        &self,
        since: i64,
    ) -> Result<Vec<steward_domain::problem::TrendGroup>> {
        dispatch!(self, problems::trend_groups(since))
    }

    /// A known error's workaround applied to an incident, in one transaction.
    pub async fn apply_workaround(
        &self,
        actor: &AuditActor,
        incident: &Incident,
        problem: &RecordRef,
        workaround: &str,
    ) -> Result<Comment> {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            problems::apply_workaround(actor, &terms, incident, problem, workaround)
        )
    }

    // ---- conformity ----------------------------------------------------

    /// An evidence figure as of `at`, aggregated in the database.
    pub async fn figure(
        &self,
        id: steward_domain::conformity::FigureId,
        at: &FigureAt,
    ) -> Result<steward_domain::conformity::Figure> {
        dispatch!(self, conformity::figure(id, at))
    }

    /// Up to `limit` records that the figure counted as not good.
    pub async fn figure_gaps(
        &self,
        id: steward_domain::conformity::FigureId,
        at: &FigureAt,
        limit: i64,
    ) -> Result<Vec<Gap>> {
        dispatch!(self, conformity::gaps(id, at, limit))
    }

    /// Keeps `day`'s result of every check (replacing an earlier run that day).
    pub async fn save_snapshot(&self, day: &str, rows: &[SnapshotRow]) -> Result<()> {
        dispatch!(self, conformity::save_snapshot(day, rows))
    }

    /// The latest snapshot taken on or before `day`.
    pub async fn snapshot_as_of(&self, day: &str) -> Result<Vec<SnapshotRow>> {
        dispatch!(self, conformity::snapshot_as_of(day))
    }

    pub async fn snapshots_since(&self, since: &str) -> Result<Vec<SnapshotRow>> {
        dispatch!(self, conformity::snapshots_since(since))
    }

    pub async fn requirement_note(&self, clause: &str) -> Result<Option<RequirementNote>> {
        dispatch!(self, evidence::note(clause))
    }

    pub async fn requirement_notes(&self) -> Result<Vec<RequirementNote>> {
        dispatch!(self, evidence::notes())
    }

    pub async fn set_requirement_note(
        &self,
        actor: &AuditActor,
        note: &RequirementNote,
        expected_version: Option<i64>,
    ) -> Result<RequirementNote> {
        dispatch!(self, evidence::set_note(actor, note, expected_version))
    }

    /// Adds evidence to a requirement; a file (already stored) is recorded in the same transaction.
    pub async fn add_evidence(
        &self,
        actor: &AuditActor,
        e: &NewEvidence,
        file: Option<&NewAttachment>,
    ) -> Result<Evidence> {
        dispatch!(self, evidence::add(actor, e, file))
    }

    pub async fn evidence(&self, clause: &str) -> Result<Vec<Evidence>> {
        dispatch!(self, evidence::list(clause))
    }

    /// Manual evidence (not notes) per clause.
    pub async fn evidence_counts(&self) -> Result<Vec<(String, i64)>> {
        dispatch!(self, evidence::counts())
    }

    // ---- SLA clocks ----------------------------------------------------

    /// The agreements and calendars clocks are measured with (cached for a few seconds; see [`ttl_cache`]).
    pub async fn sla_terms(&self) -> Result<std::sync::Arc<steward_domain::sla::SlaTerms>> {
        self.caches
            .terms
            .get_or_load(
                (),
                async || {
                    let agreements = self.list_agreements().await?;
                    let calendars = self.list_calendars().await?;
                    Ok(Arc::new(model::sla_terms(&agreements, &calendars)))
                },
                |_| true,
            )
            .await
    }

    /// Brings the clocks of every open incident to the current terms (after a
    /// calendar or agreement changed); returns how many incidents changed.
    pub async fn recompute_clocks(&self) -> Result<u64> {
        let (mut after, mut until) = (0, None);
        let mut changed = 0;
        while let (n, Some(next)) = self.recompute_clocks_after(after, until).await? {
            changed += n;
            (after, until) = (next.0, Some(next.1));
        }
        Ok(changed)
    }

    /// One batch of [`Store::recompute_clocks`]: the open incidents after id
    /// `after` up to id `until` (first batch: `None`, the newest incident now);
    /// returns how many changed and the `(after, until)` to go on from
    /// (`None`: done).
    pub async fn recompute_clocks_after(
        &self,
        after: i64,
        until: Option<i64>,
    ) -> Result<(u64, Option<(i64, i64)>)> {
        let terms = self.sla_terms().await?;
        dispatch!(self, sla::recompute_batch(&terms, after, until))
    }

    /// Forgets the cached SLA terms (after a change made elsewhere, in tests).
    pub fn forget_sla_terms(&self) {
        self.caches.terms.clear();
    }

    pub async fn sla_clocks(&self, record_id: i64) -> Result<Vec<ClockRow>> {
        dispatch!(self, sla::clocks(record_id))
    }

    /// An agreement's SLA figures per month `(label, start, end)` and clock kind.
    pub async fn sla_report(
        &self,
        agreement: &str,
        months: &[(String, i64, i64)],
    ) -> Result<Vec<SlaMonthRow>> {
        dispatch!(self, sla::report(agreement, months))
    }

    /// An agreement's clocks breached in `[from, to)`, newest first.
    pub async fn sla_breaches(
        &self,
        agreement: &str,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<SlaBreachRow>> {
        dispatch!(self, sla::breaches(agreement, from, to, limit))
    }

    /// Records why a breached clock missed its target; Conflict when it is not breached.
    pub async fn set_breach_reason(
        &self,
        actor: &AuditActor,
        record_id: i64,
        kind: steward_domain::sla::ClockKind,
        reason: &str,
    ) -> Result<()> {
        dispatch!(self, sla::set_breach_reason(actor, record_id, kind, reason))
    }

    pub async fn sla_intervals(&self, record_id: i64) -> Result<Vec<ClockIntervalRow>> {
        dispatch!(self, sla::intervals(record_id))
    }

    /// Marks clocks that crossed their warning point or due time, with the jobs
    /// `job_for` gives for each, in one transaction (see `queries/sla.rs`).
    pub async fn sla_sweep(
        &self,
        now: i64,
        limit: i64,
        job_for: impl Fn(&Fired) -> Vec<NewJob>,
    ) -> Result<Vec<Fired>> {
        dispatch!(self, sla::sweep(now, limit, job_for))
    }

    // ---- jobs ----------------------------------------------------------

    /// An incident by internal id, with no visibility check (background jobs only).
    pub async fn incident_by_id(&self, id: i64) -> Result<Incident> {
        dispatch!(self, incidents::get_by_id(id))
    }

    /// The caller, assignee and group members of an incident.
    pub async fn notification_circle(&self, record_id: i64) -> Result<Vec<Recipient>> {
        dispatch!(self, notifications::circle(record_id))
    }

    pub async fn set_notifications_muted(
        &self,
        actor: &AuditActor,
        user_id: i64,
        muted: &str,
    ) -> Result<()> {
        dispatch!(self, notifications::set_muted(actor, user_id, muted))
    }

    pub async fn notifications_muted(&self, user_id: i64) -> Result<String> {
        dispatch!(self, notifications::muted(user_id))
    }

    pub async fn enqueue_jobs(&self, jobs: &[NewJob]) -> Result<()> {
        dispatch!(self, jobs::enqueue_all(jobs))
    }

    pub async fn requeue_expired_jobs(&self, now: i64) -> Result<u64> {
        dispatch!(self, jobs::requeue_expired(now))
    }

    pub async fn claim_jobs(
        &self,
        claim: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<Job>> {
        dispatch!(self, jobs::claim(claim, now, lease_until, limit))
    }

    /// Completes jobs that ran (one transaction); returns the ids whose claim
    /// was still held.
    pub async fn complete_jobs(&self, worker: &str, done: &[CompletedJob<'_>]) -> Result<Vec<i64>> {
        dispatch!(self, jobs::complete(worker, done))
    }

    /// Completes one job; `false` when its claim was lost.
    pub async fn complete_job(
        &self,
        job: &Job,
        worker: &str,
        started_at: i64,
        caused: &[NewJob],
    ) -> Result<bool> {
        let done = CompletedJob {
            job,
            started_at,
            caused,
        };
        Ok(!self.complete_jobs(worker, &[done]).await?.is_empty())
    }

    pub async fn fail_job(
        &self,
        job: &Job,
        worker: &str,
        started_at: i64,
        error: &str,
        retry_at: i64,
        max_attempts: i64,
    ) -> Result<bool> {
        dispatch!(
            self,
            jobs::fail(job, worker, started_at, error, retry_at, max_attempts)
        )
    }

    pub async fn list_jobs(
        &self,
        state: Option<&str>,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Job>> {
        dispatch!(self, jobs::list(state, before_id, limit))
    }

    pub async fn job(&self, id: i64) -> Result<Job> {
        dispatch!(self, jobs::get(id))
    }

    pub async fn job_runs(&self, id: i64) -> Result<Vec<JobRun>> {
        dispatch!(self, jobs::runs(id))
    }

    pub async fn job_counts(&self) -> Result<JobCounts> {
        dispatch!(self, jobs::counts())
    }

    pub async fn retry_job(&self, actor: &AuditActor, id: i64) -> Result<Job> {
        dispatch!(self, jobs::retry(actor, id))
    }

    // ---- agreements ----------------------------------------------------

    pub async fn create_agreement(
        &self,
        actor: &AuditActor,
        f: &AgreementFields,
    ) -> Result<Agreement> {
        let out = dispatch!(self, agreements::create(actor, f));
        self.caches.terms.clear();
        out
    }

    pub async fn agreement(&self, number: &str) -> Result<Agreement> {
        dispatch!(self, agreements::get(number))
    }

    pub async fn list_agreements(&self) -> Result<Vec<Agreement>> {
        dispatch!(self, agreements::list())
    }

    pub async fn update_agreement(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        f: &AgreementFields,
    ) -> Result<Agreement> {
        let out = dispatch!(self, agreements::update(actor, number, expected_version, f));
        self.caches.terms.clear();
        out
    }

    // ---- business calendars --------------------------------------------

    pub async fn create_calendar(
        &self,
        actor: &AuditActor,
        name: &str,
        time_zone: &str,
        spec: &str,
    ) -> Result<StoredCalendar> {
        let out = dispatch!(self, calendars::create(actor, name, time_zone, spec));
        self.caches.terms.clear();
        out
    }

    pub async fn calendar(&self, id: i64) -> Result<StoredCalendar> {
        dispatch!(self, calendars::get(id))
    }

    pub async fn list_calendars(&self) -> Result<Vec<StoredCalendar>> {
        dispatch!(self, calendars::list())
    }

    pub async fn update_calendar(
        &self,
        actor: &AuditActor,
        id: i64,
        expected_version: Option<i64>,
        name: &str,
        time_zone: &str,
        spec: &str,
    ) -> Result<StoredCalendar> {
        let out = dispatch!(
            self,
            calendars::update(actor, id, expected_version, name, time_zone, spec)
        );
        self.caches.terms.clear();
        out
    }

    // ---- SMS registers -------------------------------------------------

    pub async fn sms_record(&self, register: Register, number: &str) -> Result<SmsRecord> {
        dispatch!(self, registers::get(register, number))
    }

    /// A page of a register in number order, after the record with id `after`.
    pub async fn sms_records(
        &self,
        register: Register,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<SmsRecord>> {
        dispatch!(self, registers::list(register, after, limit))
    }

    pub async fn sms_record_id(&self, register: Register, number: &str) -> Result<Option<i64>> {
        dispatch!(self, registers::id_of(register, number))
    }

    pub async fn create_sms_record(
        &self,
        actor: &AuditActor,
        w: &RecordWrite,
    ) -> Result<SmsRecord> {
        dispatch!(self, registers::create(actor, w))
    }

    pub async fn update_sms_record(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        w: &RecordWrite,
    ) -> Result<SmsRecord> {
        dispatch!(self, registers::update(actor, number, expected_version, w))
    }

    /// A document workflow step decided by `steward_domain::document::take`.
    pub async fn document_step(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        step: &str,
        new_status: &str,
    ) -> Result<SmsRecord> {
        dispatch!(
            self,
            registers::document_step(actor, number, expected_version, step, new_status)
        )
    }

    /// `true` when this acknowledgement is new.
    pub async fn acknowledge_document(
        &self,
        actor: &AuditActor,
        record: &SmsRecord,
        version_no: i64,
        user_id: i64,
    ) -> Result<bool> {
        dispatch!(
            self,
            registers::acknowledge(actor, record, version_no, user_id)
        )
    }

    pub async fn document_acknowledgements(
        &self,
        record_id: i64,
        version_no: i64,
    ) -> Result<Vec<(i64, String, i64)>> {
        dispatch!(self, registers::acknowledgements(record_id, version_no))
    }

    pub async fn document_versions(
        &self,
        record_id: i64,
    ) -> Result<Vec<(i64, Option<String>, i64)>> {
        dispatch!(self, registers::document_versions(record_id))
    }

    pub async fn add_record_file(
        &self,
        actor: &AuditActor,
        record: Option<&SmsRecord>,
        file: &NewAttachment,
    ) -> Result<RecordFile> {
        dispatch!(self, registers::add_file(actor, record, file))
    }

    pub async fn record_files(&self, record_id: i64) -> Result<Vec<RecordFile>> {
        dispatch!(self, registers::files(record_id))
    }

    pub async fn record_file(&self, id: i64) -> Result<RecordFile> {
        dispatch!(self, registers::file(id))
    }

    /// Records per register kind.
    pub async fn sms_counts(&self) -> Result<Vec<(String, i64)>> {
        dispatch!(self, registers::counts())
    }

    /// Open risks counted per (likelihood, impact).
    pub async fn risk_matrix(&self) -> Result<Vec<(i64, i64, i64)>> {
        dispatch!(self, registers::risk_matrix())
    }

    /// Today's values of objectives: their current value and their history.
    pub async fn record_objective_values(&self, day: &str, values: &[(i64, f64)]) -> Result<()> {
        dispatch!(self, registers::record_objective_values(day, values, true))
    }

    /// Past values of objectives, for their history only.
    pub async fn record_objective_history(&self, day: &str, values: &[(i64, f64)]) -> Result<()> {
        dispatch!(self, registers::record_objective_values(day, values, false))
    }

    pub async fn objective_history(&self, record_id: i64) -> Result<Vec<(String, f64)>> {
        dispatch!(self, registers::objective_history(record_id))
    }

    // ---- attachments ---------------------------------------------------

    /// Records an attachment of any work record (its bytes already stored), with its audit entry.
    pub async fn add_attachment(
        &self,
        actor: &AuditActor,
        record: &RecordRef,
        attachment: &NewAttachment,
    ) -> Result<Attachment> {
        dispatch!(self, attachments::create(actor, record, attachment))
    }

    /// An incident's attachments, oldest first; staff-only ones when `include_internal`.
    pub async fn attachments(
        &self,
        record_id: i64,
        include_internal: bool,
    ) -> Result<Vec<Attachment>> {
        dispatch!(self, attachments::list(record_id, include_internal))
    }

    /// One attachment by id; callers check the incident's visibility.
    pub async fn attachment(&self, id: i64) -> Result<Attachment> {
        dispatch!(self, attachments::get(id))
    }

    // ---- audit trail ---------------------------------------------------

    /// Seals up to `batch` waiting entries into the chain; returns how many.
    pub async fn seal_audit(&self, batch: i64) -> Result<usize> {
        dispatch!(self, audit::seal(batch))
    }

    /// Walks the whole chain and reports the first broken link.
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        dispatch!(self, audit::verify())
    }

    pub async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        dispatch!(self, audit::list(filter))
    }

    /// The history of one record, oldest first.
    pub async fn record_history(&self, record_type: &str, number: &str) -> Result<Vec<AuditEntry>> {
        dispatch!(self, audit::history(record_type, number))
    }
}

/// Measurements for `steward-bench`; the server never calls these.
impl Store {
    /// Single-row insert transactions committed in `millis` by `clients`
    /// concurrent writers, with the store's durability settings.
    pub async fn bench_raw_inserts(&self, clients: u32, millis: u64) -> Result<u64> {
        dispatch!(self, bench::raw_inserts(clients, millis))
    }

    /// Bulk-adds `n` incidents numbered from `first` (benchmark data, without audit entries).
    #[allow(clippy::too_many_arguments)]
    pub async fn bench_fill_incidents(
        &self,
        n: i64,
        first: i64,
        newest_at: i64,
        org_id: i64,
        caller_id: i64,
        service_id: i64,
    ) -> Result<()> {
        dispatch!(
            self,
            bench::fill_incidents(n, first, newest_at, org_id, caller_id, service_id)
        )
    }

    /// Removes every incident, so that the list and check measurements run on
    /// generated history alone rather than on the burst of the throughput run.
    /// Replaces the benchmark's problems with `n`, each with the incidents
    /// linked to it (every 50th incident).
    pub async fn bench_fill_problems(&self, n: i64, org_id: i64, service_id: i64) -> Result<()> {
        dispatch!(self, bench::fill_problems(n, org_id, service_id, now_ms()))
    }

    pub async fn bench_open_all(&self) -> Result<()> {
        dispatch!(self, bench::open_all())
    }

    pub async fn bench_clear_incidents(&self) -> Result<()> {
        dispatch!(self, bench::clear_incidents())
    }

    /// The keyset cursor after the `offset`-th incident, newest first.
    pub async fn bench_cursor_at(&self, offset: i64) -> Result<Option<Cursor>> {
        dispatch!(self, bench::cursor_at(offset))
    }
}

/// A change to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub time_zone: Option<Option<String>>,
    pub password_hash: Option<String>,
}
