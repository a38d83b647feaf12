//! Signing in and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use steward_store::{AuditActor, now_ms};

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

pub async fn login_page(Query(p): Query<NextParam>) -> LoginPage {
    LoginPage {
        nav: None,
        next: safe_next(p.next.as_deref()),
        email: String::new(),
        error: String::new(),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
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
    let page = |status: StatusCode, error: &str| {
        (
            status,
            LoginPage {
                nav: None,
                next: next.clone(),
                email: email.clone(),
                error: error.to_owned(),
            },
        )
            .into_response()
    };
    if state.store.login_locked_until(&email).await?.is_some() {
        return Ok(page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many failed attempts. Wait a few minutes and try again.",
        ));
    }
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
    let ok = auth::verify_password(form.password, hash).await && usable;
    let Some(creds) = creds.filter(|_| ok) else {
        let c = &state.config;
        state
            .store
            .record_login_failure(
                &email,
                c.login_max_failures,
                c.login_window_minutes * 60_000,
                c.login_lock_minutes * 60_000,
            )
            .await?;
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
