//! Sign-in, sessions and form protection over real HTTP.

mod common;

use common::{Backend, PASSWORD, TestServer};
use reqwest::StatusCode;

async fn login(s: &TestServer, email: &str, password: &str, next: &str) -> reqwest::Response {
    let (cookie, csrf) = common::login_form(&s.client, &s.url("")).await;
    s.client
        .post(s.url("/login"))
        .header("cookie", cookie)
        .form(&[
            ("email", email),
            ("password", password),
            ("next", next),
            ("csrf", &csrf),
        ])
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

/// Forty wrong passwords at once for one account: only the five the window
/// allows are checked, the rest are refused before any check (the count is
/// taken before the password is), on both databases.
#[tokio::test]
async fn concurrent_wrong_passwords_are_counted_before_they_are_checked() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let tries = (0..40).map(|_| login(&s, "agent@provider.test", "wrong password!", "/"));
        let statuses: Vec<StatusCode> = futures_join(tries).await;
        let checked = statuses
            .iter()
            .filter(|st| **st == StatusCode::UNAUTHORIZED)
            .count();
        let refused = statuses
            .iter()
            .filter(|st| **st == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((checked, refused), (5, 35), "{backend:?}: {statuses:?}");
        let (_, failed) = s.get("auditor", "/api/v1/audit?action=login_failed").await;
        let (_, locked) = s.get("auditor", "/api/v1/audit?action=login_locked").await;
        assert_eq!(
            failed.as_array().unwrap().len() + locked.as_array().unwrap().len(),
            5
        );
        s.stop().await;
    }
}

async fn futures_join<F: std::future::Future<Output = reqwest::Response>>(
    tries: impl Iterator<Item = F>,
) -> Vec<StatusCode> {
    let mut set = Vec::new();
    for t in tries {
        set.push(t);
    }
    let mut out = Vec::new();
    for r in join_all(set).await {
        out.push(r.status());
    }
    out
}

/// Polls every future together (no extra dependency for `join_all`).
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, o) in futures.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *o = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

/// Sign-ins per client address: a forged `X-Forwarded-For` from a peer that
/// is not a trusted proxy changes nothing; behind a trusted proxy each client
/// has its own allowance.
#[tokio::test]
async fn sign_in_limits_per_address_trust_only_configured_proxies() {
    let attempt = |s: &TestServer, forwarded: &'static str| {
        let (client, base) = (s.client.clone(), s.url(""));
        async move {
            let (cookie, csrf) = common::login_form(&client, &base).await;
            client
                .post(format!("{base}/login"))
                .header("cookie", cookie)
                .header("x-forwarded-for", forwarded)
                .form(&[
                    ("email", "nobody@provider.test"),
                    ("password", "x"),
                    ("csrf", csrf.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let s = TestServer::start_with(Backend::Sqlite, |c| {
        c.login_per_address_per_minute = 3;
        c.login_max_failures = 100;
    })
    .await;
    for forwarded in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        assert_eq!(attempt(&s, forwarded).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        attempt(&s, "203.0.113.4").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the header of an untrusted peer is ignored"
    );
    s.stop().await;

    let s = TestServer::start_with(Backend::Sqlite, |c| {
        c.login_per_address_per_minute = 3;
        c.login_max_failures = 100;
        c.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    for _ in 0..3 {
        assert_eq!(attempt(&s, "203.0.113.1").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        attempt(&s, "203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attempt(&s, "203.0.113.9, 127.0.0.1").await,
        StatusCode::UNAUTHORIZED,
        "another client behind the proxy has its own allowance"
    );
    assert_eq!(
        attempt(&s, "203.0.113.9:4711, 127.0.0.1").await,
        StatusCode::UNAUTHORIZED,
        "an address with its port is the same client"
    );
    // A client that writes an address and a garbled entry after it does not
    // choose its address: the walk stops at the proxy, whose allowance all
    // such requests share.
    for forged in ["198.51.100.1, x", "198.51.100.2, x", "198.51.100.3, x"] {
        assert_eq!(attempt(&s, forged).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        attempt(&s, "198.51.100.4, x").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a rotating forged address behind a garbled entry gets no new allowance"
    );
    s.stop().await;

    let bad = steward_server::Config {
        trusted_proxies: vec!["10.0.0.0/33".into()],
        ..Default::default()
    };
    let refused = steward_server::auth::LoginGuard::new(&bad).err().unwrap();
    assert!(refused.contains("10.0.0.0/33"), "{refused}");
}

/// The sign-in form carries its own token (in a cookie and the form): a
/// post without both, equal, is refused before any password is checked.
#[tokio::test]
async fn the_sign_in_form_needs_its_token() {
    let s = TestServer::start(Backend::Sqlite).await;
    let form = |csrf: &str| {
        vec![
            ("email", "agent@provider.test".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("csrf", csrf.to_owned()),
        ]
    };
    let res = s
        .client
        .post(s.url("/login"))
        .form(&form(""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (cookie, csrf) = common::login_form(&s.client, &s.url("")).await;
    let res = s
        .client
        .post(s.url("/login"))
        .header("cookie", &cookie)
        .form(&form("not-the-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("expired"));
    let res = s
        .client
        .post(s.url("/login"))
        .header("cookie", &cookie)
        .form(&form(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    s.stop().await;
}

/// The server names every request; pages and API answers are not cached;
/// HSTS is sent only when configured.
#[tokio::test]
async fn request_ids_are_the_servers_and_nothing_dynamic_is_cached() {
    let s = TestServer::start(Backend::Sqlite).await;
    let res = s
        .client
        .get(s.url("/api/v1/me"))
        .bearer_auth(&s.tokens["agent"])
        .header("x-request-id", "forged-123")
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(!id.is_empty() && id != "forged-123", "{id}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers().get("strict-transport-security").is_none());
    let (cookie, _) = signed_in(&s, "agent@provider.test").await;
    let res = s
        .client
        .get(s.url("/settings"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let css = s
        .client
        .get(s.url("/static/style.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["cache-control"], "public, max-age=3600");
    s.stop().await;

    let s = TestServer::start_with(Backend::Sqlite, |c| c.hsts_max_age = 31_536_000).await;
    let res = s.client.get(s.url("/login")).send().await.unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    s.stop().await;
}

/// A password reset or a disabled account revokes the user's API tokens
/// (enabling again brings none back); admins list and revoke another's.
#[tokio::test]
async fn tokens_do_not_outlive_a_password_reset_or_a_disabled_account() {
    use reqwest::Method;
    use serde_json::json;
    let s = TestServer::start(Backend::Sqlite).await;
    let (_, me) = s.get("customer", "/api/v1/me").await;
    let id = me["id"].as_i64().unwrap();
    let user = format!("/api/v1/users/{id}");
    let (st, _, _) = s
        .call(
            "admin",
            Method::PATCH,
            &user,
            Some(json!({"password": "a brand new secret"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.get("customer", "/api/v1/me").await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "the token went with the old password"
    );

    // A token made afterwards goes when the account is disabled and stays gone.
    let (_, tokens) = s.get("admin", &format!("{user}/tokens")).await;
    assert_eq!(tokens.as_array().unwrap().len(), 1, "{tokens}");
    assert!(tokens[0]["revoked_at"].is_string() && tokens[0].get("token").is_none());
    let (st, made) = s
        .post(
            "agent",
            "/api/v1/tokens",
            json!({"name": "cron", "expires_in_days": 30}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{made}");
    assert!(made["expires_at"].is_string(), "{made}");
    let (st, refused) = s
        .post(
            "agent",
            "/api/v1/tokens",
            json!({"name": "cron", "expires_in_days": 0}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let secret = made["token"].as_str().unwrap().to_owned();
    let me_with = |t: String| {
        let s = &s;
        async move {
            s.client
                .get(s.url("/api/v1/me"))
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me_with(secret.clone()).await, StatusCode::OK);
    let (_, agent) = s.get("agent", "/api/v1/me").await;
    let agent_user = format!("/api/v1/users/{}", agent["id"]);
    for active in [false, true] {
        let (st, _, _) = s
            .call(
                "admin",
                Method::PATCH,
                &agent_user,
                Some(json!({"active": active})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
    }
    assert_eq!(me_with(secret).await, StatusCode::UNAUTHORIZED);

    // An admin revokes another user's token; nobody else may list them.
    let (_, me) = s.get("manager", "/api/v1/me").await;
    let manager_tokens = format!("/api/v1/users/{}/tokens", me["id"]);
    let (st, list) = s.get("admin", &manager_tokens).await;
    assert_eq!(st, StatusCode::OK);
    let token = list[0]["id"].as_i64().unwrap();
    for who in ["auditor", "manager", "customer2"] {
        let (st, _) = s.get(who, &manager_tokens).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
    }
    let (st, _, _) = s
        .call(
            "admin",
            Method::DELETE,
            &format!("{manager_tokens}/{token}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.get("manager", "/api/v1/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (_, log) = s.get("auditor", "/api/v1/audit?action=token_revoke").await;
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
    s.stop().await;
}

/// A 50 MB upload to another organisation's incident is refused before its
/// body is read: the answer comes while the client has sent almost nothing,
/// from the page's form and from the API alike, and nothing is stored.
#[tokio::test]
async fn an_upload_to_another_organisations_record_is_refused_before_it_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start(Backend::Sqlite).await;
    let number = s.raise("customer", "VPN drops", "SVC-0001").await;
    let (cookie, _) = signed_in(&s, "olga@beta.test").await;
    let requests = [
        (
            format!("/incidents/{number}/comments"),
            format!("Cookie: {cookie}"),
        ),
        (
            format!("/incidents/{number}/attachments"),
            format!("Cookie: {cookie}"),
        ),
        (
            format!("/api/v1/incidents/{number}/attachments"),
            format!("Authorization: Bearer {}", s.tokens["other"]),
        ),
    ];
    for (path, credential) in requests {
        let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\n{credential}\r\n\
             Content-Type: multipart/form-data; boundary=XYZ\r\n\
             Content-Length: 52428800\r\n\r\n\
             --XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\r\n",
            s.addr
        );
        tcp.write_all(head.as_bytes()).await.unwrap();
        tcp.write_all(&[b'a'; 4096]).await.unwrap();
        let mut answer = vec![0u8; 64];
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), tcp.read(&mut answer))
            .await
            .expect("an answer before the body is sent")
            .unwrap();
        let status = String::from_utf8_lossy(&answer[..n]).to_string();
        assert!(status.starts_with("HTTP/1.1 404"), "{path}: {status}");
    }
    let (_, files) = s
        .get(
            "customer",
            &format!("/api/v1/incidents/{number}/attachments"),
        )
        .await;
    assert!(files.as_array().unwrap().is_empty(), "{files}");
    let stored = std::fs::read_dir(&s.data.0).map(|d| d.count()).unwrap_or(0);
    assert_eq!(stored, 0, "nothing written to the data folder");
    s.stop().await;
}

/// An admin changes a user and revokes their token on the user's page, with
/// the API's rules: a bad time zone is named on the form, nothing saved.
#[tokio::test]
async fn an_admin_changes_a_user_and_revokes_a_token_on_the_users_page() {
    let s = TestServer::start(Backend::Sqlite).await;
    let (_, me) = s.get("manager", "/api/v1/me").await;
    let page = format!("/admin/users/{}", me["id"]);
    let (cookie, csrf) = signed_in(&s, "admin@provider.test").await;
    let get = |path: String| {
        let (s, cookie) = (&s, cookie.clone());
        async move {
            s.client
                .get(s.url(&path))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
        }
    };
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let (s, cookie) = (&s, cookie.clone());
        async move {
            s.client
                .post(s.url(&path))
                .header("cookie", cookie)
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let html = get(page.clone()).await.text().await.unwrap();
    assert!(
        html.contains("manager@provider.test") && html.contains(">test</td>"),
        "{html}"
    );
    let form = |tz: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "Mona Manager".to_owned()),
            ("role", "manager".to_owned()),
            ("time_zone", tz.to_owned()),
            ("password", String::new()),
        ]
    };
    let res = post(page.clone(), form("Mars/Olympus")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("class=\"error\""));
    let (_, still) = s.get("manager", "/api/v1/me").await;
    assert_eq!(still["name"], "manager user", "nothing saved");
    let res = post(page.clone(), form("Europe/Paris")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, changed) = s.get("manager", "/api/v1/me").await;
    assert_eq!(changed["name"], "Mona Manager");

    let (_, tokens) = s
        .get("admin", &format!("/api/v1/users/{}/tokens", me["id"]))
        .await;
    let revoke = format!("{page}/tokens/{}/revoke", tokens[0]["id"]);
    let res = post(revoke, vec![("csrf", csrf.clone())]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (st, _) = s.get("manager", "/api/v1/me").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (_, log) = s.get("auditor", "/api/v1/audit?action=token_revoke").await;
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");

    // Another role is refused the page.
    let (cookie, _) = signed_in(&s, "agent@provider.test").await;
    let res = s
        .client
        .get(s.url(&page))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    s.stop().await;
}
