//! The SMS registers of clauses 4 to 7 (context, interested parties, objectives,
//! the SMS plan, roles, risks, documents, training, communication): one
//! mechanism. Each register is a list of fields with a type; one parser checks
//! any register's input against its fields, and the store keeps every register
//! in one table. A new register is a new entry here, nothing else.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;
use serde_json::Value as Json;

use crate::conformity::catalogue::catalogue;
use crate::conformity::checks::FigureId;
use crate::error::{Problems, ValidationError};
use crate::text;

/// One register of the SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    Context,
    Parties,
    Objectives,
    Plan,
    Roles,
    Risks,
    Documents,
    Training,
    Communications,
    Programmes,
}

impl Register {
    pub const ALL: [Register; 10] = [
        Register::Context,
        Register::Parties,
        Register::Roles,
        Register::Risks,
        Register::Objectives,
        Register::Plan,
        Register::Training,
        Register::Communications,
        Register::Documents,
        Register::Programmes,
    ];

    /// The register's name in URLs: `/api/v1/{slug}`, `/sms/{slug}`.
    pub const fn slug(self) -> &'static str {
        match self {
            Register::Context => "context",
            Register::Parties => "interested-parties",
            Register::Objectives => "objectives",
            Register::Plan => "plan",
            Register::Roles => "roles",
            Register::Risks => "risks",
            Register::Documents => "documents",
            Register::Training => "training",
            Register::Communications => "communications",
            Register::Programmes => "audit-programmes",
        }
    }

    /// The kind stored with each record.
    pub const fn kind(self) -> &'static str {
        match self {
            Register::Context => "context",
            Register::Parties => "party",
            Register::Objectives => "objective",
            Register::Plan => "plan_item",
            Register::Roles => "role",
            Register::Risks => "risk",
            Register::Documents => "document",
            Register::Training => "training",
            Register::Communications => "communication",
            Register::Programmes => "audit_programme",
        }
    }

    /// The prefix of the records' human numbers.
    pub const fn prefix(self) -> &'static str {
        match self {
            Register::Context => "CTX",
            Register::Parties => "IP",
            Register::Objectives => "OBJ",
            Register::Plan => "PLN",
            Register::Roles => "ROL",
            Register::Risks => "RSK",
            Register::Documents => "DOC",
            Register::Training => "TRN",
            Register::Communications => "COM",
            Register::Programmes => "APR",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Register::Context => "Context issues",
            Register::Parties => "Interested parties",
            Register::Objectives => "Objectives",
            Register::Plan => "SMS plan",
            Register::Roles => "Roles",
            Register::Risks => "Risks and opportunities",
            Register::Documents => "Documents",
            Register::Training => "Competence and training",
            Register::Communications => "Communication plan",
            Register::Programmes => "Internal audit programme",
        }
    }

    /// The clause of ISO/IEC 20000-1:2018 the register answers.
    pub const fn clause(self) -> &'static str {
        match self {
            Register::Context => "4.1",
            Register::Parties => "4.2",
            Register::Objectives => "6.2.1",
            Register::Plan => "6.3",
            Register::Roles => "5.3",
            Register::Risks => "6.1",
            Register::Documents => "7.5.3",
            Register::Training => "7.2",
            Register::Communications => "7.4",
            Register::Programmes => "9.2",
        }
    }

    pub fn from_slug(s: &str) -> Option<Register> {
        Self::ALL.into_iter().find(|r| r.slug() == s)
    }

    pub fn from_kind(s: &str) -> Option<Register> {
        Self::ALL.into_iter().find(|r| r.kind() == s)
    }

    /// The register whose numbers start with this prefix (`RSK-0004`).
    pub fn of_number(number: &str) -> Option<Register> {
        let (prefix, _) = number.split_once('-')?;
        Self::ALL
            .into_iter()
            .find(|r| r.prefix().eq_ignore_ascii_case(prefix))
    }

    /// The statuses a record of this register may take; the first is the default.
    pub const fn statuses(self) -> &'static [&'static str] {
        match self {
            Register::Context | Register::Parties | Register::Communications => {
                &["active", "closed"]
            }
            Register::Objectives => &["active", "achieved", "dropped"],
            Register::Plan => &["planned", "in_progress", "done", "cancelled"],
            Register::Roles => &["active", "retired"],
            Register::Risks => &["open", "closed"],
            Register::Documents => &["draft", "in_review", "approved", "obsolete"],
            Register::Training => &["planned", "completed"],
            Register::Programmes => &["planned", "active", "closed"],
        }
    }

    /// The register's fields, in the order a form shows them. Every register
    /// also has `title`, `description` and `status`.
    pub fn fields(self) -> &'static [Field] {
        use FieldType::*;
        const OWNER: Field = Field::new("owner", "Owner", User);
        const REVIEW: Field = Field::new("review_on", "Next review", Date(When::NotPast));
        match self {
            Register::Context => {
                const F: &[Field] = &[
                    Field::new(
                        "category",
                        "Internal or external",
                        Choice(&["internal", "external"]),
                    )
                    .required(),
                    OWNER,
                    REVIEW,
                ];
                F
            }
            Register::Parties => {
                const F: &[Field] = &[
                    Field::new(
                        "category",
                        "Internal or external",
                        Choice(&["internal", "external"]),
                    )
                    .required(),
                    Field::new("requirements", "Their requirements", LongText),
                    OWNER,
                    REVIEW,
                ];
                F
            }
            Register::Objectives => {
                const F: &[Field] = &[
                    Field::new("category", "Dimension it improves", Choice(&DIMENSIONS)),
                    Field::new("measure", "Measured by (Steward figure)", Figure),
                    Field::new(
                        "direction",
                        "Good when the value is",
                        Choice(&["at_least", "at_most"]),
                    ),
                    Field::new("target", "Target", Number),
                    Field::new("unit", "Unit", Text),
                    Field::new(
                        "actual",
                        "Current value (when not measured by Steward)",
                        Number,
                    ),
                    OWNER,
                    Field::new("due_on", "Due date", Date(When::NotPast)),
                    Field::new("services", "Services", Links(Target::Service)),
                ];
                F
            }
            Register::Plan => {
                const F: &[Field] = &[
                    Field::new("category", "Section of the plan", Choice(&PLAN_SECTIONS)),
                    OWNER,
                    Field::new("due_on", "Due date", Date(When::NotPast)),
                    Field::new(
                        "objectives",
                        "Objectives served",
                        Links(Target::Record(Register::Objectives)),
                    ),
                ];
                F
            }
            Register::Roles => {
                const F: &[Field] = &[
                    Field::new("holders", "People in the role", Links(Target::User)),
                    Field::new("raci", "RACI per process", Raci),
                ];
                F
            }
            Register::Risks => {
                const F: &[Field] = &[
                    Field::new(
                        "category",
                        "Risk or opportunity",
                        Choice(&["risk", "opportunity"]),
                    )
                    .required(),
                    Field::new("likelihood", "Likelihood", Score).required(),
                    Field::new("impact", "Impact", Score).required(),
                    Field::new(
                        "treatment",
                        "Treatment",
                        Choice(&["none", "accept", "reduce", "transfer", "avoid", "exploit"]),
                    ),
                    Field::new("treatment_plan", "Treatment plan", LongText),
                    OWNER,
                    REVIEW,
                    Field::new("services", "Services affected", Links(Target::Service)),
                    Field::new(
                        "objectives",
                        "Objectives affected",
                        Links(Target::Record(Register::Objectives)),
                    ),
                ];
                F
            }
            Register::Documents => {
                const F: &[Field] = &[
                    Field::new(
                        "category",
                        "Type",
                        Choice(&["policy", "scope", "process", "procedure", "plan", "record"]),
                    )
                    .required(),
                    Field::new("owner", "Author", User),
                    Field::new("reviewer", "Approver", User),
                    REVIEW,
                    Field::new("retention_months", "Keep for (months)", Months),
                    Field::new("distribution", "Distributed to", Links(Target::User)),
                    Field::new("services", "Services in scope", Links(Target::Service)),
                    Field::new("locations", "Locations in scope", Text),
                ];
                F
            }
            Register::Training => {
                const F: &[Field] = &[
                    Field::new("person", "Person", User).required(),
                    Field::new("role", "Role", Links(Target::Record(Register::Roles))),
                    Field::new("done_on", "Completed on", Date(When::NotFuture)),
                    Field::new("review_on", "Valid until", Date(When::Any)),
                ];
                F
            }
            Register::Communications => {
                const F: &[Field] = &[
                    Field::new("audience", "To whom", Text).required(),
                    Field::new("frequency", "When", Text).required(),
                    Field::new("channel", "How", Text).required(),
                    Field::new("owner", "By whom", User),
                ];
                F
            }
            Register::Programmes => {
                const F: &[Field] = &[
                    Field::new("starts_on", "Cycle starts on", Date(When::Any)).required(),
                    Field::new("ends_on", "Cycle ends on", Date(When::Any)).required(),
                    OWNER,
                ];
                F
            }
        }
    }

    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.name == name)
    }
}

/// What an objective's target improves: the dimensions of service
/// management objectives (quality, value, capability, cost, productivity,
/// resource utilisation, risk reduction). An objective's `category`.
pub const DIMENSIONS: [&str; 7] = [
    "quality",
    "value",
    "capability",
    "cost",
    "productivity",
    "resource_utilisation",
    "risk_reduction",
];

/// The sections of the SMS plan: service requirements; known limitations;
/// obligations (legal, regulatory, contractual); resources (people,
/// technical, information, financial); working with other parties; the
/// approach to risks; technology; how the processes fit together; and how
/// measures are audited, reported and improved. A plan item's `category`.
pub const PLAN_SECTIONS: [&str; 9] = [
    "service_requirements",
    "limitations",
    "obligations",
    "resources",
    "other_parties",
    "risk_approach",
    "technology",
    "process_integration",
    "measurement",
];

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

/// What the rules need to know beyond the input.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub today: Date,
    pub risk_scale: RiskScale,
}

/// The likelihood and impact scale of the risk register: 1 to `size` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RiskScale {
    pub size: i64,
}

impl Default for RiskScale {
    fn default() -> Self {
        RiskScale { size: 5 }
    }
}

/// How serious a risk's score is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

impl RiskScale {
    pub const MIN: i64 = 3;
    pub const MAX: i64 = 10;

    pub fn new(size: i64) -> Option<RiskScale> {
        (Self::MIN..=Self::MAX)
            .contains(&size)
            .then_some(RiskScale { size })
    }

    /// The lowest score that is high: 60% of the largest, rounded up
    /// (15 of 25 on the usual 5 x 5 scale).
    pub const fn high_from(self) -> i64 {
        (self.size * self.size * 3 + 4) / 5
    }

    /// The lowest score that is medium: 30% of the largest (8 of 25).
    pub const fn medium_from(self) -> i64 {
        (self.size * self.size * 3 + 9) / 10
    }

    pub fn level(self, likelihood: i64, impact: i64) -> Level {
        let score = likelihood * impact;
        if score >= self.high_from() {
            Level::High
        } else if score >= self.medium_from() {
            Level::Medium
        } else {
            Level::Low
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Context {
        Context {
            today: "2026-11-25".parse().unwrap(),
            risk_scale: RiskScale::default(),
        }
    }

    fn obj(v: Json) -> serde_json::Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn every_register_has_a_distinct_slug_kind_and_prefix() {
        let mut seen = std::collections::HashSet::new();
        for r in Register::ALL {
            assert!(seen.insert(("slug", r.slug())));
            assert!(seen.insert(("kind", r.kind())));
            assert!(seen.insert(("prefix", r.prefix())));
            assert_eq!(Register::from_slug(r.slug()), Some(r));
            assert_eq!(Register::from_kind(r.kind()), Some(r));
            assert!(catalogue().requirement(r.clause()).is_some());
            for f in r.fields() {
                assert!(!matches!(f.name, "title" | "description" | "status"));
            }
        }
    }

    #[test]
    fn a_risk_is_scored_on_the_scale() {
        let v = parse(
            Register::Risks,
            &obj(json!({"title": "Data centre flood", "category": "risk", "likelihood": 2, "impact": "5"})),
            None,
            ctx(),
        )
        .unwrap();
        assert_eq!(v["likelihood"], Value::Int(2));
        assert_eq!(v["impact"], Value::Int(5));
        assert_eq!(v["status"], Value::Text("open".into()));
        let e = parse(
            Register::Risks,
            &obj(json!({"title": "x", "category": "risk", "likelihood": 6, "impact": 0})),
            None,
            ctx(),
        )
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["likelihood", "impact"]);
    }

    #[test]
    fn levels_follow_the_scale() {
        let s = RiskScale::default();
        assert_eq!(s.level(3, 5), Level::High);
        assert_eq!(s.level(2, 4), Level::Medium);
        assert_eq!(s.level(1, 5), Level::Low);
        let three = RiskScale::new(3).unwrap();
        assert_eq!(three.level(3, 2), Level::High);
        assert!(RiskScale::new(2).is_none() && RiskScale::new(11).is_none());
    }

    #[test]
    fn a_due_date_in_the_past_is_refused_unless_it_is_unchanged() {
        let input = obj(json!({"title": "Train the desk", "due_on": "2026-01-01"}));
        let e = parse(Register::Plan, &input, None, ctx()).unwrap_err();
        assert_eq!(e.0[0].field, "due_on");
        let mut current = Values::new();
        current.insert("title", Value::Text("Train the desk".into()));
        current.insert("due_on", Value::Date("2026-01-01".parse().unwrap()));
        let v = parse(Register::Plan, &input, Some(&current), ctx()).unwrap();
        assert_eq!(v["due_on"], Value::Date("2026-01-01".parse().unwrap()));
    }

    #[test]
    fn a_change_keeps_what_it_does_not_name_and_refuses_unknown_fields() {
        let mut current = Values::new();
        current.insert("title", Value::Text("Customers want 24x7".into()));
        current.insert("category", Value::Text("external".into()));
        current.insert("status", Value::Text("active".into()));
        let v = parse(
            Register::Parties,
            &obj(json!({"status": "closed"})),
            Some(&current),
            ctx(),
        )
        .unwrap();
        assert_eq!(v["category"], Value::Text("external".into()));
        assert_eq!(v["status"], Value::Text("closed".into()));
        let e = parse(
            Register::Parties,
            &obj(json!({"colour": "red"})),
            Some(&current),
            ctx(),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "colour");
    }

    #[test]
    fn documents_change_status_only_through_their_workflow() {
        let e = parse(
            Register::Documents,
            &obj(json!({"title": "Policy", "category": "policy", "status": "approved"})),
            None,
            ctx(),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "status");
    }

    #[test]
    fn an_approved_text_changes_only_in_a_new_version() {
        let mut current = Values::new();
        current.insert("title", Value::Text("Policy".into()));
        current.insert("description", Value::Text("v1 text".into()));
        current.insert("status", Value::Text("approved".into()));
        current.insert("category", Value::Text("policy".into()));
        let e = parse(
            Register::Documents,
            &obj(json!({"description": "changed"})),
            Some(&current),
            ctx(),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "description");
        // The approver may not be swapped while it is in force.
        current.insert("reviewer", Value::Text("boss@x.org".into()));
        let e = parse(
            Register::Documents,
            &obj(json!({"reviewer": "me@x.org"})),
            Some(&current),
            ctx(),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "reviewer");
        // Its review date may move on.
        parse(
            Register::Documents,
            &obj(json!({"review_on": "2027-11-25"})),
            Some(&current),
            ctx(),
        )
        .unwrap();
        current.insert("status", Value::Text("draft".into()));
        parse(
            Register::Documents,
            &obj(json!({"description": "changed"})),
            Some(&current),
            ctx(),
        )
        .unwrap();
    }

    #[test]
    fn raci_names_requirements_and_letters() {
        let v = parse(
            Register::Roles,
            &obj(json!({"title": "Incident manager", "raci": {"8.6.1": "A", "8.6.3": "c"}})),
            None,
            ctx(),
        )
        .unwrap();
        let Value::Raci(m) = &v["raci"] else { panic!() };
        assert_eq!(m["8.6.3"], Raci::C);
        let e = parse(
            Register::Roles,
            &obj(json!({"title": "x", "raci": {"99.1": "A", "8.6.1": "X"}})),
            None,
            ctx(),
        )
        .unwrap_err();
        assert_eq!(e.0.len(), 2);
    }

    #[test]
    fn objectives_measured_by_steward_are_percentages() {
        let e = parse(
            Register::Objectives,
            &obj(json!({"title": "Fix fast", "measure": "incidents_resolved_in_time", "target": 120})),
            None,
            ctx(),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "target");
        let e = parse(
            Register::Objectives,
            &obj(json!({"title": "Fix fast", "measure": "no_such_figure"})),
            None,
            ctx(),
        )
        .unwrap_err();
        assert_eq!(e.0[0].field, "measure");
        assert!(on_target(Some("at_least"), 90.0, 95.0));
        assert!(!on_target(Some("at_most"), 5.0, 7.5));
    }

    #[test]
    fn links_are_trimmed_sorted_and_unique() {
        let v = parse(
            Register::Roles,
            &obj(json!({"title": "Desk", "holders": "B@x.org, a@x.org,\nb@x.org"})),
            None,
            ctx(),
        )
        .unwrap();
        assert_eq!(
            v["holders"],
            Value::Refs(vec!["a@x.org".into(), "b@x.org".into()])
        );
    }
}
