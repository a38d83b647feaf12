//! Problems (ISO/IEC 20000-1 8.6.3): work records of kind `problem` with their
//! own fields in `problem_details`; known errors; incident trends.

use steward_domain::RuleError;
use steward_domain::audit::Changes;
use steward_domain::kind::Kind;
use steward_domain::problem::{ProblemState, TrendGroup};

use super::super::{Conn, Pools};
use super::audit::append;
use super::records::{self, KindFields, record_select};
use super::{Arg, Child, Sql};
use crate::{
    AuditActor, Cursor, KnownError, LinkedIncident, NewProblem, Page, Problem, ProblemFields,
    ProblemFilter, RecordCore, Result, StoreError, now_ms,
};

// The details are joined LEFT (every problem has its row): joined inner,
// PostgreSQL merged the two tables by id and walked every work record to find
// the newest problems (177 ms at 1,000,000 incidents instead of 5 ms).
macro_rules! select {
    ($tail:literal) => {
        record_select!(
            "d.root_cause, d.workaround, d.permanent_fix, d.known_error_at, \
             COALESCE(d.published, FALSE) AS published, \
             ((SELECT COUNT(*) FROM record_links l JOIN work_records i ON i.id = l.a_id \
               WHERE l.b_id = r.id AND i.kind = 'incident') \
              + (SELECT COUNT(*) FROM record_links l JOIN work_records i ON i.id = l.b_id \
               WHERE l.a_id = r.id AND i.kind = 'incident')) AS incident_count",
            "LEFT JOIN problem_details d ON d.record_id = r.id",
            "problem",
            $tail
        )
    };
}

impl KindFields for ProblemFields {
    type State = ProblemState;
    const TABLE: &'static str = "problem_details";
    const COLUMNS: &'static [&'static str] = &[
        "root_cause",
        "workaround",
        "permanent_fix",
        "known_error_at",
        "published",
    ];

    fn core(&self) -> &RecordCore {
        &self.core
    }

    fn state(&self) -> ProblemState {
        self.state
    }

    fn times(&self) -> (Option<i64>, Option<i64>) {
        (self.life.resolved_at, self.life.closed_at)
    }

    fn args(&self) -> Vec<Arg> {
        vec![
            Arg::OptText(self.life.root_cause.clone()),
            Arg::OptText(self.life.workaround.clone()),
            Arg::OptText(self.life.permanent_fix.clone()),
            Arg::OptI64(self.life.known_error_at),
            Arg::Bool(self.published),
        ]
    }

    fn diff_own(&self, b: &Self, c: &mut Changes) {
        c.diff("published", &self.published, &b.published);
        c.diff("root_cause", &self.life.root_cause, &b.life.root_cause);
        c.diff("workaround", &self.life.workaround, &b.life.workaround);
        c.diff(
            "permanent_fix",
            &self.life.permanent_fix,
            &b.life.permanent_fix,
        );
    }
}

impl records::Fields<ProblemFields> for Problem {
    fn fields(&self) -> ProblemFields {
        Problem::fields(self)
    }
}

pub async fn create(p: &Pools, actor: &AuditActor, new: &NewProblem) -> Result<Problem> {
    // The first affected service is the record's.
    let services = new.fields.core.service_id.map(|s| Child {
        table: "problem_services",
        parent_column: "record_id",
        columns: &["service_id"],
        args: vec![Arg::I64(s)],
    });
    let spec = Kind::Problem.spec();
    let (_, number) = records::create(
        p,
        actor,
        spec,
        new.org_id,
        new.requester_id,
        &new.fields,
        services.into_iter().collect(),
    )
    .await?;
    get(p, &number).await
}

pub async fn get(p: &Pools, number: &str) -> Result<Problem> {
    sqlx::query_as(select!(" AND r.number = $1"))
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Problems newest first, one page after `after`.
pub async fn list(
    p: &Pools,
    f: &ProblemFilter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page<Problem>> {
    let mut q = Sql::new(select!(""));
    records::filter_sql(&mut q, &f.record);
    if let Some(s) = f.service_id {
        q.push(" AND EXISTS (SELECT 1 FROM problem_services x WHERE x.record_id = r.id AND x.service_id = ")
            .arg(Arg::I64(s))
            .push(")");
    }
    if f.known_errors {
        q.push(
            " AND d.workaround IS NOT NULL AND r.state_category IN ('new', 'active', 'waiting')",
        );
    }
    records::newest_page(p, q, after, limit).await
}

/// Changes a problem under its version check, with its audit entry.
pub async fn update<F>(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    action: &str,
    change: F,
) -> Result<Problem>
where
    F: FnOnce(&Problem) -> Result<ProblemFields, RuleError>,
{
    // The first affected service is the record's: a corrected one replaces it.
    let follow = async |conn: &mut Conn, id: i64, old: &ProblemFields, f: &ProblemFields| {
        if f.core.service_id == old.core.service_id {
            return Ok(());
        }
        if let Some(s) = old.core.service_id {
            sqlx::query("DELETE FROM problem_services WHERE record_id = $1 AND service_id = $2")
                .bind(id)
                .bind(s)
                .execute(&mut *conn)
                .await?;
        }
        if let Some(s) = f.core.service_id {
            sqlx::query(
                "INSERT INTO problem_services (record_id, service_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(s)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    };
    let spec = Kind::Problem.spec();
    records::update(
        p,
        actor,
        spec,
        number,
        expected_version,
        action,
        select!(" AND r.id = $1"),
        change,
        follow,
    )
    .await
}

/// The services a problem affects.
pub async fn services(p: &Pools, problem_id: i64) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT s.number, s.name FROM problem_services x JOIN services s ON s.id = x.service_id \
         WHERE x.record_id = $1 ORDER BY s.number",
    )
    .bind(problem_id)
    .fetch_all(p.read())
    .await?)
}

/// The incidents linked to a problem, newest link first, one page after link id `after`.
pub async fn incidents(
    p: &Pools,
    problem_id: i64,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<LinkedIncident>> {
    Ok(sqlx::query_as(
        "SELECT l.id AS link_id, i.id, i.number, i.title, i.state, i.priority, \
         o.name AS org_name, i.opened_at FROM ( \
           SELECT id, b_id AS other FROM record_links WHERE a_id = $1 \
           UNION ALL SELECT id, a_id AS other FROM record_links WHERE b_id = $1) l \
         JOIN work_records i ON i.id = l.other AND i.kind = 'incident' \
         JOIN organisations o ON o.id = i.org_id \
         WHERE ($2 IS NULL OR l.id < $2) ORDER BY l.id DESC LIMIT $3",
    )
    .bind(problem_id)
    .bind(after)
    .bind(limit.clamp(1, 500))
    .fetch_all(p.read())
    .await?)
}

/// Known errors that concern an incident: linked to it, or open with a
/// workaround for the incident's service and category. With `published_only`
/// (customers), only those published to customers.
pub async fn known_errors_for(
    p: &Pools,
    incident_id: i64,
    published_only: bool,
) -> Result<Vec<KnownError>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.number, r.title, d.workaround, d.published, \
         EXISTS (SELECT 1 FROM record_links l WHERE (l.a_id = r.id AND l.b_id = i.id) \
           OR (l.b_id = r.id AND l.a_id = i.id)) AS linked \
         FROM work_records i \
         JOIN work_records r ON r.kind = 'problem' \
         JOIN problem_details d ON d.record_id = r.id \
         WHERE i.id = $1 AND d.workaround IS NOT NULL \
         AND r.state_category IN ('new', 'active', 'waiting') \
         AND ($2 = FALSE OR d.published) \
         AND (EXISTS (SELECT 1 FROM record_links l WHERE (l.a_id = r.id AND l.b_id = i.id) \
               OR (l.b_id = r.id AND l.a_id = i.id)) \
           OR (r.category = i.category AND EXISTS (SELECT 1 FROM problem_services x \
               WHERE x.record_id = r.id AND x.service_id = i.service_id))) \
         ORDER BY r.id",
    )
    .bind(incident_id)
    .bind(published_only)
    .fetch_all(p.read())
    .await?)
}

/// Incidents opened since `since` per service and category that no problem
/// is linked to, for trend detection (the rule is `TrendRule::candidates`).
pub async fn trend_groups(p: &Pools, since: i64) -> Result<Vec<TrendGroup>> {
    let sql = format!(
        "SELECT s.number, s.name, i.category, COUNT(*), MIN(i.opened_at), MAX(i.opened_at) \
         FROM work_records i JOIN services s ON s.id = i.service_id \
         WHERE i.kind = 'incident' AND i.opened_at >= $1 AND i.state <> 'cancelled' \
         AND NOT {} GROUP BY s.number, s.name, i.category",
        records::INCIDENT_IN_PROBLEM_LINKS
    );
    let rows: Vec<(String, String, String, i64, i64, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(since)
            .fetch_all(p.read())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(sn, name, category, n, first, last)| TrendGroup {
            service_number: sn,
            service_name: name,
            category,
            incidents: n,
            first_opened_at: first,
            last_opened_at: last,
        })
        .collect())
}

/// Applies a problem's workaround to an incident in one transaction: a public
/// comment with the workaround (the incident's own comment path: first
/// response, clocks, notification), a `caused_by` link when there is none, and
/// an `apply_workaround` entry in the incident's history.
pub async fn apply_workaround(
    p: &Pools,
    actor: &AuditActor,
    terms: &steward_domain::sla::SlaTerms,
    incident: &crate::Incident,
    problem: &crate::RecordRef,
    workaround: &str,
) -> Result<crate::Comment> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let body = format!("Workaround: {workaround}");
    let comment = super::incidents::comment_in(
        &mut tx, p.notify, actor, terms, incident, "public", &body, true, now,
    )
    .await?;
    let stored = steward_domain::link::StoredLink::new(
        incident.id,
        problem.id,
        steward_domain::link::LinkType::CausedBy,
    )?;
    let linked = sqlx::query(
        "INSERT INTO record_links (a_id, b_id, link_type, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(stored.a)
    .bind(stored.b)
    .bind(stored.link_type.as_str())
    .bind(actor.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    let mut c = Changes::default();
    c.set("problem", &problem.number);
    c.set("comment_id", &comment.id);
    c.set("workaround", &workaround);
    if linked {
        c.set("link", &"caused_by");
    }
    append(
        &mut tx,
        actor,
        Some(incident.org_id),
        steward_domain::kind::INCIDENT,
        &incident.number,
        "apply_workaround",
        &c,
        now,
    )
    .await?;
    if linked {
        let mut c = Changes::default();
        c.set("link", &"causes");
        c.set("record", &incident.number);
        append(
            &mut tx,
            actor,
            Some(problem.org_id),
            &problem.kind,
            &problem.number,
            "link",
            &c,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(crate::Comment {
        author_name: Some(actor.label.clone()),
        ..comment
    })
}

/// Whether the problem whose record id is `id` is a known error published
/// to the customers of organisation `org` (SQL expressions): open, with a
/// workaround, published, on a service the organisation receives. The one
/// rule of what known errors a customer reads (the portal's suggestions and
/// their page).
pub(crate) fn known_error_for_org(id: &str, org: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM problem_details x JOIN work_records y ON y.id = x.record_id \
         WHERE x.record_id = {id} AND x.published AND x.workaround IS NOT NULL \
         AND y.state_category IN ('new', 'active', 'waiting') \
         AND EXISTS (SELECT 1 FROM problem_services ps JOIN service_customers sc \
         ON sc.service_id = ps.service_id WHERE ps.record_id = x.record_id AND sc.org_id = {org}))"
    )
}

/// The known error `number` as the customers of `org` read it (its title
/// and workaround), if it is published to them.
pub async fn published_known_error(
    p: &Pools,
    number: &str,
    org: i64,
) -> Result<Option<(String, String, String)>> {
    let sql = format!(
        "SELECT r.number, r.title, d.workaround FROM work_records r \
         JOIN problem_details d ON d.record_id = r.id \
         WHERE r.kind = 'problem' AND r.number = $1 AND {}",
        known_error_for_org("r.id", "$2")
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(number)
        .bind(org)
        .fetch_optional(p.read())
        .await?)
}
