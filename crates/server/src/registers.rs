//! Operations on the SMS registers shared by the API, the web UI and the CLI:
//! check input with the register's fields (domain), resolve the people,
//! services and records it names, and write through the store.

use serde_json::{Map, Value as Json};
use steward_domain::access::{Action, Actor, Role};
use steward_domain::audit::Changes;
use steward_domain::conformity::FigureId;
use steward_domain::document::{self, Step, StepRequest};
use steward_domain::error::Problems;
use steward_domain::number::NumberKind;
use steward_domain::register::{self, Context, FieldType, Raci, Register, Target, Value, Values};
use steward_store::{AuditActor, FieldValue, FigureAt, RecordWrite, SmsLink, SmsRecord, now_ms};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::views::{RecordFileView, RecordPage, RecordView};

/// Today's date in UTC: what date fields are compared with.
pub fn today() -> jiff::civil::Date {
    jiff::ZonedDateTime::new(jiff::Timestamp::now(), jiff::tz::TimeZone::UTC).date()
}

pub fn context(state: &AppState) -> Context {
    Context {
        today: today(),
        risk_scale: state.config.risk_scale().unwrap_or_default(),
    }
}

/// When figures are computed: now, today, and the score that is a high risk.
pub fn figure_at(state: &AppState, now: i64) -> FigureAt {
    FigureAt {
        now,
        today: today().to_string(),
        high_score: context(state).risk_scale.high_from(),
    }
}

/// The canonical number of a record of `register`, or 404.
pub fn canonical(register: Register, number: &str) -> AppResult<String> {
    NumberKind::Record(register)
        .canonical(number)
        .ok_or(AppError::NotFound)
}

/// A stored record as the domain's values, to check a change against.
pub fn values_of(r: &SmsRecord) -> Values {
    let mut v = Values::new();
    v.insert("title", Value::Text(r.title.clone()));
    v.insert("description", Value::Text(r.description.clone()));
    v.insert("status", Value::Text(r.status.clone()));
    for f in r.register.fields() {
        let value = match f.ty {
            FieldType::Links(_) => {
                // Sorted as the parser sorts them, so an unchanged list is no change.
                let mut keys: Vec<String> = r.links_of(f.name).map(|l| l.key.clone()).collect();
                keys.sort();
                keys.dedup();
                Value::Refs(keys)
            }
            FieldType::Raci => Value::Raci(
                r.links_of(f.name)
                    .filter_map(|l| Some((l.key.clone(), Raci::parse(l.value.as_deref()?)?)))
                    .collect(),
            ),
            FieldType::Date(_) => match r.text(f.name).map(str::parse) {
                Some(Ok(d)) => Value::Date(d),
                _ => Value::Null,
            },
            _ => match r.value(f.name) {
                FieldValue::Null => Value::Null,
                FieldValue::Int(i) => Value::Int(*i),
                FieldValue::Real(x) => Value::Real(*x),
                FieldValue::Text(s) => Value::Text(s.clone()),
                FieldValue::User { email, .. } => Value::Text(email.clone()),
            },
        };
        v.insert(f.name, value);
    }
    v
}

/// Resolves the references of checked values and collects the audit changes.
async fn to_write(
    state: &AppState,
    register: Register,
    values: &Values,
    before: Option<&Values>,
) -> AppResult<RecordWrite> {
    let mut p = Problems::default();
    let mut out = RecordWrite {
        register,
        title: text(values, "title"),
        description: text(values, "description"),
        status: text(values, "status"),
        values: Default::default(),
        links: Vec::new(),
        changes: Changes::default(),
    };
    for f in register.fields() {
        let value = values.get(f.name).unwrap_or(&Value::Null);
        let had = before.and_then(|b| b.get(f.name));
        let kept_ref = |key: &str| match had {
            Some(Value::Refs(keys)) => keys.iter().any(|k| k == key),
            Some(Value::Text(t)) => t == key,
            _ => false,
        };
        match (f.ty, value) {
            (_, Value::Null) => {
                out.values.insert(f.name, FieldValue::Null);
            }
            (FieldType::User, Value::Text(email)) => {
                match staff(state, email, kept_ref(email)).await? {
                    Some(u) => {
                        out.values.insert(
                            f.name,
                            FieldValue::User {
                                id: u.id,
                                email: u.email,
                                name: u.name,
                            },
                        );
                    }
                    None => p.add(
                        f.name,
                        format!("{email:?} is not an active member of staff"),
                    ),
                }
            }
            (FieldType::Links(target), Value::Refs(keys)) => {
                for key in keys {
                    let id = match target {
                        Target::User => staff(state, key, kept_ref(key)).await?.map(|u| u.id),
                        Target::Service => match NumberKind::Service.canonical(key) {
                            Some(n) => state
                                .store
                                .service(&n, steward_domain::access::Visibility::All)
                                .await
                                .ok()
                                .map(|s| s.id),
                            None => None,
                        },
                        Target::Record(r) => match NumberKind::Record(r).canonical(key) {
                            Some(n) => state.store.sms_record_id(r, &n).await?,
                            None => None,
                        },
                    };
                    match id {
                        Some(id) => out.links.push(SmsLink {
                            field: f.name.to_owned(),
                            target_type: target.as_str().to_owned(),
                            target_id: Some(id),
                            key: key.clone(),
                            label: String::new(),
                            value: None,
                        }),
                        None => p.add(
                            f.name,
                            match target {
                                Target::User => {
                                    format!("{key:?} is not an active admin, manager or agent")
                                }
                                Target::Service => format!("{key:?} is not a service"),
                                Target::Record(r) => {
                                    format!("{key:?} is not a record of {}", r.label())
                                }
                            },
                        ),
                    }
                }
            }
            (FieldType::Raci, Value::Raci(map)) => {
                for (clause, letter) in map {
                    out.links.push(SmsLink {
                        field: f.name.to_owned(),
                        target_type: "process".into(),
                        target_id: None,
                        key: clause.clone(),
                        label: String::new(),
                        value: Some(letter.as_str().to_owned()),
                    });
                }
            }
            (_, Value::Int(i)) => {
                out.values.insert(f.name, FieldValue::Int(*i));
            }
            (_, Value::Real(x)) => {
                out.values.insert(f.name, FieldValue::Real(*x));
            }
            (_, Value::Date(d)) => {
                out.values.insert(f.name, FieldValue::Text(d.to_string()));
            }
            (_, Value::Text(s)) => {
                out.values.insert(f.name, FieldValue::Text(s.clone()));
            }
            (_, other) => return Err(AppError::internal(format!("{}: {other:?}", f.name))),
        }
    }
    p.finish(())?;
    for (name, after) in values {
        match before.and_then(|b| b.get(name)) {
            Some(b) => out.changes.diff(name, b, after),
            None if !after.is_empty() => out.changes.set(name, after),
            None => {}
        }
    }
    Ok(out)
}

fn text(values: &Values, name: &str) -> String {
    values
        .get(name)
        .and_then(Value::as_text)
        .unwrap_or_default()
        .to_owned()
}

/// A person who can own, approve, hold a role or read a document: an active
/// admin, manager or agent (auditors only read). A reference the record
/// already had (`kept`) stays valid after the person leaves, so that the
/// record can still be edited and keeps its history.
pub(crate) async fn staff(
    state: &AppState,
    email: &str,
    kept: bool,
) -> AppResult<Option<steward_store::User>> {
    crate::admin::worker(&state.store, email, kept).await
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    register: Register,
    input: &Map<String, Json>,
) -> AppResult<SmsRecord> {
    create_with(state, actor, register, input, context(state)).await
}

/// Creates a record judged as of `ctx` (the demo enters records as they were
/// entered months ago, so that some are overdue today).
pub async fn create_with(
    state: &AppState,
    actor: &Actor,
    register: Register,
    input: &Map<String, Json>,
    ctx: Context,
) -> AppResult<SmsRecord> {
    require(actor, Action::SmsWrite, None)?;
    let values = register::parse(register, input, None, ctx)?;
    let w = to_write(state, register, &values, None).await?;
    let r = state
        .store
        .create_sms_record(&AuditActor::from(actor), &w)
        .await?;
    refresh_objective(state, &r).await?;
    Ok(r)
}

pub async fn get(
    state: &AppState,
    actor: &Actor,
    register: Register,
    number: &str,
) -> AppResult<SmsRecord> {
    require(actor, Action::SmsRead, None)?;
    let number = canonical(register, number)?;
    Ok(state.store.sms_record(register, &number).await?)
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    register: Register,
    number: &str,
    input: &Map<String, Json>,
    if_match: Option<i64>,
) -> AppResult<SmsRecord> {
    let current = get(state, actor, register, number).await?;
    require(actor, Action::SmsWrite, None)?;
    let before = values_of(&current);
    let values = register::parse(register, input, Some(&before), context(state))?;
    let w = to_write(state, register, &values, Some(&before)).await?;
    // Without If-Match, the change still applies only to the version it was checked against.
    let expected = Some(if_match.unwrap_or(current.version));
    let r = state
        .store
        .update_sms_record(&AuditActor::from(actor), &current.number, expected, &w)
        .await?;
    refresh_objective(state, &r).await?;
    Ok(r)
}

/// A step of a document's approval workflow.
pub async fn step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    step: &str,
    if_match: Option<i64>,
) -> AppResult<SmsRecord> {
    let doc = get(state, actor, Register::Documents, number).await?;
    require(actor, Action::SmsWrite, None)?;
    let step = Step::parse(step).ok_or_else(|| {
        AppError::field(
            "step",
            "must be one of submit, approve, reject, revise, retire",
        )
    })?;
    let user_id = |field: &str| match doc.value(field) {
        FieldValue::User { id, .. } => Some(*id),
        _ => None,
    };
    let status = document::take(
        step,
        StepRequest {
            status: &doc.status,
            author_id: user_id("owner"),
            approver_id: user_id("reviewer"),
            actor_id: actor.user_id,
            actor_is_admin: actor.role == Role::Admin,
            self_approval_allowed: state.config.document_self_approval,
        },
    )?;
    Ok(state
        .store
        .document_step(
            &AuditActor::from(actor),
            &doc.number,
            Some(if_match.unwrap_or(doc.version)),
            step.as_str(),
            status,
        )
        .await?)
}

/// The actor acknowledges having read the approved version of a document
/// distributed to them.
pub async fn acknowledge(state: &AppState, actor: &Actor, number: &str) -> AppResult<SmsRecord> {
    let doc = get(state, actor, Register::Documents, number).await?;
    require(actor, Action::DocumentAcknowledge, None)?;
    let Some(version) = doc.approved_version.filter(|_| doc.status != "obsolete") else {
        return Err(AppError::Conflict(
            "only a document in force (approved) can be acknowledged".into(),
        ));
    };
    if !doc
        .links_of("distribution")
        .any(|l| l.target_id == Some(actor.user_id))
    {
        return Err(AppError::Forbidden(
            "this document is not distributed to you".into(),
        ));
    }
    state
        .store
        .acknowledge_document(&AuditActor::from(actor), &doc, version, actor.user_id)
        .await?;
    Ok(doc)
}

/// An objective's live value: its Steward figure as a percentage now, or the
/// value entered by hand. `None` when there is nothing to show.
pub async fn live_value(state: &AppState, r: &SmsRecord) -> AppResult<Option<f64>> {
    match r.text("measure").and_then(FigureId::parse) {
        Some(id) => {
            let f = state.store.figure(id, &figure_at(state, now_ms())).await?;
            Ok(f.percent())
        }
        None => Ok(match r.value("actual") {
            FieldValue::Real(x) => Some(*x),
            FieldValue::Int(i) => Some(*i as f64),
            _ => None,
        }),
    }
}

/// Records today's value of an objective measured by Steward as soon as it is
/// created or changed, so that its check does not wait for the next snapshot.
async fn refresh_objective(state: &AppState, r: &SmsRecord) -> AppResult<()> {
    if r.register == Register::Objectives
        && r.text("measure").is_some()
        && let Some(v) = live_value(state, r).await?
    {
        state
            .store
            .record_objective_values(&today().to_string(), &[(r.id, v)])
            .await?;
    }
    Ok(())
}

/// Records today's value of every active objective measured by Steward, for
/// its history and for the `objectives-on-target` check.
pub async fn record_objective_values(state: &AppState) -> AppResult<usize> {
    let mut values = Vec::new();
    let mut after = None;
    loop {
        let page = state
            .store
            .sms_records(Register::Objectives, after, 500)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for r in page.iter().filter(|r| r.status == "active") {
            if r.text("measure").is_some()
                && let Some(v) = live_value(state, r).await?
            {
                values.push((r.id, v));
            }
        }
    }
    state
        .store
        .record_objective_values(&today().to_string(), &values)
        .await?;
    Ok(values.len())
}

/// The register named in a URL, or 404.
pub fn register_of(slug: &str) -> AppResult<Register> {
    Register::from_slug(slug).ok_or(AppError::NotFound)
}

/// A page of a register in number order, after the record numbered `after`.
pub async fn page(
    state: &AppState,
    actor: &Actor,
    register: Register,
    after: Option<&str>,
    limit: Option<i64>,
) -> AppResult<RecordPage> {
    require(actor, Action::SmsRead, None)?;
    let limit = limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::field("limit", "must be between 1 and 500"));
    }
    let after_id = match after.filter(|a| !a.trim().is_empty()) {
        None => None,
        Some(a) => {
            let n = NumberKind::Record(register)
                .canonical(a)
                .ok_or_else(|| AppError::field("after", "must be a number of this register"))?;
            Some(
                state
                    .store
                    .sms_record_id(register, &n)
                    .await?
                    .ok_or_else(|| AppError::field("after", "names no record of this register"))?,
            )
        }
    };
    let records = state.store.sms_records(register, after_id, limit).await?;
    let scale = context(state).risk_scale;
    let next = (records.len() as i64 == limit)
        .then(|| records.last().map(|r| r.number.clone()))
        .flatten();
    Ok(RecordPage {
        items: records
            .iter()
            .map(|r| RecordView::new(r, scale, None))
            .collect(),
        next,
    })
}

/// One record with what only its own page shows: an objective's live value
/// and history, a document's acknowledgements, versions and files.
pub struct Detail {
    pub record: SmsRecord,
    pub view: RecordView,
    pub history: Vec<(String, f64)>,
    pub versions: Vec<(i64, Option<String>, i64)>,
    pub files: Vec<steward_store::RecordFile>,
    /// Who acknowledged the approved version: (user id, name, when).
    pub acks: Vec<(i64, String, i64)>,
}

pub async fn detail(
    state: &AppState,
    actor: &Actor,
    register: Register,
    number: &str,
) -> AppResult<Detail> {
    let record = get(state, actor, register, number).await?;
    let scale = context(state).risk_scale;
    let mut out = Detail {
        view: RecordView::new(&record, scale, None),
        history: Vec::new(),
        versions: Vec::new(),
        files: Vec::new(),
        acks: Vec::new(),
        record,
    };
    match register {
        Register::Objectives => {
            let live = live_value(state, &out.record).await?;
            out.view = RecordView::new(&out.record, scale, live);
            out.history = state.store.objective_history(out.record.id).await?;
        }
        Register::Documents => {
            out.files = state.store.record_files(out.record.id).await?;
            out.versions = state.store.document_versions(out.record.id).await?;
            let acks = match out.record.approved_version {
                Some(v) => {
                    state
                        .store
                        .document_acknowledgements(out.record.id, v)
                        .await?
                }
                None => Vec::new(),
            };
            if let Some(d) = out.view.document.as_mut() {
                d.acknowledged_by = acks.iter().map(|(_, name, _)| name.clone()).collect();
                d.files = out.files.iter().map(RecordFileView::from).collect();
            }
            out.acks = acks;
        }
        _ => {}
    }
    Ok(out)
}

/// Attaches a file to the version of a document being written.
/// Whether the actor may attach a file to the document `number` (404 when
/// there is none, 403 when their role may not): asked before the body is read.
pub async fn may_attach(state: &AppState, actor: &Actor, number: &str) -> AppResult<()> {
    get(state, actor, Register::Documents, number).await?;
    require(actor, Action::SmsWrite, None)
}

/// How many records each register holds (who may read the SMS).
pub async fn counts(state: &AppState, actor: &Actor) -> AppResult<Vec<(String, i64)>> {
    require(actor, Action::SmsRead, None)?;
    Ok(state.store.sms_counts().await?)
}

pub async fn attach(
    state: &AppState,
    actor: &Actor,
    number: &str,
    file: crate::attachments::UploadedFile,
) -> AppResult<steward_store::RecordFile> {
    let doc = get(state, actor, Register::Documents, number).await?;
    require(actor, Action::SmsWrite, None)?;
    if doc.status == "obsolete" {
        return Err(AppError::Conflict(
            "an obsolete document takes no more files".into(),
        ));
    }
    crate::attachments::store_record_file(state, actor, Some(&doc), file).await
}

/// A file of a document, with its bytes.
pub async fn document_file(
    state: &AppState,
    actor: &Actor,
    number: &str,
    id: i64,
) -> AppResult<(steward_store::RecordFile, Vec<u8>)> {
    let doc = get(state, actor, Register::Documents, number).await?;
    let f = state.store.record_file(id).await?;
    if f.record_id != Some(doc.id) {
        return Err(AppError::NotFound);
    }
    let bytes = crate::attachments::read_stored(state, &f.storage_key).await?;
    Ok((f, bytes))
}
