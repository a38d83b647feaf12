//! `/agreements`: agreements and calendars, and each SLA's report with its
//! chart and breaches (staff and auditors read).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_domain::access::Action;
use steward_domain::calendar::CalendarSpec;
use steward_store::Agreement;

use super::{Nav, WebResult, local_time};
use crate::AppState;
use crate::auth::WebSession;
use crate::error::AppError;
use crate::sla::minutes_text;
use crate::sla_report::{self, SlaReport};

pub struct AgreementRow {
    number: String,
    title: String,
    party: String,
    services: String,
    calendar: String,
    valid: String,
    status: String,
    review: String,
}

pub struct CalendarRow {
    id: i64,
    name: String,
    time_zone: String,
    week: Vec<(String, String)>,
    holidays: Vec<(String, String)>,
    exceptions: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "agreements.html")]
pub struct AgreementsPage {
    nav: Option<Nav>,
    csrf: String,
    flash: String,
    errors: super::Errors,
    can_write: bool,
    agreements: Vec<AgreementRow>,
    calendars: Vec<CalendarRow>,
    check: AppliesCheck,
    customers: Vec<String>,
    /// (number, name) of every service, for the check.
    services: Vec<(String, String)>,
}

fn services_text(a: &Agreement) -> String {
    if a.services.is_empty() {
        "every service".into()
    } else {
        a.services
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn valid_text(a: &Agreement) -> String {
    format!(
        "{} to {}",
        a.valid_from,
        a.valid_to.as_deref().unwrap_or("open end")
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    imported: Option<usize>,
    /// `saved` (with `number`) or `calendar`: what was just written.
    m: Option<String>,
    number: Option<String>,
    /// The "which applies" check: customer name, service number, priority 1..5, day.
    customer: Option<String>,
    service: Option<String>,
    priority: Option<String>,
    on: Option<String>,
}

/// The answer of the "which applies" check, as the page shows it.
#[derive(Default)]
pub struct AppliesCheck {
    asked: bool,
    customer: String,
    service: String,
    priority: String,
    on: String,
    answer: String,
    error: String,
}

async fn applies_check(
    state: &AppState,
    s: &WebSession,
    q: &ListQuery,
) -> Result<AppliesCheck, AppError> {
    let mut c = AppliesCheck {
        asked: q.customer.is_some(),
        customer: q.customer.clone().unwrap_or_default(),
        service: q.service.clone().unwrap_or_default(),
        priority: q.priority.clone().unwrap_or_else(|| "3".into()),
        on: q
            .on
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| crate::registers::today().to_string()),
        ..Default::default()
    };
    if !c.asked {
        return Ok(c);
    }
    let priority = c
        .priority
        .trim()
        .trim_start_matches(['P', 'p'])
        .parse::<u8>()
        .unwrap_or(0);
    let on = match c.on.trim().parse::<jiff::civil::Date>() {
        Ok(d) => d,
        Err(_) => {
            c.error = "on: must be a date written YYYY-MM-DD".into();
            return Ok(c);
        }
    };
    match crate::agreements::applicable(state, &s.actor, &c.customer, &c.service, priority, on)
        .await
    {
        Ok(Some(a)) => {
            c.answer = format!(
                "{}. Targets: response {}, resolution {}.",
                a.reason.trim_end_matches('.'),
                minutes_text(a.target.response_minutes),
                minutes_text(a.target.resolution_minutes)
            )
        }
        Ok(None) => c.answer = "No agreed SLA applies: such a case runs no clock.".into(),
        Err(AppError::Validation(v)) => {
            c.error =
                v.0.iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
        }
        Err(e) => c.error = e.problem().detail.unwrap_or_default(),
    }
    if c.error.is_empty()
        && let Some(note) =
            crate::agreements::not_received(state, &s.actor, &c.customer, &c.service).await?
    {
        c.answer.push(' ');
        c.answer.push_str(&note);
    }
    Ok(c)
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(q): Query<ListQuery>,
) -> WebResult<AgreementsPage> {
    let flash = match (q.imported, q.m.as_deref()) {
        (Some(n), _) => format!(
            "{n} holiday{} imported; open incidents' due times follow within a minute.",
            if n == 1 { "" } else { "s" }
        ),
        (None, Some("saved")) => format!("{} saved.", q.number.as_deref().unwrap_or("Agreement")),
        (None, Some("calendar")) => {
            "Calendar saved; open incidents' due times follow within a minute.".into()
        }
        _ => String::new(),
    };
    let mut page = list_page(&state, &s, flash, super::Errors::default()).await?;
    page.check = applies_check(&state, &s, &q).await?;
    Ok(page)
}

async fn list_page(
    state: &AppState,
    s: &WebSession,
    flash: String,
    errors: super::Errors,
) -> WebResult<AgreementsPage> {
    let state = state.clone();
    let agreements = crate::agreements::list(&state, &s.actor)
        .await?
        .into_iter()
        .map(|a| AgreementRow {
            party: match (&a.org_name, &a.group_name) {
                (Some(o), _) => o.clone(),
                (None, Some(g)) => format!("group {g}"),
                (None, None) => "every customer".into(),
            },
            services: services_text(&a),
            valid: valid_text(&a),
            review: a.review_on.clone().unwrap_or_else(|| "not set".into()),
            calendar: a.calendar_name.clone(),
            number: a.number,
            title: a.title,
            status: a.status,
        })
        .collect();
    let calendars = state
        .store
        .list_calendars()
        .await?
        .into_iter()
        .map(|c| {
            let spec: CalendarSpec = serde_json::from_str(&c.spec).unwrap_or_default();
            CalendarRow {
                week: steward_domain::calendar::WEEKDAYS
                    .iter()
                    .filter_map(|d| {
                        spec.week
                            .get(*d)
                            .filter(|h| !h.is_empty())
                            .map(|h| ((*d).to_owned(), h.join(", ")))
                    })
                    .collect(),
                holidays: spec
                    .holidays
                    .iter()
                    .map(|h| (h.date.clone(), h.name.clone()))
                    .collect(),
                exceptions: spec.exceptions.len(),
                id: c.id,
                name: c.name,
                time_zone: c.time_zone,
            }
        })
        .collect();
    Ok(AgreementsPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        errors,
        can_write: steward_domain::access::authorize(&s.actor, Action::ServiceLevelWrite, None)
            == steward_domain::access::Decision::Allow,
        agreements,
        calendars,
        check: AppliesCheck::default(),
        customers: crate::admin::customer_names(&state.store).await?,
        services: crate::catalogue::choices(&state.store, &s.actor).await?,
    })
}

/// The holiday import form of the calendars table.
pub async fn import_holidays(
    State(state): State<AppState>,
    s: WebSession,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    // Who may change calendars is answered before the body is read.
    crate::calendars::may_change(&s.actor)?;
    let mut form =
        super::multipart::page_multipart(&state, &s, &headers, multipart, &["replace"], 1).await?;
    let result = match form.files.pop() {
        None => Err(AppError::field("file", "is required")),
        Some(file) => match steward_domain::holidays::HolidayFile::detect("", &file.name) {
            None => Err(AppError::field(
                "file",
                "must be an iCalendar (.ics) or CSV (.csv) file",
            )),
            Some(kind) => crate::calendars::import_holidays(
                &state,
                &s.actor,
                id,
                kind,
                &file.bytes,
                form.text("replace").is_some(),
            )
            .await
            .map(|(_, n)| n),
        },
    };
    match result {
        Ok(n) => {
            Ok(axum::response::Redirect::to(&format!("/agreements?imported={n}")).into_response())
        }
        Err(AppError::Validation(v)) => {
            let page = list_page(&state, &s, String::new(), super::Errors(v.0)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    to: Option<String>,
    months: Option<String>,
}

pub struct MonthRow {
    month: String,
    clock: String,
    stopped: i64,
    met: i64,
    met_percent: String,
    mean: String,
    p90: String,
}

pub struct BreachRow {
    when: String,
    incident: String,
    title: String,
    clock: String,
    priority: String,
    counted: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "agreement.html")]
pub struct AgreementPage {
    nav: Option<Nav>,
    can_write: bool,
    a: Agreement,
    r: SlaReport,
    chart: String,
    rows: Vec<MonthRow>,
    breaches: Vec<BreachRow>,
    targets: Vec<(String, String, String)>,
    services: String,
    valid: String,
    owner: String,
    review: String,
    to: String,
    months: String,
    error: String,
}

fn months_param(q: &ReportQuery) -> Result<Option<u32>, AppError> {
    match q.months.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => Ok(None),
        Some(m) => m
            .parse()
            .map(Some)
            .map_err(|_| AppError::field("months", "must be a whole number from 1 to 36")),
    }
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ReportQuery>,
) -> WebResult<AgreementPage> {
    let a = crate::agreements::get(&state, &s.actor, &number).await?;
    // A wrong month or count shows the default report with the reason.
    let (months, error) =
        match months_param(&q).and_then(|n| sla_report::months_of(q.to.as_deref(), n)) {
            Ok(m) => (m, String::new()),
            Err(e) => (
                sla_report::months_of(None, None)?,
                e.problem().detail.unwrap_or_default(),
            ),
        };
    let r = sla_report::build(&state, &s.actor, &a.number, &months).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let opt = |m: Option<i64>| m.map(minutes_text).unwrap_or_else(|| "—".into());
    let rows = r
        .months
        .iter()
        .map(|m| MonthRow {
            month: m.month.clone(),
            clock: m.clock.clone(),
            stopped: m.stopped,
            met: m.met,
            met_percent: m
                .met_percent
                .map(|p| format!("{p} %"))
                .unwrap_or_else(|| "—".into()),
            mean: opt(m.mean_minutes),
            p90: opt(m.p90_minutes),
        })
        .collect();
    let breaches = r
        .breaches
        .iter()
        .map(|b| BreachRow {
            when: b
                .breached_at
                .parse::<jiff::Timestamp>()
                .map(|t| local_time(t.as_millisecond(), &tz))
                .unwrap_or_default(),
            incident: b.incident.clone(),
            title: b.title.clone(),
            clock: b.clock.clone(),
            priority: b.priority.clone(),
            counted: format!(
                "{} / {}",
                minutes_text(b.counted_minutes),
                minutes_text(b.target_minutes)
            ),
            reason: b.reason.clone().unwrap_or_default(),
        })
        .collect();
    Ok(AgreementPage {
        nav: Nav::of(&s),
        can_write: steward_domain::access::authorize(&s.actor, Action::ServiceLevelWrite, None)
            == steward_domain::access::Decision::Allow,
        chart: sla_report::chart(&r),
        targets: a
            .targets()
            .into_iter()
            .map(|(p, t)| {
                (
                    format!("P{p}"),
                    minutes_text(t.response_minutes),
                    minutes_text(t.resolution_minutes),
                )
            })
            .collect(),
        services: services_text(&a),
        valid: valid_text(&a),
        owner: a.owner_email.clone().unwrap_or_else(|| "none".into()),
        review: a.review_on.clone().unwrap_or_else(|| "not set".into()),
        to: q.to.clone().unwrap_or_default(),
        months: months.len().to_string(),
        error,
        rows,
        breaches,
        a,
        r,
    })
}

pub async fn csv(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ReportQuery>,
) -> WebResult<Response> {
    let months = sla_report::months_of(q.to.as_deref(), months_param(&q)?)?;
    let r = sla_report::build(&state, &s.actor, &number, &months).await?;
    let body = sla_report::csv(&r)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-{}-{}.csv\"",
                    r.agreement, r.from, r.to
                ),
            ),
        ],
        body,
    )
        .into_response())
}
