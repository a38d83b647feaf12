//! The conformity view's operations: every check of the registry evaluated
//! from the store's figures, shared by the API, the web UI and the CLI.

use steward_domain::access::{Action, Actor};
use steward_domain::conformity::checks::checks_for;
use steward_domain::conformity::{
    Assessment, Check, CheckResult, Outcome, REGISTRY, Requirement, assess, catalogue, evaluate,
    requirement_outcome,
};
use steward_store::{Gap, now_ms};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::incidents::require;
use crate::registers::figure_at;

/// How many gap records a check lists.
pub const GAP_LIMIT: i64 = 50;

/// Evaluates the checks at `now`, their figures aggregated concurrently.
async fn results(
    state: &AppState,
    checks: impl IntoIterator<Item = &'static Check>,
    now: i64,
) -> AppResult<Vec<CheckResult>> {
    let at = figure_at(state, now);
    let mut set = tokio::task::JoinSet::new();
    let mut n = 0;
    for (i, c) in checks.into_iter().enumerate() {
        let store = state.store.clone();
        let at = at.clone();
        set.spawn(async move { (i, store.figure(c.figure, &at).await.map(|f| evaluate(c, f))) });
        n += 1;
    }
    let mut out = vec![None; n];
    while let Some(joined) = set.join_next().await {
        let (i, result) = joined.map_err(AppError::internal)?;
        out[i] = Some(result?);
    }
    Ok(out.into_iter().flatten().collect())
}

/// The whole catalogue, judged now.
pub async fn assessment(state: &AppState, actor: &Actor) -> AppResult<Assessment> {
    require(actor, Action::ConformityRead, None)?;
    Ok(assess(&results(state, REGISTRY, now_ms()).await?))
}

/// One check with the records it counted as gaps.
pub struct CheckDetail {
    pub check: &'static Check,
    pub result: CheckResult,
    pub gaps: Vec<Gap>,
}

/// One requirement with its checks, their figures and their gaps.
pub struct RequirementDetail {
    pub requirement: &'static Requirement,
    pub outcome: Outcome,
    pub checks: Vec<CheckDetail>,
}

/// A requirement by clause number, or 404.
pub async fn requirement(
    state: &AppState,
    actor: &Actor,
    clause: &str,
) -> AppResult<RequirementDetail> {
    require(actor, Action::ConformityRead, None)?;
    let requirement = catalogue()
        .requirement(clause.trim())
        .ok_or(AppError::NotFound)?;
    let now = now_ms();
    let own: Vec<&'static Check> = checks_for(&requirement.clause).collect();
    let evaluated = results(state, own.iter().copied(), now).await?;
    let mut checks = Vec::new();
    for (c, result) in own.into_iter().zip(evaluated) {
        let gaps = if matches!(result.outcome, Outcome::Met | Outcome::NoData) {
            Vec::new()
        } else {
            state
                .store
                .figure_gaps(c.figure, &figure_at(state, now), GAP_LIMIT)
                .await?
        };
        checks.push(CheckDetail {
            check: c,
            result,
            gaps,
        });
    }
    let outcomes: Vec<Outcome> = checks.iter().map(|c| c.result.outcome).collect();
    Ok(RequirementDetail {
        requirement,
        outcome: requirement_outcome(&outcomes),
        checks,
    })
}

/// Where a gap record is shown in the web UI, if it has a page.
pub fn gap_link(g: &Gap) -> Option<String> {
    match g.kind.as_str() {
        "incident" => Some(format!("/incidents/{}", g.record_key)),
        "service" => Some("/services".to_owned()),
        "organisation" => Some("/admin/organisations".to_owned()),
        "audit" => Some("/audit".to_owned()),
        "requirement" => Some(format!("/conformity/{}", g.record_key)),
        "record" => steward_domain::register::Register::of_number(&g.record_key)
            .map(|r| format!("/sms/{}/{}", r.slug(), g.record_key)),
        _ => None,
    }
}
