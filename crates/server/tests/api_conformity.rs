//! The conformity view over HTTP on both databases: statuses computed from the
//! provider's own records, which change as the records change.

mod common;

use common::{TestServer, backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn check<'a>(req: &'a Value, id: &str) -> &'a Value {
    req["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {req}"))
}

#[tokio::test]
async fn statuses_follow_the_records() {
    for backend in backends() {
        let s = TestServer::start(backend).await;

        // The catalogue, with every requirement and the readiness per phase.
        let (st, all) = s.get("auditor", "/api/v1/requirements").await;
        assert_eq!(st, StatusCode::OK, "{backend:?} {all}");
        assert_eq!(all["edition"], "ISO/IEC 20000-1:2018");
        let reqs = all["requirements"].as_array().unwrap();
        assert!(reqs.len() >= 50);
        let phases: Vec<_> = all["phases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["phase"].clone())
            .collect();
        assert_eq!(phases, ["plan", "do", "check", "act"]);
        let audit = reqs.iter().find(|r| r["clause"] == "9.2").unwrap();
        assert_eq!(audit["status"], "not_assessed");

        // No service has an owner yet: the catalogue requirement shows the gap and names the services.
        let (st, cat) = s.get("auditor", "/api/v1/requirements/8.2.4").await;
        assert_eq!(st, StatusCode::OK, "{cat}");
        assert_eq!(cat["heading"], "8.2 Service portfolio");
        let owner = check(&cat, "live-services-have-an-owner");
        assert_eq!(owner["status"], "not_met");
        assert_eq!(
            (owner["counted"].as_i64(), owner["good"].as_i64()),
            (Some(3), Some(0))
        );
        let keys: Vec<_> = owner["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["key"].clone())
            .collect();
        assert_eq!(keys, ["SVC-0001", "SVC-0002", "SVC-0003"]);

        // Give every service an owner: the check turns green.
        for n in ["SVC-0001", "SVC-0002", "SVC-0003"] {
            let (st, v, _) = s
                .call(
                    "manager",
                    reqwest::Method::PATCH,
                    &format!("/api/v1/services/{n}"),
                    Some(json!({"owner": "manager@provider.test"})),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        let (_, cat) = s.get("auditor", "/api/v1/requirements/8.2.4").await;
        let owner = check(&cat, "live-services-have-an-owner");
        assert_eq!(owner["status"], "met", "{owner}");
        assert!(owner["gaps"].as_array().unwrap().is_empty());

        // Incidents: none resolved yet, so no data; one resolved in time is met; its
        // missing first response counts once the response target has passed.
        let (_, inc) = s.get("agent", "/api/v1/requirements/8.6.1").await;
        assert_eq!(
            check(&inc, "incidents-resolved-in-time")["status"],
            "no_data"
        );
        let number = s.raise("customer", "Mail bounces", "SVC-0001").await;
        let (st, _) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{number}/transitions"),
                json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "Quota raised"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, inc) = s.get("agent", "/api/v1/requirements/8.6.1").await;
        let resolved = check(&inc, "incidents-resolved-in-time");
        assert_eq!(resolved["status"], "met", "{resolved}");
        assert_eq!(resolved["counted"], 1);
        let informed = check(&inc, "customers-kept-informed");
        assert_eq!(
            informed["status"], "not_met",
            "no public comment from staff yet"
        );
        assert_eq!(informed["gaps"][0]["key"], number);
        assert_eq!(informed["gaps"][0]["href"], format!("/incidents/{number}"));

        // Customers have no conformity view; unknown clauses do not exist.
        let (st, _) = s.get("customer", "/api/v1/requirements").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, v) = s.get("auditor", "/api/v1/requirements/8.99").await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
        s.stop().await;
    }
}
