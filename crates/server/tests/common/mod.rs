//! A real server on a random port against a fresh database, with one user of
//! every role and their API tokens.

#![allow(dead_code)]

use std::net::SocketAddr;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use steward_server::admin::{self, GroupInput, OrgInput, UserInput};
use steward_server::catalogue::{self, ServiceInput};
use steward_server::{AppState, Config};
use steward_store::AuditActor;
#[allow(unused_imports)]
pub use steward_store::testing::{Backend, TestDb, backends};

#[allow(unused_imports)]
pub use steward_server::testing::smtp;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub client: reqwest::Client,
    pub tokens: std::collections::HashMap<&'static str, String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    pub db: TestDb,
    pub data: steward_store::testing::TempDir,
}

/// Users created by [`TestServer::start`]: (key, e-mail, role, organisation).
pub const USERS: [(&str, &str, &str, Option<&str>); 7] = [
    ("admin", "admin@provider.test", "admin", None),
    ("agent", "agent@provider.test", "agent", None),
    ("manager", "manager@provider.test", "manager", None),
    ("auditor", "auditor@provider.test", "auditor", None),
    ("customer", "cora@alpha.test", "customer", Some("Alpha")),
    ("customer2", "carl@alpha.test", "customer", Some("Alpha")),
    ("other", "olga@beta.test", "customer", Some("Beta")),
];

impl TestServer {
    pub async fn start(backend: Backend) -> TestServer {
        TestServer::start_with(backend, |_| {}).await
    }

    /// Starts with settings changed by `tune` (mail server, job timing...).
    pub async fn start_with(backend: Backend, tune: impl FnOnce(&mut Config)) -> TestServer {
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let db = TestDb::new(backend).await;
        let data = steward_store::testing::TempDir::new();
        let config = Config {
            database_url: db.url.clone(),
            data_dir: data.0.display().to_string(),
            max_upload_bytes: 256 * 1024,
            listen: "127.0.0.1:0".into(),
            max_connections: 8,
            // Tests that need the monthly service reports queue them
            // themselves (`service_reports::queue_due`), not at a time the
            // server's hourly tick chooses.
            service_reports_monthly: false,
            ..Config::default()
        };
        let mut config = config;
        tune(&mut config);
        let state = AppState::open(config).await.expect("open database");
        let by = AuditActor::system("test");
        let org = |name: &str, kind: &str| OrgInput {
            name: name.into(),
            kind: Some(kind.into()),
            time_zone: Some("Europe/Berlin".into()),
        };
        admin::create_org(&state.store, &by, &org("Provider", "provider"))
            .await
            .unwrap();
        admin::create_org(&state.store, &by, &org("Alpha", "customer"))
            .await
            .unwrap();
        admin::create_org(&state.store, &by, &org("Beta", "customer"))
            .await
            .unwrap();
        let mut tokens = std::collections::HashMap::new();
        for (key, email, role, org) in USERS {
            let input = UserInput {
                email: email.into(),
                name: format!("{key} user"),
                role: role.into(),
                organisation: org.map(str::to_owned),
                password: Some(PASSWORD.into()),
            };
            let u = admin::create_user(&state.store, &by, &input).await.unwrap();
            let (_, secret) =
                admin::create_token(&state.store, &by, &u, &admin::TokenInput::named("test"))
                    .await
                    .unwrap();
            tokens.insert(key, secret);
        }
        admin::create_group(
            &state.store,
            &by,
            &GroupInput {
                name: "Service Desk".into(),
                description: String::new(),
                manager: None,
                members: vec!["agent@provider.test".into()],
            },
        )
        .await
        .unwrap();
        for (name, customers) in [
            ("Mail", vec!["Alpha", "Beta"]),
            ("ERP", vec!["Alpha"]),
            ("Shop", vec!["Beta"]),
        ] {
            catalogue::create(
                &state.store,
                &by,
                &ServiceInput {
                    name: name.into(),
                    status: Some("live".into()),
                    customers: customers.into_iter().map(String::from).collect(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        let task = tokio::spawn(async move {
            steward_server::serve(serve_state, listener, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestServer {
            addr,
            state,
            client,
            tokens,
            stop: Some(tx),
            task: Some(task),
            db,
            data,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Sends a JSON request as `who` (a key of [`USERS`], or "" for no token).
    pub async fn call(
        &self,
        who: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = self.tokens.get(who) {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value, headers)
    }

    pub async fn get(&self, who: &str, path: &str) -> (StatusCode, Value) {
        let (s, v, _) = self.call(who, Method::GET, path, None).await;
        (s, v)
    }

    pub async fn post(&self, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = self.call(who, Method::POST, path, Some(body)).await;
        (s, v)
    }

    /// A web page as `who` sees it, signed in through the sign-in form
    /// (pages take a session, not a token); panics unless it answers 200.
    #[allow(dead_code)]
    pub async fn page(&self, who: &str, path: &str) -> String {
        let email = USERS.iter().find(|u| u.0 == who).expect("a test user").1;
        let client = signed_in(&self.url(""), email).await;
        let res = client.get(self.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path} as {who}");
        res.text().await.unwrap()
    }

    /// Raises an incident as `who` and returns its number.
    pub async fn raise(&self, who: &str, title: &str, service: &str) -> String {
        let (s, v) = self
            .post(
                who,
                "/api/v1/incidents",
                json!({"title": title, "service": service}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["number"].as_str().unwrap().to_owned()
    }

    /// Takes a message in that the quarantine holds, and returns its id.
    pub async fn quarantine(&self, raw: &str) -> i64 {
        use steward_server::mail_in::{Source, Taken, take};
        match take(&self.state, raw.as_bytes(), Source::Http)
            .await
            .unwrap()
        {
            Taken::Quarantined { id, .. } => id,
            other => panic!("not quarantined: {other:?}"),
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

/// Waits until no job is queued or running (at most 10 s).
pub async fn settle(s: &TestServer) {
    for _ in 0..400 {
        let (_, jobs) = s.get("admin", "/api/v1/jobs?limit=1").await;
        if jobs["counts"]["queued"] == 0 && jobs["counts"]["running"] == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("jobs never settled");
}

/// The agent starts and resolves the incident `number`.
pub async fn resolve(s: &TestServer, number: &str) {
    let tr = format!("/api/v1/incidents/{number}/transitions");
    for body in [
        serde_json::json!({"action": "start"}),
        serde_json::json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "Restarted"}),
    ] {
        let (st, v) = s.post("agent", &tr, body).await;
        assert_eq!(st, reqwest::StatusCode::OK, "{v}");
    }
}

/// The id of the organisation named `name` (as the admin lists them).
pub async fn org_id(s: &TestServer, name: &str) -> i64 {
    let (st, v) = s.get("admin", "/api/v1/organisations").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .and_then(|o| o["id"].as_i64())
        .unwrap_or_else(|| panic!("no organisation {name} in {v}"))
}

/// The status of the evidence check `id` in a requirement as the API gives it.
pub fn check_status(req: &Value, id: &str) -> Value {
    req["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map(|c| c["status"].clone())
        .unwrap_or_else(|| panic!("no check {id} in {req}"))
}

/// What a browser gets from `GET /login`: the sign-in form's cookie
/// (`name=value`) and the same token from the form, both needed to post it.
#[allow(dead_code)]
pub async fn login_form(client: &reqwest::Client, base: &str) -> (String, String) {
    let res = client.get(format!("{base}/login")).send().await.unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("steward_login="))
        .and_then(|v| v.split(';').next())
        .expect("the sign-in form's cookie")
        .to_owned();
    let html = res.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a csrf token on the sign-in form")
        .to_owned();
    (cookie, csrf)
}

/// A client with a cookie jar, signed in as `email` through the sign-in
/// form at `base`; it follows no redirects.
#[allow(dead_code)]
pub async fn signed_in(base: &str, email: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (_, csrf) = login_form(&client, base).await;
    let res = client
        .post(format!("{base}/login"))
        .form(&[("email", email), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_redirection(),
        "sign in {email}: {}",
        res.status()
    );
    client
}
