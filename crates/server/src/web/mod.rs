//! The server-rendered web UI: askama templates (escaped by default), no
//! JavaScript build step, assets embedded in the binary. Handlers translate
//! forms into the same operations the API uses.

mod admin;
mod conformity;
pub(crate) mod jobs;
mod multipart;
pub(crate) mod record;
mod search;
mod service_level_forms;
mod service_levels;
mod session;
mod sms;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use steward_domain::FieldError;

use crate::AppState;
use crate::auth::WebSession;
use crate::error::AppError;
use crate::incidents::web as incidents;

/// The web UI's routes, each with the methods it answers, so that the
/// authorisation matrix walks every page and form (a route added without an
/// expected answer per role fails it).
pub struct WebRoutes {
    router: Router<AppState>,
    list: Vec<(&'static str, String)>,
}

impl Default for WebRoutes {
    fn default() -> Self {
        WebRoutes {
            router: Router::new(),
            list: Vec::new(),
        }
    }
}

impl WebRoutes {
    /// Adds `path` answering `methods` (space-separated, e.g. `"GET POST"`).
    pub fn route(
        mut self,
        path: impl Into<String>,
        methods: &'static str,
        handler: axum::routing::MethodRouter<AppState>,
    ) -> Self {
        let path = path.into();
        self.router = self.router.route(&path, handler);
        for m in methods.split_whitespace() {
            self.list.push((m, path.clone()));
        }
        self
    }

    pub fn merge(mut self, other: WebRoutes) -> Self {
        self.list.extend(other.list);
        self.router = self.router.merge(other.router);
        self
    }

    /// Every route as `(method, path)`.
    pub fn list(&self) -> &[(&'static str, String)] {
        &self.list
    }
}

/// The web UI's router.
pub fn router(max_upload: usize) -> Router<AppState> {
    routes(max_upload).router
}

/// The web UI's routes with their methods.
pub fn routes(max_upload: usize) -> WebRoutes {
    WebRoutes::default()
        .route("/static/style.css", "GET", get(stylesheet))
        .route(
            "/login",
            "GET POST",
            get(session::login_page).post(session::login),
        )
        .route("/logout", "POST", post(session::logout))
        .route("/", "GET", get(incidents::home))
        .route("/incidents", "GET", get(incidents::list))
        .route(
            "/incidents/new",
            "GET POST",
            get(incidents::new_page).post(incidents::create),
        )
        .route("/incidents/{number}", "GET", get(incidents::show))
        .route("/incidents/{number}/edit", "POST", post(incidents::edit))
        .route(
            "/incidents/{number}/sla/{kind}/reason",
            "POST",
            post(incidents::breach_reason),
        )
        .route(
            "/incidents/{number}/transition",
            "POST",
            post(incidents::transition),
        )
        .route("/attachments/{id}", "GET", get(incidents::download))
        .route(
            "/services",
            "GET POST",
            get(admin::services).post(admin::create_service),
        )
        .route(
            "/services/{number}",
            "GET POST",
            get(admin::service).post(admin::update_service),
        )
        .route(
            "/admin/users",
            "GET POST",
            get(admin::users).post(admin::create_user),
        )
        .route(
            "/admin/users/{id}",
            "GET POST",
            get(admin::user).post(admin::update_user),
        )
        .route("/admin/users/{id}/active", "POST", post(admin::set_active))
        .route(
            "/admin/users/{id}/tokens/{token}/revoke",
            "POST",
            post(admin::revoke_user_token),
        )
        .route(
            "/admin/organisations",
            "GET POST",
            get(admin::organisations).post(admin::create_org),
        )
        .route(
            "/admin/organisations/{id}",
            "GET POST",
            get(admin::organisation).post(admin::update_org),
        )
        .route(
            "/admin/groups",
            "GET POST",
            get(admin::groups).post(admin::create_group),
        )
        .route(
            "/admin/groups/{id}",
            "GET POST",
            get(admin::group).post(admin::update_group),
        )
        .route("/settings", "GET", get(admin::settings))
        .route("/settings/time-zone", "POST", post(admin::set_time_zone))
        .route(
            "/settings/notifications",
            "POST",
            post(admin::set_notifications),
        )
        .route("/settings/tokens", "POST", post(admin::create_token))
        .route(
            "/settings/tokens/{id}/revoke",
            "POST",
            post(admin::revoke_token),
        )
        .route("/audit", "GET", get(admin::audit))
        .route("/agreements", "GET", get(service_levels::list))
        .route(
            "/calendars/{id}/holidays",
            "POST",
            post(service_levels::import_holidays)
                .layer(axum::extract::DefaultBodyLimit::max(max_upload + 64 * 1024)),
        )
        .route(
            "/agreements/new",
            "GET POST",
            get(service_level_forms::new_agreement).post(service_level_forms::create_agreement),
        )
        .route(
            "/agreements/{number}/edit",
            "GET POST",
            get(service_level_forms::edit_agreement).post(service_level_forms::update_agreement),
        )
        .route(
            "/calendars/new",
            "GET POST",
            get(service_level_forms::new_calendar).post(service_level_forms::create_calendar),
        )
        .route(
            "/calendars/{id}",
            "GET POST",
            get(service_level_forms::edit_calendar).post(service_level_forms::update_calendar),
        )
        .route("/agreements/{number}", "GET", get(service_levels::show))
        .route(
            "/agreements/{number}/report.csv",
            "GET",
            get(service_levels::csv),
        )
        .route("/search", "GET", get(search::page))
        .route("/admin/jobs", "GET", get(jobs::list))
        .route("/admin/jobs/{id}/retry", "POST", post(jobs::retry))
        .route("/conformity", "GET", get(conformity::dashboard))
        .route("/conformity/report", "GET", get(conformity::report))
        .route(
            "/conformity/files/{id}",
            "GET",
            get(conformity::evidence_file),
        )
        .route("/conformity/{clause}", "GET", get(conformity::requirement))
        .route(
            "/conformity/{clause}/note",
            "POST",
            post(conformity::set_note),
        )
        .route(
            "/conformity/{clause}/evidence",
            "POST",
            post(conformity::add_evidence)
                .layer(axum::extract::DefaultBodyLimit::max(max_upload + 64 * 1024)),
        )
        .route("/sms", "GET", get(sms::overview))
        .route(
            "/sms/{register}",
            "GET POST",
            get(sms::list).post(sms::create),
        )
        .route(
            "/sms/{register}/{number}",
            "GET POST",
            get(sms::show).post(sms::update),
        )
        .route("/sms/documents/{number}/step", "POST", post(sms::step))
        .route(
            "/sms/documents/{number}/acknowledge",
            "POST",
            post(sms::acknowledge),
        )
        .route(
            "/sms/documents/{number}/files",
            "POST",
            post(sms::attach).layer(axum::extract::DefaultBodyLimit::max(max_upload + 64 * 1024)),
        )
        .route(
            "/sms/documents/{number}/files/{id}",
            "GET",
            get(sms::download),
        )
        .merge(crate::problems::web::router())
        .merge(crate::complaints::web::router())
        .merge(crate::articles::web::router())
        .merge(crate::requests::web::router())
        .merge(crate::requests::admin_web::router())
        .merge(crate::portal::router())
        .merge(crate::relationship::web::router())
        .merge(crate::mail_in::web::router())
        .merge(crate::nonconformities::web::router())
        .merge(crate::actions::web::router())
        .merge(crate::improvements::web::router())
        .merge(crate::audits::web::router())
        .merge(crate::findings::web::router())
        .merge(crate::reviews::web::router())
        .merge(crate::service_reports::web::router())
        .merge(crate::surveys::web::router())
        .merge(crate::web::WebRoutes::default().route(
            "/satisfaction",
            "GET",
            axum::routing::get(crate::satisfaction::page),
        ))
        .merge(record::routes(max_upload))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

/// A form with no fields of its own (its CSRF token is checked by `WebForm`).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// What the page header needs to know about the signed-in user.
pub struct Nav {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
    pub is_admin: bool,
    pub can_audit: bool,
    pub can_conformity: bool,
    pub can_sms: bool,
    pub can_jobs: bool,
    pub can_service_levels: bool,
    pub can_service_reports: bool,
    /// Surveys: staff read them, customers answer theirs.
    pub can_surveys: bool,
    /// The kinds of work record the user may read, from their descriptors: (plural, path).
    pub kinds: Vec<(&'static str, &'static str)>,
    pub can_raise_incident: bool,
    pub can_groups: bool,
    /// A customer: the portal's simpler navigation.
    pub customer: bool,
    /// Staff who look after customers' relationships.
    pub can_customers: bool,
    /// Staff who see incoming mail and its quarantine.
    pub can_mail: bool,
}

impl Nav {
    pub fn of(s: &WebSession) -> Option<Nav> {
        use steward_domain::access::{Action, Decision, authorize};
        use steward_domain::kind::{Kind, Verb};
        Some(Nav {
            name: s.user.name.clone(),
            role: s.actor.role.as_str(),
            csrf: s.csrf.clone(),
            is_admin: authorize(&s.actor, Action::UserWrite, None) == Decision::Allow,
            can_groups: authorize(&s.actor, Action::GroupRead, None) == Decision::Allow,
            can_audit: authorize(&s.actor, Action::AuditRead, None) == Decision::Allow,
            can_conformity: authorize(&s.actor, Action::ConformityRead, None) == Decision::Allow,
            can_sms: authorize(&s.actor, Action::SmsRead, None) == Decision::Allow,
            can_jobs: authorize(&s.actor, Action::JobRead, None) == Decision::Allow,
            can_service_levels: authorize(&s.actor, Action::ServiceLevelRead, None)
                == Decision::Allow,
            can_service_reports: authorize(&s.actor, Action::ServiceReportRead, None)
                == Decision::Allow,
            can_surveys: [Action::SurveyRead, Action::SurveyAnswer]
                .into_iter()
                .any(|a| authorize(&s.actor, a, None) == Decision::Allow),
            kinds: Kind::ALL
                .into_iter()
                .filter(|k| {
                    authorize(&s.actor, Action::Work(*k, Verb::Read), None) == Decision::Allow
                })
                .map(|k| (k.spec().plural, k.spec().path))
                .collect(),
            can_raise_incident: authorize(
                &s.actor,
                Action::Work(Kind::Incident, Verb::Create),
                None,
            ) == Decision::Allow,
            customer: !s.actor.role.is_staff(),
            can_customers: authorize(&s.actor, Action::OrgRead, None) == Decision::Allow,
            can_mail: authorize(&s.actor, Action::MailRead, None) == Decision::Allow,
        })
    }
}

/// A self-contained printable page (a report, a review pack) shown in the
/// browser: its own inline styles and no script at all, so its policy allows
/// the one and forbids the other.
pub fn report_page(html: String) -> Response {
    use axum::http::HeaderValue;
    let mut res = axum::response::Html(html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
             frame-ancestors 'none'; form-action 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// A form's text as typed, trimmed; `None` when empty.
pub fn some_text(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Field errors of a form, looked up by field name in templates.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

/// What a form shows after a failed write: the field errors with 422; a name
/// already taken on the `name` field, or a change made meanwhile on the
/// `version` field, with 409; anything else is the error page.
pub fn form_errors(e: AppError) -> Result<(StatusCode, Errors), AppError> {
    match e {
        AppError::Validation(v) => Ok((StatusCode::UNPROCESSABLE_ENTITY, Errors(v.0))),
        AppError::Conflict(m) => Ok((
            StatusCode::CONFLICT,
            Errors(vec![FieldError {
                field: "name".into(),
                message: m,
            }]),
        )),
        AppError::PreconditionFailed => Ok((
            StatusCode::CONFLICT,
            Errors(vec![FieldError {
                field: "version".into(),
                message: "someone else changed this since you opened the page: reload it to see \
                          their change, then make yours again"
                    .into(),
            }]),
        )),
        e => Err(e),
    }
}

/// The version a form was opened at (its hidden `version` field), to send as
/// If-Match; none when the form has none.
pub fn form_version(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

impl Errors {
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
            .unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A stored time shown in `tz`, e.g. `2026-11-25 09:45`.
pub fn local_time(ms: i64, tz: &str) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::ZonedDateTime::new(ts, zone)
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn local_opt(ms: Option<i64>, tz: &str) -> String {
    ms.map(|m| local_time(m, tz)).unwrap_or_else(|| "—".into())
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Option<Nav>,
    title: String,
    detail: String,
}

/// An error shown as an HTML page with the right status.
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError(e)
    }
}

impl From<steward_store::StoreError> for WebError {
    fn from(e: steward_store::StoreError) -> Self {
        WebError(e.into())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let p = self.0.problem();
        let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let page = ErrorPage {
            nav: None,
            title: p.title,
            detail: p.detail.unwrap_or_default(),
        };
        (status, page).into_response()
    }
}

pub type WebResult<T> = Result<T, WebError>;

pub async fn not_found() -> Response {
    WebError(AppError::NotFound).into_response()
}
