//! Customer satisfaction (ISO/IEC 20000-1 8.3.2, 9.1): a customer rates how
//! a resolved record of their organisation was handled, once, 1 to 5 with an
//! optional comment (from the record's page, or the link in the resolution
//! e-mail); results per month, customer and service. The rating routes are
//! the kernel's, registered for the kinds whose descriptor grants `Rate`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor, Visibility};
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, StateCategory, Verb};
use steward_domain::satisfaction::{RatingDraft, month_of, ratable};
use steward_store::{AuditActor, NewRating, Rating, RecordRef, SatisfactionRow};

use crate::AppState;
use crate::auth::WebSession;
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::views::time;
use crate::web::{Nav, WebResult};

/// A rating as given.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingInput {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: Option<i64>,
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatingView {
    pub score: i64,
    pub comment: Option<String>,
    pub rated_by: String,
    pub rated_at: String,
}

impl From<&Rating> for RatingView {
    fn from(r: &Rating) -> Self {
        RatingView {
            score: r.score,
            comment: r.comment.clone(),
            rated_by: r.rated_by_name.clone(),
            rated_at: time(r.rated_at),
        }
    }
}

/// Rates the record `r` (found for the actor): its customer, once it is
/// resolved, once.
pub async fn rate(
    state: &AppState,
    actor: &Actor,
    r: &RecordRef,
    input: &RatingInput,
) -> AppResult<Rating> {
    require(actor, Action::Work(r.kind()?, Verb::Rate), Some(r.org_id))?;
    let draft = RatingDraft::parse(input.score, input.comment.as_deref())?;
    let done = StateCategory::parse(&r.state_category).is_some_and(ratable);
    if !done {
        return Err(AppError::Conflict(format!(
            "{} is not resolved yet: it can be rated once it is",
            r.number
        )));
    }
    let new = NewRating {
        record: r,
        rated_by: actor.user_id,
        score: draft.score,
        comment: draft.comment,
    };
    Ok(state.store.rate(&AuditActor::from(actor), &new).await?)
}

/// The rating of `r` (found for the actor), if it has one.
pub async fn rating(state: &AppState, r: &RecordRef) -> AppResult<Option<Rating>> {
    Ok(state.store.rating_of(r.id).await?)
}

/// The period of the results: months `YYYY-MM`, the last twelve by default.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SatisfactionParams {
    /// The first month, `YYYY-MM` (default: eleven months before `to`).
    pub from: Option<String>,
    /// The last month, `YYYY-MM` (default: this month).
    pub to: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SatisfactionView {
    pub from: String,
    pub to: String,
    /// Per month (newest first), customer and service: how many ratings,
    /// their mean score and how many were 4 or 5.
    pub rows: Vec<SatisfactionRowView>,
    /// The same for the scored answers of surveys (`ratings` counts answers).
    pub surveys: Vec<SatisfactionRowView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SatisfactionRowView {
    pub month: String,
    pub organisation: String,
    pub service: Option<String>,
    pub ratings: i64,
    pub average: f64,
    pub satisfied: i64,
}

impl From<&SatisfactionRow> for SatisfactionRowView {
    fn from(r: &SatisfactionRow) -> Self {
        SatisfactionRowView {
            month: r.month.clone(),
            organisation: r.organisation.clone(),
            service: r.service.clone(),
            ratings: r.ratings,
            average: (r.average * 100.0).round() / 100.0,
            satisfied: r.satisfied,
        }
    }
}

/// A month typed as `YYYY-MM`, or what is wrong with it.
fn month(p: &mut Problems, field: &str, typed: &str) -> Option<jiff::civil::Date> {
    match format!("{}-01", typed.trim()).parse::<jiff::civil::Date>() {
        Ok(d) if typed.trim().len() == 7 => Some(d),
        _ => {
            p.add(field, "must be a month such as 2026-09");
            None
        }
    }
}

/// Satisfaction for the period, the actor's organisation's only for a customer.
pub async fn results(
    state: &AppState,
    actor: &Actor,
    params: &SatisfactionParams,
) -> AppResult<SatisfactionView> {
    require(actor, Action::Work(Kind::Incident, Verb::Read), None)?;
    let mut p = Problems::default();
    let this = month_of(steward_store::now_ms());
    let to = month(&mut p, "to", params.to.as_deref().unwrap_or(&this));
    let from = match params.from.as_deref() {
        Some(f) => month(&mut p, "from", f),
        None => to.and_then(|t| t.checked_sub(jiff::Span::new().months(11)).ok()),
    };
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        p.add("to", "the period ends before it starts");
    }
    let (from, to) = p.finish((from, to))?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(AppError::NotFound);
    };
    let (from, to) = (
        from.strftime("%Y-%m").to_string(),
        to.strftime("%Y-%m").to_string(),
    );
    let org = match Visibility::of(actor) {
        Visibility::All => None,
        Visibility::Organisation(o) => Some(o),
    };
    let rows = state.store.satisfaction(org, &from, &to).await?;
    let surveys = state.store.survey_satisfaction(org, &from, &to).await?;
    Ok(SatisfactionView {
        from,
        to,
        rows: rows.iter().map(SatisfactionRowView::from).collect(),
        surveys: surveys.iter().map(SatisfactionRowView::from).collect(),
    })
}

/// `GET /api/v1/satisfaction`.
pub mod api {
    use super::*;
    use crate::api::{ApiJson, ApiQuery};
    use crate::auth::ApiActor;
    use crate::error::Problem;
    use utoipa_axum::router::OpenApiRouter;
    use utoipa_axum::routes;

    pub fn router() -> OpenApiRouter<AppState> {
        OpenApiRouter::new().routes(routes!(list))
    }

    /// Customer satisfaction per month, customer and service (customers: their organisation's).
    #[utoipa::path(get, path = "/api/v1/satisfaction", tag = "satisfaction",
        params(SatisfactionParams),
        responses((status = 200, body = SatisfactionView), (status = 422, body = Problem)))]
    async fn list(
        State(state): State<AppState>,
        a: ApiActor,
        ApiQuery(params): ApiQuery<SatisfactionParams>,
    ) -> AppResult<ApiJson<SatisfactionView>> {
        Ok(ApiJson(results(&state, &a.actor, &params).await?))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "satisfaction.html")]
pub struct SatisfactionPage {
    nav: Option<Nav>,
    f: SatisfactionParams,
    view: Option<SatisfactionView>,
    error: String,
}

/// The satisfaction results page.
pub async fn page(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<SatisfactionParams>,
) -> WebResult<SatisfactionPage> {
    let (view, error) = match results(&state, &s.actor, &f).await {
        Ok(v) => (Some(v), String::new()),
        Err(AppError::Validation(v)) => (None, v.to_string()),
        Err(e) => return Err(e.into()),
    };
    Ok(SatisfactionPage {
        nav: Nav::of(&s),
        f,
        view,
        error,
    })
}

/// The demo's ratings: the customer `customer_email` rates up to 24 of their
/// organisation's resolved incidents, mostly satisfied, a few not.
pub async fn demo(state: &AppState, customer_email: &str) -> AppResult<()> {
    let customer = crate::complaints::demo::actor(state, customer_email).await?;
    let filter = steward_store::IncidentFilter {
        states: vec!["resolved".into(), "closed".into()],
        ..Default::default()
    };
    let page = state
        .store
        .list_incidents(
            Visibility::Organisation(customer.org_id),
            &filter,
            steward_store::IncidentOrder::Newest,
            None,
            24,
        )
        .await?;
    let scores = [5, 4, 5, 3, 4, 5, 2, 4, 5, 4, 5, 1];
    for (n, i) in page.items.iter().enumerate() {
        let r = crate::records::get(state, &customer, &i.number).await?;
        let score = scores[n % scores.len()];
        let comment = match score {
            1 | 2 => Some("It took days and nobody told us what was going on.".to_owned()),
            5 if n % 4 == 0 => Some("Fixed quickly, thank you.".to_owned()),
            _ => None,
        };
        let input = RatingInput {
            score: Some(score),
            comment,
        };
        rate(state, &customer, &r, &input).await?;
    }
    Ok(())
}
