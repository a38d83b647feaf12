//! A register's fields: their types, the targets of links, RACI letters and
//! checked values.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::*;

/// A field of a register.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    /// The name in the API and, for scalar fields, the column.
    pub name: &'static str,
    pub label: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

impl Field {
    pub const fn new(name: &'static str, label: &'static str, ty: FieldType) -> Field {
        Field {
            name,
            label,
            ty,
            required: false,
        }
    }

    pub const fn required(mut self) -> Field {
        self.required = true;
        self
    }

    /// Whether the field is kept as links rather than in a column.
    pub const fn is_link(&self) -> bool {
        matches!(self.ty, FieldType::Links(_) | FieldType::Raci)
    }
}

/// What a field holds and how its input is checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldType {
    /// One line of text.
    Text,
    /// Free text.
    LongText,
    /// One of the listed values.
    Choice(&'static [&'static str]),
    /// A calendar date, `YYYY-MM-DD`.
    Date(When),
    /// A member of the provider's staff, by e-mail.
    User,
    /// Many references.
    Links(Target),
    /// A score on the risk scale, 1 to the scale's size.
    Score,
    /// The name of a figure of the evidence registry.
    Figure,
    /// A number.
    Number,
    /// A whole number of months, 0 to 1200.
    Months,
    /// Responsible, accountable, consulted, informed per process (clause 8 requirement).
    Raci,
}

/// Which dates a date field accepts when it is set or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Any,
    /// Today or later: a date in the past would be overdue at once.
    NotPast,
    /// Today or earlier: something that has happened.
    NotFuture,
}

/// What a link field points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Staff members, by e-mail.
    User,
    /// Services, by number.
    Service,
    /// Records of another register, by number.
    Record(Register),
}

impl Target {
    pub const fn as_str(self) -> &'static str {
        match self {
            Target::User => "user",
            Target::Service => "service",
            Target::Record(_) => "record",
        }
    }
}

/// A RACI letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Raci {
    R,
    A,
    C,
    I,
}

impl Raci {
    pub fn parse(s: &str) -> Option<Raci> {
        match s.trim() {
            "R" | "r" => Some(Raci::R),
            "A" | "a" => Some(Raci::A),
            "C" | "c" => Some(Raci::C),
            "I" | "i" => Some(Raci::I),
            _ => None,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Raci::R => "R",
            Raci::A => "A",
            Raci::C => "C",
            Raci::I => "I",
        }
    }
}

/// A field's checked value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
    Real(f64),
    Date(Date),
    /// References: e-mails, service numbers or record numbers, sorted and unique.
    Refs(Vec<String>),
    /// Process (requirement clause) to letter.
    Raci(BTreeMap<String, Raci>),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Text(s) => s.is_empty(),
            Value::Refs(v) => v.is_empty(),
            Value::Raci(m) => m.is_empty(),
            _ => false,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Real(v) => Some(*v),
            Value::Int(v) => Some(*v as f64),
            _ => None,
        }
    }
}

/// A record's checked values: `title`, `description`, `status` and the
/// register's fields.
pub type Values = BTreeMap<&'static str, Value>;
