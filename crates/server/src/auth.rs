//! Authentication: passwords (argon2id), API tokens and browser sessions,
//! shown to handlers as extractors that yield the acting user.
//!
//! - API routes take `Authorization: Bearer <token>` only ([`ApiActor`]); no
//!   cookies, so the API needs no CSRF defence.
//! - Web routes take the session cookie only ([`WebSession`]); every form post
//!   goes through [`WebForm`], which checks the session's CSRF token and refuses
//!   cross-site requests.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use rand::RngCore;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use steward_domain::access::Actor;
use steward_store::{User, now_ms};

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::web::WebError;

/// The session cookie's name. With `Secure` cookies it carries the `__Host-`
/// prefix, which browsers accept only from this host, over HTTPS (or
/// localhost), for the whole site: a sibling domain cannot plant one.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-steward_session"
    } else {
        "steward_session"
    }
}

/// `n` random bytes from the OS generator, base64url without padding.
pub fn random_token(n: usize) -> String {
    let mut buf = vec![0u8; n];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Secrets (session ids, API tokens) are stored only as this hash.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new API token: `stw_` and 256 random bits.
pub fn new_api_token() -> String {
    format!("stw_{}", random_token(32))
}

/// Argon2id takes 19 MiB and a core's worth of time per password: this many
/// run at once, a bounded queue waits for them, and beyond it the caller is
/// told the server is busy, so that a burst of sign-ins cannot exhaust memory.
struct PasswordWork {
    permits: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    most_waiting: usize,
    /// The threads that run argon2: always the same few, so that the
    /// allocator keeps at most one 19 MiB block per thread (on the blocking
    /// pool, each of up to 512 threads would keep its own).
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<PasswordJob>>,
}

type PasswordJob = Box<dyn FnOnce() + Send>;

static PASSWORD_WORK: OnceLock<PasswordWork> = OnceLock::new();

/// Sets how many password checks run at once in this process (0: one per
/// core); the first call wins, later servers in the same process share it.
pub fn limit_password_work(at_once: usize) {
    let _ = PASSWORD_WORK.set(PasswordWork::new(at_once));
}

impl PasswordWork {
    fn new(at_once: usize) -> PasswordWork {
        let n = if at_once == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            at_once
        };
        let (tx, rx) = std::sync::mpsc::channel::<PasswordJob>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..n {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password thread");
            }
        }
        PasswordWork {
            permits: tokio::sync::Semaphore::new(n),
            waiting: AtomicUsize::new(0),
            most_waiting: 16 * n,
            jobs: std::sync::Mutex::new(tx),
        }
    }

    fn get() -> &'static PasswordWork {
        PASSWORD_WORK.get_or_init(|| PasswordWork::new(0))
    }
}

/// The refusal when too many passwords wait to be checked.
pub fn busy() -> AppError {
    AppError::Rejected(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "too many sign-ins at once; try again in a moment".into(),
    )
}

/// Runs argon2 work on the password threads once a permit is free.
async fn password_job<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let work = PasswordWork::get();
    if work.waiting.fetch_add(1, Ordering::SeqCst) >= work.most_waiting {
        work.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(busy());
    }
    let permit =
        tokio::time::timeout(std::time::Duration::from_secs(10), work.permits.acquire()).await;
    work.waiting.fetch_sub(1, Ordering::SeqCst);
    let Ok(Ok(permit)) = permit else {
        return Err(busy());
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    // The permit goes with the job: a request that gives up (its client
    // went away) does not free a place while its hash still waits to run.
    let job: PasswordJob = Box::new(move || {
        let _ = tx.send(f());
        drop(permit);
    });
    work.jobs
        .lock()
        .map_err(|_| AppError::internal("the password threads stopped"))?
        .send(job)
        .map_err(|_| AppError::internal("the password threads stopped"))?;
    rx.await
        .map_err(|_| AppError::internal("a password check did not finish"))
}

/// Hashes a password with argon2id (OWASP parameters) off the async threads.
pub async fn hash_password(password: String) -> AppResult<String> {
    password_job(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(AppError::internal)
    })
    .await?
}

/// A real argon2id hash of nothing anyone knows, made once per process.
pub async fn dummy_hash() -> AppResult<String> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| hash_password(random_token(16)))
        .await
        .cloned()
}

/// Checks a password against its stored hash, off the async threads; busy
/// when too many checks wait already.
pub async fn verify_password(password: String, hash: String) -> AppResult<bool> {
    password_job(move || {
        Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
}

/// Sign-in limits of this process, applied before any password is checked:
/// attempts per client address and from everyone together. (The per-account
/// count is kept in the database, shared by every server.)
pub struct LoginGuard {
    per_address: Option<governor::DefaultKeyedRateLimiter<IpAddr>>,
    global: Option<governor::DefaultDirectRateLimiter>,
    proxies: Vec<ipnet::IpNet>,
}

impl LoginGuard {
    pub fn new(config: &crate::Config) -> Result<LoginGuard, String> {
        let quota = |n: u32| NonZeroU32::new(n).map(governor::Quota::per_minute);
        Ok(LoginGuard {
            per_address: quota(config.login_per_address_per_minute)
                .map(governor::RateLimiter::keyed),
            global: quota(config.login_global_per_minute).map(governor::RateLimiter::direct),
            proxies: config.proxies()?,
        })
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.proxies.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy;
    /// then `X-Forwarded-For` is read from the nearest hop outwards, past our
    /// own proxies, to the first address that is not one of them. An entry
    /// that is not an address (forged, or garbled) ends the walk at the last
    /// hop we trust, so nothing a client writes before it counts.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusted(peer) {
            return peer;
        }
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut nearest = peer;
        for entry in entries.iter().rev() {
            // `203.0.113.7`, `203.0.113.7:5123` or `[2001:db8::1]:5123`.
            let addr = entry
                .parse::<IpAddr>()
                .ok()
                .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()));
            match addr {
                Some(ip) if self.trusted(ip) => nearest = ip,
                Some(ip) => return ip,
                None => return nearest,
            }
        }
        nearest
    }

    /// Counts a sign-in attempt from `client`; false when a limit is reached.
    pub fn admit(&self, client: IpAddr) -> bool {
        if let Some(l) = &self.per_address {
            if l.check_key(&client).is_err() {
                return false;
            }
            // Addresses whose allowance is whole again are forgotten.
            if l.len() > 10_000 {
                l.retain_recent();
            }
        }
        self.global.as_ref().is_none_or(|g| g.check().is_ok())
    }
}

/// The address of the client behind a request, as [`LoginGuard::client`] finds it.
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        Ok(ClientAddr(state.login_guard.client(peer, &parts.headers)))
    }
}

pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The user behind an API request.
pub struct ApiActor {
    pub actor: Actor,
    pub user: User,
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub(crate) fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let token = bearer_token(&parts.headers).ok_or(AppError::Unauthenticated)?;
        let user = state
            .store
            .token_user(&hash_secret(token))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(ApiActor {
            actor: user.actor(),
            user,
        })
    }
}

/// The signed-in user behind a browser request.
pub struct WebSession {
    pub actor: Actor,
    pub user: User,
    pub csrf: String,
    pub token_hash: String,
}

pub fn session_cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Where an unauthenticated browser goes: the login page, then back.
pub struct LoginRedirect(String);

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/login?next={}", urlencode(&self.0))).into_response()
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for WebSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
        let login = || LoginRedirect(here.clone()).into_response();
        let Some(token) =
            session_cookie_value(&parts.headers, session_cookie(state.config.secure_cookies))
        else {
            return Err(login());
        };
        let token_hash = hash_secret(&token);
        let session = match state.store.session(&token_hash).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(login()),
            Err(e) => return Err(WebError(e.into()).into_response()),
        };
        let now = now_ms();
        if session.expires_at <= now {
            return Err(login());
        }
        // Slide the idle timeout, at most once a minute, never past the absolute limit.
        if now - session.last_seen_at > 60_000 {
            let expires = (now + state.config.session_idle_minutes * 60_000)
                .min(session.created_at + state.config.session_max_hours * 3_600_000);
            if let Err(e) = state.store.touch_session(&token_hash, now, expires).await {
                return Err(WebError(e.into()).into_response());
            }
        }
        let user = match state.store.user_by_id(session.user_id).await {
            Ok(u) => u,
            Err(e) => return Err(WebError(e.into()).into_response()),
        };
        Ok(WebSession {
            actor: user.actor(),
            user,
            csrf: session.csrf_token,
            token_hash,
        })
    }
}

/// Refuses requests a browser marks as coming from another site.
pub fn same_origin(headers: &HeaderMap) -> bool {
    !matches!(
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("cross-site") | Some("same-site")
    )
}

/// A form posted by a signed-in user: the session, checked against the form's
/// `csrf` field, and the form's fields.
pub struct WebForm<T> {
    pub session: WebSession,
    pub form: T,
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for WebForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = WebSession::from_request_parts(&mut parts, state).await?;
        let forbidden = || {
            WebError(AppError::Forbidden(
                "the form expired or came from another site; reload the page and try again".into(),
            ))
            .into_response()
        };
        if !same_origin(&parts.headers) {
            return Err(forbidden());
        }
        let bytes = axum::body::to_bytes(body, state.config.max_body_bytes)
            .await
            .map_err(|_| {
                WebError(AppError::Rejected(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "the form is too large".into(),
                ))
                .into_response()
            })?;
        let csrf: CsrfField = serde_urlencoded::from_bytes(&bytes).map_err(|_| forbidden())?;
        if !constant_time_eq(&csrf.csrf, &session.csrf) {
            return Err(forbidden());
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            WebError(AppError::BadRequest(format!(
                "the form could not be read: {e}"
            )))
            .into_response()
        })?;
        Ok(WebForm { session, form })
    }
}
