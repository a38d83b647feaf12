//! One search box over every record kind and the service catalogue: the
//! query read by `steward_domain::search`, the kinds the policy lets the
//! actor read (of their own organisation when they are a customer), and
//! the store's full-text index. Used by the API and the search page alike.

use serde::Serialize;
use steward_domain::access::{Action, Actor, Decision, Visibility, authorize};
use steward_domain::kind::{Kind, Verb};
use steward_domain::search::{self, MARK_END, MARK_START};
use steward_store::{SearchHit, SearchRule};

use crate::AppState;
use crate::error::AppResult;

/// The most results one search answers.
pub const MAX_LIMIT: i64 = 50;

/// A piece of a snippet: matched words, or the text between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SnippetPart {
    pub text: String,
    /// Whether these are words the search matched.
    #[serde(rename = "match")]
    pub matched: bool,
}

/// One result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    /// `incident`, `problem`, `complaint`, ... or `service`.
    pub kind: String,
    /// What the kind is called, e.g. "Incident".
    pub kind_label: String,
    pub number: String,
    pub title: String,
    /// The page of the record.
    pub link: String,
    /// Words around the matches.
    pub snippet: Vec<SnippetPart>,
}

/// What the actor may find: each kind it may read (its organisation's
/// records only for a customer), and the services it may see.
pub fn rules(actor: &Actor) -> Vec<SearchRule> {
    let org = match Visibility::of(actor) {
        Visibility::All => None,
        Visibility::Organisation(o) => Some(o),
    };
    let mut rules: Vec<SearchRule> = Kind::ALL
        .into_iter()
        .filter(|k| authorize(actor, Action::Work(*k, Verb::Read), None) == Decision::Allow)
        .map(|k| SearchRule {
            kind: k.spec().code.to_owned(),
            org,
        })
        .collect();
    if authorize(actor, Action::ServiceRead, None) == Decision::Allow {
        rules.push(SearchRule {
            kind: "service".into(),
            org,
        });
    }
    rules
}

/// Splits a snippet as the stores mark it into plain and matched parts.
pub fn parts(snippet: &str) -> Vec<SnippetPart> {
    let mut out = Vec::new();
    let mut rest = snippet;
    while !rest.is_empty() {
        match rest.find(MARK_START) {
            Some(i) => {
                if i > 0 {
                    out.push(SnippetPart {
                        text: rest[..i].to_owned(),
                        matched: false,
                    });
                }
                let after = &rest[i + MARK_START.len_utf8()..];
                let end = after.find(MARK_END).unwrap_or(after.len());
                out.push(SnippetPart {
                    text: after[..end].to_owned(),
                    matched: true,
                });
                rest = after.get(end + MARK_END.len_utf8()..).unwrap_or("");
            }
            None => {
                out.push(SnippetPart {
                    text: rest.to_owned(),
                    matched: false,
                });
                rest = "";
            }
        }
    }
    out.retain(|p| !p.text.is_empty());
    out
}

/// A snippet's parts as a reader reads them: an article's Markdown marks
/// (headings, emphasis, code) left out.
pub fn snippet_of(kind: &str, snippet: &str) -> Vec<SnippetPart> {
    let mut out = parts(snippet);
    if kind == steward_domain::kind::ARTICLE {
        for p in &mut out {
            p.text = p.text.replace(['#', '*', '`'], "").replace("  ", " ");
        }
        out.retain(|p| !p.text.is_empty());
    }
    out
}

fn result(h: SearchHit) -> SearchResult {
    let (label, path) = match Kind::parse(&h.kind) {
        Some(k) => (k.spec().label, k.spec().path),
        None => ("Service", "services"),
    };
    SearchResult {
        link: format!("/{path}/{}", h.number),
        kind_label: label.to_owned(),
        snippet: snippet_of(&h.kind, &h.snippet),
        kind: h.kind,
        number: h.number,
        title: h.title,
    }
}

/// The best `limit` (1 to 50) results of `q` the actor may find; a query
/// the domain cannot read answers 422 naming why.
pub async fn run(
    state: &AppState,
    actor: &Actor,
    q: &str,
    limit: i64,
) -> AppResult<Vec<SearchResult>> {
    let query = search::parse(q)?;
    let hits = state
        .store
        .search(&query, &rules(actor), limit.clamp(1, MAX_LIMIT))
        .await?;
    Ok(hits.into_iter().map(result).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_at_the_marks() {
        let p = parts("The \u{2}printer\u{3} on floor \u{2}3\u{3}");
        let text: Vec<(&str, bool)> = p.iter().map(|p| (p.text.as_str(), p.matched)).collect();
        assert_eq!(
            text,
            [
                ("The ", false),
                ("printer", true),
                (" on floor ", false),
                ("3", true)
            ]
        );
        assert_eq!(
            parts("\u{2}open"),
            [SnippetPart {
                text: "open".into(),
                matched: true
            }]
        );
        assert!(parts("").is_empty());
    }
}
