//! The fields every kind of work record shares (ADR 0010), as people give
//! them and as they read them: a kind's new-record input and its change are
//! declared with [`new_record_input!`] and [`record_patch!`] (the shared
//! fields, then the kind's own), validated and resolved by [`new_core`] and
//! [`patched_core`], shown by [`RecordView`], and posted by the web forms as
//! a [`CoreForm`]. A kind writes only what is its own.

use serde::{Deserialize, Serialize};
use steward_domain::access::Actor;
use steward_domain::error::Problems;
use steward_domain::kind::{RecordDraft, StateMachine};
use steward_domain::priority::PriorityMatrix;
use steward_store::{CodeValue, RecordCore, RecordRow};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::records::{self, Refs, RefsInput};
use crate::views::{ServiceRef, opt_time, time};

/// Declares a kind's new-record input: the shared fields, then the kind's own.
macro_rules! new_record_input {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident: $t:ty,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub title: String,
            #[serde(default)]
            pub description: String,
            /// The service it concerns, e.g. `SVC-0001`.
            pub service: Option<String>,
            /// One of general, hardware, software, network, access, security, data (default general).
            pub category: Option<String>,
            /// 1 high, 2 medium, 3 low (default 3).
            pub impact: Option<i64>,
            /// 1 high, 2 medium, 3 low (default 3).
            pub urgency: Option<i64>,
            /// Assignment group name.
            pub group: Option<String>,
            /// The owner's e-mail.
            pub assignee: Option<String>,
            /// When it should be done, `YYYY-MM-DD`.
            pub target_date: Option<String>,
            $($(#[$fm])* pub $f: $t,)*
        }

        impl $name {
            pub fn core(&self) -> $crate::core_fields::CoreInput<'_> {
                $crate::core_fields::CoreInput {
                    title: &self.title,
                    description: &self.description,
                    service: self.service.as_deref(),
                    category: self.category.as_deref(),
                    impact: self.impact,
                    urgency: self.urgency,
                    group: self.group.as_deref(),
                    assignee: self.assignee.as_deref(),
                    target_date: self.target_date.as_deref(),
                }
            }
        }
    };
}
pub(crate) use new_record_input;

/// Declares a kind's change: the shared fields (absent keeps, `null` clears an
/// optional one), then the kind's own.
macro_rules! record_patch {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident: $t:ty,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub title: Option<String>,
            pub description: Option<String>,
            pub service: Option<String>,
            pub category: Option<String>,
            pub impact: Option<i64>,
            pub urgency: Option<i64>,
            #[serde(default, deserialize_with = "crate::incidents::nullable")]
            #[schema(value_type = Option<String>)]
            pub group: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::incidents::nullable")]
            #[schema(value_type = Option<String>)]
            pub assignee: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::incidents::nullable")]
            #[schema(value_type = Option<String>)]
            pub target_date: Option<Option<String>>,
            $($(#[$fm])* pub $f: $t,)*
        }

        impl $name {
            pub fn core(&self) -> $crate::core_fields::CorePatch<'_> {
                $crate::core_fields::CorePatch {
                    title: self.title.as_deref(),
                    description: self.description.as_deref(),
                    category: self.category.as_deref(),
                    impact: self.impact,
                    urgency: self.urgency,
                    refs: $crate::records::RefsInput {
                        service: self.service.as_deref(),
                        group: $crate::core_fields::cleared(&self.group),
                        assignee: $crate::core_fields::cleared(&self.assignee),
                        target_date: $crate::core_fields::cleared(&self.target_date),
                    },
                }
            }
        }
    };
}
pub(crate) use record_patch;

/// A nullable field of a change as a reference to resolve: `null` clears it.
pub fn cleared(o: &Option<Option<String>>) -> Option<&str> {
    o.as_ref().map(|v| v.as_deref().unwrap_or(""))
}

/// A new record's shared fields as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoreInput<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub service: Option<&'a str>,
    pub category: Option<&'a str>,
    pub impact: Option<i64>,
    pub urgency: Option<i64>,
    pub group: Option<&'a str>,
    pub assignee: Option<&'a str>,
    pub target_date: Option<&'a str>,
}

/// A change to the shared fields: `None` keeps; an empty reference clears.
#[derive(Debug, Clone, Copy, Default)]
pub struct CorePatch<'a> {
    pub title: Option<&'a str>,
    pub description: Option<&'a str>,
    pub category: Option<&'a str>,
    pub impact: Option<i64>,
    pub urgency: Option<i64>,
    pub refs: RefsInput<'a>,
}

/// A new record's shared fields, validated and resolved; what is wrong is
/// added to `p` (with the kind's own problems, reported together).
pub async fn new_core(
    state: &AppState,
    actor: &Actor,
    p: &mut Problems,
    c: CoreInput<'_>,
    service_required: bool,
) -> Option<RecordCore> {
    let draft = p.take(RecordDraft::parse(
        c.title,
        c.description,
        c.category,
        c.impact,
        c.urgency,
    ));
    let service = match c.service {
        None if service_required => Some(""),
        s => s,
    };
    let refs = RefsInput {
        service,
        group: c.group,
        assignee: c.assignee,
        target_date: c.target_date,
    };
    let refs = records::resolve_refs(state, actor, p, refs).await;
    if service.is_some() && refs.service_id.is_none() {
        return None;
    }
    Some(records::core_of(
        &state.matrix,
        &RecordCore::default(),
        draft?,
        &refs,
    ))
}

/// The references of a change, resolved before the record is locked.
pub async fn patch_refs(state: &AppState, actor: &Actor, patch: CorePatch<'_>) -> AppResult<Refs> {
    let mut p = Problems::default();
    let refs = records::resolve_refs(state, actor, &mut p, patch.refs).await;
    p.finish(refs).map_err(AppError::from)
}

/// `now` with a change applied, by the same rules as a new record; what is
/// wrong is added to `p`.
pub fn patched_core(
    matrix: &PriorityMatrix,
    now: &RecordCore,
    patch: CorePatch<'_>,
    refs: &Refs,
    p: &mut Problems,
) -> Option<RecordCore> {
    let draft = p.take(RecordDraft::parse(
        patch.title.unwrap_or(&now.title),
        patch.description.unwrap_or(&now.description),
        Some(patch.category.unwrap_or(&now.category)),
        Some(patch.impact.unwrap_or(now.impact)),
        Some(patch.urgency.unwrap_or(now.urgency)),
    ))?;
    Some(records::core_of(matrix, now, draft, refs))
}

/// What every kind's view shows of its record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordView {
    pub number: String,
    pub title: String,
    pub description: String,
    /// The kind's state code.
    pub state: String,
    pub priority: String,
    pub impact: i64,
    pub urgency: i64,
    pub category: String,
    pub service: Option<ServiceRef>,
    pub group: Option<String>,
    pub assignee: Option<String>,
    pub target_at: Option<String>,
    /// Open past its target date.
    pub overdue: bool,
    pub opened_at: String,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub updated_at: String,
    pub version: i64,
}

impl RecordView {
    pub fn of<S: StateMachine + CodeValue>(r: &RecordRow<S>, now: i64) -> RecordView {
        RecordView {
            number: r.number.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            state: StateMachine::code(r.state()).to_owned(),
            priority: format!("P{}", r.priority),
            impact: r.impact,
            urgency: r.urgency,
            category: r.category.clone(),
            service: service_ref(r),
            group: r.group_name.clone(),
            assignee: r.assignee_name.clone(),
            target_at: opt_time(r.target_at),
            overdue: overdue(r, now),
            opened_at: time(r.opened_at),
            resolved_at: opt_time(r.resolved_at),
            closed_at: opt_time(r.closed_at),
            updated_at: time(r.updated_at),
            version: r.version,
        }
    }
}

/// The record's service, if it has one.
pub fn service_ref<S>(r: &RecordRow<S>) -> Option<ServiceRef> {
    r.service_number
        .clone()
        .zip(r.service_name.clone())
        .map(|(number, name)| ServiceRef { number, name })
}

/// Open past its target date.
pub fn overdue<S: StateMachine + CodeValue>(r: &RecordRow<S>, now: i64) -> bool {
    r.state().category().is_open() && r.target_at.is_some_and(|t| t < now)
}

/// The shared fields as a web form posts them (every value text, as typed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CoreForm {
    pub title: String,
    pub description: String,
    pub service: String,
    pub category: String,
    pub impact: String,
    pub urgency: String,
    pub assignee: String,
    pub target_date: String,
}

impl CoreForm {
    /// The form as a new record's shared fields.
    pub fn input(&self) -> CoreInput<'_> {
        CoreInput {
            title: &self.title,
            description: &self.description,
            service: Some(&self.service),
            category: Some(self.category.as_str()).filter(|c| !c.is_empty()),
            impact: self.impact.trim().parse().ok(),
            urgency: self.urgency.trim().parse().ok(),
            group: None,
            assignee: Some(&self.assignee),
            target_date: Some(&self.target_date),
        }
    }

    /// The form as a change of every field it shows (the service is kept).
    pub fn patch(&self) -> CorePatch<'_> {
        let input = self.input();
        CorePatch {
            title: Some(input.title),
            description: Some(input.description),
            category: Some(&self.category),
            impact: input.impact,
            urgency: input.urgency,
            refs: RefsInput {
                service: None,
                group: None,
                assignee: input.assignee,
                target_date: input.target_date,
            },
        }
    }
}

/// What a record's edit form shows of its references: the assignee's
/// e-mail and the target date as the date field takes it.
#[derive(Debug, Clone, Default)]
pub struct EditValues {
    pub assignee: String,
    pub target_date: String,
}

impl EditValues {
    /// The values of `r`, when the form is shown at all.
    pub async fn of<S>(state: &AppState, r: &RecordRow<S>, shown: bool) -> AppResult<EditValues> {
        let assignee = match r.assignee_id {
            Some(id) if shown => state.store.user_by_id(id).await?.email,
            _ => String::new(),
        };
        let target_date = r
            .target_at
            .and_then(|t| jiff::Timestamp::from_millisecond(t).ok())
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default();
        Ok(EditValues {
            assignee,
            target_date,
        })
    }
}

/// Impact and urgency as a new record's form offers them.
pub const LEVELS: &[(&str, &str)] = &[("3", "3 - Low"), ("2", "2 - Medium"), ("1", "1 - High")];

/// A form's `version` field (text, as flattened forms read it).
pub fn form_version(v: &str) -> AppResult<i64> {
    v.trim()
        .parse()
        .map_err(|_| AppError::BadRequest("the form's version is not a number".into()))
}
