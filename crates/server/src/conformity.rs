//! The conformity view's operations: every check of the registry evaluated
//! from the store's figures, shared by the API, the web UI and the CLI.

use jiff::civil::Date;
use steward_domain::access::{Action, Actor};
use steward_domain::conformity::Figure;
use steward_domain::conformity::checks::checks_for;
use steward_domain::conformity::{
    Assessment, Check, CheckResult, Outcome, REGISTRY, Requirement, assess, catalogue, check,
    evaluate, requirement_outcome,
};
use steward_domain::error::Problems;
use steward_domain::incident::CommentVisibility;
use steward_domain::text;
use steward_store::{AuditActor, Evidence, Gap, NewEvidence, RequirementNote, SnapshotRow, now_ms};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::registers::{figure_at, today};

/// How many gap records a check lists.
pub const GAP_LIMIT: i64 = 50;

/// Evaluates the checks at `now`, their figures aggregated concurrently.
async fn results(
    state: &AppState,
    checks: impl IntoIterator<Item = &'static Check>,
    now: i64,
) -> AppResult<Vec<CheckResult>> {
    let at = figure_at(state, now);
    let mut set = tokio::task::JoinSet::new();
    let mut n = 0;
    for (i, c) in checks.into_iter().enumerate() {
        let store = state.store.clone();
        let at = at.clone();
        set.spawn(async move { (i, store.figure(c.figure, &at).await.map(|f| evaluate(c, f))) });
        n += 1;
    }
    let mut out = vec![None; n];
    while let Some(joined) = set.join_next().await {
        let (i, result) = joined.map_err(AppError::internal)?;
        out[i] = Some(result?);
    }
    Ok(out.into_iter().flatten().collect())
}

/// The whole catalogue, judged now.
pub async fn assessment(state: &AppState, actor: &Actor) -> AppResult<Assessment> {
    require(actor, Action::ConformityRead, None)?;
    Ok(assess(&results(state, REGISTRY, now_ms()).await?))
}

/// A past date asked for by people: `YYYY-MM-DD`, today or earlier. `None`
/// (or today) means now.
pub fn parse_as_of(raw: Option<&str>) -> AppResult<Option<Date>> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let d: Date = raw
        .parse()
        .map_err(|_| AppError::field("as_of", "must be a date written YYYY-MM-DD"))?;
    let today = today();
    if d > today {
        return Err(AppError::field(
            "as_of",
            format!("must be today ({today}) or earlier"),
        ));
    }
    Ok((d < today).then_some(d))
}

/// The catalogue judged as it was on `as_of` (from the snapshot of that day
/// or the latest before it), or now. Also says which day the snapshot is of.
pub async fn assessment_as_of(
    state: &AppState,
    actor: &Actor,
    as_of: Option<Date>,
) -> AppResult<(Assessment, Option<String>)> {
    require(actor, Action::ConformityRead, None)?;
    judged_as_of(state, as_of).await
}

/// The catalogue judged as of `as_of` or now, for callers that have already
/// decided who may see it (the report, which the CLI also writes).
pub async fn judged_as_of(
    state: &AppState,
    as_of: Option<Date>,
) -> AppResult<(Assessment, Option<String>)> {
    let Some(day) = as_of else {
        return Ok((assess(&results(state, REGISTRY, now_ms()).await?), None));
    };
    let rows = state.store.snapshot_as_of(&day.to_string()).await?;
    let taken = rows.first().map(|r| r.day.clone());
    Ok((assess(&from_snapshot(&rows)), taken))
}

/// Check results as a snapshot kept them, judged by today's rules.
fn from_snapshot(rows: &[SnapshotRow]) -> Vec<CheckResult> {
    rows.iter()
        .filter_map(|r| {
            let c = check(&r.check_id)?;
            Some(evaluate(
                c,
                Figure {
                    counted: r.counted,
                    good: r.good,
                },
            ))
        })
        .collect()
}

/// Evaluates every check now and keeps the result as today's snapshot; also
/// records today's value of the objectives measured by Steward.
pub async fn take_snapshot(state: &AppState) -> AppResult<usize> {
    let results = results(state, REGISTRY, now_ms()).await?;
    let rows: Vec<SnapshotRow> = results
        .iter()
        .map(|r| SnapshotRow {
            day: today().to_string(),
            check_id: r.check.to_owned(),
            outcome: r.outcome.as_str().to_owned(),
            counted: r.figure.counted,
            good: r.figure.good,
        })
        .collect();
    state
        .store
        .save_snapshot(&today().to_string(), &rows)
        .await?;
    crate::registers::record_objective_values(state).await?;
    Ok(rows.len())
}

/// Takes the day's snapshot at start and then every hour (each run replaces
/// the day's earlier one, so the last run of a day is what the day keeps),
/// and queues the monthly service reports still owed and the periodic
/// surveys' rounds due, until `stop` fires.
pub async fn run_snapshots(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = take_snapshot(&state).await {
            tracing::warn!(error = %e, "conformity snapshot failed; will retry");
        }
        if state.config.service_reports_monthly
            && let Err(e) = crate::service_reports::queue_due(&state).await
        {
            tracing::warn!(error = %e, "cannot queue the monthly service reports; will retry");
        }
        if let Err(e) = crate::surveys::queue_due(&state).await {
            tracing::warn!(error = %e, "cannot queue the periodic surveys; will retry");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = stop.changed() => break,
        }
    }
}

/// Overall readiness per day over the last `days` days of snapshots.
pub async fn trend(state: &AppState, days: i64) -> AppResult<Vec<(String, Option<f64>)>> {
    let since = today()
        .checked_sub(jiff::Span::new().days(days))
        .unwrap_or(today());
    let rows = state.store.snapshots_since(&since.to_string()).await?;
    let mut out = Vec::new();
    for day in rows.chunk_by(|a, b| a.day == b.day) {
        out.push((day[0].day.clone(), assess(&from_snapshot(day)).overall));
    }
    Ok(out)
}

/// One check with the records it counted as gaps.
pub struct CheckDetail {
    pub check: &'static Check,
    pub result: CheckResult,
    pub gaps: Vec<Gap>,
}

/// One requirement with its checks, their figures and their gaps, what
/// people added to it, and its checks' history.
pub struct RequirementDetail {
    pub requirement: &'static Requirement,
    pub outcome: Outcome,
    pub checks: Vec<CheckDetail>,
    /// The day of the snapshot shown, when a past date was asked for.
    pub as_of: Option<String>,
    pub note: Option<RequirementNote>,
    pub evidence: Vec<Evidence>,
    /// Per check of the requirement: (day, outcome) over the last 30 days.
    pub history: Vec<(&'static str, Vec<(String, Outcome)>)>,
}

/// A requirement by clause number, or 404; as it was on `as_of`, or now.
pub async fn requirement(
    state: &AppState,
    actor: &Actor,
    clause: &str,
    as_of: Option<Date>,
) -> AppResult<RequirementDetail> {
    require(actor, Action::ConformityRead, None)?;
    let requirement = catalogue()
        .requirement(clause.trim())
        .ok_or(AppError::NotFound)?;
    let now = now_ms();
    let own: Vec<&'static Check> = checks_for(&requirement.clause).collect();
    let (evaluated, taken) = match as_of {
        None => (results(state, own.iter().copied(), now).await?, None),
        Some(day) => {
            let rows = state.store.snapshot_as_of(&day.to_string()).await?;
            let taken = rows.first().map(|r| r.day.clone());
            let past = from_snapshot(&rows);
            // A check the snapshot did not have shows as not assessed then.
            let list = own
                .iter()
                .map(|c| {
                    past.iter()
                        .find(|r| r.check == c.id)
                        .cloned()
                        .unwrap_or(CheckResult {
                            check: c.id,
                            outcome: Outcome::NotAssessed,
                            figure: Figure::default(),
                            target: c.rule.describe(),
                        })
                })
                .collect();
            (list, taken)
        }
    };
    let mut checks = Vec::new();
    for (c, result) in own.iter().copied().zip(evaluated) {
        // Gaps are today's records: a past view shows the figures only.
        let gaps = if as_of.is_some() || matches!(result.outcome, Outcome::Met | Outcome::NoData) {
            Vec::new()
        } else {
            state
                .store
                .figure_gaps(c.figure, &figure_at(state, now), GAP_LIMIT)
                .await?
        };
        checks.push(CheckDetail {
            check: c,
            result,
            gaps,
        });
    }
    let outcomes: Vec<Outcome> = checks.iter().map(|c| c.result.outcome).collect();
    let since = today()
        .checked_sub(jiff::Span::new().days(30))
        .unwrap_or(today());
    let rows = state.store.snapshots_since(&since.to_string()).await?;
    let history = own
        .iter()
        .map(|c| {
            let days = rows
                .iter()
                .filter(|r| r.check_id == c.id)
                .map(|r| {
                    let f = Figure {
                        counted: r.counted,
                        good: r.good,
                    };
                    (r.day.clone(), evaluate(c, f).outcome)
                })
                .collect();
            (c.id, days)
        })
        .collect();
    Ok(RequirementDetail {
        requirement,
        outcome: requirement_outcome(&outcomes),
        checks,
        as_of: taken,
        note: state.store.requirement_note(&requirement.clause).await?,
        evidence: state.store.evidence(&requirement.clause).await?,
        history,
    })
}

/// What a manager says of a requirement: its owner, who operates it, the
/// controls kept over another party, notes.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementInput {
    /// A staff member's e-mail; empty for none.
    pub owner: Option<String>,
    /// us (default) or other_party.
    pub operated_by: Option<String>,
    /// The controls kept over the other party that operates it.
    pub controls: Option<String>,
    pub notes: Option<String>,
}

pub async fn set_requirement(
    state: &AppState,
    actor: &Actor,
    clause: &str,
    input: &RequirementInput,
    if_match: Option<i64>,
) -> AppResult<RequirementNote> {
    require(actor, Action::ConformityRead, None)?;
    let requirement = catalogue()
        .requirement(clause.trim())
        .ok_or(AppError::NotFound)?;
    require(actor, Action::RequirementWrite, None)?;
    let current = state
        .store
        .requirement_note(&requirement.clause)
        .await?
        .unwrap_or_default();
    let mut p = Problems::default();
    let operated_by = input.operated_by.clone().unwrap_or_else(|| {
        Some(current.operated_by.clone())
            .filter(|o| !o.is_empty())
            .unwrap_or("us".into())
    });
    if !matches!(operated_by.as_str(), "us" | "other_party") {
        p.add("operated_by", "must be us or other_party");
    }
    let controls = text::optional_body(
        &mut p,
        "controls",
        input.controls.as_deref().unwrap_or(&current.controls),
        text::BODY_MAX,
    );
    if operated_by == "other_party" && controls.is_empty() {
        p.add(
            "controls",
            "say which controls you keep over the party that operates it",
        );
    }
    let notes = text::optional_body(
        &mut p,
        "notes",
        input.notes.as_deref().unwrap_or(&current.notes),
        text::BODY_MAX,
    );
    let owner_email = match &input.owner {
        Some(o) => Some(o.trim().to_lowercase()).filter(|o| !o.is_empty()),
        None => current.owner_email.clone(),
    };
    let owner = match &owner_email {
        Some(e) => {
            let kept = current.owner_email.as_deref() == Some(e.as_str());
            match crate::registers::staff(state, e, kept).await? {
                Some(u) => Some(u),
                None => {
                    p.add(
                        "owner",
                        format!("{e:?} is not an active admin, manager or agent"),
                    );
                    None
                }
            }
        }
        None => None,
    };
    p.finish(())?;
    let note = RequirementNote {
        clause: requirement.clause.clone(),
        owner_id: owner.as_ref().map(|u| u.id),
        owner_email: owner.as_ref().map(|u| u.email.clone()),
        owner_name: owner.map(|u| u.name),
        operated_by,
        controls,
        notes,
        ..Default::default()
    };
    Ok(state
        .store
        .set_requirement_note(&AuditActor::from(actor), &note, if_match)
        .await?)
}

/// Manual evidence: a record of Steward, a file, or a note, with a note.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// A record's number: INC-000123, SVC-0001, RSK-0004, DOC-0002, ...
    pub record: Option<String>,
    /// What the evidence shows (required for a note on its own).
    #[serde(default)]
    pub note: String,
}

pub async fn add_evidence(
    state: &AppState,
    actor: &Actor,
    clause: &str,
    input: &EvidenceInput,
    file: Option<crate::attachments::UploadedFile>,
) -> AppResult<Evidence> {
    require(actor, Action::ConformityRead, None)?;
    let requirement = catalogue()
        .requirement(clause.trim())
        .ok_or(AppError::NotFound)?;
    require(actor, Action::EvidenceWrite, None)?;
    let mut p = Problems::default();
    let record = input
        .record
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let note = if record.is_none() && file.is_none() {
        text::required_body(&mut p, "note", &input.note, text::BODY_MAX)
    } else {
        text::optional_body(&mut p, "note", &input.note, text::BODY_MAX)
    };
    if record.is_some() && file.is_some() {
        p.add("record", "link a record or attach a file, not both at once");
    }
    let found = match record {
        Some(key) => match find_record(state, actor, key).await? {
            Some(found) => Some(found),
            None => {
                p.add(
                    "record",
                    format!("{key:?} names no incident, service or SMS record"),
                );
                None
            }
        },
        None => None,
    };
    let file = match file {
        Some(f) => Some(crate::attachments::check_file(state, f)?),
        None => None,
    };
    p.finish(())?;
    let kind = if found.is_some() {
        "record"
    } else if file.is_some() {
        "file"
    } else {
        "note"
    };
    let (record_type, record_key) = match found {
        Some((t, k)) => (Some(t.to_owned()), Some(k)),
        None => (None, None),
    };
    // The file is written first; its record and the evidence are then one
    // transaction, and the file is removed again if that fails.
    let staged = match file {
        Some(f) => {
            Some(crate::attachments::stage(state, None, CommentVisibility::Internal, f).await?)
        }
        None => None,
    };
    let result = state
        .store
        .add_evidence(
            &AuditActor::from(actor),
            &NewEvidence {
                clause: requirement.clause.clone(),
                kind: kind.into(),
                record_type,
                record_key,
                file_id: None,
                note,
            },
            staged.as_ref().map(|(n, _)| n),
        )
        .await;
    if result.is_err()
        && let Some((_, path)) = &staged
    {
        let _ = tokio::fs::remove_file(path).await;
    }
    Ok(result?)
}

/// The type and canonical number of a record named by a person, if it exists.
async fn find_record(
    state: &AppState,
    actor: &Actor,
    key: &str,
) -> AppResult<Option<(&'static str, String)>> {
    use steward_domain::number::NumberKind;
    if let Some(n) = NumberKind::Incident.canonical(key) {
        return Ok(crate::incidents::get(state, actor, &n)
            .await
            .ok()
            .map(|_| ("incident", n)));
    }
    if let Some(n) = NumberKind::Service.canonical(key) {
        return Ok(state
            .store
            .service(&n, steward_domain::access::Visibility::All)
            .await
            .ok()
            .map(|_| ("service", n)));
    }
    if let Some(r) = steward_domain::register::Register::of_number(key)
        && let Some(n) = NumberKind::Record(r).canonical(key)
    {
        return Ok(state
            .store
            .sms_record_id(r, &n)
            .await?
            .map(|_| ("record", n)));
    }
    Ok(None)
}

/// A manual evidence file, with its bytes (staff and auditors).
pub async fn evidence_file(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> AppResult<(steward_store::RecordFile, Vec<u8>)> {
    require(actor, Action::ConformityRead, None)?;
    let f = state.store.record_file(id).await?;
    if f.record_id.is_some() {
        return Err(AppError::NotFound);
    }
    let bytes = crate::attachments::read_stored(state, &f.storage_key).await?;
    Ok((f, bytes))
}

/// Where an evidence record is shown in the web UI.
pub fn evidence_link(e: &Evidence) -> Option<String> {
    match (e.record_type.as_deref(), e.record_key.as_deref(), e.file_id) {
        (Some("incident"), Some(k), _) => Some(format!("/incidents/{k}")),
        (Some("service"), _, _) => Some("/services".into()),
        (Some("record"), Some(k), _) => steward_domain::register::Register::of_number(k)
            .map(|r| format!("/sms/{}/{k}", r.slug())),
        (_, _, Some(id)) => Some(format!("/conformity/files/{id}")),
        _ => None,
    }
}

/// Where a gap record is shown in the web UI, if it has a page: a work
/// record of any kind on its kind's page.
pub fn gap_link(g: &Gap) -> Option<String> {
    if let Some(kind) = steward_domain::kind::Kind::parse(&g.kind) {
        return Some(format!("/{}/{}", kind.spec().path, g.record_key));
    }
    match g.kind.as_str() {
        "service" => Some("/services".to_owned()),
        "organisation" => Some("/admin/organisations".to_owned()),
        "audit_trail" => Some("/audit".to_owned()),
        "requirement" => Some(format!("/conformity/{}", g.record_key)),
        "mail" => g
            .record_key
            .strip_prefix("MAIL-")
            .map(|id| format!("/mail/{id}")),
        "service_report" => Some(format!("/service-reports?organisation={}", g.record_key)),
        "surveys" => Some("/surveys".to_owned()),
        "record" => steward_domain::register::Register::of_number(&g.record_key)
            .map(|r| format!("/sms/{}/{}", r.slug(), g.record_key)),
        _ => None,
    }
}

/// Whether the actor may add evidence: asked before a body is read.
pub fn may_add_evidence(actor: &Actor) -> AppResult<()> {
    crate::policy::require(actor, Action::EvidenceWrite, None)
}
