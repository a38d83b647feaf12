//! `/search`: the search box's results, with the matched words marked.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::{Nav, WebResult};
use crate::AppState;
use crate::auth::WebSession;
use crate::error::AppError;
use crate::search::{self, SearchResult};

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
pub struct SearchPage {
    nav: Option<Nav>,
    q: String,
    error: String,
    results: Vec<SearchResult>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn page(
    State(state): State<AppState>,
    s: WebSession,
    Query(p): Query<SearchQuery>,
) -> WebResult<SearchPage> {
    let mut page = SearchPage {
        nav: Nav::of(&s),
        q: p.q
            .chars()
            .take(steward_domain::search::MAX_CHARS * 2)
            .collect(),
        error: String::new(),
        results: Vec::new(),
    };
    if p.q.trim().is_empty() {
        return Ok(page);
    }
    match search::run(&state, &s.actor, &p.q, search::MAX_LIMIT).await {
        Ok(r) => page.results = r,
        // What is wrong with the query is said on the page, beside the box.
        Err(AppError::Validation(e)) => {
            page.error =
                e.0.into_iter()
                    .map(|f| f.message)
                    .collect::<Vec<_>>()
                    .join("; ")
        }
        Err(e) => return Err(e.into()),
    }
    Ok(page)
}
