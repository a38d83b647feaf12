//! Incidents and their comments.

use steward_domain::RuleError;
use steward_domain::audit::Changes;
use steward_domain::incident::IncidentState;
use steward_domain::kind::INCIDENT;
use steward_domain::number::NumberKind;

use super::super::{Conn, Db, Pools};
use super::write::{Entry, Set};
use super::{
    Arg, Child, NumberedInsert, Sql, contains_pattern, insert_numbered, insert_numbered_alone,
};
use crate::{
    AuditActor, CallerRef, Comment, Cursor, ImportedIncident, Incident, IncidentFields,
    IncidentFilter, IncidentNames, IncidentOrder, IncidentRefs, IncidentRefsQuery, NewAttachment,
    NewIncident, NewJob, Page, Result, StoreError, now_ms,
};
use steward_domain::notify;
use steward_domain::sla::{self, SlaTerms};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT i.id, i.number, i.org_id, o.name AS org_name, i.service_id, \
             s.number AS service_number, s.name AS service_name, i.requester_id AS caller_id, c.name AS caller_name, \
             i.title, i.description, i.category, i.impact, i.urgency, i.priority, i.state, \
             i.hold_reason, i.group_id, g.name AS group_name, i.assignee_id, a.name AS assignee_name, \
             i.major, i.resolution_code, i.resolution_notes, i.reopen_count, i.opened_at, \
             i.first_response_at, i.resolved_at, i.closed_at, i.updated_at, i.version, i.sla_due_at \
             FROM work_records i \
             JOIN organisations o ON o.id = i.org_id \
             JOIN services s ON s.id = i.service_id \
             JOIN users c ON c.id = i.requester_id \
             LEFT JOIN assignment_groups g ON g.id = i.group_id \
             LEFT JOIN users a ON a.id = i.assignee_id \
             WHERE i.kind = 'incident'",
            $tail
        )
    };
}

/// The incident columns with their references' names, for queries that add
/// their own `WHERE`.
pub(crate) const SELECT_INCIDENT: &str = select!("");

/// The open states spelled exactly as in the partial indexes `work_records_open_*`,
/// so that both planners can use them.
const OPEN_STATES: &str = "i.state_category IN ('new', 'active', 'waiting')";

async fn by_id(conn: &mut Conn, id: i64) -> Result<Incident> {
    Ok(sqlx::query_as(select!(" AND i.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?)
}

/// An incident by its internal id, whoever may see it (background jobs).
pub async fn get_by_id(p: &Pools, id: i64) -> Result<Incident> {
    sqlx::query_as(select!(" AND i.id = $1"))
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// What a new incident's references are called, read before the write so that
/// the write itself stays one statement where the database allows it.
pub(super) async fn names<'c, E>(executor: E, new: &NewIncident) -> Result<IncidentNames>
where
    E: sqlx::Executor<'c, Database = Db>,
{
    if let Some(names) = &new.names {
        return Ok(names.clone());
    }
    sqlx::query_as(
        "SELECT o.name AS org_name, s.number AS service_number, s.name AS service_name, \
         c.name AS caller_name, g.name AS group_name, a.name AS assignee_name \
         FROM organisations o \
         JOIN services s ON s.id = $2 \
         JOIN users c ON c.id = $3 \
         LEFT JOIN assignment_groups g ON g.id = $4 \
         LEFT JOIN users a ON a.id = $5 \
         WHERE o.id = $1 AND ($4 IS NULL OR g.id IS NOT NULL) AND ($5 IS NULL OR a.id IS NOT NULL)",
    )
    .bind(new.org_id)
    .bind(new.fields.service_id)
    .bind(new.caller_id)
    .bind(new.fields.group_id)
    .bind(new.fields.assignee_id)
    .fetch_optional(executor)
    .await?
    .ok_or(StoreError::NotFound)
}

/// A new incident's references, found by what a user typed, in one read.
pub async fn refs(p: &Pools, q: &IncidentRefsQuery<'_>) -> Result<IncidentRefs> {
    let (caller_by, caller) = match q.caller {
        CallerRef::Id(id) => ("c.id = $1", Arg::I64(id)),
        CallerRef::Email(e) => ("c.email = $1", Arg::Text(e.trim().to_lowercase())),
    };
    let mut sql = Sql::new(&format!(
        "SELECT c.id AS caller_id, c.org_id AS caller_org_id, o.name AS caller_org_name, \
         c.name AS caller_name, c.role AS caller_role, c.active AS caller_active, \
         s.id AS service_id, s.number AS service_number, s.name AS service_name, \
         s.status AS service_status, EXISTS (SELECT 1 FROM service_customers sc \
         WHERE sc.service_id = s.id AND sc.org_id = c.org_id) AS service_delivered, \
         g.id AS group_id, g.name AS group_name, a.id AS assignee_id, a.name AS assignee_name, \
         a.role AS assignee_role, a.active AS assignee_active, EXISTS (SELECT 1 FROM \
         group_members m WHERE m.group_id = g.id AND m.user_id = a.id) AS assignee_in_group \
         FROM (SELECT 1 AS one) x \
         LEFT JOIN users c ON {caller_by} \
         LEFT JOIN organisations o ON o.id = c.org_id \
         LEFT JOIN services s ON s.number = $2 \
         LEFT JOIN assignment_groups g ON lower(g.name) = lower($3) \
         LEFT JOIN users a ON a.email = $4"
    ));
    sql.bind(caller)
        .bind(Arg::Text(q.service.to_owned()))
        .bind(Arg::OptText(q.group.map(str::to_owned)))
        .bind(Arg::OptText(q.assignee.map(|e| e.trim().to_lowercase())));
    sql.fetch_one(p.read()).await
}

const INSERT_COLUMNS: &[&str] = &[
    "kind",
    "org_id",
    "service_id",
    "requester_id",
    "title",
    "description",
    "category",
    "impact",
    "urgency",
    "priority",
    "state",
    "state_category",
    "hold_reason",
    "group_id",
    "assignee_id",
    "major",
    "resolution_code",
    "resolution_notes",
    "reopen_count",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "created_by",
    "updated_at",
    "sla_due_at",
];

/// Creates one incident with its audit entry: the record as it will read back
/// (id and number filled in by `write`), and its creation diff.
#[allow(clippy::too_many_arguments)]
pub(super) async fn insert<F>(
    actor: &AuditActor,
    terms: &SlaTerms,
    new: &NewIncident,
    names: IncidentNames,
    opened_at: i64,
    updated_at: i64,
    action: &str,
    notify: bool,
    write: F,
) -> Result<Incident>
where
    F: AsyncFnOnce(NumberedInsert<'_>) -> Result<(i64, String)>,
{
    let f = &new.fields;
    let l = &f.lifecycle;
    let mut created = Incident {
        id: 0,
        number: String::new(),
        org_id: new.org_id,
        org_name: names.org_name,
        service_id: f.service_id,
        service_number: names.service_number,
        service_name: names.service_name,
        caller_id: new.caller_id,
        caller_name: names.caller_name,
        title: f.title.clone(),
        description: f.description.clone(),
        category: f.category.clone(),
        impact: f.impact,
        urgency: f.urgency,
        priority: f.priority,
        state: crate::Code(l.state),
        hold_reason: l.hold_reason.map(crate::Code),
        group_id: f.group_id,
        group_name: names.group_name,
        assignee_id: f.assignee_id,
        assignee_name: names.assignee_name,
        major: f.major,
        resolution_code: l.resolution_code.map(crate::Code),
        resolution_notes: l.resolution_notes.clone(),
        reopen_count: l.reopen_count,
        opened_at,
        first_response_at: l.first_response_at,
        resolved_at: l.resolved_at,
        closed_at: l.closed_at,
        updated_at,
        version: 1,
        sla_due_at: sla::NEVER,
    };
    // Clocks start with the incident as it was opened; an import then brings
    // them to where its history left them.
    let clocks = sla::advance(terms, &created.case_facts().at_opening(), &[], opened_at);
    created.sla_due_at = super::sla::due_of(&clocks.clocks);
    let blank = Incident {
        title: String::new(),
        description: String::new(),
        category: String::new(),
        impact: 0,
        urgency: 0,
        priority: 0,
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
    let mut changes = diff_from("", &blank, &created);
    changes.set("caller", &created.caller_name);
    changes.set("organisation", &created.org_name);
    let args = vec![
        Arg::Text(INCIDENT.to_owned()),
        Arg::I64(new.org_id),
        Arg::I64(f.service_id),
        Arg::I64(new.caller_id),
        Arg::Text(f.title.clone()),
        Arg::Text(f.description.clone()),
        Arg::Text(f.category.clone()),
        Arg::I64(f.impact),
        Arg::I64(f.urgency),
        Arg::I64(f.priority),
        Arg::Text(created.state.as_str().to_owned()),
        Arg::Text(l.state.category().as_str().to_owned()),
        Arg::OptText(created.hold_reason.map(|h| h.as_str().to_owned())),
        Arg::OptI64(f.group_id),
        Arg::OptI64(f.assignee_id),
        Arg::Bool(f.major),
        Arg::OptText(created.resolution_code.map(|c| c.as_str().to_owned())),
        Arg::OptText(created.resolution_notes.clone()),
        Arg::I64(l.reopen_count),
        Arg::I64(opened_at),
        Arg::OptI64(l.first_response_at),
        Arg::OptI64(l.resolved_at),
        Arg::OptI64(l.closed_at),
        Arg::OptI64(actor.user_id),
        Arg::I64(updated_at),
        Arg::I64(created.sla_due_at),
    ];
    debug_assert_eq!(args.len(), INSERT_COLUMNS.len());
    let mut children: Vec<Child> = clocks
        .clocks
        .iter()
        .map(|c| Child {
            table: "sla_clocks",
            parent_column: "record_id",
            columns: super::sla::CLOCK_COLUMNS,
            args: super::sla::clock_args(new.org_id, c),
        })
        .collect();
    // A clock stopped at once (a group's response, taken on creation) keeps
    // its interval, as any other.
    children.extend(clocks.intervals.iter().map(|i| Child {
        table: "sla_intervals",
        parent_column: "record_id",
        columns: super::sla::INTERVAL_COLUMNS,
        args: super::sla::interval_args(i),
    }));
    if notify {
        for e in notify::events(None, created.snapshot()) {
            let job = NewJob::notify(e, 0, actor.user_id, None);
            children.push(super::jobs::child(&job, opened_at));
        }
    }
    let (id, number) = write(NumberedInsert {
        kind: NumberKind::Incident,
        table: "work_records",
        columns: INSERT_COLUMNS,
        args,
        actor,
        org_id: Some(new.org_id),
        record_type: "incident",
        action,
        changes: &changes,
        at: opened_at,
        children,
    })
    .await?;
    created.id = id;
    created.number = number;
    Ok(created)
}

/// One incident, written on its own: on PostgreSQL in a group insert with
/// concurrent creations.
pub async fn create(
    p: &Pools,
    actor: &AuditActor,
    terms: &SlaTerms,
    new: &NewIncident,
) -> Result<Incident> {
    let now = now_ms();
    let names = names(p.read(), new).await?;
    insert(
        actor,
        terms,
        new,
        names,
        now,
        now,
        "create",
        p.notify,
        async |ins| insert_numbered_alone(p, ins).await,
    )
    .await
}

pub async fn import(
    p: &Pools,
    actor: &AuditActor,
    terms: &SlaTerms,
    items: &[ImportedIncident],
) -> Result<usize> {
    let mut tx = p.begin().await?;
    for item in items {
        let l = &item.incident.fields.lifecycle;
        let last = [l.first_response_at, l.resolved_at, l.closed_at]
            .into_iter()
            .flatten()
            .chain(item.comments.iter().map(|c| c.created_at))
            .fold(item.opened_at, i64::max);
        let names = names(&mut *tx, &item.incident).await?;
        let inc = insert(
            actor,
            terms,
            &item.incident,
            names,
            item.opened_at,
            last,
            "import",
            // Imports bring history, not news: they notify no one.
            false,
            async |ins| insert_numbered(&mut tx, ins).await,
        )
        .await?;
        for c in &item.comments {
            sqlx::query(
                "INSERT INTO comments (record_id, org_id, author_id, visibility, body, created_at) \
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
        // The clocks as they stand after the incident's history: the last step at its last change.
        {
            let before = super::sla::clocks_of(&mut *tx, inc.id).await?;
            let mut a = sla::advance(terms, &inc.case_facts(), &before, last);
            // Imports bring history, not news: what the clocks crossed before
            // today is marked without notifications.
            let now = now_ms();
            for c in &mut a.clocks {
                sla::fire(c, now);
            }
            let mut ignored = Changes::default();
            super::sla::save(&mut tx, inc.id, inc.org_id, &before, &a, &mut ignored).await?;
        }
    }
    tx.commit().await?;
    Ok(items.len())
}

/// What changed between two versions of an incident, with references by name.
fn diff(a: &Incident, b: &Incident) -> Changes {
    diff_from(a.state.as_str(), a, b)
}

/// [`diff`] from a state given as text: a new incident's starts from nothing.
fn diff_from(state_before: &str, a: &Incident, b: &Incident) -> Changes {
    let mut c = Changes::default();
    c.diff("title", &a.title, &b.title);
    c.diff("description", &a.description, &b.description);
    c.diff("service", &a.service_number, &b.service_number);
    c.diff("category", &a.category, &b.category);
    c.diff("impact", &a.impact, &b.impact);
    c.diff("urgency", &a.urgency, &b.urgency);
    c.diff("priority", &a.priority, &b.priority);
    c.diff("state", &state_before, &b.state.as_str());
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
        " AND i.number = $1 AND ($2 IS NULL OR i.org_id = $2)"
    ))
    .bind(number)
    .bind(org)
    .fetch_optional(p.read())
    .await?
    .ok_or(StoreError::NotFound)
}

/// Appends the visibility scope and the filter to a query over `incidents i`.
fn filter_sql(q: &mut Sql, org: Option<i64>, f: &IncidentFilter) {
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
        q.push(" AND i.state IN ")
            .list(f.states.iter().cloned().map(Arg::Text));
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
            q.push(" AND i.group_id IN ")
                .list(groups.iter().copied().map(Arg::I64));
        }
    }
    if let Some(v) = f.org_id {
        q.push(" AND i.org_id = ").arg(Arg::I64(v));
    }
    if let Some(v) = f.major {
        q.push(" AND i.major = ").arg(Arg::Bool(v));
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = contains_pattern(text);
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
        (IncidentOrder::Due, Some(c)) => {
            q.push(" AND (i.sla_due_at, i.id) > (")
                .arg(Arg::I64(c.sla_due_at))
                .push(", ")
                .arg(Arg::I64(c.id))
                .push(")");
        }
        (_, None) => {}
    }
    q.push(match order {
        IncidentOrder::Newest => " ORDER BY i.opened_at DESC, i.id DESC LIMIT ",
        IncidentOrder::Priority => " ORDER BY i.priority, i.opened_at, i.id LIMIT ",
        IncidentOrder::Due => " ORDER BY i.sla_due_at, i.id LIMIT ",
    })
    .arg(Arg::I64(limit + 1));
    let mut items: Vec<Incident> = q.fetch_all(p.read()).await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|i| Cursor {
            priority: i.priority,
            opened_at: i.opened_at,
            id: i.id,
            sla_due_at: i.sla_due_at,
        })
    } else {
        None
    };
    Ok(Page { items, next })
}

pub async fn count(p: &Pools, org: Option<i64>, f: &IncidentFilter, cap: i64) -> Result<i64> {
    let mut q =
        Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM work_records i WHERE i.kind = 'incident'");
    filter_sql(&mut q, org, f);
    q.push(" LIMIT ").arg(Arg::I64(cap)).push(") capped");
    q.fetch_scalar(p.read()).await
}

#[allow(clippy::too_many_arguments)]
pub async fn update<F>(
    p: &Pools,
    actor: &AuditActor,
    terms: &SlaTerms,
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
    let id = super::records::lock(&mut tx, "incident", number, org).await?;
    let before = by_id(&mut tx, id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    let f = change(&before)?;
    if f == before.fields() {
        return Ok(before);
    }
    let l = &f.lifecycle;
    let set = vec![
        Set::to("title", Arg::Text(f.title.clone())),
        Set::to("description", Arg::Text(f.description.clone())),
        Set::to("category", Arg::Text(f.category.clone())),
        Set::to("impact", Arg::I64(f.impact)),
        Set::to("urgency", Arg::I64(f.urgency)),
        Set::to("priority", Arg::I64(f.priority)),
        Set::to("service_id", Arg::I64(f.service_id)),
        Set::to("group_id", Arg::OptI64(f.group_id)),
        Set::to("assignee_id", Arg::OptI64(f.assignee_id)),
        Set::to("major", Arg::Bool(f.major)),
        Set::to("state", Arg::Text(l.state.as_str().to_owned())),
        Set::to(
            "state_category",
            Arg::Text(l.state.category().as_str().to_owned()),
        ),
        Set::to(
            "hold_reason",
            Arg::OptText(l.hold_reason.map(|r| r.as_str().to_owned())),
        ),
        Set::to(
            "resolution_code",
            Arg::OptText(l.resolution_code.map(|c| c.as_str().to_owned())),
        ),
        Set::to("resolution_notes", Arg::OptText(l.resolution_notes.clone())),
        Set::to("first_response_at", Arg::OptI64(l.first_response_at)),
        Set::to("resolved_at", Arg::OptI64(l.resolved_at)),
        Set::to("closed_at", Arg::OptI64(l.closed_at)),
        Set::to("reopen_count", Arg::I64(l.reopen_count)),
    ];
    let written = super::records::change(&mut tx, id, Some(before.version), set, now).await?;
    let mut after = by_id(&mut tx, id).await?;
    let mut c = diff(&before, &after);
    let clocks = super::sla::clocks_of(&mut *tx, id).await?;
    let a = sla::advance(terms, &after.case_facts(), &clocks, now);
    super::sla::save(&mut tx, id, after.org_id, &clocks, &a, &mut c).await?;
    after.sla_due_at = super::sla::due_of(&a.clocks);
    let events = if p.notify {
        notify::events(Some(before.snapshot()), after.snapshot())
    } else {
        Vec::new()
    };
    for e in events {
        let job = NewJob::notify(e, id, actor.user_id, None);
        super::jobs::enqueue(&mut tx, &job, now).await?;
    }
    let entry = Entry {
        actor,
        org_id: Some(after.org_id),
        record_type: "incident",
        record_number: number,
        action,
        changes: &c,
    };
    written.audit(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(after)
}

#[allow(clippy::too_many_arguments)]
pub async fn add_comment(
    p: &Pools,
    actor: &AuditActor,
    terms: &SlaTerms,
    incident: &Incident,
    visibility: &str,
    body: &str,
    first_response: bool,
    files: &[NewAttachment],
) -> Result<Comment> {
    let now = now_ms();
    let mut tx = p.begin().await?;
    let comment = comment_in(
        &mut tx,
        p.notify,
        actor,
        terms,
        incident,
        visibility,
        body,
        first_response,
        now,
    )
    .await?;
    super::records::attach_to_comment(&mut tx, actor, &incident.record_ref(), &comment, files, now)
        .await?;
    tx.commit().await?;
    Ok(Comment {
        author_name: Some(actor.label.clone()),
        ..comment
    })
}

/// A comment or work note on an incident inside `conn`'s transaction, with
/// what it causes: the first response (which stops the response clock), the
/// notification job (when `notify`) and its audit entry.
#[allow(clippy::too_many_arguments)]
pub(super) async fn comment_in(
    conn: &mut Conn,
    notify: bool,
    actor: &AuditActor,
    terms: &SlaTerms,
    incident: &Incident,
    visibility: &str,
    body: &str,
    first_response: bool,
    now: i64,
) -> Result<Comment> {
    let record = incident.record_ref();
    let comment =
        super::records::insert_comment(&mut *conn, actor, &record, visibility, body, now).await?;
    let first = Arg::OptI64(first_response.then_some(now));
    let set = vec![Set::once("first_response_at", first)];
    let moved = super::records::change(&mut *conn, incident.id, None, set, now).await?;
    let mut c = Changes::default();
    if first_response && incident.first_response_at.is_none() {
        // The first response stops the response clock.
        let after = by_id(&mut *conn, incident.id).await?;
        let clocks = super::sla::clocks_of(&mut *conn, incident.id).await?;
        let a = sla::advance(terms, &after.case_facts(), &clocks, now);
        super::sla::save(
            &mut *conn,
            incident.id,
            incident.org_id,
            &clocks,
            &a,
            &mut c,
        )
        .await?;
    }
    if notify {
        let event = notify::comment_event(if visibility == "internal" {
            steward_domain::incident::CommentVisibility::Internal
        } else {
            steward_domain::incident::CommentVisibility::Public
        });
        let job = NewJob::notify(event, incident.id, actor.user_id, Some(comment.id));
        super::jobs::enqueue(&mut *conn, &job, now).await?;
    }
    super::records::comment_audit(&mut *conn, moved, actor, &record, &comment, c).await?;
    Ok(comment)
}

const SELECT_COMMENT: &str = "SELECT c.id, c.record_id, c.author_id, u.name AS author_name, \
     c.visibility, c.body, c.created_at FROM comments c LEFT JOIN users u ON u.id = c.author_id";

pub async fn comments(p: &Pools, record_id: i64, include_internal: bool) -> Result<Vec<Comment>> {
    let sql = format!(
        "{SELECT_COMMENT} WHERE c.record_id = $1 AND ($2 OR c.visibility = 'public') ORDER BY c.id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(record_id)
        .bind(include_internal)
        .fetch_all(p.read())
        .await?)
}

/// One comment of an incident; callers check who may see it.
pub async fn comment(p: &Pools, record_id: i64, id: i64) -> Result<Comment> {
    let sql = format!("{SELECT_COMMENT} WHERE c.record_id = $1 AND c.id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(record_id)
        .bind(id)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}
