//! Operations on any work record (the kernel, ADR 0010): finding one by its
//! number under the policy, typed links, comments on kinds without clocks,
//! history. Each kind's own operations call these; so do the API and the web.

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor, Visibility};
use steward_domain::audit::FieldChange;
use steward_domain::error::Problems;
use steward_domain::incident::CommentVisibility;
use steward_domain::kind::{Kind, RecordDraft, StateCategory, Verb};
use steward_domain::link::LinkType;
use steward_domain::text;
use steward_store::{
    AuditActor, AuditEntry, Comment, NewAttachment, RecordCore, RecordLink, RecordRef,
};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::incidents::CommentInput;
use crate::policy::require;

/// A record the actor may see, by its number of any kind; 404 otherwise.
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<RecordRef> {
    let (kind, number) = Kind::canonical_number(number).ok_or(AppError::NotFound)?;
    let r = state.store.record(&number, Visibility::of(actor)).await?;
    if r.kind()? != kind {
        return Err(AppError::NotFound);
    }
    require(actor, Action::Work(kind, Verb::Read), scope_org(&r))?;
    Ok(r)
}

/// The organisation whose customers a record belongs to, as the policy
/// asks it: none for an article, the provider's own, which a customer who
/// found it found published to them (the store's rule of what they read).
pub fn scope_org(r: &RecordRef) -> Option<i64> {
    (r.kind != steward_domain::kind::ARTICLE).then_some(r.org_id)
}

/// A record of `kind` the actor may see, by its number; 404 for a number
/// of another kind (an incident's number under `/problems/`).
pub async fn get_of(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    number: &str,
) -> AppResult<RecordRef> {
    match Kind::canonical_number(number) {
        Some((k, _)) if k == kind => get(state, actor, number).await,
        _ => Err(AppError::NotFound),
    }
}

/// A link asked for by people: the other record's number and the type.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// The record to link to, e.g. `PRB-000004` or `INC-000123`.
    pub record: String,
    /// caused_by, causes, duplicate_of, duplicated_by, resolved_by, resolves or related_to,
    /// read from this record's side (default related_to).
    #[serde(rename = "type")]
    pub link_type: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkView {
    /// The link read from this record's side.
    #[serde(rename = "type")]
    pub link_type: String,
    pub label: String,
    pub number: String,
    pub kind: String,
    /// Where the record's page and API live: `/{path}/{number}`.
    pub path: String,
    pub title: String,
    pub state: String,
    pub created_at: String,
}

impl From<&RecordLink> for LinkView {
    fn from(l: &RecordLink) -> Self {
        LinkView {
            link_type: l.link_type.as_str().to_owned(),
            label: l.link_type.label().to_owned(),
            number: l.other.number.clone(),
            kind: l.other.kind.clone(),
            path: Kind::parse(&l.other.kind)
                .map(|k| k.spec().path.to_owned())
                .unwrap_or_default(),
            title: l.other.title.clone(),
            state: l.other.state.clone(),
            created_at: crate::views::time(l.created_at),
        }
    }
}

/// Links the record `number` to another, both visible to the actor, whose
/// role may link records of both kinds.
pub async fn link(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &LinkInput,
) -> AppResult<RecordLink> {
    let link_type = match input.link_type.as_deref().map(str::trim) {
        None | Some("") => LinkType::RelatedTo,
        Some(t) => LinkType::parse(t).ok_or_else(|| {
            AppError::field(
                "type",
                "use caused_by, causes, duplicate_of, duplicated_by, resolved_by, resolves or related_to",
            )
        })?,
    };
    // Whether the actor may link at all is answered before the other record
    // is looked up, so that a refusal tells nothing about that record.
    let from = get(state, actor, number).await?;
    require(
        actor,
        Action::Work(from.kind()?, Verb::Link),
        scope_org(&from),
    )?;
    let to = get(state, actor, &input.record).await?;
    link_refs(state, actor, &from, &to, link_type).await
}

/// Links two records already found for the actor.
/// A link is the linking record's: the actor may link `from` and see `to`
/// (the other end gains only the link back).
fn may_link(actor: &Actor, from: &RecordRef, to: &RecordRef) -> AppResult<()> {
    require(
        actor,
        Action::Work(from.kind()?, Verb::Link),
        scope_org(from),
    )?;
    require(actor, Action::Work(to.kind()?, Verb::Read), scope_org(to))
}

pub async fn link_refs(
    state: &AppState,
    actor: &Actor,
    from: &RecordRef,
    to: &RecordRef,
    link_type: LinkType,
) -> AppResult<RecordLink> {
    may_link(actor, from, to)?;
    Ok(state
        .store
        .link_records(&AuditActor::from(actor), from, to, link_type)
        .await?)
}

/// Removes the link between `number` and `other`.
pub async fn unlink(state: &AppState, actor: &Actor, number: &str, other: &str) -> AppResult<()> {
    let from = get(state, actor, number).await?;
    require(
        actor,
        Action::Work(from.kind()?, Verb::Link),
        scope_org(&from),
    )?;
    let to = get(state, actor, other).await?;
    may_link(actor, &from, &to)?;
    Ok(state
        .store
        .unlink_records(&AuditActor::from(actor), &from, &to)
        .await?)
}

/// The record's links the actor may see: never to another organisation's
/// records for a customer, never to a kind the actor may not read.
pub async fn links(state: &AppState, actor: &Actor, r: &RecordRef) -> AppResult<Vec<RecordLink>> {
    let all = state
        .store
        .record_links(r.id, Visibility::of(actor))
        .await?;
    Ok(all
        .into_iter()
        .filter(|l| {
            l.other.kind().is_ok_and(|k| {
                steward_domain::access::authorize(
                    actor,
                    Action::Work(k, Verb::Read),
                    scope_org(&l.other),
                ) == steward_domain::access::Decision::Allow
            })
        })
        .collect())
}

/// Refuses a change to a closed or cancelled record (409).
pub fn check_open(r: &RecordRef) -> AppResult<()> {
    match StateCategory::parse(&r.state_category) {
        Some(StateCategory::Closed | StateCategory::Cancelled) => Err(AppError::InvalidTransition(
            format!("{} is {}: it takes no more changes", r.number, r.state),
        )),
        Some(_) => Ok(()),
        None => Err(AppError::internal(format!(
            "{} has an unknown state category {:?}",
            r.number, r.state_category
        ))),
    }
}

/// The visibility a comment or a file asks for: public unless it says internal.
pub fn visibility(v: Option<&str>) -> AppResult<CommentVisibility> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(CommentVisibility::Public),
        Some(v) => CommentVisibility::parse(v)
            .ok_or_else(|| AppError::field("visibility", "must be public or internal")),
    }
}

/// What a comment or file of `visibility` asks of the policy.
pub fn verb_for(visibility: CommentVisibility) -> Verb {
    match visibility {
        CommentVisibility::Public => Verb::Comment,
        CommentVisibility::Internal => Verb::WorkNote,
    }
}

/// Whether the actor may write this comment on the record, and its body as
/// kept: the rules for a comment however it comes (API, form, e-mail).
pub fn check_comment(
    actor: &Actor,
    r: &RecordRef,
    input: &CommentInput,
) -> AppResult<(CommentVisibility, String)> {
    let visibility = visibility(input.visibility.as_deref())?;
    require(
        actor,
        Action::Work(r.kind()?, verb_for(visibility)),
        scope_org(r),
    )?;
    check_open(r)?;
    let mut p = Problems::default();
    let body = text::required_body(&mut p, "body", &input.body, text::BODY_MAX);
    p.finish(())?;
    Ok((visibility, body))
}

/// A comment or work note on any record, with files already staged: one
/// write with its audit entry. A kind with clocks and notifications
/// (incidents) adds what the comment causes there.
pub async fn comment(
    state: &AppState,
    actor: &Actor,
    r: &RecordRef,
    input: &CommentInput,
    files: &[NewAttachment],
) -> AppResult<Comment> {
    let (visibility, body) = check_comment(actor, r, input)?;
    match r.kind()? {
        Kind::Incident => {
            crate::incidents::comment(state, actor, r, visibility, &body, files).await
        }
        Kind::Problem
        | Kind::Complaint
        | Kind::Nonconformity
        | Kind::Action
        | Kind::Improvement
        | Kind::Audit
        | Kind::Finding
        | Kind::Review
        | Kind::Article
        | Kind::Request
        | Kind::Task
        | Kind::ServiceReview => Ok(state
            .store
            .add_record_comment(
                &AuditActor::from(actor),
                r,
                visibility.as_str(),
                &body,
                files,
            )
            .await?),
    }
}

/// Comments the actor may read: customers never see work notes.
pub async fn comments(state: &AppState, actor: &Actor, r: &RecordRef) -> AppResult<Vec<Comment>> {
    if !sees_activity(actor, &r.kind) {
        return Ok(Vec::new());
    }
    Ok(state.store.comments(r.id, actor.role.is_staff()).await?)
}

/// Whether the actor sees a record's comments, files and history (work
/// notes aside): staff always, customers on every kind but articles, whose
/// readers get the published text only (comments, files and the history
/// carry no version, and tell of drafts).
pub fn sees_activity(actor: &Actor, kind: &str) -> bool {
    actor.role.is_staff() || kind != steward_domain::kind::ARTICLE
}

/// The record's audit history, oldest first; customers never see work notes.
pub async fn history(state: &AppState, actor: &Actor, r: &RecordRef) -> AppResult<Vec<AuditEntry>> {
    history_of(state, actor, &r.kind, &r.number).await
}

/// The history of the record `number` of `kind`, which the caller has found
/// visible to the actor.
pub async fn history_of(
    state: &AppState,
    actor: &Actor,
    kind: &str,
    number: &str,
) -> AppResult<Vec<AuditEntry>> {
    if !sees_activity(actor, kind) {
        return Ok(Vec::new());
    }
    let mut entries = state.store.record_history(kind, number).await?;
    if !actor.role.is_staff() {
        // Work notes and staff-only files (work_note, work_note_attachment).
        // Breach reasons are the provider's own account, like work notes.
        // Links and applied workarounds name records of the provider's own
        // (problems) or of other organisations: a customer sees the
        // workaround as the comment it left, never the records behind it.
        entries.retain(|e| {
            !e.action.starts_with("work_note")
                && !e.action.starts_with("ola_")
                && !matches!(
                    e.action.as_str(),
                    "sla_breach_reason" | "link" | "unlink" | "apply_workaround"
                )
        });
        // A group's OLA clocks are the provider's own business too: their
        // fields leave the entries they share with what a customer may see.
        entries.retain_mut(|e| {
            let Ok(mut fields) = serde_json::from_str::<Vec<FieldChange>>(&e.changes) else {
                return true;
            };
            let before = fields.len();
            fields.retain(|f| !f.field.starts_with("ola_"));
            if fields.len() == before {
                return true;
            }
            e.changes = serde_json::to_string(&fields).unwrap_or_default();
            !fields.is_empty()
        });
    }
    Ok(entries)
}

/// Known errors that concern an incident: linked to it or matching its
/// service and category; customers see only those published to them.
pub async fn known_errors(
    state: &AppState,
    actor: &Actor,
    incident: &steward_store::Incident,
) -> AppResult<Vec<steward_store::KnownError>> {
    Ok(state
        .store
        .known_errors_for(incident.id, !actor.role.is_staff())
        .await?)
}

/// Applies a known error's workaround to an incident: one write, recorded in
/// the incident's history, with a public comment and a link to the problem.
pub async fn apply_workaround(
    state: &AppState,
    actor: &Actor,
    incident_number: &str,
    problem_number: &str,
) -> AppResult<Comment> {
    let inc = crate::incidents::get(state, actor, incident_number).await?;
    require(
        actor,
        Action::Work(Kind::Incident, Verb::Update),
        Some(inc.org_id),
    )?;
    inc.state()
        .check_changeable()
        .map_err(|e| AppError::InvalidTransition(e.to_string()))?;
    let problem = crate::problems::get(state, actor, problem_number).await?;
    let Some(workaround) = problem
        .workaround
        .clone()
        .filter(|_| crate::problems::is_known_error(&problem))
    else {
        return Err(AppError::InvalidTransition(format!(
            "{} is not a known error with a workaround to apply",
            problem.number
        )));
    };
    let prb_ref = get(state, actor, &problem.number).await?;
    Ok(state
        .store
        .apply_workaround(&AuditActor::from(actor), &inc, &prb_ref, &workaround)
        .await?)
}

/// A record's shared references as people give them, for a new record or a
/// change: `None` keeps what the record has; an empty text clears an optional
/// one (group, assignee, target date).
#[derive(Debug, Default, Clone, Copy)]
pub struct RefsInput<'a> {
    /// A service number, e.g. `SVC-0001`.
    pub service: Option<&'a str>,
    /// An assignment group's name.
    pub group: Option<&'a str>,
    /// A staff member's e-mail.
    pub assignee: Option<&'a str>,
    /// `YYYY-MM-DD`.
    pub target_date: Option<&'a str>,
}

/// What [`RefsInput`] resolved to: `None` keeps, `Some(None)` clears.
#[derive(Debug, Default, Clone, Copy)]
pub struct Refs {
    pub service_id: Option<i64>,
    pub group_id: Option<Option<i64>>,
    pub assignee_id: Option<Option<i64>>,
    pub target_at: Option<Option<i64>>,
}

/// Resolves the references every kind shares; each one that does not resolve
/// is a problem of its field. Staff may name any service that is not retired;
/// others, one their organisation receives.
pub async fn resolve_refs(
    state: &AppState,
    actor: &Actor,
    p: &mut Problems,
    r: RefsInput<'_>,
) -> Refs {
    use crate::incidents::{lookup_group, lookup_service, lookup_staff};
    let cleared = |s: &str| s.trim().is_empty();
    let mut refs = Refs::default();
    if let Some(s) = r.service {
        let staff = actor.role.is_staff();
        refs.service_id = lookup_service(state, p, s, actor.org_id, staff).await;
    }
    refs.group_id = match r.group {
        None => None,
        Some(g) if cleared(g) => Some(None),
        Some(g) => lookup_group(state, p, g).await.map(Some),
    };
    refs.assignee_id = match r.assignee {
        None => None,
        Some(e) if cleared(e) => Some(None),
        Some(e) => lookup_staff(state, p, "assignee", e)
            .await
            .map(|u| Some(u.id)),
    };
    refs.target_at = match r.target_date {
        None => None,
        Some(d) if cleared(d) => Some(None),
        Some(d) => p
            .take(steward_domain::kind::parse_target_date("target_date", d))
            .map(Some),
    };
    refs
}

/// `base` with a validated draft and resolved references applied; the
/// priority follows from impact and urgency by the configured matrix.
pub fn core_of(
    matrix: &steward_domain::priority::PriorityMatrix,
    base: &RecordCore,
    draft: RecordDraft,
    refs: &Refs,
) -> RecordCore {
    RecordCore {
        priority: matrix.priority(draft.impact, draft.urgency).get() as i64,
        title: draft.title,
        description: draft.description,
        category: draft.category,
        impact: draft.impact.get() as i64,
        urgency: draft.urgency.get() as i64,
        service_id: refs.service_id.or(base.service_id),
        group_id: refs.group_id.unwrap_or(base.group_id),
        assignee_id: refs.assignee_id.unwrap_or(base.assignee_id),
        target_at: refs.target_at.unwrap_or(base.target_at),
    }
}
