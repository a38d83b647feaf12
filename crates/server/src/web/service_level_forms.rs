//! The service level forms (who may change service levels): business
//! calendars (week hours, holidays, exceptions) and SLAs and OLAs with their
//! targets per priority. Each form is turned into the API's input and checked
//! by the same rules; what cannot even be read (a number that is not one) is
//! reported on its field the same way.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use steward_domain::FieldError;
use steward_domain::calendar::{CalendarSpec, Exception, Holiday, WEEKDAYS};

use super::{Errors, Nav, WebResult, form_errors};
use crate::AppState;
use crate::agreements::{AgreementInput, TargetInput};
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;

/// A form as posted, read as pairs (checkboxes repeat their name).
struct Pairs(Vec<(String, String)>);

impl Pairs {
    fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

// ---------------------------------------------------------------- calendars

/// A calendar as the form shows it: hours per weekday as text
/// (`08:00-12:00, 13:00-17:00`), holidays and exceptions one per line.
#[derive(Debug, Default)]
pub struct CalendarForm {
    /// The version the form was opened at.
    version: String,
    name: String,
    time_zone: String,
    /// (weekday, hours text), Monday first.
    week: Vec<(&'static str, String)>,
    holidays: String,
    exceptions: String,
}

impl CalendarForm {
    fn of(spec: &CalendarSpec, version: Option<i64>) -> CalendarForm {
        CalendarForm {
            version: version.map(|v| v.to_string()).unwrap_or_default(),
            name: spec.name.clone(),
            time_zone: spec.time_zone.clone(),
            week: WEEKDAYS
                .iter()
                .map(|d| {
                    (
                        *d,
                        spec.week.get(*d).map(|h| h.join(", ")).unwrap_or_default(),
                    )
                })
                .collect(),
            holidays: spec
                .holidays
                .iter()
                .map(|h| format!("{} {}", h.date, h.name).trim_end().to_owned())
                .collect::<Vec<_>>()
                .join("\n"),
            exceptions: spec
                .exceptions
                .iter()
                .map(|e| {
                    if e.hours.is_empty() {
                        format!("{} closed", e.date)
                    } else {
                        format!("{} {}", e.date, e.hours.join(", "))
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn read(f: &Pairs) -> CalendarForm {
        CalendarForm {
            version: f.one("version"),
            name: f.one("name"),
            time_zone: f.one("time_zone"),
            week: WEEKDAYS.iter().map(|d| (*d, f.one(d))).collect(),
            holidays: f.one("holidays"),
            exceptions: f.one("exceptions"),
        }
    }

    /// The spec the API would receive; the domain checks every part.
    fn spec(&self) -> CalendarSpec {
        let hours = |text: &str| -> Vec<String> {
            text.split([',', ';'])
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let lines = |text: &str| -> Vec<(String, String)> {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| match l.split_once(char::is_whitespace) {
                    Some((d, rest)) => (d.to_owned(), rest.trim().to_owned()),
                    None => (l.to_owned(), String::new()),
                })
                .collect()
        };
        CalendarSpec {
            name: self.name.clone(),
            time_zone: self.time_zone.clone(),
            week: self
                .week
                .iter()
                .map(|(d, h)| ((*d).to_owned(), hours(h)))
                .filter(|(_, h)| !h.is_empty())
                .collect(),
            holidays: lines(&self.holidays)
                .into_iter()
                .map(|(date, name)| Holiday { date, name })
                .collect(),
            exceptions: lines(&self.exceptions)
                .into_iter()
                .map(|(date, rest)| Exception {
                    date,
                    hours: if rest.eq_ignore_ascii_case("closed") {
                        Vec::new()
                    } else {
                        hours(&rest)
                    },
                })
                .collect(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar_form.html")]
pub struct CalendarPage {
    nav: Option<Nav>,
    csrf: String,
    /// None: a new calendar.
    id: Option<i64>,
    form: CalendarForm,
    errors: Errors,
}

impl CalendarPage {
    /// The error of one weekday's hours.
    pub fn day_error(&self, day: &str) -> &str {
        self.errors.get(&format!("week.{day}"))
    }
}

fn calendar_page(
    s: &WebSession,
    id: Option<i64>,
    form: CalendarForm,
    errors: Errors,
) -> CalendarPage {
    CalendarPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        id,
        form,
        errors,
    }
}

pub async fn new_calendar(s: WebSession) -> WebResult<CalendarPage> {
    crate::calendars::may_change(&s.actor)?;
    let mut spec = CalendarSpec {
        time_zone: "UTC".into(),
        ..Default::default()
    };
    for d in &WEEKDAYS[..5] {
        spec.week
            .insert((*d).to_owned(), vec!["09:00-17:00".into()]);
    }
    Ok(calendar_page(
        &s,
        None,
        CalendarForm::of(&spec, None),
        Errors::default(),
    ))
}

pub async fn create_calendar(
    State(state): State<AppState>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    let form = CalendarForm::read(&Pairs(f.form));
    match crate::calendars::create(&state, &s.actor, &form.spec()).await {
        Ok(_) => Ok(Redirect::to("/agreements?m=calendar").into_response()),
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            Ok((status, calendar_page(&s, None, form, errors)).into_response())
        }
    }
}

pub async fn edit_calendar(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<i64>,
) -> WebResult<CalendarPage> {
    let loaded = crate::calendars::get(&state, &s.actor, id).await?;
    crate::calendars::may_change(&s.actor)?;
    Ok(calendar_page(
        &s,
        Some(id),
        CalendarForm::of(&loaded.spec, Some(loaded.stored.version)),
        Errors::default(),
    ))
}

pub async fn update_calendar(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    let form = CalendarForm::read(&Pairs(f.form));
    let version = super::form_version(&form.version);
    match crate::calendars::replace(&state, &s.actor, id, &form.spec(), version).await {
        Ok(_) => Ok(Redirect::to("/agreements?m=calendar").into_response()),
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            Ok((status, calendar_page(&s, Some(id), form, errors)).into_response())
        }
    }
}

// ---------------------------------------------------------------- agreements

/// Targets per priority as the form holds them: minutes as text.
#[derive(Debug, Default, Clone)]
pub struct TargetRow {
    priority: String,
    response: String,
    resolution: String,
}

#[derive(Debug, Default)]
pub struct AgreementForm {
    /// The version the form was opened at.
    version: String,
    kind: String,
    title: String,
    customer: String,
    group: String,
    services: Vec<String>,
    calendar: String,
    valid_from: String,
    valid_to: String,
    status: String,
    owner: String,
    review_on: String,
    warn_percent: String,
    targets: Vec<TargetRow>,
}

impl AgreementForm {
    fn read(f: &Pairs) -> AgreementForm {
        AgreementForm {
            version: f.one("version"),
            kind: f.one("kind"),
            title: f.one("title"),
            customer: f.one("customer"),
            group: f.one("group"),
            services: f.all("services"),
            calendar: f.one("calendar"),
            valid_from: f.one("valid_from"),
            valid_to: f.one("valid_to"),
            status: f.one("status"),
            owner: f.one("owner"),
            review_on: f.one("review_on"),
            warn_percent: f.one("warn_percent"),
            targets: (1..=5)
                .map(|p| TargetRow {
                    priority: format!("P{p}"),
                    response: f.one(&format!("P{p}_response")),
                    resolution: f.one(&format!("P{p}_resolution")),
                })
                .collect(),
        }
    }

    fn of(a: &steward_store::Agreement) -> AgreementForm {
        let targets = a.targets();
        AgreementForm {
            version: a.version.to_string(),
            kind: a.kind.clone(),
            title: a.title.clone(),
            customer: a.org_name.clone().unwrap_or_default(),
            group: a.group_name.clone().unwrap_or_default(),
            services: a.services.iter().map(|(_, n)| n.clone()).collect(),
            calendar: a.calendar_id.to_string(),
            valid_from: a.valid_from.clone(),
            valid_to: a.valid_to.clone().unwrap_or_default(),
            status: a.status.clone(),
            owner: a.owner_email.clone().unwrap_or_default(),
            review_on: a.review_on.clone().unwrap_or_default(),
            warn_percent: a.warn_percent.to_string(),
            targets: (1..=5u8)
                .map(|p| {
                    let t = targets.get(&p);
                    TargetRow {
                        priority: format!("P{p}"),
                        response: t
                            .map(|t| t.response_minutes.to_string())
                            .unwrap_or_default(),
                        resolution: t
                            .map(|t| t.resolution_minutes.to_string())
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        }
    }

    /// Whether the service `number` is ticked (the template's question).
    pub fn has(&self, number: &str) -> bool {
        self.services.iter().any(|s| s == number)
    }

    /// The API's input, or the fields that are not even numbers.
    fn input(&self) -> Result<AgreementInput, Errors> {
        let mut errors = Vec::new();
        let number = |errors: &mut Vec<FieldError>, field: &str, raw: &str, what: &str| {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            raw.parse::<i64>().map(Some).unwrap_or_else(|_| {
                errors.push(FieldError {
                    field: field.into(),
                    message: format!("{raw:?} is not {what}"),
                });
                None
            })
        };
        let calendar = number(&mut errors, "calendar", &self.calendar, "a calendar");
        let warn_percent = number(
            &mut errors,
            "warn_percent",
            &self.warn_percent,
            "a whole number",
        );
        let mut targets = BTreeMap::new();
        for t in &self.targets {
            let field = format!("targets.{}", t.priority);
            let minutes = "a whole number of minutes";
            let response = number(&mut errors, &field, &t.response, minutes);
            let resolution = number(&mut errors, &field, &t.resolution, minutes);
            match (response, resolution) {
                (Some(response_minutes), Some(resolution_minutes)) => {
                    targets.insert(
                        t.priority.clone(),
                        TargetInput {
                            response_minutes,
                            resolution_minutes,
                        },
                    );
                }
                (None, None) => {}
                _ if t.response.trim().is_empty() || t.resolution.trim().is_empty() => {
                    errors.push(FieldError {
                        field,
                        message: "give both a response and a resolution target, or neither".into(),
                    })
                }
                _ => {}
            }
        }
        if self.calendar.trim().is_empty() {
            errors.push(FieldError {
                field: "calendar".into(),
                message: "choose the business calendar its clocks count in".into(),
            });
        }
        if !errors.is_empty() {
            return Err(Errors(errors));
        }
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(AgreementInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            customer: opt(&self.customer),
            group: opt(&self.group),
            services: self.services.clone(),
            calendar: calendar.unwrap_or_default(),
            valid_from: self.valid_from.clone(),
            valid_to: opt(&self.valid_to),
            status: opt(&self.status),
            owner: opt(&self.owner),
            review_on: opt(&self.review_on),
            warn_percent,
            targets,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "agreement_form.html")]
pub struct AgreementFormPage {
    nav: Option<Nav>,
    csrf: String,
    /// None: a new agreement.
    number: Option<String>,
    form: AgreementForm,
    errors: Errors,
    customers: Vec<String>,
    groups: Vec<String>,
    services: Vec<(String, String)>,
    calendars: Vec<(i64, String)>,
    staff: Vec<(String, String)>,
    statuses: [&'static str; 3],
}

impl AgreementFormPage {
    /// The error of one priority's targets.
    pub fn target_error(&self, priority: &str) -> &str {
        self.errors.get(&format!("targets.{priority}"))
    }
}

async fn agreement_page(
    state: &AppState,
    s: &WebSession,
    number: Option<String>,
    form: AgreementForm,
    errors: Errors,
) -> WebResult<AgreementFormPage> {
    // Who may own it: admins, managers and agents, and the owner it has now
    // even once disabled, so that saving does not drop them unasked.
    let staff = state
        .store
        .list_users(None)
        .await?
        .into_iter()
        .filter(|u| crate::admin::works(u) && (u.active || u.email == form.owner))
        .map(|u| (u.email, u.name))
        .collect();
    Ok(AgreementFormPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        number,
        form,
        errors,
        customers: crate::admin::customer_names(&state.store).await?,
        groups: state
            .store
            .list_groups()
            .await?
            .into_iter()
            .map(|g| g.name)
            .collect(),
        services: crate::catalogue::choices(&state.store, &s.actor).await?,
        calendars: state
            .store
            .list_calendars()
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect(),
        staff,
        statuses: ["draft", "agreed", "expired"],
    })
}

fn may_write(s: &WebSession) -> Result<(), AppError> {
    crate::policy::require(
        &s.actor,
        steward_domain::access::Action::ServiceLevelWrite,
        None,
    )
}

pub async fn new_agreement(
    State(state): State<AppState>,
    s: WebSession,
) -> WebResult<AgreementFormPage> {
    may_write(&s)?;
    let form = AgreementForm {
        kind: "sla".into(),
        status: "draft".into(),
        warn_percent: "75".into(),
        valid_from: crate::registers::today().to_string(),
        targets: (1..=5)
            .map(|p| TargetRow {
                priority: format!("P{p}"),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    agreement_page(&state, &s, None, form, Errors::default()).await
}

pub async fn create_agreement(
    State(state): State<AppState>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    may_write(&s)?;
    let form = AgreementForm::read(&Pairs(f.form));
    let result = match form.input() {
        Ok(input) => crate::agreements::create(&state, &s.actor, &input).await,
        Err(errors) => return answer(&state, &s, None, form, Err(errors)).await,
    };
    answer(&state, &s, None, form, Ok(result)).await
}

/// After an agreement form is sent: to the list when saved, back to the form
/// with its errors otherwise (`Err`: what the form could not even read).
async fn answer(
    state: &AppState,
    s: &WebSession,
    number: Option<String>,
    form: AgreementForm,
    result: Result<Result<steward_store::Agreement, AppError>, Errors>,
) -> WebResult<Response> {
    let (status, errors) = match result {
        Ok(Ok(a)) => {
            return Ok(
                Redirect::to(&format!("/agreements?m=saved&number={}", a.number)).into_response(),
            );
        }
        Ok(Err(e)) => form_errors(e)?,
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    let page = agreement_page(state, s, number, form, errors).await?;
    Ok((status, page).into_response())
}

pub async fn edit_agreement(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
) -> WebResult<AgreementFormPage> {
    let a = crate::agreements::get(&state, &s.actor, &number).await?;
    may_write(&s)?;
    agreement_page(
        &state,
        &s,
        Some(a.number.clone()),
        AgreementForm::of(&a),
        Errors::default(),
    )
    .await
}

pub async fn update_agreement(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    let current = crate::agreements::get(&state, &s.actor, &number).await?;
    may_write(&s)?;
    let mut form = AgreementForm::read(&Pairs(f.form));
    // An agreement keeps its kind; the edit form does not offer to change it.
    form.kind = current.kind.clone();
    let number = Some(current.number.clone());
    let result = match form.input() {
        Ok(input) => {
            let version = super::form_version(&form.version);
            crate::agreements::replace(&state, &s.actor, &current.number, &input, version).await
        }
        Err(errors) => return answer(&state, &s, number, form, Err(errors)).await,
    };
    answer(&state, &s, number, form, Ok(result)).await
}
