//! Knowledge articles (7.6): work records of kind `article` with their own
//! fields in `article_details`, every saved version in `article_versions`,
//! the organisations of their audience in `article_orgs` and readers'
//! feedback in `article_feedback` (migration 0026, ADR 0020).

use steward_domain::RuleError;
use steward_domain::article::ArticleState;
use steward_domain::audit::Changes;
use steward_domain::kind::{Kind, StateMachine};

use super::super::{Conn, Pools, dialect};
use super::records::{self, KindFields, record_select};
use super::write::{Entry, append_entry};
use super::{Arg, Child, Sql};
use crate::{
    Article, ArticleFields, ArticleFilter, ArticleVersion, AuditActor, Cursor, NewArticle, Page,
    RecordCore, RecordRef, Result,
};

macro_rules! select {
    ($tail:literal) => {
        record_select!(
            concat!(
                "d.audience, ",
                dialect::article_orgs!(),
                " AS audience_orgs, d.draft_title, d.draft_body, d.version AS article_version, \
                 d.author_id, au.name AS author_name, d.reviewed_by, rv.name AS reviewer_name, \
                 d.live_version, d.published_at, \
                 (SELECT COUNT(*) FROM article_feedback f WHERE f.record_id = r.id AND f.helpful) \
                 AS helpful, \
                 (SELECT COUNT(*) FROM article_feedback f WHERE f.record_id = r.id \
                 AND NOT f.helpful) AS not_helpful, ",
                uses!(),
                " AS uses"
            ),
            "JOIN article_details d ON d.record_id = r.id \
             LEFT JOIN users au ON au.id = d.author_id \
             LEFT JOIN users rv ON rv.id = d.reviewed_by",
            "article",
            $tail
        )
    };
}

/// How many incidents the article `r` resolved: linked to it "resolved by"
/// from the incident's side (stored from whichever end has the lower id),
/// each end an index lookup of its own.
macro_rules! uses {
    () => {
        "((SELECT COUNT(*) FROM record_links l JOIN work_records i ON i.id = l.a_id \
         AND i.kind = 'incident' WHERE l.b_id = r.id AND l.link_type = 'resolved_by') \
         + (SELECT COUNT(*) FROM record_links l JOIN work_records i ON i.id = l.b_id \
         AND i.kind = 'incident' WHERE l.a_id = r.id AND l.link_type = 'resolves'))"
    };
}

/// Whether the organisation `org` (an SQL expression) reads the article
/// whose record id is `id`: published (and not retired) to everyone signed
/// in, or to that organisation's customers. The one rule of what customers
/// read, used by a record's lookup, its links, lists and search.
pub(crate) fn readable_by(id: &str, org: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM article_details x WHERE x.record_id = {id} \
         AND x.live_version IS NOT NULL AND (x.audience = 'everyone' OR (x.audience = 'customers' \
         AND EXISTS (SELECT 1 FROM article_orgs ao WHERE ao.record_id = x.record_id \
         AND ao.org_id = {org}))))"
    )
}

impl KindFields for ArticleFields {
    type State = ArticleState;
    const TABLE: &'static str = "article_details";
    const COLUMNS: &'static [&'static str] = &[
        "audience",
        "draft_title",
        "draft_body",
        "version",
        "author_id",
        "reviewed_by",
        "live_version",
        "published_at",
    ];

    fn core(&self) -> &RecordCore {
        &self.core
    }

    fn state(&self) -> ArticleState {
        self.state
    }

    /// Published is its resolution; the kernel keeps no closing time.
    fn times(&self) -> (Option<i64>, Option<i64>) {
        (
            self.life
                .published_at
                .filter(|_| self.life.live_version.is_some()),
            None,
        )
    }

    fn args(&self) -> Vec<Arg> {
        let l = &self.life;
        vec![
            Arg::Text(l.audience.as_str().to_owned()),
            Arg::Text(l.draft_title.clone()),
            Arg::Text(l.draft_body.clone()),
            Arg::I64(l.version),
            Arg::OptI64(l.author_id),
            Arg::OptI64(l.reviewed_by),
            Arg::OptI64(l.live_version),
            Arg::OptI64(l.published_at),
        ]
    }

    /// The kernel's share without the text readers see: the body is kept
    /// once per version (`article_versions`) and the history names the
    /// version; the title stays, short.
    fn diff(&self, to: &Self) -> Changes {
        let mut c = Changes::default();
        self.core().diff(to.core(), &mut c);
        c.0.retain(|f| f.field != "description");
        c.diff("state", &self.state().code(), &to.state().code());
        self.diff_own(to, &mut c);
        c
    }

    /// The body itself is kept once per version (`article_versions`); the
    /// history names the version that changed it.
    fn diff_own(&self, b: &Self, c: &mut Changes) {
        let (l, m) = (&self.life, &b.life);
        c.diff("audience", &l.audience.as_str(), &m.audience.as_str());
        c.diff("organisations", &l.orgs, &m.orgs);
        c.diff("draft_title", &l.draft_title, &m.draft_title);
        c.diff("article_version", &l.version, &m.version);
        c.diff("reviewed_by", &l.reviewed_by, &m.reviewed_by);
        c.diff("live_version", &l.live_version, &m.live_version);
    }
}

impl records::Fields<ArticleFields> for Article {
    fn fields(&self) -> ArticleFields {
        Article::fields(self)
    }
}

fn version_child(f: &ArticleFields, at: i64) -> Child {
    Child {
        table: "article_versions",
        parent_column: "record_id",
        columns: &["version", "title", "body", "author_id", "created_at"],
        args: vec![
            Arg::I64(f.life.version),
            Arg::Text(f.life.draft_title.clone()),
            Arg::Text(f.life.draft_body.clone()),
            Arg::OptI64(f.life.author_id),
            Arg::I64(at),
        ],
    }
}

fn org_child(org: i64) -> Child {
    Child {
        table: "article_orgs",
        parent_column: "record_id",
        columns: &["org_id"],
        args: vec![Arg::I64(org)],
    }
}

/// A new article with its first version and its audience's organisations.
pub async fn create(p: &Pools, actor: &AuditActor, new: &NewArticle) -> Result<Article> {
    let f = &new.fields;
    let mut more = vec![version_child(f, crate::now_ms())];
    more.extend(f.life.orgs.iter().map(|o| org_child(*o)));
    let (_, number) = records::create(
        p,
        actor,
        Kind::Article.spec(),
        new.org_id,
        new.requester_id,
        f,
        more,
    )
    .await?;
    get(p, &number).await
}

pub async fn get(p: &Pools, number: &str) -> Result<Article> {
    sqlx::query_as(select!(" AND r.number = $1"))
        .bind(number)
        .fetch_optional(p.read())
        .await?
        .ok_or(crate::StoreError::NotFound)
}

/// One page newest first, after `after`.
pub async fn list(
    p: &Pools,
    f: &ArticleFilter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page<Article>> {
    let mut q = Sql::new(select!(""));
    records::filter_sql(&mut q, &f.record);
    if let Some(o) = f.reader_org {
        q.push(" AND ").push(&readable_by("r.id", &o.to_string()));
    }
    if let Some(at) = f.review_due_at {
        q.push(" AND r.state <> 'retired' AND r.target_at < ")
            .arg(Arg::I64(at));
    }
    records::newest_page(p, q, after, limit).await
}

/// A change under the article's version check, with its audit entry: a new
/// text is kept as a version, a new audience's organisations replace the old.
pub async fn update<F>(
    p: &Pools,
    actor: &AuditActor,
    number: &str,
    expected_version: Option<i64>,
    action: &str,
    change: F,
) -> Result<Article>
where
    F: FnOnce(&Article) -> std::result::Result<ArticleFields, RuleError>,
{
    let follow = async |conn: &mut Conn, id: i64, old: &ArticleFields, f: &ArticleFields| {
        if f.life.version != old.life.version {
            let c = version_child(f, crate::now_ms());
            let mut q = Sql::new("INSERT INTO article_versions (record_id, ");
            q.push(&c.columns.join(", "))
                .push(") VALUES (")
                .arg(Arg::I64(id));
            for a in c.args {
                q.push(", ").arg(a);
            }
            q.push(")");
            q.execute(&mut *conn).await?;
        }
        if f.life.orgs != old.life.orgs {
            sqlx::query("DELETE FROM article_orgs WHERE record_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            for o in &f.life.orgs {
                sqlx::query("INSERT INTO article_orgs (record_id, org_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(o)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    };
    records::update(
        p,
        actor,
        Kind::Article.spec(),
        number,
        expected_version,
        action,
        select!(" AND r.id = $1"),
        change,
        follow,
    )
    .await
}

/// Every saved version of the article, newest first.
pub async fn versions(p: &Pools, record_id: i64) -> Result<Vec<ArticleVersion>> {
    Ok(sqlx::query_as(
        "SELECT v.version, v.title, v.body, u.name AS author_name, v.created_at \
         FROM article_versions v LEFT JOIN users u ON u.id = v.author_id \
         WHERE v.record_id = $1 ORDER BY v.version DESC",
    )
    .bind(record_id)
    .fetch_all(p.read())
    .await?)
}

/// A reader's "this helped" (or not) on the article `r`: one per reader,
/// the latest answer kept, with its audit entry.
pub async fn feedback(
    p: &Pools,
    actor: &AuditActor,
    r: &RecordRef,
    user_id: i64,
    helpful: bool,
) -> Result<()> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    sqlx::query(
        "INSERT INTO article_feedback (record_id, user_id, helpful, given_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (record_id, user_id) \
         DO UPDATE SET helpful = excluded.helpful, given_at = excluded.given_at",
    )
    .bind(r.id)
    .bind(user_id)
    .bind(helpful)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let mut c = Changes::default();
    c.set("helpful", &helpful);
    let entry = Entry {
        actor,
        org_id: Some(r.org_id),
        record_type: &r.kind,
        record_number: &r.number,
        action: "feedback",
        changes: &c,
    };
    append_entry(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Whether `user_id` wrote a version of the article `record_id` that
/// readers have not seen yet (any, before the first publication).
pub async fn wrote_since_live(p: &Pools, record_id: i64, user_id: i64) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM article_versions v JOIN article_details d \
         ON d.record_id = v.record_id WHERE v.record_id = $1 AND v.author_id = $2 \
         AND v.version > COALESCE(d.live_version, 0))",
    )
    .bind(record_id)
    .bind(user_id)
    .fetch_one(p.read())
    .await?)
}

/// The answer `user_id` gave on the article `record_id`, if any.
pub async fn feedback_of(p: &Pools, record_id: i64, user_id: i64) -> Result<Option<bool>> {
    Ok(sqlx::query_scalar(
        "SELECT helpful FROM article_feedback WHERE record_id = $1 AND user_id = $2",
    )
    .bind(record_id)
    .bind(user_id)
    .fetch_optional(p.read())
    .await?)
}
