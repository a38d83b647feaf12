//! The kinds of work record (ADR 0010): every piece of work (incident, and
//! next problem, request, change...) is one common record of a kind. Each
//! kind keeps its own lifecycle states; every state maps to one of a few
//! shared categories, stored beside it, so that queues, clocks and evidence
//! that span kinds need no code per kind.

use crate::UtcMillis;
use crate::access::Role;
use crate::error::ValidationError;
use crate::number::NumberKind;

/// The `kind` of an incident's work record.
pub const INCIDENT: &str = "incident";
/// The `kind` of a problem's work record.
pub const PROBLEM: &str = "problem";
/// The `kind` of a complaint's work record.
pub const COMPLAINT: &str = "complaint";
/// The `kind` of a nonconformity's work record.
pub const NONCONFORMITY: &str = "nonconformity";
/// The `kind` of an action's work record.
pub const ACTION: &str = "action";
/// The `kind` of an improvement's work record.
pub const IMPROVEMENT: &str = "improvement";
/// The `kind` of an internal audit's work record.
pub const AUDIT: &str = "audit";
/// The `kind` of an audit finding's work record.
pub const FINDING: &str = "finding";
/// The `kind` of a management review's work record.
pub const REVIEW: &str = "review";
/// The `kind` of a knowledge article's work record.
pub const ARTICLE: &str = "article";
/// The `kind` of a service request's work record.
pub const REQUEST: &str = "request";
/// The `kind` of a request's fulfilment task.
pub const TASK: &str = "task";
/// The `kind` of a service review meeting with a customer.
pub const SERVICE_REVIEW: &str = "service_review";

/// A kind of work record. Its descriptor ([`Kind::spec`]) is the one place
/// that says what the kind is called, how it is numbered, and who may do what
/// with it; the policy, the navigation and the authorisation tests read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Incident,
    Problem,
    Complaint,
    Nonconformity,
    Action,
    Improvement,
    Audit,
    Finding,
    Review,
    Article,
    Request,
    Task,
    ServiceReview,
}

/// What someone does with a work record, whatever its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// See the record, its comments, files, links and history.
    Read,
    /// Raise a new one.
    Create,
    /// Change its fields.
    Update,
    /// Ask for a lifecycle step (the kind's lifecycle decides which).
    Transition,
    /// A comment the customer sees, or a public file.
    Comment,
    /// A staff-only work note, or a staff-only file.
    WorkNote,
    /// Link it to another record (the actor must see both).
    Link,
    /// Rate its resolution, once (customer satisfaction).
    Rate,
    /// Say whether it helped (a knowledge article's reader).
    Feedback,
    /// Approve or reject it, as one of its approvers (a request).
    Approve,
}

impl Verb {
    pub const ALL: [Verb; 10] = [
        Verb::Read,
        Verb::Create,
        Verb::Update,
        Verb::Transition,
        Verb::Comment,
        Verb::WorkNote,
        Verb::Link,
        Verb::Rate,
        Verb::Feedback,
        Verb::Approve,
    ];
}

/// The descriptor of a kind of work record.
#[derive(Debug)]
pub struct KindSpec {
    pub kind: Kind,
    /// The `kind` column's value and the audit trail's `record_type`.
    pub code: &'static str,
    pub number: NumberKind,
    pub label: &'static str,
    pub plural: &'static str,
    /// The collection's path: `/api/v1/{path}` and `/{path}`.
    pub path: &'static str,
    /// Who may do what; a verb not listed is refused to everyone.
    pub grants: &'static [(Verb, &'static [Role])],
}

mod specs;
use specs::*;

impl Kind {
    /// Whether an open record of this kind past its target date is escalated
    /// (once per target date) to its owner, its group and their managers:
    /// complaints, whose answer the customer is waiting for.
    pub fn escalates_when_overdue(self) -> bool {
        matches!(self, Kind::Complaint)
    }

    pub const ALL: [Kind; 13] = [
        Kind::Incident,
        Kind::Problem,
        Kind::Complaint,
        Kind::Nonconformity,
        Kind::Action,
        Kind::Improvement,
        Kind::Audit,
        Kind::Finding,
        Kind::Review,
        Kind::Article,
        Kind::Request,
        Kind::Task,
        Kind::ServiceReview,
    ];

    pub fn spec(self) -> &'static KindSpec {
        match self {
            Kind::Incident => &INCIDENT_SPEC,
            Kind::Problem => &PROBLEM_SPEC,
            Kind::Complaint => &COMPLAINT_SPEC,
            Kind::Nonconformity => &NONCONFORMITY_SPEC,
            Kind::Action => &ACTION_SPEC,
            Kind::Improvement => &IMPROVEMENT_SPEC,
            Kind::Audit => &AUDIT_SPEC,
            Kind::Finding => &FINDING_SPEC,
            Kind::Review => &REVIEW_SPEC,
            Kind::Article => &ARTICLE_SPEC,
            Kind::Request => &REQUEST_SPEC,
            Kind::Task => &TASK_SPEC,
            Kind::ServiceReview => &SERVICE_REVIEW_SPEC,
        }
    }

    /// The kind whose numbers start with the prefix of `number` (`PRB-000001`).
    pub fn of_number(number: &str) -> Option<Kind> {
        let prefix = number.trim().split('-').next()?;
        Self::ALL
            .into_iter()
            .find(|k| k.spec().number.prefix().eq_ignore_ascii_case(prefix))
    }

    /// The canonical spelling of a record number of any kind.
    pub fn canonical_number(number: &str) -> Option<(Kind, String)> {
        let kind = Self::of_number(number)?;
        Some((kind, kind.spec().number.canonical(number)?))
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.spec().code == code)
    }

    /// The roles granted `verb` on this kind (none when nobody is).
    pub fn granted(self, verb: Verb) -> &'static [Role] {
        self.spec()
            .grants
            .iter()
            .find(|(v, _)| *v == verb)
            .map_or(&[], |(_, roles)| roles)
    }
}

/// A lifecycle step that a kind's state machine does not allow from the
/// record's state: one error for every kind, answered with 409 and the steps
/// that are allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot {action} {} {kind} that is {from}; allowed from here: {}",
    article(kind),
    allowed_text(kind, allowed)
)]
pub struct TransitionError {
    /// The kind's name in words: "incident", "problem".
    pub kind: &'static str,
    /// The current state, in words.
    pub from: &'static str,
    /// The step that was asked for.
    pub action: &'static str,
    /// The steps allowed from the current state.
    pub allowed: &'static [&'static str],
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn allowed_text(kind: &str, allowed: &[&str]) -> String {
    if allowed.is_empty() {
        format!("nothing (the {kind} is final)")
    } else {
        allowed.join(", ")
    }
}

/// The shape every lifecycle shares (incidents, problems, controlled
/// documents): states, each in a [`StateCategory`], the steps allowed from
/// each, and one refusal of any other step, [`TransitionError`] (409, naming
/// the steps that are allowed). Each kind keeps its own rules of what a
/// step needs (a resolution code, a workaround, an approver).
pub trait StateMachine: Copy + 'static {
    /// Every state, in lifecycle order.
    const ALL: &'static [Self];
    /// The state as stored and as the API spells it.
    fn code(self) -> &'static str;

    /// What the record is called in a sentence: "incident".
    const KIND: &'static str;
    /// The state as it reads inside a sentence: "in progress".
    fn words(self) -> &'static str;
    fn category(self) -> StateCategory;
    /// The steps that may be taken from this state.
    fn allowed(self) -> &'static [&'static str];

    /// The refusal of `action` from this state.
    fn refuse(self, action: &'static str) -> TransitionError {
        TransitionError {
            kind: Self::KIND,
            from: self.words(),
            action,
            allowed: self.allowed(),
        }
    }

    /// Nothing when `action` may be taken from this state; its refusal otherwise.
    fn check(self, action: &'static str) -> Result<(), TransitionError> {
        if self.allowed().contains(&action) {
            Ok(())
        } else {
            Err(self.refuse(action))
        }
    }
}

/// Declares a kind's lifecycle as one table, a row per state: its variant,
/// its code, its label, its words in a sentence, its category and the steps
/// allowed from it. The first state is where a new record starts. Gives the
/// enum (serialised by code), `ALL`, `as_str`, `label`, `parse`, `category`,
/// `is_final`, `available` and its [`StateMachine`].
#[macro_export]
macro_rules! lifecycle {
    (
        $(#[$m:meta])*
        pub enum $name:ident of $kind:literal {
            $first:ident => ($fcode:literal, $flabel:literal, $fwords:literal, $fcat:ident, [$($fstep:literal),*]),
            $($v:ident => ($code:literal, $label:literal, $words:literal, $cat:ident, [$($step:literal),*]),)*
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            #[default]
            $first,
            $($v,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$name::$first, $($name::$v,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $name::$first => $fcode,
                    $($name::$v => $code,)*
                }
            }

            pub const fn label(self) -> &'static str {
                match self {
                    $name::$first => $flabel,
                    $($name::$v => $label,)*
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|st| st.as_str() == s)
            }

            pub const fn category(self) -> $crate::kind::StateCategory {
                match self {
                    $name::$first => $crate::kind::StateCategory::$fcat,
                    $($name::$v => $crate::kind::StateCategory::$cat,)*
                }
            }

            /// Closed or cancelled: nothing more happens to it.
            pub const fn is_final(self) -> bool {
                matches!(
                    self.category(),
                    $crate::kind::StateCategory::Closed | $crate::kind::StateCategory::Cancelled
                )
            }

            /// The steps a person can take from here, for buttons and error messages.
            pub const fn available(self) -> &'static [&'static str] {
                match self {
                    $name::$first => &[$($fstep),*],
                    $($name::$v => &[$($step),*],)*
                }
            }
        }

        impl $crate::kind::StateMachine for $name {
            const KIND: &'static str = $kind;
            const ALL: &'static [Self] = $name::ALL;
            fn code(self) -> &'static str {
                self.as_str()
            }
            fn words(self) -> &'static str {
                match self {
                    $name::$first => $fwords,
                    $($name::$v => $words,)*
                }
            }
            fn category(self) -> $crate::kind::StateCategory {
                $name::category(self)
            }
            fn allowed(self) -> &'static [&'static str] {
                self.available()
            }
        }
    };
}

/// Declares a closed set of values stored and spoken as codes, a row per
/// value: its variant, code and label. Gives the enum (serialised by code),
/// `ALL`, `as_str`, `label`, `parse` and `codes` (for error messages).
#[macro_export]
macro_rules! code_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident { $($v:ident => ($code:literal, $label:literal),)+ }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$v => $code,)+ }
            }

            pub const fn label(self) -> &'static str {
                match self { $($name::$v => $label,)+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// Every code, for a message: "a, b or c".
            pub fn codes() -> String {
                let all: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                match all.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                    _ => all.join(""),
                }
            }
        }
    };
}

/// A lifecycle step as people take it: what its button says, and the text
/// it records, if any (the field the API names and its label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepSpec {
    pub action: &'static str,
    pub label: &'static str,
    pub text: Option<(&'static str, &'static str)>,
    /// A step that ends the record's work without doing it (cancel).
    pub danger: bool,
}

/// The steps of `specs` that may be taken from `state`, in lifecycle order.
pub fn steps_from<S: StateMachine>(state: S, specs: &'static [StepSpec]) -> Vec<&'static StepSpec> {
    specs
        .iter()
        .filter(|s| state.allowed().contains(&s.action))
        .collect()
}

/// A step as people ask for it: `action` one of `specs`, with the text it
/// records when it records one (required then, and only then kept).
pub fn parse_step(
    specs: &'static [StepSpec],
    action: &str,
    text: Option<&str>,
) -> Result<(&'static StepSpec, Option<String>), ValidationError> {
    let Some(spec) = specs.iter().find(|s| s.action == action) else {
        let names: Vec<&str> = specs.iter().map(|s| s.action).collect();
        return Err(ValidationError::single(
            "action",
            format!("use one of {}", names.join(", ")),
        ));
    };
    let Some((field, label)) = spec.text else {
        return Ok((spec, None));
    };
    let mut p = crate::error::Problems::default();
    let given = text.unwrap_or_default();
    if given.trim().is_empty() {
        p.add(field, format!("write the {}", label.to_lowercase()));
        return p.finish((spec, None));
    }
    let t = crate::text::required_body(&mut p, field, given, crate::text::BODY_MAX);
    p.finish((spec, Some(t)))
}

/// The state spelt `code`, if the lifecycle has one.
pub fn parse_state<S: StateMachine>(code: &str) -> Option<S> {
    S::ALL.iter().copied().find(|s| s.code() == code)
}

/// A list filter on states as people type it: comma-separated state codes,
/// where `open` stands for every state of an open category; an unknown one is a problem
/// of `field`. The codes, as stored.
pub fn state_filter<S: StateMachine>(
    field: &str,
    typed: Option<&str>,
    p: &mut crate::error::Problems,
) -> Vec<&'static str> {
    let mut codes = Vec::new();
    for part in typed.unwrap_or_default().split(',').map(str::trim) {
        if part.is_empty() {
            continue;
        }
        if part == "open" {
            codes.extend(
                S::ALL
                    .iter()
                    .filter(|s| s.category().is_open())
                    .map(|s| s.code()),
            );
        } else if let Some(s) = parse_state::<S>(part) {
            codes.push(s.code());
        } else {
            p.add(
                field,
                format!("{part:?} is not {} {} state", article(S::KIND), S::KIND),
            );
        }
    }
    codes
}

/// What every kind's lifecycle state means across kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateCategory {
    /// Raised, nobody has started.
    New,
    /// Someone works on it.
    Active,
    /// Waiting on someone outside the provider (customer, supplier).
    Waiting,
    /// Done, awaiting confirmation or closure.
    Resolved,
    /// Finished.
    Closed,
    /// Withdrawn without being done.
    Cancelled,
}

impl StateCategory {
    pub const ALL: [StateCategory; 6] = [
        StateCategory::New,
        StateCategory::Active,
        StateCategory::Waiting,
        StateCategory::Resolved,
        StateCategory::Closed,
        StateCategory::Cancelled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            StateCategory::New => "new",
            StateCategory::Active => "active",
            StateCategory::Waiting => "waiting",
            StateCategory::Resolved => "resolved",
            StateCategory::Closed => "closed",
            StateCategory::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<StateCategory> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Someone still has to act: the work queues show it.
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            StateCategory::New | StateCategory::Active | StateCategory::Waiting
        )
    }
}

/// Validated shared fields of a new record of any kind, or of a change to
/// one, before its references are resolved: the same field rules as an
/// incident's, so that records of every kind compare like with like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDraft {
    pub title: String,
    pub description: String,
    pub category: String,
    pub impact: crate::priority::Level,
    pub urgency: crate::priority::Level,
}

impl RecordDraft {
    pub fn parse(
        title: &str,
        description: &str,
        category: Option<&str>,
        impact: Option<i64>,
        urgency: Option<i64>,
    ) -> Result<RecordDraft, ValidationError> {
        let d = crate::incident::IncidentDraft::parse(
            title,
            description,
            category,
            impact,
            urgency,
            false,
        )?;
        Ok(RecordDraft {
            title: d.title,
            description: d.description,
            category: d.category,
            impact: d.impact,
            urgency: d.urgency,
        })
    }
}

/// A target date typed as `YYYY-MM-DD`: the end of that day, UTC.
pub fn parse_target_date(field: &str, s: &str) -> Result<UtcMillis, ValidationError> {
    let date: jiff::civil::Date = s
        .trim()
        .parse()
        .map_err(|_| ValidationError::single(field, "must be a date such as 2027-01-31"))?;
    jiff::tz::TimeZone::UTC
        .to_timestamp(date.at(23, 59, 59, 0))
        .map(|t| t.as_millisecond())
        .map_err(|_| ValidationError::single(field, "is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_descriptor_with_a_unique_code_prefix_and_path() {
        let mut seen = std::collections::HashSet::new();
        for k in Kind::ALL {
            let s = k.spec();
            assert_eq!(s.kind, k);
            assert_eq!(Kind::parse(s.code), Some(k));
            assert!(seen.insert(s.code) && seen.insert(s.number.prefix()) && seen.insert(s.path));
            for (n, (v, _)) in s.grants.iter().enumerate() {
                assert!(
                    s.grants[..n].iter().all(|(w, _)| w != v),
                    "{v:?} granted twice for {k:?}"
                );
            }
        }
    }

    #[test]
    fn a_state_filter_takes_codes_and_open_and_names_what_it_does_not_know() {
        use crate::incident::IncidentState;
        let mut p = crate::error::Problems::default();
        let codes = state_filter::<IncidentState>("state", Some(" closed, open ,"), &mut p);
        assert_eq!(codes, ["closed", "new", "in_progress", "on_hold"]);
        assert!(state_filter::<IncidentState>("state", None, &mut p).is_empty());
        assert_eq!(p.count(), 0);
        state_filter::<IncidentState>("state", Some("open,bogus"), &mut p);
        assert_eq!(p.count(), 1);
    }

    #[test]
    fn categories_round_trip_and_three_are_open() {
        for c in StateCategory::ALL {
            assert_eq!(StateCategory::parse(c.as_str()), Some(c));
        }
        assert_eq!(StateCategory::parse("open"), None);
        let open: Vec<_> = StateCategory::ALL
            .into_iter()
            .filter(|c| c.is_open())
            .collect();
        assert_eq!(open.len(), 3);
    }
}
