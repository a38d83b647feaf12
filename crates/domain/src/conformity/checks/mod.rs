//! The registry of evidence checks. Each check names a figure the store
//! aggregates in SQL, the rule that judges it, and the requirements it gives
//! evidence for. Later processes add their figures and checks here.

use serde::Serialize;

mod registry;
pub use registry::REGISTRY;

/// A figure the store knows how to aggregate, and list the gaps of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureId {
    /// Incidents opened in the window and resolved: resolved within their priority's target.
    IncidentsResolvedInTime,
    /// Incidents opened in the window that got a first response or are past its target: answered in time.
    IncidentsRespondedInTime,
    /// Incidents opened in the window and resolved: with resolution notes.
    ResolutionsDocumented,
    /// Incidents opened in the window and resolved: never reopened.
    IncidentsNotReopened,
    /// Open incidents: opened within the last 30 days.
    OpenIncidentsRecent,
    /// Open incidents older than an hour: with an assignment group or an assignee.
    OpenIncidentsAssigned,
    /// Incidents opened in the window: raised against a live service.
    IncidentsOnLiveServices,
    /// Resolved incidents raised by customers in the window: at least one public comment.
    CustomersKeptInformed,
    /// Live services: with an owner.
    LiveServicesWithOwner,
    /// Live services: delivered to at least one customer organisation.
    LiveServicesWithCustomers,
    /// Customer organisations: receiving at least one live service.
    CustomersWithServices,
    /// Assignment groups: with at least one active member.
    GroupsWithMembers,
    /// The audit trail (one): no entry waiting more than 5 minutes to be sealed.
    AuditTrailSealed,
    /// Scope statements in force: approved within the last 12 months.
    ScopeApproved,
    /// Policies in force: approved.
    PoliciesApproved,
    /// Approved policies times the people they are distributed to: acknowledged.
    PoliciesAcknowledged,
    /// Active objectives: with a measure or unit, a target, an owner and a due date.
    ObjectivesSmart,
    /// Active objectives with a value: on target.
    ObjectivesOnTarget,
    /// Approved documents: with a review date that has not passed.
    DocumentsReviewed,
    /// Documents in force: with an approver.
    DocumentsWithApprover,
    /// Open risks: with a review date that has not passed.
    RisksReviewed,
    /// Open high risks: with a treatment and a treatment plan.
    HighRisksTreated,
    /// Active roles: held by at least one active person.
    RolesFilled,
    /// Active context issues and interested parties: with a review date that has not passed.
    ContextReviewed,
    /// SMS plan items not cancelled: done, or not past their due date.
    PlanOnTime,
    /// Training records of active people: completed and still valid.
    TrainingCurrent,
    /// Processes named in the RACI of active roles: exactly one accountable role.
    ProcessesAccountable,
    /// Active communication items: with someone who does them.
    CommunicationsOwned,
    /// Agreed agreements: with a next review date that has not passed.
    AgreementsReviewed,
    /// Live services x the customers that receive them: covered by an agreed SLA valid today.
    ServicesCoveredByAgreements,
    /// SLA clocks stopped in the window: within their target.
    SlaTargetsMet,
    /// SLA clocks breached in the window: with a recorded reason.
    SlaBreachesExplained,
    /// Incidents of the window whose service and category had three or more
    /// incidents in it: linked to a problem.
    RepeatedIncidentsWithProblem,
    /// Open known errors (a problem past root cause with a workaround asked
    /// for): with a workaround recorded.
    KnownErrorsWithWorkaround,
    /// Open problems with a target date: not past it.
    ProblemsOnTarget,
    /// Major incidents closed in the window: reviewed (linked to a problem).
    MajorIncidentsReviewed,
    /// Complaints raised in the window, not withdrawn, with a target date:
    /// answered by it (or still open and not past it).
    ComplaintsAnsweredOnTarget,
    /// Open complaints: with an owner and a target date.
    OpenComplaintsOwned,
    /// Open nonconformities: with an owner and a target date not past.
    OpenNonconformitiesOnTarget,
    /// Open corrective actions: with a due date not past.
    CorrectiveActionsOnTime,
    /// Corrective actions whose effectiveness review is due: reviewed.
    EffectivenessReviewed,
    /// Improvements not rejected: with a benefit expected and its measure.
    ImprovementsMeasurable,
    /// Improvements done 30 days ago or more (or evaluated since): evaluated.
    ImprovementsEvaluated,
    /// Customers' ratings in the window: satisfied (4 or 5 of 5).
    CustomersSatisfied,
    /// Customers with an agreed SLA in force today: a contact answered a
    /// satisfaction survey in the last twelve months.
    CustomersSurveyed,
    /// Requirements of the catalogue: covered by an audit (not cancelled) of
    /// the programme whose cycle holds today.
    RequirementsAudited,
    /// Audits (not cancelled) whose last day has passed: reported.
    AuditsReported,
    /// Open audit findings: with a date to answer them by, not passed.
    FindingsOnTime,
    /// One row: a management review held in the last twelve months.
    ReviewHeld,
    /// Open actions decided by management reviews: with a due date not passed.
    ReviewActionsOnTime,
    /// Customers with an agreed SLA in force last month: their service
    /// report for last month issued.
    ServiceReportsIssued,
    /// The dimensions objectives improve (`register::DIMENSIONS`): with an
    /// active objective on it.
    ObjectiveDimensionsCovered,
    /// The sections of the SMS plan (`register::PLAN_SECTIONS`): with an
    /// item of the plan not cancelled.
    PlanSectionsCovered,
    /// Knowledge articles not retired: with a review date not passed.
    ArticlesReviewed,
    /// Articles published 90 days ago or more (not retired): used to resolve
    /// an incident, or said to help by a reader.
    ArticlesUsed,
    /// Requests whose fulfilment clock stopped in the window: within target.
    RequestsFulfilledInTarget,
    /// Requests ordered in the window that needed approval and went on to
    /// fulfilment: approved by an approver.
    RequestsApprovedAsRequired,
    /// Customers that receive a service: a service review held with them in
    /// the last twelve months.
    CustomersReviewed,
    /// Messages quarantined in the window: reviewed (released or dismissed),
    /// or held less than two days.
    MailReviewed,
}

impl FigureId {
    pub const ALL: [FigureId; 59] = {
        use FigureId::*;
        [
            IncidentsResolvedInTime,
            IncidentsRespondedInTime,
            ResolutionsDocumented,
            IncidentsNotReopened,
            OpenIncidentsRecent,
            OpenIncidentsAssigned,
            IncidentsOnLiveServices,
            CustomersKeptInformed,
            LiveServicesWithOwner,
            LiveServicesWithCustomers,
            CustomersWithServices,
            GroupsWithMembers,
            AuditTrailSealed,
            ScopeApproved,
            PoliciesApproved,
            PoliciesAcknowledged,
            ObjectivesSmart,
            ObjectivesOnTarget,
            DocumentsReviewed,
            DocumentsWithApprover,
            RisksReviewed,
            HighRisksTreated,
            RolesFilled,
            ContextReviewed,
            PlanOnTime,
            TrainingCurrent,
            ProcessesAccountable,
            CommunicationsOwned,
            AgreementsReviewed,
            ServicesCoveredByAgreements,
            SlaTargetsMet,
            SlaBreachesExplained,
            RepeatedIncidentsWithProblem,
            KnownErrorsWithWorkaround,
            ProblemsOnTarget,
            MajorIncidentsReviewed,
            ComplaintsAnsweredOnTarget,
            OpenComplaintsOwned,
            OpenNonconformitiesOnTarget,
            CorrectiveActionsOnTime,
            EffectivenessReviewed,
            ImprovementsMeasurable,
            ImprovementsEvaluated,
            CustomersSatisfied,
            CustomersSurveyed,
            RequirementsAudited,
            AuditsReported,
            FindingsOnTime,
            ReviewHeld,
            ReviewActionsOnTime,
            ServiceReportsIssued,
            ObjectiveDimensionsCovered,
            PlanSectionsCovered,
            ArticlesReviewed,
            ArticlesUsed,
            RequestsFulfilledInTarget,
            RequestsApprovedAsRequired,
            CustomersReviewed,
            MailReviewed,
        ]
    };

    /// The figure's name, as objectives refer to it (`incidents_resolved_in_time`).
    pub fn as_str(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => String::new(),
        }
    }

    pub fn parse(s: &str) -> Option<FigureId> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The check that judges this figure: its title names the figure for people.
    pub fn check(self) -> Option<&'static Check> {
        REGISTRY.iter().find(|c| c.figure == self)
    }
}

/// How a check judges its figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// Met when at least `met` percent of the counted records are good;
    /// partly met from `partly` percent.
    ShareAtLeast { met: f64, partly: f64 },
    /// Met when no counted record is bad; partly met with up to `partly` bad ones.
    NoneBad { partly: i64 },
}

impl Rule {
    pub fn describe(self) -> String {
        match self {
            Rule::ShareAtLeast { met, partly } => {
                format!("at least {met}% (partly met from {partly}%)")
            }
            Rule::NoneBad { partly: 0 } => "none missing".into(),
            Rule::NoneBad { partly } => format!("none missing (partly met up to {partly})"),
        }
    }
}

/// One evidence check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable name, used in URLs and snapshots.
    pub id: &'static str,
    pub title: &'static str,
    /// What the figure counts, and what counts as good.
    pub explanation: &'static str,
    /// The clauses it gives evidence for.
    pub requirements: &'static [&'static str],
    pub figure: FigureId,
    pub rule: Rule,
}

/// How far back the incident checks look.
pub const WINDOW_DAYS: i64 = 30;

/// Resolution and first-response targets per priority P1..P5, in minutes,
/// around the clock. Service level agreements will refine them per service.
pub const RESOLUTION_TARGET_MINUTES: [i64; 5] = [4 * 60, 8 * 60, 24 * 60, 3 * 24 * 60, 5 * 24 * 60];
pub const RESPONSE_TARGET_MINUTES: [i64; 5] = [15, 30, 2 * 60, 8 * 60, 24 * 60];

/// A check of the registry by its id.
pub fn check(id: &str) -> Option<&'static Check> {
    REGISTRY.iter().find(|c| c.id == id)
}

/// The checks that give evidence for a clause.
pub fn checks_for(clause: &str) -> impl Iterator<Item = &'static Check> {
    REGISTRY
        .iter()
        .filter(move |c| c.requirements.contains(&clause))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformity::catalogue;

    #[test]
    fn every_figure_has_a_name_and_exactly_one_check() {
        for f in FigureId::ALL {
            assert_eq!(FigureId::parse(&f.as_str()), Some(f));
            assert_eq!(
                REGISTRY.iter().filter(|c| c.figure == f).count(),
                1,
                "{f:?}"
            );
        }
        assert!(REGISTRY.len() >= 20);
    }

    #[test]
    fn every_check_is_unique_and_points_at_catalogue_requirements() {
        let mut ids: Vec<_> = REGISTRY.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), REGISTRY.len(), "ids are unique");
        for c in REGISTRY {
            assert!(!c.requirements.is_empty(), "{}", c.id);
            for clause in c.requirements {
                assert!(
                    catalogue().requirement(clause).is_some(),
                    "{} refers to missing requirement {clause}",
                    c.id
                );
            }
        }
    }
}
