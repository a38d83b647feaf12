//! Customer satisfaction surveys: the questionnaire, its rounds of
//! invitations and the answers.

use serde::Serialize;

use super::UtcMillis;

/// A survey with how its last round went.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Survey {
    pub id: i64,
    pub title: String,
    pub intro: Option<String>,
    /// The one customer asked, or none for every customer.
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub service_id: Option<i64>,
    pub service_name: Option<String>,
    /// `[{"text", "kind"}]` as JSON (steward_domain::survey::Question).
    pub questions: String,
    pub every_months: i64,
    pub state: String,
    /// The rounds sent so far (the last is the one answered).
    pub round: i64,
    pub created_by_name: String,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub sent_at: Option<UtcMillis>,
    pub closed_at: Option<UtcMillis>,
    /// Contacts invited in the last round, and how many of them answered.
    pub invited: i64,
    pub answered: i64,
}

/// What a survey is written as (created, or changed while a draft).
#[derive(Debug, Clone)]
pub struct NewSurvey<'a> {
    pub title: &'a str,
    pub intro: Option<&'a str>,
    pub org_id: Option<i64>,
    pub service_id: Option<i64>,
    pub questions: &'a str,
    pub every_months: i64,
}

/// A contact's invitation to a survey's round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SurveyInvitation {
    pub id: i64,
    pub survey_id: i64,
    pub round: i64,
    pub org_id: i64,
    pub user_id: i64,
    pub sent_at: UtcMillis,
    pub answered_at: Option<UtcMillis>,
}

/// An answer as given (the domain's `Answer`, stored).
#[derive(Debug, Clone)]
pub struct NewSurveyAnswer {
    pub question: i64,
    pub score: Option<i64>,
    pub text: Option<String>,
}

/// A scored question's results for one customer, over every round.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct SurveyScore {
    pub organisation: String,
    pub question: i64,
    pub answers: i64,
    pub average: f64,
    /// Scores of 4 or 5.
    pub satisfied: i64,
}

/// A round of a survey for one customer: how many were asked and answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SurveyRound {
    pub round: i64,
    pub organisation: String,
    pub sent_at: UtcMillis,
    pub invited: i64,
    pub answered: i64,
}

/// A written answer, for the people who read the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SurveyComment {
    pub organisation: String,
    pub question: i64,
    pub answer: String,
    pub answered_at: UtcMillis,
}
