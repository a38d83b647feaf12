//! The figures behind the evidence checks, aggregated in SQL, and the records
//! each figure counted as gaps. One entry of [`sql_of`] per figure.

use steward_domain::conformity::checks::{
    RESOLUTION_TARGET_MINUTES, RESPONSE_TARGET_MINUTES, WINDOW_DAYS,
};
use steward_domain::conformity::{Figure, FigureId};

use super::super::Pools;
use super::{Arg, Sql};
use crate::{FigureAt, Gap, Result, SnapshotRow};

const MINUTE: i64 = 60_000;

/// The counted set (`FROM ... WHERE ...`), what makes a counted record good,
/// and how a gap is named (`kind, key, title` and an order).
struct FigureSql {
    from: &'static str,
    good: &'static str,
    gap: &'static str,
    order: &'static str,
}

const INCIDENT_GAP: &str = "'incident' AS kind, i.number AS record_key, i.title AS title";
const BY_OPENED: &str = "i.opened_at DESC, i.id DESC";
const PROBLEM_GAP: &str = "'problem' AS kind, p.number AS record_key, p.title AS title";
const COMPLAINT_GAP: &str = "'complaint' AS kind, c.number AS record_key, c.title AS title";
const WORK_GAP: &str = "c.kind AS kind, c.number AS record_key, c.title AS title";

/// Codes as rows (`column1` the code, `column2` its words, `column3` its
/// place), built once into `cell`: the dimensions of objectives, the
/// sections of the SMS plan.
fn code_rows(cell: &'static std::sync::OnceLock<String>, codes: &[&str]) -> &'static str {
    cell.get_or_init(|| {
        let rows: Vec<String> = codes
            .iter()
            .enumerate()
            .map(|(n, d)| format!("('{d}', '{}', {n})", d.replace('_', " ")))
            .collect();
        format!("FROM (VALUES {}) q WHERE 1 = 1", rows.join(", "))
    })
}

/// The requirement catalogue as rows (`column1` the clause, `column2` its
/// title, `column3` its place in the catalogue; both databases name a
/// `VALUES` list's columns so), built once.
fn requirement_rows() -> &'static str {
    static ROWS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        let rows: Vec<String> = steward_domain::conformity::catalogue::catalogue()
            .requirements
            .iter()
            .enumerate()
            .map(|(n, r)| {
                format!(
                    "('{}', '{}', {n})",
                    r.clause.replace('\'', "''"),
                    r.title.replace('\'', "''")
                )
            })
            .collect();
        format!("FROM (VALUES {}) q WHERE q.column1 <> ''", rows.join(", "))
    })
}
const NONCONFORMITY_GAP: &str = "'nonconformity' AS kind, c.number AS record_key, c.title AS title";
const ACTION_GAP: &str = "'action' AS kind, c.number AS record_key, c.title AS title";
const IMPROVEMENT_GAP: &str = "'improvement' AS kind, c.number AS record_key, c.title AS title";
/// The corrective actions `c` (with their details `d`): actions on a
/// nonconformity, narrowed by `$tail`.
macro_rules! corrective_actions {
    ($tail:literal) => {
        concat!(
            "FROM work_records c JOIN action_details d ON d.record_id = c.id \
             JOIN work_records n ON n.id = d.parent_id \
             WHERE c.kind = 'action' AND n.kind = 'nonconformity'",
            $tail
        )
    };
}
/// An incident `i` linked to a problem (either end of the link).
const LINKED_TO_PROBLEM: &str = super::records::INCIDENT_LINKED_TO_PROBLEM;
const RECORD_GAP: &str = "'record' AS kind, r.number AS record_key, r.title AS title";

/// A figure over SMS records: `from` is the condition after `kind = ...`.
fn record(kind_and: &'static str, good: &'static str) -> FigureSql {
    FigureSql {
        from: kind_and,
        good,
        gap: RECORD_GAP,
        order: "r.number",
    }
}

fn sql_of(id: FigureId) -> FigureSql {
    use FigureId::*;
    let resolved = "FROM work_records i WHERE i.kind = 'incident' AND i.opened_at >= :since \
                    AND i.resolved_at IS NOT NULL";
    let incident = |from, good| FigureSql {
        from,
        good,
        gap: INCIDENT_GAP,
        order: BY_OPENED,
    };
    match id {
        IncidentsResolvedInTime => incident(resolved, "i.resolved_at - i.opened_at <= :resolution"),
        IncidentsRespondedInTime => incident(
            "FROM work_records i WHERE i.kind = 'incident' AND i.opened_at >= :since \
             AND i.state <> 'cancelled' \
             AND (i.first_response_at IS NOT NULL OR :now - i.opened_at > :response)",
            "i.first_response_at IS NOT NULL AND i.first_response_at - i.opened_at <= :response",
        ),
        ResolutionsDocumented => incident(
            resolved,
            "i.resolution_notes IS NOT NULL AND i.resolution_notes <> ''",
        ),
        IncidentsNotReopened => incident(resolved, "i.reopen_count = 0"),
        // The open states are spelled as in the partial index `work_records_open_priority`.
        OpenIncidentsRecent => incident(
            "FROM work_records i WHERE i.kind = 'incident' \
             AND i.state_category IN ('new', 'active', 'waiting')",
            "i.opened_at >= :since",
        ),
        OpenIncidentsAssigned => incident(
            // `+i.opened_at` keeps SQLite on the small partial index of open
            // records: offered the range on opening time, it walked the index
            // of every incident older than an hour (250 ms at a million).
            "FROM work_records i WHERE i.kind = 'incident' \
             AND i.state_category IN ('new', 'active', 'waiting') AND +i.opened_at < :hour_ago",
            "(i.group_id IS NOT NULL OR i.assignee_id IS NOT NULL)",
        ),
        IncidentsOnLiveServices => incident(
            "FROM work_records i JOIN services s ON s.id = i.service_id \
             WHERE i.kind = 'incident' AND i.opened_at >= :since",
            "s.status = 'live'",
        ),
        CustomersKeptInformed => incident(
            "FROM work_records i JOIN organisations o ON o.id = i.org_id \
             WHERE i.kind = 'incident' AND i.opened_at >= :since AND i.resolved_at IS NOT NULL \
             AND o.kind = 'customer'",
            "EXISTS (SELECT 1 FROM comments c JOIN users u ON u.id = c.author_id \
             WHERE c.record_id = i.id AND c.visibility = 'public' AND u.role <> 'customer')",
        ),
        LiveServicesWithOwner => FigureSql {
            from: "FROM services s WHERE s.status = 'live'",
            good: "s.owner_id IS NOT NULL",
            gap: "'service' AS kind, s.number AS record_key, s.name AS title",
            order: "s.number",
        },
        LiveServicesWithCustomers => FigureSql {
            from: "FROM services s WHERE s.status = 'live'",
            good: "EXISTS (SELECT 1 FROM service_customers sc WHERE sc.service_id = s.id)",
            gap: "'service' AS kind, s.number AS record_key, s.name AS title",
            order: "s.number",
        },
        CustomersWithServices => FigureSql {
            from: "FROM organisations o WHERE o.kind = 'customer'",
            good: "EXISTS (SELECT 1 FROM service_customers sc JOIN services s ON s.id = sc.service_id \
                   WHERE sc.org_id = o.id AND s.status = 'live')",
            gap: "'organisation' AS kind, o.name AS record_key, o.name AS title",
            order: "o.name",
        },
        GroupsWithMembers => FigureSql {
            from: "FROM assignment_groups g WHERE 1 = 1",
            good: "EXISTS (SELECT 1 FROM group_members m JOIN users u ON u.id = m.user_id \
                   WHERE m.group_id = g.id AND u.active)",
            gap: "'group' AS kind, g.name AS record_key, g.name AS title",
            order: "g.name",
        },
        AuditTrailSealed => FigureSql {
            // The chain's head row: there is exactly one.
            from: "FROM audit_chain x WHERE x.id = 1",
            good: "NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.seq IS NULL \
                   AND a.occurred_at < :five_minutes_ago)",
            gap: "'audit_trail' AS kind, 'unsealed' AS record_key, \
                  'Audit entries waiting more than 5 minutes to be sealed' AS title",
            order: "1",
        },
        ScopeApproved => record(
            "FROM sms_records r WHERE r.kind = 'document' AND r.category = 'scope' \
             AND r.status <> 'obsolete'",
            "r.approved_at IS NOT NULL AND r.approved_at >= :year_ago",
        ),
        PoliciesApproved => record(
            "FROM sms_records r WHERE r.kind = 'document' AND r.category = 'policy' \
             AND r.status <> 'obsolete'",
            "r.approved_version IS NOT NULL",
        ),
        PoliciesAcknowledged => FigureSql {
            from: "FROM sms_records r JOIN sms_links l ON l.record_id = r.id \
                   AND l.field = 'distribution' JOIN users u ON u.id = l.target_id \
                   WHERE r.kind = 'document' AND r.category = 'policy' AND r.status <> 'obsolete' \
                   AND r.approved_version IS NOT NULL AND u.active",
            good: "EXISTS (SELECT 1 FROM document_acks a WHERE a.record_id = r.id \
                   AND a.version_no = r.approved_version AND a.user_id = u.id)",
            gap: "'record' AS kind, r.number AS record_key, r.title || ': ' || u.name AS title",
            order: "r.number, u.name",
        },
        ObjectivesSmart => record(
            "FROM sms_records r WHERE r.kind = 'objective' AND r.status = 'active'",
            "(r.measure IS NOT NULL OR r.unit IS NOT NULL) AND r.target IS NOT NULL \
             AND r.owner_id IS NOT NULL AND r.due_on IS NOT NULL",
        ),
        ObjectiveDimensionsCovered => FigureSql {
            from: {
                static ROWS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                code_rows(&ROWS, &steward_domain::register::DIMENSIONS)
            },
            good: "EXISTS (SELECT 1 FROM sms_records r WHERE r.kind = 'objective' \
                   AND r.status = 'active' AND r.category = q.column1)",
            gap: "'requirement' AS kind, '6.2.1' AS record_key, \
                  'No active objective improves ' || q.column2 AS title",
            order: "q.column3",
        },
        ObjectivesOnTarget => record(
            "FROM sms_records r WHERE r.kind = 'objective' AND r.status = 'active' \
             AND r.actual IS NOT NULL AND r.target IS NOT NULL",
            "((r.direction = 'at_most' AND r.actual <= r.target) \
             OR (COALESCE(r.direction, 'at_least') <> 'at_most' AND r.actual >= r.target))",
        ),
        DocumentsReviewed => record(
            "FROM sms_records r WHERE r.kind = 'document' AND r.status = 'approved'",
            "r.review_on IS NOT NULL AND r.review_on >= :today",
        ),
        DocumentsWithApprover => record(
            "FROM sms_records r WHERE r.kind = 'document' AND r.status <> 'obsolete'",
            "r.reviewer_id IS NOT NULL",
        ),
        RisksReviewed => record(
            "FROM sms_records r WHERE r.kind = 'risk' AND r.status = 'open'",
            "r.review_on IS NOT NULL AND r.review_on >= :today",
        ),
        HighRisksTreated => record(
            "FROM sms_records r WHERE r.kind = 'risk' AND r.status = 'open' \
             AND r.category = 'risk' AND r.likelihood * r.impact >= :high_score",
            "r.treatment IS NOT NULL AND r.treatment <> 'none' \
             AND r.treatment_plan IS NOT NULL AND r.treatment_plan <> ''",
        ),
        RolesFilled => record(
            "FROM sms_records r WHERE r.kind = 'role' AND r.status = 'active'",
            "EXISTS (SELECT 1 FROM sms_links l JOIN users u ON u.id = l.target_id \
             WHERE l.record_id = r.id AND l.field = 'holders' AND u.active)",
        ),
        ContextReviewed => record(
            "FROM sms_records r WHERE r.kind IN ('context', 'party') AND r.status = 'active'",
            "r.review_on IS NOT NULL AND r.review_on >= :today",
        ),
        PlanSectionsCovered => FigureSql {
            from: {
                static ROWS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                code_rows(&ROWS, &steward_domain::register::PLAN_SECTIONS)
            },
            good: "EXISTS (SELECT 1 FROM sms_records r WHERE r.kind = 'plan_item' \
                   AND r.status <> 'cancelled' AND r.category = q.column1)",
            gap: "'requirement' AS kind, '6.3' AS record_key, \
                  'The SMS plan has nothing on ' || q.column2 AS title",
            order: "q.column3",
        },
        PlanOnTime => record(
            "FROM sms_records r WHERE r.kind = 'plan_item' AND r.status <> 'cancelled'",
            "(r.status = 'done' OR r.due_on IS NULL OR r.due_on >= :today)",
        ),
        TrainingCurrent => FigureSql {
            from: "FROM sms_records r JOIN users u ON u.id = r.person_id \
                   WHERE r.kind = 'training' AND u.active",
            good: "r.status = 'completed' AND (r.review_on IS NULL OR r.review_on >= :today)",
            gap: "'record' AS kind, r.number AS record_key, r.title || ' (' || u.name || ')' AS title",
            order: "r.number",
        },
        ProcessesAccountable => FigureSql {
            from: "FROM (SELECT l.target_key AS clause, \
                   SUM(CASE WHEN l.value = 'A' THEN 1 ELSE 0 END) AS accountable \
                   FROM sms_links l JOIN sms_records r ON r.id = l.record_id \
                   WHERE l.field = 'raci' AND r.kind = 'role' AND r.status = 'active' \
                   GROUP BY l.target_key) p WHERE 1 = 1",
            good: "p.accountable = 1",
            gap: "'requirement' AS kind, p.clause AS record_key, p.clause AS title",
            order: "p.clause",
        },
        CommunicationsOwned => record(
            "FROM sms_records r WHERE r.kind = 'communication' AND r.status = 'active'",
            "r.owner_id IS NOT NULL",
        ),
        AgreementsReviewed => FigureSql {
            from: "FROM agreements a WHERE a.status = 'agreed'",
            good: "a.review_on IS NOT NULL AND a.review_on >= :today",
            gap: "'agreement' AS kind, a.number AS record_key, a.title AS title",
            order: "a.number",
        },
        ServicesCoveredByAgreements => FigureSql {
            from: "FROM service_customers sc JOIN services s ON s.id = sc.service_id \
                   JOIN organisations o ON o.id = sc.org_id WHERE s.status = 'live'",
            good: "EXISTS (SELECT 1 FROM agreements a WHERE a.kind = 'sla' \
                   AND a.status = 'agreed' AND a.valid_from <= :today \
                   AND (a.valid_to IS NULL OR a.valid_to > :today) \
                   AND (a.org_id IS NULL OR a.org_id = sc.org_id) \
                   AND (NOT EXISTS (SELECT 1 FROM agreement_services x WHERE x.agreement_id = a.id) \
                   OR EXISTS (SELECT 1 FROM agreement_services x WHERE x.agreement_id = a.id \
                   AND x.service_id = sc.service_id)))",
            gap: "'service' AS kind, s.number AS record_key, s.name || ' for ' || o.name AS title",
            order: "s.number, o.name",
        },
        SlaTargetsMet => FigureSql {
            from: "FROM sla_clocks c JOIN work_records i ON i.id = c.record_id \
                   WHERE c.status = 'stopped' AND c.stopped_at >= :since AND c.group_id = 0 \
                   AND i.kind = 'incident'",
            good: "c.breached_at IS NULL",
            gap: "'incident' AS kind, i.number AS record_key, \
                  i.title || ' (' || c.kind || ', ' || c.agreement || ')' AS title",
            order: "c.stopped_at DESC, i.id DESC",
        },
        // Grouped once, then joined: not a count per incident.
        RepeatedIncidentsWithProblem => incident(
            // The window's incidents are read once (by the index on opening
            // time) with how many of their service and category it holds:
            // no second pass over the window, no join back to the records.
            // Joined on service and category instead, SQLite walks every
            // incident of the service (a million for one busy service)
            // through the service index.
            "FROM (SELECT id, number, title, opened_at, COUNT(*) OVER \
             (PARTITION BY service_id, category) AS repeats FROM work_records \
             WHERE kind = 'incident' AND opened_at >= :since AND state <> 'cancelled' \
             AND service_id IS NOT NULL AND category IS NOT NULL) i WHERE i.repeats >= 3",
            super::records::INCIDENT_IN_PROBLEM_LINKS,
        ),
        KnownErrorsWithWorkaround => FigureSql {
            from: "FROM work_records p JOIN problem_details d ON d.record_id = p.id \
                   WHERE p.kind = 'problem' AND p.state = 'known_error'",
            good: "d.workaround IS NOT NULL AND d.workaround <> ''",
            gap: PROBLEM_GAP,
            order: "p.opened_at DESC, p.id DESC",
        },
        ProblemsOnTarget => FigureSql {
            from: "FROM work_records p WHERE p.kind = 'problem' \
                   AND p.state_category IN ('new', 'active', 'waiting') AND p.target_at IS NOT NULL",
            good: "p.target_at >= :now",
            gap: PROBLEM_GAP,
            order: "p.target_at, p.id",
        },
        MajorIncidentsReviewed => incident(
            // `i.major` as in the partial index `work_records_major_closed`.
            "FROM work_records i WHERE i.major AND i.kind = 'incident' \
             AND i.state = 'closed' AND i.closed_at >= :since",
            LINKED_TO_PROBLEM,
        ),
        ComplaintsAnsweredOnTarget => FigureSql {
            from: "FROM work_records c WHERE c.kind = 'complaint' AND c.opened_at >= :since \
                   AND c.state_category <> 'cancelled' AND c.target_at IS NOT NULL",
            // Answered is resolved: a reopened complaint is not answered until
            // it is answered again.
            good: "(c.resolved_at IS NOT NULL AND c.resolved_at <= c.target_at) \
                   OR (c.resolved_at IS NULL AND c.state_category IN ('new', 'active', 'waiting') \
                   AND c.target_at >= :now)",
            gap: COMPLAINT_GAP,
            order: "c.opened_at DESC, c.id DESC",
        },
        MailReviewed => FigureSql {
            from: "FROM inbound_mail m WHERE m.reason IS NOT NULL AND m.received_at >= :since",
            good: "m.reviewed_at IS NOT NULL OR m.received_at >= :now - 172800000",
            gap: "'mail' AS kind, 'MAIL-' || m.id AS record_key, m.subject AS title",
            order: "m.received_at DESC, m.id DESC",
        },
        CustomersReviewed => FigureSql {
            from: "FROM organisations o WHERE o.kind = 'customer' \
                   AND EXISTS (SELECT 1 FROM service_customers sc WHERE sc.org_id = o.id)",
            good: "EXISTS (SELECT 1 FROM work_records r WHERE r.org_id = o.id \
                   AND r.kind = 'service_review' AND r.state = 'held' \
                   AND r.closed_at >= :now - 31536000000)",
            gap: "'organisation' AS kind, o.name AS record_key, o.name AS title",
            order: "o.name, o.id",
        },
        RequestsFulfilledInTarget => FigureSql {
            from: "FROM sla_clocks k JOIN work_records c ON c.id = k.record_id \
                   WHERE k.status = 'stopped' AND k.stopped_at >= :since AND k.group_id = 0 \
                   AND c.kind = 'request'",
            good: "k.breached_at IS NULL",
            gap: WORK_GAP,
            order: "k.stopped_at DESC, c.id DESC",
        },
        RequestsApprovedAsRequired => FigureSql {
            from: "FROM work_records c JOIN request_details d ON d.record_id = c.id \
                   WHERE c.kind = 'request' AND c.opened_at >= :since AND d.approval_required \
                   AND c.state IN ('in_fulfilment', 'fulfilled')",
            good: "EXISTS (SELECT 1 FROM request_approvals a WHERE a.record_id = c.id \
                   AND a.decision = 'approved' AND (c.requester_id IS NULL \
                   OR a.decided_by <> c.requester_id))",
            gap: WORK_GAP,
            order: "c.opened_at DESC, c.id DESC",
        },
        ArticlesReviewed => FigureSql {
            from: "FROM work_records c WHERE c.kind = 'article' AND c.state <> 'retired'",
            good: "c.target_at IS NOT NULL AND c.target_at >= :now",
            gap: WORK_GAP,
            order: "c.target_at, c.id",
        },
        ArticlesUsed => FigureSql {
            from: "FROM work_records c JOIN article_details d ON d.record_id = c.id \
                   WHERE c.kind = 'article' AND d.live_version IS NOT NULL \
                   AND d.published_at <= :now - 7776000000",
            good: "EXISTS (SELECT 1 FROM article_feedback f WHERE f.record_id = c.id AND f.helpful) \
                   OR EXISTS (SELECT 1 FROM record_links l JOIN work_records i ON i.id = l.a_id \
                   AND i.kind = 'incident' WHERE l.b_id = c.id AND l.link_type = 'resolved_by') \
                   OR EXISTS (SELECT 1 FROM record_links l JOIN work_records i ON i.id = l.b_id \
                   AND i.kind = 'incident' WHERE l.a_id = c.id AND l.link_type = 'resolves')",
            gap: WORK_GAP,
            order: "c.opened_at DESC, c.id DESC",
        },
        OpenComplaintsOwned => FigureSql {
            from: "FROM work_records c WHERE c.kind = 'complaint' \
                   AND c.state_category IN ('new', 'active', 'waiting')",
            good: "c.assignee_id IS NOT NULL AND c.target_at IS NOT NULL",
            gap: COMPLAINT_GAP,
            order: "c.opened_at DESC, c.id DESC",
        },
        OpenNonconformitiesOnTarget => FigureSql {
            from: "FROM work_records c WHERE c.kind = 'nonconformity' \
                   AND c.state_category IN ('new', 'active', 'waiting')",
            good: "c.assignee_id IS NOT NULL AND c.target_at IS NOT NULL AND c.target_at >= :now",
            gap: NONCONFORMITY_GAP,
            order: "c.opened_at DESC, c.id DESC",
        },
        CorrectiveActionsOnTime => FigureSql {
            from: corrective_actions!(" AND c.state_category IN ('new', 'active')"),
            good: "c.target_at IS NOT NULL AND c.target_at >= :now",
            gap: ACTION_GAP,
            order: "c.opened_at DESC, c.id DESC",
        },
        EffectivenessReviewed => FigureSql {
            from: corrective_actions!(
                " AND d.review_due_at <= :now AND c.state_category <> 'cancelled'"
            ),
            good: "d.reviewed_at IS NOT NULL",
            gap: ACTION_GAP,
            order: "d.review_due_at, c.id",
        },
        ImprovementsMeasurable => FigureSql {
            from: "FROM work_records c JOIN improvement_details d ON d.record_id = c.id \
                   WHERE c.kind = 'improvement' AND c.state_category <> 'cancelled'",
            good: "d.expected_benefit IS NOT NULL AND d.measure IS NOT NULL",
            gap: IMPROVEMENT_GAP,
            order: "c.opened_at DESC, c.id DESC",
        },
        ImprovementsEvaluated => FigureSql {
            from: "FROM work_records c JOIN improvement_details d ON d.record_id = c.id \
                   WHERE c.kind = 'improvement' AND d.done_at IS NOT NULL \
                   AND (d.evaluated_at IS NOT NULL OR d.done_at <= :since)",
            good: "d.evaluated_at IS NOT NULL",
            gap: IMPROVEMENT_GAP,
            order: "d.done_at, c.id",
        },
        RequirementsAudited => FigureSql {
            from: requirement_rows(),
            good: "EXISTS (SELECT 1 FROM audit_details d JOIN work_records a ON a.id = d.record_id \
                   JOIN sms_records pr ON pr.id = d.programme_id WHERE a.state <> 'cancelled' \
                   AND pr.starts_on <= :today AND pr.ends_on >= :today \
                   AND d.covers LIKE '% ' || q.column1 || ' %')",
            gap: "'requirement' AS kind, q.column1 AS record_key, q.column2 AS title",
            order: "q.column3",
        },
        AuditsReported => FigureSql {
            from: "FROM work_records c WHERE c.kind = 'audit' AND c.state <> 'cancelled' \
                   AND c.target_at < :now",
            good: "c.state IN ('reported', 'closed')",
            gap: WORK_GAP,
            order: "c.target_at, c.id",
        },
        FindingsOnTime => FigureSql {
            from: "FROM work_records c WHERE c.kind = 'finding' \
                   AND c.state_category IN ('new', 'active', 'waiting')",
            good: "c.target_at IS NOT NULL AND c.target_at >= :now",
            gap: WORK_GAP,
            order: "c.opened_at DESC, c.id DESC",
        },
        ReviewHeld => FigureSql {
            from: "FROM (VALUES (1)) q WHERE q.column1 = 1",
            good: "EXISTS (SELECT 1 FROM work_records c JOIN review_details d ON d.record_id = c.id \
                   WHERE c.kind = 'review' AND d.held_at >= :year_ago)",
            gap: "'requirement' AS kind, '9.3' AS record_key, \
                  'No management review held in the last twelve months' AS title",
            order: "1",
        },
        ReviewActionsOnTime => FigureSql {
            from: "FROM work_records c JOIN action_details d ON d.record_id = c.id \
                   JOIN work_records pr ON pr.id = d.parent_id WHERE c.kind = 'action' \
                   AND pr.kind = 'review' AND c.state_category IN ('new', 'active', 'waiting')",
            good: "c.target_at IS NOT NULL AND c.target_at >= :now",
            gap: WORK_GAP,
            order: "c.opened_at DESC, c.id DESC",
        },
        ServiceReportsIssued => FigureSql {
            from: "FROM organisations o WHERE o.kind = 'customer' AND EXISTS (SELECT 1 \
                   FROM agreements a WHERE a.org_id = o.id AND a.kind = 'sla' \
                   AND a.status = 'agreed' AND substr(a.valid_from, 1, 7) <= :last_month \
                   AND (a.valid_to IS NULL OR substr(a.valid_to, 1, 7) >= :last_month))",
            good: "EXISTS (SELECT 1 FROM service_reports r WHERE r.org_id = o.id \
                   AND r.period = :last_month)",
            gap: "'service_report' AS kind, CAST(o.id AS TEXT) AS record_key, o.name AS title",
            order: "o.name, o.id",
        },
        CustomersSurveyed => FigureSql {
            from: "FROM organisations o WHERE o.kind = 'customer' AND EXISTS (SELECT 1 \
                   FROM agreements a WHERE a.org_id = o.id AND a.kind = 'sla' \
                   AND a.status = 'agreed' AND a.valid_from <= :today \
                   AND (a.valid_to IS NULL OR a.valid_to >= :today))",
            good: "EXISTS (SELECT 1 FROM survey_answers s WHERE s.org_id = o.id \
                   AND s.answered_at >= :year_ago)",
            gap: "'surveys' AS kind, CAST(o.id AS TEXT) AS record_key, \
                  o.name || ' (no survey answered in twelve months)' AS title",
            order: "o.name, o.id",
        },
        CustomersSatisfied => FigureSql {
            from: "FROM ratings t JOIN work_records c ON c.id = t.record_id \
                   WHERE t.rated_at >= :since",
            good: "t.score >= 4",
            gap: "c.kind AS kind, c.number AS record_key, \
                  c.title || ' (rated ' || CAST(t.score AS TEXT) || ' of 5)' AS title",
            order: "t.rated_at DESC, t.id DESC",
        },
        SlaBreachesExplained => FigureSql {
            from: "FROM sla_clocks c JOIN work_records i ON i.id = c.record_id \
                   WHERE c.breached_at >= :since AND c.status <> 'cancelled' AND c.group_id = 0 \
                   AND i.kind = 'incident'",
            good: "c.breach_reason IS NOT NULL AND c.breach_reason <> ''",
            gap: "'incident' AS kind, i.number AS record_key, \
                  i.title || ' (' || c.kind || ', ' || c.agreement || ')' AS title",
            order: "c.breached_at DESC, i.id DESC",
        },
    }
}

/// The target of each priority, as a `CASE` over `i.priority`.
fn per_priority(sql: &mut Sql, targets: [i64; 5]) {
    sql.push("(CASE i.priority");
    for (p, minutes) in targets.iter().enumerate() {
        sql.push(&format!(" WHEN {} THEN ", p + 1));
        sql.arg(Arg::I64(minutes * MINUTE));
    }
    sql.push(" ELSE 0 END)");
}

/// Expands the `:name` parameters of a figure's SQL into bound arguments.
fn bind(sql: &mut Sql, text: &str, when: &FigureAt) {
    let now = when.now;
    let mut rest = text;
    // A parameter is `:` followed by a letter; anything else (`::`, `:` in a
    // literal) is plain SQL.
    while let Some(at) = rest
        .char_indices()
        .find(|&(i, c)| c == ':' && rest[i + 1..].starts_with(|n: char| n.is_ascii_lowercase()))
        .map(|(i, _)| i)
    {
        sql.push(&rest[..at]);
        let name_len = rest[at + 1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - at - 1);
        let name = &rest[at + 1..at + 1 + name_len];
        match name {
            "now" => {
                sql.arg(Arg::I64(now));
            }
            "since" => {
                sql.arg(Arg::I64(now - WINDOW_DAYS * 24 * 60 * MINUTE));
            }
            "hour_ago" => {
                sql.arg(Arg::I64(now - 60 * MINUTE));
            }
            "five_minutes_ago" => {
                sql.arg(Arg::I64(now - 5 * MINUTE));
            }
            "year_ago" => {
                sql.arg(Arg::I64(now - 365 * 24 * 60 * MINUTE));
            }
            "today" => {
                sql.arg(Arg::Text(when.today.clone()));
            }
            "last_month" => {
                sql.arg(Arg::Text(steward_domain::review::month_before_day(
                    &when.today,
                )));
            }
            "high_score" => {
                sql.arg(Arg::I64(when.high_score));
            }
            "resolution" => per_priority(sql, RESOLUTION_TARGET_MINUTES),
            "response" => per_priority(sql, RESPONSE_TARGET_MINUTES),
            // Only the static text of `sql_of` comes here; its test covers every name.
            other => {
                sql.push(":").push(other);
            }
        }
        rest = &rest[at + 1 + name_len..];
    }
    sql.push(rest);
}

/// One figure, aggregated in the database.
pub async fn figure(p: &Pools, id: FigureId, at: &FigureAt) -> Result<Figure> {
    let f = sql_of(id);
    let mut q = Sql::new("SELECT COUNT(*), COALESCE(SUM(CASE WHEN ");
    bind(&mut q, f.good, at);
    q.push(" THEN 1 ELSE 0 END), 0) ");
    bind(&mut q, f.from, at);
    let (counted, good): (i64, i64) = q.fetch_one(p.read()).await?;
    Ok(Figure { counted, good })
}

/// Up to `limit` records the figure counted as not good: the gaps to close.
pub async fn gaps(p: &Pools, id: FigureId, at: &FigureAt, limit: i64) -> Result<Vec<Gap>> {
    let f = sql_of(id);
    let mut q = Sql::new("SELECT ");
    q.push(f.gap).push(" ");
    bind(&mut q, f.from, at);
    q.push(" AND NOT (");
    bind(&mut q, f.good, at);
    q.push(") ORDER BY ").push(f.order).push(" LIMIT ");
    q.arg(Arg::I64(limit));
    q.fetch_all(p.read()).await
}

/// Keeps `day`'s result of each check; a later run of the same day replaces it.
pub async fn save_snapshot(p: &Pools, day: &str, rows: &[SnapshotRow]) -> Result<()> {
    let mut tx = p.begin().await?;
    for r in rows {
        sqlx::query(
            "INSERT INTO check_snapshots (day, check_id, outcome, counted, good) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day, check_id) DO UPDATE SET \
             outcome = excluded.outcome, counted = excluded.counted, good = excluded.good",
        )
        .bind(day)
        .bind(&r.check_id)
        .bind(&r.outcome)
        .bind(r.counted)
        .bind(r.good)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The snapshot of the latest day on or before `day`, if there is one.
pub async fn snapshot_as_of(p: &Pools, day: &str) -> Result<Vec<SnapshotRow>> {
    Ok(sqlx::query_as(
        "SELECT day, check_id, outcome, counted, good FROM check_snapshots \
         WHERE day = (SELECT MAX(day) FROM check_snapshots WHERE day <= $1) ORDER BY check_id",
    )
    .bind(day)
    .fetch_all(p.read())
    .await?)
}

/// Every snapshot row from `since` on, oldest first.
pub async fn snapshots_since(p: &Pools, since: &str) -> Result<Vec<SnapshotRow>> {
    Ok(sqlx::query_as(
        "SELECT day, check_id, outcome, counted, good FROM check_snapshots \
         WHERE day >= $1 ORDER BY day, check_id",
    )
    .bind(since)
    .fetch_all(p.read())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_domain::conformity::REGISTRY;

    #[test]
    fn every_figure_expands_to_bound_parameters_only() {
        for check in REGISTRY {
            let f = sql_of(check.figure);
            for part in [f.from, f.good] {
                let mut q = Sql::new("");
                let at = FigureAt {
                    now: 1_000_000_000_000,
                    today: "2026-11-25".into(),
                    high_score: 15,
                };
                bind(&mut q, part, &at);
                assert!(
                    !q.text.contains(":now") && !q.text.contains(":since"),
                    "{}: {}",
                    check.id,
                    q.text
                );
                let unknown = part
                    .match_indices(':')
                    .map(|(i, _)| &part[i + 1..])
                    .filter(|r| r.starts_with(|c: char| c.is_ascii_lowercase()))
                    .find(|r| {
                        ![
                            "now",
                            "since",
                            "hour_ago",
                            "five_minutes_ago",
                            "year_ago",
                            "today",
                            "last_month",
                            "high_score",
                            "resolution",
                            "response",
                        ]
                        .iter()
                        .any(|n| r.starts_with(n))
                    });
                assert!(
                    unknown.is_none(),
                    "{}: unknown parameter in {part}",
                    check.id
                );
            }
        }
    }
}
