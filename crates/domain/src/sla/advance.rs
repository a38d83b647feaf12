//! [`advance`]: one rule brings every clock of an incident to where its
//! facts say it must be after a change.

use std::collections::HashMap;

use super::*;
use crate::UtcMillis;
use crate::agreement::{self, Candidate};
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
    pub candidates: Vec<Candidate>,
    /// Per agreement number: its calendar and warning percent.
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

fn wanted(kind: ClockKind, f: &CaseFacts, now: UtcMillis) -> Wanted {
    use IncidentState::*;
    if f.state == Cancelled {
        return Wanted::Cancel;
    }
    match kind {
        ClockKind::Response => match f.first_response_at {
            Some(at) => Wanted::Stop("first response", at),
            None => Wanted::Run,
        },
        ClockKind::Resolution => match (f.state, f.hold_reason) {
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
pub fn advance(
    terms: &SlaTerms,
    facts: &CaseFacts,
    before: &[SlaClock],
    now: UtcMillis,
) -> Advance {
    let mut out = Advance::default();
    let applies = agreement::applicable(
        &terms.candidates,
        facts.org_id,
        facts.service_id,
        facts.priority,
        day_of(facts.opened_at),
    );
    for kind in ClockKind::ALL {
        let old = before.iter().find(|c| c.kind == kind);
        let field = format!("{}_target", kind.as_str());
        let mut clock = match (old, &applies) {
            (None, None) => continue,
            (Some(c), None) => {
                let mut c = c.clone();
                if matches!(c.status, ClockStatus::Running | ClockStatus::Paused) {
                    close(
                        &mut c,
                        terms,
                        now,
                        "no agreement applies any more",
                        &mut out,
                    );
                    c.status = ClockStatus::Cancelled;
                    c.stopped_at = Some(now);
                    out.changes
                        .push((field, target_text(&c), "no agreement applies".into()));
                }
                c.schedule(&terms.calendar(c.calendar_id));
                out.clocks.push(c);
                continue;
            }
            (None, Some(a)) => {
                let (calendar_id, warn_percent) =
                    terms.terms.get(&a.number).copied().unwrap_or((0, 75));
                let c = SlaClock {
                    kind,
                    agreement: a.number.clone(),
                    calendar_id,
                    priority: facts.priority,
                    target_minutes: kind.target(a.target),
                    warn_percent,
                    status: ClockStatus::Running,
                    elapsed_ms: 0,
                    running_since: Some(facts.opened_at),
                    due_at: None,
                    warn_at: None,
                    warned_at: None,
                    breached_at: None,
                    stopped_at: None,
                };
                if !before.is_empty() || facts.opened_at != now {
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
                let live = matches!(c.status, ClockStatus::Running | ClockStatus::Paused);
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
                        close(&mut c, terms, now, "the agreement changed", &mut out);
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
                            format!("{}_due", kind.as_str()),
                            instant_text(was_due),
                            instant_text(c.due_at),
                        ));
                    }
                }
                c
            }
        };
        let cal = terms.calendar(clock.calendar_id);
        match (clock.status, wanted(kind, facts, now)) {
            (ClockStatus::Running, Wanted::Run)
            | (ClockStatus::Paused, Wanted::Pause(_))
            | (ClockStatus::Stopped, Wanted::Stop(..))
            | (ClockStatus::Cancelled, _) => {}
            (ClockStatus::Running, Wanted::Pause(why)) => {
                close(&mut clock, terms, now, why, &mut out);
                clock.status = ClockStatus::Paused;
            }
            (ClockStatus::Running, Wanted::Stop(why, at)) => {
                // Stopped after its due time: breached, whether or not the
                // sweep got there first.
                if clock.breached_at.is_none() && clock.due_at.is_some_and(|d| at > d) {
                    clock.breached_at = clock.due_at;
                }
                close(&mut clock, terms, at, why, &mut out);
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
                close(&mut clock, terms, now, "cancelled", &mut out);
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
        take_back(&mut clock, &cal, now);
        clock.schedule(&cal);
        // The calendar itself changed (a holiday added, hours moved): say
        // where the due time went, unless the target change said it already.
        if let Some(o) = old
            && o.status == ClockStatus::Running
            && clock.status == ClockStatus::Running
            && o.due_at != clock.due_at
            && !out
                .changes
                .iter()
                .any(|(f, ..)| f == &format!("{}_due", kind.as_str()))
        {
            out.changes.push((
                format!("{}_due", kind.as_str()),
                instant_text(o.due_at),
                instant_text(clock.due_at),
            ));
        }
        out.clocks.push(clock);
    }
    out
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
        started_at: since,
        ended_at: at,
        business_ms: ms,
        ended_by: why.to_owned(),
    });
}
