//! Approval by e-mail: each person a pending approval asks gets a link of
//! their own, a random token stored only as its SHA-256 hash and valid for
//! [`LINK_DAYS`] days. The link's page, open without signing in, shows the
//! request and asks to approve or reject; opening it decides nothing (mail
//! scanners open links), the buttons post the decision, which goes through
//! the same rule as the request's page (`super::decide_as`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Actor};
use steward_domain::kind::{Kind, Verb};
use steward_domain::request::RequestState;
use steward_store::{Job, NewJob, Request};

use crate::AppState;
use crate::auth::{hash_secret, random_token, same_origin};
use crate::error::AppError;
use crate::mail::Mail;
use crate::web::{Nav, WebResult, local_time};

/// How long a mailed approval link works.
pub const LINK_DAYS: i64 = 7;

#[derive(Template)]
#[template(path = "mail/approval.txt")]
struct ApprovalMail<'a> {
    name: &'a str,
    requester: &'a str,
    number: &'a str,
    title: &'a str,
    answers: &'a [(String, String)],
    cost: i64,
    expires: String,
    link: String,
    page: String,
}

/// The `approval_mail` job: a link and an e-mail for each person the
/// request's pending approvals ask (none once it left approval).
pub async fn mail_job(state: &AppState, job: &Job) -> Result<Vec<NewJob>, String> {
    let payload: serde_json::Value =
        serde_json::from_str(&job.payload).map_err(|e| format!("not an approval job: {e}"))?;
    let number = payload["number"]
        .as_str()
        .ok_or("the approval job names no request")?;
    let store_err = |e: steward_store::StoreError| e.to_string();
    let r = state.store.request(number).await.map_err(store_err)?;
    if r.state() != RequestState::AwaitingApproval {
        return Ok(Vec::new());
    }
    let asks = state
        .store
        .approvers_to_ask(r.id)
        .await
        .map_err(store_err)?;
    let answers = super::answer_lines(state, &r).await;
    let base = state.config.base_url();
    let expires = steward_store::now_ms() + LINK_DAYS * 86_400_000;
    let mut links = Vec::new();
    let mut mails = Vec::new();
    for a in asks {
        let token = random_token(32);
        links.push((hash_secret(&token), a.approval_id, a.user_id, expires));
        let tz = state
            .store
            .user_by_id(a.user_id)
            .await
            .map(|u| u.effective_time_zone().to_owned())
            .unwrap_or_else(|_| "UTC".into());
        let body = ApprovalMail {
            name: &a.name,
            requester: r.requester_name.as_deref().unwrap_or("Someone"),
            number: &r.number,
            title: &r.title,
            answers: &answers,
            cost: r.cost,
            expires: local_time(expires, &tz),
            link: format!("{base}/approvals/{token}"),
            page: format!("{base}/requests/{}", r.number),
        }
        .render()
        .map_err(|e| format!("cannot render the e-mail: {e}"))?;
        let mail = Mail {
            to: a.email.clone(),
            subject: format!("[{}] {} (your approval)", r.number, r.title),
            body,
            message_id: steward_domain::mail_in::own_id(
                &format!("approval-{}-{}-{}", job.id, a.approval_id, a.user_id),
                &r.number,
            ),
        };
        mails.push(mail.job(Some(r.id), state.config.job_max_attempts)?);
    }
    state
        .store
        .add_approval_links(&links)
        .await
        .map_err(store_err)?;
    Ok(mails)
}

/// The approver and the request a link is for; 404 for an unknown or
/// expired link, or one whose approver is no longer active.
async fn resolve(state: &AppState, token: &str) -> Result<(Actor, Request), AppError> {
    let link = state
        .store
        .approval_link(&hash_secret(token))
        .await?
        .filter(|l| l.expires_at > steward_store::now_ms())
        .ok_or(AppError::NotFound)?;
    let user = state.store.user_by_id(link.user_id).await?;
    if !user.active {
        return Err(AppError::NotFound);
    }
    let r = state.store.request(&link.number).await?;
    let actor = user.actor();
    // The link is the approver's key, not a way around what they may read.
    crate::policy::require(
        &actor,
        Action::Work(Kind::Request, Verb::Read),
        Some(r.org_id),
    )
    .map_err(|_| AppError::NotFound)?;
    Ok((actor, r))
}

#[derive(Template, WebTemplate)]
#[template(path = "approval_link.html")]
pub struct LinkPage {
    nav: Option<Nav>,
    token: String,
    p: Request,
    approver: String,
    answers: Vec<(String, String)>,
    /// What was just decided, or why nothing can be.
    message: String,
    open: bool,
}

async fn link_page(
    state: &AppState,
    token: String,
    actor: &Actor,
    p: Request,
    message: String,
) -> WebResult<LinkPage> {
    let answers = super::answer_lines(state, &p).await;
    let open = p.state() == RequestState::AwaitingApproval && message.is_empty();
    Ok(LinkPage {
        nav: None,
        token,
        approver: actor.name.clone(),
        answers,
        message,
        open,
        p,
    })
}

pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> WebResult<LinkPage> {
    let (actor, r) = resolve(&state, &token).await?;
    let message = if r.state() == RequestState::AwaitingApproval {
        String::new()
    } else {
        format!(
            "This request is {} now: nothing to decide.",
            r.state().label().to_lowercase()
        )
    };
    link_page(&state, token, &actor, r, message).await
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
}

pub async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<DecisionForm>,
) -> WebResult<Response> {
    if !same_origin(&headers) {
        return Err(AppError::Forbidden(
            "the form came from another site; open the link from your e-mail".into(),
        )
        .into());
    }
    let (actor, r) = resolve(&state, &token).await?;
    crate::policy::require(&actor, Action::Work(Kind::Request, Verb::Approve), None)?;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::field("decision", "use approve or reject").into()),
    };
    let (status, after, message) =
        match super::decide_as(&state, &actor, &r.number, approve, None).await {
            Ok(after) => {
                let m = format!(
                    "Thank you: you {} {}. It is {} now.",
                    if approve { "approved" } else { "rejected" },
                    after.number,
                    after.state().label().to_lowercase()
                );
                (StatusCode::OK, after, m)
            }
            Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
                let status = e.status();
                (status, r, e.to_string())
            }
            Err(e) => return Err(e.into()),
        };
    let page = link_page(&state, token, &actor, after, message).await?;
    Ok((status, page).into_response())
}
