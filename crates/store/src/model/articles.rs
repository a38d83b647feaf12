//! Knowledge articles (7.6): the work record, the newest version's text and
//! its approval, who reads it, and what readers said.

use serde::Serialize;
use steward_domain::UtcMillis;
use steward_domain::article::{ArticleLife, ArticleState, Audience};

use super::kernel::kind_row;
use super::{Cursor, Listed, RecordCore, RecordRow};

/// An article: its record (title and description are what readers see) and its own fields.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Article {
    #[sqlx(flatten)]
    pub record: RecordRow<ArticleState>,
    pub audience: crate::Code<Audience>,
    /// The organisations of the audience `customers`, comma-separated ids.
    pub audience_orgs: Option<String>,
    pub draft_title: String,
    pub draft_body: String,
    pub article_version: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub reviewed_by: Option<i64>,
    pub reviewer_name: Option<String>,
    pub live_version: Option<i64>,
    pub published_at: Option<UtcMillis>,
    /// Readers who said it helped, and who said it did not.
    pub helpful: i64,
    pub not_helpful: i64,
    /// Incidents resolved by it (linked "resolved by" from the incident).
    pub uses: i64,
}

kind_row!(Article, ArticleState);

impl Article {
    pub fn orgs(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .audience_orgs
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        v.sort_unstable();
        v
    }

    pub fn fields(&self) -> ArticleFields {
        ArticleFields {
            core: self.core(),
            state: self.state(),
            life: ArticleLife {
                audience: self.audience.get(),
                orgs: self.orgs(),
                draft_title: self.draft_title.clone(),
                draft_body: self.draft_body.clone(),
                version: self.article_version,
                author_id: self.author_id,
                reviewed_by: self.reviewed_by,
                live_version: self.live_version,
                published_at: self.published_at,
            },
        }
    }
}

/// What a change to an article may touch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArticleFields {
    pub core: RecordCore,
    pub state: ArticleState,
    pub life: ArticleLife,
}

/// A new article with its references resolved.
pub type NewArticle = super::NewRecord<ArticleFields>;

/// One saved version of an article's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ArticleVersion {
    pub version: i64,
    pub title: String,
    pub body: String,
    pub author_name: Option<String>,
    pub created_at: UtcMillis,
}

/// Which articles a list shows.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub record: super::RecordFilter,
    /// Only those a customer of this organisation reads (published to them).
    pub reader_org: Option<i64>,
    /// Only those past their review date and not retired.
    pub review_due_at: Option<UtcMillis>,
}
