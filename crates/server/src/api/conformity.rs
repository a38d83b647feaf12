//! `/api/v1/requirements`: the requirement catalogue with each requirement's
//! live status, and one requirement's checks with their figures and gaps.

use axum::extract::{FromRequest, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use steward_domain::conformity::catalogue;
use steward_store::{Evidence, RequirementNote};
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::{ApiJson, ApiMultipart, ApiPath, ApiQuery, if_match, with_etag};
use crate::AppState;
use crate::attachments::read_form;
use crate::auth::ApiActor;
use crate::conformity::{self, EvidenceInput, RequirementInput, gap_link};
use crate::error::{AppError, AppResult, Problem};

pub fn router(max_upload: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get, patch))
        .routes(routes!(add_evidence))
        .routes(
            routes!(add_evidence_file)
                .layer(axum::extract::DefaultBodyLimit::max(max_upload + 64 * 1024)),
        )
        .routes(routes!(evidence_file))
        .routes(routes!(report))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// html (default: a self-contained page), pdf or csv (one row per requirement).
    pub format: Option<String>,
    /// A past day, `YYYY-MM-DD`; absent: now.
    pub as_of: Option<String>,
}

/// The conformity report as a file: HTML, PDF or CSV.
#[utoipa::path(get, path = "/api/v1/conformity/report", tag = "conformity",
    params(ReportParams),
    responses((status = 200, description = "the report file"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn report(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> AppResult<axum::response::Response> {
    crate::report::download(&state, &a.actor, q.format.as_deref(), q.as_of.as_deref()).await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfParams {
    /// A past day, `YYYY-MM-DD`: the status as the daily snapshot of that day
    /// (or the latest before it) recorded it. Absent: now.
    pub as_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteView {
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// us or other_party.
    pub operated_by: String,
    pub controls: String,
    pub notes: String,
    pub version: i64,
}

impl From<&RequirementNote> for NoteView {
    fn from(n: &RequirementNote) -> Self {
        NoteView {
            owner: n.owner_email.clone(),
            owner_name: n.owner_name.clone(),
            operated_by: n.operated_by.clone(),
            controls: n.controls.clone(),
            notes: n.notes.clone(),
            version: n.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EvidenceView {
    pub id: i64,
    /// record, file or note.
    pub kind: String,
    pub record_type: Option<String>,
    pub record: Option<String>,
    pub file_id: Option<i64>,
    pub file_name: Option<String>,
    pub note: String,
    pub added_by: Option<String>,
    pub added_at: String,
    pub href: Option<String>,
}

impl From<&Evidence> for EvidenceView {
    fn from(e: &Evidence) -> Self {
        EvidenceView {
            id: e.id,
            kind: e.kind.clone(),
            record_type: e.record_type.clone(),
            record: e.record_key.clone(),
            file_id: e.file_id,
            file_name: e.file_name.clone(),
            note: e.note.clone(),
            added_by: e.created_by_name.clone(),
            added_at: crate::views::time(e.created_at),
            href: conformity::evidence_link(e),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PhaseView {
    /// plan, do, check or act.
    pub phase: &'static str,
    /// Percent: met requirements count fully, partly met ones half.
    pub readiness: Option<f64>,
    pub requirements: usize,
    pub met: usize,
    pub gaps: usize,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementSummaryView {
    pub clause: String,
    pub title: String,
    pub phase: &'static str,
    pub summary: String,
    /// met, partly_met, not_met, no_data or not_assessed.
    pub status: &'static str,
    pub checks_met: usize,
    pub checks_total: usize,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementsView {
    pub edition: String,
    /// The day of the snapshot shown, when `as_of` asked for a past day.
    pub as_of: Option<String>,
    pub readiness: Option<f64>,
    pub phases: Vec<PhaseView>,
    pub requirements: Vec<RequirementSummaryView>,
}

#[derive(Serialize, ToSchema)]
pub struct GapView {
    /// incident, service, organisation, group or audit.
    pub kind: String,
    /// Its number or name.
    pub key: String,
    pub title: String,
    /// Its page in the web UI, if it has one.
    pub href: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckView {
    pub id: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
    pub status: &'static str,
    /// Records counted, and how many of them were as they should be.
    pub counted: i64,
    pub good: i64,
    pub percent: Option<f64>,
    pub target: String,
    /// Up to 50 of the records that were not as they should be.
    pub gaps: Vec<GapView>,
}

#[derive(Serialize, ToSchema)]
pub struct RequirementView {
    pub clause: String,
    pub title: String,
    /// The clause it sits under, e.g. "8.6 Resolution and fulfilment".
    pub heading: Option<String>,
    pub phase: &'static str,
    /// Steward's own one-line reading of the clause.
    pub summary: String,
    pub documented_information: String,
    pub clause_2011: Vec<String>,
    pub status: &'static str,
    pub checks: Vec<CheckView>,
    pub as_of: Option<String>,
    /// Owner, how it is met, notes (null until someone sets them).
    pub note: Option<NoteView>,
    /// Manual evidence and auditors' notes, newest first.
    pub evidence: Vec<EvidenceView>,
}

/// Every requirement of ISO/IEC 20000-1 with its live status (staff and auditors).
#[utoipa::path(get, path = "/api/v1/requirements", tag = "conformity",
    params(AsOfParams),
    responses((status = 200, body = RequirementsView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(q): ApiQuery<AsOfParams>,
) -> AppResult<ApiJson<RequirementsView>> {
    let as_of = conformity::parse_as_of(q.as_of.as_deref())?;
    let (assessment, taken) = conformity::assessment_as_of(&state, &a.actor, as_of).await?;
    Ok(ApiJson(RequirementsView {
        edition: catalogue().edition.clone(),
        as_of: taken,
        readiness: assessment.overall,
        phases: assessment
            .phases
            .iter()
            .map(|p| PhaseView {
                phase: p.phase.as_str(),
                readiness: p.readiness,
                requirements: p.requirements,
                met: p.met,
                gaps: p.gaps,
            })
            .collect(),
        requirements: assessment
            .requirements
            .iter()
            .map(|r| RequirementSummaryView {
                clause: r.requirement.clause.clone(),
                title: r.requirement.title.clone(),
                phase: r.requirement.phase.as_str(),
                summary: r.requirement.summary.clone(),
                status: r.outcome.as_str(),
                checks_met: r.checks_met(),
                checks_total: r.checks.len(),
            })
            .collect(),
    }))
}

/// One requirement: its checks with their figures, targets and gaps.
#[utoipa::path(get, path = "/api/v1/requirements/{clause}", tag = "conformity",
    params(("clause" = String, Path, description = "e.g. 8.6.1"), AsOfParams),
    responses((status = 200, body = RequirementView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(clause): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOfParams>,
) -> AppResult<ApiJson<RequirementView>> {
    let as_of = conformity::parse_as_of(q.as_of.as_deref())?;
    let d = conformity::requirement(&state, &a.actor, &clause, as_of).await?;
    let r = d.requirement;
    Ok(ApiJson(RequirementView {
        clause: r.clause.clone(),
        title: r.title.clone(),
        heading: catalogue()
            .heading_of(&r.clause)
            .map(|h| format!("{} {}", h.clause, h.title)),
        phase: r.phase.as_str(),
        summary: r.summary.clone(),
        documented_information: r.documented.clone(),
        clause_2011: r.clause_2011.clone(),
        status: d.outcome.as_str(),
        checks: d
            .checks
            .iter()
            .map(|c| CheckView {
                id: c.check.id,
                title: c.check.title,
                explanation: c.check.explanation,
                status: c.result.outcome.as_str(),
                counted: c.result.figure.counted,
                good: c.result.figure.good,
                percent: c.result.figure.percent(),
                target: c.result.target.clone(),
                gaps: c
                    .gaps
                    .iter()
                    .map(|g| GapView {
                        kind: g.kind.clone(),
                        key: g.record_key.clone(),
                        title: g.title.clone(),
                        href: gap_link(g),
                    })
                    .collect(),
            })
            .collect(),
        as_of: d.as_of.clone(),
        note: d.note.as_ref().map(NoteView::from),
        evidence: d.evidence.iter().map(EvidenceView::from).collect(),
    }))
}

/// Set a requirement's owner, who operates it (us or another party, with the
/// controls we keep over it) and notes (managers and admins); honours `If-Match`.
#[utoipa::path(patch, path = "/api/v1/requirements/{clause}", tag = "conformity",
    params(("clause" = String, Path)), request_body = RequirementInput,
    responses((status = 200, body = NoteView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    a: ApiActor,
    headers: axum::http::HeaderMap,
    ApiPath(clause): ApiPath<String>,
    ApiJson(input): ApiJson<RequirementInput>,
) -> AppResult<axum::response::Response> {
    let n =
        conformity::set_requirement(&state, &a.actor, &clause, &input, if_match(&headers)?).await?;
    Ok(with_etag(n.version, NoteView::from(&n)))
}

/// Link a record as evidence of a requirement, or add a note (auditors,
/// managers and admins).
#[utoipa::path(post, path = "/api/v1/requirements/{clause}/evidence", tag = "conformity",
    params(("clause" = String, Path)), request_body = EvidenceInput,
    responses((status = 201, body = EvidenceView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_evidence(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(clause): ApiPath<String>,
    ApiJson(input): ApiJson<EvidenceInput>,
) -> AppResult<(StatusCode, ApiJson<EvidenceView>)> {
    let e = conformity::add_evidence(&state, &a.actor, &clause, &input, None).await?;
    Ok((StatusCode::CREATED, ApiJson(EvidenceView::from(&e))))
}

/// Attach a file as evidence of a requirement (`multipart/form-data`: `file`
/// and an optional `note`).
#[utoipa::path(post, path = "/api/v1/requirements/{clause}/evidence/file", tag = "conformity",
    params(("clause" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "fields: file, note"),
    responses((status = 201, body = EvidenceView), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_evidence_file(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(clause): ApiPath<String>,
    request: axum::extract::Request,
) -> AppResult<(StatusCode, ApiJson<EvidenceView>)> {
    // Who may add evidence is answered before the body is read.
    conformity::may_add_evidence(&a.actor)?;
    let ApiMultipart(multipart) = ApiMultipart::from_request(request, &state).await?;
    let mut form = read_form(multipart, &["note"], 1, state.config.max_upload_bytes).await?;
    let file = form
        .files
        .pop()
        .ok_or_else(|| AppError::field("file", "is required"))?;
    let input = EvidenceInput {
        record: None,
        note: form.text("note").unwrap_or_default().to_owned(),
    };
    let e = conformity::add_evidence(&state, &a.actor, &clause, &input, Some(file)).await?;
    Ok((StatusCode::CREATED, ApiJson(EvidenceView::from(&e))))
}

/// Download a file of manual evidence.
#[utoipa::path(get, path = "/api/v1/evidence-files/{id}", tag = "conformity",
    params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = Problem)))]
async fn evidence_file(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<axum::response::Response> {
    let (f, bytes) = conformity::evidence_file(&state, &a.actor, id).await?;
    Ok(crate::attachments::download_response(
        &f.file_name,
        &f.content_type,
        bytes,
    ))
}
