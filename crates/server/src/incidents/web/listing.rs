//! The incident list with its filters.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use steward_domain::access::Visibility;
use steward_domain::incident::IncidentState;

use crate::AppState;
use crate::auth::WebSession;
use crate::error::AppError;
use crate::incidents::{self, ListParams};
use crate::web::{Nav, WebResult};

use super::*;

/// The filter form's current values, as text.
#[derive(Default)]
pub struct FilterValues {
    q: String,
    state: String,
    priority: String,
    service: String,
    assignee: String,
    order: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents.html")]
pub struct ListPage {
    nav: Option<Nav>,
    staff: bool,
    f: FilterValues,
    states: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    services: Vec<(String, String)>,
    assignees: Vec<(String, String)>,
    error: String,
    count_text: String,
    rows: Vec<Row>,
    next_link: String,
    first_link: String,
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    RawQuery(raw): RawQuery,
) -> WebResult<ListPage> {
    let raw = raw.unwrap_or_default();
    let (params, mut error): (ListParams, String) = match serde_urlencoded::from_str(&raw) {
        Ok(p) => (p, String::new()),
        Err(_) => (
            ListParams::default(),
            "Some filters were not understood and were ignored.".into(),
        ),
    };
    let tz = s.user.effective_time_zone().to_owned();
    let (items, next, count) = match incidents::build_filter(&state, &s.actor, &params).await {
        Ok((filter, order, cursor, limit)) => {
            let page = state
                .store
                .list_incidents(Visibility::of(&s.actor), &filter, order, cursor, limit)
                .await?;
            let count = state
                .store
                .count_incidents(Visibility::of(&s.actor), &filter, COUNT_CAP)
                .await?;
            (page.items, page.next, count)
        }
        Err(AppError::Validation(v)) => {
            error =
                v.0.iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
            (Vec::new(), None, 0)
        }
        Err(e) => return Err(e.into()),
    };
    let next_link = next
        .map(|c| {
            format!(
                "/incidents?{}",
                query_string(&ListParams {
                    cursor: Some(crate::paging::encode_cursor(&c)),
                    ..params.clone()
                })
            )
        })
        .unwrap_or_default();
    let first_link = if params.cursor.is_some() {
        format!(
            "/incidents?{}",
            query_string(&ListParams {
                cursor: None,
                ..params.clone()
            })
        )
    } else {
        String::new()
    };
    let mut states = vec![
        ("".to_owned(), "Any".to_owned()),
        ("open".into(), "Open (new, in progress, on hold)".into()),
    ];
    states.extend(
        IncidentState::ALL
            .iter()
            .map(|st| (st.as_str().to_owned(), st.label().to_owned())),
    );
    let mut priorities = vec![("".to_owned(), "Any".to_owned())];
    priorities.extend((1..=5).map(|p| (format!("P{p}"), format!("P{p}"))));
    let staff = s.actor.role.is_staff();
    Ok(ListPage {
        nav: Nav::of(&s),
        staff,
        f: FilterValues {
            q: params.q.clone().unwrap_or_default(),
            state: params.state.clone().unwrap_or_default(),
            priority: params.priority.clone().unwrap_or_default(),
            service: params.service.clone().unwrap_or_default(),
            assignee: params.assignee.clone().unwrap_or_default(),
            order: params.order.clone().unwrap_or_default(),
        },
        states,
        priorities,
        services: crate::web::record::service_options(&state, &s.actor).await?,
        assignees: vec![
            ("".into(), "Anyone".into()),
            ("me".into(), "Me".into()),
            ("none".into(), "Unassigned".into()),
        ],
        error,
        count_text: match count {
            0 => "No incidents match.".into(),
            1 => "1 incident matches.".into(),
            n => format!("{} incidents match.", count_text(n)),
        },
        rows: rows(&items, &tz),
        next_link,
        first_link,
    })
}
