//! Notifications: which events an incident change causes, and who hears of
//! each. One rule for every channel (today e-mail).
//!
//! A customer never hears of a work note: internal events go to staff only,
//! whatever else the lists say.

use serde::{Deserialize, Serialize};

use crate::incident::{CommentVisibility, IncidentState};

/// Something that happened to an incident that people may want to hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    IncidentCreated,
    IncidentAssigned,
    IncidentCommented,
    WorkNoteAdded,
    IncidentResolved,
    SlaWarning,
    SlaBreach,
    /// A service report for the customer's organisation is issued.
    ServiceReportIssued,
    /// A satisfaction survey asks the customer for their answers.
    SurveySent,
    /// A record one works on is past its target date (kinds that escalate).
    RecordOverdue,
}

impl Event {
    pub const ALL: [Event; 10] = [
        Event::IncidentCreated,
        Event::IncidentAssigned,
        Event::IncidentCommented,
        Event::WorkNoteAdded,
        Event::IncidentResolved,
        Event::SlaWarning,
        Event::SlaBreach,
        Event::ServiceReportIssued,
        Event::SurveySent,
        Event::RecordOverdue,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Event::IncidentCreated => "incident_created",
            Event::IncidentAssigned => "incident_assigned",
            Event::IncidentCommented => "incident_commented",
            Event::WorkNoteAdded => "work_note_added",
            Event::IncidentResolved => "incident_resolved",
            Event::SlaWarning => "sla_warning",
            Event::SlaBreach => "sla_breach",
            Event::ServiceReportIssued => "service_report_issued",
            Event::SurveySent => "survey_sent",
            Event::RecordOverdue => "record_overdue",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Event::IncidentCreated => "An incident is raised",
            Event::IncidentAssigned => "An incident is assigned to me",
            Event::IncidentCommented => "A comment is added",
            Event::WorkNoteAdded => "A work note is added",
            Event::IncidentResolved => "An incident is resolved",
            Event::SlaWarning => "An SLA clock reaches its warning point",
            Event::SlaBreach => "An SLA clock is breached (escalation)",
            Event::ServiceReportIssued => "A service report for my organisation is issued",
            Event::SurveySent => "A satisfaction survey asks for my answers",
            Event::RecordOverdue => "A complaint is past its target date (escalation)",
        }
    }

    pub fn parse(s: &str) -> Option<Event> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// Only customers hear of it (it is about their organisation).
    pub const fn customers_only(self) -> bool {
        matches!(self, Event::ServiceReportIssued | Event::SurveySent)
    }

    /// Only the provider's staff may hear of it.
    pub const fn internal(self) -> bool {
        matches!(
            self,
            Event::WorkNoteAdded | Event::SlaWarning | Event::SlaBreach | Event::RecordOverdue
        )
    }
}

/// The part of an incident that decides its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub state: IncidentState,
    pub assignee_id: Option<i64>,
}

/// The events of a change from `before` (none for a new incident) to `after`.
pub fn events(before: Option<Snapshot>, after: Snapshot) -> Vec<Event> {
    let Some(before) = before else {
        let mut e = vec![Event::IncidentCreated];
        if after.assignee_id.is_some() {
            e.push(Event::IncidentAssigned);
        }
        return e;
    };
    let mut e = Vec::new();
    if after.assignee_id.is_some() && after.assignee_id != before.assignee_id {
        e.push(Event::IncidentAssigned);
    }
    if after.state == IncidentState::Resolved && before.state != IncidentState::Resolved {
        e.push(Event::IncidentResolved);
    }
    e
}

/// The event of a comment.
pub fn comment_event(visibility: CommentVisibility) -> Event {
    match visibility {
        CommentVisibility::Public => Event::IncidentCommented,
        CommentVisibility::Internal => Event::WorkNoteAdded,
    }
}

/// A person who might be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: i64,
    pub staff: bool,
    pub manager: bool,
    pub active: bool,
    /// Events this person chose not to hear of.
    pub muted: Vec<Event>,
}

/// The people around an incident.
#[derive(Debug, Clone, Default)]
pub struct Circle {
    pub caller: Option<Person>,
    pub assignee: Option<Person>,
    /// Members of the assignment group.
    pub group: Vec<Person>,
    /// The assignment group's named manager, who hears of its escalations
    /// whether or not they are a member.
    pub group_manager: Option<Person>,
}

/// Who hears of `event`: never the person who caused it, never a customer of
/// an internal event, never someone inactive or who muted it; each once.
pub fn recipients(event: Event, circle: &Circle, actor_id: Option<i64>) -> Vec<i64> {
    let team: Vec<&Person> = match &circle.assignee {
        Some(a) => vec![a],
        None => circle.group.iter().collect(),
    };
    let candidates: Vec<&Person> = match event {
        Event::IncidentCreated => circle.caller.iter().chain(team).collect(),
        Event::IncidentAssigned => circle.assignee.iter().collect(),
        Event::IncidentCommented => circle.caller.iter().chain(team).collect(),
        Event::WorkNoteAdded | Event::SlaWarning => team,
        Event::SlaBreach | Event::RecordOverdue => team
            .into_iter()
            .chain(circle.group.iter().filter(|p| p.manager))
            .chain(circle.group_manager.iter())
            .collect(),
        Event::IncidentResolved => circle.caller.iter().collect(),
        // Not an incident's event: its contacts are the customer's, chosen
        // where the report is issued.
        Event::ServiceReportIssued | Event::SurveySent => Vec::new(),
    };
    let mut out: Vec<i64> = Vec::new();
    for p in candidates {
        let heard = Some(p.user_id) == actor_id
            || !p.active
            || (event.internal() && !p.staff)
            || p.muted.contains(&event)
            || out.contains(&p.user_id);
        if !heard {
            out.push(p.user_id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, staff: bool) -> Person {
        Person {
            user_id: id,
            staff,
            manager: false,
            active: true,
            muted: vec![],
        }
    }

    fn circle() -> Circle {
        let mut boss = person(4, true);
        boss.manager = true;
        Circle {
            caller: Some(person(1, false)),
            assignee: None,
            group: vec![person(2, true), person(3, true), boss],
            group_manager: None,
        }
    }

    #[test]
    fn creation_tells_the_caller_and_the_group() {
        assert_eq!(
            recipients(Event::IncidentCreated, &circle(), Some(1)),
            [2, 3, 4]
        );
        assert_eq!(
            recipients(Event::IncidentCreated, &circle(), Some(2)),
            [1, 3, 4]
        );
    }

    #[test]
    fn a_customer_never_hears_of_a_work_note() {
        let mut c = circle();
        // Even a customer named as assignee by mistake.
        c.assignee = Some(person(9, false));
        assert!(recipients(Event::WorkNoteAdded, &c, Some(2)).is_empty());
        c.assignee = None;
        assert_eq!(recipients(Event::WorkNoteAdded, &c, Some(2)), [3, 4]);
        assert!(!recipients(Event::IncidentCommented, &c, Some(2)).is_empty());
    }

    #[test]
    fn a_breach_escalates_to_the_group_manager() {
        let mut c = circle();
        c.assignee = Some(person(3, true));
        assert_eq!(recipients(Event::SlaWarning, &c, None), [3]);
        assert_eq!(recipients(Event::SlaBreach, &c, None), [3, 4]);
        // The group's named manager, a member or not, hears of escalations
        // only, and once.
        c.group_manager = Some(person(8, true));
        assert_eq!(recipients(Event::SlaBreach, &c, None), [3, 4, 8]);
        assert_eq!(recipients(Event::RecordOverdue, &c, None), [3, 4, 8]);
        assert_eq!(recipients(Event::SlaWarning, &c, None), [3]);
        c.assignee = None;
        assert_eq!(recipients(Event::IncidentCreated, &c, Some(1)), [2, 3, 4]);
        c.group_manager = Some(person(4, true));
        assert_eq!(recipients(Event::SlaBreach, &c, None), [2, 3, 4]);
    }

    #[test]
    fn muted_and_inactive_people_are_skipped() {
        let mut c = circle();
        c.group[0].muted = vec![Event::IncidentCreated];
        c.group[1].active = false;
        assert_eq!(recipients(Event::IncidentCreated, &c, None), [1, 4]);
    }

    #[test]
    fn events_of_changes() {
        let new = Snapshot {
            state: IncidentState::New,
            assignee_id: None,
        };
        assert_eq!(events(None, new), [Event::IncidentCreated]);
        let assigned = Snapshot {
            assignee_id: Some(3),
            ..new
        };
        assert_eq!(events(Some(new), assigned), [Event::IncidentAssigned]);
        let resolved = Snapshot {
            state: IncidentState::Resolved,
            ..assigned
        };
        assert_eq!(events(Some(assigned), resolved), [Event::IncidentResolved]);
        assert!(events(Some(resolved), resolved).is_empty());
    }
}
