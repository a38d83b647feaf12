//! The home page: the queues of work waiting, each a filtered list.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use steward_domain::access::Visibility;

use crate::AppState;
use crate::auth::WebSession;
use crate::incidents::{self, ListParams};
use crate::web::{Nav, WebResult};

use super::*;
#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    nav: Option<Nav>,
    staff: bool,
    organisation: String,
    queues: Vec<Queue>,
    list_title: &'static str,
    list_link: String,
    rows: Vec<Row>,
}

/// Staff's work queues; customers have the portal.
pub async fn home(
    State(state): State<AppState>,
    s: WebSession,
) -> WebResult<axum::response::Response> {
    use axum::response::IntoResponse;
    if !s.actor.role.is_staff() {
        return Ok(axum::response::Redirect::to("/portal").into_response());
    }
    let staff = s.actor.role.is_staff();
    let open = |extra: ListParams| ListParams {
        state: Some("open".into()),
        ..extra
    };
    let defs: Vec<(&'static str, &'static str, ListParams)> = if staff {
        vec![
            (
                "mine",
                "Assigned to me",
                open(ListParams {
                    assignee: Some("me".into()),
                    ..Default::default()
                }),
            ),
            (
                "unassigned",
                "Unassigned in my groups",
                open(ListParams {
                    assignee: Some("none".into()),
                    group: Some("mine".into()),
                    ..Default::default()
                }),
            ),
            ("open", "All open", open(ListParams::default())),
            (
                "major",
                "Major incidents open",
                open(ListParams {
                    major: Some(true),
                    ..Default::default()
                }),
            ),
        ]
    } else {
        vec![
            ("open", "Open", open(ListParams::default())),
            (
                "resolved",
                "Resolved, awaiting closure",
                ListParams {
                    state: Some("resolved".into()),
                    ..Default::default()
                },
            ),
        ]
    };
    let mut queues = Vec::new();
    for (key, name, params) in defs {
        let (filter, ..) = incidents::build_filter(&state, &s.actor, &params).await?;
        let n = state
            .store
            .count_incidents(Visibility::of(&s.actor), &filter, COUNT_CAP)
            .await?;
        queues.push(Queue {
            key,
            name,
            link: format!("/incidents?{}", query_string(&params)),
            count: count_text(n),
        });
    }
    let (list_title, list_params) = if staff {
        (
            "Open incidents, least SLA time left first",
            open(ListParams {
                order: Some("due".into()),
                ..Default::default()
            }),
        )
    } else {
        ("Latest incidents", ListParams::default())
    };
    let (filter, order, _, _) = incidents::build_filter(&state, &s.actor, &list_params).await?;
    let page = state
        .store
        .list_incidents(Visibility::of(&s.actor), &filter, order, None, 20)
        .await?;
    let tz = s.user.effective_time_zone().to_owned();
    Ok(HomePage {
        nav: Nav::of(&s),
        staff,
        organisation: s.user.org_name.clone(),
        queues,
        list_title,
        list_link: format!("/incidents?{}", query_string(&list_params)),
        rows: rows(&page.items, &tz),
    }
    .into_response())
}
