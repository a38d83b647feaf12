//! A clock and what it counts: its kind, status, due and warning times, its
//! standing at a moment, what it crossed ([`fire`]), and business time on
//! its calendar.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::UtcMillis;
use crate::agreement;
use crate::calendar::Calendar;

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

    pub(super) fn target(self, t: agreement::Target) -> i64 {
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

/// One clock of one incident: the SLA's, or an assignment group's OLA clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClock {
    pub kind: ClockKind,
    /// `None`: the SLA's clock; `Some(group)`: that assignment group's
    /// clock, measured against its OLA.
    pub group: Option<i64>,
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
    pub(super) fn schedule(&mut self, cal: &Calendar) {
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
    pub group: Option<i64>,
    pub started_at: UtcMillis,
    pub ended_at: UtcMillis,
    pub business_ms: i64,
    /// Why it ended, in words.
    pub ended_by: String,
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

pub(super) fn business_ms(cal: &Calendar, from: UtcMillis, to: UtcMillis) -> i64 {
    match (ts(from), ts(to)) {
        (Some(a), Some(b)) => cal.millis_between(a, b),
        _ => 0,
    }
}

/// The instant `ms` business milliseconds after `from`; far in the future
/// when the calendar has no working time left.
pub(super) fn add_ms(cal: &Calendar, from: UtcMillis, ms: i64) -> UtcMillis {
    match ts(from) {
        Some(start) => cal
            .add_millis(start, ms)
            .map_or(NEVER, |t| t.as_millisecond()),
        None => from,
    }
}

/// A due time that never comes: the calendar has no working time left.
pub const NEVER: UtcMillis = 253_402_207_200_000; // 9999-12-30T22:00:00Z, jiff's last instant

pub(super) fn ts(ms: UtcMillis) -> Option<Timestamp> {
    Timestamp::from_millisecond(ms).ok()
}
