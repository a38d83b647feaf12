//! Nonconformities and their corrective actions over HTTP, on both
//! databases: raised from a complaint and linked to it, analysed, acted on,
//! reviewed for effectiveness (not before the review is due; not effective
//! opens a follow-up), closed only when no action is open, a recurring cause
//! flagged, staff only; and the bad input of each.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn nc_step(s: &TestServer, number: &str, body: Value) -> (StatusCode, Value) {
    s.post(
        "manager",
        &format!("/api/v1/nonconformities/{number}/transitions"),
        body,
    )
    .await
}

async fn act(s: &TestServer, number: &str, body: Value) -> (StatusCode, Value) {
    s.post(
        "manager",
        &format!("/api/v1/actions/{number}/transitions"),
        body,
    )
    .await
}

async fn patch(s: &TestServer, path: &str, body: Value) -> (StatusCode, Value) {
    let (st, v, _) = s.call("manager", Method::PATCH, path, Some(body)).await;
    (st, v)
}

#[tokio::test]
async fn a_nonconformity_is_analysed_acted_on_reviewed_and_closed() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, c) = s
            .post(
                "customer",
                "/api/v1/complaints",
                json!({"title": "Invoices to the old address", "service": "SVC-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");

        // Raised from the complaint: its source follows, and the two are linked.
        let (st, n) = s
            .post(
                "agent",
                "/api/v1/nonconformities",
                json!({"title": "Customer details not kept current", "from": "cmp-0001",
                       "clause": "8.3.2", "severity": "major",
                       "correction": "Invoices re-sent"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{n}");
        assert_eq!(n["number"], "NCR-0001");
        assert_eq!(n["source"], "complaint");
        assert_eq!(n["severity"], "major");
        assert_eq!(n["clause"], "8.3.2");
        assert_eq!(n["correction"], "Invoices re-sent");
        assert_eq!(n["state"], "new");
        let (_, links) = s
            .get("agent", "/api/v1/nonconformities/NCR-0001/links")
            .await;
        assert!(links.to_string().contains("CMP-0001"), "{links}");

        // A corrective action: reviewed 30 days after it is done by default.
        let (st, a) = s
            .post(
                "manager",
                "/api/v1/actions",
                json!({"title": "Hand address changes to billing", "parent": "NCR-0001",
                       "assignee": "agent@provider.test", "target_date": "2030-01-31"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{a}");
        assert_eq!(a["number"], "ACT-0001");
        assert_eq!(a["parent"], "NCR-0001");
        assert_eq!(a["review_after_days"], 30);
        assert_eq!(a["state"], "planned");

        // Closing with the analysis missing and an action open is refused, with why.
        let (st, _) = nc_step(&s, "NCR-0001", json!({"action": "investigate"})).await;
        assert_eq!(st, StatusCode::OK);
        let (st, v) = nc_step(&s, "NCR-0001", json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let text = v.to_string();
        for what in [
            "root_cause",
            "cause_category",
            "1 of its corrective actions still open",
        ] {
            assert!(text.contains(what), "{what}: {v}");
        }
        let (st, n) = patch(
            &s,
            "/api/v1/nonconformities/NCR-0001",
            json!({"root_cause": "Why? No hand-over step.", "cause_category": "process"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{n}");
        assert_eq!(n["open_actions"], 1);

        // Done, its review waits for its date.
        let (st, a) = act(
            &s,
            "ACT-0001",
            json!({"action": "complete", "outcome": "Instruction sent"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["state"], "implemented");
        assert!(a["review_due_at"].is_string(), "{a}");
        let (st, v) = act(
            &s,
            "ACT-0001",
            json!({"action": "review_effective", "review": "Looks fine"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            v.to_string().contains("the effectiveness review is due on"),
            "{v}"
        );
        let (st, v) = nc_step(&s, "NCR-0001", json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        // An action reviewed at once (no wait) and found not effective is followed up.
        let (_, b) = s
            .post(
                "manager",
                "/api/v1/actions",
                json!({"title": "Check billing addresses monthly", "parent": "NCR-0001",
                       "review_after_days": 0}),
            )
            .await;
        assert_eq!(b["number"], "ACT-0002");
        act(&s, "ACT-0002", json!({"action": "start"})).await;
        act(
            &s,
            "ACT-0002",
            json!({"action": "complete", "outcome": "Checked"}),
        )
        .await;
        let (st, b) = act(
            &s,
            "ACT-0002",
            json!({"action": "review_not_effective", "review": "Another invoice went astray"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert_eq!(b["state"], "closed");
        assert_eq!(b["effectiveness"], "not_effective");
        assert_eq!(b["follow_up"], "ACT-0003");
        let (_, f) = s.get("agent", "/api/v1/actions/ACT-0003").await;
        assert_eq!(f["parent"], "NCR-0001");
        assert_eq!(f["state"], "planned");
        assert_eq!(f["review_after_days"], 0);
        assert!(
            f["title"].as_str().unwrap().starts_with("Follow-up: "),
            "{f}"
        );
        let (_, n) = s.get("agent", "/api/v1/nonconformities/NCR-0001").await;
        assert_eq!(
            n["open_actions"], 2,
            "ACT-0001 awaits review, ACT-0003 is new"
        );

        // An action done awaits its review: not cancelled, not changed.
        let (st, _) = act(&s, "ACT-0001", json!({"action": "cancel"})).await;
        assert_eq!(st, StatusCode::CONFLICT, "done, it awaits its review");
        let (st, _) = act(&s, "ACT-0003", json!({"action": "cancel"})).await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = patch(
            &s,
            "/api/v1/actions/ACT-0001",
            json!({"title": "Hand address changes to billing (reworded)"}),
        )
        .await;
        assert_eq!(
            st,
            StatusCode::CONFLICT,
            "an action awaiting review is not changed"
        );
        let (_, n) = s.get("agent", "/api/v1/nonconformities/NCR-0001").await;
        assert_eq!(n["open_actions"], 1);
        // Nor is it rejected with an action open.
        let (st, v) = nc_step(
            &s,
            "NCR-0001",
            json!({"action": "reject", "reason": "Not one after all"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            v.to_string().contains("cancel them before rejecting"),
            "{v}"
        );

        s.stop().await;
    }
}

#[tokio::test]
async fn recurring_causes_are_flagged_and_nonconformities_are_staff_only() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        for (title, clause) in [
            ("Late change review", "8.5.1.3"),
            ("Change without risk", "8.5.1.3"),
        ] {
            let (st, v) = s
                .post(
                    "manager",
                    "/api/v1/nonconformities",
                    json!({"title": title, "clause": clause}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
            assert_eq!(v["source"], "other");
            assert_eq!(v["severity"], "minor");
        }
        let (_, n) = s.get("auditor", "/api/v1/nonconformities/NCR-0002").await;
        assert_eq!(n["recurring"], 1, "{n}");
        let (_, page) = s.get("auditor", "/api/v1/nonconformities?state=open").await;
        assert_eq!(page["items"].as_array().unwrap().len(), 2);

        // Customers never see them, nor their actions; auditors read but do not write.
        let (st, _) = s.get("customer", "/api/v1/nonconformities/NCR-0001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get("customer", "/api/v1/nonconformities").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .post("auditor", "/api/v1/nonconformities", json!({"title": "x"}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // Analysed and its one action found effective, it closes.
        let (st, _) = patch(
            &s,
            "/api/v1/nonconformities/NCR-0002",
            json!({"correction": "Assessed afterwards", "root_cause": "Optional field",
                   "cause_category": "technology"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        let (_, a) = s
            .post(
                "manager",
                "/api/v1/actions",
                json!({"title": "Require the field", "parent": "NCR-0002", "review_after_days": 0}),
            )
            .await;
        let number = a["number"].as_str().unwrap().to_owned();
        act(
            &s,
            &number,
            json!({"action": "complete", "outcome": "Required"}),
        )
        .await;
        let (st, a) = act(
            &s,
            &number,
            json!({"action": "review_effective", "review": "30 changes, all assessed"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["effectiveness"], "effective");
        assert!(a.get("follow_up").is_none(), "{a}");
        nc_step(&s, "NCR-0002", json!({"action": "investigate"})).await;
        let (st, v) = nc_step(&s, "NCR-0002", json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "closed");

        // Rejected, it is final: no action follows from it.
        let (st, v) = nc_step(&s, "NCR-0001", json!({"action": "reject"})).await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a reason is required: {v}"
        );
        let (st, v) = nc_step(
            &s,
            "NCR-0001",
            json!({"action": "reject", "reason": "Within the agreed exception"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["rejected_reason"], "Within the agreed exception");
        let (_, n) = s.get("auditor", "/api/v1/nonconformities/NCR-0002").await;
        assert_eq!(n["recurring"], 0, "a rejected one is no recurrence");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/actions",
                json!({"title": "x", "parent": "NCR-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            v.to_string().contains("nothing more follows from it"),
            "{v}"
        );

        s.stop().await;
    }
}

#[tokio::test]
async fn bad_nonconformities_and_actions_get_clear_errors_and_write_nothing() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/nonconformities",
                json!({"title": " ", "clause": "11.4", "source": "audit", "severity": "huge",
                       "from": "CMP-0042"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("no record"), "{v}");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/nonconformities",
                json!({"title": " ", "clause": "11.4", "source": "audit", "severity": "huge"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let text = v.to_string();
        for field in ["title", "clause", "source", "severity"] {
            assert!(text.contains(&format!("\"{field}\"")), "{field}: {v}");
        }
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/nonconformities",
                json!({"title": "ok", "nonsense": 1}),
            )
            .await;
        assert!(st.is_client_error(), "{v}");
        let (st, v) = s
            .post("manager", "/api/v1/actions", json!({"title": "No parent"}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("parent"), "{v}");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/actions",
                json!({"title": "x", "parent": "NCR-0009", "review_after_days": 9999}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("review_after_days"), "{v}");
        let (_, page) = s.get("manager", "/api/v1/nonconformities").await;
        assert_eq!(page["items"].as_array().unwrap().len(), 0);
        let (_, page) = s.get("manager", "/api/v1/actions").await;
        assert_eq!(page["items"].as_array().unwrap().len(), 0);
        let (st, _) = s.get("manager", "/api/v1/actions/NCR-0001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}
