//! The customer portal: the face customers see first. One page says what
//! is waiting on them (approvals they give, incidents awaiting their answer
//! or their confirmation), their organisation's open requests and
//! incidents, what they may order, and a box for what they need: it
//! answers with the articles and known errors that match before it offers
//! to raise an incident. Staff have the agent pages (`/`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Visibility};
use steward_domain::kind::{Kind, StateMachine, Verb};
use steward_store::{
    Incident, IncidentFilter, IncidentOrder, Offering, RecordFilter, Request, SearchRule,
};

use crate::AppState;
use crate::auth::WebSession;
use crate::error::AppError;
use crate::policy::require;
use crate::search::SearchResult;
use crate::web::{Nav, WebResult};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::get;
    crate::web::WebRoutes::default()
        .route("/portal", "GET", get(home))
        .route("/portal/known-errors/{number}", "GET", get(known_error))
}

/// How many of each list the portal shows.
const SHOWN: i64 = 5;

#[derive(Debug, Default, Deserialize)]
pub struct PortalParams {
    /// What the customer needs, in their words.
    #[serde(default)]
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal.html")]
pub struct PortalPage {
    nav: Option<Nav>,
    first_name: String,
    q: String,
    /// Articles and known errors that match `q`.
    answers: Vec<SearchResult>,
    /// A query the search could not read.
    q_error: String,
    approvals: Vec<Request>,
    awaiting_answer: Vec<Incident>,
    awaiting_confirmation: Vec<Incident>,
    requests: Vec<Request>,
    incidents: Vec<Incident>,
    offerings: Vec<Offering>,
    can_order: bool,
    can_raise: bool,
    raise_link: String,
}

pub async fn home(
    State(state): State<AppState>,
    s: WebSession,
    Query(params): Query<PortalParams>,
) -> WebResult<Response> {
    if s.actor.role.is_staff() {
        return Ok(Redirect::to("/").into_response());
    }
    let org = s.actor.org_id;
    let q = params.q.trim().to_owned();
    // Articles and known errors published to them, as they read them.
    let (answers, q_error) = if q.is_empty() {
        (Vec::new(), String::new())
    } else {
        match steward_domain::search::parse(&q) {
            Ok(query) => {
                let rules = [
                    SearchRule {
                        kind: "article".into(),
                        org: Some(org),
                    },
                    SearchRule {
                        kind: "problem".into(),
                        org: Some(org),
                    },
                ];
                let hits = state.store.search(&query, &rules, 8).await?;
                let results = hits
                    .into_iter()
                    .map(|h| {
                        let known_error = h.kind == "problem";
                        SearchResult {
                            link: if known_error {
                                format!("/portal/known-errors/{}", h.number)
                            } else {
                                format!("/articles/{}", h.number)
                            },
                            kind_label: if known_error {
                                "Known error".into()
                            } else {
                                "Article".into()
                            },
                            // A problem's description is the provider's own:
                            // its page shows the workaround only.
                            snippet: if known_error {
                                Vec::new()
                            } else {
                                crate::search::snippet_of(&h.kind, &h.snippet)
                            },
                            kind: h.kind,
                            number: h.number,
                            title: h.title,
                        }
                    })
                    .collect();
                (results, String::new())
            }
            Err(e) => (
                Vec::new(),
                e.0.iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    };
    let visibility = Visibility::Organisation(org);
    let incidents_in = |states: &[&str], limit: i64| {
        let filter = IncidentFilter {
            states: states.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        };
        let store = state.store.clone();
        async move {
            store
                .list_incidents(visibility, &filter, IncidentOrder::Newest, None, limit)
                .await
                .map(|p| p.items)
        }
    };
    let on_hold = incidents_in(&["on_hold"], 50).await?;
    let awaiting_answer: Vec<Incident> = on_hold
        .into_iter()
        .filter(|i| {
            i.hold_reason
                .is_some_and(|h| h.get() == steward_domain::incident::HoldReason::AwaitingCustomer)
        })
        .take(SHOWN as usize)
        .collect();
    let awaiting_confirmation = incidents_in(&["resolved"], SHOWN).await?;
    let incidents = incidents_in(&["new", "in_progress", "on_hold"], SHOWN).await?;
    let requests = state
        .store
        .list_requests(
            &RecordFilter {
                states: vec!["awaiting_approval".into(), "in_fulfilment".into()],
                org_id: Some(org),
                ..Default::default()
            },
            None,
            SHOWN,
        )
        .await?
        .items;
    let approvals = state
        .store
        .requests_awaiting(s.actor.user_id, SHOWN)
        .await?
        .into_iter()
        .filter(|r| r.org_id == org)
        .collect();
    let mut offerings = crate::requests::offerings(
        &state,
        &s.actor,
        &crate::requests::OfferingParams::default(),
    )
    .await?;
    offerings.truncate(6);
    let allowed = |kind, verb| require(&s.actor, Action::Work(kind, verb), None).is_ok();
    Ok(PortalPage {
        nav: Nav::of(&s),
        first_name: s
            .user
            .name
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
        raise_link: format!("/incidents/new?title={}", crate::auth::urlencode(&q)),
        q,
        answers,
        q_error,
        approvals,
        awaiting_answer,
        awaiting_confirmation,
        requests,
        incidents,
        offerings,
        can_order: allowed(Kind::Request, Verb::Create),
        can_raise: allowed(Kind::Incident, Verb::Create),
    }
    .into_response())
}

impl PortalPage {
    fn state_of(&self, i: &Incident) -> &'static str {
        StateMachine::words(i.state())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "known_error.html")]
pub struct KnownErrorPage {
    nav: Option<Nav>,
    number: String,
    title: String,
    workaround: String,
}

/// A known error published to the customer's organisation: its title and
/// workaround (staff read the problem itself).
pub async fn known_error(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
) -> WebResult<Response> {
    if s.actor.role.is_staff() {
        return Ok(Redirect::to(&format!("/problems/{number}")).into_response());
    }
    let number = steward_domain::number::NumberKind::Problem
        .canonical(&number)
        .ok_or(AppError::NotFound)?;
    let (number, title, workaround) = state
        .store
        .published_known_error(&number, s.actor.org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(KnownErrorPage {
        nav: Nav::of(&s),
        number,
        title,
        workaround,
    }
    .into_response())
}
