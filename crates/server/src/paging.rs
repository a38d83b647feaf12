//! The keyset cursor of record lists: where the next page starts, opaque to
//! clients (a versioned, URL-safe encoding of the last row's sort key).

use base64::Engine;
use steward_domain::error::Problems;
use steward_domain::kind::{StateMachine, state_filter};
use steward_store::Cursor;

use crate::error::{AppError, AppResult};

pub fn encode_cursor(c: &Cursor) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "2:{}:{}:{}:{}",
        c.priority, c.opened_at, c.id, c.sla_due_at
    ))
}

pub fn decode_cursor(s: &str) -> AppResult<Cursor> {
    let bad = || AppError::field("cursor", "is not a cursor this server gave out");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        ["2", p, o, i, d] => Ok(Cursor {
            priority: p.parse().map_err(|_| bad())?,
            opened_at: o.parse().map_err(|_| bad())?,
            id: i.parse().map_err(|_| bad())?,
            sla_due_at: d.parse().map_err(|_| bad())?,
        }),
        _ => Err(bad()),
    }
}

/// The parts of a list query every kind of record shares, as people give
/// them: states (`open` or codes), text (a title or a number), and the page.
#[derive(Debug, Default)]
pub struct ListBasics {
    pub states: Vec<String>,
    pub text: Option<String>,
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

impl ListBasics {
    /// Reads them; each bad one is a problem of its field (`state`, `q`,
    /// `cursor`, `limit`: 1 to `max_limit`, default 50).
    pub fn parse<S: StateMachine>(
        p: &mut Problems,
        state: Option<&str>,
        q: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
        max_limit: i64,
    ) -> ListBasics {
        let text = q.map(str::trim).filter(|q| !q.is_empty());
        if text.is_some_and(|t| t.chars().count() > 200) {
            p.add("q", "must be at most 200 characters");
        }
        if text.is_some_and(|t| t.chars().any(char::is_control)) {
            p.add("q", "must not contain control characters");
        }
        let limit = limit.unwrap_or(50);
        if !(1..=max_limit).contains(&limit) {
            p.add("limit", format!("must be between 1 and {max_limit}"));
        }
        let cursor = match cursor.filter(|c| !c.is_empty()).map(decode_cursor) {
            Some(Ok(c)) => Some(c),
            Some(Err(_)) => {
                p.add("cursor", "is not a cursor this server gave out");
                None
            }
            None => None,
        };
        ListBasics {
            states: state_filter::<S>("state", state, p)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            text: text.map(str::to_owned),
            cursor,
            limit,
        }
    }
}

/// The filters and paging of the list of a kind the provider keeps to itself
/// (nonconformities, actions, improvements, audits, findings, reviews).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KindListParams {
    /// Comma-separated states, or `open` for every state still open.
    pub state: Option<String>,
    /// Text in the title, or a record number.
    pub q: Option<String>,
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

impl KindListParams {
    /// The filter, cursor and page size asked for, over the states of `S`;
    /// every bad one a problem of its field.
    pub fn filter<S: StateMachine>(
        &self,
    ) -> AppResult<(steward_store::RecordFilter, Option<Cursor>, i64)> {
        let mut p = Problems::default();
        let basics = ListBasics::parse::<S>(
            &mut p,
            self.state.as_deref(),
            self.q.as_deref(),
            self.cursor.as_deref(),
            self.limit,
            200,
        );
        p.finish(())?;
        let filter = steward_store::RecordFilter {
            states: basics.states,
            assignee_id: None,
            text: basics.text,
            org_id: None,
        };
        Ok((filter, basics.cursor, basics.limit))
    }
}
