//! Knowledge articles over HTTP, on both databases: written, reviewed by
//! someone other than the author, published to their audience, revised while
//! readers keep the published version, retired; read, found and answered by
//! the customers they are for and by nobody else; rendered inert whatever
//! their Markdown holds; counted when used; and the bad input of each.

mod common;

use common::{TestServer, backends, resolve};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn step(s: &TestServer, who: &str, number: &str, action: &str) -> (StatusCode, Value) {
    s.post(
        who,
        &format!("/api/v1/articles/{number}/transitions"),
        json!({ "action": action }),
    )
    .await
}

async fn patch(s: &TestServer, who: &str, number: &str, body: Value) -> (StatusCode, Value) {
    let (st, v, _) = s
        .call(
            who,
            Method::PATCH,
            &format!("/api/v1/articles/{number}"),
            Some(body),
        )
        .await;
    (st, v)
}

fn numbers(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_owned())
        .collect()
}

async fn found(s: &TestServer, who: &str, q: &str) -> Vec<String> {
    let (st, v) = s.get(who, &format!("/api/v1/search?q={q}")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn articles_are_reviewed_published_to_their_audience_revised_and_retired() {
    for backend in backends() {
        let s = TestServer::start(backend).await;

        // Written by an agent: a draft, owned by its author, reviewed in a year.
        let (st, a) = s
            .post(
                "agent",
                "/api/v1/articles",
                json!({"title": "Reset a mail password", "audience": "customers",
                       "organisations": ["Alpha"], "service": "SVC-0001",
                       "body": "## Steps\n\n1. Open the **portal**\n2. Choose *Reset*\n"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{a}");
        let kb = a["number"].as_str().unwrap().to_owned();
        assert_eq!(kb, "KB-0001");
        assert_eq!(a["state"], "draft");
        assert_eq!(a["organisations"], json!(["Alpha"]));
        assert_eq!(a["owner"], "agent user", "its author owns it");
        assert!(a["review_date"].as_str().is_some(), "{a}");
        assert_eq!(a["live_version"], Value::Null);

        // Nobody but staff reads a draft: the customers it is for get 404.
        let (st, _) = s.get("customer", &format!("/api/v1/articles/{kb}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, page) = s.get("customer", "/api/v1/articles").await;
        assert!(numbers(&page).is_empty(), "{page}");

        // Its author does not review it; another member of staff does.
        let (st, e) = step(&s, "agent", &kb, "review").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains("you wrote"), "{e}");
        let (st, e) = step(&s, "manager", &kb, "publish").await;
        assert_eq!(st, StatusCode::CONFLICT, "{e}");
        let (st, _) = step(&s, "manager", &kb, "review").await;
        assert_eq!(st, StatusCode::OK);
        let (st, a) = step(&s, "agent", &kb, "publish").await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(
            (a["state"].clone(), a["live_version"].clone()),
            (json!("published"), json!(1))
        );

        // Alpha's customers read it and find it; Beta's do not, not even in search.
        let (st, v) = s.get("customer", &format!("/api/v1/articles/{kb}")).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert!(v["body"].as_str().unwrap().contains("Open the **portal**"));
        assert_eq!(v["draft"], Value::Null);
        // A reader is not told which other customers read it, nor the counts.
        assert_eq!(v["organisations"], json!([]), "{v}");
        assert_eq!(v["helpful"], Value::Null, "{v}");
        // Nor the provider's comments and files on it, nor its history.
        let (st, c) = s
            .post(
                "agent",
                &format!("/api/v1/articles/{kb}/comments"),
                json!({"body": "Screenshot for v2 coming", "visibility": "public"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        for part in ["comments", "attachments", "history"] {
            let (st, v) = s
                .get("customer", &format!("/api/v1/articles/{kb}/{part}"))
                .await;
            assert_eq!((st, v.clone()), (StatusCode::OK, json!([])), "{part}: {v}");
        }
        let (_, page) = s.get("customer2", "/api/v1/articles").await;
        assert_eq!(numbers(&page), vec![kb.clone()]);
        assert_eq!(found(&s, "customer", "portal").await, vec![kb.clone()]);
        let (st, _) = s.get("other", &format!("/api/v1/articles/{kb}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert!(found(&s, "other", "portal").await.is_empty());
        let (_, page) = s.get("other", "/api/v1/articles").await;
        assert!(numbers(&page).is_empty(), "{page}");
        // Nor do the kernel's routes open it to them; customers see no versions.
        let (st, _) = s
            .get("other", &format!("/api/v1/articles/{kb}/comments"))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .get("customer", &format!("/api/v1/articles/{kb}/versions"))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // A new text is version 2, a draft; readers keep version 1, and search
        // finds what they read, not the draft.
        let (st, a) = patch(
            &s,
            "agent",
            &kb,
            json!({"body": "## Steps\n\nUse the self-service kiosk.\n"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["state"], "draft");
        assert_eq!(a["live_version"], 1);
        assert_eq!(a["draft"]["version"], 2, "{a}");
        assert!(a["body"].as_str().unwrap().contains("portal"), "{a}");
        let (_, v) = s.get("customer", &format!("/api/v1/articles/{kb}")).await;
        assert!(v["body"].as_str().unwrap().contains("portal"), "{v}");
        assert!(found(&s, "customer", "kiosk").await.is_empty());
        let (_, versions) = s
            .get("agent", &format!("/api/v1/articles/{kb}/versions"))
            .await;
        let listed: Vec<(i64, bool)> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["version"].as_i64().unwrap(), v["live"].as_bool().unwrap()))
            .collect();
        assert_eq!(listed, vec![(2, false), (1, true)]);
        // Nobody who wrote what readers have not seen reviews it: the
        // manager fixes a typo (version 3), so the agent may review now, the manager not.
        let (st, a) = patch(
            &s,
            "manager",
            &kb,
            json!({"title": "Reset a mail password (kiosk)"}),
        )
        .await;
        assert_eq!(
            (st, a["draft"]["version"].clone()),
            (StatusCode::OK, json!(3)),
            "{a}"
        );
        let (st, e) = step(&s, "manager", &kb, "review").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (st, e) = step(&s, "agent", &kb, "review").await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the agent wrote version 2: {e}"
        );
        let (st, _) = step(&s, "admin", &kb, "review").await;
        assert_eq!(st, StatusCode::OK);
        let (_, a) = step(&s, "manager", &kb, "publish").await;
        assert_eq!(a["live_version"], 3, "{a}");
        assert_eq!(a["title"], "Reset a mail password (kiosk)", "{a}");
        assert_eq!(found(&s, "customer", "kiosk").await, vec![kb.clone()]);

        // Readers say whether it helped: one answer each, the latest counts.
        for (who, helpful) in [
            ("customer", true),
            ("customer2", false),
            ("customer2", true),
        ] {
            let (st, v) = s
                .post(
                    who,
                    &format!("/api/v1/articles/{kb}/feedback"),
                    json!({"helpful": helpful}),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        let (_, a) = s.get("agent", &format!("/api/v1/articles/{kb}")).await;
        assert_eq!(
            (a["helpful"].clone(), a["not_helpful"].clone()),
            (json!(2), json!(0))
        );
        let (st, _) = s
            .post(
                "other",
                &format!("/api/v1/articles/{kb}/feedback"),
                json!({"helpful": true}),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // An incident resolved with it counts as a use.
        let inc = s
            .raise("customer", "Cannot sign in to mail", "SVC-0001")
            .await;
        resolve(&s, &inc).await;
        let (st, v) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{inc}/links"),
                json!({"record": kb, "type": "resolved_by"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (_, a) = s.get("agent", &format!("/api/v1/articles/{kb}")).await;
        assert_eq!(a["uses"], 1, "{a}");
        // The customer sees the article among their incident's links.
        let (_, links) = s
            .get("customer", &format!("/api/v1/incidents/{inc}/links"))
            .await;
        assert!(links.to_string().contains(&kb), "{links}");

        // Staff-only articles stay with staff; everyone's reach every customer.
        let (_, internal) = s
            .post(
                "agent",
                "/api/v1/articles",
                json!({"title": "Mail server restart runbook", "body": "Restart the relay."}),
            )
            .await;
        let (_, open) = s
            .post("agent", "/api/v1/articles",
                  json!({"title": "Mail quotas", "body": "Each mailbox holds 50 GB.", "audience": "everyone"}))
            .await;
        for a in [&internal, &open] {
            let n = a["number"].as_str().unwrap();
            step(&s, "manager", n, "review").await;
            let (st, v) = step(&s, "manager", n, "publish").await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        assert!(found(&s, "other", "relay").await.is_empty());
        assert_eq!(
            found(&s, "other", "mailbox").await,
            vec![open["number"].as_str().unwrap().to_owned()]
        );
        assert_eq!(
            found(&s, "auditor", "relay").await,
            vec![internal["number"].as_str().unwrap().to_owned()]
        );

        // Moved to everyone, it names no organisations any more.
        let (st, a) = patch(&s, "agent", &kb, json!({"audience": "everyone"})).await;
        assert_eq!(
            (st, a["organisations"].clone()),
            (StatusCode::OK, json!([])),
            "{a}"
        );
        assert_eq!(found(&s, "other", "kiosk").await, vec![kb.clone()]);
        // Retired, readers lose it; it takes no edit until restored.
        let (st, a) = step(&s, "manager", &kb, "retire").await;
        assert_eq!(st, StatusCode::OK, "{a}");
        let (st, _) = s.get("customer", &format!("/api/v1/articles/{kb}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert!(found(&s, "customer", "kiosk").await.is_empty());
        let (st, e) = patch(&s, "agent", &kb, json!({"title": "x"})).await;
        assert_eq!(st, StatusCode::CONFLICT, "{e}");
        // Restored and edited, staff see the new text beside the old, which
        // no reader gets until it is published again.
        let (st, _) = step(&s, "manager", &kb, "restore").await;
        assert_eq!(st, StatusCode::OK);
        let (_, a) = patch(&s, "agent", &kb, json!({"body": "Use the new portal."})).await;
        assert_eq!(a["draft"]["body"], "Use the new portal.", "{a}");
        assert!(a["body"].as_str().unwrap().contains("kiosk"), "{a}");
        let (st, _) = s.get("customer", &format!("/api/v1/articles/{kb}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // The history does not carry the body.
        let (_, h) = s
            .get("agent", &format!("/api/v1/articles/{kb}/history"))
            .await;
        assert!(!h.to_string().contains("Use the new portal"), "{h}");

        // The history names each step; the body is kept once per version.
        let (_, h) = s
            .get("agent", &format!("/api/v1/articles/{kb}/history"))
            .await;
        let actions: Vec<&str> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for a in [
            "create", "review", "publish", "update", "feedback", "retire",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        s.stop().await;
    }
}

#[tokio::test]
async fn bad_articles_are_refused_and_nothing_written_runs() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        for (body, field) in [
            (json!({"title": " ", "body": "x"}), "title"),
            (json!({"title": "t", "body": ""}), "body"),
            (json!({"title": "t", "body": "x".repeat(100_001)}), "body"),
            (
                json!({"title": "t", "body": "x", "audience": "public"}),
                "audience",
            ),
            (
                json!({"title": "t", "body": "x", "audience": "customers"}),
                "organisations",
            ),
            (
                json!({"title": "t", "body": "x", "audience": "customers", "organisations": ["Nowhere"]}),
                "organisations",
            ),
            (
                json!({"title": "t", "body": "x", "owner": "cora@alpha.test"}),
                "owner",
            ),
            (
                json!({"title": "t", "body": "x", "review_date": "soon"}),
                "review_date",
            ),
        ] {
            let (st, v) = s.post("agent", "/api/v1/articles", body.clone()).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body} gave {v}");
            assert!(v.to_string().contains(field), "{field} in {v}");
        }
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/articles",
                json!({"title": "t", "body": "x", "colour": "red"}),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("colour"), "{v}");
        // Customers and auditors write none.
        for who in ["customer", "auditor"] {
            let (st, _) = s
                .post(who, "/api/v1/articles", json!({"title": "t", "body": "x"}))
                .await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
        }
        let (st, v) = step(&s, "manager", "KB-0001", "review").await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
        let (st, _) = s.get("agent", "/api/v1/articles/KB-9999").await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Whatever the Markdown holds, the page shows nothing that runs.
        let evil = "# Hi\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n\
                    <img src=x onerror=alert(1)>\n\n<svg onload=alert(1)></svg>\n\n**bold**";
        let (st, a) = s
            .post(
                "agent",
                "/api/v1/articles",
                json!({"title": "Evil", "body": evil, "audience": "everyone"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{a}");
        let n = a["number"].as_str().unwrap();
        step(&s, "manager", n, "review").await;
        step(&s, "manager", n, "publish").await;
        let html = s.page("other", &format!("/articles/{n}")).await;
        let body = html
            .split("id=\"article-body\"")
            .nth(1)
            .unwrap()
            .split("</article>")
            .next()
            .unwrap();
        assert!(body.contains("<strong>bold</strong>"), "{body}");
        for sign in ["<script", "javascript:", "onerror", "<svg", "onload"] {
            assert!(!body.to_lowercase().contains(sign), "{sign} in {body}");
        }
        s.stop().await;
    }
}
