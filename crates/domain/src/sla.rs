//! SLA clocks: the response and resolution clocks of an incident, measured in
//! business time on the agreement's calendar.
//!
//! One rule moves the clocks: [`advance`] looks at the incident as it is after
//! a change (state, hold reason, first response, priority, service) and
//! brings each clock to where it must be, closing the running interval when a
//! clock pauses or stops. Every closed interval is kept, so the time a clock
//! counted can be shown interval by interval. [`fire`] tells when a running
//! clock crosses its warning point or its due time.
//!
//! - Response: runs from opening until the first response (a public reply or
//!   a step by the provider's staff). It does not pause.
//! - Resolution: runs from opening until resolved; pauses while the incident
//!   is on hold awaiting the customer or a supplier (not awaiting a change,
//!   which is the provider's own work); starts again on reopen, keeping the
//!   time already counted.
//! - A change of priority or service may change the agreement or the target
//!   that applies: the clock keeps the time it counted and is measured
//!   against the new target, and the change is named in the history.
//! - A cancelled incident's clocks are cancelled and count for nothing.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::UtcMillis;
use crate::agreement::{self, Candidate};
use crate::calendar::Calendar;
use crate::incident::{HoldReason, IncidentState};

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    Response,
    Resolution,
}

impl ClockKind {
    pub const ALL: [ClockKind; 2] = [ClockKind::Response, ClockKind::Resolution];

    pub const fn as_str(self) -> &'static str {
        match self {
            ClockKind::Response => "response",
            ClockKind::Resolution => "resolution",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            ClockKind::Response => "Response",
            ClockKind::Resolution => "Resolution",
        }
    }

    pub fn parse(s: &str) -> Option<ClockKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    fn target(self, t: agreement::Target) -> i64 {
        match self {
            ClockKind::Response => t.response_minutes,
            ClockKind::Resolution => t.resolution_minutes,
        }
    }
}

/// Whether a clock counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    Running,
    Paused,
    Stopped,
    Cancelled,
}

impl ClockStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            ClockStatus::Running => "running",
            ClockStatus::Paused => "paused",
            ClockStatus::Stopped => "stopped",
            ClockStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ClockStatus> {
        [
            ClockStatus::Running,
            ClockStatus::Paused,
            ClockStatus::Stopped,
            ClockStatus::Cancelled,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One clock of one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClock {
    pub kind: ClockKind,
    /// The agreement measured against, e.g. `SLA-0001`.
    pub agreement: String,
    pub calendar_id: i64,
    /// The priority whose target applies.
    pub priority: u8,
    pub target_minutes: i64,
    pub warn_percent: i64,
    pub status: ClockStatus,
    /// Business milliseconds counted in closed intervals.
    pub elapsed_ms: i64,
    /// Start of the open interval, while running.
    pub running_since: Option<UtcMillis>,
    /// While running: when the target is reached.
    pub due_at: Option<UtcMillis>,
    /// While running and not yet warned: when the warning point is reached.
    pub warn_at: Option<UtcMillis>,
    pub warned_at: Option<UtcMillis>,
    /// When the target was passed (the due time, or the stop of a late clock).
    pub breached_at: Option<UtcMillis>,
    pub stopped_at: Option<UtcMillis>,
}

impl SlaClock {
    pub fn target_ms(&self) -> i64 {
        self.target_minutes.saturating_mul(60_000)
    }

    /// Business milliseconds counted up to `now`.
    pub fn elapsed_at(&self, cal: &Calendar, now: UtcMillis) -> i64 {
        match (self.status, self.running_since) {
            (ClockStatus::Running, Some(since)) => {
                self.elapsed_ms + business_ms(cal, since, now.max(since))
            }
            _ => self.elapsed_ms,
        }
    }

    /// The next moment [`fire`] has something to say about this clock.
    pub fn next_at(&self) -> Option<UtcMillis> {
        if self.status != ClockStatus::Running {
            return None;
        }
        match (self.warned_at, self.breached_at) {
            (None, None) => self.warn_at.or(self.due_at),
            (Some(_), None) => self.due_at,
            _ => None,
        }
    }

    /// Whether a stopped clock met its target: it never ran past its due time.
    pub fn met(&self) -> Option<bool> {
        (self.status == ClockStatus::Stopped).then_some(self.breached_at.is_none())
    }

    /// The business time at which the warning is due.
    pub fn warn_point_ms(&self) -> i64 {
        self.target_ms() / 100 * self.warn_percent
    }

    /// Where the clock stands at `now`, in words people read on the incident.
    pub fn standing(&self, now: UtcMillis) -> Standing {
        match self.status {
            ClockStatus::Cancelled => Standing::Cancelled,
            ClockStatus::Stopped if self.met() == Some(true) => Standing::Met,
            ClockStatus::Stopped => Standing::Missed,
            ClockStatus::Paused => Standing::Paused,
            ClockStatus::Running => match (self.due_at, self.warn_at) {
                (Some(due), _) if now > due => Standing::Breached,
                (_, Some(warn)) if now >= warn => Standing::Warning,
                _ if self.breached_at.is_some() => Standing::Breached,
                _ if self.warned_at.is_some() => Standing::Warning,
                _ => Standing::Running,
            },
        }
    }

    /// Recomputes the due time and warning point of a running clock.
    fn schedule(&mut self, cal: &Calendar) {
        self.due_at = None;
        self.warn_at = None;
        let (ClockStatus::Running, Some(since)) = (self.status, self.running_since) else {
            return;
        };
        let left = self.target_ms() - self.elapsed_ms;
        self.due_at = Some(add_ms(cal, since, left));
        self.warn_at = Some(add_ms(cal, since, self.warn_point_ms() - self.elapsed_ms));
    }
}

/// A clock's standing at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Running,
    Warning,
    Breached,
    Paused,
    Met,
    Missed,
    Cancelled,
}

impl Standing {
    pub const fn as_str(self) -> &'static str {
        match self {
            Standing::Running => "running",
            Standing::Warning => "warning",
            Standing::Breached => "breached",
            Standing::Paused => "paused",
            Standing::Met => "met",
            Standing::Missed => "missed",
            Standing::Cancelled => "cancelled",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Standing::Running => "Running",
            Standing::Warning => "Warning",
            Standing::Breached => "Breached",
            Standing::Paused => "Paused",
            Standing::Met => "Met",
            Standing::Missed => "Missed",
            Standing::Cancelled => "Cancelled",
        }
    }
}

/// A closed interval in which a clock counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockInterval {
    pub kind: ClockKind,
    pub started_at: UtcMillis,
    pub ended_at: UtcMillis,
    pub business_ms: i64,
    /// Why it ended, in words.
    pub ended_by: String,
}

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

fn business_ms(cal: &Calendar, from: UtcMillis, to: UtcMillis) -> i64 {
    match (ts(from), ts(to)) {
        (Some(a), Some(b)) => cal.millis_between(a, b),
        _ => 0,
    }
}

/// The instant `ms` business milliseconds after `from`; far in the future
/// when the calendar has no working time left.
fn add_ms(cal: &Calendar, from: UtcMillis, ms: i64) -> UtcMillis {
    match ts(from) {
        Some(start) => cal
            .add_millis(start, ms)
            .map_or(NEVER, |t| t.as_millisecond()),
        None => from,
    }
}

/// A due time that never comes: the calendar has no working time left.
pub const NEVER: UtcMillis = 253_402_207_200_000; // 9999-12-30T22:00:00Z, jiff's last instant

fn ts(ms: UtcMillis) -> Option<Timestamp> {
    Timestamp::from_millisecond(ms).ok()
}

/// The `n` calendar months (UTC) ending with the month of `last`, oldest
/// first, as (`YYYY-MM`, first instant, first instant of the next month).
pub fn report_months(last: Date, n: u32) -> Vec<(String, UtcMillis, UtcMillis)> {
    let first = last.first_of_month();
    let ms = |d: Date| {
        d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_millisecond())
            .ok()
    };
    (0..n.clamp(1, 120))
        .rev()
        .filter_map(|k| {
            let start = first.checked_sub(jiff::Span::new().months(k)).ok()?;
            let end = start.checked_add(jiff::Span::new().months(1)).ok()?;
            Some((start.strftime("%Y-%m").to_string(), ms(start)?, ms(end)?))
        })
        .collect()
}

/// An instant as ISO 8601 UTC, for the history; empty for none.
pub fn instant_text(ms: Option<UtcMillis>) -> String {
    ms.and_then(ts).map(|t| t.to_string()).unwrap_or_default()
}

fn day_of(ms: UtcMillis) -> Date {
    ts(ms)
        .map(|t| jiff::ZonedDateTime::new(t, jiff::tz::TimeZone::UTC).date())
        .unwrap_or_default()
}

/// Minutes as people say them: "2 h 15 min", "-5 min"; from two days on in
/// days and hours ("3 d 4 h"), where minutes no longer matter.
pub fn minutes_text(m: i64) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let m = m.abs();
    if m >= 2 * 1440 {
        return match (m / 1440, m % 1440 / 60) {
            (d, 0) => format!("{sign}{d} d"),
            (d, h) => format!("{sign}{d} d {h} h"),
        };
    }
    match (m / 60, m % 60) {
        (0, m) => format!("{sign}{m} min"),
        (h, 0) => format!("{sign}{h} h"),
        (h, m) => format!("{sign}{h} h {m} min"),
    }
}

fn target_text(c: &SlaClock) -> String {
    format!(
        "{} P{}: {}",
        c.agreement,
        c.priority,
        minutes_text(c.target_minutes)
    )
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

/// What a clock crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossed {
    Warning,
    Breach,
}

impl Crossed {
    pub const fn as_str(self) -> &'static str {
        match self {
            Crossed::Warning => "warning",
            Crossed::Breach => "breach",
        }
    }
}

/// Marks what a running clock has crossed by `now`, each once: the warning
/// point, then the due time. A clock already past its due time when first
/// looked at is only breached; its warning is passed over.
pub fn fire(c: &mut SlaClock, now: UtcMillis) -> Vec<Crossed> {
    let mut crossed = Vec::new();
    if c.status != ClockStatus::Running {
        return crossed;
    }
    let due = c.due_at.is_some_and(|d| d < now);
    if c.warned_at.is_none() && c.warn_at.is_some_and(|w| w <= now) {
        c.warned_at = Some(now);
        if !due {
            crossed.push(Crossed::Warning);
        }
    }
    if c.breached_at.is_none() && due {
        c.breached_at = c.due_at;
        crossed.push(Crossed::Breach);
    }
    crossed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Target;
    use crate::calendar::CalendarSpec;
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
        }
    }

    fn clock(a: &Advance, kind: ClockKind) -> &SlaClock {
        a.clocks.iter().find(|c| c.kind == kind).unwrap()
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
}
