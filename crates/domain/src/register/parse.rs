//! One parser for every register: an input checked against the register's
//! fields, and the rules that involve more than one field.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde_json::Value as Json;

use crate::conformity::catalogue::catalogue;
use crate::conformity::checks::FigureId;
use crate::error::{Problems, ValidationError};
use crate::text;

use super::*;

/// Checks `input` (a JSON object of field name to value) against `register`'s
/// fields. With `current`, the input is a change: fields it does not name keep
/// their current value. Returns every value of the record, or every problem.
pub fn parse(
    register: Register,
    input: &serde_json::Map<String, Json>,
    current: Option<&Values>,
    ctx: Context,
) -> Result<Values, ValidationError> {
    let mut p = Problems::default();
    for name in input.keys() {
        if !matches!(name.as_str(), "title" | "description" | "status")
            && register.field(name).is_none()
        {
            p.add(name, format!("is not a field of {}", register.label()));
        }
    }
    let mut out = Values::new();
    let given = |name: &str| input.get(name).filter(|v| !v.is_null());
    let keep = |name: &str| current.and_then(|c| c.get(name)).cloned();

    let title = match given("title") {
        Some(v) => text::required_line(&mut p, "title", &as_string(v), text::LINE_MAX),
        None => match keep("title") {
            Some(Value::Text(t)) => t,
            _ => text::required_line(&mut p, "title", "", text::LINE_MAX),
        },
    };
    out.insert("title", Value::Text(title));
    let description = match given("description") {
        Some(v) => text::optional_body(
            &mut p,
            "description",
            &as_string(v).replace("\r\n", "\n"),
            text::BODY_MAX,
        ),
        None => keep("description")
            .and_then(|v| v.as_text().map(str::to_owned))
            .unwrap_or_default(),
    };
    out.insert("description", Value::Text(description));
    let statuses = register.statuses();
    let status = match given("status") {
        // Documents change status only through their workflow.
        Some(_) if register == Register::Documents => {
            p.add(
                "status",
                "changes through the document's workflow (submit, approve, reject, revise, retire)",
            );
            None
        }
        Some(v) => {
            let s = as_string(v);
            if statuses.contains(&s.as_str()) {
                Some(s)
            } else {
                p.add("status", format!("must be one of {}", statuses.join(", ")));
                None
            }
        }
        None => None,
    };
    let status = status
        .or_else(|| keep("status").and_then(|v| v.as_text().map(str::to_owned)))
        .unwrap_or_else(|| statuses[0].to_owned());
    out.insert("status", Value::Text(status));

    for f in register.fields() {
        let problems_before = p.count();
        let value = match input.get(f.name) {
            Some(raw) => field_value(&mut p, f, raw, current.and_then(|c| c.get(f.name)), ctx),
            None => keep(f.name).unwrap_or(Value::Null),
        };
        if f.required && value.is_empty() && p.count() == problems_before {
            p.add(f.name, "is required");
        }
        out.insert(f.name, value);
    }
    cross_checks(register, &mut p, &out);
    // A measured objective's value is Steward's to record.
    if register == Register::Objectives
        && out.get("measure").is_some_and(|m| !m.is_empty())
        && input
            .get("actual")
            .is_some_and(|a| !a.is_null() && a.as_str().is_none_or(|s| !s.trim().is_empty()))
    {
        p.add(
            "actual",
            "is computed from the Steward figure: leave it empty, or remove the measure",
        );
    }
    if register == Register::Documents
        && let Some(current) = current
    {
        document_changes(&mut p, current, &out);
    }
    p.finish(out)
}

fn as_string(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

fn field_value(
    p: &mut Problems,
    f: &Field,
    raw: &Json,
    current: Option<&Value>,
    ctx: Context,
) -> Value {
    let name = f.name;
    let s = as_string(raw);
    let blank = raw.is_null() || (raw.is_string() && s.trim().is_empty());
    if blank && !matches!(f.ty, FieldType::Links(_) | FieldType::Raci) {
        return Value::Null;
    }
    match f.ty {
        FieldType::Text => Value::Text(text::required_line(p, name, &s, text::LINE_MAX)),
        // Browsers send a textarea's lines ending in CR LF.
        FieldType::LongText => Value::Text(text::optional_body(
            p,
            name,
            &s.replace("\r\n", "\n"),
            text::BODY_MAX,
        )),
        FieldType::Choice(options) => {
            let s = s.trim();
            if options.contains(&s) {
                Value::Text(s.to_owned())
            } else {
                p.add(name, format!("must be one of {}", options.join(", ")));
                Value::Null
            }
        }
        FieldType::Date(when) => match s.trim().parse::<Date>() {
            Ok(d) => {
                let changed = current != Some(&Value::Date(d));
                match when {
                    When::NotPast if changed && d < ctx.today => {
                        p.add(name, format!("must be today ({}) or later", ctx.today))
                    }
                    When::NotFuture if d > ctx.today => {
                        p.add(name, format!("must be today ({}) or earlier", ctx.today))
                    }
                    _ => {}
                }
                Value::Date(d)
            }
            Err(_) => {
                p.add(name, "must be a date written YYYY-MM-DD");
                Value::Null
            }
        },
        FieldType::User => Value::Text(text::email(p, name, &s)),
        FieldType::Links(target) => {
            let items: Vec<String> = match raw {
                Json::Array(a) => a.iter().map(as_string).collect(),
                Json::Null => Vec::new(),
                Json::String(s) => s.split([',', '\n']).map(str::to_owned).collect(),
                _ => {
                    p.add(name, "must be a list");
                    Vec::new()
                }
            };
            let mut refs: Vec<String> = items
                .iter()
                .map(|i| i.trim())
                .filter(|i| !i.is_empty())
                .map(|i| match target {
                    Target::User => i.to_lowercase(),
                    _ => i.to_uppercase(),
                })
                .collect();
            refs.sort();
            refs.dedup();
            if refs.len() > 500 {
                p.add(name, "may name at most 500 entries");
            }
            Value::Refs(refs)
        }
        FieldType::Raci => {
            let mut map = BTreeMap::new();
            match raw {
                Json::Object(o) => {
                    for (clause, letter) in o {
                        let letter = as_string(letter);
                        if letter.trim().is_empty() {
                            continue;
                        }
                        if catalogue().requirement(clause).is_none() {
                            p.add(
                                name,
                                format!("{clause:?} is not a requirement of the catalogue"),
                            );
                        } else if let Some(l) = Raci::parse(&letter) {
                            map.insert(clause.clone(), l);
                        } else {
                            p.add(name, format!("{clause}: {letter:?} must be R, A, C or I"));
                        }
                    }
                }
                Json::Null => {}
                _ => p.add(name, "must be an object of clause to R, A, C or I"),
            }
            Value::Raci(map)
        }
        FieldType::Score => match number(raw) {
            Some(v) if v.fract() == 0.0 && (1.0..=ctx.risk_scale.size as f64).contains(&v) => {
                Value::Int(v as i64)
            }
            _ => {
                p.add(
                    name,
                    format!("must be a whole number from 1 to {}", ctx.risk_scale.size),
                );
                Value::Null
            }
        },
        FieldType::Figure => match FigureId::parse(s.trim()) {
            Some(id) => Value::Text(id.as_str().to_owned()),
            None => {
                p.add(name, "must name a figure of the evidence registry");
                Value::Null
            }
        },
        FieldType::Number => match number(raw) {
            Some(v) if v.is_finite() && v.abs() < 1e12 => Value::Real(v),
            _ => {
                p.add(name, "must be a number");
                Value::Null
            }
        },
        FieldType::Months => match number(raw) {
            Some(v) if v.fract() == 0.0 && (0.0..=1200.0).contains(&v) => Value::Int(v as i64),
            _ => {
                p.add(name, "must be a whole number of months from 0 to 1200");
                Value::Null
            }
        },
    }
}

fn number(raw: &Json) -> Option<f64> {
    match raw {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Rules that involve more than one field.
fn cross_checks(register: Register, p: &mut Problems, v: &Values) {
    let text = |name: &str| v.get(name).and_then(|x| x.as_text());
    match register {
        Register::Objectives => {
            if let Some(target) = v.get("target").and_then(Value::as_f64)
                && v.get("measure").is_some_and(|m| !m.is_empty())
                && !(0.0..=100.0).contains(&target)
            {
                p.add(
                    "target",
                    "must be a percentage from 0 to 100 for a Steward figure",
                );
            }
        }
        Register::Programmes => {
            if let (Some(Value::Date(start)), Some(Value::Date(end))) =
                (v.get("starts_on"), v.get("ends_on"))
                && end <= start
            {
                p.add("ends_on", "must be after the day the cycle starts");
            }
        }
        Register::Training
            if text("status") == Some("completed")
                && v.get("done_on").is_none_or(Value::is_empty) =>
        {
            p.add("done_on", "is required once the training is completed");
        }
        _ => {}
    }
}

/// A document in force keeps its approved text: the text changes only in a
/// draft (start a new version first); an obsolete document does not change.
fn document_changes(p: &mut Problems, current: &Values, after: &Values) {
    let status = current
        .get("status")
        .and_then(Value::as_text)
        .unwrap_or("draft");
    if status == "obsolete" && current != after {
        p.add("status", "an obsolete document no longer changes");
        return;
    }
    if status == "draft" {
        return;
    }
    let changed =
        |f: &str| current.get(f).unwrap_or(&Value::Null) != after.get(f).unwrap_or(&Value::Null);
    if changed("description") {
        p.add(
            "description",
            "the text of a document under review or approved changes only in a new version: start a new version first",
        );
    }
    // Who wrote it and who approves it are settled before approval is asked
    // for, so that nobody can become the approver of their own text.
    for (field, what) in [("owner", "author"), ("reviewer", "approver")] {
        if changed(field) {
            p.add(
                field,
                format!("the {what} changes only in a draft: start a new version first"),
            );
        }
    }
}

/// An objective's live standing against its target.
pub fn on_target(direction: Option<&str>, target: f64, value: f64) -> bool {
    match direction {
        Some("at_most") => value <= target,
        _ => value >= target,
    }
}
