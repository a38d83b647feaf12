//! The registry of evidence checks. Each check names a figure the store
//! aggregates in SQL, the rule that judges it, and the requirements it gives
//! evidence for. Later processes add their figures and checks here.

use serde::Serialize;

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

pub static REGISTRY: &[Check] = &[
    Check {
        id: "incidents-resolved-in-time",
        title: "Incidents resolved within their priority's target time",
        explanation: "Incidents opened in the last 30 days and resolved since: resolved within the target of their priority (P1 4 h, P2 8 h, P3 24 h, P4 3 days, P5 5 days).",
        requirements: &["8.6.1", "8.3.3", "9.1"],
        figure: FigureId::IncidentsResolvedInTime,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 75.0,
        },
    },
    Check {
        id: "incidents-first-response-in-time",
        title: "Incidents answered within their priority's response time",
        explanation: "Incidents opened in the last 30 days that were answered or are past their response target: first response by the service desk within the target (P1 15 min, P2 30 min, P3 2 h, P4 8 h, P5 24 h).",
        requirements: &["8.6.1", "8.3.3"],
        figure: FigureId::IncidentsRespondedInTime,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 75.0,
        },
    },
    Check {
        id: "resolutions-documented",
        title: "Resolved incidents say what was done",
        explanation: "Incidents opened in the last 30 days and resolved: with resolution notes.",
        requirements: &["8.6.1", "7.6"],
        figure: FigureId::ResolutionsDocumented,
        rule: Rule::ShareAtLeast {
            met: 98.0,
            partly: 90.0,
        },
    },
    Check {
        id: "incidents-stay-resolved",
        title: "Resolved incidents stay resolved",
        explanation: "Incidents opened in the last 30 days and resolved: never reopened.",
        requirements: &["8.6.1", "10.2"],
        figure: FigureId::IncidentsNotReopened,
        rule: Rule::ShareAtLeast {
            met: 95.0,
            partly: 90.0,
        },
    },
    Check {
        id: "incident-backlog-fresh",
        title: "The open incident backlog is not ageing",
        explanation: "Open incidents (new, in progress, on hold): opened within the last 30 days.",
        requirements: &["8.6.1", "9.1"],
        figure: FigureId::OpenIncidentsRecent,
        rule: Rule::ShareAtLeast {
            met: 95.0,
            partly: 85.0,
        },
    },
    Check {
        id: "open-incidents-assigned",
        title: "Open incidents have someone working on them",
        explanation: "Open incidents older than an hour: with an assignment group or an assignee.",
        requirements: &["8.6.1", "5.3"],
        figure: FigureId::OpenIncidentsAssigned,
        rule: Rule::ShareAtLeast {
            met: 95.0,
            partly: 80.0,
        },
    },
    Check {
        id: "incidents-on-live-services",
        title: "Incidents are raised against services in the catalogue",
        explanation: "Incidents opened in the last 30 days: against a live service (not one in the pipeline or retired).",
        requirements: &["8.2.4", "8.6.1"],
        figure: FigureId::IncidentsOnLiveServices,
        rule: Rule::ShareAtLeast {
            met: 99.0,
            partly: 95.0,
        },
    },
    Check {
        id: "customers-kept-informed",
        title: "Customers hear from the service desk",
        explanation: "Incidents raised by customers in the last 30 days and resolved: with at least one public comment from the provider's staff.",
        requirements: &["8.6.1", "8.3.2", "7.4"],
        figure: FigureId::CustomersKeptInformed,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 70.0,
        },
    },
    Check {
        id: "live-services-have-an-owner",
        title: "Every live service has an owner",
        explanation: "Live services: with an owner.",
        requirements: &["8.2.4", "5.3"],
        figure: FigureId::LiveServicesWithOwner,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "live-services-have-customers",
        title: "Every live service is delivered to someone",
        explanation: "Live services: delivered to at least one customer organisation.",
        requirements: &["8.2.4", "4.2"],
        figure: FigureId::LiveServicesWithCustomers,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "customers-receive-services",
        title: "Every customer receives a live service",
        explanation: "Customer organisations: receiving at least one live service.",
        requirements: &["8.2.4", "4.2", "8.3.2"],
        figure: FigureId::CustomersWithServices,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "assignment-groups-staffed",
        title: "Every assignment group has people",
        explanation: "Assignment groups: with at least one active member.",
        requirements: &["5.3", "7.1"],
        figure: FigureId::GroupsWithMembers,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "audit-trail-sealed",
        title: "The audit trail is sealed as it grows",
        explanation: "The audit trail: no entry has waited more than 5 minutes to be sealed into the hash chain.",
        requirements: &["7.5.3", "8.1"],
        figure: FigureId::AuditTrailSealed,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "scope-approved",
        title: "The SMS scope is approved and was reviewed within a year",
        explanation: "Scope statements in force (documents of type scope, not obsolete): approved, and approved within the last 12 months.",
        requirements: &["4.3", "4.4", "5.1"],
        figure: FigureId::ScopeApproved,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "policies-approved",
        title: "Policies are approved",
        explanation: "Policies in force (documents of type policy, not obsolete): approved.",
        requirements: &["5.2.1", "5.1"],
        figure: FigureId::PoliciesApproved,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "policies-acknowledged",
        title: "Staff have read the policies distributed to them",
        explanation: "Each approved policy and each active person it is distributed to: the person acknowledged the approved version.",
        requirements: &["5.2.2", "7.3"],
        figure: FigureId::PoliciesAcknowledged,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 70.0,
        },
    },
    Check {
        id: "objectives-smart",
        title: "Every objective is measurable, owned and dated",
        explanation: "Active objectives: with a measure (a Steward figure or a unit), a target, an owner and a due date.",
        requirements: &["6.2.1"],
        figure: FigureId::ObjectivesSmart,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "objective-dimensions-covered",
        title: "Objectives cover every dimension of the service",
        explanation: "The dimensions an objective can improve (quality, value, capability, cost, productivity, resource utilisation, risk reduction): with at least one active objective on it.",
        requirements: &["6.2.1"],
        figure: FigureId::ObjectiveDimensionsCovered,
        rule: Rule::ShareAtLeast {
            met: 100.0,
            partly: 50.0,
        },
    },
    Check {
        id: "objectives-on-target",
        title: "Objectives are on target",
        explanation: "Active objectives with a value (their Steward figure as last recorded, or the value entered): the value meets the target.",
        requirements: &["6.2.2", "9.1"],
        figure: FigureId::ObjectivesOnTarget,
        rule: Rule::ShareAtLeast {
            met: 80.0,
            partly: 50.0,
        },
    },
    Check {
        id: "documents-reviewed",
        title: "Documents are reviewed on time",
        explanation: "Approved documents: with a next review date that has not passed.",
        requirements: &["7.5.3", "7.5.2"],
        figure: FigureId::DocumentsReviewed,
        rule: Rule::ShareAtLeast {
            met: 95.0,
            partly: 80.0,
        },
    },
    Check {
        id: "documents-have-an-approver",
        title: "Every document has an approver",
        explanation: "Documents in force (not obsolete): with an approver named.",
        requirements: &["7.5.2", "7.5.3"],
        figure: FigureId::DocumentsWithApprover,
        rule: Rule::NoneBad { partly: 2 },
    },
    Check {
        id: "risks-reviewed",
        title: "Risks are reviewed on time",
        explanation: "Open risks and opportunities: with a next review date that has not passed.",
        requirements: &["6.1", "8.1"],
        figure: FigureId::RisksReviewed,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 75.0,
        },
    },
    Check {
        id: "high-risks-treated",
        title: "High risks have a treatment",
        explanation: "Open risks scoring high on the risk scale: with a treatment (not none) and a treatment plan.",
        requirements: &["6.1"],
        figure: FigureId::HighRisksTreated,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "roles-filled",
        title: "Every role has a person",
        explanation: "Active roles: held by at least one active person.",
        requirements: &["5.3", "7.1"],
        figure: FigureId::RolesFilled,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "context-reviewed",
        title: "Context and interested parties are reviewed",
        explanation: "Active context issues and interested parties: with a next review date that has not passed.",
        requirements: &["4.1", "4.2"],
        figure: FigureId::ContextReviewed,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 70.0,
        },
    },
    Check {
        id: "plan-sections-covered",
        title: "The SMS plan covers each of its sections",
        explanation: "The sections of the SMS plan (service requirements, limitations, obligations, resources, other parties, risk approach, technology, process integration, measurement): with at least one item of the plan that is not cancelled.",
        requirements: &["6.3"],
        figure: FigureId::PlanSectionsCovered,
        rule: Rule::ShareAtLeast {
            met: 100.0,
            partly: 60.0,
        },
    },
    Check {
        id: "plan-on-time",
        title: "The SMS plan is on time",
        explanation: "SMS plan items not cancelled: done, or not past their due date.",
        requirements: &["6.3", "4.4"],
        figure: FigureId::PlanOnTime,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 70.0,
        },
    },
    Check {
        id: "training-current",
        title: "People's training is complete and valid",
        explanation: "Training records of active people: completed, and valid (no expiry date, or one not passed).",
        requirements: &["7.2", "7.1"],
        figure: FigureId::TrainingCurrent,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 70.0,
        },
    },
    Check {
        id: "processes-have-one-accountable",
        title: "Each process has exactly one accountable role",
        explanation: "Processes (requirements) named in the RACI of active roles: exactly one active role is accountable (A).",
        requirements: &["5.3", "8.1"],
        figure: FigureId::ProcessesAccountable,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "communications-owned",
        title: "Every planned communication has someone to do it",
        explanation: "Active items of the communication plan: with the person who communicates.",
        requirements: &["7.4"],
        figure: FigureId::CommunicationsOwned,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "agreements-reviewed",
        title: "Service level agreements are reviewed on time",
        explanation: "Agreed SLAs and OLAs: with a next review date that has not passed.",
        requirements: &["8.3.3"],
        figure: FigureId::AgreementsReviewed,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "services-covered-by-agreements",
        title: "Every live service a customer receives is covered by an SLA",
        explanation: "Each live service and each customer organisation that receives it: an agreed SLA valid today covers that customer (or every customer) and that service (or every service).",
        requirements: &["8.3.3", "8.2.4"],
        figure: FigureId::ServicesCoveredByAgreements,
        rule: Rule::ShareAtLeast {
            met: 100.0,
            partly: 80.0,
        },
    },
    Check {
        id: "sla-targets-met",
        title: "Incidents meet the targets of their service level agreements",
        explanation: "SLA clocks (response and resolution) that stopped in the last 30 days: within the target of the agreement and priority that applied, counted in the agreement's business hours. The SLA report shows it per agreement and month.",
        requirements: &["8.3.3", "8.6.1", "9.1"],
        figure: FigureId::SlaTargetsMet,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 75.0,
        },
    },
    Check {
        id: "sla-breaches-explained",
        title: "Every SLA breach has a recorded reason",
        explanation: "SLA clocks breached in the last 30 days (incidents not cancelled): a reason for the breach is recorded on the incident.",
        requirements: &["8.3.3", "10.1"],
        figure: FigureId::SlaBreachesExplained,
        rule: Rule::NoneBad { partly: 3 },
    },
    Check {
        id: "repeated-incidents-have-a-problem",
        title: "Repeated incidents are investigated as a problem",
        explanation: "Incidents of the last 30 days whose service and category had three or more incidents in that time: linked to a problem.",
        requirements: &["8.6.3", "8.6.1"],
        figure: FigureId::RepeatedIncidentsWithProblem,
        rule: Rule::ShareAtLeast {
            met: 80.0,
            partly: 50.0,
        },
    },
    Check {
        id: "known-errors-have-a-workaround",
        title: "Known errors say how to work around them",
        explanation: "Open problems in the known error state: with a workaround recorded.",
        requirements: &["8.6.3"],
        figure: FigureId::KnownErrorsWithWorkaround,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "problems-on-target",
        title: "Problems are resolved by their target date",
        explanation: "Open problems with a target date: not past it.",
        requirements: &["8.6.3", "9.1"],
        figure: FigureId::ProblemsOnTarget,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 70.0,
        },
    },
    Check {
        id: "major-incidents-reviewed",
        title: "Major incidents are reviewed",
        explanation: "Major incidents closed in the last 30 days: reviewed through a linked problem.",
        requirements: &["8.6.1", "8.6.3", "10.2"],
        figure: FigureId::MajorIncidentsReviewed,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "complaints-answered-on-target",
        title: "Complaints are answered by their target date",
        explanation: "Complaints raised in the last 30 days and not withdrawn, with a target date: answered by it, or still open and not past it.",
        requirements: &["8.3.2", "9.1", "10.1"],
        figure: FigureId::ComplaintsAnsweredOnTarget,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 70.0,
        },
    },
    Check {
        id: "open-complaints-owned",
        title: "Every open complaint has an owner and a target date",
        explanation: "Complaints not yet answered, closed or withdrawn: with an owner and a target date.",
        requirements: &["8.3.2", "10.1"],
        figure: FigureId::OpenComplaintsOwned,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "open-nonconformities-on-target",
        title: "Every open nonconformity has an owner and is on target",
        explanation: "Nonconformities not yet closed or rejected: with an owner and a target date that has not passed.",
        requirements: &["10.1"],
        figure: FigureId::OpenNonconformitiesOnTarget,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "corrective-actions-on-time",
        title: "Corrective actions are carried out by their due date",
        explanation: "Corrective actions of nonconformities not yet done or cancelled: with a due date that has not passed.",
        requirements: &["10.1"],
        figure: FigureId::CorrectiveActionsOnTime,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "effectiveness-reviewed",
        title: "Corrective actions are reviewed for effectiveness",
        explanation: "Corrective actions done whose effectiveness review has fallen due: reviewed (effective, or not effective and followed up).",
        requirements: &["10.1"],
        figure: FigureId::EffectivenessReviewed,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "improvements-measurable",
        title: "Improvements say what benefit they expect and how it is measured",
        explanation: "Improvements in the register, not rejected: with the benefit expected and how it will be measured.",
        requirements: &["10.2"],
        figure: FigureId::ImprovementsMeasurable,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "improvements-evaluated",
        title: "Improvements are evaluated against their expected benefit",
        explanation: "Improvements done at least 30 days ago, or evaluated since: evaluated against the benefit expected.",
        requirements: &["10.2", "9.1"],
        figure: FigureId::ImprovementsEvaluated,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 70.0,
        },
    },
    Check {
        id: "customers-satisfied",
        title: "Customers are satisfied with how their incidents were resolved",
        explanation: "Customers' ratings in the last 30 days: 4 or 5 of 5. No ratings is no data: satisfaction is not being measured.",
        requirements: &["8.3.2", "9.1"],
        figure: FigureId::CustomersSatisfied,
        rule: Rule::ShareAtLeast {
            met: 80.0,
            partly: 60.0,
        },
    },
    Check {
        id: "customers-surveyed",
        title: "Every customer with an SLA is asked how satisfied it is",
        explanation: "Customers with an agreed SLA in force today: a contact answered a satisfaction survey in the last twelve months.",
        requirements: &["8.3.2", "9.1"],
        figure: FigureId::CustomersSurveyed,
        rule: Rule::ShareAtLeast {
            met: 100.0,
            partly: 50.0,
        },
    },
    Check {
        id: "requirements-audited",
        title: "The audit programme covers every requirement within its cycle",
        explanation: "Requirements of clauses 4 to 10: covered by the scope of an audit (not cancelled) of the programme whose cycle holds today. No programme for today covers none.",
        requirements: &["9.2"],
        figure: FigureId::RequirementsAudited,
        rule: Rule::ShareAtLeast {
            met: 100.0,
            partly: 50.0,
        },
    },
    Check {
        id: "audits-reported",
        title: "Audits are held and reported as planned",
        explanation: "Audits (not cancelled) whose last day has passed: reported.",
        requirements: &["9.2"],
        figure: FigureId::AuditsReported,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "findings-on-time",
        title: "Audit findings are answered on time",
        explanation: "Open findings of internal audits: with a date to answer them by that has not passed.",
        requirements: &["9.2", "10.1"],
        figure: FigureId::FindingsOnTime,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "review-held",
        title: "Top management has reviewed the SMS in the last twelve months",
        explanation: "A management review held (recorded with its minutes) in the last twelve months.",
        requirements: &["9.3"],
        figure: FigureId::ReviewHeld,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "review-actions-on-time",
        title: "Actions decided by management reviews are carried out on time",
        explanation: "Open actions that follow from a management review: with a due date that has not passed.",
        requirements: &["9.3", "10.2"],
        figure: FigureId::ReviewActionsOnTime,
        rule: Rule::NoneBad { partly: 1 },
    },
    Check {
        id: "service-reports-issued",
        title: "Every customer with an SLA receives its monthly service report",
        explanation: "Customers with an agreed SLA in force last month: last month's service report issued to them.",
        requirements: &["9.4"],
        figure: FigureId::ServiceReportsIssued,
        rule: Rule::ShareAtLeast {
            met: 100.0,
            partly: 80.0,
        },
    },
    Check {
        id: "articles-reviewed",
        title: "Knowledge articles are reviewed by their review date",
        explanation: "Knowledge articles that are not retired: with a review date that has not passed.",
        requirements: &["7.6"],
        figure: FigureId::ArticlesReviewed,
        rule: Rule::ShareAtLeast {
            met: 95.0,
            partly: 80.0,
        },
    },
    Check {
        id: "articles-used",
        title: "Published knowledge is used",
        explanation: "Articles published 90 days ago or more and not retired: used to resolve an incident (linked \"resolved by\"), or said to help by a reader.",
        requirements: &["7.6"],
        figure: FigureId::ArticlesUsed,
        rule: Rule::ShareAtLeast {
            met: 50.0,
            partly: 25.0,
        },
    },
    Check {
        id: "requests-in-target",
        title: "Service requests are fulfilled within their target",
        explanation: "Requests whose fulfilment clock stopped in the period (it runs from approval to fulfilment, in the offering's business time): within the offering's target.",
        requirements: &["8.6.2"],
        figure: FigureId::RequestsFulfilledInTarget,
        rule: Rule::ShareAtLeast {
            met: 90.0,
            partly: 75.0,
        },
    },
    Check {
        id: "requests-approved",
        title: "Requests that need approval are approved before fulfilment",
        explanation: "Requests ordered in the period whose offering asked for approval and that went into fulfilment: approved by one of their approvers, none by the requester.",
        requirements: &["8.6.2"],
        figure: FigureId::RequestsApprovedAsRequired,
        rule: Rule::NoneBad { partly: 0 },
    },
    Check {
        id: "customers-reviewed",
        title: "Service performance is reviewed with every customer at least once a year",
        explanation: "Customers that receive a service: a service review held with them (with its minutes) in the last twelve months.",
        requirements: &["8.3.2"],
        figure: FigureId::CustomersReviewed,
        rule: Rule::ShareAtLeast {
            met: 100.0,
            partly: 75.0,
        },
    },
    Check {
        id: "mail-reviewed",
        title: "Mail that made no record is reviewed",
        explanation: "Messages quarantined in the period (unknown sender, automatic reply, unreadable): released or dismissed by someone, or held less than two days.",
        requirements: &["8.6.1", "8.6.2"],
        figure: FigureId::MailReviewed,
        rule: Rule::NoneBad { partly: 2 },
    },
];

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
