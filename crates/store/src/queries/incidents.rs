//! Incidents and their comments.

use steward_domain::RuleError;
use steward_domain::audit::Changes;
use steward_domain::incident::IncidentState;
use steward_domain::number::NumberKind;

use super::super::{Conn, Pools, dialect};
use super::audit::append;
use super::{Arg, Sql};
use crate::{
    AuditActor, Comment, Cursor, ImportedIncident, Incident, IncidentFields, IncidentFilter,
    IncidentOrder, NewIncident, Page, Result, StoreError, now_ms,
};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT i.id, i.number, i.org_id, o.name AS org_name, i.service_id, \
             s.number AS service_number, s.name AS service_name, i.caller_id, c.name AS caller_name, \
             i.title, i.description, i.category, i.impact, i.urgency, i.priority, i.state, \
             i.hold_reason, i.group_id, g.name AS group_name, i.assignee_id, a.name AS assignee_name, \
             i.major, i.resolution_code, i.resolution_notes, i.reopen_count, i.opened_at, \
             i.first_response_at, i.resolved_at, i.closed_at, i.updated_at, i.version \
             FROM incidents i \
             JOIN organisations o ON o.id = i.org_id \
             JOIN services s ON s.id = i.service_id \
             JOIN users c ON c.id = i.caller_id \
             LEFT JOIN assignment_groups g ON g.id = i.group_id \
             LEFT JOIN users a ON a.id = i.assignee_id",
            $tail
        )
    };
}

/// The open states spelled exactly as in the partial index `incidents_open_priority`,
/// so that both planners can use it.
const OPEN_STATES: &str = "i.state IN ('new', 'in_progress', 'on_hold')";

async fn by_id(conn: &mut Conn, id: i64) -> Result<Incident> {
    Ok(sqlx::query_as(select!(" WHERE i.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?)
}

/// Inserts one incident with its audit entry inside `conn`'s transaction.
async fn insert(
    conn: &mut Conn,
    actor: &AuditActor,
    new: &NewIncident,
    opened_at: i64,
    updated_at: i64,
    action: &str,
) -> Result<Incident> {
    let f = &new.fields;
    let l = &f.lifecycle;
    let n = dialect::next_number(&mut *conn, NumberKind::Incident).await?;
    let number = NumberKind::Incident.format(n);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO incidents (number, org_id, service_id, caller_id, title, description, category, \
         impact, urgency, priority, state, hold_reason, group_id, assignee_id, major, \
         resolution_code, resolution_notes, reopen_count, opened_at, first_response_at, \
         resolved_at, closed_at, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24) RETURNING id",
    )
    .bind(&number)
    .bind(new.org_id)
    .bind(f.service_id)
    .bind(new.caller_id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.category)
    .bind(f.impact)
    .bind(f.urgency)
    .bind(f.priority)
    .bind(l.state.as_str())
    .bind(l.hold_reason.map(|r| r.as_str()))
    .bind(f.group_id)
    .bind(f.assignee_id)
    .bind(f.major)
    .bind(l.resolution_code.map(|c| c.as_str()))
    .bind(l.resolution_notes.as_deref())
    .bind(l.reopen_count)
    .bind(opened_at)
    .bind(l.first_response_at)
    .bind(l.resolved_at)
    .bind(l.closed_at)
    .bind(actor.user_id)
    .bind(updated_at)
    .fetch_one(&mut *conn)
    .await?;
    let created = by_id(&mut *conn, id).await?;
    let blank = Incident {
        title: String::new(),
        description: String::new(),
        category: String::new(),
        impact: 0,
        urgency: 0,
        priority: 0,
        state: String::new(),
        service_number: String::new(),
        group_name: None,
        assignee_name: None,
        major: false,
        hold_reason: None,
        resolution_code: None,
        resolution_notes: None,
        reopen_count: 0,
        ..created.clone()
    };
    let mut c = diff(&blank, &created);
    c.set("caller", &created.caller_name);
    c.set("organisation", &created.org_name);
    append(
        &mut *conn,
        actor,
        Some(new.org_id),
        "incident",
        &number,
        action,
        &c,
        opened_at,
    )
    .await?;
    Ok(created)
}

pub async fn create(p: &Pools, actor: &AuditActor, new: &NewIncident) -> Result<Incident> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let created = insert(&mut tx, actor, new, now, now, "create").await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn import(p: &Pools, actor: &AuditActor, items: &[ImportedIncident]) -> Result<usize> {
    let mut tx = p.begin().await?;
    for item in items {
        let l = &item.incident.fields.lifecycle;
        let last = [l.first_response_at, l.resolved_at, l.closed_at]
            .into_iter()
            .flatten()
            .chain(item.comments.iter().map(|c| c.created_at))
            .fold(item.opened_at, i64::max);
        let inc = insert(
            &mut tx,
            actor,
            &item.incident,
            item.opened_at,
            last,
            "import",
        )
        .await?;
        for c in &item.comments {
            sqlx::query(
                "INSERT INTO comments (incident_id, org_id, author_id, visibility, body, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(inc.id)
            .bind(inc.org_id)
            .bind(c.author_id)
            .bind(&c.visibility)
            .bind(&c.body)
            .bind(c.created_at)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(items.len())
}

/// What changed between two versions of an incident, with references by name.
fn diff(a: &Incident, b: &Incident) -> Changes {
    let mut c = Changes::default();
    c.diff("title", &a.title, &b.title);
    c.diff("description", &a.description, &b.description);
    c.diff("service", &a.service_number, &b.service_number);
    c.diff("category", &a.category, &b.category);
    c.diff("impact", &a.impact, &b.impact);
    c.diff("urgency", &a.urgency, &b.urgency);
    c.diff("priority", &a.priority, &b.priority);
    c.diff("state", &a.state, &b.state);
    c.diff("hold_reason", &a.hold_reason, &b.hold_reason);
    c.diff("group", &a.group_name, &b.group_name);
    c.diff("assignee", &a.assignee_name, &b.assignee_name);
    c.diff("major", &a.major, &b.major);
    c.diff("resolution_code", &a.resolution_code, &b.resolution_code);
    c.diff("resolution_notes", &a.resolution_notes, &b.resolution_notes);
    c.diff("reopen_count", &a.reopen_count, &b.reopen_count);
    c
}

pub async fn get(p: &Pools, number: &str, org: Option<i64>) -> Result<Incident> {
    sqlx::query_as(select!(
        " WHERE i.number = $1 AND ($2 IS NULL OR i.org_id = $2)"
    ))
    .bind(number)
    .bind(org)
    .fetch_optional(p.read())
    .await?
    .ok_or(StoreError::NotFound)
}

/// Appends the visibility scope and the filter to a query over `incidents i`.
fn filter_sql(q: &mut Sql, org: Option<i64>, f: &IncidentFilter) {
    q.push(" WHERE 1 = 1");
    if let Some(org) = org {
        q.push(" AND i.org_id = ").arg(Arg::I64(org));
    }
    if f.states.len() == 3
        && IncidentState::OPEN
            .iter()
            .all(|s| f.states.iter().any(|x| x == s.as_str()))
    {
        q.push(" AND ").push(OPEN_STATES);
    } else if !f.states.is_empty() {
        q.push(" AND i.state IN (");
        for (n, s) in f.states.iter().enumerate() {
            if n > 0 {
                q.push(", ");
            }
            q.arg(Arg::Text(s.clone()));
        }
        q.push(")");
    }
    if let Some(v) = f.priority {
        q.push(" AND i.priority = ").arg(Arg::I64(v));
    }
    if let Some(v) = f.service_id {
        q.push(" AND i.service_id = ").arg(Arg::I64(v));
    }
    if let Some(v) = f.assignee_id {
        q.push(" AND i.assignee_id = ").arg(Arg::I64(v));
    }
    if f.unassigned {
        q.push(" AND i.assignee_id IS NULL");
    }
    if let Some(groups) = &f.group_ids {
        if groups.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(" AND i.group_id IN (");
            for (n, g) in groups.iter().enumerate() {
                if n > 0 {
                    q.push(", ");
                }
                q.arg(Arg::I64(*g));
            }
            q.push(")");
        }
    }
    if let Some(v) = f.org_id {
        q.push(" AND i.org_id = ").arg(Arg::I64(v));
    }
    if let Some(v) = f.major {
        q.push(" AND i.major = ").arg(Arg::Bool(v));
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let escaped = text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        q.push(" AND (lower(i.title) LIKE ")
            .arg(Arg::Text(pattern.clone()))
            .push(" ESCAPE '\\' OR lower(i.description) LIKE ")
            .arg(Arg::Text(pattern))
            .push(" ESCAPE '\\' OR i.number = ")
            .arg(Arg::Text(text.to_uppercase()))
            .push(")");
    }
}

pub async fn list(
    p: &Pools,
    org: Option<i64>,
    f: &IncidentFilter,
    order: IncidentOrder,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page<Incident>> {
    let limit = limit.clamp(1, 500);
    let mut q = Sql::new(select!(""));
    filter_sql(&mut q, org, f);
    match (order, after) {
        (IncidentOrder::Newest, Some(c)) => {
            q.push(" AND (i.opened_at, i.id) < (")
                .arg(Arg::I64(c.opened_at))
                .push(", ")
                .arg(Arg::I64(c.id))
                .push(")");
        }
        (IncidentOrder::Priority, Some(c)) => {
            q.push(" AND (i.priority, i.opened_at, i.id) > (")
                .arg(Arg::I64(c.priority))
                .push(", ")
                .arg(Arg::I64(c.opened_at))
                .push(", ")
                .arg(Arg::I64(c.id))
                .push(")");
        }
        (_, None) => {}
    }
    q.push(match order {
        IncidentOrder::Newest => " ORDER BY i.opened_at DESC, i.id DESC LIMIT ",
        IncidentOrder::Priority => " ORDER BY i.priority, i.opened_at, i.id LIMIT ",
    })
    .arg(Arg::I64(limit + 1));
    let mut items: Vec<Incident> = q.fetch_all(p.read()).await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|i| Cursor {
            priority: i.priority,
            opened_at: i.opened_at,
            id: i.id,
        })
    } else {
        None
    };
    Ok(Page { items, next })
}

pub async fn count(p: &Pools, org: Option<i64>, f: &IncidentFilter, cap: i64) -> Result<i64> {
    let mut q = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM incidents i");
    filter_sql(&mut q, org, f);
    q.push(" LIMIT ").arg(Arg::I64(cap)).push(") capped");
    q.fetch_scalar(p.read()).await
}

pub async fn update<F>(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    org: Option<i64>,
    expected_version: Option<i64>,
    action: &str,
    change: F,
) -> Result<Incident>
where
    F: FnOnce(&Incident) -> Result<IncidentFields, RuleError>,
{
    let now = now_ms();
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM incidents WHERE number = $1 AND ($2 IS NULL OR org_id = $2){}",
        dialect::FOR_UPDATE
    )))
    .bind(number)
    .bind(org)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let before = by_id(&mut tx, id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    let f = change(&before)?;
    if f == before.fields() {
        return Ok(before);
    }
    let l = &f.lifecycle;
    sqlx::query(
        "UPDATE incidents SET title = $1, description = $2, category = $3, impact = $4, \
         urgency = $5, priority = $6, service_id = $7, group_id = $8, assignee_id = $9, major = $10, \
         state = $11, hold_reason = $12, resolution_code = $13, resolution_notes = $14, \
         first_response_at = $15, resolved_at = $16, closed_at = $17, reopen_count = $18, \
         updated_at = $19, version = version + 1 WHERE id = $20",
    )
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.category)
    .bind(f.impact)
    .bind(f.urgency)
    .bind(f.priority)
    .bind(f.service_id)
    .bind(f.group_id)
    .bind(f.assignee_id)
    .bind(f.major)
    .bind(l.state.as_str())
    .bind(l.hold_reason.map(|r| r.as_str()))
    .bind(l.resolution_code.map(|c| c.as_str()))
    .bind(l.resolution_notes.as_deref())
    .bind(l.first_response_at)
    .bind(l.resolved_at)
    .bind(l.closed_at)
    .bind(l.reopen_count)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let after = by_id(&mut tx, id).await?;
    let c = diff(&before, &after);
    append(
        &mut tx,
        actor,
        Some(after.org_id),
        "incident",
        number,
        action,
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn add_comment(
    p: &Pools,
    actor: &AuditActor,
    incident: &Incident,
    visibility: &str,
    body: &str,
    first_response: bool,
) -> Result<Comment> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let comment: Comment = sqlx::query_as(
        "INSERT INTO comments (incident_id, org_id, author_id, visibility, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, incident_id, author_id, NULL AS author_name, visibility, body, created_at",
    )
    .bind(incident.id)
    .bind(incident.org_id)
    .bind(actor.user_id)
    .bind(visibility)
    .bind(body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE incidents SET updated_at = $1, version = version + 1, first_response_at = \
         CASE WHEN $2 THEN COALESCE(first_response_at, $1) ELSE first_response_at END \
         WHERE id = $3",
    )
    .bind(now)
    .bind(first_response)
    .bind(incident.id)
    .execute(&mut *tx)
    .await?;
    let mut c = Changes::default();
    c.set("comment_id", &comment.id);
    c.set("visibility", &visibility);
    c.set("body", &body);
    let action = if visibility == "internal" {
        "work_note"
    } else {
        "comment"
    };
    append(
        &mut tx,
        actor,
        Some(incident.org_id),
        "incident",
        &incident.number,
        action,
        &c,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Comment {
        author_name: Some(actor.label.clone()),
        ..comment
    })
}

pub async fn comments(p: &Pools, incident_id: i64, include_internal: bool) -> Result<Vec<Comment>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.incident_id, c.author_id, u.name AS author_name, c.visibility, c.body, \
         c.created_at FROM comments c LEFT JOIN users u ON u.id = c.author_id \
         WHERE c.incident_id = $1 AND ($2 OR c.visibility = 'public') ORDER BY c.id",
    )
    .bind(incident_id)
    .bind(include_internal)
    .fetch_all(p.read())
    .await?)
}
