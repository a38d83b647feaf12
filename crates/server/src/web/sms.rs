//! The SMS registers in the browser: an overview, one page per register (with
//! the risk heat map), one page per record, and forms drawn from the
//! register's fields. Every change goes through `crate::registers`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value as Json};
use steward_domain::FieldError;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::document::steps_from;
use steward_domain::register::{FieldType, Register};
use steward_store::{FieldValue, SmsRecord};

use super::{Errors, Nav, WebResult, local_time};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;
use crate::registers::{self, register_of};

/// One input of a record form.
pub struct FormField {
    name: &'static str,
    label: &'static str,
    /// text, textarea, select, date, number, email, links or raci.
    kind: &'static str,
    /// (value, what the option says).
    options: Vec<(&'static str, String)>,
    value: String,
    help: &'static str,
    required: bool,
}

fn choices(values: &[&'static str]) -> Vec<(&'static str, String)> {
    values.iter().map(|v| (*v, v.replace('_', " "))).collect()
}

/// A form's inputs, filled from a record or from what was typed.
fn form_fields(register: Register, values: &Map<String, Json>) -> Vec<FormField> {
    let text = |name: &str| match values.get(name) {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Null) | None => String::new(),
        // A RACI typed into the form comes back as its lines.
        Some(Json::Object(o)) => o
            .iter()
            .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n"),
        Some(other) => other.to_string(),
    };
    let mut out = vec![FormField {
        name: "title",
        label: "Title",
        kind: "text",
        options: Vec::new(),
        value: text("title"),
        help: "",
        required: true,
    }];
    if register != Register::Documents {
        out.push(FormField {
            name: "status",
            label: "Status",
            kind: "select",
            options: choices(register.statuses()),
            value: text("status"),
            help: "",
            required: true,
        });
    }
    for f in register.fields() {
        let (kind, options, help): (&str, Vec<(&'static str, String)>, &str) = match f.ty {
            FieldType::Text => ("text", Vec::new(), ""),
            FieldType::LongText => ("textarea", Vec::new(), ""),
            FieldType::Choice(o) => ("select", choices(o), ""),
            FieldType::Date(_) => ("date", Vec::new(), ""),
            FieldType::User => ("email", Vec::new(), "a staff member's e-mail"),
            FieldType::Links(t) => (
                "links",
                Vec::new(),
                match t {
                    steward_domain::register::Target::User => "e-mails, one per line",
                    steward_domain::register::Target::Service => {
                        "service numbers, one per line (SVC-0001)"
                    }
                    steward_domain::register::Target::Record(_) => "record numbers, one per line",
                },
            ),
            FieldType::Score => ("number", Vec::new(), "1 (lowest) to the scale's size"),
            FieldType::Figure => (
                "select",
                steward_domain::conformity::FigureId::ALL
                    .iter()
                    .filter_map(|f| f.check())
                    .map(|c| (c.id, c.title.to_owned()))
                    .collect(),
                "a Steward figure: the value is its share in %, computed live",
            ),
            FieldType::Number | FieldType::Months => ("number", Vec::new(), ""),
            FieldType::Raci => (
                "raci",
                Vec::new(),
                "one per line: requirement and letter, e.g. 8.6.1 A",
            ),
        };
        out.push(FormField {
            name: f.name,
            label: f.label,
            kind,
            options,
            value: text(f.name),
            help,
            required: f.required,
        });
    }
    out.push(FormField {
        name: "description",
        label: if register == Register::Documents {
            "Text of the document"
        } else {
            "Description"
        },
        kind: "textarea",
        options: Vec::new(),
        value: text("description"),
        help: "",
        required: false,
    });
    out
}

/// A stored record as the text a form shows.
fn form_values(r: &SmsRecord) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("title".into(), Json::String(r.title.clone()));
    m.insert("description".into(), Json::String(r.description.clone()));
    m.insert("status".into(), Json::String(r.status.clone()));
    for f in r.register.fields() {
        let v = match f.ty {
            FieldType::Links(_) => r
                .links_of(f.name)
                .map(|l| l.key.clone())
                .collect::<Vec<_>>()
                .join("\n"),
            FieldType::Raci => r
                .links_of(f.name)
                .map(|l| format!("{} {}", l.key, l.value.as_deref().unwrap_or("")))
                .collect::<Vec<_>>()
                .join("\n"),
            FieldType::Figure => r
                .text(f.name)
                .and_then(steward_domain::conformity::FigureId::parse)
                .and_then(|id| id.check())
                .map(|c| c.id.to_owned())
                .unwrap_or_default(),
            _ => match r.value(f.name) {
                FieldValue::Null => String::new(),
                FieldValue::Int(i) => i.to_string(),
                FieldValue::Real(x) => x.to_string(),
                FieldValue::Text(s) => s.clone(),
                FieldValue::User { email, .. } => email.clone(),
            },
        };
        m.insert(f.name.to_owned(), Json::String(v));
    }
    // A measured objective's value is recorded by Steward, not typed.
    if r.text("measure").is_some() {
        m.insert("actual".into(), Json::String(String::new()));
    }
    m
}

/// A posted form as the JSON input of the registers' rules; `problems` gets
/// what cannot even be read (a RACI line that is not "clause letter").
fn input_of(
    register: Register,
    pairs: Vec<(String, String)>,
    problems: &mut Vec<FieldError>,
) -> Map<String, Json> {
    let mut m = Map::new();
    for (k, v) in pairs {
        let Some(name) = ["title", "description", "status"]
            .into_iter()
            .find(|n| *n == k)
            .or_else(|| register.field(&k).map(|f| f.name))
        else {
            continue;
        };
        let value = match register.field(name).map(|f| f.ty) {
            Some(FieldType::Raci) => {
                let mut o = Map::new();
                for line in v.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    match line.split_once([' ', '=', ':', '\t']) {
                        Some((clause, letter)) => {
                            o.insert(clause.trim().to_owned(), Json::String(letter.trim().into()));
                        }
                        None => problems.push(FieldError {
                            field: name.into(),
                            message: format!(
                                "{line:?}: write a requirement and a letter, e.g. 8.6.1 A"
                            ),
                        }),
                    }
                }
                Json::Object(o)
            }
            Some(FieldType::Figure) => match steward_domain::conformity::check(v.trim()) {
                Some(c) => Json::String(c.figure.as_str()),
                None => Json::String(v),
            },
            _ => Json::String(v),
        };
        m.insert(name.to_owned(), value);
    }
    // The document's status is not a form field.
    if register == Register::Documents {
        m.remove("status");
    }
    // An empty value field of a measured objective leaves the recorded value alone.
    let blank = |k: &str| {
        m.get(k)
            .and_then(Json::as_str)
            .is_none_or(|v| v.trim().is_empty())
    };
    if register == Register::Objectives && !blank("measure") && blank("actual") {
        m.remove("actual");
    }
    m
}

fn can(s: &WebSession, action: Action) -> bool {
    authorize(&s.actor, action, None) == Decision::Allow
}

// ---- the overview ------------------------------------------------------

pub struct RegisterCard {
    slug: &'static str,
    label: &'static str,
    clause: &'static str,
    count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "sms.html")]
pub struct OverviewPage {
    nav: Option<Nav>,
    registers: Vec<RegisterCard>,
}

pub async fn overview(State(state): State<AppState>, s: WebSession) -> WebResult<OverviewPage> {
    let counts = registers::counts(&state, &s.actor).await?;
    Ok(OverviewPage {
        nav: Nav::of(&s),
        registers: Register::ALL
            .into_iter()
            .map(|r| RegisterCard {
                slug: r.slug(),
                label: r.label(),
                clause: r.clause(),
                count: counts
                    .iter()
                    .find(|(k, _)| k == r.kind())
                    .map_or(0, |(_, c)| *c),
            })
            .collect(),
    })
}

// ---- one register ------------------------------------------------------

pub struct Row {
    number: String,
    title: String,
    status: String,
    owner: String,
    date: String,
    extra: String,
    level: &'static str,
}

pub struct HeatCell {
    x: i64,
    y: i64,
    count: i64,
    level: &'static str,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "sms_list.html")]
pub struct ListPage {
    nav: Option<Nav>,
    csrf: String,
    slug: &'static str,
    label: &'static str,
    clause: &'static str,
    rows: Vec<Row>,
    next: Option<String>,
    can_write: bool,
    fields: Vec<FormField>,
    errors: Errors,
    heat: Vec<HeatCell>,
    /// The heat map's side in cells and in pixels.
    scale: i64,
    side: i64,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    after: Option<String>,
}

const CELL: i64 = 44;

async fn list_page(
    state: &AppState,
    s: &WebSession,
    register: Register,
    after: Option<&str>,
    typed: Map<String, Json>,
    errors: Errors,
) -> WebResult<ListPage> {
    let page = registers::page(state, &s.actor, register, after, Some(100)).await?;
    let rows = page
        .items
        .iter()
        .map(|v| {
            let f = &v.fields;
            let name = |k: &str| {
                f.get(k)
                    .and_then(|u| u["name"].as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            let date = ["due_on", "review_on", "done_on"]
                .iter()
                .find_map(|k| f.get(*k).and_then(Json::as_str))
                .unwrap_or("")
                .to_owned();
            let extra = match register {
                Register::Risks => v.score.map(|s| format!("score {s}")).unwrap_or_default(),
                Register::Objectives => match (v.value, f.get("target").and_then(Json::as_f64)) {
                    (Some(val), Some(t)) => format!("{val:.1} (target {t})"),
                    (None, Some(t)) => format!("— (target {t})"),
                    _ => String::new(),
                },
                Register::Documents => {
                    let cat = f.get("category").and_then(Json::as_str).unwrap_or("");
                    match v.document.as_ref().and_then(|d| d.approved_version) {
                        Some(n) => format!("{cat}, v{n} approved"),
                        None => cat.to_owned(),
                    }
                }
                Register::Training | Register::Context | Register::Parties => f
                    .get("category")
                    .and_then(Json::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| name("person")),
                Register::Communications => f
                    .get("audience")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_owned(),
                Register::Roles => f
                    .get("holders")
                    .and_then(Json::as_array)
                    .map(|h| {
                        h.iter()
                            .filter_map(|x| x["label"].as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
                Register::Plan => String::new(),
            };
            Row {
                number: v.number.clone(),
                title: v.title.clone(),
                status: v.status.clone(),
                owner: if register == Register::Training {
                    name("person")
                } else {
                    name("owner")
                },
                date,
                extra,
                level: v.level.unwrap_or(""),
            }
        })
        .collect();
    let scale = registers::context(state).risk_scale;
    let heat = if register == Register::Risks {
        let counts = state.store.risk_matrix().await?;
        let mut cells = Vec::new();
        for likelihood in 1..=scale.size {
            for impact in 1..=scale.size {
                let count = counts
                    .iter()
                    .find(|(l, i, _)| *l == likelihood && *i == impact)
                    .map_or(0, |c| c.2);
                let level = scale.level(likelihood, impact);
                cells.push(HeatCell {
                    x: (impact - 1) * CELL,
                    y: (scale.size - likelihood) * CELL,
                    count,
                    level: level.as_str(),
                    label: format!(
                        "likelihood {likelihood}, impact {impact}: {count} open {} ({})",
                        if count == 1 { "risk" } else { "risks" },
                        level.as_str()
                    ),
                });
            }
        }
        cells
    } else {
        Vec::new()
    };
    Ok(ListPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        slug: register.slug(),
        label: register.label(),
        clause: register.clause(),
        rows,
        next: page.next,
        can_write: can(s, Action::SmsWrite),
        fields: form_fields(register, &typed),
        errors,
        heat,
        scale: scale.size,
        side: scale.size * CELL,
    })
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Path(slug): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<ListPage> {
    let register = register_of(&slug)?;
    list_page(
        &state,
        &s,
        register,
        q.after.as_deref(),
        Map::new(),
        Errors::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let register = register_of(&slug)?;
    let s = f.session;
    let mut problems = Vec::new();
    let input = input_of(register, f.form, &mut problems);
    let result = if problems.is_empty() {
        registers::create(&state, &s.actor, register, &input).await
    } else {
        Err(AppError::Validation(steward_domain::ValidationError(
            problems,
        )))
    };
    match result {
        Ok(r) => {
            Ok(Redirect::to(&format!("/sms/{}/{}", register.slug(), r.number)).into_response())
        }
        Err(AppError::Validation(v)) => {
            let page = list_page(&state, &s, register, None, input, Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---- one record --------------------------------------------------------

pub struct Shown {
    label: &'static str,
    value: String,
    /// Links shown as a list, each with its page when it has one.
    links: Vec<(String, Option<String>)>,
}

pub struct StepButton {
    step: &'static str,
    label: &'static str,
}

pub struct FileRow {
    id: i64,
    name: String,
    size: i64,
    version: String,
    by: String,
    at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "sms_record.html")]
pub struct RecordPage {
    nav: Option<Nav>,
    csrf: String,
    slug: &'static str,
    label: &'static str,
    number: String,
    title: String,
    status: String,
    description: String,
    shown: Vec<Shown>,
    headline: String,
    level: &'static str,
    history: String,
    target_y: Option<String>,
    history_label: String,
    is_document: bool,
    steps: Vec<StepButton>,
    may_acknowledge: bool,
    acknowledged: bool,
    acknowledged_by: Vec<String>,
    versions: Vec<String>,
    files: Vec<FileRow>,
    can_write: bool,
    fields: Vec<FormField>,
    errors: Errors,
    message: &'static str,
    /// The version the forms were drawn from: a save over a newer one is refused.
    version: i64,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RecordQuery {
    m: Option<String>,
}

fn link_href(target_type: &str, key: &str) -> Option<String> {
    match target_type {
        "service" => Some("/services".into()),
        "record" => Register::of_number(key).map(|r| format!("/sms/{}/{key}", r.slug())),
        "process" => Some(format!("/conformity/{key}")),
        _ => None,
    }
}

async fn record_page(
    state: &AppState,
    s: &WebSession,
    register: Register,
    number: &str,
    typed: Option<Map<String, Json>>,
    errors: Errors,
    message: &'static str,
) -> WebResult<RecordPage> {
    let d = registers::detail(state, &s.actor, register, number).await?;
    let r = &d.record;
    let tz = s
        .user
        .time_zone
        .clone()
        .unwrap_or_else(|| s.user.org_time_zone.clone());
    let mut shown = Vec::new();
    for f in register.fields() {
        let (value, links) = match f.ty {
            FieldType::Links(_) => (
                String::new(),
                r.links_of(f.name)
                    .map(|l| {
                        let text = if l.target_type == "user" {
                            l.label.clone()
                        } else if l.label.is_empty() || l.label == l.key {
                            l.key.clone()
                        } else {
                            format!("{} {}", l.key, l.label)
                        };
                        (text, link_href(&l.target_type, &l.key))
                    })
                    .collect(),
            ),
            FieldType::Raci => (
                String::new(),
                r.links_of(f.name)
                    .map(|l| {
                        (
                            format!("{} {}", l.value.as_deref().unwrap_or(""), l.key),
                            link_href("process", &l.key),
                        )
                    })
                    .collect(),
            ),
            FieldType::Figure => (
                r.text(f.name)
                    .and_then(steward_domain::conformity::FigureId::parse)
                    .and_then(|id| id.check())
                    .map(|c| c.title.to_owned())
                    .unwrap_or_default(),
                Vec::new(),
            ),
            _ => (
                match r.value(f.name) {
                    FieldValue::Null => String::new(),
                    FieldValue::Int(i) => i.to_string(),
                    FieldValue::Real(x) => plain_number(*x),
                    FieldValue::Text(t) => t.replace('_', " "),
                    FieldValue::User { name, email, .. } => format!("{name} <{email}>"),
                },
                Vec::new(),
            ),
        };
        shown.push(Shown {
            label: f.label,
            value,
            links,
        });
    }
    let v = &d.view;
    let headline = match register {
        Register::Risks => v
            .score
            .map(|sc| format!("Score {sc} ({})", v.level.unwrap_or("")))
            .unwrap_or_default(),
        Register::Objectives => match v.value {
            Some(val) => format!(
                "Now {}{} — {}",
                plain_number(val),
                r.text("unit").map(|u| format!(" {u}")).unwrap_or_default(),
                match v.on_target {
                    Some(true) => "on target",
                    Some(false) => "off target",
                    None => "no target",
                }
            ),
            None => "No value yet".into(),
        },
        _ => String::new(),
    };
    // An objective's history as an SVG polyline on a 300 x 60 box, scaled to
    // the range of its values and its target (drawn as a dashed line).
    let target = match r.value("target") {
        FieldValue::Real(x) => Some(*x),
        _ => None,
    };
    let (history, target_y, history_label) = if d.history.len() >= 2 {
        let values = d.history.iter().map(|(_, v)| *v).chain(target);
        let lo = values.clone().fold(f64::INFINITY, f64::min);
        let hi = values.fold(f64::NEG_INFINITY, f64::max);
        let span = (hi - lo).max(1.0);
        let y = |v: f64| 55.0 - (v - lo) / span * 50.0;
        let n = d.history.len() as f64 - 1.0;
        let points = d
            .history
            .iter()
            .enumerate()
            .map(|(i, (_, v))| format!("{:.1},{:.1}", i as f64 * 300.0 / n, y(*v)))
            .collect::<Vec<_>>()
            .join(" ");
        let first = &d.history[0];
        let last = &d.history[d.history.len() - 1];
        (
            points,
            target.map(|t| format!("{:.1}", y(t))),
            format!(
                "{} {} to {} {}{}",
                first.0,
                plain_number(first.1),
                last.0,
                plain_number(last.1),
                target
                    .map(|t| format!("; target {} (dashed)", plain_number(t)))
                    .unwrap_or_default()
            ),
        )
    } else {
        (String::new(), None, String::new())
    };
    let is_document = register == Register::Documents;
    let can_write = can(s, Action::SmsWrite);
    let acknowledged_by = v
        .document
        .as_ref()
        .map(|d| d.acknowledged_by.clone())
        .unwrap_or_default();
    let distributed = r
        .links_of("distribution")
        .any(|l| l.target_id == Some(s.actor.user_id));
    let in_force = r.approved_version.is_some() && r.status != "obsolete";
    let acknowledged = in_force && d.acks.iter().any(|(id, _, _)| *id == s.actor.user_id);
    Ok(RecordPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        slug: register.slug(),
        label: register.label(),
        number: r.number.clone(),
        title: r.title.clone(),
        status: r.status.clone(),
        description: r.description.clone(),
        shown,
        headline,
        level: v.level.unwrap_or(""),
        history,
        target_y,
        history_label,
        is_document,
        steps: if is_document && can_write {
            steps_from(&r.status)
                .into_iter()
                .map(|st| StepButton {
                    step: st.as_str(),
                    label: st.label(),
                })
                .collect()
        } else {
            Vec::new()
        },
        may_acknowledge: in_force && distributed && !acknowledged,
        acknowledged,
        acknowledged_by,
        versions: d
            .versions
            .iter()
            .map(|(n, by, at)| {
                format!(
                    "v{n} approved {}{}",
                    local_time(*at, &tz),
                    by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default()
                )
            })
            .collect(),
        files: d
            .files
            .iter()
            .map(|f| FileRow {
                id: f.id,
                name: f.file_name.clone(),
                size: f.size,
                version: f.version_no.map(|v| format!("v{v}")).unwrap_or_default(),
                by: f.uploaded_by_name.clone().unwrap_or_default(),
                at: local_time(f.created_at, &tz),
            })
            .collect(),
        can_write,
        fields: form_fields(register, &typed.unwrap_or_else(|| form_values(r))),
        errors,
        message,
        version: r.version,
    })
}

/// A number as people write it: at most two decimals, no trailing zeros.
fn plain_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn message_of(m: Option<&str>) -> &'static str {
    match m {
        Some("saved") => "Saved.",
        Some("step") => "Done.",
        Some("acknowledged") => "Thank you: your acknowledgement is recorded.",
        Some("attached") => "File attached.",
        _ => "",
    }
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path((slug, number)): Path<(String, String)>,
    Query(q): Query<RecordQuery>,
) -> WebResult<RecordPage> {
    let register = register_of(&slug)?;
    record_page(
        &state,
        &s,
        register,
        &number,
        None,
        Errors::default(),
        message_of(q.m.as_deref()),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Path((slug, number)): Path<(String, String)>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let register = register_of(&slug)?;
    let s = f.session;
    let version = f
        .form
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok());
    let mut problems = Vec::new();
    let input = input_of(register, f.form, &mut problems);
    let result = if problems.is_empty() {
        registers::update(&state, &s.actor, register, &number, &input, version).await
    } else {
        Err(AppError::Validation(steward_domain::ValidationError(
            problems,
        )))
    };
    match result {
        Ok(r) => Ok(
            Redirect::to(&format!("/sms/{}/{}?m=saved", register.slug(), r.number)).into_response(),
        ),
        Err(AppError::Validation(v)) => {
            let page =
                record_page(&state, &s, register, &number, Some(input), Errors(v.0), "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct StepForm {
    step: String,
    version: Option<i64>,
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let s = f.session;
    match registers::step(&state, &s.actor, &number, &f.form.step, f.form.version).await {
        Ok(r) => Ok(Redirect::to(&format!("/sms/documents/{}?m=step", r.number)).into_response()),
        // A step refused is shown on the document's page, as on every record's.
        Err(e) => {
            let (status, errors) = super::record::refusal(e, "document")?;
            let page = record_page(
                &state,
                &s,
                Register::Documents,
                &number,
                None,
                Errors(errors),
                "",
            )
            .await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn acknowledge(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<super::NoFields>,
) -> WebResult<Response> {
    let r = registers::acknowledge(&state, &f.session.actor, &number).await?;
    Ok(Redirect::to(&format!("/sms/documents/{}?m=acknowledged", r.number)).into_response())
}

pub async fn attach(
    State(state): State<AppState>,
    s: WebSession,
    headers: axum::http::HeaderMap,
    Path(number): Path<String>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    // Who may attach files to documents is answered before the body is read.
    registers::may_attach(&state, &s.actor, &number).await?;
    let mut form =
        super::multipart::page_multipart(&state, &s, &headers, multipart, &[], 1).await?;
    let result = match form.files.pop() {
        Some(file) => registers::attach(&state, &s.actor, &number, file).await,
        None => Err(AppError::field("file", "is required")),
    };
    match result {
        Ok(_) => {
            let n = registers::canonical(Register::Documents, &number)?;
            Ok(Redirect::to(&format!("/sms/documents/{n}?m=attached")).into_response())
        }
        Err(AppError::Validation(v)) => {
            let page = record_page(
                &state,
                &s,
                Register::Documents,
                &number,
                None,
                Errors(v.0),
                "",
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn download(
    State(state): State<AppState>,
    s: WebSession,
    Path((number, id)): Path<(String, i64)>,
) -> WebResult<Response> {
    let (f, bytes) = registers::document_file(&state, &s.actor, &number, id).await?;
    Ok(crate::attachments::download_response(
        &f.file_name,
        &f.content_type,
        bytes,
    ))
}
