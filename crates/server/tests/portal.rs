//! The customer portal over HTTP, on both databases: what is waiting on a
//! customer, and the articles and known errors published to them that match
//! what they type, before they raise an incident; nothing of another
//! organisation's, nothing unpublished.

mod common;

use common::{TestServer, backends, signed_in};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_portal_answers_with_what_is_published_to_the_customer_and_what_waits_on_them() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        // An article for Alpha about the printer, published.
        let (st, a) = s
            .post(
                "agent",
                "/api/v1/articles",
                json!({"title": "Printer shows offline", "body": "Turn the printer off and on.",
                       "audience": "customers", "organisations": ["Alpha"]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{a}");
        for action in ["review", "publish"] {
            s.post(
                "manager",
                "/api/v1/articles/KB-0001/transitions",
                json!({ "action": action }),
            )
            .await;
        }
        // A known error on ERP (Alpha's only), published; another, on the
        // same words, not published.
        for (title, publish) in [
            ("Printer queue stalls in ERP", true),
            ("Printer driver leak", false),
        ] {
            let (st, p) = s
                .post(
                    "manager",
                    "/api/v1/problems",
                    json!({"title": title, "service": "SVC-0002"}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{p}");
            let n = p["number"].as_str().unwrap().to_owned();
            for step in [
                json!({"action": "investigate"}),
                json!({"action": "known_error", "workaround": "Print from the web client"}),
            ] {
                let (st, v) = s
                    .post(
                        "manager",
                        &format!("/api/v1/problems/{n}/transitions"),
                        step,
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
            }
            if publish {
                let (st, v, _) = s
                    .call(
                        "manager",
                        reqwest::Method::PATCH,
                        &format!("/api/v1/problems/{n}"),
                        Some(json!({"published": true})),
                    )
                    .await;
                assert_eq!(st, StatusCode::OK, "{v}");
            }
        }
        // An incident of Cora's waiting for her answer.
        let inc = s.raise("customer", "Scanner jams", "SVC-0001").await;
        for step in [
            json!({"action": "start"}),
            json!({"action": "hold", "hold_reason": "awaiting_customer"}),
        ] {
            let (st, v) = s
                .post(
                    "agent",
                    &format!("/api/v1/incidents/{inc}/transitions"),
                    step,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }

        let base = s.url("");
        let cora = signed_in(&base, "cora@alpha.test").await;
        let page = |c: &reqwest::Client, path: &str| {
            let c = c.clone();
            let url = s.url(path);
            async move {
                let res = c.get(url).send().await.unwrap();
                (res.status(), res.text().await.unwrap())
            }
        };
        // Customers land on the portal; staff on their queues.
        let res = cora.get(s.url("/")).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/portal");
        let agent = signed_in(&base, "agent@provider.test").await;
        let res = agent.get(s.url("/portal")).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/");

        let (st, html) = page(&cora, "/portal").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("Answer our question on"), "{html}");
        assert!(html.contains(&inc), "{html}");

        // What she types finds the article and the published known error,
        // not the unpublished one, and offers to raise an incident with it.
        let (_, html) = page(&cora, "/portal?q=printer").await;
        assert!(html.contains("/articles/KB-0001"), "{html}");
        assert!(html.contains("/portal/known-errors/PRB-000001"), "{html}");
        assert!(!html.contains("PRB-000002"), "{html}");
        assert!(!html.contains("Printer driver leak"), "{html}");
        assert!(html.contains("/incidents/new?title=printer"), "{html}");
        let (st, html) = page(&cora, "/portal/known-errors/PRB-000001").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("Print from the web client"), "{html}");
        let (st, _) = page(&cora, "/portal/known-errors/PRB-000002").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // Bad syntax says so; it is not an error page.
        let (st, html) = page(&cora, "/portal?q=%22unclosed").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("flash bad"), "{html}");

        // Beta's customer finds neither (not published to Beta; ERP is not theirs).
        let olga = signed_in(&base, "olga@beta.test").await;
        let (_, html) = page(&olga, "/portal?q=printer").await;
        assert!(
            !html.contains("KB-0001") && !html.contains("PRB-000001"),
            "{html}"
        );
        assert!(!html.contains(&inc), "{html}");
        let (st, _) = page(&olga, "/portal/known-errors/PRB-000001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}
