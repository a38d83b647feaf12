//! Internal audits (ISO/IEC 20000-1 9.2), a kind of the work-record kernel:
//! the operations the API, the web UI and the demo share. An audit belongs
//! to a programme (a register, `APR-0001`), covers clauses of the catalogue,
//! is led by its assignee with a team (none of whom may audit a process they
//! hold a role in), runs from its first day to its target date, draws
//! reproducible samples and records findings ([`crate::findings`]).

pub mod api;
mod checklist;
mod coverage;
pub mod demo;
pub mod report;
mod samples;
pub mod web;

pub use checklist::{Checklist, ChecklistItem, checklist};
pub use coverage::{ProgrammeCoverage, coverage, covering};
pub use samples::{RedrawView, SampleInput, SampleView, redraw, sample, samples};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor};
use steward_domain::error::Problems;
use steward_domain::internal_audit::{self as ia, AuditState, Holding, STEPS};
use steward_domain::kind::{Kind, StateMachine, Verb, parse_step};
use steward_domain::nonconformity::Analysis;
use steward_domain::number::NumberKind;
use steward_domain::register::Register;
use steward_store::{Audit, AuditActor, AuditFields, AuditPlan, NewAudit, Page, SmsRecord};

use crate::AppState;
use crate::core_fields::{
    RecordView, new_core, new_record_input, patch_refs, patched_core, record_patch,
};
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::views::opt_time;

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

pub use crate::period::day_of;

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
