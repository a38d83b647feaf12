//! The store's methods for knowledge articles: each calls the same query on
//! whichever backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_article(&self, actor: &AuditActor, new: &NewArticle) -> Result<Article> {
        dispatch!(self, articles::create(actor, new))
    }

    pub async fn article(&self, number: &str) -> Result<Article> {
        dispatch!(self, articles::get(number))
    }

    pub async fn list_articles(
        &self,
        filter: &ArticleFilter,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Page<Article>> {
        dispatch!(self, articles::list(filter, after, limit))
    }

    pub async fn update_article<F>(
        &self,
        actor: &AuditActor,
        number: &str,
        expected_version: Option<i64>,
        action: &str,
        change: F,
    ) -> Result<Article>
    where
        F: FnOnce(&Article) -> std::result::Result<ArticleFields, steward_domain::RuleError>,
    {
        dispatch!(
            self,
            articles::update(actor, number, expected_version, action, change)
        )
    }

    /// Every saved version of an article, newest first.
    pub async fn article_versions(&self, record_id: i64) -> Result<Vec<ArticleVersion>> {
        dispatch!(self, articles::versions(record_id))
    }

    /// A reader says whether the article helped (their latest answer counts).
    pub async fn article_feedback(
        &self,
        actor: &AuditActor,
        record: &RecordRef,
        user_id: i64,
        helpful: bool,
    ) -> Result<()> {
        dispatch!(self, articles::feedback(actor, record, user_id, helpful))
    }

    /// Whether `user_id` wrote a version readers have not seen yet.
    pub async fn article_wrote_since_live(&self, record_id: i64, user_id: i64) -> Result<bool> {
        dispatch!(self, articles::wrote_since_live(record_id, user_id))
    }

    /// What `user_id` answered on an article, if anything.
    pub async fn article_feedback_of(&self, record_id: i64, user_id: i64) -> Result<Option<bool>> {
        dispatch!(self, articles::feedback_of(record_id, user_id))
    }
}
