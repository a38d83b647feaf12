//! The knowledge pages: the list (what a customer may read, or all for
//! staff), write an article, and an article's page: its text rendered from
//! Markdown and sanitised, "did this help?", and for staff the newest
//! version, the versions, the approval steps, the edit form, links and
//! activity.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_domain::access::{Action, Decision, authorize};
use steward_domain::article::{Audience, STEPS};
use steward_domain::incident::CATEGORIES;
use steward_domain::kind::{Kind, StepSpec, Verb, steps_from};
use steward_store::Article;

use super::{
    ArticleInput, ArticleListParams, ArticlePatch, ArticleStepInput, FeedbackInput, VersionView,
};
use crate::AppState;
use crate::auth::{WebForm, WebSession};
use crate::core_fields::{EditValues, form_version};
use crate::error::AppError;
use crate::records::LinkView;
use crate::web::record::{AttachmentRow, StepForm, TimelineItem, listed, next_link};
use crate::web::{Errors, Nav, WebResult, local_opt, local_time};

pub fn router() -> crate::web::WebRoutes {
    use axum::routing::{get, post};
    crate::web::WebRoutes::default()
        .route("/articles", "GET", get(list))
        .route("/articles/new", "GET POST", get(new_page).post(create))
        .route("/articles/{number}", "GET", get(show))
        .route("/articles/{number}/edit", "POST", post(edit))
        .route("/articles/{number}/transitions", "POST", post(step))
        .route("/articles/{number}/feedback", "POST", post(feedback))
}

fn allowed(s: &WebSession, verb: Verb) -> bool {
    authorize(&s.actor, Action::Work(Kind::Article, verb), None) == Decision::Allow
}

#[derive(Template, WebTemplate)]
#[template(path = "articles.html")]
pub struct ListPage {
    nav: Option<Nav>,
    f: ArticleListParams,
    rows: Vec<Article>,
    now: i64,
    tz: String,
    staff: bool,
    can_create: bool,
    next_link: String,
    error: String,
}

impl ListPage {
    fn review(&self, a: &Article) -> String {
        local_opt(a.target_at, &self.tz)
    }

    fn review_due(&self, a: &Article) -> bool {
        super::review_due(a, self.now)
    }
}

pub async fn list(
    State(state): State<AppState>,
    s: WebSession,
    Query(f): Query<ArticleListParams>,
) -> WebResult<ListPage> {
    let (page, error) = listed(super::list(&state, &s.actor, &f).await)?;
    let next_link = next_link("/articles", &f, page.next.as_ref());
    Ok(ListPage {
        nav: Nav::of(&s),
        rows: page.items,
        now: steward_store::now_ms(),
        tz: s.user.effective_time_zone().to_owned(),
        staff: s.actor.role.is_staff(),
        can_create: allowed(&s, Verb::Create),
        next_link,
        error,
        f,
    })
}

/// The article form as posted (new and edit alike).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArticleForm {
    title: String,
    body: String,
    audience: String,
    /// Organisation names, one per line (a name may hold a comma).
    organisations: String,
    service: String,
    category: String,
    owner: String,
    review_date: String,
}

impl ArticleForm {
    fn orgs(&self) -> Vec<String> {
        self.organisations
            .lines()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect()
    }

    fn given(v: &str) -> Option<String> {
        Some(v.trim().to_owned()).filter(|v| !v.is_empty())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "article_new.html")]
pub struct NewPage {
    nav: Option<Nav>,
    csrf: String,
    form: ArticleForm,
    errors: Errors,
    services: Vec<(String, String)>,
    categories: &'static [&'static str],
    audiences: [Audience; 3],
}

async fn new_form(
    state: &AppState,
    s: &WebSession,
    form: ArticleForm,
    errors: Errors,
) -> WebResult<NewPage> {
    Ok(NewPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        form,
        errors,
        services: crate::web::record::service_options(state, &s.actor).await?,
        categories: &CATEGORIES,
        audiences: Audience::ALL,
    })
}

pub async fn new_page(State(state): State<AppState>, s: WebSession) -> WebResult<NewPage> {
    crate::policy::require(&s.actor, Action::Work(Kind::Article, Verb::Create), None)?;
    new_form(&state, &s, ArticleForm::default(), Errors::default()).await
}

pub async fn create(State(state): State<AppState>, f: WebForm<ArticleForm>) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ArticleInput {
        title: form.title.clone(),
        body: form.body.clone(),
        audience: ArticleForm::given(&form.audience),
        organisations: form.orgs(),
        service: ArticleForm::given(&form.service),
        category: ArticleForm::given(&form.category),
        owner: ArticleForm::given(&form.owner),
        review_date: ArticleForm::given(&form.review_date),
    };
    match super::create(&state, &s.actor, &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/articles/{}?m=recorded", a.number)).into_response()),
        Err(AppError::Validation(v)) => {
            let page = new_form(&state, &s, form, Errors(v.0)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "article.html")]
pub struct ArticlePageView {
    nav: Option<Nav>,
    csrf: String,
    p: Article,
    /// What readers see, as sanitised HTML.
    body_html: String,
    /// Staff: the newest version when readers do not see it yet, as sanitised HTML.
    draft_html: String,
    flash: &'static str,
    errors: Errors,
    links: Vec<LinkView>,
    timeline: Vec<TimelineItem>,
    attachments: Vec<AttachmentRow>,
    base: String,
    staff: bool,
    draft: String,
    notes_first: bool,
    steps: Vec<&'static StepSpec>,
    can_edit: bool,
    can_link: bool,
    can_comment: bool,
    review_due: bool,
    published: String,
    review: String,
    opened: String,
    organisations: Vec<String>,
    versions: Vec<VersionView>,
    /// What the reader answered, if anything.
    answered: Option<bool>,
    form: ArticleForm,
    services: Vec<(String, String)>,
    categories: &'static [&'static str],
    audiences: [Audience; 3],
    tz: String,
}

impl ArticlePageView {
    fn saved(&self, v: &VersionView) -> String {
        local_time(v.saved_ms, &self.tz)
    }
}

#[derive(Deserialize)]
pub struct ShowParams {
    m: Option<String>,
}

async fn article_page(
    state: &AppState,
    s: &WebSession,
    number: &str,
    flash: &'static str,
    errors: Errors,
) -> WebResult<ArticlePageView> {
    let p = super::get(state, &s.actor, number).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let r = crate::records::get(state, &s.actor, &p.number).await?;
    let staff = s.actor.role.is_staff();
    let parts = crate::web::record::parts(state, &s.actor, &r, &tz).await?;
    let open = !p.state().is_final();
    let can_edit = open && allowed(s, Verb::Update);
    let steps = if allowed(s, Verb::Transition) {
        steps_from(p.state(), STEPS)
    } else {
        Vec::new()
    };
    let names = super::org_names(state).await?;
    let organisations: Vec<String> = p
        .orgs()
        .iter()
        .filter_map(|o| names.get(o).cloned())
        .collect();
    let versions = if staff {
        super::versions(state, &s.actor, &p.number).await?
    } else {
        Vec::new()
    };
    let pending = staff && super::pending(&p);
    // The owner's e-mail and the review date as the kernel's edit forms show them.
    let edit = EditValues::of(state, &p, can_edit).await?;
    let form = ArticleForm {
        title: p.draft_title.clone(),
        body: p.draft_body.clone(),
        audience: p.audience.as_str().to_owned(),
        organisations: organisations.join("\n"),
        service: p.service_number.clone().unwrap_or_default(),
        category: p.category.clone(),
        owner: edit.assignee,
        review_date: edit.target_date,
    };
    Ok(ArticlePageView {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        body_html: crate::markdown::to_html(&p.description),
        draft_html: if pending {
            crate::markdown::to_html(&p.draft_body)
        } else {
            String::new()
        },
        flash,
        errors,
        links: parts.links,
        timeline: parts.timeline,
        attachments: parts.attachments,
        base: format!("/articles/{}", p.number),
        staff,
        draft: String::new(),
        // Comments on an article are the provider's own.
        notes_first: true,
        steps,
        can_edit,
        can_link: open && allowed(s, Verb::Link),
        can_comment: open && allowed(s, Verb::Comment),
        review_due: super::review_due(&p, steward_store::now_ms()),
        published: local_opt(p.published_at.filter(|_| p.live_version.is_some()), &tz),
        review: local_opt(p.target_at, &tz),
        opened: local_time(p.opened_at, &tz),
        organisations,
        versions,
        answered: state
            .store
            .article_feedback_of(p.id, s.actor.user_id)
            .await?,
        form,
        services: if can_edit {
            crate::web::record::service_options(state, &s.actor).await?
        } else {
            Vec::new()
        },
        categories: &CATEGORIES,
        audiences: Audience::ALL,
        tz,
        p,
    })
}

pub async fn show(
    State(state): State<AppState>,
    s: WebSession,
    Path(number): Path<String>,
    Query(q): Query<ShowParams>,
) -> WebResult<ArticlePageView> {
    let flash = crate::web::record::flash(
        q.m.as_deref(),
        &[
            (
                "recorded",
                "Article saved as a draft: another member of staff reviews it.",
            ),
            ("thanks", "Thank you: your answer helps us improve it."),
        ],
    );
    article_page(&state, &s, &number, flash, Errors::default()).await
}

/// A refused change, shown on the article's page with what went wrong.
pub(crate) async fn refused(
    state: &AppState,
    s: &WebSession,
    number: &str,
    e: AppError,
    draft: String,
) -> WebResult<Response> {
    let (status, errors) = crate::web::record::refusal(e, "article")?;
    let mut page = article_page(state, s, number, "", Errors(errors)).await?;
    page.draft = draft;
    Ok((status, page).into_response())
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    version: String,
    #[serde(flatten)]
    form: ArticleForm,
}

pub async fn edit(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<EditForm>,
) -> WebResult<Response> {
    let (s, e) = (f.session, f.form);
    let form = e.form;
    let patch = ArticlePatch {
        title: Some(form.title.clone()),
        body: Some(form.body.clone()),
        audience: Some(form.audience.clone()),
        // Only the audience customers names organisations.
        organisations: Some(if form.audience == Audience::Customers.as_str() {
            form.orgs()
        } else {
            Vec::new()
        }),
        service: Some(form.service.clone()).filter(|s| !s.trim().is_empty()),
        category: Some(form.category.clone()),
        owner: Some(form.owner.clone()),
        review_date: Some(form.review_date.clone()),
    };
    let version = form_version(&e.version)?;
    match super::update(&state, &s.actor, &number, &patch, Some(version)).await {
        Ok(a) => Ok(Redirect::to(&format!("/articles/{}?m=saved", a.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

pub async fn step(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<StepForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = ArticleStepInput {
        action: form.action,
    };
    match super::step(&state, &s.actor, &number, &input, Some(form.version)).await {
        Ok(a) => Ok(Redirect::to(&format!("/articles/{}?m=moved", a.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct FeedbackForm {
    helpful: String,
}

pub async fn feedback(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: WebForm<FeedbackForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = FeedbackInput {
        helpful: form.helpful == "yes",
    };
    match super::feedback(&state, &s.actor, &number, &input).await {
        Ok(a) => Ok(Redirect::to(&format!("/articles/{}?m=thanks", a.number)).into_response()),
        Err(e) => refused(&state, &s, &number, e, String::new()).await,
    }
}
