//! Knowledge articles (ISO/IEC 20000-1 7.6), a kind of the work-record
//! kernel (ADR 0020): staff write them in Markdown, a second member of staff
//! reviews each version, and a published one is read by its audience (staff,
//! the customers of the organisations it names, or everyone signed in).
//! Every saved text is a version; readers keep the published one while a
//! newer one is drafted. Readers say whether it helped; incidents linked to
//! it "resolved by" count as its uses. Comments, files, links and history
//! are the kernel's (`crate::records`). Used by the API, the web and the demo.

pub mod api;
pub mod demo;
pub mod web;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use steward_domain::access::{Action, Actor};
use steward_domain::article::{self, ArticleState, Audience, STEPS};
use steward_domain::error::Problems;
use steward_domain::kind::{Kind, RecordDraft, StateMachine, Verb, parse_step};
use steward_store::{
    Article, ArticleFields, ArticleFilter, AuditActor, NewArticle, Page, RecordCore, RecordFilter,
};

use crate::AppState;
use crate::core_fields::service_ref;
use crate::error::{AppError, AppResult};
use crate::paging::ListBasics;
use crate::policy::require;
use crate::records::{self, RefsInput};
use crate::views::{ServiceRef, opt_time, time};

fn action(verb: Verb) -> Action {
    Action::Work(Kind::Article, verb)
}

/// How long a new article holds before it is reviewed again, by default.
const REVIEW_AFTER_DAYS: i64 = 365;

/// A new article (staff).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    pub title: String,
    /// The text, in Markdown (rendered sanitised: nothing in it runs).
    #[serde(default)]
    pub body: String,
    /// staff (default), customers or everyone.
    pub audience: Option<String>,
    /// For the audience customers: the names of the organisations whose customers read it.
    #[serde(default)]
    pub organisations: Vec<String>,
    /// The service it is about, e.g. `SVC-0001`.
    pub service: Option<String>,
    /// One of general, hardware, software, network, access, security, data (default general).
    pub category: Option<String>,
    /// The owner's e-mail (default: the author).
    pub owner: Option<String>,
    /// When it is next reviewed, `YYYY-MM-DD` (default: a year from today).
    pub review_date: Option<String>,
}

/// Changes to an article (staff); absent fields stay as they are. A new
/// title or body is a new version, back to draft for its review.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    pub title: Option<String>,
    pub body: Option<String>,
    pub audience: Option<String>,
    pub organisations: Option<Vec<String>>,
    pub service: Option<String>,
    pub category: Option<String>,
    pub owner: Option<String>,
    pub review_date: Option<String>,
}

/// A step of an article's approval.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleStepInput {
    /// review, publish, rework, retire or restore.
    pub action: String,
}

/// A reader's answer: did the article help?
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    pub helpful: bool,
}

/// Filters and paging of the article list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// Comma-separated states (draft, reviewed, published, retired), or `open` for drafts and reviewed.
    pub state: Option<String>,
    /// Text in the title, or an article number.
    pub q: Option<String>,
    /// `true`: only those past their review date (not retired).
    pub review_due: Option<bool>,
    pub cursor: Option<String>,
    /// 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// The newest version when it is not the one readers see (staff only).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DraftView {
    pub version: i64,
    pub title: String,
    pub body: String,
    pub author: Option<String>,
    pub reviewed_by: Option<String>,
}

/// An article as the reader may see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ArticleView {
    pub number: String,
    /// What readers see: the published version (the draft before the first publication).
    pub title: String,
    /// Markdown.
    pub body: String,
    /// draft, reviewed, published or retired (of the newest version).
    pub state: String,
    /// staff, customers or everyone.
    pub audience: String,
    /// Staff: the organisations whose customers read it.
    pub organisations: Vec<String>,
    pub category: String,
    pub service: Option<ServiceRef>,
    pub owner: Option<String>,
    /// The version readers see, if any.
    pub live_version: Option<i64>,
    pub published_at: Option<String>,
    pub review_date: Option<String>,
    /// Past its review date and not retired.
    pub review_due: bool,
    /// Staff: the newest version when readers do not see it yet.
    pub draft: Option<DraftView>,
    /// Staff: readers who said it helped, and who said it did not.
    pub helpful: Option<i64>,
    pub not_helpful: Option<i64>,
    /// Staff: incidents resolved with it (linked "resolved by").
    pub uses: Option<i64>,
    pub updated_at: String,
    pub version: i64,
}

impl ArticleView {
    pub fn of(a: &Article, staff: bool, org_names: &HashMap<i64, String>, now: i64) -> ArticleView {
        let draft = (staff && pending(a)).then(|| DraftView {
            version: a.article_version,
            title: a.draft_title.clone(),
            body: a.draft_body.clone(),
            author: a.author_name.clone(),
            reviewed_by: a.reviewer_name.clone(),
        });
        ArticleView {
            number: a.number.clone(),
            title: a.title.clone(),
            body: a.description.clone(),
            state: a.state().code().to_owned(),
            audience: a.audience.as_str().to_owned(),
            organisations: if staff {
                a.orgs()
                    .iter()
                    .filter_map(|o| org_names.get(o).cloned())
                    .collect()
            } else {
                Vec::new()
            },
            category: a.category.clone(),
            service: service_ref(a),
            owner: a.assignee_name.clone(),
            live_version: a.live_version,
            published_at: opt_time(a.published_at.filter(|_| a.live_version.is_some())),
            review_date: opt_time(a.target_at),
            review_due: review_due(a, now),
            draft,
            helpful: staff.then_some(a.helpful),
            not_helpful: staff.then_some(a.not_helpful),
            uses: staff.then_some(a.uses),
            updated_at: time(a.updated_at),
            version: a.version,
        }
    }
}

/// Whether the newest version is not what readers see (staff are shown both).
pub fn pending(a: &Article) -> bool {
    (&a.draft_title, &a.draft_body) != (&a.title, &a.description)
}

/// Past its review date and not retired.
pub fn review_due(a: &Article, now: i64) -> bool {
    a.state() != ArticleState::Retired && a.target_at.is_some_and(|t| t < now)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ArticlePage {
    pub items: Vec<ArticleView>,
    pub next_cursor: Option<String>,
}

/// One saved version (staff).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub title: String,
    pub body: String,
    pub author: Option<String>,
    pub saved_at: String,
    #[serde(skip)]
    pub saved_ms: i64,
    /// The one readers see.
    pub live: bool,
}

/// Organisation names by id, for the views.
pub async fn org_names(state: &AppState) -> AppResult<HashMap<i64, String>> {
    Ok(state
        .store
        .list_orgs()
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

/// An article the actor may read, or 404: staff any, customers one
/// published to them (the kernel's read rule).
pub async fn get(state: &AppState, actor: &Actor, number: &str) -> AppResult<Article> {
    let r = records::get_of(state, actor, Kind::Article, number).await?;
    Ok(state.store.article(&r.number).await?)
}

/// The organisations named, by name; each unknown one is a problem.
async fn resolve_orgs(state: &AppState, p: &mut Problems, names: &[String]) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        match state.store.org_by_name(name).await {
            Ok(o) => ids.push(o.id),
            Err(steward_store::StoreError::NotFound) => {
                p.add("organisations", format!("no organisation named {name:?}"))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ids)
}

fn default_review_date() -> String {
    crate::views::in_days(REVIEW_AFTER_DAYS)
}

pub async fn create(state: &AppState, actor: &Actor, input: &ArticleInput) -> AppResult<Article> {
    require(actor, action(Verb::Create), None)?;
    let mut p = Problems::default();
    let text = p.take(article::parse_text(&input.title, &input.body));
    let orgs = resolve_orgs(state, &mut p, &input.organisations).await?;
    let audience = p.take(article::parse_audience(
        input.audience.as_deref().unwrap_or("staff"),
        orgs,
    ));
    let draft = p.take(RecordDraft::parse(
        &input.title,
        "",
        input.category.as_deref(),
        None,
        None,
    ));
    let review_date = input
        .review_date
        .clone()
        .unwrap_or_else(default_review_date);
    let refs = RefsInput {
        service: input.service.as_deref(),
        group: None,
        assignee: input.owner.as_deref(),
        target_date: Some(&review_date),
    };
    let refs = records::resolve_refs(state, actor, &mut p, refs).await;
    p.rename("assignee", "owner");
    p.rename("target_date", "review_date");
    let Some((((title, body), (audience, orgs)), draft)) =
        p.finish(text.zip(audience).zip(draft))?
    else {
        return Err(AppError::internal("an article without its parts"));
    };
    let mut core = records::core_of(&state.matrix, &RecordCore::default(), draft, &refs);
    core.description = body.clone();
    core.assignee_id = core.assignee_id.or(Some(actor.user_id));
    let fields = ArticleFields {
        core,
        state: ArticleState::Draft,
        life: article::ArticleLife {
            audience,
            orgs,
            draft_title: title,
            draft_body: body,
            version: 1,
            author_id: Some(actor.user_id),
            ..Default::default()
        },
    };
    let new = NewArticle {
        org_id: actor.org_id,
        requester_id: Some(actor.user_id),
        fields,
    };
    Ok(state
        .store
        .create_article(&AuditActor::from(actor), &new)
        .await?)
}

/// The kernel's title and description follow what readers see.
fn show(f: &mut ArticleFields) {
    let (t, b) = article::shown_text(&f.life, &f.core.title, &f.core.description);
    (f.core.title, f.core.description) = (t.to_owned(), b.to_owned());
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    number: &str,
    patch: &ArticlePatch,
    if_match: Option<i64>,
) -> AppResult<Article> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Update), None)?;
    let mut p = Problems::default();
    let orgs = match &patch.organisations {
        Some(names) => Some(resolve_orgs(state, &mut p, names).await?),
        None => None,
    };
    let refs = RefsInput {
        service: patch.service.as_deref(),
        group: None,
        assignee: patch.owner.as_deref(),
        target_date: patch.review_date.as_deref(),
    };
    let refs = records::resolve_refs(state, actor, &mut p, refs).await;
    p.rename("assignee", "owner");
    p.rename("target_date", "review_date");
    p.finish(())?;
    let author = actor.user_id;
    let matrix = state.matrix.clone();
    let updated = state
        .store
        .update_article(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            "update",
            move |now| {
                if now.state() == ArticleState::Retired {
                    return Err(now.state().refuse("change").into());
                }
                let mut f = now.fields();
                let mut p = Problems::default();
                if patch.title.is_some() || patch.body.is_some() {
                    let title = patch.title.as_deref().unwrap_or(&f.life.draft_title);
                    let body = patch.body.as_deref().unwrap_or(&f.life.draft_body);
                    if let Some((t, b)) = p.take(article::parse_text(title, body)) {
                        (f.state, f.life) = article::edit(f.state, &f.life, t, b, author)?;
                    }
                }
                if patch.audience.is_some() || orgs.is_some() {
                    let typed = patch
                        .audience
                        .as_deref()
                        .unwrap_or(f.life.audience.as_str());
                    // Another audience than customers names no organisations.
                    let orgs = orgs.unwrap_or_else(|| match patch.audience.as_deref() {
                        Some(a) if a.trim() != Audience::Customers.as_str() => Vec::new(),
                        _ => f.life.orgs.clone(),
                    });
                    if let Some((a, o)) = p.take(article::parse_audience(typed, orgs)) {
                        (f.life.audience, f.life.orgs) = (a, o);
                    }
                }
                let category = patch.category.as_deref().unwrap_or(&f.core.category);
                if let Some(d) = p.take(RecordDraft::parse(
                    &f.core.title,
                    "",
                    Some(category),
                    None,
                    None,
                )) {
                    let description = std::mem::take(&mut f.core.description);
                    let title = f.core.title.clone();
                    f.core = records::core_of(&matrix, &f.core, d, &refs);
                    (f.core.title, f.core.description) = (title, description);
                }
                p.finish(())?;
                show(&mut f);
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

pub async fn step(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &ArticleStepInput,
    if_match: Option<i64>,
) -> AppResult<Article> {
    let current = get(state, actor, number).await?;
    require(actor, action(Verb::Transition), None)?;
    let (spec, _) = parse_step(STEPS, &input.action, None)?;
    // Who wrote what readers have not seen yet, as of the version read here.
    let wrote = spec.action == "review"
        && state
            .store
            .article_wrote_since_live(current.id, actor.user_id)
            .await?;
    let seen = current.article_version;
    let now = steward_store::now_ms();
    let by = actor.user_id;
    let updated = state
        .store
        .update_article(
            &AuditActor::from(actor),
            &current.number,
            if_match,
            spec.action,
            |a| {
                if a.article_version != seen {
                    return Err(steward_domain::ValidationError::single(
                        "action",
                        "a new version was saved meanwhile: reload the article",
                    )
                    .into());
                }
                let mut f = a.fields();
                (f.state, f.life) =
                    article::apply(a.state(), &f.life, spec.action, by, wrote, now)?;
                show(&mut f);
                Ok(f)
            },
        )
        .await;
    Ok(updated?)
}

/// Articles newest first: staff all, customers those published to them.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    params: &ArticleListParams,
) -> AppResult<Page<Article>> {
    require(actor, action(Verb::Read), None)?;
    let mut p = Problems::default();
    let basics = ListBasics::parse::<ArticleState>(
        &mut p,
        params.state.as_deref(),
        params.q.as_deref(),
        params.cursor.as_deref(),
        params.limit,
        200,
    );
    p.finish(())?;
    let staff = actor.role.is_staff();
    let filter = ArticleFilter {
        record: RecordFilter {
            states: if staff { basics.states } else { Vec::new() },
            assignee_id: None,
            text: basics.text,
            org_id: None,
        },
        reader_org: (!staff).then_some(actor.org_id),
        review_due_at: (staff && params.review_due == Some(true)).then(steward_store::now_ms),
    };
    Ok(state
        .store
        .list_articles(&filter, basics.cursor, basics.limit)
        .await?)
}

/// Every saved version, newest first: staff only (readers see the published one).
pub async fn versions(
    state: &AppState,
    actor: &Actor,
    number: &str,
) -> AppResult<Vec<VersionView>> {
    let a = get(state, actor, number).await?;
    if !actor.role.is_staff() {
        return Err(AppError::NotFound);
    }
    Ok(state
        .store
        .article_versions(a.id)
        .await?
        .into_iter()
        .map(|v| VersionView {
            live: a.live_version == Some(v.version),
            version: v.version,
            title: v.title,
            body: v.body,
            author: v.author_name,
            saved_at: time(v.created_at),
            saved_ms: v.created_at,
        })
        .collect())
}

/// A reader says whether a published article helped; their latest answer counts.
pub async fn feedback(
    state: &AppState,
    actor: &Actor,
    number: &str,
    input: &FeedbackInput,
) -> AppResult<Article> {
    let r = records::get_of(state, actor, Kind::Article, number).await?;
    require(actor, action(Verb::Feedback), None)?;
    let a = state.store.article(&r.number).await?;
    if a.live_version.is_none() {
        return Err(AppError::Conflict(format!(
            "{} is not published: readers give feedback on what they read",
            a.number
        )));
    }
    state
        .store
        .article_feedback(&AuditActor::from(actor), &r, actor.user_id, input.helpful)
        .await?;
    Ok(state.store.article(&r.number).await?)
}
