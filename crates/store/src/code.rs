//! Code columns (a role, a clock's kind, a hold reason…) read strictly: a
//! value the domain does not know fails the read with a decode error, logged
//! with the request's id, instead of passing for another value.

use serde::Serialize;
use sqlx::error::BoxDynError;
use steward_domain::access::Role;
use steward_domain::action::{ActionState, Effectiveness};
use steward_domain::article::{ArticleState, Audience};
use steward_domain::complaint::ComplaintState;
use steward_domain::improvement::{ImprovementSource, ImprovementState};
use steward_domain::incident::{HoldReason, IncidentState, ResolutionCode};
use steward_domain::internal_audit::{AuditState, FindingState, Grade};
use steward_domain::nonconformity::{CauseCategory, NonconformityState, Severity, Source};
use steward_domain::problem::ProblemState;
use steward_domain::relationship::{ContactRole, ServiceReviewState};
use steward_domain::request::{ApprovalMode, ApproverKind, Decision, RequestState, TaskState};
use steward_domain::review::ReviewState;
use steward_domain::sla::{ClockKind, ClockStatus};

/// A closed set of values stored as text.
pub trait CodeValue: Copy + Sized {
    /// What the value is, for the error: "user role".
    const WHAT: &'static str;
    fn parse_code(s: &str) -> Option<Self>;
    fn code(self) -> &'static str;
}

macro_rules! code_value {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl CodeValue for $t {
            const WHAT: &'static str = $what;
            fn parse_code(s: &str) -> Option<Self> {
                <$t>::parse(s)
            }
            fn code(self) -> &'static str {
                self.as_str()
            }
        }
    )*};
}

code_value!(
    Role => "user role",
    ClockKind => "clock kind",
    ClockStatus => "clock status",
    HoldReason => "hold reason",
    ResolutionCode => "resolution code",
    IncidentState => "incident state",
    ProblemState => "problem state",
    ComplaintState => "complaint state",
    NonconformityState => "nonconformity state",
    ActionState => "action state",
    Source => "nonconformity source",
    Severity => "nonconformity severity",
    CauseCategory => "cause category",
    Effectiveness => "effectiveness",
    ImprovementState => "improvement state",
    ImprovementSource => "improvement source",
    AuditState => "audit state",
    FindingState => "finding state",
    Grade => "finding grade",
    ReviewState => "review state",
    ArticleState => "article state",
    Audience => "article audience",
    RequestState => "request state",
    TaskState => "task state",
    ApprovalMode => "approval mode",
    ApproverKind => "approver",
    Decision => "approval decision",
    ContactRole => "contact role",
    ServiceReviewState => "service review state",
);

/// A value of `T` read from a text column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code<T>(pub T);

impl<T: CodeValue> Code<T> {
    pub fn get(self) -> T {
        self.0
    }

    pub fn as_str(&self) -> &'static str {
        self.0.code()
    }
}

impl<T: CodeValue> std::ops::Deref for Code<T> {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.code()
    }
}

impl<T: CodeValue> std::fmt::Display for Code<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.code())
    }
}

impl<T: CodeValue> PartialEq<&str> for Code<T> {
    fn eq(&self, other: &&str) -> bool {
        self.0.code() == *other
    }
}

impl<T: CodeValue> Serialize for Code<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.code())
    }
}

impl<DB: sqlx::Database, T: CodeValue> sqlx::Type<DB> for Code<T>
where
    String: sqlx::Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as sqlx::Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as sqlx::Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: sqlx::Database, T: CodeValue> sqlx::Decode<'r, DB> for Code<T>
where
    String: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let s = <String as sqlx::Decode<DB>>::decode(value)?;
        T::parse_code(&s)
            .map(Code)
            .ok_or_else(|| format!("unknown {} {s:?}", T::WHAT).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_what_they_wrote_and_nothing_else() {
        assert_eq!(Role::parse_code("agent"), Some(Role::Agent));
        assert_eq!(Role::parse_code("root"), None);
        assert_eq!(
            Code(ClockStatus::Running).as_str(),
            ClockStatus::Running.as_str()
        );
        assert!(Code(Role::Admin) == "admin");
    }
}
