//! Signing in and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_store::{AuditActor, LoginAttempt, now_ms};

use super::{Nav, WebResult};
use crate::AppState;
use crate::auth::{self, WebForm, session_cookie};
use crate::error::AppError;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    nav: Option<Nav>,
    next: String,
    email: String,
    error: String,
    csrf: String,
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// Only local paths, so that the login page cannot be used to send people elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.chars().all(|c| c.is_ascii_graphic() && c != '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The sign-in form's own CSRF token lives in this cookie (there is no
/// session yet) and in the form: a post must carry both, equal. With `Secure`
/// cookies the `__Host-` prefix keeps a sibling domain from planting one.
fn login_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-steward_login"
    } else {
        "steward_login"
    }
}

/// The login page with `status`, carrying the form's token in its cookie.
fn login_response(
    state: &AppState,
    status: StatusCode,
    next: String,
    email: String,
    error: &str,
    csrf: String,
) -> Response {
    let secure = state.config.secure_cookies;
    let cookie = format!(
        "{}={csrf}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        login_cookie(secure),
        if secure { "; Secure" } else { "" }
    );
    let mut res = (
        status,
        LoginPage {
            nav: None,
            next,
            email,
            error: error.to_owned(),
            csrf,
        },
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<NextParam>,
) -> Response {
    // Another tab's form stays valid: the token is kept while its cookie lives.
    let csrf = auth::session_cookie_value(&headers, login_cookie(state.config.secure_cookies))
        .filter(|t| t.len() == 43)
        .unwrap_or_else(|| auth::random_token(32));
    login_response(
        &state,
        StatusCode::OK,
        safe_next(p.next.as_deref()),
        String::new(),
        "",
        csrf,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
    #[serde(default)]
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    auth::ClientAddr(client): auth::ClientAddr,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> WebResult<Response> {
    if !auth::same_origin(&headers) {
        return Err(AppError::Forbidden("sign in from Steward's own login page".into()).into());
    }
    // Control characters cannot be part of an address (and PostgreSQL text cannot hold NUL).
    let email: String = form
        .email
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .take(254)
        .collect();
    let next = safe_next(form.next.as_deref());
    let cookie_token =
        auth::session_cookie_value(&headers, login_cookie(state.config.secure_cookies));
    let page = |status: StatusCode, error: &str| {
        login_response(
            &state,
            status,
            next.clone(),
            email.clone(),
            error,
            auth::random_token(32),
        )
    };
    if cookie_token.is_none_or(|t| t.is_empty() || !auth::constant_time_eq(&t, &form.csrf)) {
        return Ok(page(
            StatusCode::FORBIDDEN,
            "The sign-in form expired. Sign in again.",
        ));
    }
    let busy = || {
        page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed attempts. Wait a few minutes and try again.",
        )
    };
    // Per client address and overall, before anything is read or checked.
    if !state.login_guard.admit(client) {
        tracing::warn!(client = %client, "sign-in refused: too many attempts from this address or overall");
        return Ok(busy());
    }
    // The attempt is counted against the account before its password is
    // checked, so that concurrent attempts cannot exceed the allowance.
    let c = &state.config;
    let attempt = state
        .store
        .login_attempt(
            &email,
            c.login_max_failures,
            c.login_window_minutes * 60_000,
            c.login_lock_minutes * 60_000,
        )
        .await?;
    let LoginAttempt::Allowed { last } = attempt else {
        return Ok(busy());
    };
    let creds = state.store.credentials(&email).await?;
    // An unknown account is checked against a dummy hash, so that a wrong
    // e-mail takes as long to refuse as a wrong password.
    let (hash, usable) = match creds
        .as_ref()
        .and_then(|c| c.password_hash.clone().map(|h| (h, c.active)))
    {
        Some(found) => found,
        None => (auth::dummy_hash().await?, false),
    };
    let ok = match auth::verify_password(form.password, hash).await {
        Ok(ok) => ok && usable,
        Err(_) => {
            return Ok(page(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many people are signing in at once. Try again in a moment.",
            ));
        }
    };
    let Some(creds) = creds.filter(|_| ok) else {
        state.store.record_login_failure(&email, last).await?;
        return Ok(page(
            StatusCode::UNAUTHORIZED,
            "The e-mail or password is wrong.",
        ));
    };
    state.store.clear_login_failures(&email).await?;
    let user = state.store.user_by_id(creds.user_id).await?;
    let token = auth::random_token(32);
    let csrf = auth::random_token(32);
    let max_secs = state.config.session_max_hours * 3600;
    let expires = now_ms()
        + state
            .config
            .session_idle_minutes
            .min(state.config.session_max_hours * 60)
            * 60_000;
    state
        .store
        .create_session(
            &AuditActor::from(&user.actor()),
            &auth::hash_secret(&token),
            user.id,
            &csrf,
            expires,
        )
        .await?;
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_secs}{secure}",
        session_cookie(state.config.secure_cookies)
    );
    let mut res = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    // The sign-in form's token has served its purpose.
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        login_cookie(state.config.secure_cookies)
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub async fn logout(
    State(state): State<AppState>,
    f: WebForm<super::NoFields>,
) -> WebResult<Response> {
    state
        .store
        .delete_session(&AuditActor::from(&f.session.actor), &f.session.token_hash)
        .await?;
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        session_cookie(state.config.secure_cookies)
    )) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}
