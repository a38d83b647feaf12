//! Business calendars: their specs checked by the domain, stored, and their
//! arithmetic (a due instant, business time between two instants) for the
//! API and, later, the SLA clocks.

use steward_domain::access::{Action, Actor};
use steward_domain::calendar::{Calendar, CalendarSpec};
use steward_store::{AuditActor, StoredCalendar};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::policy::require;

/// A stored calendar with its spec read back.
pub struct Loaded {
    pub stored: StoredCalendar,
    pub spec: CalendarSpec,
    pub calendar: Calendar,
}

fn load(stored: StoredCalendar) -> AppResult<Loaded> {
    let spec: CalendarSpec = serde_json::from_str(&stored.spec).map_err(AppError::internal)?;
    let calendar = spec
        .check()
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok(Loaded {
        stored,
        spec,
        calendar,
    })
}

fn canonical(spec: &CalendarSpec) -> AppResult<(CalendarSpec, String)> {
    let mut spec = spec.clone();
    spec.name = spec.name.trim().to_owned();
    spec.time_zone = spec.time_zone.trim().to_owned();
    let json = serde_json::to_string(&spec).map_err(AppError::internal)?;
    Ok((spec, json))
}

pub async fn create(state: &AppState, actor: &Actor, spec: &CalendarSpec) -> AppResult<Loaded> {
    require(actor, Action::ServiceLevelWrite, None)?;
    spec.check()?;
    let (spec, json) = canonical(spec)?;
    let stored = state
        .store
        .create_calendar(&AuditActor::from(actor), &spec.name, &spec.time_zone, &json)
        .await?;
    load(stored)
}

pub async fn get(state: &AppState, actor: &Actor, id: i64) -> AppResult<Loaded> {
    require(actor, Action::ServiceLevelRead, None)?;
    load(state.store.calendar(id).await?)
}

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<Loaded>> {
    require(actor, Action::ServiceLevelRead, None)?;
    state
        .store
        .list_calendars()
        .await?
        .into_iter()
        .map(load)
        .collect()
}

/// Replaces a calendar; without If-Match it applies to the version read.
pub async fn replace(
    state: &AppState,
    actor: &Actor,
    id: i64,
    spec: &CalendarSpec,
    if_match: Option<i64>,
) -> AppResult<Loaded> {
    let current = get(state, actor, id).await?;
    require(actor, Action::ServiceLevelWrite, None)?;
    let version = if_match.unwrap_or(current.stored.version);
    replace_calendar(state, actor, &current, version, spec).await
}

fn instant(field: &str, raw: &str) -> AppResult<jiff::Timestamp> {
    raw.trim().parse().map_err(|_| {
        AppError::field(
            field,
            "must be an RFC 3339 instant, e.g. 2026-03-26T15:00:00Z",
        )
    })
}

/// When `minutes` business minutes after `start` end.
pub async fn due(
    state: &AppState,
    actor: &Actor,
    id: i64,
    start: &str,
    minutes: i64,
) -> AppResult<jiff::Timestamp> {
    let c = get(state, actor, id).await?;
    let start = instant("start", start)?;
    if !(0..=steward_domain::agreement::MAX_TARGET_MINUTES).contains(&minutes) {
        return Err(AppError::field(
            "minutes",
            "must be from 0 to a year of minutes (527040)",
        ));
    }
    c.calendar.add(start, minutes).ok_or_else(|| {
        AppError::field(
            "minutes",
            "the calendar has no working time left within three years",
        )
    })
}

/// Business seconds between two instants.
pub async fn between(
    state: &AppState,
    actor: &Actor,
    id: i64,
    from: &str,
    to: &str,
) -> AppResult<i64> {
    let c = get(state, actor, id).await?;
    let (from, to) = (instant("from", from)?, instant("to", to)?);
    if to < from {
        return Err(AppError::field("to", "must not be before from"));
    }
    if (to.as_second() - from.as_second()) > 10 * 366 * 86_400 {
        return Err(AppError::field("to", "must be within ten years of from"));
    }
    Ok(c.calendar.seconds_between(from, to))
}

/// Adds the holidays of an iCalendar or CSV file to a calendar (or puts them
/// in place of its holidays with `replace`); a change of holidays moves the
/// due times of open incidents (the calendar change queues a recompute).
pub async fn import_holidays(
    state: &AppState,
    actor: &Actor,
    id: i64,
    kind: steward_domain::holidays::HolidayFile,
    bytes: &[u8],
    replace: bool,
) -> AppResult<(Loaded, usize)> {
    let current = get(state, actor, id).await?;
    require(actor, Action::ServiceLevelWrite, None)?;
    let text =
        std::str::from_utf8(bytes).map_err(|_| AppError::field("file", "is not UTF-8 text"))?;
    let imported = steward_domain::holidays::parse(kind, text)?;
    let n = imported.len();
    let spec = steward_domain::holidays::merge(&current.spec, imported, replace);
    let version = current.stored.version;
    let loaded = replace_calendar(state, actor, &current, version, &spec).await?;
    Ok((loaded, n))
}

/// Writes `spec` over the calendar, if it is still at `expected_version`.
async fn replace_calendar(
    state: &AppState,
    actor: &Actor,
    current: &Loaded,
    expected_version: i64,
    spec: &CalendarSpec,
) -> AppResult<Loaded> {
    spec.check()?;
    let (spec, json) = canonical(spec)?;
    let stored = state
        .store
        .update_calendar(
            &AuditActor::from(actor),
            current.stored.id,
            Some(expected_version),
            &spec.name,
            &spec.time_zone,
            &json,
        )
        .await?;
    load(stored)
}

/// Whether the actor may change calendars: asked before a body is read.
pub fn may_change(actor: &Actor) -> AppResult<()> {
    require(actor, Action::ServiceLevelWrite, None)
}
