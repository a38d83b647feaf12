//! Customer satisfaction surveys (ISO/IEC 20000-1 8.3.2, 9.1): owners write
//! a questionnaire for one customer's contacts or every customer's and send
//! it in rounds (by hand, or every few months by the `survey_rounds` job);
//! contacts answer in Steward, once per round; results per customer and
//! question, and per month, customer and service on the satisfaction page.

pub mod api;
pub mod web;

use askama::Template;
use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor, Decision, authorize};
use steward_domain::notify::Event;
use steward_domain::survey::{Question, SurveyDraft, SurveyState, parse_answers};
use steward_store::{
    AuditActor, NewJob, NewSurvey, NewSurveyAnswer, Survey, SurveyComment, SurveyInvitation,
    SurveyRound, SurveyScore,
};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::policy::require;
use crate::views::time;

/// A survey as written.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyInput {
    #[serde(default)]
    pub title: String,
    pub intro: Option<String>,
    /// The customer organisation whose contacts are asked; none: every customer's.
    pub organisation: Option<i64>,
    /// The service it asks about, e.g. `SVC-0001`.
    pub service: Option<String>,
    #[serde(default)]
    pub questions: Vec<QuestionInput>,
    /// Send a new round this many months after the last: 0 (by hand only), 1, 3, 6 or 12.
    pub every_months: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    #[serde(default)]
    pub text: String,
    /// `score` (1 to 5, the default) or `text` (a written answer).
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyView {
    pub id: i64,
    pub title: String,
    pub intro: Option<String>,
    pub organisation_id: Option<i64>,
    /// The customer asked, or none for every customer.
    pub organisation: Option<String>,
    pub service: Option<String>,
    pub questions: Vec<Question>,
    pub every_months: i64,
    pub state: SurveyState,
    /// Rounds sent so far; the last is the one being answered.
    pub round: i64,
    pub created_by: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub closed_at: Option<String>,
    /// Contacts asked in the last round, and how many answered.
    pub invited: i64,
    pub answered: i64,
    /// For a contact: when they answered the last round.
    pub you_answered_at: Option<String>,
}

/// The questions as kept (written by `create`, so always readable).
fn questions_of(s: &Survey) -> Vec<Question> {
    serde_json::from_str(&s.questions).unwrap_or_default()
}

fn state_of(s: &Survey) -> SurveyState {
    SurveyState::parse(&s.state).unwrap_or(SurveyState::Closed)
}

/// A time for its reader: in the time zone `tz` (the web's reader), or UTC
/// (the API).
fn when(ms: i64, tz: Option<&str>) -> String {
    match tz {
        Some(tz) => crate::web::local_time(ms, tz),
        None => time(ms),
    }
}

impl SurveyView {
    pub fn of(s: &Survey, you_answered_at: Option<i64>, tz: Option<&str>) -> SurveyView {
        SurveyView {
            id: s.id,
            title: s.title.clone(),
            intro: s.intro.clone(),
            organisation_id: s.org_id,
            organisation: s.org_name.clone(),
            service: s.service_name.clone(),
            questions: questions_of(s),
            every_months: s.every_months,
            state: state_of(s),
            round: s.round,
            created_by: s.created_by_name.clone(),
            created_at: when(s.created_at, tz),
            sent_at: s.sent_at.map(|t| when(t, tz)),
            closed_at: s.closed_at.map(|t| when(t, tz)),
            invited: s.invited,
            answered: s.answered,
            you_answered_at: you_answered_at.map(|t| when(t, tz)),
        }
    }
}

/// The survey as the store keeps it, the references checked.
async fn to_new(
    state: &AppState,
    input: &SurveyInput,
) -> AppResult<(SurveyDraft, Option<i64>, Option<i64>)> {
    let questions: Vec<(String, Option<String>)> = input
        .questions
        .iter()
        .map(|q| (q.text.clone(), q.kind.clone()))
        .collect();
    let draft = SurveyDraft::parse(
        &input.title,
        input.intro.as_deref(),
        &questions,
        input.every_months,
    )?;
    let org = match input.organisation {
        None => None,
        Some(id) => match state.store.org_by_id(id).await {
            Ok(o) if o.kind == "customer" => Some(o.id),
            Ok(_) | Err(steward_store::StoreError::NotFound) => {
                return Err(AppError::field(
                    "organisation",
                    "must be a customer organisation (or none for every customer)",
                ));
            }
            Err(e) => return Err(e.into()),
        },
    };
    let service = match input
        .service
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(number) => match state
            .store
            .service(number, steward_domain::access::Visibility::All)
            .await
        {
            Ok(s) => Some(s.id),
            Err(steward_store::StoreError::NotFound) => {
                return Err(AppError::field("service", "no such service"));
            }
            Err(e) => return Err(e.into()),
        },
    };
    Ok((draft, org, service))
}

/// Writes a new survey, as a draft.
pub async fn create(state: &AppState, actor: &Actor, input: &SurveyInput) -> AppResult<Survey> {
    require(actor, Action::SurveyWrite, None)?;
    let (d, org_id, service_id) = to_new(state, input).await?;
    let questions = serde_json::to_string(&d.questions).map_err(AppError::internal)?;
    let new = NewSurvey {
        title: &d.title,
        intro: d.intro.as_deref(),
        org_id,
        service_id,
        questions: &questions,
        every_months: d.every_months,
    };
    Ok(state
        .store
        .create_survey(&AuditActor::from(actor), &new)
        .await?)
}

/// Rewrites a draft survey (409 once it was sent).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &SurveyInput,
) -> AppResult<Survey> {
    require(actor, Action::SurveyWrite, None)?;
    find(state, id).await?;
    let (d, org_id, service_id) = to_new(state, input).await?;
    let questions = serde_json::to_string(&d.questions).map_err(AppError::internal)?;
    let new = NewSurvey {
        title: &d.title,
        intro: d.intro.as_deref(),
        org_id,
        service_id,
        questions: &questions,
        every_months: d.every_months,
    };
    Ok(state
        .store
        .update_survey(&AuditActor::from(actor), id, &new)
        .await?)
}

async fn find(state: &AppState, id: i64) -> AppResult<Survey> {
    state.store.survey(id).await?.ok_or(AppError::NotFound)
}

/// What the actor may see of a survey: staff any; a contact one they were
/// asked to answer in its last round (with their invitation), else 404.
pub async fn get(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> AppResult<(Survey, Option<SurveyInvitation>)> {
    if authorize(actor, Action::SurveyRead, None) == Decision::Allow {
        return Ok((find(state, id).await?, None));
    }
    require(actor, Action::SurveyAnswer, None)?;
    let inv = state
        .store
        .survey_invitation(id, actor.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = find(state, id).await?;
    if state_of(&s) == SurveyState::Draft {
        return Err(AppError::NotFound);
    }
    Ok((s, Some(inv)))
}

/// Surveys the actor sees: every one to staff, a contact's own invitations
/// (with when they answered) to a customer.
pub async fn list(state: &AppState, actor: &Actor, tz: Option<&str>) -> AppResult<Vec<SurveyView>> {
    if authorize(actor, Action::SurveyRead, None) == Decision::Allow {
        let all = state.store.list_surveys().await?;
        return Ok(all.iter().map(|s| SurveyView::of(s, None, tz)).collect());
    }
    require(actor, Action::SurveyAnswer, None)?;
    let mine = state.store.surveys_for_contact(actor.user_id).await?;
    Ok(mine
        .iter()
        .map(|(s, at)| SurveyView::of(s, *at, tz))
        .collect())
}

#[derive(Template)]
#[template(path = "mail/survey.txt")]
struct SurveyMail<'a> {
    name: &'a str,
    title: &'a str,
    intro: Option<&'a str>,
    questions: usize,
    link: String,
    settings: String,
}

/// Sends a new round of the survey to the contacts of its customer (or of
/// every customer), each with an e-mail when mail is set up: (round,
/// contacts asked). 409 when closed or nobody can be asked.
pub async fn send(state: &AppState, actor: &AuditActor, id: i64) -> AppResult<(i64, i64)> {
    let s = find(state, id).await?;
    if !state_of(&s).sendable() {
        return Err(AppError::Conflict(
            "the survey is closed: write a new one to ask again".into(),
        ));
    }
    let base = state.config.base_url();
    let max_attempts = state.config.job_max_attempts;
    let mail = state.mailer.enabled();
    let questions = questions_of(&s).len();
    let sent = state
        .store
        .send_survey_round(actor, id, |people| {
            if !mail {
                return Vec::new();
            }
            people
                .iter()
                .filter(|u| !u.person().muted.contains(&Event::SurveySent))
                .filter_map(|u| {
                    let body = SurveyMail {
                        name: &u.name,
                        title: &s.title,
                        intro: s.intro.as_deref(),
                        questions,
                        link: format!("{base}/surveys/{id}"),
                        settings: format!("{base}/settings"),
                    }
                    .render()
                    .inspect_err(|e| tracing::warn!(error = %e, "cannot render a survey e-mail"))
                    .ok()?;
                    crate::mail::Mail {
                        to: u.email.clone(),
                        subject: s.title.clone(),
                        body,
                        message_id: format!("<survey-{id}-{}-{}@steward>", s.round + 1, u.id),
                    }
                    .job(None, max_attempts)
                    .ok()
                })
                .collect()
        })
        .await?;
    Ok(sent)
}

/// Sends a round as the actor (an owner).
pub async fn send_as(state: &AppState, actor: &Actor, id: i64) -> AppResult<(i64, i64)> {
    require(actor, Action::SurveyWrite, None)?;
    send(state, &AuditActor::from(actor), id).await
}

/// Closes an open survey (409 otherwise).
pub async fn close(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    require(actor, Action::SurveyWrite, None)?;
    find(state, id).await?;
    Ok(state
        .store
        .close_survey(&AuditActor::from(actor), id)
        .await?)
}

/// Answers as given: one per question, in order.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersInput {
    #[serde(default)]
    pub answers: Vec<AnswerInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// For a scored question: 1 (very dissatisfied) to 5 (very satisfied).
    pub score: Option<i64>,
    /// For a question asking for a written answer (optional).
    pub text: Option<String>,
}

/// A contact answers the survey's last round, once: 404 when they were not
/// asked, 409 when answered or no longer open.
pub async fn answer(
    state: &AppState,
    actor: &Actor,
    id: i64,
    input: &AnswersInput,
) -> AppResult<()> {
    require(actor, Action::SurveyAnswer, None)?;
    let (s, inv) = get(state, actor, id).await?;
    let inv = inv.ok_or(AppError::NotFound)?;
    if inv.answered_at.is_some() {
        return Err(AppError::Conflict("you have answered this survey".into()));
    }
    if state_of(&s) != SurveyState::Open {
        return Err(AppError::Conflict("the survey is closed".into()));
    }
    let given: Vec<(Option<i64>, Option<String>)> = input
        .answers
        .iter()
        .map(|a| (a.score, a.text.clone()))
        .collect();
    let answers: Vec<NewSurveyAnswer> = parse_answers(&questions_of(&s), &given)?
        .into_iter()
        .map(|a| NewSurveyAnswer {
            question: a.question,
            score: a.score,
            text: a.text,
        })
        .collect();
    Ok(state
        .store
        .answer_survey(&AuditActor::from(actor), &inv, s.service_id, &answers)
        .await?)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResultsView {
    /// Per customer and scored question, over every round.
    pub scores: Vec<ScoreView>,
    /// Per round (newest first) and customer: asked and answered.
    pub rounds: Vec<RoundView>,
    /// Written answers, newest first (at most 200).
    pub comments: Vec<CommentView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScoreView {
    pub organisation: String,
    pub question: String,
    pub answers: i64,
    pub average: f64,
    /// Share of 4 and 5 (`"80.0%"`).
    pub satisfied: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundView {
    pub round: i64,
    pub organisation: String,
    pub sent_at: String,
    pub invited: i64,
    pub answered: i64,
}

/// A free-text answer, with who gave it (named apart from a record's comments).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SurveyComment)]
pub struct CommentView {
    pub organisation: String,
    pub question: String,
    pub answer: String,
    pub answered_at: String,
}

/// A survey's results (staff).
pub async fn results(
    state: &AppState,
    actor: &Actor,
    id: i64,
    tz: Option<&str>,
) -> AppResult<ResultsView> {
    require(actor, Action::SurveyRead, None)?;
    let s = find(state, id).await?;
    let questions = questions_of(&s);
    let text = |n: i64| {
        usize::try_from(n)
            .ok()
            .and_then(|n| questions.get(n))
            .map(|q| q.text.clone())
            .unwrap_or_default()
    };
    let (scores, rounds) = state.store.survey_results(id).await?;
    let comments = state.store.survey_comments(id).await?;
    Ok(ResultsView {
        scores: scores
            .iter()
            .map(|r: &SurveyScore| ScoreView {
                organisation: r.organisation.clone(),
                question: text(r.question),
                answers: r.answers,
                average: (r.average * 100.0).round() / 100.0,
                satisfied: crate::period::percent(r.satisfied, r.answers),
            })
            .collect(),
        rounds: rounds
            .iter()
            .map(|r: &SurveyRound| RoundView {
                round: r.round,
                organisation: r.organisation.clone(),
                sent_at: when(r.sent_at, tz),
                invited: r.invited,
                answered: r.answered,
            })
            .collect(),
        comments: comments
            .iter()
            .map(|c: &SurveyComment| CommentView {
                organisation: c.organisation.clone(),
                question: text(c.question),
                answer: c.answer.clone(),
                answered_at: when(c.answered_at, tz),
            })
            .collect(),
    })
}

/// The open surveys whose next round is due on `day`.
async fn due(state: &AppState, day: jiff::civil::Date) -> AppResult<Vec<i64>> {
    Ok(state
        .store
        .periodic_surveys()
        .await?
        .into_iter()
        .filter(|&(_, months, sent_at)| steward_domain::survey::round_due(sent_at, months, day))
        .map(|(id, _, _)| id)
        .collect())
}

/// Queues the `survey_rounds` job when a periodic survey is due today and
/// none is pending (hourly, with the conformity snapshot).
pub async fn queue_due(state: &AppState) -> AppResult<usize> {
    queue_due_on(state, crate::registers::today()).await
}

/// Queues the `survey_rounds` job of `day` when a periodic survey is due on
/// it and none is pending; how many are due.
pub async fn queue_due_on(state: &AppState, day: jiff::civil::Date) -> AppResult<usize> {
    let due = due(state, day).await?;
    let payload = serde_json::json!({ "day": day.to_string() });
    if !due.is_empty()
        && !state
            .store
            .job_pending("survey_rounds", &payload.to_string())
            .await?
    {
        let mut j = NewJob::new("survey_rounds", &payload);
        j.max_attempts = state.config.job_max_attempts;
        state.store.enqueue_jobs(&[j]).await?;
    }
    Ok(due.len())
}

#[derive(Deserialize)]
struct JobPayload {
    day: jiff::civil::Date,
}

/// The `survey_rounds` job: sends the next round of every periodic survey
/// due on its day, each in its own transaction, so that a retry sends only
/// the rest.
pub async fn run_job(state: &AppState, payload: &str) -> Result<Vec<NewJob>, String> {
    let p: JobPayload =
        serde_json::from_str(payload).map_err(|e| format!("not a survey rounds job: {e}"))?;
    let actor = AuditActor::system("periodic surveys");
    for id in due(state, p.day).await.map_err(|e| e.to_string())? {
        match send(state, &actor, id).await {
            // Closed meanwhile, or nobody to ask this time: the next hour's
            // check tries again, once a contact is added.
            Ok(_) | Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(Vec::new())
}

/// The demo's survey: a quarterly one to every customer, sent, and answered
/// by some contacts of Acme and Globex (Initech's have not answered, which
/// the `customers-surveyed` check shows); and a draft for one customer.
pub async fn demo(state: &AppState, manager_email: &str) -> AppResult<()> {
    let manager = crate::complaints::demo::actor(state, manager_email).await?;
    let question = |text: &str, kind: Option<&str>| QuestionInput {
        text: text.to_owned(),
        kind: kind.map(str::to_owned),
    };
    let input = SurveyInput {
        title: "Quarterly customer survey".into(),
        intro: Some("Five minutes to tell us how well our services serve you.".into()),
        organisation: None,
        service: None,
        questions: vec![
            question("How satisfied are you with our services overall?", None),
            question(
                "How satisfied are you with how quickly we resolve incidents?",
                None,
            ),
            question("How well do we keep you informed?", None),
            question("What should we do better?", Some("text")),
        ],
        every_months: Some(3),
    };
    let survey = create(state, &manager, &input).await?;
    send_as(state, &manager, survey.id).await?;
    let answers: [(&str, [i64; 3], Option<&str>); 5] = [
        (
            "kim@acme.example",
            [4, 4, 3],
            Some("Tell us sooner when a fix will take days."),
        ),
        ("nora@acme.example", [5, 4, 4], None),
        (
            "lena@globex.example",
            [3, 2, 2],
            Some("Weekend incidents wait too long."),
        ),
        ("oscar@globex.example", [4, 3, 4], None),
        (
            "quinn@acme.example",
            [5, 5, 4],
            Some("The new portal is much easier."),
        ),
    ];
    for (email, scores, text) in answers {
        let contact = crate::complaints::demo::actor(state, email).await?;
        let mut given: Vec<AnswerInput> = scores
            .iter()
            .map(|s| AnswerInput {
                score: Some(*s),
                text: None,
            })
            .collect();
        given.push(AnswerInput {
            score: None,
            text: text.map(str::to_owned),
        });
        answer(state, &contact, survey.id, &AnswersInput { answers: given }).await?;
    }
    let initech = state.store.org_by_name("Initech Finance").await?;
    let draft = SurveyInput {
        title: "Initech: payroll service survey".into(),
        intro: None,
        organisation: Some(initech.id),
        service: None,
        questions: vec![
            question("How satisfied are you with the payroll service?", None),
            question("What would you change?", Some("text")),
        ],
        every_months: Some(0),
    };
    create(state, &manager, &draft).await?;
    Ok(())
}
