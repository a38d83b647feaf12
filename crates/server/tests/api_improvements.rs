//! The improvement register over HTTP, on both databases: proposed from a
//! nonconformity (linked to it), approved only once its benefit and measure
//! are said, serving an objective, carried out with actions that need no
//! effectiveness review, evaluated against its benefit; and bad input.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn step(s: &TestServer, number: &str, body: Value) -> (StatusCode, Value) {
    s.post(
        "manager",
        &format!("/api/v1/improvements/{number}/transitions"),
        body,
    )
    .await
}

#[tokio::test]
async fn an_improvement_is_approved_on_its_promise_carried_out_and_evaluated() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/objectives",
                json!({"title": "Fewer password resets"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let objective = v["number"].as_str().unwrap().to_owned();
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/nonconformities",
                json!({"title": "Resets take days"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");

        let (st, i) = s
            .post(
                "agent",
                "/api/v1/improvements",
                json!({"title": "Self-service password reset", "from": "NCR-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{i}");
        assert_eq!(i["number"], "IMP-0001");
        assert_eq!(i["source"], "nonconformity");
        assert_eq!(i["state"], "proposed");
        let (_, links) = s.get("agent", "/api/v1/improvements/IMP-0001/links").await;
        assert!(links.to_string().contains("NCR-0001"), "{links}");

        // Approval waits for the benefit and how it is measured.
        let (st, v) = step(&s, "IMP-0001", json!({"action": "approve"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            v.to_string().contains("expected_benefit") && v.to_string().contains("measure"),
            "{v}"
        );
        let (st, i, _) = s
            .call(
                "manager",
                Method::PATCH,
                "/api/v1/improvements/IMP-0001",
                Some(json!({"expected_benefit": "Fewer reset calls",
                            "measure": "Reset incidents a month, 120 to 40",
                            "objective": objective.to_lowercase()})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{i}");
        assert_eq!(i["objective"], objective.as_str());
        let (st, _) = step(&s, "IMP-0001", json!({"action": "approve"})).await;
        assert_eq!(st, StatusCode::OK);
        let (st, v, _) = s
            .call(
                "manager",
                Method::PATCH,
                "/api/v1/improvements/IMP-0001",
                Some(json!({"measure": ""})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "approved on it: {v}");

        // Its actions end when done: no effectiveness review by default.
        let (st, a) = s
            .post(
                "manager",
                "/api/v1/actions",
                json!({"title": "Pick a reset tool", "parent": "IMP-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{a}");
        assert_eq!(a["review_after_days"], Value::Null);
        let (st, a) = s
            .post(
                "manager",
                &format!(
                    "/api/v1/actions/{}/transitions",
                    a["number"].as_str().unwrap()
                ),
                json!({"action": "complete", "outcome": "Chosen"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["state"], "closed");

        // Done, then evaluated against the benefit expected.
        let (st, v) = step(
            &s,
            "IMP-0001",
            json!({"action": "evaluate_met", "evaluation": "x"}),
        )
        .await;
        assert_eq!(st, StatusCode::CONFLICT, "not done yet: {v}");
        step(&s, "IMP-0001", json!({"action": "start"})).await;
        step(&s, "IMP-0001", json!({"action": "complete"})).await;
        let (st, i) = step(
            &s,
            "IMP-0001",
            json!({"action": "evaluate_met", "evaluation": "31 resets last month"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{i}");
        assert_eq!(i["state"], "evaluated");
        assert_eq!(i["benefit_met"], true);
        assert_eq!(i["evaluation"], "31 resets last month");
        let (st, _, _) = s
            .call(
                "manager",
                Method::PATCH,
                "/api/v1/improvements/IMP-0001",
                Some(json!({"title": "changed"})),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "evaluated, it is final");

        // Bad input: a clear 422 and nothing written.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/improvements",
                json!({"title": "", "source": "rumour", "objective": "OBJ-9999", "from": "INC-000999"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/improvements",
                json!({"title": "", "source": "rumour", "objective": "OBJ-9999"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        for field in ["title", "source", "objective"] {
            assert!(
                v.to_string().contains(&format!("\"{field}\"")),
                "{field}: {v}"
            );
        }
        let (_, page) = s.get("auditor", "/api/v1/improvements").await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let (st, _) = s.get("customer", "/api/v1/improvements/IMP-0001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}
