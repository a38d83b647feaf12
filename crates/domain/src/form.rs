//! Request forms (ISO/IEC 20000-1 8.6.2): what a catalogue offering asks
//! the person who orders it, built by admins in the browser, and the answers
//! checked against it. A form is a list of typed fields; a field may be
//! required, carry help text, and be shown only when an earlier field has a
//! value (or a given value). Hidden fields are neither required nor kept.
//!
//! Pure rules: a `user` answer is an e-mail, which the server resolves.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Problems, ValidationError};

/// The most fields a form has.
pub const MAX_FIELDS: usize = 40;
/// The most options a choice offers.
pub const MAX_OPTIONS: usize = 50;
/// The longest text answer, in characters.
pub const TEXT_MAX: usize = 4_000;

/// What a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    /// A day, `YYYY-MM-DD`.
    Date,
    /// One of the field's options.
    Choice,
    /// Someone, by e-mail.
    User,
    Checkbox,
}

/// When a field is shown: the field `field` (earlier in the form) has a
/// value, or, with `equals`, that value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShownWhen {
    pub field: String,
    pub equals: Option<String>,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// How answers name it: lower-case letters, digits and `_`, starting with a letter.
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub help: String,
    /// For a choice: what may be chosen.
    #[serde(default)]
    pub options: Vec<String>,
    pub shown_when: Option<ShownWhen>,
}

/// A form: its fields in the order they are asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormSpec {
    #[serde(default)]
    pub fields: Vec<FormField>,
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Text(String),
    Number(f64),
    /// `YYYY-MM-DD`.
    Date(String),
    /// An e-mail, to be resolved to a user.
    User(String),
    Checkbox(bool),
}

fn valid_key(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && k.len() <= 40
}

impl FormSpec {
    /// Checks a form as an admin built it; each problem names the field's place.
    pub fn check(&self) -> Result<(), ValidationError> {
        let mut p = Problems::default();
        if self.fields.len() > MAX_FIELDS {
            p.add("fields", format!("a form has at most {MAX_FIELDS} fields"));
        }
        let mut seen: Vec<&FormField> = Vec::new();
        for (i, f) in self.fields.iter().enumerate() {
            let at = format!("fields[{i}]");
            if !valid_key(&f.key) {
                p.add(
                    &format!("{at}.key"),
                    "use lower-case letters, digits and _, starting with a letter (at most 40)",
                );
            } else if seen.iter().any(|s| s.key == f.key) {
                p.add(&format!("{at}.key"), format!("{:?} is used twice", f.key));
            }
            let label = f.label.trim();
            if label.is_empty() || label.chars().count() > crate::text::LINE_MAX {
                p.add(
                    &format!("{at}.label"),
                    "write a label of at most 200 characters",
                );
            }
            match (f.kind, f.options.len()) {
                (FieldType::Choice, 0) => p.add(&format!("{at}.options"), "a choice needs options"),
                (FieldType::Choice, n) if n > MAX_OPTIONS => p.add(
                    &format!("{at}.options"),
                    format!("a choice has at most {MAX_OPTIONS} options"),
                ),
                (FieldType::Choice, _) => {
                    if f.options.iter().any(|o| o.trim().is_empty()) {
                        p.add(&format!("{at}.options"), "an option is empty");
                    }
                }
                (_, 0) => {}
                (_, _) => p.add(&format!("{at}.options"), "only a choice has options"),
            }
            if let Some(w) = &f.shown_when {
                match seen.iter().find(|s| s.key == w.field) {
                    None => p.add(
                        &format!("{at}.shown_when"),
                        format!("{:?} is not a field before this one", w.field),
                    ),
                    Some(s) => {
                        if let Some(v) = &w.equals
                            && s.kind == FieldType::Choice
                            && !s.options.contains(v)
                        {
                            p.add(
                                &format!("{at}.shown_when"),
                                format!("{:?} is not an option of {:?}", v, s.key),
                            );
                        }
                    }
                }
            }
            seen.push(f);
        }
        p.finish(())
    }

    /// The answers given (`key: value`), checked: each field shown by the
    /// answers before it and required is answered, each answer has its
    /// field's type, nothing is answered that the form does not ask. Hidden
    /// fields' answers are dropped. Empty strings and `null` count as no answer.
    pub fn answers(
        &self,
        given: &serde_json::Map<String, Value>,
    ) -> Result<Vec<(String, Answer)>, ValidationError> {
        let mut p = Problems::default();
        for k in given.keys() {
            if !self.fields.iter().any(|f| &f.key == k) {
                p.add(&format!("answers.{k}"), "is not a field of this form");
            }
        }
        let mut out: Vec<(String, Answer)> = Vec::new();
        for f in &self.fields {
            let at = format!("answers.{}", f.key);
            let shown = match &f.shown_when {
                None => true,
                Some(w) => out.iter().any(|(k, a)| {
                    k == &w.field
                        && match (&w.equals, a) {
                            (None, Answer::Checkbox(b)) => *b,
                            (None, _) => true,
                            (Some(v), Answer::Text(t)) => t == v,
                            (Some(v), Answer::Checkbox(b)) => (v == "true") == *b,
                            (Some(v), Answer::Number(n)) => v.parse::<f64>().ok() == Some(*n),
                            (Some(v), Answer::Date(d) | Answer::User(d)) => d == v,
                        }
                }),
            };
            if !shown {
                continue;
            }
            let value = given
                .get(&f.key)
                .filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()));
            let Some(v) = value else {
                if f.required && f.kind != FieldType::Checkbox {
                    p.add(&at, "is required");
                }
                if f.required && f.kind == FieldType::Checkbox {
                    p.add(&at, "must be ticked");
                }
                continue;
            };
            match answer(f, v) {
                Ok(Answer::Checkbox(false)) if f.required => p.add(&at, "must be ticked"),
                Ok(a) => out.push((f.key.clone(), a)),
                Err(m) => p.add(&at, m),
            }
        }
        p.finish(out)
    }
}

/// One answer read as its field's type, or what is wrong with it.
fn answer(f: &FormField, v: &Value) -> Result<Answer, String> {
    let text = || v.as_str().map(str::trim);
    match f.kind {
        FieldType::Text => match text() {
            Some(t) if t.chars().count() <= TEXT_MAX => Ok(Answer::Text(t.to_owned())),
            Some(_) => Err(format!("is longer than {TEXT_MAX} characters")),
            None => Err("must be text".into()),
        },
        FieldType::Number => {
            let n = v
                .as_f64()
                .or_else(|| text().and_then(|t| t.parse::<f64>().ok()));
            match n {
                Some(n) if n.is_finite() => Ok(Answer::Number(n)),
                _ => Err("must be a number".into()),
            }
        }
        FieldType::Date => match text().map(str::parse::<jiff::civil::Date>) {
            Some(Ok(d)) => Ok(Answer::Date(d.to_string())),
            _ => Err("must be a date such as 2027-01-31".into()),
        },
        FieldType::Choice => match text() {
            Some(t) if f.options.iter().any(|o| o == t) => Ok(Answer::Text(t.to_owned())),
            _ => Err(format!("choose one of {}", f.options.join(", "))),
        },
        FieldType::User => match text() {
            Some(t) if t.contains('@') && t.len() <= 254 => Ok(Answer::User(t.to_lowercase())),
            _ => Err("must be someone's e-mail".into()),
        },
        FieldType::Checkbox => match (v.as_bool(), text()) {
            (Some(b), _) => Ok(Answer::Checkbox(b)),
            (None, Some("true" | "on" | "yes")) => Ok(Answer::Checkbox(true)),
            (None, Some("false" | "off" | "no")) => Ok(Answer::Checkbox(false)),
            _ => Err("must be ticked or not (true or false)".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn laptop() -> FormSpec {
        serde_json::from_value(json!({"fields": [
            {"key": "model", "label": "Model", "type": "choice", "required": true,
             "options": ["Standard", "Developer"]},
            {"key": "reason", "label": "Why the developer model", "type": "text", "required": true,
             "shown_when": {"field": "model", "equals": "Developer"}},
            {"key": "needed_by", "label": "Needed by", "type": "date"},
            {"key": "for_someone", "label": "For someone else", "type": "checkbox"},
            {"key": "colleague", "label": "Who", "type": "user", "required": true,
             "shown_when": {"field": "for_someone"}},
            {"key": "monitors", "label": "Extra monitors", "type": "number"}
        ]}))
        .unwrap()
    }

    fn given(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_well_built_form_passes_and_a_bad_one_names_each_problem() {
        laptop().check().unwrap();
        let bad: FormSpec = serde_json::from_value(json!({"fields": [
            {"key": "Model", "label": "", "type": "choice"},
            {"key": "a", "label": "A", "type": "text", "options": ["x"]},
            {"key": "a", "label": "A again", "type": "text",
             "shown_when": {"field": "later"}},
            {"key": "later", "label": "L", "type": "number"}
        ]}))
        .unwrap();
        let e = bad.check().unwrap_err().to_string();
        for part in [
            "fields[0].key",
            "fields[0].label",
            "fields[0].options: a choice needs options",
            "fields[1].options: only a choice has options",
            "fields[2].key: \"a\" is used twice",
            "fields[2].shown_when: \"later\" is not a field before this one",
        ] {
            assert!(e.contains(part), "{part} in {e}");
        }
    }

    #[test]
    fn answers_are_typed_and_required_only_when_shown() {
        let f = laptop();
        let a = f
            .answers(&given(
                json!({"model": "Standard", "needed_by": "2027-01-31",
                                    "monitors": "2", "for_someone": false}),
            ))
            .unwrap();
        assert_eq!(
            a,
            vec![
                ("model".into(), Answer::Text("Standard".into())),
                ("needed_by".into(), Answer::Date("2027-01-31".into())),
                ("for_someone".into(), Answer::Checkbox(false)),
                ("monitors".into(), Answer::Number(2.0)),
            ]
        );
        // The developer model asks why; for someone else asks who.
        let e = f
            .answers(&given(json!({"model": "Developer", "for_someone": true})))
            .unwrap_err()
            .to_string();
        assert!(e.contains("answers.reason: is required"), "{e}");
        assert!(e.contains("answers.colleague: is required"), "{e}");
        // A hidden field's answer is dropped, not kept.
        let a = f
            .answers(&given(json!({"model": "Standard", "reason": "speed"})))
            .unwrap();
        assert!(a.iter().all(|(k, _)| k != "reason"), "{a:?}");
    }

    #[test]
    fn wrong_types_and_unknown_fields_are_refused() {
        let e = laptop()
            .answers(&given(json!({"model": "Gaming", "needed_by": "tomorrow",
                                    "monitors": "many", "for_someone": "maybe",
                                    "colour": "red"})))
            .unwrap_err()
            .to_string();
        for part in [
            "answers.model: choose one of Standard, Developer",
            "answers.needed_by: must be a date",
            "answers.monitors: must be a number",
            "answers.for_someone: must be ticked or not",
            "answers.colour: is not a field of this form",
        ] {
            assert!(e.contains(part), "{part} in {e}");
        }
        let e = laptop()
            .answers(&given(json!({"model": "Standard", "for_someone": true,
                                    "colleague": "nobody"})))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("answers.colleague: must be someone's e-mail"),
            "{e}"
        );
        let long = "x".repeat(TEXT_MAX + 1);
        let e = laptop()
            .answers(&given(json!({"model": "Developer", "reason": long})))
            .unwrap_err()
            .to_string();
        assert!(e.contains("longer than"), "{e}");
    }
}
