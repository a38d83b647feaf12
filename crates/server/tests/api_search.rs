//! One search box over records and services, on both databases: words,
//! prefixes, phrases and exclusions; every write keeps the index in step;
//! a customer finds only their organisation's records and the services it
//! receives; a query that cannot be read says why.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn find(s: &TestServer, who: &str, q: &str) -> Vec<String> {
    let (st, v, _) = s
        .call(
            who,
            Method::GET,
            &format!("/api/v1/search?q={}", urlencoding(q)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{who} {q}: {v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_str().unwrap().to_owned())
        .collect()
}

fn urlencoding(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn search_finds_what_each_role_may_read_and_follows_every_write() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, v) = s
            .post(
                "customer",
                "/api/v1/incidents",
                json!({"title": "Printer out of paper", "service": "SVC-0001",
                       "description": "The printer on floor 3 says the tray is empty."}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let alpha = v["number"].as_str().unwrap().to_owned();
        let beta = s.raise("other", "Printer jammed", "SVC-0001").await;
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/problems",
                json!({"title": "Printer driver crashes", "service": "SVC-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let problem = v["number"].as_str().unwrap().to_owned();

        // Staff find every record; customers their organisation's only,
        // never a problem, and not even a count of the others.
        let mut all = find(&s, "agent", "printer").await;
        all.sort();
        let mut want = vec![alpha.clone(), beta.clone(), problem.clone()];
        want.sort();
        assert_eq!(all, want);
        assert_eq!(find(&s, "customer", "printer").await, [alpha.as_str()]);
        assert_eq!(find(&s, "other", "printer").await, [beta.as_str()]);
        assert_eq!(find(&s, "auditor", "printer").await.len(), 3);

        // A prefix, a phrase, an exclusion, a record number.
        assert_eq!(find(&s, "customer", "print").await, [alpha.as_str()]);
        assert_eq!(
            find(&s, "agent", r#""out of paper""#).await,
            [alpha.as_str()]
        );
        assert!(find(&s, "agent", r#""paper out""#).await.is_empty());
        let mut rest = find(&s, "agent", "printer -paper").await;
        rest.sort();
        let mut want = vec![beta.clone(), problem.clone()];
        want.sort();
        assert_eq!(rest, want);
        assert_eq!(find(&s, "agent", &alpha).await, [alpha.as_str()]);
        assert_eq!(find(&s, "agent", "floor 3").await, [alpha.as_str()]);

        // The matched words come marked; the title weighs more than the text.
        let (_, v) = s.get("customer", "/api/v1/search?q=tray").await;
        let parts = v[0]["snippet"].as_array().unwrap();
        assert!(
            parts
                .iter()
                .any(|p| p["match"] == true
                    && p["text"].as_str().unwrap().eq_ignore_ascii_case("tray")),
            "{v}"
        );
        assert_eq!(v[0]["link"], format!("/incidents/{alpha}"));

        // Services: what the customer's organisation receives.
        assert_eq!(find(&s, "customer", "erp").await, ["SVC-0002"]);
        assert!(find(&s, "other", "erp").await.is_empty());
        assert_eq!(find(&s, "agent", "erp").await, ["SVC-0002"]);

        // Every write keeps the index in step: a new title, a service renamed.
        let (st, v, _) = s
            .call(
                "agent",
                Method::PATCH,
                &format!("/api/v1/incidents/{alpha}"),
                Some(json!({"title": "Scanner offline"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(find(&s, "customer", "scanner").await, [alpha.as_str()]);
        assert_eq!(
            find(&s, "customer", "printer").await,
            [alpha.as_str()],
            "still in the text"
        );
        assert!(find(&s, "customer", "jammed").await.is_empty());
        let (st, v, _) = s
            .call(
                "admin",
                Method::PATCH,
                "/api/v1/services/SVC-0002",
                Some(json!({"name": "Payroll"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(find(&s, "customer", "payroll").await, ["SVC-0002"]);
        assert!(find(&s, "customer", "erp").await.is_empty());

        // What cannot be read is refused with the reason.
        for (q, says) in [
            ("", "type a word"),
            ("%22out%20of", "not closed"),
            ("-printer", "not only what to leave out"),
            (&"x".repeat(10_000), "at most 200"),
        ] {
            let (st, v) = s.get("agent", &format!("/api/v1/search?q={q}")).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
            assert!(v.to_string().contains(says), "{v}");
        }
        // Operators of either database are words here, never a syntax error.
        for q in ["a* OR (b)", "NEAR/2 c: 'd'", "x & !y | z:*", "\\\\"] {
            let (st, v) = s
                .get("agent", &format!("/api/v1/search?q={}", urlencoding(q)))
                .await;
            assert!(
                st == StatusCode::OK || st == StatusCode::UNPROCESSABLE_ENTITY,
                "{q}: {st} {v}"
            );
        }
        let (st, _) = s.get("agent", "/api/v1/search?q=printer&limit=lots").await;
        assert!(st.is_client_error());
        let (st, _) = s.get("", "/api/v1/search?q=printer").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);

        // The page: results with the matches marked, a bad query explained.
        let page = s.page("customer", "/search?q=scanner").await;
        assert!(
            page.contains(&format!(r#"data-number="{alpha}""#)),
            "{page}"
        );
        assert!(page.contains("<mark>"), "{page}");
        assert!(!page.contains(&beta));
        let page = s.page("customer", "/search?q=%22out").await;
        assert!(page.contains("not closed"), "{page}");
        let page = s
            .page("customer", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            .await;
        assert!(!page.contains("<script>alert"), "{page}");
        s.stop().await;
    }
}
