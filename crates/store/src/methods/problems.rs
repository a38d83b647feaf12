//! The store's methods for problems: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_problem(&self, actor: &AuditActor, new: &NewProblem) -> Result<Problem> {
        dispatch!(self, problems::create(actor, new))
    }

    pub async fn problem(&self, number: &str) -> Result<Problem> {
        dispatch!(self, problems::get(number))
    }

    pub async fn list_problems(
        &self,
        filter: &ProblemFilter,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Problem>> {
        dispatch!(self, problems::list(filter, after, limit))
    }

    pub async fn update_problem<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Problem>
    where
        F: FnOnce(&Problem) -> Result<ProblemFields, RuleError>,
    {
        dispatch!(
            self,
            problems::update(actor, number, expected_version, action, change)
        )
    }

    pub async fn problem_services(&self, problem_id: i64) -> Result<Vec<(String, String)>> {
        dispatch!(self, problems::services(problem_id))
    }

    /// Incidents linked to a problem, newest link first, after link id `after`.
    pub async fn problem_incidents(
        &self,
        problem_id: i64,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<LinkedIncident>> {
        dispatch!(self, problems::incidents(problem_id, after, limit))
    }

    pub async fn known_errors_for(
        &self,
        incident_id: i64,
        published_only: bool,
    ) -> Result<Vec<KnownError>> {
        dispatch!(
            self,
            problems::known_errors_for(incident_id, published_only)
        )
    }

    pub async fn trend_groups(
        &self,
        since: i64,
    ) -> Result<Vec<steward_domain::problem::TrendGroup>> {
        dispatch!(self, problems::trend_groups(since))
    }

    /// A known error's workaround applied to an incident, in one transaction.
    pub async fn apply_workaround(
        &self,
        actor: &AuditActor,
        incident: &Incident,
        problem: &RecordRef,
        workaround: &str,
    ) -> Result<Comment> {
        let terms = self.sla_terms().await?;
        dispatch!(
            self,
            problems::apply_workaround(actor, &terms, incident, problem, workaround)
        )
    }

    /// A known error as the customers of `org` read it: (number, title,
    /// workaround), when it is published to them.
    pub async fn published_known_error(
        &self,
        number: &str,
        org: i64,
    ) -> Result<Option<(String, String, String)>> {
        dispatch!(self, problems::published_known_error(number, org))
    }
}
