//! Bad input gets a clear 4xx problem document, never a 500, and writes nothing.

mod common;

use common::{TestServer, backends};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn bad_input_is_refused_cleanly() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let number = s.raise("agent", "Baseline", "SVC-0001").await;
        let (_, before) = s.get("admin", "/api/v1/incidents?limit=500").await;
        let url = s.url("/api/v1/incidents");
        let token = s.tokens["agent"].clone();
        let raw = |body: &'static str| {
            s.client
                .post(&url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let cases: Vec<(&str, reqwest::Response, StatusCode)> = vec![
            ("malformed JSON", raw("{\"title\": ").await.unwrap(), StatusCode::BAD_REQUEST),
            ("unknown field", raw(r#"{"title":"x","service":"SVC-0001","colour":"red"}"#).await.unwrap(), StatusCode::BAD_REQUEST),
            ("wrong type", raw(r#"{"title":"x","service":"SVC-0001","impact":"high"}"#).await.unwrap(), StatusCode::BAD_REQUEST),
            ("missing field", raw(r#"{"title":"x"}"#).await.unwrap(), StatusCode::BAD_REQUEST),
            ("not JSON at all", s.client.post(&url).bearer_auth(&token).body("title=x").send().await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
            ("over-long title", s.client.post(&url).bearer_auth(&token).json(&json!({"title": "x".repeat(201), "service": "SVC-0001"})).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("impact out of range", s.client.post(&url).bearer_auth(&token).json(&json!({"title": "x", "service": "SVC-0001", "impact": 7})).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("unknown category", s.client.post(&url).bearer_auth(&token).json(&json!({"title": "x", "service": "SVC-0001", "category": "<script>"})).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("unknown service", s.client.post(&url).bearer_auth(&token).json(&json!({"title": "x", "service": "SVC-9999"})).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("oversized body", s.client.post(&url).bearer_auth(&token).json(&json!({"title": "x", "service": "SVC-0001", "description": "y".repeat(2_000_000)})).send().await.unwrap(), StatusCode::PAYLOAD_TOO_LARGE),
            ("no token", s.client.post(&url).json(&json!({"title": "x", "service": "SVC-0001"})).send().await.unwrap(), StatusCode::UNAUTHORIZED),
            ("bad token", s.client.post(&url).bearer_auth("stw_nope").json(&json!({"title": "x", "service": "SVC-0001"})).send().await.unwrap(), StatusCode::UNAUTHORIZED),
            ("auditor writes", s.client.post(&url).bearer_auth(&s.tokens["auditor"]).json(&json!({"title": "x", "service": "SVC-0001"})).send().await.unwrap(), StatusCode::FORBIDDEN),
            ("invalid state filter", s.client.get(format!("{url}?state=exploded")).bearer_auth(&token).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("SQL in a filter", s.client.get(format!("{url}?priority=P1%27%20OR%201=1--")).bearer_auth(&token).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("bad cursor", s.client.get(format!("{url}?cursor=abc")).bearer_auth(&token).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("limit too big", s.client.get(format!("{url}?limit=100000")).bearer_auth(&token).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("unknown query parameter", s.client.get(format!("{url}?sort=title;drop")).bearer_auth(&token).send().await.unwrap(), StatusCode::BAD_REQUEST),
            ("unknown number", s.client.get(format!("{url}/INC-424242")).bearer_auth(&token).send().await.unwrap(), StatusCode::NOT_FOUND),
            ("not a number", s.client.get(format!("{url}/..%2F..%2Fetc")).bearer_auth(&token).send().await.unwrap(), StatusCode::NOT_FOUND),
            ("invalid transition", s.client.post(format!("{url}/{number}/transitions")).bearer_auth(&token).json(&json!({"action": "close"})).send().await.unwrap(), StatusCode::CONFLICT),
            ("unknown action", s.client.post(format!("{url}/{number}/transitions")).bearer_auth(&token).json(&json!({"action": "explode"})).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("empty comment", s.client.post(format!("{url}/{number}/comments")).bearer_auth(&token).json(&json!({"body": "   "})).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("bad visibility", s.client.post(format!("{url}/{number}/comments")).bearer_auth(&token).json(&json!({"body": "x", "visibility": "secret"})).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
            ("garbage If-Match", s.client.patch(format!("{url}/{number}")).bearer_auth(&token).header("If-Match", "yesterday").json(&json!({"title": "y"})).send().await.unwrap(), StatusCode::PRECONDITION_FAILED),
            ("wrong method", s.client.delete(&url).bearer_auth(&token).send().await.unwrap(), StatusCode::METHOD_NOT_ALLOWED),
            ("control characters", s.client.post(&url).bearer_auth(&token).json(&json!({"title": "a\u{0007}b", "service": "SVC-0001"})).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY),
        ];
        for (name, res, want) in cases {
            let status = res.status();
            let ct = res
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            let body: serde_json::Value = res.json().await.unwrap_or_default();
            assert_eq!(status, want, "{backend:?} {name}: {body}");
            assert_eq!(ct.as_deref(), Some("application/problem+json"), "{name}");
            assert_eq!(body["status"], want.as_u16(), "{name}");
            assert!(body["title"].is_string(), "{name}");
        }
        let (_, after) = s.get("admin", "/api/v1/incidents?limit=500").await;
        assert_eq!(before, after, "nothing was written");
        let (_, inc) = s.get("agent", &format!("/api/v1/incidents/{number}")).await;
        assert_eq!(inc["title"], "Baseline");
        s.stop().await;
    }
}
