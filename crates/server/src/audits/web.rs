//! The internal audit pages: the programme (its audits by date and how they
//! cover the catalogue), plan an audit, and an audit's page with its plan,
//! checklist, samples, findings, steps and timeline; its report.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::internal_audit::{AuditState, Coverage, Grade, STEPS};
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_store::{Audit, Finding, PlannedAudit};

use super::{
    AuditInput, AuditListParams, AuditPatch, AuditStepInput, Checklist, ProgrammeCoverage,
    SampleInput, SampleView,
};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::core_fields::{EditValues, form_version, overdue};
use crate::error::AppError;
use crate::findings::FindingInput;
use crate::records::{self, LinkView};
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_time, some_text};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/audits", "GET", get(list))
        .route("/audits/new", "GET POST", get(new_page).post(create))
        .route("/audits/{number}", "GET", get(show))
        .route("/audits/{number}/report", "GET", get(report))
        .route("/audits/{number}/edit", "POST", post(edit))
        .route("/audits/{number}/samples", "POST", post(sample))
        .route("/audits/{number}/samples/{id}/redraw", "GET", get(redraw))
        .route("/audits/{number}/findings", "POST", post(finding))
        .route("/audits/{number}/transitions", "POST", post(step))
}

fn allowed(s: &WebSession, kind: Kind, verb: Verb) -> bool {
    authorize(&s.actor, Action::Work(kind, verb), None) == Decision::Allow
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    programme: Option<String>,
    #[serde(flatten)]
    f: AuditListParams,
}

#[derive(Template, WebTemplate)]
#[template(path = "audits.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: AuditListParams,
    rows: Vec<Audit>,
    programme: Option<ProgrammeCoverage>,
    uncovered: Vec<Coverage>,
    now: i64,
    can_create: bool,
    next_link: String,
    error: String,
}

impl ListPage {
    fn target(&self, a: &Audit) -> String {
        super::day_of(a.target_at)
    }

    fn last_day(&self, a: &PlannedAudit) -> String {
        super::day_of(a.target_at)
    }

    fn state_label(&self, a: &PlannedAudit) -> &'static str {
        AuditState::parse(&a.state).map_or("", AuditState::label)
    }

    fn overdue(&self, a: &Audit) -> bool {
        overdue(a, self.now)
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(q): Query<ListQuery>,
) -> WebResult<ListPage> {
    let f = q.f;
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let programme = super::coverage(&state, &s.actor, q.programme.as_deref()).await?;
    let uncovered = programme
        .as_ref()
        .map(|p| {
            p.coverage
                .iter()
                .filter(|c| !c.is_covered())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let next_link = next_link("/audits", &f, page.next.as_ref());
    Ok(ListPage {
        nav: Nav::of(&s),
        rows: page.items,
        programme,
        uncovered,
        now: steward_store::now_ms(),
        can_create: allowed(&s, Kind::Audit, Verb::Create),
        next_link,
        error,
        f,
    })
}

/// An audit as the plan form posts it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewForm {
    title: String,
    description: String,
    programme: String,
    scope: String,
    criteria: String,
    starts_on: String,
    target_date: String,
    assignee: String,
    team: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_new.html")]
pub struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    form: NewForm,
    errors: Errors,
}

pub async fn new_page(s: WebSession, Query(form): Query<NewForm>) -> WebResult<NewPage> {
    crate::policy::require(&s.actor, Action::Work(Kind::Audit, Verb::Create), None)?;
    Ok(NewPage {
        nav: Nav::of(&s),
        csrf: s.csrf.clone(),
        form,
        errors: Errors::default(),
    })
}

pub async fn create(State(state): State<AppState>, f: WebForm<NewForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = AuditInput {
        title: form.title.clone(),
        description: form.description.clone(),
        programme: some_text(&form.programme),
        scope: vec![form.scope.clone()],
        criteria: some_text(&form.criteria),
        starts_on: some_text(&form.starts_on),
        target_date: some_text(&form.target_date),
        assignee: some_text(&form.assignee),
        team: vec![form.team.clone()],
        ..Default::default()
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/audits/{}?m=recorded", a.number)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = NewPage {
                nav: Nav::of(&s),
                csrf: s.csrf.clone(),
                form,
                errors: Errors(v.0),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "internal_audit.html")]
pub struct AuditPage {
    nav: Option<Nav>,
    csrf: String,
    p: Audit,
    flash: &'static str,
    errors: Errors,
    links: Vec<LinkView>,
    timeline: Vec<TimelineItem>,
    attachments: Vec<AttachmentRow>,
    base: String,
    staff: bool,
    draft: String,
    notes_first: bool,
    steps: Vec<&'static StepSpec>,
    can_edit: bool,
    can_link: bool,
    can_comment: bool,
    can_sample: bool,
    can_find: bool,
    overdue: bool,
    opened: String,
    last_day: String,
    team: Vec<String>,
    edit: EditValues,
    checklist: Checklist,
    samples: Vec<SampleView>,
    findings: Vec<Finding>,
    grades: &'static [Grade],
    sample_kinds: &'static [&'static str],
}

#[derive(Deserialize)]
pub struct ShowParams {
    m: Option<String>,
}

const SAMPLE_KINDS: &[&str] = &[
    "incident",
    "problem",
    "complaint",
    "nonconformity",
    "action",
    "improvement",
];

async fn page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    flash: &'static str,
    errors: Errors,
) -> WebResult<AuditPage> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = records::get(state, &s.actor, &p.number).await?;
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let planning = matches!(p.state(), AuditState::Planned | AuditState::InProgress);
    let can_edit = planning && allowed(s, Kind::Audit, Verb::Update);
    let steps = if allowed(s, Kind::Audit, Verb::Transition) {
        steps_from(p.state(), STEPS)
    } else {
        Vec::new()
    };
    let samples = state.store.samples(p.id).await?;
    Ok(AuditPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        links: parts.links,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/audits/{}", p.number),
        staff: s.actor.role.is_staff(),
        draft: String::new(),
        notes_first: true,
        steps,
        can_link: !p.state().is_final() && allowed(s, Kind::Audit, Verb::Link),
        can_comment: !p.state().is_final() && allowed(s, Kind::Audit, Verb::Comment),
        can_sample: can_edit,
        can_find: p.state() == AuditState::InProgress && allowed(s, Kind::Finding, Verb::Create),
        can_edit,
        overdue: overdue(&p, steward_store::now_ms()),
        opened: local_time(p.opened_at, &tz),
        last_day: super::day_of(p.target_at),
        team: super::team_emails(state, &p).await?,
        edit: EditValues::of(state, &p, can_edit).await?,
        checklist: super::checklist(state, &s.actor, &p.number).await?,
        samples: samples.iter().map(SampleView::of).collect(),
        findings: state.store.findings_of(p.id).await?,
        grades: Grade::ALL,
        sample_kinds: SAMPLE_KINDS,
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<AuditPage> {
    let flash = crate::web::record::flash(
        q.m.as_deref(),
        &[
            ("recorded", "Audit planned."),
            ("sampled", "Sample drawn and kept with its seed."),
            (
                "same",
                "Drawn again from its seed: the same records came out.",
            ),
            (
                "differs",
                "Drawn again from its seed: other records came out (the records of the period have changed).",
            ),
        ],
    );
    page(&state, &s, &number, flash, Errors::default()).await
}

/// A refused change, shown on the audit's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "audit")?;
    let mut page = page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    version: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    criteria: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    target_date: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    team: String,
}

pub async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<EditForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let patch = AuditPatch {
        title: Some(form.title),
        description: Some(form.description),
        scope: Some(vec![form.scope]),
        criteria: Some(form.criteria),
        starts_on: Some(form.starts_on),
        target_date: Some(some_text(&form.target_date)),
        assignee: Some(some_text(&form.assignee)),
        team: Some(vec![form.team]),
        ..Default::default()
    };
    let version = form_version(&form.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(a) => Ok(Redirect::to(&format!("/audits/{}?m=saved", a.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = AuditStepInput {
        action: form.action,
        conclusion: form.text.clone(),
        reason: form.text,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(a) => Ok(Redirect::to(&format!("/audits/{}?m=moved", a.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct SampleForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    seed: String,
}

pub async fn sample(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<SampleForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = SampleInput {
        kind: form.kind,
        from: form.from,
        to: form.to,
        size: form.size.trim().parse().unwrap_or(0),
        seed: some_text(&form.seed),
    };
    match super::sample(&state, &s.actor, &number, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/audits/{number}?m=sampled#samples")).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

/// Draws a kept sample again from its seed and says on the audit's page
/// whether the same records came out.
pub async fn redraw(
    State(state): State<AppState>,
    s: WebSession,
    Path((number, id)): Path<(String, i64)>,
) -> WebResult<Response> {
    let r = super::redraw(&state, &s.actor, &number, id).await?;
    let m = if r.same { "same" } else { "differs" };
    Ok(Redirect::to(&format!("/audits/{number}?m={m}#sample-{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct FindingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    clause: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    records: String,
    #[serde(default)]
    target_date: String,
}

/// Records a finding on the audit, from its page.
pub async fn finding(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<FindingForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    // The audit first: one the actor does not see is not there for them.
    super::get(&state, &s.actor, &number).await?;
    let input = FindingInput {
        title: form.title,
        audit: number.clone(),
        grade: form.grade,
        clause: form.clause,
        evidence: form.evidence,
        records: vec![form.records],
        target_date: some_text(&form.target_date),
        ..Default::default()
    };
    match crate::findings::create(&state, &s.actor, &input).await {
        Ok(f) => Ok(Redirect::to(&format!("/findings/{}?m=recorded", f.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

/// `/audits/{number}/report` (HTML) and `/audits/{number}/report.pdf`.
#[derive(Deserialize)]
pub struct ReportParams {
    format: Option<String>,
}

/// The audit's report: scope, criteria, team, conclusion, findings, samples
/// and checklist, on one printable page or as a PDF (`?format=pdf`).
pub async fn report(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ReportParams>,
) -> WebResult<Response> {
    let tz = s.user.effective_time_zone().to_owned();
    let r = super::report::build(&state, &s.actor, &number, &tz).await?;
    match q.format.as_deref().map(str::trim) {
        None | Some("" | "html") => Ok(crate::web::report_page(
            askama::Template::render(&r).map_err(AppError::internal)?,
        )),
        Some("pdf") => {
            let bytes = super::report::pdf(&r).await?;
            Ok(crate::attachments::download_response(
                &format!("audit-report-{}.pdf", r.number),
                "application/pdf",
                bytes,
            ))
        }
        Some(_) => Err(AppError::field("format", "must be html or pdf").into()),
    }
}
