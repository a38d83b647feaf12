//! Internal audits (ISO/IEC 20000-1 9.2), a kind of the work-record kernel:
//! the operations the API, the web UI and the demo share. An audit belongs
//! to a programme (a register, `APR-0001`), covers clauses of the catalogue,
//! is led by its assignee with a team (none of whom may audit a process they
//! hold a role in), runs from its first day to its target date, draws
//! reproducible samples and records findings ([`crate::findings`]).

pub mod api;
pub mod demo;
pub mod report;
pub mod web;

use std::collections::HashMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor};
use steward_domain::conformity::Outcome;
use steward_domain::error::Problems;
use steward_domain::internal_audit::{
    self as ia, AuditState, Coverage, Holding, SAMPLE_MAX, STEPS,
};
use steward_domain::kind::{Kind, StateMachine, Verb, parse_step};
use steward_domain::nonconformity::Analysis;
use steward_domain::number::NumberKind;
use steward_domain::register::Register;
use steward_store::{
    Audit, AuditActor, AuditFields, AuditPlan, NewAudit, NewSample, Page, PlannedAudit, Sample,
    SmsRecord,
};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::views::{opt_time, time};

fn action(verb: Verb) -> Action {
    Action::Work(Kind::Audit, verb)
}

new_record_input! {
    /// A new audit: what it covers (`scope`), against what (`criteria`),
    /// when (`starts_on` to `target_date`), led by `assignee` with `team`.
    pub struct AuditInput {
        /// The programme that plans it, e.g. `APR-0001`.
        pub programme: Option<String>,
        /// Clauses of the catalogue it covers, e.g. `["8.6", "9.1"]`.
        #[serde(default)]
        pub scope: Vec<String>,
        /// What it is audited against (the SMS's documents, contracts...).
        pub criteria: Option<String>,
        /// Its first day, `YYYY-MM-DD`; its last is `target_date`.
        pub starts_on: Option<String>,
        /// The audit team besides the lead auditor (`assignee`), by e-mail.
        #[serde(default)]
        pub team: Vec<String>,
    }
}

record_patch! {
    /// Changes to an audit: absent fields stay as they are.
    pub struct AuditPatch {
        pub programme: Option<String>,
        pub scope: Option<Vec<String>>,
        pub criteria: Option<String>,
        pub starts_on: Option<String>,
        pub team: Option<Vec<String>>,
    }
}

/// A step of an audit.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditStepInput {
    /// start, report (with the conclusion), close or cancel (with the reason).
    pub action: String,
    pub conclusion: Option<String>,
    pub reason: Option<String>,
}

/// Filters and paging of the audits.
pub type AuditListParams = crate::paging::KindListParams;

/// An audit: its record (the assignee leads it), programme, scope, dates,
/// team and outcome.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditView {
    #[serde(flatten)]
    pub record: RecordView,
    pub programme: Option<String>,
    pub scope: Vec<String>,
    pub criteria: Option<String>,
    pub starts_on: String,
    /// The lead auditor's name (the assignee).
    pub lead_auditor: Option<String>,
    /// The team besides the lead auditor, by e-mail.
    pub team: Vec<String>,
    pub started_at: Option<String>,
    pub conclusion: Option<String>,
    pub reported_at: Option<String>,
    pub cancelled_reason: Option<String>,
    pub findings: i64,
    pub open_findings: i64,
}

impl AuditView {
    pub fn of(a: &Audit, team: Vec<String>, now: i64) -> AuditView {
        AuditView {
            record: RecordView::of(a, now),
            programme: a.programme_number.clone(),
            scope: a.scope(),
            criteria: a.criteria.clone(),
            starts_on: a.starts_on.clone(),
            lead_auditor: a.assignee_name.clone(),
            team,
            started_at: opt_time(a.started_at),
            conclusion: a.conclusion.clone(),
            reported_at: opt_time(a.reported_at),
            cancelled_reason: a.cancelled_reason.clone(),
            findings: a.findings,
            open_findings: a.open_findings,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditView>,
    pub next_cursor: Option<String>,
}

/// The UTC day of a target date (kept as the end of that day, UTC).
pub fn day_of(ms: Option<i64>) -> String {
    ms.and_then(|t| jiff::Timestamp::from_millisecond(t).ok())
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The e-mails of an audit's team.
pub async fn team_emails(state: &AppState, a: &Audit) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    for id in a.team() {
        out.push(state.store.user_by_id(id).await?.email);
    }
    Ok(out)
}

/// An audit the actor may see, or 404.
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Audit> {
    let number = NumberKind::Audit
        .canonical(number)
        .ok_or(AppError::NotFound)?;
    let a = state.store.audit(&number).await?;
    require(actor, action(Verb::Read), Some(a.org_id))?;
    Ok(a)
}

fn parse_date(p: &mut Problems, field: &str, typed: &str) -> Option<Date> {
    match typed.trim().parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            p.add(field, "must be a date written YYYY-MM-DD");
            None
        }
    }
}

/// The programme `typed` names (`APR-0001`), `None` for empty.
async fn programme(
    state: &AppState,
    actor: &Actor,
    p: &mut Problems,
    typed: &str,
) -> AppResult<Option<SmsRecord>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    match crate::registers::get(state, actor, Register::Programmes, typed).await {
        Ok(r) => Ok(Some(r)),
        Err(AppError::NotFound) => {
            p.add(
                "programme",
                format!("no audit programme {typed:?} (e.g. APR-0001)"),
            );
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The team typed by e-mail, as staff ids.
async fn team(state: &AppState, p: &mut Problems, typed: &[String]) -> Vec<i64> {
    let mut ids = Vec::new();
    for e in typed.iter().flat_map(|t| t.split([',', '\n'])) {
        let e = e.trim();
        if e.is_empty() {
            continue;
        }
        if let Some(u) = crate::incidents::lookup_staff(state, p, "team", e).await
            && !ids.contains(&u.id)
        {
            ids.push(u.id);
        }
    }
    ids
}

/// What is planned must fit: the first day before the last, both within the
/// programme's cycle; and no auditor may audit a process they hold a role in.
async fn check_plan(
    state: &AppState,
    p: &mut Problems,
    plan: &AuditPlan,
    lead: Option<i64>,
    last_day: Option<i64>,
    programme: Option<&SmsRecord>,
) -> AppResult<()> {
    let first = plan.starts_on.parse::<Date>().ok();
    let last = last_day.map(|ms| {
        jiff::Timestamp::from_millisecond(ms)
            .unwrap_or_default()
            .in_tz("UTC")
            .map(|z| z.date())
            .unwrap_or_default()
    });
    if let (Some(f), Some(l)) = (first, last)
        && l < f
    {
        p.add(
            "target_date",
            "the audit's last day must not be before its first",
        );
    }
    if let (Some(prog), Some(f)) = (programme, first) {
        let (start, end) = (
            prog.text("starts_on").unwrap_or(""),
            prog.text("ends_on").unwrap_or(""),
        );
        let day = f.to_string();
        if day.as_str() < start || day.as_str() > end {
            p.add(
                "starts_on",
                format!(
                    "falls outside the cycle of {} ({start} to {end})",
                    prog.number
                ),
            );
        }
    }
    let mut people: Vec<(i64, &str)> = plan.team.iter().map(|id| (*id, "team")).collect();
    if let Some(l) = lead {
        people.insert(0, (l, "assignee"));
    }
    let ids: Vec<i64> = people.iter().map(|(id, _)| *id).collect();
    let holdings = state.store.role_holdings(&ids).await?;
    for (id, field) in people {
        let theirs: Vec<Holding> = holdings
            .iter()
            .filter(|h| h.user_id == id)
            .map(|h| Holding {
                email: h.email.clone(),
                role_number: h.role_number.clone(),
                role_title: h.role_title.clone(),
                process: h.process.clone(),
                letter: h.letter.clone().unwrap_or_default(),
            })
            .collect();
        ia::independence(p, field, &plan.scope, &theirs);
    }
    Ok(())
}

pub async fn create(state: &AppState, actor: &Actor, input: &AuditInput) -> AppResult<Audit> {
    require(actor, action(Verb::Create), None)?;
    let mut p = Problems::default();
    let programme = programme(
        state,
        actor,
        &mut p,
        input.programme.as_deref().unwrap_or(""),
    )
    .await?;
    let scope = ia::parse_scope(&mut p, &input.scope);
    let criteria = Analysis::text(&mut p, "criteria", input.criteria.as_deref().unwrap_or(""));
    let starts_on = match input.starts_on.as_deref() {
        Some(s) if !s.trim().is_empty() => parse_date(&mut p, "starts_on", s),
        _ => {
            p.add(
                "starts_on",
                "say on which day the audit starts (YYYY-MM-DD)",
            );
            None
        }
    };
    if input
        .target_date
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        p.add(
            "target_date",
            "say on which day the audit ends (YYYY-MM-DD)",
        );
    }
    let team = team(state, &mut p, &input.team).await;
    let core = new_core(state, actor, &mut p, input.core(), false).await;
    let plan = AuditPlan {
        scope,
        criteria,
        starts_on: starts_on.map(|d| d.to_string()).unwrap_or_default(),
        team,
    };
    if let Some(c) = &core {
        check_plan(
            state,
            &mut p,
            &plan,
            c.assignee_id,
            c.target_at,
            programme.as_ref(),
        )
        .await?;
    }
    let core = p.finish(core)?.ok_or(AppError::NotFound)?;
    let new = NewAudit {
        org_id: actor.org_id,
        requester_id: Some(actor.user_id),
        fields: AuditFields {
            core,
            programme_id: programme.map(|r| r.id),
            plan,
            ..Default::default()
        },
    };
    Ok(state
        .store
        .create_audit(&AuditActor::from(actor), &new)
        .await?)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &AuditPatch,
    if_match: Option<i64>,
) -> AppResult<Audit> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Update), Some(current.org_id))?;
    let refs = patch_refs(state, actor, patch.core()).await?;
    let mut p = Problems::default();
    // What the plan becomes, checked before the record is locked.
    let mut f = current.fields();
    let core = patched_core(&state.matrix, &f.core, patch.core(), &refs, &mut p);
    let mut prog = match current.programme_number.as_deref() {
        Some(n) => crate::registers::get(state, actor, Register::Programmes, n)
            .await
            .ok(),
        None => None,
    };
    if let Some(t) = patch.programme.as_deref() {
        prog = programme(state, actor, &mut p, t).await?;
        f.programme_id = prog.as_ref().map(|r| r.id);
    }
    if let Some(s) = &patch.scope {
        f.plan.scope = ia::parse_scope(&mut p, s);
    }
    if let Some(c) = patch.criteria.as_deref() {
        f.plan.criteria = Analysis::text(&mut p, "criteria", c);
    }
    if let Some(s) = patch.starts_on.as_deref()
        && let Some(d) = parse_date(&mut p, "starts_on", s)
    {
        f.plan.starts_on = d.to_string();
    }
    if let Some(t) = &patch.team {
        f.plan.team = team(state, &mut p, t).await;
    }
    if let Some(c) = &core {
        check_plan(
            state,
            &mut p,
            &f.plan,
            c.assignee_id,
            c.target_at,
            prog.as_ref(),
        )
        .await?;
    }
    let core = p.finish(core)?;
    let (programme_id, plan) = (f.programme_id, f.plan);
    let updated = state
        .store
        .update_audit(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            "update",
            move |now| {
                if now.state().is_final() || now.state() == AuditState::Reported {
                    return Err(now.state().refuse("change").into());
                }
                let mut f = now.fields();
                f.core = core.unwrap_or(f.core);
                f.programme_id = programme_id;
                f.plan = plan;
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

pub async fn step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &AuditStepInput,
    if_match: Option<i64>,
) -> AppResult<Audit> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Transition), Some(current.org_id))?;
    let text = match input.action.as_str() {
        "cancel" => input.reason.as_deref(),
        _ => input.conclusion.as_deref(),
    };
    let (spec, text) = parse_step(STEPS, &input.action, text)?;
    let now = steward_store::now_ms();
    let updated = state
        .store
        .update_audit(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |a| {
                let mut f = a.fields();
                (f.state, f.life) =
                    ia::apply(a.state(), &f.life, a.open_findings, spec.action, text, now)?;
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

/// The audits, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &AuditListParams,
) -> AppResult<Page<Audit>> {
    require(actor, action(Verb::Read), None)?;
    let (filter, cursor, limit) = params.filter::<AuditState>()?;
    Ok(state.store.list_audits(&filter, cursor, limit).await?)
}

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

/// The start of `d` and of the day after `to`, in milliseconds (UTC).
fn period_ms(from: Date, to: Date) -> (i64, i64) {
    let ms = |d: Date| {
        jiff::tz::TimeZone::UTC
            .to_timestamp(d.at(0, 0, 0, 0))
            .map(|t| t.as_millisecond())
            .unwrap_or_default()
    };
    (ms(from), ms(to.tomorrow().unwrap_or(to)))
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
    let (a, b) = period_ms(from, to);
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

/// One requirement of an audit's checklist.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChecklistItem {
    pub clause: String,
    pub title: String,
    /// What the requirement asks, in Steward's words.
    pub summary: String,
    /// Its evidence status as of the checklist's day: met, partly_met,
    /// not_met, no_data or not_assessed.
    pub evidence: String,
    /// The same in words.
    pub evidence_label: String,
    /// The audit's findings on it.
    pub findings: Vec<String>,
}

/// An audit's checklist: the catalogue's requirements in its scope, each
/// with its evidence status as of the audit's first day (or today, before).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Checklist {
    /// The day the evidence is judged as of: the audit's first day, or
    /// today before it (or when no snapshot was kept on or before it).
    pub as_of: String,
    /// The day of the snapshot that judgement comes from, for a past day.
    pub snapshot_of: Option<String>,
    pub items: Vec<ChecklistItem>,
}

pub async fn checklist(state: &AppState, actor: &Actor, number: &str) -> AppResult<Checklist> {
    let audit = get(state, actor, number).await?;
    let today = crate::registers::today();
    let day = audit.starts_on.parse::<Date>().ok().filter(|d| *d < today);
    let (mut assessment, mut snapshot_of) = crate::conformity::judged_as_of(state, day).await?;
    // No snapshot kept on or before that day: judged as of today, and said so.
    let mut judged_on = day.unwrap_or(today);
    if day.is_some() && snapshot_of.is_none() {
        (assessment, snapshot_of) = crate::conformity::judged_as_of(state, None).await?;
        judged_on = today;
    }
    let outcome = |clause: &str| {
        assessment
            .requirement(clause)
            .map_or(Outcome::NotAssessed, |a| a.outcome)
    };
    let findings = state.store.findings_of(audit.id).await?;
    let items = ia::requirements_in(&audit.scope())
        .into_iter()
        .map(|r| ChecklistItem {
            clause: r.clause.clone(),
            title: r.title.clone(),
            summary: r.summary.clone(),
            evidence: outcome(&r.clause).as_str().to_owned(),
            evidence_label: outcome(&r.clause).label().to_owned(),
            findings: findings
                .iter()
                .filter(|f| f.clause == r.clause)
                .map(|f| f.number.clone())
                .collect(),
        })
        .collect();
    Ok(Checklist {
        as_of: judged_on.to_string(),
        snapshot_of,
        items,
    })
}

/// A programme with its audits and how they cover the catalogue.
pub struct ProgrammeCoverage {
    pub programme: SmsRecord,
    pub audits: Vec<PlannedAudit>,
    pub coverage: Vec<Coverage>,
}

impl ProgrammeCoverage {
    /// Requirements the cycle does not cover as often as it should.
    pub fn uncovered(&self) -> usize {
        self.coverage.iter().filter(|c| !c.is_covered()).count()
    }
}

/// The programme `number`, or the one whose cycle holds today (the latest
/// otherwise), with its coverage; `None` when there is no programme.
pub async fn coverage(
    state: &AppState,
    actor: &Actor,
    number: Option<&str>,
) -> AppResult<Option<ProgrammeCoverage>> {
    require(actor, action(Verb::Read), None)?;
    let programme = match number.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => crate::registers::get(state, actor, Register::Programmes, n).await?,
        None => {
            let all = state
                .store
                .sms_records(Register::Programmes, None, 500)
                .await?;
            let today = crate::registers::today().to_string();
            let current = all.iter().find(|r| {
                r.text("starts_on").is_some_and(|s| s <= today.as_str())
                    && r.text("ends_on").is_some_and(|e| e >= today.as_str())
            });
            match current.or(all.last()) {
                Some(r) => r.clone(),
                None => return Ok(None),
            }
        }
    };
    let audits = state.store.programme_audits(programme.id).await?;
    // Weaknesses found in the year before the cycle ask for a second look.
    let start = programme
        .text("starts_on")
        .and_then(|s| s.parse::<Date>().ok())
        .unwrap_or_else(crate::registers::today);
    let year_before = start
        .checked_sub(jiff::Span::new().years(1))
        .unwrap_or(start);
    let (a, b) = period_ms(year_before, start.yesterday().unwrap_or(start));
    let attention: HashMap<String, i64> = state
        .store
        .audit_attention(a, b)
        .await?
        .into_iter()
        .collect();
    let planned: Vec<(String, bool, Vec<String>)> = audits
        .iter()
        .filter(|a| a.state != "cancelled")
        .map(|a| {
            (
                a.number.clone(),
                matches!(a.state.as_str(), "reported" | "closed"),
                a.scope.split_whitespace().map(str::to_owned).collect(),
            )
        })
        .collect();
    Ok(Some(ProgrammeCoverage {
        coverage: ia::coverage(&planned, &attention),
        audits,
        programme,
    }))
}

/// The audits that cover the requirement `clause`.
pub async fn covering(state: &AppState, clause: &str) -> AppResult<Vec<PlannedAudit>> {
    Ok(state.store.audits_covering(clause).await?)
}
