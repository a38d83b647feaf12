//! An audit's samples: records of a kind opened in a period, picked by a
//! stored seed so that anyone can draw the same sample again.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use steward_domain::access::Actor;
use steward_domain::error::Problems;
use steward_domain::internal_audit::{self as ia, AuditState, SAMPLE_MAX};
use steward_domain::kind::{Kind, StateMachine, Verb};
use steward_store::{AuditActor, NewSample, Sample};

use super::{action, get, parse_date};
use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::views::time;

/// A sample to draw: records of `kind` opened from `from` to `to` (both
/// days included, UTC), `size` of them, with `seed` (one is made when none
/// is given).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SampleInput {
    /// incident, problem, complaint, nonconformity, action or improvement.
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub from: String,
    /// `YYYY-MM-DD`.
    pub to: String,
    /// 1 to 200.
    pub size: i64,
    /// Letters, digits, `-` or `_`; the same seed draws the same sample.
    pub seed: Option<String>,
}

/// A sample drawn for an audit, with how to draw it again.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SampleView {
    pub id: i64,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub size: i64,
    pub seed: String,
    /// How many records there were to draw from.
    pub population: i64,
    /// The records drawn, in the order drawn.
    pub records: Vec<String>,
    pub drawn_by: String,
    pub drawn_at: String,
    /// How the records were picked, so that anyone can check it.
    pub rule: String,
}

impl SampleView {
    pub fn of(s: &Sample) -> SampleView {
        SampleView {
            id: s.id,
            kind: s.kind.clone(),
            from: s.from_on.clone(),
            to: s.to_on.clone(),
            size: s.size,
            seed: s.seed.clone(),
            population: s.population,
            records: s.numbers.split_whitespace().map(str::to_owned).collect(),
            drawn_by: s.drawn_by_name.clone(),
            drawn_at: time(s.drawn_at),
            rule: format!(
                "the {} {}s opened from {} to {} whose SHA-256 of \"{}:<number>\" (hex) is smallest",
                s.size, s.kind, s.from_on, s.to_on, s.seed
            ),
        }
    }
}

/// The kinds a sample may be drawn from: the work records an auditor reads.
fn sample_kind(p: &mut Problems, typed: &str) -> Option<Kind> {
    let k = Kind::parse(typed.trim()).filter(|k| !matches!(k, Kind::Audit | Kind::Finding));
    if k.is_none() {
        p.add(
            "kind",
            "must be incident, problem, complaint, nonconformity, action or improvement",
        );
    }
    k
}

/// The population of a sample and the records the seed picks from it.
async fn drawn(
    state: &AppState,
    kind: Kind,
    from: Date,
    to: Date,
    size: i64,
    seed: &str,
) -> AppResult<(usize, Vec<String>)> {
    let (a, b) = crate::period::day_span_ms(from, to);
    let population = state
        .store
        .sample_population(kind.spec().code, a, b)
        .await?;
    let picked = ia::draw(seed, &population, size as usize);
    Ok((population.len(), picked))
}

/// Draws a sample of records for an audit not yet reported and keeps it.
pub async fn sample(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &SampleInput,
) -> AppResult<Sample> {
    let audit = get(state, actor, number).await?;
    require(actor, action(Verb::Update), Some(audit.org_id))?;
    if !matches!(audit.state(), AuditState::Planned | AuditState::InProgress) {
        return Err(AppError::field(
            "audit",
            format!(
                "the audit is {}: samples are drawn before it is reported",
                audit.state().words()
            ),
        ));
    }
    let mut p = Problems::default();
    let kind = sample_kind(&mut p, &input.kind);
    let from = parse_date(&mut p, "from", &input.from);
    let to = parse_date(&mut p, "to", &input.to);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        p.add("to", "the period ends before it starts");
    }
    if !(1..=SAMPLE_MAX).contains(&input.size) {
        p.add("size", format!("must be between 1 and {SAMPLE_MAX}"));
    }
    let seed = match input.seed.as_deref() {
        Some(s) => ia::parse_seed(&mut p, s),
        None => format!("{:016x}", rand::random::<u64>()),
    };
    let (kind, from, to) = p.finish((kind, from, to))?;
    let (Some(kind), Some(from), Some(to)) = (kind, from, to) else {
        return Err(AppError::NotFound);
    };
    let (population, numbers) = drawn(state, kind, from, to, input.size, &seed).await?;
    let (from_on, to_on) = (from.to_string(), to.to_string());
    let new = NewSample {
        audit_id: audit.id,
        audit_number: &audit.number,
        kind: kind.spec().code,
        from_on: &from_on,
        to_on: &to_on,
        size: input.size,
        seed: &seed,
        population: population as i64,
        numbers,
        drawn_by: actor.user_id,
    };
    Ok(state
        .store
        .add_sample(&AuditActor::from(actor), &new)
        .await?)
}

/// A sample drawn again from its seed: whether the same records come out.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RedrawView {
    pub sample: SampleView,
    /// The records the seed picks from the records there are now.
    pub records_now: Vec<String>,
    pub population_now: i64,
    /// Whether they are the records kept.
    pub same: bool,
}

/// The samples of an audit.
pub async fn samples(state: &AppState, actor: &Actor, number: &str) -> AppResult<Vec<Sample>> {
    let audit = get(state, actor, number).await?;
    Ok(state.store.samples(audit.id).await?)
}

/// Draws the sample `id` of an audit again from its seed.
pub async fn redraw(
    state: &AppState,
    actor: &Actor,
    number: &str,
    id: i64,
) -> AppResult<RedrawView> {
    let audit = get(state, actor, number).await?;
    let s = state
        .store
        .samples(audit.id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)?;
    let kind = Kind::parse(&s.kind).ok_or(AppError::NotFound)?;
    let (from, to) = (
        s.from_on.parse::<Date>().map_err(|_| AppError::NotFound)?,
        s.to_on.parse::<Date>().map_err(|_| AppError::NotFound)?,
    );
    let (population, now) = drawn(state, kind, from, to, s.size, &s.seed).await?;
    let sample = SampleView::of(&s);
    Ok(RedrawView {
        same: now == sample.records,
        records_now: now,
        population_now: population as i64,
        sample,
    })
}
