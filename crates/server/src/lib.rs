//! Steward's HTTP server: the JSON API, the HTML UI, authentication, and the
//! background work (audit sealing). Handlers translate HTTP and delegate to the
//! operations in [`incidents`], [`catalogue`] and [`admin`], which apply the
//! domain's rules and call the store.

pub mod actions;
pub mod admin;
pub mod agreements;
mod api;
pub mod api_params;
pub mod articles;
pub mod attachments;
pub mod audits;
pub mod auth;
pub mod calendars;
pub mod catalogue;
pub mod complaints;
pub mod config;
pub mod conformity;
pub mod core_fields;
pub mod demo;
mod demo_sms;
pub mod error;
pub mod findings;
pub mod improvements;
pub mod incidents;
pub mod jobs;
pub mod mail;
pub mod mail_in;
pub mod markdown;
pub mod nonconformities;
mod ops;
pub mod paging;
pub mod period;
pub mod policy;
pub mod portal;
pub mod problems;
pub mod records;
pub mod registers;
pub mod relationship;
pub mod report;
pub mod requests;
pub mod reviews;
pub mod satisfaction;
pub mod search;
pub mod service_reports;
pub mod sla;
pub mod sla_report;
pub mod surveys;
pub mod testing;
pub mod views;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::serve::ListenerExt;
use steward_domain::priority::PriorityMatrix;
use steward_store::{Store, StoreOptions};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;

/// The header a client's own request id is moved to.
const CLIENT_REQUEST_ID: &str = "x-client-request-id";

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub matrix: PriorityMatrix,
    pub mailer: mail::Mailer,
    /// Sign-in limits per client address and overall.
    pub login_guard: Arc<auth::LoginGuard>,
}

impl AppState {
    /// Connects to the configured database and applies migrations.
    pub async fn open(
        config: Config,
    ) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
        let matrix = config.matrix()?;
        config.risk_scale()?;
        let login_guard = Arc::new(auth::LoginGuard::new(&config)?);
        auth::limit_password_work(config.password_checks_at_once);
        let mailer = mail::Mailer::new(&config.smtp_url, &config.mail_from)?;
        mail_in::imap::MailboxUrl::parse(&config.imap_url)?;
        let store = Store::connect(
            &config.database_url,
            &StoreOptions {
                max_connections: config.max_connections,
                sqlite_full_sync: config.sqlite_full_sync,
                notifications: mailer.enabled(),
            },
        )
        .await?;
        store.migrate().await?;
        Ok(AppState {
            store,
            config: Arc::new(config),
            matrix,
            mailer,
            login_guard,
        })
    }
}

/// The whole application: API, UI, operations endpoints and their layers.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router(state.config.max_upload_bytes);
    let openapi_json = serde_json::to_string_pretty(&openapi).unwrap_or_default();
    let max_body = state.config.max_body_bytes;
    let hsts = (state.config.hsts_max_age > 0)
        .then(|| {
            HeaderValue::from_str(&format!(
                "max-age={}; includeSubDomains",
                state.config.hsts_max_age
            ))
            .ok()
        })
        .flatten();
    Router::new()
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    openapi_json.clone(),
                )
            }),
        )
        .merge(mail_in::web::inbound_router(state.config.mail_max_bytes))
        .nest("/api", Router::new().fallback(ops::api_not_found))
        .merge(web::router(state.config.max_upload_bytes))
        .merge(ops::router())
        .fallback(web::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(ops::api_problems))
        .layer(axum::middleware::from_fn(ops::track_metrics))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(CatchPanicLayer::custom(ops::panic_response))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned()
                    };
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %header("x-request-id"),
                        client_request_id = %header(CLIENT_REQUEST_ID)
                    )
                })
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(ops::MakeRandomId))
        // The server names every request itself: an id the client sends is
        // kept only as a separate field, so that log ids cannot be forged.
        .layer(axum::middleware::map_request(
            |mut req: axum::extract::Request| async move {
                if let Some(id) = req.headers_mut().remove("x-request-id") {
                    req.headers_mut().insert(CLIENT_REQUEST_ID, id);
                }
                req
            },
        ))
        // Nothing dynamic is kept by browsers or proxies (a new token's secret,
        // another person's record); the stylesheet sets its own policy.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::http::Response<axum::body::Body>| hsts.clone(),
        ))
        // A route may set a stricter policy (downloads are sandboxed).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// Seals audit entries shortly after they commit, until `stop` fires; then seals what is left.
pub async fn run_sealer(store: Store, mut stop: tokio::sync::watch::Receiver<bool>) {
    const BATCH: usize = 1_000;
    loop {
        // A full batch means more are waiting; otherwise the next round comes
        // after a pause, so that under load each round seals many entries in
        // one transaction rather than a few in many.
        loop {
            match store.seal_audit(BATCH as i64).await {
                Ok(n) if n >= BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "audit sealing failed; will retry");
                    break;
                }
            }
        }
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Serves on `listener` until `shutdown` completes, then finishes requests in
/// flight and seals the audit entries they wrote.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    ops::install_metrics();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let sealer = tokio::spawn(run_sealer(state.store.clone(), stop_rx.clone()));
    let snapshots = tokio::spawn(conformity::run_snapshots(state.clone(), stop_rx.clone()));
    let mailbox = mail_in::imap::MailboxUrl::parse(&state.config.imap_url)
        .ok()
        .flatten()
        .map(|at| tokio::spawn(mail_in::imap::run(state.clone(), at, stop_rx.clone())));
    let worker = state
        .config
        .run_jobs
        .then(|| tokio::spawn(jobs::run_worker(state.clone(), stop_rx)));
    let store = state.store.clone();
    // Small responses go out at once: without TCP_NODELAY, Nagle's algorithm and
    // delayed ACKs hold a keep-alive response back by up to 40 ms.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let result = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    let _ = stop_tx.send(true);
    let _ = sealer.await;
    let _ = snapshots.await;
    if let Some(w) = worker {
        let _ = w.await;
    }
    if let Some(m) = mailbox {
        let _ = m.await;
    }
    store.close().await;
    result
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
