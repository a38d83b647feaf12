//! `/api/v1/requirements`: the requirement catalogue with each requirement's
//! live status, and one requirement's checks with their figures and gaps.

use axum::extract::State;
use serde::Serialize;
use steward_domain::conformity::catalogue;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiJson, ApiPath};
use crate::AppState;
use crate::auth::ApiActor;
use crate::conformity::{self, gap_link};
use crate::error::{AppResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get))
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
}

/// Every requirement of ISO/IEC 20000-1 with its live status (staff and auditors).
#[utoipa::path(get, path = "/api/v1/requirements", tag = "conformity",
    responses((status = 200, body = RequirementsView), (status = 403, body = Problem)))]
async fn list(State(state): State<AppState>, a: ApiActor) -> AppResult<ApiJson<RequirementsView>> {
    let assessment = conformity::assessment(&state, &a.actor).await?;
    Ok(ApiJson(RequirementsView {
        edition: catalogue().edition.clone(),
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
    params(("clause" = String, Path, description = "e.g. 8.6.1")),
    responses((status = 200, body = RequirementView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(clause): ApiPath<String>,
) -> AppResult<ApiJson<RequirementView>> {
    let d = conformity::requirement(&state, &a.actor, &clause).await?;
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
    }))
}
