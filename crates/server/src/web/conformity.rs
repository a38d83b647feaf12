//! The conformity pages: the PDCA dashboard and one requirement with its evidence.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use steward_domain::conformity::{Outcome, catalogue};

use super::{Nav, WebResult};
use crate::AppState;
use crate::auth::WebSession;
use crate::conformity::{self, gap_link};

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
    overall: String,
    met: usize,
    total: usize,
    phases: Vec<PhaseBlock>,
}

pub async fn dashboard(State(state): State<AppState>, s: WebSession) -> WebResult<DashboardPage> {
    let a = conformity::assessment(&state, &s.actor).await?;
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

#[derive(Template, WebTemplate)]
#[template(path = "requirement.html")]
pub struct RequirementPage {
    nav: Option<Nav>,
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
}

pub async fn requirement(
    State(state): State<AppState>,
    s: WebSession,
    Path(clause): Path<String>,
) -> WebResult<RequirementPage> {
    let d = conformity::requirement(&state, &s.actor, &clause, None).await?;
    let r = d.requirement;
    Ok(RequirementPage {
        nav: Nav::of(&s),
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
