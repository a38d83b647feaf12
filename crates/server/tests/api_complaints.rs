//! Complaints over HTTP, on both databases: raised by customers and on their
//! behalf, seen only within the customer's organisation, answered, reopened
//! and closed through their lifecycle, and the bad input of each.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn step(s: &TestServer, number: &str, body: Value) -> (StatusCode, Value) {
    s.post(
        "manager",
        &format!("/api/v1/complaints/{number}/transitions"),
        body,
    )
    .await
}

fn numbers(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn complaints_are_raised_answered_and_kept_within_the_organisation() {
    for backend in backends() {
        let s = TestServer::start(backend).await;

        // A customer raises one; owner and target date are the provider's to set.
        let (st, c) = s
            .post(
                "customer",
                "/api/v1/complaints",
                json!({"title": "Nobody called back", "service": "SVC-0001",
                       "description": "We were promised a call within the hour."}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        assert_eq!(c["number"], "CMP-0001");
        assert_eq!(c["state"], "new");
        assert_eq!(c["organisation"], "Alpha");
        assert_eq!(c["service"]["number"], "SVC-0001");
        let (st, v) = s
            .post(
                "customer",
                "/api/v1/complaints",
                json!({"title": "x", "service": "SVC-0001", "assignee": "agent@provider.test",
                       "target_date": "2030-01-01"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let text = v.to_string();
        assert!(
            text.contains("assignee") && text.contains("target_date"),
            "{v}"
        );
        assert!(text.contains("is set by the service provider"), "{v}");

        // Staff raise one on behalf of another organisation's customer.
        let (st, c2) = s
            .post(
                "agent",
                "/api/v1/complaints",
                json!({"title": "Invoices to the wrong address", "service": "SVC-0001",
                       "caller": "olga@beta.test", "assignee": "manager@provider.test",
                       "target_date": "2030-01-31"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c2}");
        assert_eq!(c2["number"], "CMP-0002");
        assert_eq!(c2["organisation"], "Beta");
        assert_eq!(c2["target_at"], "2030-01-31T23:59:59Z");

        // Each customer sees their own organisation's only; another's is 404.
        let (_, mine) = s.get("customer2", "/api/v1/complaints").await;
        assert_eq!(numbers(&mine), vec!["CMP-0001"]);
        let (_, theirs) = s.get("other", "/api/v1/complaints").await;
        assert_eq!(numbers(&theirs), vec!["CMP-0002"]);
        let (st, _) = s.get("other", "/api/v1/complaints/CMP-0001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, all) = s.get("auditor", "/api/v1/complaints?state=open").await;
        assert_eq!(numbers(&all), vec!["CMP-0002", "CMP-0001"]);

        // The evidence for 8.3.2: the complaint nobody owns yet is the gap.
        let (_, req) = s.get("auditor", "/api/v1/requirements/8.3.2").await;
        let check = |id: &str| {
            req["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
                .unwrap_or_else(|| panic!("no check {id} in {req}"))
                .clone()
        };
        let owned = check("open-complaints-owned");
        assert_eq!(owned["counted"], 2, "{owned}");
        assert_eq!(owned["status"], "partly_met", "{owned}");
        let gaps = owned["gaps"].to_string();
        assert!(
            gaps.contains("CMP-0001") && !gaps.contains("CMP-0002"),
            "{gaps}"
        );
        let on_target = check("complaints-answered-on-target");
        assert_eq!(on_target["counted"], 1, "{on_target}");
        assert_eq!(on_target["status"], "met", "{on_target}");

        // Answered: a response is required; the customer reads it.
        let (st, v) = step(&s, "CMP-0001", json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        assert!(v["detail"].as_str().unwrap().contains("acknowledge"), "{v}");
        let (st, v) = step(&s, "CMP-0001", json!({"action": "acknowledge"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "investigating");
        let (st, v) = step(
            &s,
            "CMP-0001",
            json!({"action": "respond", "response": " "}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("response"), "{v}");
        let (st, v) = step(
            &s,
            "CMP-0001",
            json!({"action": "respond", "response": "We call back within the hour from now on."}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "responded");
        assert!(v["resolved_at"].is_string(), "{v}");
        let (_, seen) = s.get("customer", "/api/v1/complaints/CMP-0001").await;
        assert_eq!(
            seen["response"],
            "We call back within the hour from now on."
        );

        // Answered, its target date is the one it was judged by.
        let (st, v, _) = s
            .call(
                "manager",
                Method::PATCH,
                "/api/v1/complaints/CMP-0001",
                Some(json!({"target_date": "2030-06-30"})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            v.to_string()
                .contains("is kept once the complaint is answered"),
            "{v}"
        );

        // The customer is not satisfied: reopened, it is no longer resolved.
        let (st, v) = step(&s, "CMP-0001", json!({"action": "reopen"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "investigating");
        assert!(v["resolved_at"].is_null(), "{v}");
        assert_eq!(v["response"], "We call back within the hour from now on.");

        // Customers comment; they do not move it on or change it.
        let (st, v) = s
            .post(
                "customer",
                "/api/v1/complaints/CMP-0001/comments",
                json!({"body": "Still waiting for the call."}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, _) = s
            .post(
                "customer",
                "/api/v1/complaints/CMP-0001/transitions",
                json!({"action": "withdraw"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // A stale If-Match changes nothing; the current version does.
        let (st, _, h) = s
            .call("manager", Method::GET, "/api/v1/complaints/CMP-0001", None)
            .await;
        assert_eq!(st, StatusCode::OK);
        let etag = h["etag"].to_str().unwrap().to_owned();
        let patch = |tag: &str| {
            s.client
                .patch(s.url("/api/v1/complaints/CMP-0001"))
                .bearer_auth(&s.tokens["manager"])
                .header("if-match", tag.to_owned())
                .json(&json!({"urgency": 1, "impact": 1}))
                .send()
        };
        assert_eq!(
            patch("\"v1\"").await.unwrap().status(),
            StatusCode::PRECONDITION_FAILED
        );
        let res = patch(&etag).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["priority"], "P1");

        // Withdrawn, it is final: no more changes.
        let (st, v) = step(&s, "CMP-0002", json!({"action": "withdraw"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, v, _) = s
            .call(
                "manager",
                Method::PATCH,
                "/api/v1/complaints/CMP-0002",
                Some(json!({"title": "late"})),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");

        // The history has each step, the creation first.
        let (_, h) = s
            .get("manager", "/api/v1/complaints/CMP-0001/history")
            .await;
        let actions: Vec<&str> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for a in [
            "create",
            "acknowledge",
            "respond",
            "reopen",
            "comment",
            "update",
        ] {
            assert!(actions.contains(&a), "{a} not in {actions:?}");
        }

        // Bad input: an unknown service, caller, step or number.
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/complaints",
                json!({"title": "x", "service": "SVC-9999", "caller": "nobody@x.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            v.to_string().contains("SVC-9999") && v.to_string().contains("nobody@x.test"),
            "{v}"
        );
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/complaints",
                json!({"title": "no service"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let text = v.to_string();
        assert!(text.contains("caller") && text.contains("service"), "{v}");
        // Staff name a customer, and a service that customer's organisation receives.
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/complaints",
                json!({"title": "x", "service": "SVC-0001", "caller": "manager@provider.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("no active customer"), "{v}");
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/complaints",
                json!({"title": "ERP is slow", "service": "SVC-0002", "caller": "olga@beta.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("SVC-0002"), "{v}");
        let (st, v, _) = s
            .call(
                "manager",
                Method::PATCH,
                "/api/v1/complaints/CMP-0001",
                Some(json!({"service": "SVC-0003"})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("SVC-0003"), "{v}");
        let (st, v) = step(&s, "CMP-0001", json!({"action": "escalate"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, _) = s.get("manager", "/api/v1/complaints/CMP-9999").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get("manager", "/api/v1/complaints/PRB-000001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}

fn day(offset: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * offset);
    t.strftime("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn an_overdue_complaint_is_escalated_once_to_its_owner_or_the_managers() {
    for backend in backends() {
        let sink = common::smtp::SmtpSink::start().await;
        let url = sink.url();
        let s = TestServer::start_with(backend, |c| {
            c.smtp_url = url;
            c.job_poll_millis = 20;
        })
        .await;
        for title in ["Nobody called back", "Invoice is wrong"] {
            let (st, v) = s
                .post(
                    "customer",
                    "/api/v1/complaints",
                    json!({"title": title, "service": "SVC-0001"}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
        }
        // CMP-0001 nobody owns; CMP-0002 the agent owns; both were due yesterday.
        for (number, patch) in [
            ("CMP-0001", json!({"target_date": day(-1)})),
            (
                "CMP-0002",
                json!({"target_date": day(-1), "assignee": "agent@provider.test"}),
            ),
        ] {
            let (st, v, _) = s
                .call(
                    "manager",
                    Method::PATCH,
                    &format!("/api/v1/complaints/{number}"),
                    Some(patch),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        let swept = steward_server::jobs::overdue_sweep(&s.state).await.unwrap();
        assert_eq!(swept, 2);
        assert_eq!(
            steward_server::jobs::overdue_sweep(&s.state).await.unwrap(),
            0,
            "each target date is escalated once"
        );
        let mut mail = Vec::new();
        for _ in 0..400 {
            mail = sink
                .messages()
                .into_iter()
                .filter(|m| m.header("Subject").contains("past its target date"))
                .collect();
            if mail.len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let to = |number: &str| -> Vec<String> {
            mail.iter()
                .filter(|m| m.header("Subject").contains(number))
                .flat_map(|m| m.to.clone())
                .collect()
        };
        assert_eq!(to("CMP-0001"), ["manager@provider.test"], "nobody owns it");
        assert_eq!(to("CMP-0002"), ["agent@provider.test"], "its owner");
        assert!(mail.iter().all(|m| !m.data.contains("alpha.test")));
        let (_, h) = s
            .get("auditor", "/api/v1/complaints/CMP-0001/history")
            .await;
        assert!(
            h.to_string().contains("\"escalate\""),
            "the escalation is in the history: {h}"
        );
        // Answered, it is no longer overdue; moved to a later day, not yet.
        let (st, v) = step(
            &s,
            "CMP-0002",
            json!({"action": "respond", "response": "Refunded."}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, v, _) = s
            .call(
                "manager",
                Method::PATCH,
                "/api/v1/complaints/CMP-0001",
                Some(json!({"target_date": day(1)})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(
            steward_server::jobs::overdue_sweep(&s.state).await.unwrap(),
            0,
            "not yet past the new target"
        );
        s.stop().await;
    }
}
