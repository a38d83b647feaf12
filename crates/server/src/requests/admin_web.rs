//! The catalogue's offerings in the browser (admins and managers): the list,
//! and one form that builds an offering: its form field by field (type,
//! required, help, options, shown when another field has a value), who
//! approves, the tasks that fulfil it, who may order it and its target. The
//! form is read into the API's input ([`OfferingInput`], ADR 0017) and
//! checked by the same rules.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use steward_domain::access::{Action, Role, Visibility};
use steward_domain::form::{FieldType, FormField, FormSpec, ShownWhen};
use steward_store::Offering;

use super::{ApproverInput, OfferingInput, OfferingParams, TaskInput};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;
use crate::policy::require;
use crate::web::{Errors, Nav, WebResult};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::get;
    crate::web::WebRoutes::default()
        .route("/offerings", "GET", get(list))
        .route("/offerings/new", "GET POST", get(new_page).post(create))
        .route(
            "/offerings/{number}",
            "GET POST",
            get(edit_page).post(update),
        )
}

/// Blank rows offered below the filled ones, to add fields and tasks.
const MORE_FIELDS: usize = 3;
const MORE_TASKS: usize = 2;

const FIELD_TYPES: [(&str, &str); 6] = [
    ("text", "Text"),
    ("number", "Number"),
    ("date", "Date"),
    ("choice", "Choice"),
    ("user", "Someone (e-mail)"),
    ("checkbox", "Checkbox"),
];

#[derive(Template, WebTemplate)]
#[template(path = "offerings.html")]
pub struct ListPage {
    nav: Option<Nav>,
    offerings: Vec<Offering>,
    can_write: bool,
}

/// Staff see every offering; customers order from the catalogue.
pub async fn list(State(state): State<AppState>, s: WebSession) -> WebResult<Response> {
    if !s.actor.role.is_staff() {
        return Ok(Redirect::to("/catalogue").into_response());
    }
    let offerings = super::offerings(&state, &s.actor, &OfferingParams::default()).await?;
    Ok(ListPage {
        nav: Nav::of(&s),
        offerings,
        can_write: require(&s.actor, Action::ServiceWrite, None).is_ok(),
    }
    .into_response())
}

/// One field row of the builder.
#[derive(Debug, Clone, Default)]
pub struct FieldRow {
    pub key: String,
    pub label: String,
    pub kind: String,
    pub required: bool,
    pub help: String,
    /// A choice's options, comma-separated.
    pub options: String,
    pub shown_field: String,
    pub shown_equals: String,
}

/// The builder as posted or as the offering is.
#[derive(Debug, Clone, Default)]
pub struct OfferingForm {
    pub version: String,
    pub service: String,
    pub name: String,
    pub description: String,
    pub price: String,
    pub target_minutes: String,
    pub calendar: String,
    pub active: bool,
    pub manager_approves: bool,
    pub approver_groups: Vec<String>,
    pub approval_mode: String,
    pub approval_above: String,
    pub sequential: bool,
    pub roles: Vec<String>,
    pub organisations: Vec<String>,
    pub fields: Vec<FieldRow>,
    /// (title, group)
    pub tasks: Vec<(String, String)>,
}

impl OfferingForm {
    fn of(view: &super::OfferingView) -> OfferingForm {
        let setup = view.setup.as_ref();
        OfferingForm {
            version: view.version.to_string(),
            service: view.service.clone(),
            name: view.name.clone(),
            description: view.description.clone(),
            price: view.price.to_string(),
            target_minutes: view.target_minutes.to_string(),
            calendar: setup.map(|s| s.calendar.to_string()).unwrap_or_default(),
            active: view.active,
            manager_approves: setup
                .is_some_and(|s| s.approvers.iter().any(|a| a.kind == "manager")),
            approver_groups: setup
                .map(|s| s.approvers.iter().filter_map(|a| a.group.clone()).collect())
                .unwrap_or_default(),
            approval_mode: setup.map(|s| s.approval_mode.clone()).unwrap_or_default(),
            approval_above: setup
                .and_then(|s| s.approval_above)
                .map(|c| c.to_string())
                .unwrap_or_default(),
            sequential: setup.is_none_or(|s| s.sequential),
            roles: setup.map(|s| s.roles.clone()).unwrap_or_default(),
            organisations: setup.map(|s| s.organisations.clone()).unwrap_or_default(),
            fields: view
                .form
                .fields
                .iter()
                .map(|f| FieldRow {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    kind: serde_json::to_value(f.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    required: f.required,
                    help: f.help.clone(),
                    options: f.options.join(", "),
                    shown_field: f
                        .shown_when
                        .as_ref()
                        .map(|w| w.field.clone())
                        .unwrap_or_default(),
                    shown_equals: f
                        .shown_when
                        .as_ref()
                        .and_then(|w| w.equals.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            tasks: setup
                .map(|s| {
                    s.tasks
                        .iter()
                        .map(|t| (t.title.clone(), t.group.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Reads the posted builder: rows named `field_{i}_{part}` and
    /// `task_{i}_{part}`; a row whose key and label (title) are empty is
    /// no row.
    fn read(pairs: &[(String, String)]) -> OfferingForm {
        let one = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let all = |k: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(n, v)| n == k && !v.trim().is_empty())
                .map(|(_, v)| v.trim().to_owned())
                .collect()
        };
        let ticked = |k: &str| pairs.iter().any(|(n, _)| n == k);
        let mut fields = Vec::new();
        for i in 0..steward_domain::form::MAX_FIELDS + MORE_FIELDS {
            let part = |p: &str| one(&format!("field_{i}_{p}"));
            let row = FieldRow {
                key: part("key"),
                label: part("label"),
                kind: part("type"),
                required: ticked(&format!("field_{i}_required")),
                help: part("help"),
                options: part("options"),
                shown_field: part("shown_field"),
                shown_equals: part("shown_equals"),
            };
            if !row.key.is_empty() || !row.label.is_empty() {
                fields.push(row);
            }
        }
        let mut tasks = Vec::new();
        for i in 0..steward_domain::request::MAX_TASKS + MORE_TASKS {
            let title = one(&format!("task_{i}_title"));
            if !title.is_empty() {
                tasks.push((title, one(&format!("task_{i}_group"))));
            }
        }
        OfferingForm {
            version: one("version"),
            service: one("service"),
            name: one("name"),
            description: one("description"),
            price: one("price"),
            target_minutes: one("target_minutes"),
            calendar: one("calendar"),
            active: ticked("active"),
            manager_approves: ticked("manager_approves"),
            approver_groups: all("approver_groups"),
            approval_mode: one("approval_mode"),
            approval_above: one("approval_above"),
            sequential: ticked("sequential"),
            roles: all("roles"),
            organisations: all("organisations"),
            fields,
            tasks,
        }
    }

    /// The API's input, or what in the builder is not a number or a type.
    fn input(&self) -> Result<OfferingInput, AppError> {
        let mut p = steward_domain::error::Problems::default();
        let mut number = |field: &str, v: &str| -> Option<i64> {
            if v.is_empty() {
                return None;
            }
            v.parse().map_or_else(
                |_| {
                    p.add(field, "must be a whole number");
                    None
                },
                Some,
            )
        };
        let price = number("price", &self.price).unwrap_or(0);
        let target_minutes = number("target_minutes", &self.target_minutes).unwrap_or(0);
        let calendar = number("calendar", &self.calendar).unwrap_or(0);
        let approval_above = number("approval_above", &self.approval_above);
        let mut fields = Vec::new();
        for (i, f) in self.fields.iter().enumerate() {
            let kind =
                serde_json::from_value::<FieldType>(serde_json::Value::String(f.kind.clone()));
            let Ok(kind) = kind else {
                p.add(&format!("fields[{i}].type"), "choose a type");
                continue;
            };
            fields.push(FormField {
                key: f.key.clone(),
                label: f.label.clone(),
                kind,
                required: f.required,
                help: f.help.clone(),
                options: f
                    .options
                    .split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect(),
                shown_when: (!f.shown_field.is_empty()).then(|| ShownWhen {
                    field: f.shown_field.clone(),
                    equals: Some(f.shown_equals.clone()).filter(|e| !e.is_empty()),
                }),
            });
        }
        let mut approvers = Vec::new();
        if self.manager_approves {
            approvers.push(ApproverInput {
                kind: "manager".into(),
                group: None,
            });
        }
        approvers.extend(self.approver_groups.iter().map(|g| ApproverInput {
            kind: "group".into(),
            group: Some(g.clone()),
        }));
        p.finish(OfferingInput {
            service: self.service.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            form: FormSpec { fields },
            approvers,
            approval_mode: Some(self.approval_mode.clone()).filter(|m| !m.is_empty()),
            approval_above,
            tasks: self
                .tasks
                .iter()
                .map(|(title, group)| TaskInput {
                    title: title.clone(),
                    group: group.clone(),
                })
                .collect(),
            sequential: Some(self.sequential),
            roles: Some(self.roles.clone()),
            organisations: self.organisations.clone(),
            price,
            target_minutes,
            calendar,
            active: Some(self.active),
        })
        .map_err(AppError::from)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "offering_form.html")]
pub struct FormPage {
    nav: Option<Nav>,
    csrf: String,
    number: Option<String>,
    form: OfferingForm,
    /// Field rows shown: the form's and blank ones.
    field_rows: Vec<FieldRow>,
    task_rows: Vec<(String, String)>,
    errors: Errors,
    services: Vec<(String, String)>,
    groups: Vec<String>,
    calendars: Vec<(i64, String)>,
    orgs: Vec<String>,
    roles: Vec<&'static str>,
    types: &'static [(&'static str, &'static str)],
    flash: &'static str,
}

impl FormPage {
    fn has_role(&self, r: &str) -> bool {
        self.form.roles.iter().any(|x| x == r)
    }

    fn has_org(&self, o: &str) -> bool {
        self.form.organisations.iter().any(|x| x == o)
    }

    fn has_group(&self, g: &str) -> bool {
        self.form.approver_groups.iter().any(|x| x == g)
    }

    /// What is wrong with row `i`'s fields, in one line.
    fn row_error(&self, i: &usize) -> String {
        let at = format!("fields[{i}]");
        self.errors
            .0
            .iter()
            .filter(|e| e.field.starts_with(&at))
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

async fn form_page(
    state: &AppState,
    s: &WebSession,
    number: Option<String>,
    form: OfferingForm,
    errors: Errors,
    flash: &'static str,
) -> WebResult<FormPage> {
    let mut field_rows = form.fields.clone();
    field_rows.extend((0..MORE_FIELDS).map(|_| FieldRow::default()));
    let mut task_rows = form.tasks.clone();
    task_rows.extend((0..MORE_TASKS).map(|_| (String::new(), String::new())));
    let services = state
        .store
        .list_services(Visibility::All)
        .await?
        .into_iter()
        .map(|s| (s.number, s.name))
        .collect();
    let groups = state
        .store
        .list_groups()
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    let calendars = state
        .store
        .list_calendars()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let orgs = state
        .store
        .list_orgs()
        .await?
        .into_iter()
        .filter(|o| o.kind == "customer")
        .map(|o| o.name)
        .collect();
    Ok(FormPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        number,
        form,
        field_rows,
        task_rows,
        errors,
        services,
        groups,
        calendars,
        orgs,
        roles: steward_domain::request::ORDERING_ROLES
            .iter()
            .map(|r: &Role| r.as_str())
            .collect(),
        types: &FIELD_TYPES,
        flash,
    })
}

pub async fn new_page(State(state): State<AppState>, s: WebSession) -> WebResult<FormPage> {
    require(&s.actor, Action::ServiceWrite, None)?;
    let form = OfferingForm {
        active: true,
        sequential: true,
        roles: vec!["customer".into()],
        approval_mode: "any".into(),
        ..Default::default()
    };
    form_page(&state, &s, None, form, Errors::default(), "").await
}

pub async fn create(
    State(state): State<AppState>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    require(&s.actor, Action::ServiceWrite, None)?;
    let form = OfferingForm::read(&f.form);
    let made = match form.input() {
        Ok(input) => super::create_offering(&state, &s.actor, &input).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(o) => Ok(Redirect::to(&format!("/offerings/{}?m=saved", o.number)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = form_page(&state, &s, None, form, Errors(v.0), "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct Flash {
    m: Option<String>,
}

pub async fn edit_page(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Flash>,
) -> WebResult<FormPage> {
    require(&s.actor, Action::ServiceWrite, None)?;
    let o = super::offering(&state, &s.actor, &number).await?;
    let view = super::OfferingView::of(&state, &s.actor, &o).await?;
    let flash = if q.m.as_deref() == Some("saved") {
        "Saved."
    } else {
        ""
    };
    form_page(
        &state,
        &s,
        Some(o.number),
        OfferingForm::of(&view),
        Errors::default(),
        flash,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    require(&s.actor, Action::ServiceWrite, None)?;
    let form = OfferingForm::read(&f.form);
    let Ok(version) = form.version.parse::<i64>() else {
        return Err(AppError::field("version", "reload the offering and save again").into());
    };
    let saved = match form.input() {
        Ok(input) => super::update_offering(&state, &s.actor, &number, &input, Some(version)).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(o) => Ok(Redirect::to(&format!("/offerings/{}?m=saved", o.number)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = form_page(&state, &s, Some(number), form, Errors(v.0), "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::PreconditionFailed) => {
            let page = form_page(
                &state,
                &s,
                Some(number),
                form,
                Errors(vec![steward_domain::FieldError {
                    field: "version".into(),
                    message: "someone changed this offering meanwhile: reload it".into(),
                }]),
                "",
            )
            .await?;
            Ok((StatusCode::PRECONDITION_FAILED, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
