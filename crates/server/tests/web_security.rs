//! Sign-in, sessions and form protection over real HTTP.

mod common;

use common::{Backend, PASSWORD, TestServer};
use reqwest::StatusCode;

async fn login(s: &TestServer, email: &str, password: &str, next: &str) -> reqwest::Response {
    s.client
        .post(s.url("/login"))
        .form(&[("email", email), ("password", password), ("next", next)])
        .send()
        .await
        .unwrap()
}

fn session_cookie(res: &reqwest::Response) -> String {
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.starts_with("__Host-steward_session="), "{set}");
    for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set.contains(attr), "{set} lacks {attr}");
    }
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn sign_in_redirects_only_locally_and_forms_need_the_session_token() {
    let s = TestServer::start(Backend::Sqlite).await;

    // Redirects after sign-in stay on this site.
    for (next, expected) in [
        ("/incidents", "/incidents"),
        ("//evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("https://evil.example", "/"),
        ("/%0A", "/%0A"),
    ] {
        let res = login(&s, "agent@provider.test", PASSWORD, next).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(res.headers()["location"], expected, "{next:?}");
    }
    let res = login(&s, "agent@provider.test", PASSWORD, "/").await;
    let cookie = session_cookie(&res);
    let home = s
        .client
        .get(s.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    // A form without the session's token, or sent from another site, is refused and writes nothing.
    let form = [
        ("title", "forged"),
        ("service", "SVC-0001"),
        ("csrf", "wrong"),
    ];
    let res = s
        .client
        .post(s.url("/incidents/new"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let form = [
        ("title", "forged"),
        ("service", "SVC-0001"),
        ("csrf", csrf.as_str()),
    ];
    let res = s
        .client
        .post(s.url("/incidents/new"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, list) = s.get("agent", "/api/v1/incidents").await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let res = s
        .client
        .post(s.url("/incidents/new"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // Signing out ends the session.
    let res = s
        .client
        .post(s.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let home = s
        .client
        .get(s.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        home.status(),
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
    s.stop().await;
}

#[tokio::test]
async fn failed_sign_ins_lock_known_and_unknown_accounts_alike() {
    let s = TestServer::start(Backend::Sqlite).await;
    for email in ["agent@provider.test", "nobody@provider.test"] {
        for _ in 0..5 {
            let res = login(&s, email, "wrong password!", "/").await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{email}");
        }
        let res = login(&s, email, "wrong password!", "/").await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{email}");
    }
    // Even the right password waits out the lock.
    let res = login(&s, "agent@provider.test", PASSWORD, "/").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // A NUL byte or other control character is just a wrong e-mail, never a 500.
    let res = login(&s, "a\u{0}b@provider.test", "x", "/").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Failures of real accounts are in the audit trail.
    let (_, log) = s.get("auditor", "/api/v1/audit?action=login_failed").await;
    assert_eq!(log.as_array().unwrap().len(), 4, "{log}");
    let (_, log) = s.get("auditor", "/api/v1/audit?action=login_locked").await;
    assert!(!log.as_array().unwrap().is_empty());
    s.stop().await;
}

async fn signed_in(s: &TestServer, email: &str) -> (String, String) {
    let res = login(s, email, PASSWORD, "/").await;
    let cookie = session_cookie(&res);
    let html = s
        .client
        .get(s.url("/services"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (cookie, csrf)
}

#[tokio::test]
async fn the_service_catalogue_page_shows_each_role_what_it_may_see() {
    let s = TestServer::start(Backend::Sqlite).await;
    let page = |cookie: String| {
        let s = &s;
        async move {
            s.client
                .get(s.url("/services"))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let (customer, _) = signed_in(&s, "cora@alpha.test").await;
    let html = page(customer).await;
    assert!(
        html.contains("ERP") && html.contains("Mail") && !html.contains("Shop"),
        "{html}"
    );
    assert!(!html.contains("Add a service"));
    let (agent, _) = signed_in(&s, "agent@provider.test").await;
    let html = page(agent).await;
    assert!(html.contains("Shop") && !html.contains("Add a service"));
    let (manager, csrf) = signed_in(&s, "manager@provider.test").await;
    assert!(page(manager.clone()).await.contains("Add a service"));
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "VPN <b>"),
        ("status", "live"),
        ("customers", "Alpha"),
        ("customers", "Beta"),
    ];
    let res = s
        .client
        .post(s.url("/services"))
        .header("cookie", &manager)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(manager.clone()).await;
    assert!(
        html.contains("VPN &#60;b&#62;") && !html.contains("VPN <b>"),
        "names are escaped"
    );
    let (_, svc) = s.get("manager", "/api/v1/services/SVC-0004").await;
    assert_eq!(svc["customers"].as_array().unwrap().len(), 2);
    let form = [("csrf", csrf.as_str()), ("name", ""), ("status", "live")];
    let res = s
        .client
        .post(s.url("/services"))
        .header("cookie", &manager)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    s.stop().await;
}

#[tokio::test]
async fn a_refused_file_leaves_no_comment_and_keeps_the_message() {
    let s = TestServer::start(Backend::Sqlite).await;
    let number = s.raise("customer", "VPN drops", "SVC-0001").await;
    let (cookie, csrf) = signed_in(&s, "cora@alpha.test").await;
    let post = |form: reqwest::multipart::Form| {
        let (s, cookie, number) = (&s, cookie.clone(), number.clone());
        async move {
            s.client
                .post(s.url(&format!("/incidents/{number}/comments")))
                .header("cookie", cookie)
                .header("origin", s.url("").trim_end_matches('/'))
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    let form = |token: &str, file: Vec<u8>| {
        reqwest::multipart::Form::new()
            .text("csrf", token.to_owned())
            .text("body", "Log <attached>")
            .part(
                "file",
                reqwest::multipart::Part::bytes(file).file_name("setup.exe"),
            )
    };
    let res = post(form(
        &csrf,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff".to_vec(),
    ))
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(">Log &#60;attached&#62;</textarea>"),
        "{html}"
    );
    let (_, comments) = s
        .get("customer", &format!("/api/v1/incidents/{number}/comments"))
        .await;
    assert!(
        comments.as_array().unwrap().is_empty(),
        "no comment without its file"
    );

    // The multipart form needs the session's token like any other.
    let res = post(form("wrong", b"fine\n".to_vec())).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post(form(&csrf, b"fine\n".to_vec())).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, files) = s
        .get(
            "customer",
            &format!("/api/v1/incidents/{number}/attachments"),
        )
        .await;
    assert_eq!(
        files[0]["file_name"], "setup.exe.txt",
        "the name says what the content is"
    );
    assert!(files[0]["comment"].is_i64());
    s.stop().await;
}

/// The value of the Prometheus sample whose line starts with `series` (0 when absent).
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// Health, readiness and Prometheus metrics; with `metrics_token` set, the
/// metrics answer only that bearer token. The recorder is global to the test
/// process, so counts are compared before and after.
#[tokio::test]
async fn operations_endpoints_answer_and_metrics_can_require_a_token() {
    const ME: &str = r#"http_requests_total{route="/api/v1/me",method="GET",status="200"}"#;
    const REFUSED: &str = r#"http_requests_total{route="/metrics",method="GET",status="401"}"#;
    for backend in common::backends() {
        // A token read from a file keeps its newline; it still matches.
        let s =
            TestServer::start_with(backend, |c| c.metrics_token = "scrape-secret\n".into()).await;
        let get = |path: &str, bearer: Option<&str>| {
            let mut req = s.client.get(s.url(path));
            if let Some(t) = bearer {
                req = req.bearer_auth(t);
            }
            req.send()
        };
        let scrape = || async {
            let res = get("/metrics", Some("scrape-secret")).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.text().await.unwrap()
        };
        let res = get("/healthz", None).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let res = get("/readyz", None).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{backend:?}");
        assert_eq!(res.text().await.unwrap(), "ready");

        let before = scrape().await;
        let (st, _) = s.get("agent", "/api/v1/me").await;
        assert_eq!(st, StatusCode::OK);
        for bearer in [None, Some("wrong"), Some(s.tokens["admin"].as_str())] {
            let res = get("/metrics", bearer).await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bearer:?}");
            assert_eq!(
                res.headers()["content-type"],
                "application/problem+json",
                "{bearer:?}"
            );
        }
        let after = scrape().await;
        assert_eq!(sample(&after, ME), sample(&before, ME) + 1.0, "{after}");
        assert_eq!(
            sample(&after, REFUSED),
            sample(&before, REFUSED) + 3.0,
            "{after}"
        );
        for needle in [
            "http_request_duration_seconds_bucket{route=\"/api/v1/me\"",
            "db_pool_connections ",
        ] {
            assert!(
                after.contains(needle),
                "{backend:?}: no {needle} in\n{after}"
            );
        }
        s.stop().await;
    }
}
