//! The clocks' rules, case by case.

use std::collections::HashMap;

use jiff::Timestamp;

use super::*;
use crate::UtcMillis;
use crate::agreement::Candidate;
use crate::agreement::Target;
use crate::calendar::Calendar;
use crate::calendar::CalendarSpec;
use crate::incident::{HoldReason, IncidentState};
use std::collections::BTreeMap;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

#[test]
fn durations_read_as_people_say_them() {
    assert_eq!(minutes_text(35), "35 min");
    assert_eq!(minutes_text(-5), "-5 min");
    assert_eq!(minutes_text(135), "2 h 15 min");
    assert_eq!(minutes_text(47 * 60 + 59), "47 h 59 min");
    assert_eq!(minutes_text(2 * 1440), "2 d");
    assert_eq!(minutes_text(2072 * 60 + 22), "86 d 8 h");
    assert_eq!(minutes_text(-(3 * 1440 + 4 * 60 + 10)), "-3 d 4 h");
}

fn terms(cal: Calendar) -> SlaTerms {
    let mut targets = BTreeMap::new();
    for p in 1..=5u8 {
        targets.insert(
            p,
            Target {
                response_minutes: 30 * i64::from(p),
                resolution_minutes: 240 * i64::from(p),
            },
        );
    }
    SlaTerms {
        candidates: vec![Candidate {
            number: "SLA-0001".into(),
            org_id: Some(7),
            service_ids: vec![],
            agreed: true,
            valid_from: "2020-01-01".parse().unwrap(),
            valid_to: None,
            targets,
        }],
        olas: HashMap::new(),
        terms: HashMap::from([("SLA-0001".to_owned(), (1, 75))]),
        calendars: HashMap::from([(1, cal)]),
    }
}

fn always() -> SlaTerms {
    terms(Calendar::always("UTC").unwrap())
}

fn office() -> SlaTerms {
    let spec: CalendarSpec = serde_json::from_value(serde_json::json!({
        "name": "Office",
        "time_zone": "Europe/Berlin",
        "week": {"monday": ["09:00-17:00"], "tuesday": ["09:00-17:00"],
                 "wednesday": ["09:00-17:00"], "thursday": ["09:00-17:00"],
                 "friday": ["09:00-17:00"]}
    }))
    .unwrap();
    terms(spec.check().unwrap())
}

fn at(s: &str) -> UtcMillis {
    s.parse::<Timestamp>().unwrap().as_millisecond()
}

fn facts(opened: UtcMillis) -> CaseFacts {
    CaseFacts {
        org_id: 7,
        service_id: 1,
        priority: 2,
        state: IncidentState::New,
        hold_reason: None,
        opened_at: opened,
        first_response_at: None,
        resolved_at: None,
        group_id: None,
        assignee_id: None,
    }
}

fn clock(a: &Advance, kind: ClockKind) -> &SlaClock {
    a.clocks
        .iter()
        .find(|c| c.kind == kind && c.group.is_none())
        .unwrap()
}

fn ola_clock(a: &Advance, kind: ClockKind, group: i64) -> &SlaClock {
    a.clocks
        .iter()
        .find(|c| c.kind == kind && c.group == Some(group))
        .unwrap()
}

/// The SLA, and OLA-0001 for group 10 (P2: respond in 20 min, resolve in
/// 2 h; P1: half that) and OLA-0002 for group 20 (P2: 40 min, 4 h; P1:
/// half), on every minute.
fn with_olas() -> SlaTerms {
    let mut t = always();
    for (number, group, mult) in [("OLA-0001", 10, 1), ("OLA-0002", 20, 2)] {
        let targets = BTreeMap::from([
            (
                2u8,
                Target {
                    response_minutes: 20 * mult,
                    resolution_minutes: 120 * mult,
                },
            ),
            (
                1u8,
                Target {
                    response_minutes: 10 * mult,
                    resolution_minutes: 60 * mult,
                },
            ),
        ]);
        t.olas.insert(
            group,
            vec![Candidate {
                number: number.into(),
                org_id: None,
                service_ids: vec![],
                agreed: true,
                valid_from: "2020-01-01".parse().unwrap(),
                valid_to: None,
                targets,
            }],
        );
        t.terms.insert(number.to_owned(), (1, 75));
    }
    t
}

#[test]
fn a_group_gets_its_ola_clocks_from_when_it_holds_the_incident() {
    let t = with_olas();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    // Opened without a group: the SLA's clocks only.
    let a = advance(&t, &f, &[], t0);
    assert_eq!(a.clocks.len(), 2);
    // Group 10 gets it at +30 min: its clocks start then, not at opening.
    f.group_id = Some(10);
    let a = advance(&t, &f, &a.clocks, t0 + 30 * MIN);
    let r = ola_clock(&a, ClockKind::Response, 10);
    assert_eq!(r.agreement, "OLA-0001");
    assert_eq!(r.running_since, Some(t0 + 30 * MIN));
    assert_eq!(r.due_at, Some(t0 + 50 * MIN));
    assert_eq!(
        ola_clock(&a, ClockKind::Resolution, 10).due_at,
        Some(t0 + 150 * MIN)
    );
    assert!(
        a.changes
            .iter()
            .any(|(f, was, now)| f == "ola_response_target"
                && was == "no agreement applied"
                && now == "OLA-0001 P2: 20 min")
    );
    // Someone in the group takes it at +40 min: the group's response is met.
    f.assignee_id = Some(5);
    f.state = IncidentState::InProgress;
    let a = advance(&t, &f, &a.clocks, t0 + 40 * MIN);
    let r = ola_clock(&a, ClockKind::Response, 10);
    assert_eq!((r.status, r.met()), (ClockStatus::Stopped, Some(true)));
    assert_eq!(r.elapsed_ms, 10 * MIN);
    assert_eq!(a.intervals[0].group, Some(10));
    assert_eq!(a.intervals[0].ended_by, "taken");
    // The SLA's own response clock is not the group's: it still runs.
    assert_eq!(clock(&a, ClockKind::Response).status, ClockStatus::Running);
    // Handed over to group 20 at +3 h: group 10 stops past its 2 h target
    // (missed); group 20's clocks start.
    f.group_id = Some(20);
    f.assignee_id = None;
    let a = advance(&t, &f, &a.clocks, t0 + 3 * HOUR);
    let s = ola_clock(&a, ClockKind::Resolution, 10);
    assert_eq!(s.status, ClockStatus::Stopped);
    assert_eq!(s.elapsed_ms, 150 * MIN);
    assert_eq!(s.met(), Some(false));
    assert_eq!(
        a.intervals.last().map(|i| i.ended_by.as_str()),
        Some("handed over")
    );
    let s2 = ola_clock(&a, ClockKind::Resolution, 20);
    assert_eq!(
        (s2.agreement.as_str(), s2.status),
        ("OLA-0002", ClockStatus::Running)
    );
    assert_eq!(s2.due_at, Some(t0 + 7 * HOUR));
    // Group 20 waits on the customer for an hour: its part pauses.
    f.state = IncidentState::OnHold;
    f.hold_reason = Some(HoldReason::AwaitingCustomer);
    let a = advance(&t, &f, &a.clocks, t0 + 4 * HOUR);
    assert_eq!(
        ola_clock(&a, ClockKind::Resolution, 20).status,
        ClockStatus::Paused
    );
    // Back to group 10 at +5 h: its resolution clock resumes with the time
    // it had counted; group 20 stops within its target.
    f.state = IncidentState::InProgress;
    f.hold_reason = None;
    f.group_id = Some(10);
    let a = advance(&t, &f, &a.clocks, t0 + 5 * HOUR);
    let s = ola_clock(&a, ClockKind::Resolution, 10);
    assert_eq!(s.status, ClockStatus::Running);
    assert_eq!(s.elapsed_ms, 150 * MIN);
    assert_eq!(s.running_since, Some(t0 + 5 * HOUR));
    let s2 = ola_clock(&a, ClockKind::Resolution, 20);
    assert_eq!((s2.status, s2.met()), (ClockStatus::Stopped, Some(true)));
    assert_eq!(s2.elapsed_ms, HOUR);
    // Nobody in group 10 has taken it this time: its response runs again.
    assert_eq!(
        ola_clock(&a, ClockKind::Response, 10).status,
        ClockStatus::Running
    );
    // Resolved at +6 h: every running clock stops.
    f.state = IncidentState::Resolved;
    f.resolved_at = Some(t0 + 6 * HOUR);
    f.first_response_at = Some(t0 + 6 * HOUR);
    let a = advance(&t, &f, &a.clocks, t0 + 6 * HOUR);
    assert!(
        a.clocks
            .iter()
            .all(|c| matches!(c.status, ClockStatus::Stopped))
    );
    assert_eq!(
        ola_clock(&a, ClockKind::Resolution, 10).elapsed_ms,
        210 * MIN
    );
}

#[test]
fn a_group_without_an_ola_has_no_clock_and_a_cancelled_incident_cancels_the_groups() {
    let t = with_olas();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    f.group_id = Some(30);
    assert_eq!(advance(&t, &f, &[], t0).clocks.len(), 2);
    // Assigned on opening: the group's clocks start at opening, silently.
    f.group_id = Some(10);
    let a = advance(&t, &f, &[], t0);
    assert_eq!(a.clocks.len(), 4);
    assert!(a.changes.is_empty());
    f.state = IncidentState::Cancelled;
    let a = advance(&t, &f, &a.clocks, t0 + HOUR);
    assert!(a.clocks.iter().all(|c| c.status == ClockStatus::Cancelled));
}

#[test]
fn new_incident_gets_two_running_clocks_with_due_times() {
    let t0 = at("2026-06-01T08:00:00Z");
    let a = advance(&always(), &facts(t0), &[], t0);
    assert!(a.changes.is_empty() && a.intervals.is_empty());
    let r = clock(&a, ClockKind::Response);
    assert_eq!(r.status, ClockStatus::Running);
    assert_eq!(r.due_at, Some(t0 + 60 * MIN));
    assert_eq!(r.warn_at, Some(t0 + 45 * MIN));
    let s = clock(&a, ClockKind::Resolution);
    assert_eq!(s.due_at, Some(t0 + 8 * HOUR));
    assert_eq!(s.next_at(), Some(t0 + 6 * HOUR));
}

#[test]
fn no_agreement_no_clock() {
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    f.org_id = 8;
    assert!(advance(&always(), &f, &[], t0).clocks.is_empty());
}

#[test]
fn hold_awaiting_customer_pauses_and_resume_pushes_due_back() {
    let t = always();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    let a = advance(&t, &f, &[], t0);
    // Staff start work at +10 min: response met, resolution runs.
    f.state = IncidentState::InProgress;
    f.first_response_at = Some(t0 + 10 * MIN);
    let a = advance(&t, &f, &a.clocks, t0 + 10 * MIN);
    let r = clock(&a, ClockKind::Response);
    assert_eq!((r.status, r.met()), (ClockStatus::Stopped, Some(true)));
    assert_eq!(r.elapsed_ms, 10 * MIN);
    // On hold awaiting the customer for two hours.
    f.state = IncidentState::OnHold;
    f.hold_reason = Some(HoldReason::AwaitingCustomer);
    let a = advance(&t, &f, &a.clocks, t0 + HOUR);
    let s = clock(&a, ClockKind::Resolution);
    assert_eq!(s.status, ClockStatus::Paused);
    assert_eq!(s.elapsed_ms, HOUR);
    assert_eq!(s.due_at, None);
    assert_eq!(a.intervals[0].ended_by, "on hold: awaiting customer");
    f.state = IncidentState::InProgress;
    f.hold_reason = None;
    let a = advance(&t, &f, &a.clocks, t0 + 3 * HOUR);
    let s = clock(&a, ClockKind::Resolution);
    assert_eq!(s.due_at, Some(t0 + 10 * HOUR));
}

#[test]
fn awaiting_change_keeps_counting() {
    let t = always();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    let a = advance(&t, &f, &[], t0);
    f.state = IncidentState::OnHold;
    f.hold_reason = Some(HoldReason::AwaitingChange);
    f.first_response_at = Some(t0);
    let a = advance(&t, &f, &a.clocks, t0 + HOUR);
    assert_eq!(
        clock(&a, ClockKind::Resolution).status,
        ClockStatus::Running
    );
}

#[test]
fn resolve_late_is_missed_and_reopen_continues() {
    let t = always();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    let a = advance(&t, &f, &[], t0);
    f.state = IncidentState::Resolved;
    f.first_response_at = Some(t0 + 2 * HOUR);
    let a = advance(&t, &f, &a.clocks, t0 + 9 * HOUR);
    let r = clock(&a, ClockKind::Response);
    assert_eq!(r.standing(t0 + 9 * HOUR), Standing::Missed);
    // Breached when its due time passed (P2 response: 60 min).
    assert_eq!(r.breached_at, Some(t0 + HOUR));
    let s = clock(&a, ClockKind::Resolution);
    assert_eq!(s.standing(t0 + 9 * HOUR), Standing::Missed);
    assert_eq!(s.elapsed_ms, 9 * HOUR);
    // Reopened a day later: the clock runs again from the reopening.
    f.state = IncidentState::InProgress;
    let a = advance(&t, &f, &a.clocks, t0 + 33 * HOUR);
    let s = clock(&a, ClockKind::Resolution);
    assert_eq!(s.status, ClockStatus::Running);
    assert_eq!(s.running_since, Some(t0 + 33 * HOUR));
    assert_eq!(s.elapsed_at(&t.calendar(1), t0 + 34 * HOUR), 10 * HOUR);
    assert_eq!(s.standing(t0 + 34 * HOUR), Standing::Breached);
}

#[test]
fn priority_change_retargets_and_says_so() {
    let t = always();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    let a = advance(&t, &f, &[], t0);
    f.priority = 1;
    let a = advance(&t, &f, &a.clocks, t0 + HOUR);
    let s = clock(&a, ClockKind::Resolution);
    assert_eq!((s.priority, s.target_minutes), (1, 240));
    assert_eq!(s.due_at, Some(t0 + 4 * HOUR));
    let (field, was, now) = &a.changes[2];
    assert_eq!(field, "resolution_target");
    assert_eq!(was, "SLA-0001 P2: 8 h");
    assert_eq!(now, "SLA-0001 P1: 4 h");
    assert!(a.changes.iter().any(|c| c.0 == "resolution_due"));
}

#[test]
fn a_longer_target_takes_back_a_breach_not_yet_due() {
    let t = always();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    f.priority = 1;
    let a = advance(&t, &f, &[], t0);
    let mut clocks = a.clocks;
    for c in &mut clocks {
        fire(c, t0 + 5 * HOUR);
    }
    assert!(clocks.iter().all(|c| c.breached_at.is_some()));
    f.priority = 3;
    let a = advance(&t, &f, &clocks, t0 + 5 * HOUR);
    let s = clock(&a, ClockKind::Resolution);
    assert_eq!(s.breached_at, None);
    assert_eq!(s.due_at, Some(t0 + 12 * HOUR));
}

#[test]
fn a_clock_without_agreement_comes_back_when_one_applies() {
    let mut t = always();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    let a = advance(&t, &f, &[], t0);
    // P4 loses its target: the clocks are cancelled ...
    if let Some(c) = t.candidates.first_mut() {
        c.targets.remove(&4);
    }
    f.priority = 4;
    let b = advance(&t, &f, &a.clocks, t0 + HOUR);
    assert!(b.clocks.iter().all(|c| c.status == ClockStatus::Cancelled));
    // ... and come back, with the hour they counted, at P2 again.
    f.priority = 2;
    let c = advance(&t, &f, &b.clocks, t0 + 2 * HOUR);
    let s = clock(&c, ClockKind::Resolution);
    assert_eq!((s.status, s.elapsed_ms), (ClockStatus::Running, HOUR));
    assert_eq!(s.due_at, Some(t0 + 9 * HOUR));
}

#[test]
fn a_longer_target_takes_back_a_breach_while_paused() {
    let t = always();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    f.priority = 1;
    f.first_response_at = Some(t0);
    let mut a = advance(&t, &f, &[], t0).clocks;
    for c in &mut a {
        fire(c, t0 + 5 * HOUR);
    }
    f.state = IncidentState::OnHold;
    f.hold_reason = Some(HoldReason::AwaitingCustomer);
    let b = advance(&t, &f, &a, t0 + 5 * HOUR);
    assert!(clock(&b, ClockKind::Resolution).breached_at.is_some());
    f.priority = 3;
    let c = advance(&t, &f, &b.clocks, t0 + 6 * HOUR);
    let s = clock(&c, ClockKind::Resolution);
    assert_eq!((s.status, s.breached_at), (ClockStatus::Paused, None));
}

#[test]
fn stopped_after_the_due_time_is_missed_even_outside_working_hours() {
    // Office hours 09-17 Berlin; opened 07:00, P2 resolution 8 h: due 17:00.
    let t = office();
    let t0 = at("2026-06-01T05:00:00Z");
    let mut f = facts(t0);
    let a = advance(&t, &f, &[], t0);
    assert_eq!(
        clock(&a, ClockKind::Resolution).due_at,
        Some(at("2026-06-01T15:00:00Z"))
    );
    // Resolved at 17:30 local: no business time after 17:00, but past due.
    f.state = IncidentState::Resolved;
    f.first_response_at = Some(t0);
    f.resolved_at = Some(at("2026-06-01T15:30:00Z"));
    let b = advance(&t, &f, &a.clocks, at("2026-06-01T15:30:00Z"));
    let s = clock(&b, ClockKind::Resolution);
    assert_eq!(s.elapsed_ms, 8 * HOUR);
    assert_eq!(s.met(), Some(false));
    assert_eq!(s.standing(at("2026-06-01T16:00:00Z")), Standing::Missed);
}

#[test]
fn a_new_holiday_moves_the_due_time_and_takes_back_the_breach() {
    // Monday 1 June 09:00 Berlin (07:00 UTC), P2 resolution 8 h: due 17:00.
    let t = office();
    let t0 = at("2026-06-01T07:00:00Z");
    let mut f = facts(t0);
    f.first_response_at = Some(t0);
    let mut a = advance(&t, &f, &[], t0).clocks;
    let late = at("2026-06-01T15:30:00Z");
    for c in &mut a {
        fire(c, late);
    }
    assert!(
        a.iter()
            .all(|c| c.breached_at.is_some() || c.status != ClockStatus::Running)
    );
    // 1 June was a holiday after all.
    let mut spec: CalendarSpec = serde_json::from_value(serde_json::json!({
        "name": "Office", "time_zone": "Europe/Berlin",
        "week": {"monday": ["09:00-17:00"], "tuesday": ["09:00-17:00"]},
        "holidays": [{"date": "2026-06-01", "name": "Whit Monday"}]
    }))
    .unwrap();
    spec.name = "Office".into();
    let mut t2 = t.clone();
    t2.calendars.insert(1, spec.check().unwrap());
    let b = advance(&t2, &f, &a, late);
    let s = clock(&b, ClockKind::Resolution);
    assert_eq!(s.breached_at, None);
    assert_eq!(s.due_at, Some(at("2026-06-02T15:00:00Z")));
    assert!(
        b.changes.iter().any(|(f, ..)| f == "resolution_due"),
        "{:?}",
        b.changes
    );
}

#[test]
fn fire_warns_then_breaches_once() {
    let t = always();
    let t0 = at("2026-06-01T08:00:00Z");
    let a = advance(&t, &facts(t0), &[], t0);
    let mut c = clock(&a, ClockKind::Resolution).clone();
    assert!(fire(&mut c, t0 + HOUR).is_empty());
    assert_eq!(fire(&mut c, t0 + 6 * HOUR), [Crossed::Warning]);
    assert!(fire(&mut c, t0 + 7 * HOUR).is_empty());
    assert_eq!(c.next_at(), Some(t0 + 8 * HOUR));
    assert_eq!(fire(&mut c, t0 + 9 * HOUR), [Crossed::Breach]);
    assert_eq!(c.breached_at, Some(t0 + 8 * HOUR));
    assert!(fire(&mut c, t0 + 10 * HOUR).is_empty());
    assert_eq!(c.next_at(), None);
    // Found late: only the breach.
    let mut c = clock(&a, ClockKind::Resolution).clone();
    assert_eq!(fire(&mut c, t0 + 20 * HOUR), [Crossed::Breach]);
}

#[test]
fn report_months_cover_the_year_back_without_gaps() {
    let m = report_months("2026-03-15".parse().unwrap(), 4);
    let labels: Vec<&str> = m.iter().map(|(l, ..)| l.as_str()).collect();
    assert_eq!(labels, ["2025-12", "2026-01", "2026-02", "2026-03"]);
    assert_eq!(m[0].1, at("2025-12-01T00:00:00Z"));
    assert!(m.windows(2).all(|w| w[0].2 == w[1].1));
    assert_eq!(m[3].2, at("2026-04-01T00:00:00Z"));
}

#[test]
fn cancel_cancels_both() {
    let t = always();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    let a = advance(&t, &f, &[], t0);
    f.state = IncidentState::Cancelled;
    let a = advance(&t, &f, &a.clocks, t0 + HOUR);
    assert!(a.clocks.iter().all(|c| c.status == ClockStatus::Cancelled));
    assert!(a.clocks.iter().all(|c| c.next_at().is_none()));
}

#[test]
fn business_hours_count_in_the_calendar() {
    // Friday 16:00 Berlin (14:00 UTC), P2 response 60 business minutes:
    // 1 h on Friday until 17:00, so due then; resolution 8 h: Monday 16:00.
    let t = office();
    let t0 = at("2026-06-05T14:00:00Z");
    let a = advance(&t, &facts(t0), &[], t0);
    assert_eq!(
        clock(&a, ClockKind::Response).due_at,
        Some(at("2026-06-05T15:00:00Z"))
    );
    assert_eq!(
        clock(&a, ClockKind::Resolution).due_at,
        Some(at("2026-06-08T14:00:00Z"))
    );
    // Paused over the weekend: nothing counted on Saturday.
    let mut f = facts(t0);
    f.state = IncidentState::OnHold;
    f.hold_reason = Some(HoldReason::AwaitingSupplier);
    f.first_response_at = Some(t0);
    let b = advance(&t, &f, &a.clocks, at("2026-06-05T14:30:00Z"));
    f.state = IncidentState::InProgress;
    f.hold_reason = None;
    let c = advance(&t, &f, &b.clocks, at("2026-06-06T10:00:00Z"));
    let s = clock(&c, ClockKind::Resolution);
    assert_eq!(s.elapsed_ms, 30 * MIN);
    assert_eq!(s.due_at, Some(at("2026-06-08T14:30:00Z")));
}

proptest::proptest! {
    /// Pausing never brings the resolution due time forward.
    #[test]
    fn pausing_never_shortens(pause_at in 0i64..600, pause_for in 0i64..3000) {
        let t = office();
        let t0 = at("2026-06-01T07:00:00Z");
        let mut f = facts(t0);
        let a = advance(&t, &f, &[], t0);
        let due0 = clock(&a, ClockKind::Resolution).due_at.unwrap();
        f.first_response_at = Some(t0);
        f.state = IncidentState::OnHold;
        f.hold_reason = Some(HoldReason::AwaitingCustomer);
        let p = t0 + pause_at * MIN;
        let b = advance(&t, &f, &a.clocks, p);
        f.state = IncidentState::InProgress;
        f.hold_reason = None;
        let c = advance(&t, &f, &b.clocks, p + pause_for * MIN);
        let s = clock(&c, ClockKind::Resolution);
        proptest::prop_assert!(s.due_at.unwrap() >= due0);
        // Counted plus left always makes the target.
        let left = t.calendar(1).seconds_between(
            Timestamp::from_millisecond(s.running_since.unwrap()).unwrap(),
            Timestamp::from_millisecond(s.due_at.unwrap()).unwrap(),
        ) * 1000;
        proptest::prop_assert_eq!(s.elapsed_ms + left, s.target_ms());
    }
}

#[test]
fn a_groups_clocks_follow_the_priority_under_their_own_names_even_while_stopped() {
    let t = with_olas();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    f.group_id = Some(10);
    let a = advance(&t, &f, &[], t0);
    // P1 at +5 min: the group's due times move, named as the group's.
    f.priority = 1;
    let a = advance(&t, &f, &a.clocks, t0 + 5 * MIN);
    assert_eq!(
        ola_clock(&a, ClockKind::Resolution, 10).due_at,
        Some(t0 + HOUR)
    );
    let fields: Vec<&str> = a.changes.iter().map(|(f, ..)| f.as_str()).collect();
    assert!(fields.contains(&"ola_resolution_due"), "{fields:?}");
    assert_eq!(
        fields.iter().filter(|f| **f == "resolution_due").count(),
        1,
        "the SLA's own, once: {fields:?}"
    );
    // Handed to group 20 at +10 min; back to P2 while group 20 holds it;
    // back to group 10 at +20 min: it resumes against the P2 target.
    f.group_id = Some(20);
    let a = advance(&t, &f, &a.clocks, t0 + 10 * MIN);
    f.priority = 2;
    let a = advance(&t, &f, &a.clocks, t0 + 15 * MIN);
    assert_eq!(ola_clock(&a, ClockKind::Resolution, 10).priority, 1);
    f.group_id = Some(10);
    let a = advance(&t, &f, &a.clocks, t0 + 20 * MIN);
    let s = ola_clock(&a, ClockKind::Resolution, 10);
    assert_eq!((s.priority, s.target_minutes), (2, 120));
    assert_eq!(s.due_at, Some(t0 + 20 * MIN + 110 * MIN));
    assert!(
        a.changes
            .iter()
            .any(|(f, was, now)| f == "ola_resolution_target"
                && was == "OLA-0001 P1: 1 h"
                && now == "OLA-0001 P2: 2 h"),
        "{:?}",
        a.changes
    );
}

#[test]
fn unassigning_within_the_group_does_not_start_its_response_again() {
    let t = with_olas();
    let t0 = at("2026-06-01T08:00:00Z");
    let mut f = facts(t0);
    f.group_id = Some(10);
    let a = advance(&t, &f, &[], t0);
    f.assignee_id = Some(5);
    let a = advance(&t, &f, &a.clocks, t0 + 5 * MIN);
    f.assignee_id = None;
    let a = advance(&t, &f, &a.clocks, t0 + 10 * MIN);
    let r = ola_clock(&a, ClockKind::Response, 10);
    assert_eq!((r.status, r.elapsed_ms), (ClockStatus::Stopped, 5 * MIN));
    // Away and back unassigned: a new wait to be taken, on the same clock.
    f.group_id = Some(20);
    let a = advance(&t, &f, &a.clocks, t0 + 20 * MIN);
    f.group_id = Some(10);
    let a = advance(&t, &f, &a.clocks, t0 + 30 * MIN);
    let r = ola_clock(&a, ClockKind::Response, 10);
    assert_eq!(r.status, ClockStatus::Running);
    assert_eq!(r.running_since, Some(t0 + 30 * MIN));
}
