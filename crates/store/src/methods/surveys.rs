//! The store's methods for satisfaction surveys: each calls the same query
//! on whichever backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_survey(&self, actor: &AuditActor, new: &NewSurvey<'_>) -> Result<Survey> {
        dispatch!(self, surveys::create(actor, new))
    }

    /// Rewrites a draft (Conflict once sent).
    pub async fn update_survey(
        &self,
        actor: &AuditActor,
        id: i64,
        new: &NewSurvey<'_>,
    ) -> Result<Survey> {
        dispatch!(self, surveys::update(actor, id, new))
    }

    pub async fn survey(&self, id: i64) -> Result<Option<Survey>> {
        dispatch!(self, surveys::get(id))
    }

    pub async fn list_surveys(&self) -> Result<Vec<Survey>> {
        dispatch!(self, surveys::list())
    }

    /// The surveys a contact is asked to answer, with when they answered.
    pub async fn surveys_for_contact(&self, user_id: i64) -> Result<Vec<(Survey, Option<i64>)>> {
        dispatch!(self, surveys::list_for_contact(user_id))
    }

    pub async fn survey_invitation(
        &self,
        survey_id: i64,
        user_id: i64,
    ) -> Result<Option<SurveyInvitation>> {
        dispatch!(self, surveys::invitation(survey_id, user_id))
    }

    /// Sends a new round with its e-mails: (round, contacts invited).
    pub async fn send_survey_round(
        &self,
        actor: &AuditActor,
        id: i64,
        jobs_for: impl FnOnce(&[Recipient]) -> Vec<NewJob>,
    ) -> Result<(i64, i64)> {
        dispatch!(self, surveys::send_round(actor, id, jobs_for))
    }

    pub async fn close_survey(&self, actor: &AuditActor, id: i64) -> Result<()> {
        dispatch!(self, surveys::close(actor, id))
    }

    /// Keeps a contact's answers, once per invitation.
    pub async fn answer_survey(
        &self,
        actor: &AuditActor,
        invitation: &SurveyInvitation,
        service_id: Option<i64>,
        answers: &[NewSurveyAnswer],
    ) -> Result<()> {
        dispatch!(
            self,
            surveys::answer(actor, invitation, service_id, answers)
        )
    }

    pub async fn survey_results(&self, id: i64) -> Result<(Vec<SurveyScore>, Vec<SurveyRound>)> {
        dispatch!(self, surveys::results(id))
    }

    pub async fn survey_comments(&self, id: i64) -> Result<Vec<SurveyComment>> {
        dispatch!(self, surveys::comments(id))
    }

    /// Scored survey answers per month, customer and service.
    pub async fn survey_satisfaction(
        &self,
        org: Option<i64>,
        from: &str,
        to: &str,
    ) -> Result<Vec<SatisfactionRow>> {
        dispatch!(self, surveys::satisfaction(org, from, to))
    }

    /// Open surveys sent again every few months: (id, every_months, sent_at).
    pub async fn periodic_surveys(&self) -> Result<Vec<(i64, i64, i64)>> {
        dispatch!(self, surveys::periodic())
    }
}
