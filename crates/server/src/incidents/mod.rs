//! Incident operations shared by the API, the web UI and the CLI: each resolves
//! references, asks the policy, applies the domain's rules and hands the
//! result to the store. Handlers only translate to and from HTTP.

pub mod api;
pub mod web;

use serde::Deserialize;
use steward_domain::access::{Action, Actor, Role, Visibility};
use steward_domain::error::Problems;
use steward_domain::incident::{self, CommentVisibility, IncidentDraft, IncidentState, Transition};
use steward_domain::kind::{Kind, Verb};
use steward_domain::number::NumberKind;
use steward_domain::priority::{Level, Priority};
use steward_domain::text;
use steward_store::{
    AuditActor, AuditEntry, CallerRef, Comment, Cursor, Incident, IncidentFields, IncidentFilter,
    IncidentNames, IncidentOrder, IncidentRefsQuery, NewAttachment, NewIncident, StoreError, User,
    now_ms,
};

use crate::AppState;
use crate::error::{AppError, AppResult};

use crate::paging::ListBasics;
use crate::policy::require;

/// Fields of a new incident as people give them (references by number, name or e-mail).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Service number, e.g. `SVC-0001`.
    pub service: String,
    /// One of general, hardware, software, network, access, security, data (default general).
    pub category: Option<String>,
    /// 1 high, 2 medium, 3 low (default 3).
    pub impact: Option<i64>,
    /// 1 high, 2 medium, 3 low (default 3).
    pub urgency: Option<i64>,
    /// Caller's e-mail (staff only; default: yourself). The incident belongs to the caller's organisation.
    pub caller: Option<String>,
    /// Assignment group name (staff only).
    pub group: Option<String>,
    /// Assignee's e-mail (staff only; must be in the group when one is given).
    pub assignee: Option<String>,
    /// Major incident (staff only).
    #[serde(default)]
    pub major: bool,
}

/// Changes to an incident; absent fields stay as they are, `null` clears group or assignee.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub service: Option<String>,
    pub category: Option<String>,
    pub impact: Option<i64>,
    pub urgency: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub group: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    pub major: Option<bool>,
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A lifecycle step.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// start, hold, resume, resolve, close, reopen or cancel.
    pub action: String,
    /// For hold: awaiting_customer, awaiting_supplier or awaiting_change.
    pub hold_reason: Option<String>,
    /// For resolve: fixed, workaround, no_fault_found, user_error, duplicate or other.
    pub resolution_code: Option<String>,
    /// For resolve: what was done.
    pub resolution_notes: Option<String>,
}

/// A comment (public) or work note (internal).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
    /// `public` (default, the customer sees it) or `internal` (a work note for staff).
    pub visibility: Option<String>,
}

/// The canonical incident number, or 404 for anything that is not one.
pub fn incident_number(s: &str) -> AppResult<String> {
    NumberKind::Incident.canonical(s).ok_or(AppError::NotFound)
}

pub(crate) async fn lookup_staff(
    state: &AppState,
    p: &mut Problems,
    field: &str,
    email: &str,
) -> Option<User> {
    let found = state.store.user_by_email(email).await.ok();
    let seen = found.as_ref().map(|u| (u.role().is_staff(), u.active));
    staff_usable(p, field, email, seen)
        .then_some(found)
        .flatten()
}

/// Whether the user found by `email` (`(is staff, active)`, `None` when there
/// is none) may be assigned; says why not.
fn staff_usable(p: &mut Problems, field: &str, email: &str, found: Option<(bool, bool)>) -> bool {
    match found {
        Some((true, true)) => true,
        Some(_) => {
            p.add(field, "must be an active member of the provider's staff");
            false
        }
        None => {
            p.add(field, format!("no user with e-mail {email:?}"));
            false
        }
    }
}

pub(crate) async fn lookup_group(state: &AppState, p: &mut Problems, name: &str) -> Option<i64> {
    let found = state.store.group_by_name(name).await.ok().map(|g| g.id);
    group_usable(p, name, found)
}

fn group_usable(p: &mut Problems, name: &str, found: Option<i64>) -> Option<i64> {
    if found.is_none() {
        p.add("group", format!("no assignment group named {name:?}"));
    }
    found
}

/// The canonical service number, or a problem.
fn service_number(p: &mut Problems, typed: &str) -> Option<String> {
    let number = NumberKind::Service.canonical(typed);
    if number.is_none() {
        p.add("service", "must be a service number such as SVC-0001");
    }
    number
}

/// A service that `org_id` may raise incidents against: received by it (any
/// service, for the provider's own organisation) and not retired.
pub(crate) async fn lookup_service(
    state: &AppState,
    p: &mut Problems,
    number: &str,
    org_id: i64,
    provider: bool,
) -> Option<i64> {
    let number = service_number(p, number)?;
    let scope = if provider {
        Visibility::All
    } else {
        Visibility::Organisation(org_id)
    };
    let found = state.store.service(&number, scope).await.ok();
    if provider && found.is_none() {
        p.add("service", format!("no service {number}"));
        return None;
    }
    service_usable(p, &number, found.as_ref().map(|s| s.status.as_str()))
        .then(|| found.map(|s| s.id))
        .flatten()
}

/// Whether a service the organisation receives (`status` is `None` when it
/// does not, or there is no such service) may take new incidents; says why not.
fn service_usable(p: &mut Problems, number: &str, status: Option<&str>) -> bool {
    match status {
        None => {
            p.add(
                "service",
                format!("{number} is not a service delivered to this organisation"),
            );
            false
        }
        Some("retired") => {
            p.add("service", format!("{number} is retired"));
            false
        }
        Some(_) => true,
    }
}

pub async fn create(state: &AppState, actor: &Actor, input: &IncidentInput) -> AppResult<Incident> {
    let new = prepare(state, actor, input).await?;
    Ok(state
        .store
        .create_incident(&AuditActor::from(actor), &new)
        .await?)
}

/// An incident as the actor may open it, every rule checked (the same for
/// the API, the form and e-mail), ready for the store.
pub async fn prepare(
    state: &AppState,
    actor: &Actor,
    input: &IncidentInput,
) -> AppResult<NewIncident> {
    require(actor, Action::Work(Kind::Incident, Verb::Create), None)?;
    let mut p = Problems::default();
    let draft = IncidentDraft::parse(
        &input.title,
        &input.description,
        input.category.as_deref(),
        input.impact,
        input.urgency,
        input.major,
    );
    let draft = match draft {
        Ok(d) => Some(d),
        Err(e) => {
            p.merge(e);
            None
        }
    };
    let staff = actor.role.is_staff();
    if !staff {
        for (field, given) in [
            ("caller", input.caller.is_some()),
            ("group", input.group.is_some()),
            ("assignee", input.assignee.is_some()),
            ("major", input.major),
        ] {
            if given {
                p.add(field, "is set by the service desk");
            }
        }
    }
    // Every reference in one read; each is then checked as the user typed it.
    let service = service_number(&mut p, &input.service);
    let caller = input.caller.as_deref().filter(|_| staff);
    let group = input
        .group
        .as_deref()
        .filter(|g| staff && !g.trim().is_empty());
    let assignee = input
        .assignee
        .as_deref()
        .filter(|e| staff && !e.trim().is_empty());
    let refs = state
        .store
        .incident_refs(&IncidentRefsQuery {
            caller: caller.map_or(CallerRef::Id(actor.user_id), CallerRef::Email),
            service: service.as_deref().unwrap_or_default(),
            group,
            assignee,
        })
        .await?;
    // Staff belong to the provider, customers to a customer organisation
    // (`UserDraft::check_org`), so the caller's role tells their organisation's kind.
    let caller_role = refs.caller_role.as_deref().and_then(Role::parse);
    let (caller_id, org_id, provider) = match (refs.caller_id, refs.caller_org_id, caller_role) {
        (Some(id), Some(org), Some(role)) if refs.caller_active == Some(true) => {
            (id, org, role.is_staff())
        }
        _ => {
            if let Some(email) = caller {
                p.add("caller", format!("no active user with e-mail {email:?}"));
            }
            (actor.user_id, actor.org_id, staff)
        }
    };
    // A service the caller's organisation may raise incidents against:
    // received by it (any service, for the provider's own) and not retired.
    let service_id = match &service {
        None => None,
        Some(number) => {
            let received = provider || refs.service_delivered;
            let status = refs.service_status.as_deref().filter(|_| received);
            service_usable(&mut p, number, status)
                .then_some(refs.service_id)
                .flatten()
        }
    };
    let group_id = group.and_then(|name| group_usable(&mut p, name, refs.group_id));
    let assignee_id = assignee.and_then(|email| {
        let seen = refs.assignee_id.map(|_| {
            let staff = refs.assignee_role.as_deref().and_then(Role::parse);
            (
                staff.is_some_and(Role::is_staff),
                refs.assignee_active == Some(true),
            )
        });
        staff_usable(&mut p, "assignee", email, seen)
            .then_some(refs.assignee_id)
            .flatten()
    });
    if group_id.is_some() && assignee_id.is_some() && !refs.assignee_in_group {
        p.add(
            "assignee",
            format!(
                "{} is not a member of the assignment group",
                refs.assignee_name.as_deref().unwrap_or_default()
            ),
        );
    }
    let (Some(draft), Some(service_id)) = (draft, service_id) else {
        return Err(p
            .finish(())
            .err()
            .map(AppError::from)
            .unwrap_or(AppError::NotFound));
    };
    p.finish(())?;
    let fields = IncidentFields {
        priority: state.matrix.priority(draft.impact, draft.urgency).get() as i64,
        title: draft.title,
        description: draft.description,
        category: draft.category,
        impact: draft.impact.get() as i64,
        urgency: draft.urgency.get() as i64,
        service_id,
        group_id,
        assignee_id,
        major: draft.major,
        lifecycle: incident::Lifecycle::opened(),
    };
    let names = IncidentNames {
        org_name: refs.caller_org_name.unwrap_or_default(),
        service_number: refs.service_number.unwrap_or_default(),
        service_name: refs.service_name.unwrap_or_default(),
        caller_name: refs.caller_name.unwrap_or_default(),
        group_name: refs.group_name.filter(|_| group_id.is_some()),
        assignee_name: refs.assignee_name.filter(|_| assignee_id.is_some()),
    };
    Ok(NewIncident {
        org_id,
        caller_id,
        fields,
        names: Some(names),
    })
}

async fn check_membership(
    state: &AppState,
    p: &mut Problems,
    group_id: Option<i64>,
    assignee: Option<&User>,
) -> AppResult<()> {
    if let (Some(g), Some(a)) = (group_id, assignee)
        && !state.store.is_group_member(g, a.id).await?
    {
        p.add(
            "assignee",
            format!("{} is not a member of the assignment group", a.name),
        );
    }
    Ok(())
}

/// An incident the actor may see, or 404.
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Incident> {
    let number = incident_number(number)?;
    let inc = state.store.incident(&number, Visibility::of(actor)).await?;
    require(
        actor,
        Action::Work(Kind::Incident, Verb::Read),
        Some(inc.org_id),
    )?;
    Ok(inc)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &IncidentPatch,
    if_match: Option<i64>,
) -> AppResult<Incident> {
    let current = get(state, actor, number).await?;
    require(
        actor,
        Action::Work(Kind::Incident, Verb::Update),
        Some(current.org_id),
    )?;
    current
        .state()
        .check_changeable()
        .map_err(|e| AppError::InvalidTransition(e.to_string()))?;
    let mut p = Problems::default();
    let title = patch
        .title
        .as_deref()
        .map(|t| text::required_line(&mut p, "title", t, text::LINE_MAX));
    let description = patch
        .description
        .as_deref()
        .map(|d| text::optional_body(&mut p, "description", d, text::BODY_MAX));
    let category = patch
        .category
        .as_deref()
        .map(|c| incident::parse_category(&mut p, c));
    let impact = patch
        .impact
        .map(|v| incident::parse_level(&mut p, "impact", v));
    let urgency = patch
        .urgency
        .map(|v| incident::parse_level(&mut p, "urgency", v));
    // References are resolved only for the fields the patch names; the others
    // are left as they are in the record read inside the transaction below.
    let service_id = match &patch.service {
        Some(s) => {
            let provider = state.store.org_by_id(current.org_id).await?.kind == "provider";
            Some(lookup_service(state, &mut p, s, current.org_id, provider).await)
        }
        None => None,
    };
    let group_id = match &patch.group {
        Some(Some(g)) if !g.trim().is_empty() => Some(lookup_group(state, &mut p, g).await),
        Some(_) => Some(None),
        None => None,
    };
    let assignee = match &patch.assignee {
        Some(Some(e)) if !e.trim().is_empty() => {
            Some(lookup_staff(state, &mut p, "assignee", e).await)
        }
        Some(_) => Some(None),
        None => None,
    };
    let effective_group = group_id.unwrap_or(current.group_id);
    // Moving to another group without naming an assignee drops an assignee who is not in it.
    let drop_assignee = match (group_id, &assignee, current.assignee_id) {
        (Some(Some(g)), None, Some(a)) => !state.store.is_group_member(g, a).await?,
        _ => false,
    };
    if let Some(Some(a)) = &assignee {
        check_membership(state, &mut p, effective_group, Some(a)).await?;
    }
    p.finish(())?;
    let matrix = state.matrix.clone();
    let updated = state
        .store
        .update_incident(
            &AuditActor::from(actor),
            &current.number,
            Visibility::of(actor),
            if_match,
            "update",
            move |inc| {
                inc.state().check_changeable()?;
                let mut f = inc.fields();
                if let Some(t) = title {
                    f.title = t;
                }
                if let Some(d) = description {
                    f.description = d;
                }
                if let Some(c) = category {
                    f.category = c;
                }
                let impact = impact.or(Level::new(f.impact)).unwrap_or(Level::LOW);
                let urgency = urgency.or(Level::new(f.urgency)).unwrap_or(Level::LOW);
                f.impact = impact.get() as i64;
                f.urgency = urgency.get() as i64;
                f.priority = matrix.priority(impact, urgency).get() as i64;
                if let Some(Some(s)) = service_id {
                    f.service_id = s;
                }
                if let Some(g) = group_id {
                    f.group_id = g;
                }
                if let Some(a) = assignee {
                    f.assignee_id = a.map(|u| u.id);
                } else if drop_assignee {
                    f.assignee_id = None;
                }
                if let Some(m) = patch.major {
                    f.major = m;
                }
                Ok(f)
            },
        )
        .await?;
    Ok(updated)
}

pub async fn transition(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &TransitionInput,
    if_match: Option<i64>,
) -> AppResult<Incident> {
    let current = get(state, actor, number).await?;
    require(
        actor,
        Action::Work(Kind::Incident, Verb::Transition),
        Some(current.org_id),
    )?;
    let t = Transition::parse(
        input.action.trim(),
        input.hold_reason.as_deref(),
        input.resolution_code.as_deref(),
        input.resolution_notes.as_deref(),
    )?;
    let by_staff = actor.role.is_staff();
    if !by_staff && !t.customer_may() {
        return Err(AppError::Forbidden(
            "customers may cancel a new incident, or close or reopen a resolved one".into(),
        ));
    }
    let updated = state
        .store
        .update_incident(
            &AuditActor::from(actor),
            &current.number,
            Visibility::of(actor),
            if_match,
            t.name(),
            |inc| {
                let mut f = inc.fields();
                f.lifecycle = inc.lifecycle().apply(&t, now_ms(), by_staff)?;
                Ok(f)
            },
        )
        .await;
    match updated {
        Err(StoreError::Rule(r)) => Err(r.into()),
        other => Ok(other?),
    }
}

/// What a comment on an incident adds to the kernel's (`records::comment`,
/// which has checked it): the first response, which stops the response
/// clock, and the notification, written with it in one transaction.
pub async fn comment(
    state: &AppState,
    actor: &Actor,
    r: &steward_store::RecordRef,
    visibility: CommentVisibility,
    body: &str,
    files: &[NewAttachment],
) -> AppResult<Comment> {
    let inc = get(state, actor, &r.number).await?;
    let first = incident::is_response(actor.role.is_staff(), visibility);
    Ok(state
        .store
        .add_comment(
            &AuditActor::from(actor),
            &inc,
            visibility.as_str(),
            body,
            first,
            files,
        )
        .await?)
}

/// Comments the actor may read: customers never see work notes.
pub async fn comments(state: &AppState, actor: &Actor, inc: &Incident) -> AppResult<Vec<Comment>> {
    Ok(state.store.comments(inc.id, actor.role.is_staff()).await?)
}

/// Filters and paging of the incident list.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Comma-separated states, or `open` for new, in_progress and on_hold.
    pub state: Option<String>,
    /// P1..P5.
    pub priority: Option<String>,
    /// Service number.
    pub service: Option<String>,
    /// Assignee e-mail, `me`, or `none` for unassigned.
    pub assignee: Option<String>,
    /// Assignment group name, or `mine` for the caller's groups.
    pub group: Option<String>,
    /// Customer organisation name.
    pub organisation: Option<String>,
    pub major: Option<bool>,
    /// Text in title or description, or an incident number.
    pub q: Option<String>,
    /// `newest` (default), `priority` (most urgent, then oldest, first) or
    /// `due` (least SLA time left first; incidents without a running clock last).
    pub order: Option<String>,
    /// 1..500, default 50.
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Turns list parameters into a store filter; shared by the API and the web list.
pub async fn build_filter(
    state: &AppState,
    actor: &Actor,
    p: &ListParams,
) -> AppResult<(IncidentFilter, IncidentOrder, Option<Cursor>, i64)> {
    require(actor, Action::Work(Kind::Incident, Verb::Read), None)?;
    let mut f = IncidentFilter::default();
    if !actor.role.is_staff() {
        // Customers see one organisation; filters by people, groups or other
        // organisations would only let them probe which names exist.
        for (field, given) in [
            ("assignee", &p.assignee),
            ("group", &p.group),
            ("organisation", &p.organisation),
        ] {
            if given.as_deref().is_some_and(|v| !v.is_empty()) {
                return Err(AppError::field(field, "is not available to customers"));
            }
        }
    }
    let mut problems = Problems::default();
    let basics = ListBasics::parse::<IncidentState>(
        &mut problems,
        p.state.as_deref(),
        p.q.as_deref(),
        p.cursor.as_deref(),
        p.limit,
        500,
    );
    problems.finish(())?;
    f.states = basics.states;
    f.text = basics.text;
    if let Some(pr) = p.priority.as_deref().filter(|s| !s.is_empty()) {
        let pr = Priority::parse(pr)
            .ok_or_else(|| AppError::field("priority", "must be one of P1..P5"))?;
        f.priority = Some(pr.get() as i64);
    }
    if let Some(s) = p.service.as_deref().filter(|s| !s.is_empty()) {
        let number = steward_domain::number::NumberKind::Service
            .canonical(s)
            .ok_or_else(|| {
                AppError::field("service", "must be a service number such as SVC-0001")
            })?;
        let svc = state
            .store
            .service(&number, Visibility::of(actor))
            .await
            .map_err(|_| AppError::field("service", format!("no service {number}")))?;
        f.service_id = Some(svc.id);
    }
    match p.assignee.as_deref().filter(|s| !s.is_empty()) {
        None => {}
        Some("me") => f.assignee_id = Some(actor.user_id),
        Some("none") => f.unassigned = true,
        Some(email) => {
            let u = state.store.user_by_email(email).await.map_err(|_| {
                AppError::field("assignee", format!("no user with e-mail {email:?}"))
            })?;
            f.assignee_id = Some(u.id);
        }
    }
    match p.group.as_deref().filter(|s| !s.is_empty()) {
        None => {}
        Some("mine") => f.group_ids = Some(state.store.groups_of_user(actor.user_id).await?),
        Some(name) => {
            let g = state.store.group_by_name(name).await.map_err(|_| {
                AppError::field("group", format!("no assignment group named {name:?}"))
            })?;
            f.group_ids = Some(vec![g.id]);
        }
    }
    if let Some(name) = p.organisation.as_deref().filter(|s| !s.is_empty()) {
        let o = state.store.org_by_name(name).await.map_err(|_| {
            AppError::field("organisation", format!("no organisation named {name:?}"))
        })?;
        f.org_id = Some(o.id);
    }
    f.major = p.major;
    let order = match p.order.as_deref() {
        None | Some("") | Some("newest") => IncidentOrder::Newest,
        Some("priority") => IncidentOrder::Priority,
        Some("due") => IncidentOrder::Due,
        Some(_) => {
            return Err(AppError::field("order", "must be newest, priority or due"));
        }
    };
    Ok((f, order, basics.cursor, basics.limit))
}

/// The incident's history, oldest first; customers do not see work notes.
pub async fn history(
    state: &AppState,
    actor: &Actor,
    inc: &Incident,
) -> AppResult<Vec<AuditEntry>> {
    crate::records::history_of(state, actor, "incident", &inc.number).await
}

/// Whether the actor may raise an incident (the form is shown only then).
pub fn may_raise(actor: &Actor) -> AppResult<()> {
    require(actor, Action::Work(Kind::Incident, Verb::Create), None)
}
