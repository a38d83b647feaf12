//! The SMS registers of clauses 4 to 7 (context, interested parties, objectives,
//! the SMS plan, roles, risks, documents, training, communication): one
//! mechanism. Each register is a list of fields with a type; one parser checks
//! any register's input against its fields, and the store keeps every register
//! in one table. A new register is a new entry here, nothing else.

use serde::Serialize;

mod field;
mod parse;
mod risk;

pub use field::*;
pub use parse::*;
pub use risk::*;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformity::catalogue::catalogue;
    use serde_json::Value as Json;
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
