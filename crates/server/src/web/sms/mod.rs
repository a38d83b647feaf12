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

mod overview;
mod record;
mod register;

pub use overview::*;
pub use record::*;
pub use register::*;

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
