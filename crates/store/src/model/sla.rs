//! Calendars, agreements, SLA clocks and their reports.

use super::*;

/// A business calendar as stored: its spec is the JSON of
/// `steward_domain::calendar::CalendarSpec`.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct StoredCalendar {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    pub spec: String,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub version: i64,
}

/// A service level (`sla`) or operational level (`ola`) agreement.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Agreement {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub title: String,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub calendar_id: i64,
    pub calendar_name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub status: String,
    pub owner_id: Option<i64>,
    pub owner_email: Option<String>,
    pub review_on: Option<String>,
    pub warn_percent: i64,
    /// JSON: `{"1": [response, resolution], ...}` in business minutes.
    pub targets: String,
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    pub version: i64,
    /// (service id, number), filled by the store.
    #[sqlx(skip)]
    pub services: Vec<(i64, String)>,
}

impl Agreement {
    pub fn fields(&self) -> AgreementFields {
        AgreementFields {
            kind: self.kind.clone(),
            title: self.title.clone(),
            org_id: self.org_id,
            group_id: self.group_id,
            calendar_id: self.calendar_id,
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
            status: self.status.clone(),
            owner_id: self.owner_id,
            review_on: self.review_on.clone(),
            warn_percent: self.warn_percent,
            targets: self.targets.clone(),
            service_ids: self.services.iter().map(|(id, _)| *id).collect(),
        }
    }
}

/// What to write for an agreement, checked and resolved by the caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgreementFields {
    pub kind: String,
    pub title: String,
    pub org_id: Option<i64>,
    pub group_id: Option<i64>,
    pub calendar_id: i64,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub status: String,
    pub owner_id: Option<i64>,
    pub review_on: Option<String>,
    pub warn_percent: i64,
    pub targets: String,
    pub service_ids: Vec<i64>,
}

/// An SLA clock as stored; [`ClockRow::into_clock`] gives the domain's clock.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClockRow {
    pub record_id: i64,
    pub kind: crate::Code<ClockKind>,
    /// The assignment group of an OLA clock; 0 for the SLA's.
    pub group_id: i64,
    pub agreement: String,
    pub calendar_id: i64,
    pub priority: i64,
    pub target_minutes: i64,
    pub warn_percent: i64,
    pub status: crate::Code<ClockStatus>,
    pub elapsed_ms: i64,
    pub running_since: Option<UtcMillis>,
    pub due_at: Option<UtcMillis>,
    pub warn_at: Option<UtcMillis>,
    pub warned_at: Option<UtcMillis>,
    pub breached_at: Option<UtcMillis>,
    pub stopped_at: Option<UtcMillis>,
    pub breach_reason: Option<String>,
}

impl ClockRow {
    pub fn clock(&self) -> SlaClock {
        self.clone().into_clock()
    }

    pub fn into_clock(self) -> SlaClock {
        SlaClock {
            kind: self.kind.get(),
            group: (self.group_id != 0).then_some(self.group_id),
            agreement: self.agreement,
            calendar_id: self.calendar_id,
            priority: u8::try_from(self.priority).unwrap_or(5),
            target_minutes: self.target_minutes,
            warn_percent: self.warn_percent,
            status: self.status.get(),
            elapsed_ms: self.elapsed_ms,
            running_since: self.running_since,
            due_at: self.due_at,
            warn_at: self.warn_at,
            warned_at: self.warned_at,
            breached_at: self.breached_at,
            stopped_at: self.stopped_at,
        }
    }
}

/// A closed interval of an SLA clock.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ClockIntervalRow {
    pub kind: String,
    /// The assignment group whose OLA clock counted (0: the SLA's).
    pub group_id: i64,
    pub started_at: UtcMillis,
    pub ended_at: UtcMillis,
    pub business_ms: i64,
    pub ended_by: String,
}

impl Agreement {
    /// The targets by priority.
    pub fn targets(&self) -> std::collections::BTreeMap<u8, Target> {
        serde_json::from_str::<std::collections::BTreeMap<String, [i64; 2]>>(&self.targets)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(p, [r, s])| {
                Some((
                    p.parse().ok()?,
                    Target {
                        response_minutes: r,
                        resolution_minutes: s,
                    },
                ))
            })
            .collect()
    }

    /// What the rule that picks an incident's agreement needs of this one.
    pub fn candidate(&self) -> Option<Candidate> {
        Some(Candidate {
            number: self.number.clone(),
            org_id: self.org_id,
            service_ids: self.services.iter().map(|(id, _)| *id).collect(),
            agreed: self.status == "agreed",
            valid_from: self.valid_from.parse().ok()?,
            valid_to: self.valid_to.as_deref().and_then(|d| d.parse().ok()),
            targets: self.targets(),
        })
    }
}

/// The SLAs, OLAs and calendars that clocks are measured with, as the domain
/// needs them.
pub fn sla_terms(agreements: &[Agreement], calendars: &[StoredCalendar]) -> SlaTerms {
    let mut olas: std::collections::HashMap<i64, Vec<Candidate>> = Default::default();
    for a in agreements.iter().filter(|a| a.kind == "ola") {
        if let (Some(g), Some(c)) = (a.group_id, a.candidate()) {
            olas.entry(g).or_default().push(c);
        }
    }
    SlaTerms {
        candidates: agreements
            .iter()
            .filter(|a| a.kind == "sla")
            .filter_map(Agreement::candidate)
            .collect(),
        olas,
        terms: agreements
            .iter()
            .map(|a| (a.number.clone(), (a.calendar_id, a.warn_percent)))
            .collect(),
        calendars: calendars
            .iter()
            .filter_map(|c| {
                let spec: CalendarSpec = serde_json::from_str(&c.spec).ok()?;
                Some((c.id, spec.check().ok()?))
            })
            .collect(),
    }
}

/// One month and clock kind of an agreement's SLA report.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, Serialize)]
pub struct SlaMonthRow {
    /// `YYYY-MM`.
    pub month: String,
    /// response or resolution.
    pub kind: String,
    /// Clocks that stopped in the month.
    pub stopped: i64,
    /// Of those, within the target.
    pub met: i64,
    pub mean_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

/// A breached clock and its incident, for the SLA report.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SlaBreachRow {
    pub number: String,
    pub title: String,
    pub kind: String,
    pub priority: i64,
    pub status: String,
    pub breached_at: UtcMillis,
    pub elapsed_ms: i64,
    pub target_minutes: i64,
    pub breach_reason: Option<String>,
}
