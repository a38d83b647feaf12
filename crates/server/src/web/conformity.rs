//! The conformity pages: the PDCA dashboard and one requirement with its evidence.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use steward_domain::conformity::{Outcome, catalogue};

use super::{Errors, Nav, WebResult};
use crate::AppState;
use crate::auth::WebForm;
use crate::auth::WebSession;
use crate::conformity::{self, gap_link};
use crate::error::AppError;

fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "—".into())
}

pub struct RequirementRow {
    clause: String,
    title: String,
    summary: String,
    status: &'static str,
    label: &'static str,
    checks_met: usize,
    checks_total: usize,
}

pub struct PhaseBlock {
    id: &'static str,
    label: &'static str,
    readiness: String,
    /// Width of the readiness bar, 0..100.
    width: String,
    requirements: usize,
    met: usize,
    gaps: usize,
    rows: Vec<RequirementRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "conformity.html")]
pub struct DashboardPage {
    nav: Option<Nav>,
    edition: String,
    /// The day asked for (empty: now), and the snapshot's day shown.
    as_of: String,
    snapshot: Option<String>,
    /// Overall readiness over the last 30 days of snapshots (SVG points).
    trend: String,
    trend_label: String,
    overall: String,
    met: usize,
    total: usize,
    phases: Vec<PhaseBlock>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AsOfQuery {
    as_of: Option<String>,
}

/// Readiness per day as the points of a 300 x 60 SVG line, and its label.
fn trend_points(days: &[(String, Option<f64>)]) -> (String, String) {
    if days.len() < 2 {
        return (String::new(), String::new());
    }
    let n = days.len() as f64 - 1.0;
    let points = days
        .iter()
        .enumerate()
        .map(|(i, (_, r))| {
            format!(
                "{:.1},{:.1}",
                i as f64 * 300.0 / n,
                57.0 - r.unwrap_or(0.0) * 0.54
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let (first, last) = (&days[0], &days[days.len() - 1]);
    (
        points,
        format!(
            "{} {} to {} {}",
            first.0,
            percent(first.1),
            last.0,
            percent(last.1)
        ),
    )
}

pub async fn dashboard(
    State(state): State<AppState>,
    s: WebSession,
    Query(q): Query<AsOfQuery>,
) -> WebResult<DashboardPage> {
    let as_of = conformity::parse_as_of(q.as_of.as_deref())?;
    let (a, snapshot) = conformity::assessment_as_of(&state, &s.actor, as_of).await?;
    let (trend, trend_label) = trend_points(&conformity::trend(&state, 30).await?);
    let phases = a
        .phases
        .iter()
        .map(|p| PhaseBlock {
            id: p.phase.as_str(),
            label: p.phase.label(),
            readiness: percent(p.readiness),
            width: format!("{:.1}", p.readiness.unwrap_or(0.0)),
            requirements: p.requirements,
            met: p.met,
            gaps: p.gaps,
            rows: a
                .gaps_first(p.phase)
                .into_iter()
                .map(|r| RequirementRow {
                    clause: r.requirement.clause.clone(),
                    title: r.requirement.title.clone(),
                    summary: r.requirement.summary.clone(),
                    status: r.outcome.as_str(),
                    label: r.outcome.label(),
                    checks_met: r.checks_met(),
                    checks_total: r.checks.len(),
                })
                .collect(),
        })
        .collect();
    Ok(DashboardPage {
        nav: Nav::of(&s),
        edition: catalogue().edition.clone(),
        as_of: as_of.map(|d| d.to_string()).unwrap_or_default(),
        snapshot,
        trend,
        trend_label,
        overall: percent(a.overall),
        met: a
            .requirements
            .iter()
            .filter(|r| r.outcome == Outcome::Met)
            .count(),
        total: a.requirements.len(),
        phases,
    })
}

pub struct GapRow {
    key: String,
    title: String,
    href: Option<String>,
}

pub struct CheckBlock {
    id: &'static str,
    title: &'static str,
    explanation: &'static str,
    status: &'static str,
    label: &'static str,
    figure: String,
    target: String,
    gaps: Vec<GapRow>,
}

pub struct EvidenceRow {
    kind: String,
    label: String,
    href: Option<String>,
    note: String,
    by: String,
    at: String,
}

pub struct HistoryRow {
    title: &'static str,
    /// (day, status) oldest first.
    days: Vec<(String, &'static str)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "requirement.html")]
pub struct RequirementPage {
    nav: Option<Nav>,
    csrf: String,
    as_of: String,
    snapshot: Option<String>,
    owner: String,
    operated_by: String,
    controls: String,
    notes: String,
    note_version: i64,
    evidence: Vec<EvidenceRow>,
    history: Vec<HistoryRow>,
    can_set: bool,
    can_add: bool,
    errors: Errors,
    message: &'static str,
    clause: String,
    title: String,
    heading: String,
    status: &'static str,
    label: &'static str,
    summary: String,
    phase: &'static str,
    documented: String,
    clause_2011: String,
    checks: Vec<CheckBlock>,
    /// The nonconformities raised against it, for those who may read them.
    nonconformities: Vec<steward_store::Nonconformity>,
    /// The internal audits that cover it and their findings on it.
    audits: Vec<steward_store::PlannedAudit>,
    findings: Vec<steward_store::Finding>,
}

pub async fn requirement(
    State(state): State<AppState>,
    s: WebSession,
    Path(clause): Path<String>,
    Query(q): Query<RequirementQuery>,
) -> WebResult<RequirementPage> {
    let as_of = conformity::parse_as_of(q.as_of.as_deref())?;
    let message = match q.m.as_deref() {
        Some("saved") => "Saved.",
        Some("evidence") => "Evidence added.",
        _ => "",
    };
    requirement_page(&state, &s, &clause, as_of, Errors::default(), message).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RequirementQuery {
    as_of: Option<String>,
    m: Option<String>,
}

async fn requirement_page(
    state: &AppState,
    s: &WebSession,
    clause: &str,
    as_of: Option<jiff::civil::Date>,
    errors: Errors,
    message: &'static str,
) -> WebResult<RequirementPage> {
    use steward_domain::access::{Action, Decision, authorize};
    let d = conformity::requirement(state, &s.actor, clause, as_of).await?;
    let r = d.requirement;
    let tz = s
        .user
        .time_zone
        .clone()
        .unwrap_or_else(|| s.user.org_time_zone.clone());
    let note = d.note.clone().unwrap_or_default();
    let nonconformities = if authorize(
        &s.actor,
        Action::Work(
            steward_domain::kind::Kind::Nonconformity,
            steward_domain::kind::Verb::Read,
        ),
        None,
    ) == Decision::Allow
    {
        state.store.nonconformities_of_clause(&r.clause).await?
    } else {
        Vec::new()
    };
    let may_read = |k| {
        authorize(
            &s.actor,
            Action::Work(k, steward_domain::kind::Verb::Read),
            None,
        ) == Decision::Allow
    };
    let (audits, findings) = if may_read(steward_domain::kind::Kind::Audit) {
        (
            crate::audits::covering(state, &r.clause).await?,
            state
                .store
                .findings_on(std::slice::from_ref(&r.clause))
                .await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(RequirementPage {
        audits,
        findings,
        nonconformities,
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        as_of: as_of.map(|d| d.to_string()).unwrap_or_default(),
        snapshot: d.as_of.clone(),
        owner: note.owner_email.clone().unwrap_or_default(),
        operated_by: if note.operated_by.is_empty() {
            "us".into()
        } else {
            note.operated_by.clone()
        },
        controls: note.controls.clone(),
        notes: note.notes.clone(),
        note_version: note.version,
        evidence: d
            .evidence
            .iter()
            .map(|e| EvidenceRow {
                kind: e.kind.clone(),
                label: e
                    .record_key
                    .clone()
                    .or_else(|| e.file_name.clone())
                    .unwrap_or_default(),
                href: conformity::evidence_link(e),
                note: e.note.clone(),
                by: e.created_by_name.clone().unwrap_or_default(),
                at: super::local_time(e.created_at, &tz),
            })
            .collect(),
        history: d
            .history
            .iter()
            .filter_map(|(id, days)| {
                Some(HistoryRow {
                    title: steward_domain::conformity::check(id)?.title,
                    days: days
                        .iter()
                        .map(|(day, o)| (day.clone(), o.as_str()))
                        .collect(),
                })
            })
            .filter(|h| !h.days.is_empty())
            .collect(),
        can_set: authorize(&s.actor, Action::RequirementWrite, None) == Decision::Allow,
        can_add: authorize(&s.actor, Action::EvidenceWrite, None) == Decision::Allow,
        errors,
        message,
        clause: r.clause.clone(),
        title: r.title.clone(),
        heading: catalogue()
            .heading_of(&r.clause)
            .map(|h| format!("{} {}", h.clause, h.title))
            .unwrap_or_default(),
        status: d.outcome.as_str(),
        label: d.outcome.label(),
        summary: r.summary.clone(),
        phase: r.phase.label(),
        documented: r.documented.clone(),
        clause_2011: r.clause_2011.join(", "),
        checks: d
            .checks
            .into_iter()
            .map(|c| {
                let f = c.result.figure;
                CheckBlock {
                    id: c.check.id,
                    title: c.check.title,
                    explanation: c.check.explanation,
                    status: c.result.outcome.as_str(),
                    label: c.result.outcome.label(),
                    figure: match f.percent() {
                        Some(p) => format!("{} of {} ({p:.1}%)", f.good, f.counted),
                        None => "nothing to count yet".into(),
                    },
                    target: c.result.target,
                    gaps: c
                        .gaps
                        .iter()
                        .map(|g| GapRow {
                            href: gap_link(g),
                            key: g.record_key.clone(),
                            title: g.title.clone(),
                        })
                        .collect(),
                }
            })
            .collect(),
    })
}

#[derive(serde::Deserialize)]
pub struct NoteForm {
    owner: String,
    operated_by: String,
    controls: String,
    notes: String,
    version: Option<i64>,
}

pub async fn set_note(
    State(state): State<AppState>,
    Path(clause): Path<String>,
    f: WebForm<NoteForm>,
) -> WebResult<Response> {
    let s = f.session;
    let input = conformity::RequirementInput {
        owner: Some(f.form.owner),
        operated_by: Some(f.form.operated_by),
        controls: Some(f.form.controls),
        notes: Some(f.form.notes),
    };
    let version = f.form.version.filter(|v| *v > 0);
    match conformity::set_requirement(&state, &s.actor, &clause, &input, version).await {
        Ok(n) => Ok(Redirect::to(&format!("/conformity/{}?m=saved", n.clause)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = requirement_page(&state, &s, &clause, None, Errors(v.0), "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Manual evidence from the requirement page: a record, a file or a note.
pub async fn add_evidence(
    State(state): State<AppState>,
    s: WebSession,
    headers: axum::http::HeaderMap,
    Path(clause): Path<String>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    // Who may add evidence is answered before the body is read.
    conformity::may_add_evidence(&s.actor)?;
    let mut form =
        super::multipart::page_multipart(&state, &s, &headers, multipart, &["record", "note"], 1)
            .await?;
    let input = conformity::EvidenceInput {
        record: form.text("record").map(str::to_owned),
        note: form.text("note").unwrap_or_default().to_owned(),
    };
    let file = form.files.pop();
    match conformity::add_evidence(&state, &s.actor, &clause, &input, file).await {
        Ok(e) => Ok(Redirect::to(&format!("/conformity/{}?m=evidence", e.clause)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = requirement_page(&state, &s, &clause, None, Errors(v.0), "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn evidence_file(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    let (f, bytes) = conformity::evidence_file(&state, &s.actor, id).await?;
    Ok(crate::attachments::download_response(
        &f.file_name,
        &f.content_type,
        bytes,
    ))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    format: Option<String>,
    as_of: Option<String>,
}

pub async fn report(
    State(state): State<AppState>,
    s: WebSession,
    Query(q): Query<ReportQuery>,
) -> WebResult<Response> {
    Ok(crate::report::download(&state, &s.actor, q.format.as_deref(), q.as_of.as_deref()).await?)
}
