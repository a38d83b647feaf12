//! The SMS pages: one register.

use super::*;

pub struct Row {
    number: String,
    title: String,
    status: String,
    owner: String,
    date: String,
    extra: String,
    level: &'static str,
}

pub struct HeatCell {
    x: i64,
    y: i64,
    count: i64,
    level: &'static str,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "sms_list.html")]
pub struct ListPage {
    nav: Option<Nav>,
    csrf: String,
    slug: &'static str,
    label: &'static str,
    clause: &'static str,
    rows: Vec<Row>,
    next: Option<String>,
    can_write: bool,
    fields: Vec<FormField>,
    errors: Errors,
    heat: Vec<HeatCell>,
    /// The heat map's side in cells and in pixels.
    scale: i64,
    side: i64,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    after: Option<String>,
}

const CELL: i64 = 44;

async fn list_page(
    state: &AppState,
    s: &WebSession,
    register: Register,
    after: Option<&str>,
    typed: Map<String, Json>,
    errors: Errors,
) -> WebResult<ListPage> {
    let page = registers::page(state, &s.actor, register, after, Some(100)).await?;
    let rows = page
        .items
        .iter()
        .map(|v| {
            let f = &v.fields;
            let name = |k: &str| {
                f.get(k)
                    .and_then(|u| u["name"].as_str())
                    .unwrap_or("")
                    .to_owned()
            };
            let date = ["due_on", "review_on", "done_on"]
                .iter()
                .find_map(|k| f.get(*k).and_then(Json::as_str))
                .unwrap_or("")
                .to_owned();
            let extra = match register {
                Register::Risks => v.score.map(|s| format!("score {s}")).unwrap_or_default(),
                Register::Objectives => match (v.value, f.get("target").and_then(Json::as_f64)) {
                    (Some(val), Some(t)) => format!("{val:.1} (target {t})"),
                    (None, Some(t)) => format!("— (target {t})"),
                    _ => String::new(),
                },
                Register::Documents => {
                    let cat = f.get("category").and_then(Json::as_str).unwrap_or("");
                    match v.document.as_ref().and_then(|d| d.approved_version) {
                        Some(n) => format!("{cat}, v{n} approved"),
                        None => cat.to_owned(),
                    }
                }
                Register::Training | Register::Context | Register::Parties => f
                    .get("category")
                    .and_then(Json::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| name("person")),
                Register::Communications => f
                    .get("audience")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_owned(),
                Register::Roles => f
                    .get("holders")
                    .and_then(Json::as_array)
                    .map(|h| {
                        h.iter()
                            .filter_map(|x| x["label"].as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
                Register::Plan => String::new(),
                Register::Programmes => format!(
                    "{} to {}",
                    f.get("starts_on").and_then(Json::as_str).unwrap_or(""),
                    f.get("ends_on").and_then(Json::as_str).unwrap_or("")
                ),
            };
            Row {
                number: v.number.clone(),
                title: v.title.clone(),
                status: v.status.clone(),
                owner: if register == Register::Training {
                    name("person")
                } else {
                    name("owner")
                },
                date,
                extra,
                level: v.level.unwrap_or(""),
            }
        })
        .collect();
    let scale = registers::context(state).risk_scale;
    let heat = if register == Register::Risks {
        let counts = state.store.risk_matrix().await?;
        let mut cells = Vec::new();
        for likelihood in 1..=scale.size {
            for impact in 1..=scale.size {
                let count = counts
                    .iter()
                    .find(|(l, i, _)| *l == likelihood && *i == impact)
                    .map_or(0, |c| c.2);
                let level = scale.level(likelihood, impact);
                cells.push(HeatCell {
                    x: (impact - 1) * CELL,
                    y: (scale.size - likelihood) * CELL,
                    count,
                    level: level.as_str(),
                    label: format!(
                        "likelihood {likelihood}, impact {impact}: {count} open {} ({})",
                        if count == 1 { "risk" } else { "risks" },
                        level.as_str()
                    ),
                });
            }
        }
        cells
    } else {
        Vec::new()
    };
    Ok(ListPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        slug: register.slug(),
        label: register.label(),
        clause: register.clause(),
        rows,
        next: page.next,
        can_write: can(s, Action::SmsWrite),
        fields: form_fields(register, &typed),
        errors,
        heat,
        scale: scale.size,
        side: scale.size * CELL,
    })
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Path(slug): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<ListPage> {
    let register = register_of(&slug)?;
    list_page(
        &state,
        &s,
        register,
        q.after.as_deref(),
        Map::new(),
        Errors::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let register = register_of(&slug)?;
    let s = f.session;
    let mut problems = Vec::new();
    let input = input_of(register, f.form, &mut problems);
    let result = if problems.is_empty() {
        registers::create(&state, &s.actor, register, &input).await
    } else {
        Err(AppError::Validation(steward_domain::ValidationError(
            problems,
        )))
    };
    match result {
        Ok(r) => {
            Ok(Redirect::to(&format!("/sms/{}/{}", register.slug(), r.number)).into_response())
        }
        Err(AppError::Validation(v)) => {
            let page = list_page(&state, &s, register, None, input, Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
