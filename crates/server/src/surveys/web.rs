//! The survey pages: the list (with the form to write one, for owners), and
//! each survey: to staff its questions, rounds and results, with the steps
//! an owner takes; to a contact the form to answer it.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, Visibility, authorize};
use steward_domain::survey::{
    EVERY_MONTHS, QuestionKind, questions_from_lines, questions_to_lines,
};

use super::{AnswerInput, AnswersInput, QuestionInput, ResultsView, SurveyInput, SurveyView};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::error::AppError;
use crate::web::{Nav, WebResult};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/surveys", "GET POST", get(list).post(create))
        .route("/surveys/{id}", "GET POST", get(show).post(edit))
        .route("/surveys/{id}/send", "POST", post(send))
        .route("/surveys/{id}/close", "POST", post(close))
        .route("/surveys/{id}/answer", "POST", post(answer))
}

/// The survey form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SurveyForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    every_months: String,
}

impl SurveyForm {
    fn of(v: &SurveyView, service_number: Option<String>) -> SurveyForm {
        SurveyForm {
            title: v.title.clone(),
            intro: v.intro.clone().unwrap_or_default(),
            organisation: v.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
            service: service_number.unwrap_or_default(),
            questions: questions_to_lines(&v.questions),
            every_months: v.every_months.to_string(),
        }
    }

    fn input(&self) -> Result<SurveyInput, AppError> {
        let organisation = match self.organisation.trim() {
            "" => None,
            o => Some(o.parse().map_err(|_| {
                AppError::field("organisation", "must be one of the customers listed")
            })?),
        };
        let every_months = match self.every_months.trim() {
            "" => None,
            m => Some(
                m.parse()
                    .map_err(|_| AppError::field("every_months", "must be 0, 1, 3, 6 or 12"))?,
            ),
        };
        Ok(SurveyInput {
            title: self.title.clone(),
            intro: Some(self.intro.clone()),
            organisation,
            service: Some(self.service.clone()),
            questions: questions_from_lines(&self.questions)
                .into_iter()
                .map(|(text, kind)| QuestionInput { text, kind })
                .collect(),
            every_months,
        })
    }
}

/// What the form offers: customers (id, name) and services (number, name).
struct Choices {
    customers: Vec<(String, String)>,
    services: Vec<(String, String)>,
    every: Vec<(String, &'static str)>,
}

async fn choices(state: &AppState) -> WebResult<Choices> {
    let customers = crate::admin::customer_orgs(&state.store)
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let services = state
        .store
        .list_services(Visibility::All)
        .await?
        .into_iter()
        .map(|s| (s.number, s.name))
        .collect();
    let every = EVERY_MONTHS
        .iter()
        .map(|m| {
            let label = match m {
                0 => "Only when sent by hand",
                1 => "Every month",
                3 => "Every quarter",
                6 => "Every six months",
                _ => "Every year",
            };
            (m.to_string(), label)
        })
        .collect();
    Ok(Choices {
        customers,
        services,
        every,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys.html")]
pub struct ListPage {
    nav: Option<Nav>,
    items: Vec<SurveyView>,
    staff: bool,
    can_write: bool,
    form: SurveyForm,
    choices: Choices,
    error: String,
}

async fn list_page(
    state: &AppState,
    s: &WebSession,
    form: SurveyForm,
    error: String,
) -> WebResult<ListPage> {
    Ok(ListPage {
        nav: Nav::of(s),
        items: super::list(state, &s.actor, Some(s.user.effective_time_zone())).await?,
        staff: s.actor.role.is_staff(),
        can_write: authorize(&s.actor, Action::SurveyWrite, None) == Decision::Allow,
        form,
        choices: choices(state).await?,
        error,
    })
}

pub async fn list(State(state): State<AppState>, s: WebSession) -> WebResult<ListPage> {
    let form = SurveyForm {
        questions: "How satisfied are you with our services overall?\n\
                    How satisfied are you with how quickly we resolve your incidents?\n\
                    text: What should we do better?"
            .into(),
        ..SurveyForm::default()
    };
    list_page(&state, &s, form, String::new()).await
}

/// The message and status of a refusal the form shows, or the error to raise.
fn shown(e: AppError) -> Result<(String, axum::http::StatusCode), AppError> {
    match e {
        AppError::Validation(v) => {
            Ok((v.to_string(), axum::http::StatusCode::UNPROCESSABLE_ENTITY))
        }
        AppError::Conflict(m) => Ok((m, axum::http::StatusCode::CONFLICT)),
        other => Err(other),
    }
}

pub async fn create(State(state): State<AppState>, f: WebForm<SurveyForm>) -> WebResult<Response> {
    let s = f.session;
    let form = f.form;
    crate::policy::require(&s.actor, Action::SurveyWrite, None)?;
    let result = match form.input() {
        Ok(input) => super::create(&state, &s.actor, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(survey) => Ok(Redirect::to(&format!("/surveys/{}", survey.id)).into_response()),
        Err(e) => {
            let (message, status) = shown(e)?;
            let mut res = list_page(&state, &s, form, message).await?.into_response();
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "survey.html")]
pub struct SurveyPage {
    nav: Option<Nav>,
    s: SurveyView,
    can_write: bool,
    /// A contact who may answer now.
    can_answer: bool,
    results: Option<ResultsView>,
    form: SurveyForm,
    choices: Choices,
    /// The answer form's fields: each question, its field's name and what
    /// was chosen when the form comes back.
    fields: Vec<(steward_domain::survey::Question, String, String)>,
    error: String,
    flash: String,
}

async fn survey_page(
    state: &AppState,
    s: &WebSession,
    id: i64,
    form: Option<SurveyForm>,
    given: HashMap<String, String>,
    error: String,
    flash: String,
) -> WebResult<SurveyPage> {
    let (survey, inv) = super::get(state, &s.actor, id).await?;
    let tz = Some(s.user.effective_time_zone());
    let view = SurveyView::of(&survey, inv.as_ref().and_then(|i| i.answered_at), tz);
    let staff = s.actor.role.is_staff();
    let results = if staff {
        Some(super::results(state, &s.actor, id, tz).await?)
    } else {
        None
    };
    let service_number = match survey.service_id {
        Some(_) => state
            .store
            .list_services(Visibility::All)
            .await?
            .into_iter()
            .find(|x| Some(x.id) == survey.service_id)
            .map(|x| x.number),
        None => None,
    };
    let can_answer = inv.is_some_and(|i| i.answered_at.is_none())
        && view.state == steward_domain::survey::SurveyState::Open;
    let fields = view
        .questions
        .iter()
        .enumerate()
        .map(|(n, q)| {
            let name = format!("q{n}");
            let chosen = given.get(&name).cloned().unwrap_or_default();
            (q.clone(), name, chosen)
        })
        .collect();
    Ok(SurveyPage {
        nav: Nav::of(s),
        form: form.unwrap_or_else(|| SurveyForm::of(&view, service_number)),
        s: view,
        can_write: authorize(&s.actor, Action::SurveyWrite, None) == Decision::Allow,
        can_answer,
        results,
        choices: choices(state).await?,
        fields,
        error,
        flash,
    })
}

fn id_of(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    /// The round just sent (after "Send").
    sent: Option<i64>,
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<SurveyPage> {
    let id = id_of(&id)?;
    let mut page = survey_page(
        &state,
        &s,
        id,
        None,
        HashMap::new(),
        String::new(),
        String::new(),
    )
    .await?;
    if let Some(round) = q.sent.filter(|r| *r == page.s.round) {
        page.flash = format!(
            "Round {round} sent: {} contact{} asked.",
            page.s.invited,
            if page.s.invited == 1 { "" } else { "s" }
        );
    }
    Ok(page)
}

/// Rewrites a draft.
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: WebForm<SurveyForm>,
) -> WebResult<Response> {
    let id = id_of(&id)?;
    let s = f.session;
    let form = f.form;
    crate::policy::require(&s.actor, Action::SurveyWrite, None)?;
    let result = match form.input() {
        Ok(input) => super::update(&state, &s.actor, id, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/surveys/{id}")).into_response()),
        Err(e) => {
            let (message, status) = shown(e)?;
            let page = survey_page(
                &state,
                &s,
                id,
                Some(form),
                HashMap::new(),
                message,
                String::new(),
            );
            let mut res = page.await?.into_response();
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

/// Sends a round; back to the page (a reload does not send another).
pub async fn send(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: WebForm<crate::web::NoFields>,
) -> WebResult<Response> {
    let id = id_of(&id)?;
    let s = f.session;
    match super::send_as(&state, &s.actor, id).await {
        Ok((round, _)) => Ok(Redirect::to(&format!("/surveys/{id}?sent={round}")).into_response()),
        Err(e) => {
            let (m, status) = shown(e)?;
            let page = survey_page(&state, &s, id, None, HashMap::new(), m, String::new());
            let mut res = page.await?.into_response();
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: WebForm<crate::web::NoFields>,
) -> WebResult<Response> {
    let id = id_of(&id)?;
    let s = f.session;
    match super::close(&state, &s.actor, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/surveys/{id}")).into_response()),
        Err(e) => {
            let (m, status) = shown(e)?;
            let page = survey_page(&state, &s, id, None, HashMap::new(), m, String::new());
            let mut res = page.await?.into_response();
            *res.status_mut() = status;
            Ok(res)
        }
    }
}

/// The answer form: `q0`, `q1`... one per question (a score or a text).
pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    f: WebForm<HashMap<String, String>>,
) -> WebResult<Response> {
    let id = id_of(&id)?;
    let s = f.session;
    let given = f.form;
    let (survey, _) = super::get(&state, &s.actor, id).await?;
    let questions = super::questions_of(&survey);
    let mut answers = Vec::new();
    let mut unreadable = None;
    for (n, q) in questions.iter().enumerate() {
        let v = given
            .get(&format!("q{n}"))
            .map(|v| v.trim())
            .unwrap_or_default();
        answers.push(match q.kind {
            QuestionKind::Score => AnswerInput {
                score: match v {
                    "" => None,
                    v => match v.parse() {
                        Ok(n) => Some(n),
                        Err(_) => {
                            unreadable = Some(format!("answers[{n}]"));
                            None
                        }
                    },
                },
                text: None,
            },
            QuestionKind::Text => AnswerInput {
                score: None,
                text: Some(v.to_owned()),
            },
        });
    }
    let result = match unreadable {
        Some(field) => Err(AppError::field(&field, "must be 1 to 5")),
        None => super::answer(&state, &s.actor, id, &AnswersInput { answers }).await,
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/surveys/{id}")).into_response()),
        Err(e) => {
            let (m, status) = shown(e)?;
            let page = survey_page(&state, &s, id, None, given, m, String::new());
            let mut res = page.await?.into_response();
            *res.status_mut() = status;
            Ok(res)
        }
    }
}
