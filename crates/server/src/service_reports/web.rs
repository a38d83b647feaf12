//! The service report pages: the archive of issued reports (customers see
//! their own organisation's), a form for staff to compile or issue one, and
//! each report as a printable page, PDF or CSV.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};

use super::IssuedView;
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;
use crate::web::{Nav, WebResult};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::get;
    crate::web::WebRoutes::default()
        .route("/service-reports", "GET POST", get(list).post(issue))
        .route("/service-reports/compile", "GET", get(compile))
        .route("/service-reports/{id}", "GET", get(show))
}

#[derive(Template, WebTemplate)]
#[template(path = "service_reports.html")]
pub struct ListPage {
    nav: Option<Nav>,
    items: Vec<IssuedView>,
    next: Option<String>,
    /// (id, name, chosen) of the customers the form offers: every one to
    /// staff, their own to a customer.
    customers: Vec<(i64, String, bool)>,
    can_issue: bool,
    staff: bool,
    /// The period last asked, or last month.
    period: String,
    organisation: Option<i64>,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    organisation: Option<String>,
    cursor: Option<String>,
}

/// A select's value: empty means none.
fn org_param(v: Option<&str>) -> Result<Option<i64>, AppError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::field("organisation", "must be one of the customers listed")),
    }
}

async fn page(
    state: &AppState,
    s: &WebSession,
    organisation: Option<i64>,
    cursor: Option<&str>,
    period: String,
    error: String,
) -> WebResult<ListPage> {
    let staff = s.actor.role.is_staff();
    let p = super::list(state, &s.actor, organisation, cursor, None).await?;
    let customers = if staff {
        crate::admin::customer_orgs(&state.store)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name, Some(o.id) == organisation))
            .collect()
    } else {
        // A customer compiles their own organisation's report only.
        vec![(s.user.org_id, s.user.org_name.clone(), true)]
    };
    let tz = s.user.effective_time_zone().to_owned();
    Ok(ListPage {
        nav: Nav::of(s),
        items: p
            .items
            .iter()
            .map(|r| IssuedView {
                issued_at: crate::web::local_time(r.issued_at, &tz),
                ..IssuedView::from(r)
            })
            .collect(),
        next: p.next,
        customers,
        can_issue: authorize(&s.actor, Action::ServiceReportIssue, None) == Decision::Allow,
        staff,
        period,
        organisation,
        error,
    })
}

fn default_period() -> String {
    steward_domain::review::month_before(crate::registers::today())
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(q): Query<ListParams>,
) -> WebResult<ListPage> {
    let org = org_param(q.organisation.as_deref())?;
    page(
        &state,
        &s,
        org,
        q.cursor.as_deref(),
        default_period(),
        String::new(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    period: String,
}

/// Issue a report: to its page, or back to the form with what was wrong.
pub async fn issue(State(state): State<AppState>, f: WebForm<IssueForm>) -> WebResult<Response> {
    let s = f.session;
    let form = f.form;
    crate::policy::require(&s.actor, Action::ServiceReportIssue, None)?;
    let result = match org_param(Some(&form.organisation)) {
        Ok(Some(org)) => super::issue_as(&state, &s.actor, org, &form.period).await,
        Ok(None) => Err(AppError::field("organisation", "choose a customer")),
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => Ok(Redirect::to(&format!("/service-reports/{}", r.id)).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict(_))) => {
            let message = match &e {
                AppError::Conflict(m) => m.clone(),
                other => other.to_string(),
            };
            // Back to the form with the customer chosen (and its reports).
            let org = org_param(Some(&form.organisation)).ok().flatten();
            let mut res = page(
                &state,
                &s,
                org,
                None,
                form.period.trim().to_owned(),
                message,
            )
            .await?
            .into_response();
            *res.status_mut() = e.status();
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CompileParams {
    organisation: Option<String>,
    #[serde(default)]
    period: String,
    format: Option<String>,
}

/// A report compiled now for a customer and period (not kept).
pub async fn compile(
    State(state): State<AppState>,
    s: WebSession,
    Query(q): Query<CompileParams>,
) -> WebResult<Response> {
    let org = org_param(q.organisation.as_deref())?
        .ok_or_else(|| AppError::field("organisation", "choose a customer"))?;
    let r = super::live(&state, &s.actor, org, &q.period).await?;
    Ok(super::render(&r, None, q.format.as_deref()).await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct FormatParams {
    format: Option<String>,
}

/// An issued report as it was issued: page, PDF or CSV.
pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<String>,
    Query(q): Query<FormatParams>,
) -> WebResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (issued, report) = super::issued(&state, &s.actor, id).await?;
    let issued = IssuedView::from(&issued);
    match q.format.as_deref().map(str::trim) {
        Some("json") => Err(AppError::field("format", "must be html, pdf or csv").into()),
        f => Ok(super::render(&report, Some(&issued), f).await?),
    }
}
