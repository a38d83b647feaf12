//! Incident management: the lifecycle state machine and the rules for an
//! incident's fields.
//!
//! ```text
//! new ──start──▶ in_progress ──hold(reason)──▶ on_hold
//!  │  ╲              ▲   │    ◀──resume──────────┘
//!  │   ╲resolve      │   └──resolve──▶ resolved ──close──▶ closed
//! cancel ╲           └────reopen (counted)──┘
//!  ▼      ╲──────────────────────────────▶ resolved
//! cancelled
//! ```

use serde::{Deserialize, Serialize};

use crate::UtcMillis;
use crate::error::{Problems, ValidationError};
use crate::priority::Level;
use crate::text;

/// Where an incident is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    New,
    InProgress,
    OnHold,
    Resolved,
    Closed,
    Cancelled,
}

impl IncidentState {
    pub const ALL: [IncidentState; 6] = [
        IncidentState::New,
        IncidentState::InProgress,
        IncidentState::OnHold,
        IncidentState::Resolved,
        IncidentState::Closed,
        IncidentState::Cancelled,
    ];
    /// States in which someone still has to act.
    pub const OPEN: [IncidentState; 3] = [
        IncidentState::New,
        IncidentState::InProgress,
        IncidentState::OnHold,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            IncidentState::New => "new",
            IncidentState::InProgress => "in_progress",
            IncidentState::OnHold => "on_hold",
            IncidentState::Resolved => "resolved",
            IncidentState::Closed => "closed",
            IncidentState::Cancelled => "cancelled",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            IncidentState::New => "New",
            IncidentState::InProgress => "In progress",
            IncidentState::OnHold => "On hold",
            IncidentState::Resolved => "Resolved",
            IncidentState::Closed => "Closed",
            IncidentState::Cancelled => "Cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<IncidentState> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The label as it reads inside a sentence.
    pub const fn lower_label(self) -> &'static str {
        match self {
            IncidentState::New => "new",
            IncidentState::InProgress => "in progress",
            IncidentState::OnHold => "on hold",
            IncidentState::Resolved => "resolved",
            IncidentState::Closed => "closed",
            IncidentState::Cancelled => "cancelled",
        }
    }

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// The category every kind shares (stored beside the state).
    pub const fn category(self) -> crate::kind::StateCategory {
        use crate::kind::StateCategory as C;
        match self {
            IncidentState::New => C::New,
            IncidentState::InProgress => C::Active,
            IncidentState::OnHold => C::Waiting,
            IncidentState::Resolved => C::Resolved,
            IncidentState::Closed => C::Closed,
            IncidentState::Cancelled => C::Cancelled,
        }
    }

    /// Closed and cancelled incidents are final: no edits, comments or transitions.
    pub fn is_final(self) -> bool {
        matches!(self, IncidentState::Closed | IncidentState::Cancelled)
    }

    /// Refuses changes to a final incident with a clear message.
    pub fn check_changeable(self) -> Result<(), TransitionError> {
        if self.is_final() {
            Err(refused(self, "change"))
        } else {
            Ok(())
        }
    }
}

/// Why an incident waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HoldReason {
    AwaitingCustomer,
    AwaitingSupplier,
    AwaitingChange,
}

impl HoldReason {
    pub const ALL: [HoldReason; 3] = [
        HoldReason::AwaitingCustomer,
        HoldReason::AwaitingSupplier,
        HoldReason::AwaitingChange,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            HoldReason::AwaitingCustomer => "awaiting_customer",
            HoldReason::AwaitingSupplier => "awaiting_supplier",
            HoldReason::AwaitingChange => "awaiting_change",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            HoldReason::AwaitingCustomer => "Awaiting customer",
            HoldReason::AwaitingSupplier => "Awaiting supplier",
            HoldReason::AwaitingChange => "Awaiting change",
        }
    }

    pub fn parse(s: &str) -> Option<HoldReason> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// How an incident was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionCode {
    Fixed,
    Workaround,
    NoFaultFound,
    UserError,
    Duplicate,
    Other,
}

impl ResolutionCode {
    pub const ALL: [ResolutionCode; 6] = [
        ResolutionCode::Fixed,
        ResolutionCode::Workaround,
        ResolutionCode::NoFaultFound,
        ResolutionCode::UserError,
        ResolutionCode::Duplicate,
        ResolutionCode::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ResolutionCode::Fixed => "fixed",
            ResolutionCode::Workaround => "workaround",
            ResolutionCode::NoFaultFound => "no_fault_found",
            ResolutionCode::UserError => "user_error",
            ResolutionCode::Duplicate => "duplicate",
            ResolutionCode::Other => "other",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            ResolutionCode::Fixed => "Fixed",
            ResolutionCode::Workaround => "Workaround applied",
            ResolutionCode::NoFaultFound => "No fault found",
            ResolutionCode::UserError => "User error",
            ResolutionCode::Duplicate => "Duplicate",
            ResolutionCode::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Option<ResolutionCode> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The categories an incident can be filed under.
pub const CATEGORIES: [&str; 7] = [
    "general", "hardware", "software", "network", "access", "security", "data",
];

/// A requested state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Start,
    Hold(HoldReason),
    Resume,
    Resolve { code: ResolutionCode, notes: String },
    Close,
    Reopen,
    Cancel,
}

impl Transition {
    pub const fn name(&self) -> &'static str {
        match self {
            Transition::Start => "start",
            Transition::Hold(_) => "hold",
            Transition::Resume => "resume",
            Transition::Resolve { .. } => "resolve",
            Transition::Close => "close",
            Transition::Reopen => "reopen",
            Transition::Cancel => "cancel",
        }
    }

    /// Steps a customer may take on their own organisation's incident: withdraw
    /// it while new, confirm a resolution, or say it is not fixed.
    pub fn customer_may(&self) -> bool {
        matches!(
            self,
            Transition::Cancel | Transition::Close | Transition::Reopen
        )
    }

    /// The steps a customer may take from `state`.
    pub fn customer_available_from(state: IncidentState) -> Vec<&'static str> {
        Self::available_from(state)
            .iter()
            .copied()
            .filter(|a| matches!(*a, "cancel" | "close" | "reopen"))
            .collect()
    }

    /// The actions a person can take from `state`, for buttons and error messages.
    pub fn available_from(state: IncidentState) -> &'static [&'static str] {
        match state {
            IncidentState::New => &["start", "resolve", "cancel"],
            IncidentState::InProgress => &["hold", "resolve"],
            IncidentState::OnHold => &["resume"],
            IncidentState::Resolved => &["close", "reopen"],
            IncidentState::Closed | IncidentState::Cancelled => &[],
        }
    }

    /// Builds a transition from its name and arguments as the API and forms give them.
    pub fn parse(
        action: &str,
        hold_reason: Option<&str>,
        resolution_code: Option<&str>,
        resolution_notes: Option<&str>,
    ) -> Result<Transition, ValidationError> {
        let mut problems = Problems::default();
        let t = match action {
            "start" => Transition::Start,
            "resume" => Transition::Resume,
            "close" => Transition::Close,
            "reopen" => Transition::Reopen,
            "cancel" => Transition::Cancel,
            "hold" => match hold_reason.map(HoldReason::parse) {
                Some(Some(r)) => Transition::Hold(r),
                _ => {
                    return Err(ValidationError::single(
                        "hold_reason",
                        "must be one of awaiting_customer, awaiting_supplier, awaiting_change",
                    ));
                }
            },
            "resolve" => {
                let code = match resolution_code.map(ResolutionCode::parse) {
                    Some(Some(c)) => c,
                    _ => {
                        problems.add(
                            "resolution_code",
                            format!(
                                "must be one of {}",
                                ResolutionCode::ALL.map(|c| c.as_str()).join(", ")
                            ),
                        );
                        ResolutionCode::Other
                    }
                };
                let notes = text::required_body(
                    &mut problems,
                    "resolution_notes",
                    resolution_notes.unwrap_or(""),
                    text::BODY_MAX,
                );
                return problems.finish(Transition::Resolve { code, notes });
            }
            _ => {
                return Err(ValidationError::single(
                    "action",
                    "must be one of start, hold, resume, resolve, close, reopen, cancel",
                ));
            }
        };
        Ok(t)
    }
}

/// The part of an incident that its lifecycle changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    pub state: IncidentState,
    pub hold_reason: Option<HoldReason>,
    pub resolution_code: Option<ResolutionCode>,
    pub resolution_notes: Option<String>,
    pub first_response_at: Option<UtcMillis>,
    pub resolved_at: Option<UtcMillis>,
    pub closed_at: Option<UtcMillis>,
    pub reopen_count: i64,
}

impl Lifecycle {
    /// A freshly opened incident.
    pub fn opened() -> Lifecycle {
        Lifecycle {
            state: IncidentState::New,
            hold_reason: None,
            resolution_code: None,
            resolution_notes: None,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            reopen_count: 0,
        }
    }

    /// Applies `t` at `now`, or says why it is not allowed from the current state.
    /// A transition by the provider's staff counts as the first response.
    pub fn apply(
        &self,
        t: &Transition,
        now: UtcMillis,
        by_staff: bool,
    ) -> Result<Lifecycle, TransitionError> {
        use IncidentState::*;
        let mut next = self.clone();
        match (self.state, t) {
            (New, Transition::Start) => next.state = InProgress,
            (InProgress, Transition::Hold(reason)) => {
                next.state = OnHold;
                next.hold_reason = Some(*reason);
            }
            (OnHold, Transition::Resume) => {
                next.state = InProgress;
                next.hold_reason = None;
            }
            (New | InProgress, Transition::Resolve { code, notes }) => {
                next.state = Resolved;
                next.resolution_code = Some(*code);
                next.resolution_notes = Some(notes.clone());
                next.resolved_at = Some(now);
            }
            (Resolved, Transition::Close) => {
                next.state = Closed;
                next.closed_at = Some(now);
            }
            (Resolved, Transition::Reopen) => {
                // The earlier resolution stays in the history; the incident is open again.
                next.state = InProgress;
                next.resolved_at = None;
                next.resolution_code = None;
                next.resolution_notes = None;
                next.reopen_count += 1;
            }
            (New, Transition::Cancel) => {
                next.state = Cancelled;
                next.closed_at = Some(now);
            }
            _ => {
                return Err(refused(self.state, t.name()));
            }
        }
        if by_staff && next.first_response_at.is_none() {
            next.first_response_at = Some(now);
        }
        Ok(next)
    }
}

pub use crate::kind::TransitionError;

/// The error for `action`, not allowed from `from`.
fn refused(from: IncidentState, action: &'static str) -> TransitionError {
    crate::kind::StateMachine::refuse(from, action)
}

impl crate::kind::StateMachine for IncidentState {
    const KIND: &'static str = "incident";
    const ALL: &'static [Self] = &IncidentState::ALL;
    fn code(self) -> &'static str {
        self.as_str()
    }
    fn words(self) -> &'static str {
        self.lower_label()
    }
    fn category(self) -> crate::kind::StateCategory {
        IncidentState::category(self)
    }
    fn allowed(self) -> &'static [&'static str] {
        Transition::available_from(self)
    }
}

/// Validated fields of a new incident, before references are resolved by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDraft {
    pub title: String,
    pub description: String,
    pub category: String,
    pub impact: Level,
    pub urgency: Level,
    pub major: bool,
}

impl IncidentDraft {
    pub fn parse(
        title: &str,
        description: &str,
        category: Option<&str>,
        impact: Option<i64>,
        urgency: Option<i64>,
        major: bool,
    ) -> Result<IncidentDraft, ValidationError> {
        let mut p = Problems::default();
        let title = text::required_line(&mut p, "title", title, text::LINE_MAX);
        let description = text::optional_body(&mut p, "description", description, text::BODY_MAX);
        let category = parse_category(&mut p, category.unwrap_or("general"));
        let impact = parse_level(&mut p, "impact", impact.unwrap_or(3));
        let urgency = parse_level(&mut p, "urgency", urgency.unwrap_or(3));
        p.finish(IncidentDraft {
            title,
            description,
            category,
            impact,
            urgency,
            major,
        })
    }
}

pub fn parse_category(p: &mut Problems, value: &str) -> String {
    let v = value.trim().to_lowercase();
    if !CATEGORIES.contains(&v.as_str()) {
        p.add(
            "category",
            format!("must be one of {}", CATEGORIES.join(", ")),
        );
    }
    v
}

pub fn parse_level(p: &mut Problems, field: &str, value: i64) -> Level {
    Level::new(value).unwrap_or_else(|| {
        p.add(field, "must be 1 (high), 2 (medium) or 3 (low)");
        Level::LOW
    })
}

/// Visibility of a comment on a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentVisibility {
    /// Seen by the customer and the provider's staff.
    Public,
    /// A work note: seen only by the provider's staff.
    Internal,
}

impl CommentVisibility {
    pub const fn as_str(self) -> &'static str {
        match self {
            CommentVisibility::Public => "public",
            CommentVisibility::Internal => "internal",
        }
    }

    pub fn parse(s: &str) -> Option<CommentVisibility> {
        match s {
            "public" => Some(CommentVisibility::Public),
            "internal" => Some(CommentVisibility::Internal),
            _ => None,
        }
    }
}

/// Whether a comment is the provider's first response to the customer: a
/// public reply by the provider's staff.
pub fn is_response(by_staff: bool, visibility: CommentVisibility) -> bool {
    by_staff && visibility == CommentVisibility::Public
}

#[cfg(test)]
mod tests {
    #[test]
    fn open_states_are_the_open_categories() {
        for s in super::IncidentState::ALL {
            assert_eq!(s.is_open(), s.category().is_open(), "{s:?}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    fn resolve() -> Transition {
        Transition::Resolve {
            code: ResolutionCode::Fixed,
            notes: "rebooted".into(),
        }
    }

    #[test]
    fn happy_path_sets_timestamps() {
        let l = Lifecycle::opened();
        let l = l.apply(&Transition::Start, 10, true).unwrap();
        assert_eq!(l.state, IncidentState::InProgress);
        assert_eq!(l.first_response_at, Some(10));
        let l = l
            .apply(&Transition::Hold(HoldReason::AwaitingCustomer), 20, true)
            .unwrap();
        assert_eq!(l.hold_reason, Some(HoldReason::AwaitingCustomer));
        let l = l.apply(&Transition::Resume, 30, true).unwrap();
        assert_eq!(l.hold_reason, None);
        let l = l.apply(&resolve(), 40, true).unwrap();
        assert_eq!(l.resolved_at, Some(40));
        assert_eq!(l.first_response_at, Some(10));
        let l = l.apply(&Transition::Reopen, 50, true).unwrap();
        assert_eq!(
            (l.state, l.reopen_count, l.resolved_at),
            (IncidentState::InProgress, 1, None)
        );
        let l = l.apply(&resolve(), 60, true).unwrap();
        let l = l.apply(&Transition::Close, 70, true).unwrap();
        assert_eq!((l.state, l.closed_at), (IncidentState::Closed, Some(70)));
    }

    #[test]
    fn refuses_invalid_transitions_with_a_clear_message() {
        let err = Lifecycle::opened()
            .apply(&Transition::Close, 1, true)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot close an incident that is new; allowed from here: start, resolve, cancel"
        );
        let on_hold = Lifecycle {
            state: IncidentState::OnHold,
            ..Lifecycle::opened()
        };
        assert!(on_hold.apply(&Transition::Start, 1, true).is_err());
    }

    #[test]
    fn final_states_refuse_changes_and_customers_have_three_steps() {
        assert!(IncidentState::Closed.check_changeable().is_err());
        assert!(IncidentState::Resolved.check_changeable().is_ok());
        assert_eq!(
            IncidentState::Closed
                .check_changeable()
                .unwrap_err()
                .to_string(),
            "cannot change an incident that is closed; allowed from here: nothing (the incident is final)"
        );
        assert!(Transition::Close.customer_may() && !Transition::Start.customer_may());
        assert_eq!(
            Transition::customer_available_from(IncidentState::Resolved),
            ["close", "reopen"]
        );
        assert_eq!(
            Transition::customer_available_from(IncidentState::InProgress),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn customer_transition_is_not_a_response() {
        let l = Lifecycle::opened()
            .apply(&Transition::Cancel, 5, false)
            .unwrap();
        assert_eq!(l.first_response_at, None);
        assert_eq!(l.state, IncidentState::Cancelled);
    }

    #[test]
    fn parse_transition() {
        assert!(Transition::parse("hold", None, None, None).is_err());
        assert!(Transition::parse("fly", None, None, None).is_err());
        let e = Transition::parse("resolve", None, Some("nope"), Some(" ")).unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert_eq!(
            Transition::parse("hold", Some("awaiting_change"), None, None).unwrap(),
            Transition::Hold(HoldReason::AwaitingChange)
        );
    }

    #[test]
    fn draft_validation_reports_every_field() {
        let e = IncidentDraft::parse("", "", Some("food"), Some(0), Some(9), false).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["title", "category", "impact", "urgency"]);
    }

    fn any_transition() -> impl Strategy<Value = Transition> {
        prop_oneof![
            Just(Transition::Start),
            prop::sample::select(HoldReason::ALL.to_vec()).prop_map(Transition::Hold),
            Just(Transition::Resume),
            Just(resolve()),
            Just(Transition::Close),
            Just(Transition::Reopen),
            Just(Transition::Cancel),
        ]
    }

    proptest! {
        /// Whatever sequence of actions people try, the lifecycle stays consistent:
        /// final states accept nothing, on hold always has a reason, resolved
        /// always has a resolution and a resolved time, and reopen counts only go up.
        #[test]
        fn invariants_hold(actions in prop::collection::vec((any_transition(), any::<bool>()), 0..40)) {
            let mut l = Lifecycle::opened();
            for (i, (t, staff)) in actions.iter().enumerate() {
                let before = l.clone();
                match l.apply(t, i as i64, *staff) {
                    Ok(next) => {
                        prop_assert!(!matches!(before.state, IncidentState::Closed | IncidentState::Cancelled));
                        prop_assert!(Transition::available_from(before.state).contains(&t.name()));
                        prop_assert!(next.reopen_count >= before.reopen_count);
                        l = next;
                    }
                    Err(e) => {
                        prop_assert!(!Transition::available_from(before.state).contains(&t.name()));
                        prop_assert_eq!(e.from, before.state.lower_label());
                    }
                }
                prop_assert_eq!(l.state == IncidentState::OnHold, l.hold_reason.is_some());
                if l.state == IncidentState::Resolved {
                    prop_assert!(l.resolution_code.is_some() && l.resolved_at.is_some());
                }
                if let Some(first) = l.first_response_at {
                    prop_assert!(first <= i as i64);
                }
            }
        }
    }
}
