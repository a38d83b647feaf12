//! The SMS pages: one record.

use super::*;

pub struct Shown {
    label: &'static str,
    value: String,
    /// Links shown as a list, each with its page when it has one.
    links: Vec<(String, Option<String>)>,
}

pub struct StepButton {
    step: &'static str,
    label: &'static str,
}

pub struct FileRow {
    id: i64,
    name: String,
    size: i64,
    version: String,
    by: String,
    at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "sms_record.html")]
pub struct RecordPage {
    nav: Option<Nav>,
    csrf: String,
    slug: &'static str,
    label: &'static str,
    number: String,
    title: String,
    status: String,
    description: String,
    shown: Vec<Shown>,
    headline: String,
    level: &'static str,
    history: String,
    target_y: Option<String>,
    history_label: String,
    is_document: bool,
    steps: Vec<StepButton>,
    may_acknowledge: bool,
    acknowledged: bool,
    acknowledged_by: Vec<String>,
    versions: Vec<String>,
    files: Vec<FileRow>,
    can_write: bool,
    fields: Vec<FormField>,
    errors: Errors,
    message: &'static str,
    /// The version the forms were drawn from: a save over a newer one is refused.
    version: i64,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct RecordQuery {
    m: Option<String>,
}

fn link_href(target_type: &str, key: &str) -> Option<String> {
    match target_type {
        "service" => Some("/services".into()),
        "record" => Register::of_number(key).map(|r| format!("/sms/{}/{key}", r.slug())),
        "process" => Some(format!("/conformity/{key}")),
        _ => None,
    }
}

async fn record_page(
    state: &AppState,
    s: &WebSession,
    register: Register,
    number: &str,
    typed: Option<Map<String, Json>>,
    errors: Errors,
    message: &'static str,
) -> WebResult<RecordPage> {
    let d = registers::detail(state, &s.actor, register, number).await?;
    let r = &d.record;
    let tz = s
        .user
        .time_zone
        .clone()
        .unwrap_or_else(|| s.user.org_time_zone.clone());
    let mut shown = Vec::new();
    for f in register.fields() {
        let (value, links) = match f.ty {
            FieldType::Links(_) => (
                String::new(),
                r.links_of(f.name)
                    .map(|l| {
                        let text = if l.target_type == "user" {
                            l.label.clone()
                        } else if l.label.is_empty() || l.label == l.key {
                            l.key.clone()
                        } else {
                            format!("{} {}", l.key, l.label)
                        };
                        (text, link_href(&l.target_type, &l.key))
                    })
                    .collect(),
            ),
            FieldType::Raci => (
                String::new(),
                r.links_of(f.name)
                    .map(|l| {
                        (
                            format!("{} {}", l.value.as_deref().unwrap_or(""), l.key),
                            link_href("process", &l.key),
                        )
                    })
                    .collect(),
            ),
            FieldType::Figure => (
                r.text(f.name)
                    .and_then(steward_domain::conformity::FigureId::parse)
                    .and_then(|id| id.check())
                    .map(|c| c.title.to_owned())
                    .unwrap_or_default(),
                Vec::new(),
            ),
            _ => (
                match r.value(f.name) {
                    FieldValue::Null => String::new(),
                    FieldValue::Int(i) => i.to_string(),
                    FieldValue::Real(x) => plain_number(*x),
                    FieldValue::Text(t) => t.replace('_', " "),
                    FieldValue::User { name, email, .. } => format!("{name} <{email}>"),
                },
                Vec::new(),
            ),
        };
        shown.push(Shown {
            label: f.label,
            value,
            links,
        });
    }
    let v = &d.view;
    let headline = match register {
        Register::Risks => v
            .score
            .map(|sc| format!("Score {sc} ({})", v.level.unwrap_or("")))
            .unwrap_or_default(),
        Register::Objectives => match v.value {
            Some(val) => format!(
                "Now {}{} — {}",
                plain_number(val),
                r.text("unit").map(|u| format!(" {u}")).unwrap_or_default(),
                match v.on_target {
                    Some(true) => "on target",
                    Some(false) => "off target",
                    None => "no target",
                }
            ),
            None => "No value yet".into(),
        },
        _ => String::new(),
    };
    // An objective's history as an SVG polyline on a 300 x 60 box, scaled to
    // the range of its values and its target (drawn as a dashed line).
    let target = match r.value("target") {
        FieldValue::Real(x) => Some(*x),
        _ => None,
    };
    let (history, target_y, history_label) = if d.history.len() >= 2 {
        let values = d.history.iter().map(|(_, v)| *v).chain(target);
        let lo = values.clone().fold(f64::INFINITY, f64::min);
        let hi = values.fold(f64::NEG_INFINITY, f64::max);
        let span = (hi - lo).max(1.0);
        let y = |v: f64| 55.0 - (v - lo) / span * 50.0;
        let n = d.history.len() as f64 - 1.0;
        let points = d
            .history
            .iter()
            .enumerate()
            .map(|(i, (_, v))| format!("{:.1},{:.1}", i as f64 * 300.0 / n, y(*v)))
            .collect::<Vec<_>>()
            .join(" ");
        let first = &d.history[0];
        let last = &d.history[d.history.len() - 1];
        (
            points,
            target.map(|t| format!("{:.1}", y(t))),
            format!(
                "{} {} to {} {}{}",
                first.0,
                plain_number(first.1),
                last.0,
                plain_number(last.1),
                target
                    .map(|t| format!("; target {} (dashed)", plain_number(t)))
                    .unwrap_or_default()
            ),
        )
    } else {
        (String::new(), None, String::new())
    };
    let is_document = register == Register::Documents;
    let can_write = can(s, Action::SmsWrite);
    let acknowledged_by = v
        .document
        .as_ref()
        .map(|d| d.acknowledged_by.clone())
        .unwrap_or_default();
    let distributed = r
        .links_of("distribution")
        .any(|l| l.target_id == Some(s.actor.user_id));
    let in_force = r.approved_version.is_some() && r.status != "obsolete";
    let acknowledged = in_force && d.acks.iter().any(|(id, _, _)| *id == s.actor.user_id);
    Ok(RecordPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        slug: register.slug(),
        label: register.label(),
        number: r.number.clone(),
        title: r.title.clone(),
        status: r.status.clone(),
        description: r.description.clone(),
        shown,
        headline,
        level: v.level.unwrap_or(""),
        history,
        target_y,
        history_label,
        is_document,
        steps: if is_document && can_write {
            steps_from(&r.status)
                .into_iter()
                .map(|st| StepButton {
                    step: st.as_str(),
                    label: st.label(),
                })
                .collect()
        } else {
            Vec::new()
        },
        may_acknowledge: in_force && distributed && !acknowledged,
        acknowledged,
        acknowledged_by,
        versions: d
            .versions
            .iter()
            .map(|(n, by, at)| {
                format!(
                    "v{n} approved {}{}",
                    local_time(*at, &tz),
                    by.as_ref().map(|b| format!(" by {b}")).unwrap_or_default()
                )
            })
            .collect(),
        files: d
            .files
            .iter()
            .map(|f| FileRow {
                id: f.id,
                name: f.file_name.clone(),
                size: f.size,
                version: f.version_no.map(|v| format!("v{v}")).unwrap_or_default(),
                by: f.uploaded_by_name.clone().unwrap_or_default(),
                at: local_time(f.created_at, &tz),
            })
            .collect(),
        can_write,
        fields: form_fields(register, &typed.unwrap_or_else(|| form_values(r))),
        errors,
        message,
        version: r.version,
    })
}

/// A number as people write it: at most two decimals, no trailing zeros.
fn plain_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn message_of(m: Option<&str>) -> &'static str {
    match m {
        Some("saved") => "Saved.",
        Some("step") => "Done.",
        Some("acknowledged") => "Thank you: your acknowledgement is recorded.",
        Some("attached") => "File attached.",
        _ => "",
    }
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path((slug, number)): Path<(String, String)>,
    Query(q): Query<RecordQuery>,
) -> WebResult<RecordPage> {
    let register = register_of(&slug)?;
    record_page(
        &state,
        &s,
        register,
        &number,
        None,
        Errors::default(),
        message_of(q.m.as_deref()),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Path((slug, number)): Path<(String, String)>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let register = register_of(&slug)?;
    let s = f.session;
    let version = f
        .form
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok());
    let mut problems = Vec::new();
    let input = input_of(register, f.form, &mut problems);
    let result = if problems.is_empty() {
        registers::update(&state, &s.actor, register, &number, &input, version).await
    } else {
        Err(AppError::Validation(steward_domain::ValidationError(
            problems,
        )))
    };
    match result {
        Ok(r) => Ok(
            Redirect::to(&format!("/sms/{}/{}?m=saved", register.slug(), r.number)).into_response(),
        ),
        Err(AppError::Validation(v)) => {
            let page =
                record_page(&state, &s, register, &number, Some(input), Errors(v.0), "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct StepForm {
    step: String,
    version: Option<i64>,
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let s = f.session;
    match registers::step(&state, &s.actor, &number, &f.form.step, f.form.version).await {
        Ok(r) => Ok(Redirect::to(&format!("/sms/documents/{}?m=step", r.number)).into_response()),
        // A step refused is shown on the document's page, as on every record's.
        Err(e) => {
            let (status, errors) = crate::web::record::refusal(e, "document")?;
            let page = record_page(
                &state,
                &s,
                Register::Documents,
                &number,
                None,
                Errors(errors),
                "",
            )
            .await?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn acknowledge(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<crate::web::NoFields>,
) -> WebResult<Response> {
    let r = registers::acknowledge(&state, &f.session.actor, &number).await?;
    Ok(Redirect::to(&format!("/sms/documents/{}?m=acknowledged", r.number)).into_response())
}

pub async fn attach(
    State(state): State<AppState>,
    s: WebSession,
    headers: axum::http::HeaderMap,
    Path(number): Path<String>,
    multipart: axum::extract::Multipart,
) -> WebResult<Response> {
    // Who may attach files to documents is answered before the body is read.
    registers::may_attach(&state, &s.actor, &number).await?;
    let mut form =
        crate::web::multipart::page_multipart(&state, &s, &headers, multipart, &[], 1).await?;
    let result = match form.files.pop() {
        Some(file) => registers::attach(&state, &s.actor, &number, file).await,
        None => Err(AppError::field("file", "is required")),
    };
    match result {
        Ok(_) => {
            let n = registers::canonical(Register::Documents, &number)?;
            Ok(Redirect::to(&format!("/sms/documents/{n}?m=attached")).into_response())
        }
        Err(AppError::Validation(v)) => {
            let page = record_page(
                &state,
                &s,
                Register::Documents,
                &number,
                None,
                Errors(v.0),
                "",
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn download(
    State(state): State<AppState>,
    s: WebSession,
    Path((number, id)): Path<(String, i64)>,
) -> WebResult<Response> {
    let (f, bytes) = registers::document_file(&state, &s.actor, &number, id).await?;
    Ok(crate::attachments::download_response(
        &f.file_name,
        &f.content_type,
        bytes,
    ))
}
