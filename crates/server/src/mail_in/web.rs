//! Incoming e-mail over HTTP and the quarantine: `POST /api/v1/mail/inbound`
//! (a mail server pipes a raw message, with the `mail_token`), the API
//! (`/api/v1/mail`) and the pages (`/mail`) where staff see what came in and
//! release or dismiss what was held.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor, Decision, authorize};
use steward_domain::mail_in::Reason;
use steward_store::{AuditActor, InboundMail, MailFilter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Source, Taken, release, take};
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{ApiActor, WebForm, WebSession};
use crate::error::{AppError, AppResult, Problem};
use crate::policy::require;
use crate::views::{opt_time, time};
use crate::web::{Nav, NoFields, WebResult, local_time};

/// The most messages one page lists.
const PAGE: i64 = 100;

/// `POST /api/v1/mail/inbound`: not in the OpenAPI document, since its body
/// is a raw RFC 5322 message and its key the mail server's, not a user's.
pub fn inbound_router(max_bytes: usize) -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/mail/inbound", axum::routing::post(inbound))
        // A message somewhat too large is kept (its headers) in the
        // quarantine; one more than twice too large is refused with 413, and
        // the mail server tells its sender.
        .layer(axum::extract::DefaultBodyLimit::max(
            max_bytes.saturating_mul(2),
        ))
}

pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api))
        .routes(routes!(get_api))
        .routes(routes!(release_api))
        .routes(routes!(dismiss_api))
}

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/mail", "GET", get(list_page))
        .route("/mail/{id}", "GET", get(show_page))
        .route("/mail/{id}/raw", "GET", get(raw_download))
        .route("/mail/{id}/release", "POST", post(release_form))
        .route("/mail/{id}/dismiss", "POST", post(dismiss_form))
}

/// Takes a message a mail server hands in. 200 with what became of it (a
/// quarantined message is taken too: it waits for review); 5xx means nothing
/// was written and the mail server should offer it again.
async fn inbound(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let wanted = state.config.mail_token.trim();
    if wanted.is_empty() {
        return AppError::NotFound.into_response();
    }
    if !crate::auth::bearer_token(&headers)
        .is_some_and(|t| crate::auth::constant_time_eq(t, wanted))
    {
        let mut p = AppError::Unauthenticated.problem();
        p.detail = Some(
            "send the mail token (setting `mail_token`) as `Authorization: Bearer <token>`".into(),
        );
        return crate::error::problem_response(&p);
    }
    match take(&state, &body, Source::Http).await {
        Ok(t) => axum::Json(t).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A message taken in, as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MailView {
    pub id: i64,
    pub message_id: Option<String>,
    /// `imap`, `http`, `pipe` or `demo`.
    pub source: String,
    pub sender: String,
    pub subject: String,
    pub size: i64,
    pub received_at: String,
    /// `opened`, `replied` or `quarantined`.
    pub outcome: String,
    /// Why it was quarantined: malformed, auto_reply, bulk, loop, unknown_sender, too_large, refused.
    pub reason: Option<String>,
    pub detail: String,
    /// The record it made or replied to.
    pub record: Option<String>,
    /// `released` or `dismissed`, once reviewed.
    pub review: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

impl From<&InboundMail> for MailView {
    fn from(m: &InboundMail) -> Self {
        MailView {
            id: m.id,
            message_id: m.message_id.clone(),
            source: m.source.clone(),
            sender: m.sender.clone(),
            subject: m.subject.clone(),
            size: m.size,
            received_at: time(m.received_at),
            outcome: m.outcome.clone(),
            reason: m.reason.clone(),
            detail: m.detail.clone(),
            record: m.record_number.clone(),
            review: m.review.clone(),
            reviewed_by: m.reviewed_by_name.clone(),
            reviewed_at: opt_time(m.reviewed_at),
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MailParams {
    /// `waiting` (quarantined, not reviewed; default), `quarantined` or `all`.
    pub show: Option<String>,
    /// List messages older than this id (the last id of the previous page).
    pub before: Option<i64>,
}

fn filter_of(show: Option<&str>) -> AppResult<MailFilter> {
    match show.unwrap_or("waiting") {
        "" | "waiting" => Ok(MailFilter::Waiting),
        "quarantined" => Ok(MailFilter::Quarantined),
        "all" => Ok(MailFilter::All),
        other => Err(AppError::field(
            "show",
            format!("must be waiting, quarantined or all, not {other:?}"),
        )),
    }
}

async fn listed(state: &AppState, actor: &Actor, p: &MailParams) -> AppResult<Vec<InboundMail>> {
    require(actor, Action::MailRead, None)?;
    let filter = filter_of(p.show.as_deref())?;
    Ok(state.store.inbound_mail(filter, p.before, PAGE).await?)
}

/// Messages taken in, newest first (staff).
#[utoipa::path(get, path = "/api/v1/mail", tag = "mail", params(MailParams),
    responses((status = 200, body = Vec<MailView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_api(
    State(state): State<AppState>,
    a: ApiActor,
    ApiQuery(p): ApiQuery<MailParams>,
) -> AppResult<ApiJson<Vec<MailView>>> {
    let list = listed(&state, &a.actor, &p).await?;
    Ok(ApiJson(list.iter().map(MailView::from).collect()))
}

/// One message taken in and what became of it (staff).
#[utoipa::path(get, path = "/api/v1/mail/{id}", tag = "mail",
    params(("id" = i64, Path)),
    responses((status = 200, body = MailView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_api(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<MailView>> {
    require(&a.actor, Action::MailRead, None)?;
    Ok(ApiJson(MailView::from(
        &state.store.inbound_message(id).await?,
    )))
}

/// Takes a quarantined message in after all, as a person's mail (staff who
/// review mail): 409 with the reason if it still cannot make anything.
#[utoipa::path(post, path = "/api/v1/mail/{id}/release", tag = "mail",
    params(("id" = i64, Path)),
    responses((status = 200, body = Taken), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
async fn release_api(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<Taken>> {
    require(&a.actor, Action::MailReview, None)?;
    Ok(ApiJson(release(&state, &a.actor, id).await?))
}

/// Marks a quarantined message reviewed and leaves it (staff who review mail).
#[utoipa::path(post, path = "/api/v1/mail/{id}/dismiss", tag = "mail",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
async fn dismiss_api(
    State(state): State<AppState>,
    a: ApiActor,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    dismiss(&state, &a.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn dismiss(state: &AppState, actor: &Actor, id: i64) -> AppResult<()> {
    require(actor, Action::MailReview, None)?;
    Ok(state
        .store
        .dismiss_mail(&AuditActor::from(actor), actor.user_id, id)
        .await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "mail_list.html")]
pub struct ListPage {
    nav: Option<Nav>,
    show: String,
    rows: Vec<InboundMail>,
    next: Option<i64>,
    tz: String,
}

impl ListPage {
    fn when(&self, ms: &i64) -> String {
        local_time(*ms, &self.tz)
    }
}

/// The page of the record a message made or replied to.
pub fn record_href(m: &InboundMail) -> String {
    let path = m
        .record_kind
        .as_deref()
        .and_then(steward_domain::kind::Kind::parse)
        .map_or("incidents", |k| k.spec().path);
    format!("/{path}/{}", m.record_number.as_deref().unwrap_or_default())
}

/// The label of a stored reason code.
pub fn reason_label(code: &Option<String>) -> &'static str {
    code.as_deref()
        .and_then(Reason::parse)
        .map_or("", Reason::label)
}

async fn list_page(
    State(state): State<AppState>,
    s: WebSession,
    Query(p): Query<MailParams>,
) -> WebResult<ListPage> {
    let rows = listed(&state, &s.actor, &p).await?;
    let next = (rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|m| m.id))
        .flatten();
    Ok(ListPage {
        nav: Nav::of(&s),
        show: p.show.unwrap_or_else(|| "waiting".into()),
        rows,
        next,
        tz: s.user.effective_time_zone().to_owned(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "mail_message.html")]
pub struct MessagePage {
    nav: Option<Nav>,
    csrf: String,
    m: InboundMail,
    /// The headers that tell where it came from and why it was held.
    headers: Vec<(String, String)>,
    /// Its text, as read (never rendered as HTML).
    text: String,
    attachments: Vec<String>,
    can_review: bool,
    message: String,
    tz: String,
}

impl MessagePage {
    fn when(&self, ms: &i64) -> String {
        local_time(*ms, &self.tz)
    }

    fn reason(&self) -> &'static str {
        reason_label(&self.m.reason)
    }
}

const SHOWN_HEADERS: [&str; 12] = [
    "From",
    "To",
    "Cc",
    "Date",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "Auto-Submitted",
    "Precedence",
    "Return-Path",
    "List-Id",
    "Content-Type",
];

async fn message_page(
    state: &AppState,
    s: &WebSession,
    id: i64,
    message: String,
) -> WebResult<MessagePage> {
    require(&s.actor, Action::MailRead, None)?;
    let m = state.store.inbound_message(id).await?;
    let raw = state.store.inbound_raw(id).await?.unwrap_or_default();
    let (mut headers, mut text, mut attachments) = (Vec::new(), String::new(), Vec::new());
    if let Some(msg) = mail_parser::MessageParser::default().parse(raw.as_slice()) {
        for name in SHOWN_HEADERS {
            if let Some(v) = msg.header_raw(name) {
                let v: String = v.trim().chars().take(500).collect();
                headers.push((name.to_owned(), v));
            }
        }
        text = msg
            .body_text(0)
            .map(|t| t.chars().take(20_000).collect())
            .unwrap_or_default();
        use mail_parser::MimeHeaders;
        attachments = msg
            .attachments()
            .map(|a| {
                format!(
                    "{} ({} bytes)",
                    steward_domain::attachment::safe_file_name(
                        a.attachment_name().unwrap_or("attachment")
                    ),
                    a.contents().len()
                )
            })
            .collect();
    } else if !raw.is_empty() {
        text = String::from_utf8_lossy(&raw[..raw.len().min(20_000)]).into_owned();
    }
    Ok(MessagePage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        can_review: authorize(&s.actor, Action::MailReview, None) == Decision::Allow
            && m.outcome == "quarantined"
            && m.review.is_none(),
        m,
        headers,
        text,
        attachments,
        message,
        tz: s.user.effective_time_zone().to_owned(),
    })
}

async fn show_page(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<i64>,
) -> WebResult<MessagePage> {
    message_page(&state, &s, id, String::new()).await
}

async fn release_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<NoFields>,
) -> WebResult<Response> {
    let s = f.session;
    require(&s.actor, Action::MailReview, None)?;
    match release(&state, &s.actor, id).await {
        Ok(Taken::Opened { record } | Taken::Replied { record }) => {
            let path = steward_domain::kind::Kind::of_number(&record)
                .map_or("incidents", |k| k.spec().path);
            Ok(Redirect::to(&format!("/{path}/{record}")).into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/mail/{id}")).into_response()),
        Err(AppError::Conflict(why)) => Ok((
            StatusCode::CONFLICT,
            message_page(&state, &s, id, format!("Not released: {why}")).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn dismiss_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<NoFields>,
) -> WebResult<Response> {
    dismiss(&state, &f.session.actor, id).await?;
    Ok(Redirect::to("/mail").into_response())
}

/// A quarantined message as it came, as a download (never shown as a page).
async fn raw_download(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    require(&s.actor, Action::MailRead, None)?;
    let raw = state
        .store
        .inbound_raw(id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"message-{id}.eml\""),
            ),
        ],
        raw,
    )
        .into_response())
}
