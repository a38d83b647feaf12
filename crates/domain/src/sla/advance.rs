//! [`advance`]: one rule brings every clock of an incident to where its
//! facts say it must be after a change.

use std::collections::HashMap;

use super::*;
use crate::UtcMillis;
use crate::agreement::{self, Applies, Candidate};
use crate::calendar::Calendar;
use crate::incident::{HoldReason, IncidentState};

/// What the clocks need to know of an incident, after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub org_id: i64,
    pub service_id: i64,
    pub priority: u8,
    pub state: IncidentState,
    pub hold_reason: Option<HoldReason>,
    pub opened_at: UtcMillis,
    pub first_response_at: Option<UtcMillis>,
    pub resolved_at: Option<UtcMillis>,
    /// The assignment group holding the incident, whose OLA clocks run.
    pub group_id: Option<i64>,
    /// Who in the group has taken it (stops the group's OLA response clock).
    pub assignee_id: Option<i64>,
}

impl CaseFacts {
    /// The same case as it was when opened.
    pub fn at_opening(&self) -> CaseFacts {
        CaseFacts {
            state: IncidentState::New,
            hold_reason: None,
            first_response_at: None,
            resolved_at: None,
            ..self.clone()
        }
    }
}

/// The agreements and calendars that clocks are measured with.
#[derive(Debug, Clone, Default)]
pub struct SlaTerms {
    /// The SLAs.
    pub candidates: Vec<Candidate>,
    /// The OLAs, per assignment group.
    pub olas: HashMap<i64, Vec<Candidate>>,
    /// Per agreement number (SLA or OLA): its calendar and warning percent.
    pub terms: HashMap<String, (i64, i64)>,
    pub calendars: HashMap<i64, Calendar>,
}

impl SlaTerms {
    /// The calendar of a clock; a deleted or unreadable one counts every minute.
    pub fn calendar(&self, id: i64) -> Calendar {
        self.calendars
            .get(&id)
            .cloned()
            .unwrap_or_else(Calendar::always_utc)
    }
}

/// The clocks after a change, the intervals it closed, and what changed in
/// words for the history (`field`, before, after).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Advance {
    pub clocks: Vec<SlaClock>,
    pub intervals: Vec<ClockInterval>,
    pub changes: Vec<(String, String, String)>,
}

/// How a clock should stand given the incident's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Run,
    Pause(&'static str),
    Stop(&'static str, UtcMillis),
    Cancel,
}

/// `taken`: a group's response clock already stopped while the group kept
/// the incident (someone took it; unassigning does not start it again).
fn wanted(
    kind: ClockKind,
    group: Option<i64>,
    taken: bool,
    f: &CaseFacts,
    now: UtcMillis,
) -> Wanted {
    use IncidentState::*;
    if f.state == Cancelled {
        return Wanted::Cancel;
    }
    // A group's part ends when another group takes the incident over, and
    // comes back (with the time it counted) if the incident returns.
    if let Some(g) = group
        && f.group_id != Some(g)
    {
        return Wanted::Stop("handed over", now);
    }
    match (kind, group) {
        (ClockKind::Response, None) => match f.first_response_at {
            Some(at) => Wanted::Stop("first response", at),
            None => Wanted::Run,
        },
        // The group responds by naming who works on it.
        (ClockKind::Response, Some(_)) => match (f.state, f.assignee_id) {
            (Resolved | Closed, _) => Wanted::Stop("resolved", f.resolved_at.unwrap_or(now)),
            (_, Some(_)) => Wanted::Stop("taken", now),
            (_, None) if taken => Wanted::Stop("taken", now),
            (_, None) => Wanted::Run,
        },
        (ClockKind::Resolution, _) => match (f.state, f.hold_reason) {
            (Resolved | Closed, _) => Wanted::Stop("resolved", f.resolved_at.unwrap_or(now)),
            (OnHold, Some(HoldReason::AwaitingCustomer)) => {
                Wanted::Pause("on hold: awaiting customer")
            }
            (OnHold, Some(HoldReason::AwaitingSupplier)) => {
                Wanted::Pause("on hold: awaiting supplier")
            }
            _ => Wanted::Run,
        },
    }
}

/// Brings the clocks of an incident to where its facts say they must be at
/// `now`. `before` holds the clocks as stored (none for a new incident).
///
/// The SLA's response and resolution clocks measure the provider's service
/// to the customer. Besides, each assignment group that holds the incident
/// and has an OLA gets its own pair, measuring its part: the response clock
/// runs until someone in the group takes the incident, the resolution clock
/// until the group hands it over or resolves it (pausing as the SLA's does).
pub fn advance(
    terms: &SlaTerms,
    facts: &CaseFacts,
    before: &[SlaClock],
    now: UtcMillis,
) -> Advance {
    let mut out = Advance::default();
    let day = day_of(facts.opened_at);
    let applicable = |candidates: &[Candidate]| {
        agreement::applicable(
            candidates,
            facts.org_id,
            facts.service_id,
            facts.priority,
            day,
        )
    };
    let sla = applicable(&terms.candidates);
    let at = At {
        terms,
        facts,
        fresh: before.is_empty(),
        now,
    };
    for kind in ClockKind::ALL {
        let old = before.iter().find(|c| c.kind == kind && c.group.is_none());
        at.step((kind, None), old, sla.as_ref(), false, &mut out);
    }
    let mut groups: Vec<i64> = before.iter().filter_map(|c| c.group).collect();
    groups.extend(facts.group_id);
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        let ola = terms.olas.get(&g).and_then(|c| applicable(c));
        // The group kept the incident since the last change: its part runs.
        let held = before.iter().any(|c| {
            c.group == Some(g)
                && c.kind == ClockKind::Resolution
                && matches!(c.status, ClockStatus::Running | ClockStatus::Paused)
        });
        for kind in ClockKind::ALL {
            let old = before.iter().find(|c| c.kind == kind && c.group == Some(g));
            // A group that no longer holds the incident gets no new clock.
            if old.is_none() && facts.group_id != Some(g) {
                continue;
            }
            at.step((kind, Some(g)), old, ola.as_ref(), held, &mut out);
        }
    }
    out
}

/// The moment clocks are brought to: the terms, the incident's facts, whether
/// it has no clocks yet, and now.
struct At<'a> {
    terms: &'a SlaTerms,
    facts: &'a CaseFacts,
    fresh: bool,
    now: UtcMillis,
}

impl At<'_> {
    /// Brings one clock (`kind`, and `group` for an OLA's) to where it must be.
    fn step(
        &self,
        (kind, group): (ClockKind, Option<i64>),
        old: Option<&SlaClock>,
        applies: Option<&Applies>,
        held: bool,
        out: &mut Advance,
    ) {
        let At {
            terms,
            facts,
            fresh,
            now,
        } = *self;
        let prefix = if group.is_some() { "ola_" } else { "" };
        let field = format!("{prefix}{}_target", kind.as_str());
        let due_field = format!("{prefix}{}_due", kind.as_str());
        let taken = held && old.is_some_and(|c| c.status == ClockStatus::Stopped);
        let want = wanted(kind, group, taken, facts, now);
        let mut clock = match (old, applies) {
            (None, None) => return,
            (Some(c), None) => {
                let mut c = c.clone();
                if matches!(c.status, ClockStatus::Running | ClockStatus::Paused) {
                    close(&mut c, terms, now, "no agreement applies any more", out);
                    c.status = ClockStatus::Cancelled;
                    c.stopped_at = Some(now);
                    out.changes
                        .push((field, target_text(&c), "no agreement applies".into()));
                }
                c.schedule(&terms.calendar(c.calendar_id));
                out.clocks.push(c);
                return;
            }
            (None, Some(a)) => {
                let (calendar_id, warn_percent) =
                    terms.terms.get(&a.number).copied().unwrap_or((0, 75));
                // The SLA counts from opening, a group's part from when it
                // got the incident.
                let since = if group.is_some() {
                    now
                } else {
                    facts.opened_at
                };
                let c = SlaClock {
                    kind,
                    group,
                    agreement: a.number.clone(),
                    calendar_id,
                    priority: facts.priority,
                    target_minutes: kind.target(a.target),
                    warn_percent,
                    status: ClockStatus::Running,
                    elapsed_ms: 0,
                    running_since: Some(since),
                    due_at: None,
                    warn_at: None,
                    warned_at: None,
                    breached_at: None,
                    stopped_at: None,
                };
                if !fresh || facts.opened_at != now {
                    out.changes
                        .push((field, "no agreement applied".into(), target_text(&c)));
                }
                c
            }
            (Some(c), Some(a)) => {
                let mut c = c.clone();
                // A clock cancelled because no agreement applied comes back
                // when one does again, with the time it had counted.
                if c.status == ClockStatus::Cancelled && facts.state != IncidentState::Cancelled {
                    c.status = ClockStatus::Paused;
                    c.stopped_at = None;
                    out.changes.push((
                        field.clone(),
                        "no agreement applied".into(),
                        target_text(&c),
                    ));
                }
                let (calendar_id, warn_percent) = terms
                    .terms
                    .get(&a.number)
                    .copied()
                    .unwrap_or((c.calendar_id, c.warn_percent));
                let target = kind.target(a.target);
                // A stopped clock about to run again (a reopen, a group
                // getting the incident back) is measured against today's
                // target too.
                let live = matches!(c.status, ClockStatus::Running | ClockStatus::Paused)
                    || (c.status == ClockStatus::Stopped
                        && matches!(want, Wanted::Run | Wanted::Pause(_)));
                if live
                    && (c.agreement != a.number
                        || c.target_minutes != target
                        || c.calendar_id != calendar_id
                        || c.priority != facts.priority)
                {
                    let was = target_text(&c);
                    let was_due = c.due_at;
                    // Time counted so far is measured on the old calendar.
                    if c.calendar_id != calendar_id && c.status == ClockStatus::Running {
                        close(&mut c, terms, now, "the agreement changed", out);
                        c.running_since = Some(now);
                    }
                    c.agreement = a.number.clone();
                    c.priority = facts.priority;
                    c.target_minutes = target;
                    c.calendar_id = calendar_id;
                    c.warn_percent = warn_percent;
                    take_back(&mut c, &terms.calendar(calendar_id), now);
                    c.schedule(&terms.calendar(c.calendar_id));
                    out.changes.push((field, was, target_text(&c)));
                    if was_due != c.due_at {
                        out.changes.push((
                            due_field.clone(),
                            instant_text(was_due),
                            instant_text(c.due_at),
                        ));
                    }
                }
                c
            }
        };
        bring(&mut clock, want, old, &due_field, terms, now, out);
        out.clocks.push(clock);
    }
}

/// Brings `clock` (as it was: `old`) to `want` at `now`: closes the running
/// interval when it pauses, stops or is cancelled, marks a late stop
/// breached, and schedules its due and warning times; names a due time the
/// calendar moved (`due_field`) unless a change named it already.
fn bring(
    clock: &mut SlaClock,
    want: Wanted,
    old: Option<&SlaClock>,
    due_field: &str,
    terms: &SlaTerms,
    now: UtcMillis,
    out: &mut Advance,
) {
    let cal = terms.calendar(clock.calendar_id);
    match (clock.status, want) {
        (ClockStatus::Running, Wanted::Run)
        | (ClockStatus::Paused, Wanted::Pause(_))
        | (ClockStatus::Stopped, Wanted::Stop(..))
        | (ClockStatus::Cancelled, _) => {}
        (ClockStatus::Running, Wanted::Pause(why)) => {
            close(clock, terms, now, why, out);
            clock.status = ClockStatus::Paused;
        }
        (ClockStatus::Running, Wanted::Stop(why, at)) => {
            // Stopped after its due time: breached, whether or not the
            // sweep got there first.
            if clock.breached_at.is_none() && clock.due_at.is_some_and(|d| at > d) {
                clock.breached_at = clock.due_at;
            }
            close(clock, terms, at, why, out);
            clock.status = ClockStatus::Stopped;
            clock.stopped_at = Some(at);
        }
        (ClockStatus::Paused, Wanted::Stop(_, at)) => {
            clock.status = ClockStatus::Stopped;
            clock.stopped_at = Some(at);
        }
        (ClockStatus::Paused | ClockStatus::Stopped, Wanted::Run) => {
            clock.status = ClockStatus::Running;
            clock.running_since = Some(now);
            clock.stopped_at = None;
        }
        (ClockStatus::Stopped, Wanted::Pause(_)) => {
            clock.status = ClockStatus::Paused;
            clock.stopped_at = None;
        }
        (ClockStatus::Running, Wanted::Cancel) => {
            close(clock, terms, now, "cancelled", out);
            clock.status = ClockStatus::Cancelled;
            clock.stopped_at = Some(now);
        }
        (ClockStatus::Paused | ClockStatus::Stopped, Wanted::Cancel) => {
            clock.status = ClockStatus::Cancelled;
            clock.stopped_at = Some(now);
        }
    }
    if clock.status == ClockStatus::Stopped
        && clock.breached_at.is_none()
        && clock.elapsed_ms > clock.target_ms()
    {
        clock.breached_at = clock.stopped_at;
    }
    take_back(clock, &cal, now);
    clock.schedule(&cal);
    // The calendar itself changed (a holiday added, hours moved): say
    // where the due time went, unless the target change said it already.
    if let Some(o) = old
        && o.status == ClockStatus::Running
        && clock.status == ClockStatus::Running
        && o.due_at != clock.due_at
        && !out.changes.iter().any(|(f, ..)| f == due_field)
    {
        out.changes.push((
            due_field.to_owned(),
            instant_text(o.due_at),
            instant_text(clock.due_at),
        ));
    }
}

/// Takes back a warning or breach that a live clock's counted time no longer
/// reaches (a longer target, a calendar with more holidays).
fn take_back(c: &mut SlaClock, cal: &Calendar, now: UtcMillis) {
    if !matches!(c.status, ClockStatus::Running | ClockStatus::Paused) {
        return;
    }
    let counted = c.elapsed_at(cal, now);
    if counted < c.target_ms() {
        c.breached_at = None;
    }
    if counted < c.warn_point_ms() {
        c.warned_at = None;
    }
}

/// Closes the running interval of `c` at `at`, adding its business time.
fn close(c: &mut SlaClock, terms: &SlaTerms, at: UtcMillis, why: &str, out: &mut Advance) {
    let Some(since) = c.running_since.take() else {
        return;
    };
    let at = at.max(since);
    let ms = business_ms(&terms.calendar(c.calendar_id), since, at);
    c.elapsed_ms += ms;
    out.intervals.push(ClockInterval {
        kind: c.kind,
        group: c.group,
        started_at: since,
        ended_at: at,
        business_ms: ms,
        ended_by: why.to_owned(),
    });
}

/// What a request's fulfilment clock is measured against: its offering's
/// target in business minutes on the offering's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfilmentTarget {
    /// The offering's number, which the clock names as its agreement.
    pub offering: String,
    pub calendar_id: i64,
    pub target_minutes: i64,
    pub warn_percent: i64,
    pub priority: u8,
}

/// Brings a request's fulfilment clock (`before`, if it has one) to where
/// its state says at `now`. The clock starts when the request enters
/// fulfilment (approval time is the approvers', not the provider's), stops
/// when it is fulfilled and is cancelled with the request. It is the
/// kernel's resolution clock, so sweeps, warnings, breaches and reports
/// treat it as every other clock.
pub fn fulfilment(
    terms: &SlaTerms,
    target: &FulfilmentTarget,
    before: Option<&SlaClock>,
    state: crate::request::RequestState,
    now: UtcMillis,
) -> Advance {
    use crate::request::RequestState::*;
    let mut out = Advance::default();
    let want = match state {
        AwaitingApproval => return out,
        InFulfilment => Wanted::Run,
        Fulfilled => Wanted::Stop("fulfilled", now),
        Rejected | Cancelled => Wanted::Cancel,
    };
    let mut clock = match before {
        Some(c) => c.clone(),
        None if want == Wanted::Run => {
            let c = SlaClock {
                kind: ClockKind::Resolution,
                group: None,
                agreement: target.offering.clone(),
                calendar_id: target.calendar_id,
                priority: target.priority,
                target_minutes: target.target_minutes,
                warn_percent: target.warn_percent,
                status: ClockStatus::Paused,
                elapsed_ms: 0,
                running_since: None,
                due_at: None,
                warn_at: None,
                warned_at: None,
                breached_at: None,
                stopped_at: None,
            };
            out.changes
                .push(("fulfilment_target".into(), String::new(), target_text(&c)));
            c
        }
        None => return out,
    };
    let old = before.cloned();
    bring(
        &mut clock,
        want,
        old.as_ref(),
        "fulfilment_due",
        terms,
        now,
        &mut out,
    );
    if before != Some(&clock) {
        out.clocks.push(clock);
    }
    out
}

#[cfg(test)]
mod fulfilment_tests {
    use super::*;
    use crate::request::RequestState;

    #[test]
    fn a_fulfilment_clock_runs_from_approval_to_fulfilment() {
        let terms = SlaTerms::default();
        let t = FulfilmentTarget {
            offering: "OFR-0001".into(),
            calendar_id: 0,
            target_minutes: 60,
            warn_percent: 75,
            priority: 3,
        };
        let none = fulfilment(&terms, &t, None, RequestState::AwaitingApproval, 0);
        assert!(none.clocks.is_empty());
        let started = fulfilment(&terms, &t, None, RequestState::InFulfilment, 1_000);
        let c = &started.clocks[0];
        assert_eq!(c.status, ClockStatus::Running);
        assert_eq!(c.due_at, Some(1_000 + 3_600_000));
        let same = fulfilment(&terms, &t, Some(c), RequestState::InFulfilment, 2_000);
        assert!(same.clocks.is_empty());
        let late = fulfilment(&terms, &t, Some(c), RequestState::Fulfilled, 4_000_000);
        let d = &late.clocks[0];
        assert_eq!(d.status, ClockStatus::Stopped);
        assert_eq!(d.breached_at, Some(1_000 + 3_600_000));
        assert_eq!(late.intervals[0].ended_by, "fulfilled");
        let gone = fulfilment(&terms, &t, Some(c), RequestState::Cancelled, 5_000);
        assert_eq!(gone.clocks[0].status, ClockStatus::Cancelled);
    }
}
