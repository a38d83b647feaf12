//! Business relationship over HTTP, on both databases: a customer's profile,
//! relationship manager and contacts kept by managers; service reviews
//! planned, held with minutes and followed by actions, read by the customer's
//! people and nobody else's; the yearly review as evidence (8.3.2).

mod common;

use common::{TestServer, backends, check_status, org_id};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn put(s: &TestServer, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let (st, v, _) = s.call(who, Method::PUT, path, Some(body)).await;
    (st, v)
}

#[tokio::test]
async fn managers_keep_customers_profiles_and_contacts_and_review_the_service_with_them() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let alpha = org_id(&s, "Alpha").await;
        let beta = org_id(&s, "Beta").await;
        let profile = format!("/api/v1/customers/{alpha}/profile");

        // Managers keep the profile; agents and customers do not.
        let body = json!({"profile": "Manufacturer; ERP is critical at month end.",
                          "relationship_manager": "manager@provider.test"});
        let (st, _) = put(&s, "agent", &profile, body.clone()).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, e) = put(
            &s,
            "manager",
            &profile,
            json!({"relationship_manager": "cora@alpha.test"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (st, v) = put(&s, "manager", &profile, body).await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
        let (st, _) = s.get("customer", "/api/v1/customers").await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // Contacts: a name, a role and a way to reach them.
        let contacts = format!("/api/v1/customers/{alpha}/contacts");
        let (st, e) = s
            .post(
                "manager",
                &contacts,
                json!({"name": "", "role": "boss", "phone": "call me"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        for field in ["name", "role", "phone"] {
            assert!(e.to_string().contains(field), "{field}: {e}");
        }
        let (st, c) = s
            .post(
                "manager",
                &contacts,
                json!({"name": "Ann Lee", "role": "decision_maker", "email": "ann@alpha.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        let contact = c["id"].as_i64().unwrap();
        let (_, v) = s.get("agent", &format!("/api/v1/customers/{alpha}")).await;
        assert_eq!(v["relationship_manager"], "manager user", "{v}");
        assert_eq!(v["contacts"][0]["name"], "Ann Lee");
        assert_eq!(v["review_due"], true, "never reviewed: {v}");
        // Another customer's id does not reach Alpha's contact.
        let (st, _, _) = s
            .call(
                "manager",
                Method::DELETE,
                &format!("/api/v1/customers/{beta}/contacts/{contact}"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // A review is planned with a day; bad plans are refused.
        for (bad, field) in [
            (
                json!({"title": "Review", "customer": "Alpha"}),
                "target_date",
            ),
            (
                json!({"title": "Review", "customer": "Nobody", "target_date": "2026-12-10"}),
                "customer",
            ),
        ] {
            let (st, e) = s.post("manager", "/api/v1/service-reviews", bad).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
            assert!(e.to_string().contains(field), "{field}: {e}");
        }
        let plan = |customer: &str| {
            json!({"title": "Quarterly service review", "customer": customer,
                   "target_date": "2026-12-10", "description": "Incidents, SLA, ERP month end",
                   "attendees": "Ann Lee, manager user"})
        };
        let (st, _) = s
            .post("agent", "/api/v1/service-reviews", plan("Alpha"))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, r) = s
            .post("manager", "/api/v1/service-reviews", plan("Alpha"))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        assert_eq!(r["number"], "SRM-0001");
        assert_eq!(r["state"], "planned");

        // Alpha's people read it and comment; Beta's do not find it.
        let (st, _) = s.get("customer", "/api/v1/service-reviews/SRM-0001").await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = s
            .post(
                "customer",
                "/api/v1/service-reviews/SRM-0001/comments",
                json!({"body": "Please add the scanner outages."}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let (st, _) = s.get("other", "/api/v1/service-reviews/SRM-0001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, page) = s.get("other", "/api/v1/service-reviews").await;
        assert_eq!(page["items"], json!([]));
        let (st, _) = s
            .post(
                "customer",
                "/api/v1/service-reviews/SRM-0001/transitions",
                json!({"action": "hold", "minutes": "x"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // Evidence: no customer reviewed yet.
        let (_, req) = s.get("auditor", "/api/v1/requirements/8.3.2").await;
        assert_eq!(check_status(&req, "customers-reviewed"), "not_met", "{req}");

        // Held with its minutes; an action follows from it.
        let (st, e) = s
            .post(
                "manager",
                "/api/v1/service-reviews/SRM-0001/transitions",
                json!({"action": "hold"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (st, r) = s
            .post(
                "manager",
                "/api/v1/service-reviews/SRM-0001/transitions",
                json!({"action": "hold", "minutes": "SLA met; ERP month-end runbook to be written."}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r["state"], "held");
        assert!(r["held_at"].as_str().is_some());
        let (st, a) = s
            .post(
                "manager",
                "/api/v1/actions",
                json!({"title": "Write the ERP month-end runbook", "parent": "SRM-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{a}");
        let (_, v) = s.get("agent", &format!("/api/v1/customers/{alpha}")).await;
        assert_eq!(v["review_due"], false, "{v}");

        // Beta held too: every customer reviewed.
        let (_, r) = s
            .post("manager", "/api/v1/service-reviews", plan("Beta"))
            .await;
        let n = r["number"].as_str().unwrap().to_owned();
        s.post(
            "manager",
            &format!("/api/v1/service-reviews/{n}/transitions"),
            json!({"action": "hold", "minutes": "Fine."}),
        )
        .await;
        let (_, req) = s.get("auditor", "/api/v1/requirements/8.3.2").await;
        assert_eq!(check_status(&req, "customers-reviewed"), "met", "{req}");

        // The contact removed.
        let (st, _, _) = s
            .call(
                "manager",
                Method::DELETE,
                &format!("{contacts}/{contact}"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, v) = s.get("agent", &format!("/api/v1/customers/{alpha}")).await;
        assert_eq!(v["contacts"], json!([]));
        s.stop().await;
    }
}
