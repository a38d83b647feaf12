//! An incident's SLA clocks as people read them: the agreement that applies
//! and why, each clock's standing, what it counted interval by interval, and
//! how its due time follows from the calendar. Used by the API and the
//! incident page alike.

use serde::Serialize;
use steward_domain::access::{Action, Actor};
use steward_domain::agreement;
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, Verb};
use steward_domain::sla::ClockKind;
use steward_domain::sla::{ClockStatus, SlaClock};
use steward_domain::text;
use steward_store::{Incident, now_ms};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::policy::require;

/// The SLA of an incident.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SlaView {
    /// The agreement that applies now, if any.
    pub agreement: Option<String>,
    /// Why it applies, or why none does.
    pub reason: String,
    /// The SLA's clocks: response, then resolution.
    pub clocks: Vec<ClockView>,
    /// The assignment groups' OLA clocks, a pair per group that held the
    /// incident under an OLA, in the order the groups first got it. Staff only.
    pub ola_clocks: Vec<ClockView>,
}

/// One clock.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    /// response or resolution.
    pub kind: String,
    /// The assignment group whose part an OLA clock measures; absent for the SLA's.
    pub group: Option<String>,
    pub agreement: String,
    /// The priority whose target applies, e.g. P2.
    pub priority: String,
    pub target_minutes: i64,
    /// running, paused, stopped or cancelled.
    pub status: String,
    /// running, warning, breached, paused, met, missed or cancelled.
    pub standing: String,
    /// Business minutes counted so far.
    pub counted_minutes: i64,
    /// Business minutes left before the target (negative: past it).
    pub left_minutes: i64,
    pub due_at: Option<String>,
    pub warn_at: Option<String>,
    pub warned_at: Option<String>,
    pub breached_at: Option<String>,
    pub stopped_at: Option<String>,
    pub calendar: String,
    pub time_zone: String,
    /// The clock in one sentence.
    pub explanation: String,
    /// Every interval in which the clock counted, oldest first; the last may be open.
    pub intervals: Vec<IntervalView>,
    /// Why a breached clock missed its target, as staff recorded it.
    pub breach_reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntervalView {
    pub started_at: String,
    /// Absent while the interval is still running.
    pub ended_at: Option<String>,
    pub business_minutes: i64,
    /// Why it ended (e.g. "on hold: awaiting customer", "resolved").
    pub ended_by: String,
    #[serde(skip)]
    pub started_ms: i64,
    #[serde(skip)]
    pub ended_ms: Option<i64>,
}

pub use steward_domain::sla::minutes_text;

/// The SLA of an incident the actor may already see.
///
/// `fmt` writes times: ISO UTC for the API, the reader's zone for the web page.
pub async fn of_incident(
    state: &AppState,
    actor: &Actor,
    inc: &Incident,
    fmt: &(dyn Fn(i64) -> String + Sync),
) -> AppResult<SlaView> {
    // Why a target was missed is the provider's own account: staff only.
    let staff = actor.role.is_staff();
    let terms = state.store.sla_terms().await?;
    let mut clocks: Vec<(SlaClock, Option<String>)> = state
        .store
        .sla_clocks(inc.id)
        .await?
        .into_iter()
        .map(|r| (r.clock(), r.breach_reason))
        // A group's OLA is the provider's own business.
        .filter(|(c, _)| staff || c.group.is_none())
        .collect();
    let intervals = state.store.sla_intervals(inc.id).await?;
    // The SLA's first, then each group's from when it first got the
    // incident; response before resolution, the order in which they matter.
    let mut first: std::collections::HashMap<i64, i64> = Default::default();
    let starts = intervals.iter().map(|i| (i.group_id, i.started_at)).chain(
        clocks
            .iter()
            .filter_map(|(c, _)| Some((c.group.unwrap_or(0), c.running_since?))),
    );
    for (g, at) in starts {
        let e = first.entry(g).or_insert(at);
        *e = (*e).min(at);
    }
    clocks.sort_by_key(|(c, _)| {
        let g = c.group.unwrap_or(0);
        (
            g != 0,
            first.get(&g).copied().unwrap_or(i64::MAX),
            g,
            c.kind,
        )
    });
    let groups = if clocks.iter().any(|(c, _)| c.group.is_some()) {
        state.store.list_groups().await?
    } else {
        Vec::new()
    };
    let calendars = state.store.list_calendars().await?;
    let facts = inc.case_facts();
    let applies = agreement::applicable(
        &terms.candidates,
        facts.org_id,
        facts.service_id,
        facts.priority,
        jiff::Timestamp::from_millisecond(inc.opened_at)
            .map(|t| jiff::ZonedDateTime::new(t, jiff::tz::TimeZone::UTC).date())
            .unwrap_or_default(),
    );
    let reason = match &applies {
        Some(a) => a.reason.clone(),
        None => format!(
            "no agreed SLA valid on the day the incident was opened covers {} for {} at P{}",
            inc.org_name, inc.service_name, inc.priority
        ),
    };
    let now = now_ms();
    let (mut views, mut ola_views) = (Vec::new(), Vec::new());
    for (c, breach_reason) in &clocks {
        let cal = terms.calendar(c.calendar_id);
        let (calendar, time_zone) = calendars
            .iter()
            .find(|k| k.id == c.calendar_id)
            .map(|k| (k.name.clone(), k.time_zone.clone()))
            .unwrap_or_else(|| ("every minute".into(), "UTC".into()));
        let counted = c.elapsed_at(&cal, now) / 60_000;
        let left = (c.target_ms() - c.elapsed_at(&cal, now)) / 60_000;
        let group_id = c.group.unwrap_or(0);
        let mut iv: Vec<IntervalView> = intervals
            .iter()
            .filter(|i| i.kind == c.kind.as_str() && i.group_id == group_id)
            .map(|i| IntervalView {
                started_at: fmt(i.started_at),
                ended_at: Some(fmt(i.ended_at)),
                business_minutes: i.business_ms / 60_000,
                ended_by: i.ended_by.clone(),
                started_ms: i.started_at,
                ended_ms: Some(i.ended_at),
            })
            .collect();
        if let (ClockStatus::Running, Some(since)) = (c.status, c.running_since) {
            iv.push(IntervalView {
                started_at: fmt(since),
                ended_at: None,
                business_minutes: (c.elapsed_at(&cal, now) - c.elapsed_ms) / 60_000,
                ended_by: String::new(),
                started_ms: since,
                ended_ms: None,
            });
        }
        let group = c.group.map(|g| {
            groups
                .iter()
                .find(|x| x.id == g)
                .map_or_else(|| format!("group {g}"), |x| x.name.clone())
        });
        let view = ClockView {
            kind: c.kind.as_str().to_owned(),
            group,
            agreement: c.agreement.clone(),
            priority: format!("P{}", c.priority),
            target_minutes: c.target_minutes,
            status: c.status.as_str().to_owned(),
            standing: c.standing(now).as_str().to_owned(),
            counted_minutes: counted,
            left_minutes: left,
            due_at: c.due_at.map(fmt),
            warn_at: c.warn_at.map(fmt),
            warned_at: c.warned_at.map(fmt),
            breached_at: c.breached_at.map(fmt),
            stopped_at: c.stopped_at.map(fmt),
            explanation: explain(c, counted, left, iv.len(), &calendar, &time_zone, fmt),
            calendar,
            time_zone,
            intervals: iv,
            breach_reason: breach_reason.clone().filter(|_| staff),
        };
        if c.group.is_some() {
            ola_views.push(view);
        } else {
            views.push(view);
        }
    }
    Ok(SlaView {
        agreement: applies.map(|a| a.number),
        reason,
        clocks: views,
        ola_clocks: ola_views,
    })
}

fn explain(
    c: &SlaClock,
    counted: i64,
    left: i64,
    intervals: usize,
    calendar: &str,
    zone: &str,
    fmt: &(dyn Fn(i64) -> String + Sync),
) -> String {
    let target = format!(
        "Target {} of business time (P{} of {}, calendar {calendar}, {zone})",
        minutes_text(c.target_minutes),
        c.priority,
        c.agreement
    );
    let counted = format!(
        "counted {} in {intervals} interval{}",
        minutes_text(counted),
        if intervals == 1 { "" } else { "s" }
    );
    let state = match c.status {
        ClockStatus::Running if left >= 0 => format!(
            "{} left; it runs in working hours only, so it is due at {}",
            minutes_text(left),
            c.due_at.map(fmt).unwrap_or_default()
        ),
        ClockStatus::Running => format!("{} past the target", minutes_text(-left)),
        ClockStatus::Paused => format!(
            "paused while the incident waits; {} left when it resumes",
            minutes_text(left)
        ),
        // A group's clock that stopped when it handed over may come back.
        ClockStatus::Stopped if c.group.is_some() && c.met() == Some(true) => {
            "stopped within the target (handed over, taken or resolved): met".to_owned()
        }
        ClockStatus::Stopped if c.met() == Some(true) => {
            "stopped within the target: met".to_owned()
        }
        ClockStatus::Stopped => format!("stopped {} past the target: missed", minutes_text(-left)),
        ClockStatus::Cancelled => "cancelled: it counts for nothing".to_owned(),
    };
    format!("{target}; {counted}; {state}.")
}

/// The reason for a breach, as staff give it.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreachReasonInput {
    /// Why the clock missed its target (e.g. "Supplier outage, see PRB-0004").
    pub reason: String,
}

/// Records why a breached clock missed its target (staff who may change the incident).
pub async fn record_breach_reason(
    state: &AppState,
    actor: &Actor,
    number: &str,
    kind: &str,
    input: &BreachReasonInput,
) -> AppResult<Incident> {
    let inc = crate::incidents::get(state, actor, number).await?;
    require(
        actor,
        Action::Work(Kind::Incident, Verb::Update),
        Some(inc.org_id),
    )?;
    let kind = ClockKind::parse(kind).ok_or(AppError::NotFound)?;
    let mut p = Problems::default();
    let reason = text::required_body(&mut p, "reason", &input.reason, 2_000);
    p.finish(())?;
    state
        .store
        .set_breach_reason(
            &steward_store::AuditActor::from(actor),
            inc.id,
            kind,
            &reason,
        )
        .await?;
    Ok(inc)
}
