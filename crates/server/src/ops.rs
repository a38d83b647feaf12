//! Operations endpoints and layers: `/healthz`, `/readyz`, `/metrics`, request
//! metrics, and the answers for unknown API routes and panics.

use std::sync::OnceLock;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;
use crate::error::{AppError, Problem, problem_response};

static METRICS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder once per process.
pub fn install_metrics() {
    METRICS.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            )
            .ok()
            .and_then(|b| b.install_recorder().ok())
    });
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    // Trimmed like the header's token, so that a secret read from a file with
    // its final newline still matches.
    let wanted = state.config.metrics_token.trim();
    if !wanted.is_empty()
        && !crate::auth::bearer_token(&headers)
            .is_some_and(|t| crate::auth::constant_time_eq(t, wanted))
    {
        let mut p = AppError::Unauthenticated.problem();
        p.detail = Some("send the metrics token (setting `metrics_token`) as `Authorization: Bearer <token>`; API tokens do not open /metrics".into());
        return problem_response(&p);
    }
    let (size, idle) = state.store.pool_stats();
    metrics::gauge!("db_pool_connections").set(size as f64);
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    match METRICS.get().and_then(|m| m.as_ref()) {
        Some(h) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            h.render(),
        )
            .into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "metrics unavailable").into_response(),
    }
}

/// Counts requests by route and status and times them.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().as_str().to_owned();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

/// API answers are problem documents even where axum answers on its own
/// (a wrong method on a known route).
pub async fn api_problems(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if api && res.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = res.headers().get(header::ALLOW).cloned();
        let mut problem = AppError::Rejected(
            StatusCode::METHOD_NOT_ALLOWED,
            "this method is not allowed on this resource; see the Allow header".into(),
        )
        .into_response();
        if let Some(a) = allow {
            problem.headers_mut().insert(header::ALLOW, a);
        }
        return problem;
    }
    res
}

/// Request ids: 96 random bits, sent back as `x-request-id` and logged with the request.
#[derive(Clone, Default)]
pub struct MakeRandomId;

impl tower_http::request_id::MakeRequestId for MakeRandomId {
    fn make_request_id<B>(
        &mut self,
        _: &axum::http::Request<B>,
    ) -> Option<tower_http::request_id::RequestId> {
        axum::http::HeaderValue::from_str(&crate::auth::random_token(12))
            .ok()
            .map(tower_http::request_id::RequestId::new)
    }
}

pub async fn api_not_found() -> Response {
    AppError::NotFound.into_response()
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("a request handler panicked");
    problem_response(&Problem {
        kind: "https://steward.example/problems/internal".into(),
        title: "Internal error".into(),
        status: 500,
        detail: Some("something went wrong on our side".into()),
        errors: vec![],
    })
}
