//! Service requests over HTTP, on both databases: offerings built by a
//! manager with a form, approvers, a plan and a target; ordered by the
//! customers they are offered to; approved by someone other than the
//! requester, once; fulfilled by their tasks in order within a clock;
//! rejected, cancelled; and the bad input of each.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn calendar(s: &TestServer) -> i64 {
    let (st, v) = s
        .post(
            "manager",
            "/api/v1/calendars",
            json!({"name": "24x7", "time_zone": "UTC",
                   "week": {"monday": ["00:00-24:00"], "tuesday": ["00:00-24:00"],
                            "wednesday": ["00:00-24:00"], "thursday": ["00:00-24:00"],
                            "friday": ["00:00-24:00"], "saturday": ["00:00-24:00"],
                            "sunday": ["00:00-24:00"]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

fn laptop(cal: i64) -> Value {
    json!({
        "service": "SVC-0001",
        "name": "New laptop",
        "description": "A standard laptop, set up and delivered",
        "form": {"fields": [
            {"key": "model", "label": "Model", "type": "choice", "required": true,
             "options": ["14 inch", "16 inch"]},
            {"key": "quantity", "label": "How many", "type": "number", "required": true},
            {"key": "bag", "label": "With a bag", "type": "checkbox"},
            {"key": "bag_colour", "label": "Bag colour", "type": "text", "required": true,
             "shown_when": {"field": "bag"}},
            {"key": "needed_by", "label": "Needed by", "type": "date"}
        ]},
        "approvers": [{"kind": "manager"}],
        "approval_above": 500,
        "tasks": [{"title": "Prepare the laptop", "group": "Service Desk"},
                  {"title": "Deliver it", "group": "Service Desk"}],
        "organisations": ["Alpha"],
        "price": 300,
        "target_minutes": 480,
        "calendar": cal
    })
}

async fn user_id(s: &TestServer, email: &str) -> i64 {
    let (st, v) = s.get("admin", "/api/v1/users").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn decide(s: &TestServer, who: &str, number: &str, decision: &str) -> (StatusCode, Value) {
    s.post(
        who,
        &format!("/api/v1/requests/{number}/decision"),
        json!({ "decision": decision }),
    )
    .await
}

async fn task_step(s: &TestServer, number: &str, action: &str) -> (StatusCode, Value) {
    s.post(
        "agent",
        &format!("/api/v1/tasks/{number}/transitions"),
        json!({"action": action, "note": "done as asked"}),
    )
    .await
}

fn tasks(r: &Value) -> Vec<(String, String)> {
    r["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["number"].as_str().unwrap().to_owned(),
                t["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_request_is_approved_by_the_manager_then_fulfilled_by_its_tasks_in_order() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let cal = calendar(&s).await;

        // Agents do not build the catalogue; managers do.
        let (st, _) = s.post("agent", "/api/v1/offerings", laptop(cal)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, o) = s.post("manager", "/api/v1/offerings", laptop(cal)).await;
        assert_eq!(st, StatusCode::CREATED, "{o}");
        assert_eq!(o["number"], "OFR-0001");
        assert_eq!(o["setup"]["tasks"][1]["group"], "Service Desk");

        // Alpha's customers see it; Beta's neither list nor read it.
        let (_, list) = s.get("customer", "/api/v1/offerings").await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        assert_eq!(list[0]["setup"], Value::Null, "customers see no setup");
        let (_, list) = s.get("other", "/api/v1/offerings").await;
        assert_eq!(list, json!([]));
        let (st, _) = s.get("other", "/api/v1/offerings/OFR-0001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Cora has no manager yet: the order is refused, nothing written.
        let order = json!({"offering": "OFR-0001",
                           "answers": {"model": "14 inch", "quantity": 3, "bag": true,
                                       "bag_colour": "black"}});
        let (st, e) = s.post("customer", "/api/v1/requests", order.clone()).await;
        assert_eq!(st, StatusCode::CONFLICT, "{e}");
        assert!(e.to_string().contains("manager"), "{e}");
        let (_, page) = s.get("agent", "/api/v1/requests").await;
        assert_eq!(page["items"], json!([]));

        // Carl is Cora's manager; Beta's Olga may not be.
        let cora = user_id(&s, "cora@alpha.test").await;
        let (st, e, _) = s
            .call(
                "admin",
                Method::PATCH,
                &format!("/api/v1/users/{cora}"),
                Some(json!({"manager": "olga@beta.test"})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (st, v, _) = s
            .call(
                "admin",
                Method::PATCH,
                &format!("/api/v1/users/{cora}"),
                Some(json!({"manager": "carl@alpha.test"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");

        // Three laptops cost 900, above 500: the manager approves.
        let (st, r) = s.post("customer", "/api/v1/requests", order.clone()).await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        let req = r["number"].as_str().unwrap().to_owned();
        assert_eq!(req, "REQ-000001");
        assert_eq!(r["state"], "awaiting_approval");
        assert_eq!(r["cost"], 900);
        assert_eq!(r["answers"]["bag_colour"], "black");
        assert_eq!(r["approvals"][0]["decision"], "pending");
        assert_eq!(r["approvals"][0]["who"], "customer2 user");
        assert_eq!(r["tasks"], json!([]), "customers see no tasks");
        let (_, staff) = s.get("agent", &format!("/api/v1/requests/{req}")).await;
        let t = tasks(&staff);
        assert_eq!(t.len(), 2);
        assert!(t.iter().all(|(_, st)| st == "pending"), "{staff}");

        // Nobody approves their own request; another organisation finds
        // nothing; staff who are not approvers are refused.
        let (st, e) = decide(&s, "customer", &req, "approve").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
        assert!(e.to_string().contains("asked for or ordered"), "{e}");
        let (st, _) = decide(&s, "other", &req, "approve").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, e) = decide(&s, "agent", &req, "approve").await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
        let (st, e) = decide(&s, "customer2", &req, "maybe").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

        // Carl's queue shows it; he approves, once.
        let (_, q) = s.get("customer2", "/api/v1/requests/awaiting-me").await;
        assert_eq!(q[0]["number"], req.as_str(), "{q}");
        let (st, r) = decide(&s, "customer2", &req, "approve").await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r["state"], "in_fulfilment");
        assert_eq!(r["approvals"][0]["decision"], "approved");
        assert_eq!(r["approvals"][0]["decided_by"], "customer2 user");
        let (st, e) = decide(&s, "customer2", &req, "approve").await;
        assert_eq!(st, StatusCode::CONFLICT, "{e}");
        let (_, q) = s.get("customer2", "/api/v1/requests/awaiting-me").await;
        assert_eq!(q, json!([]));

        // The tasks open one after another.
        let (_, staff) = s.get("agent", &format!("/api/v1/requests/{req}")).await;
        let t = tasks(&staff);
        assert_eq!(t[0].1, "open");
        assert_eq!(t[1].1, "pending");
        let (st, e) = task_step(&s, &t[1].0, "start").await;
        assert_eq!(st, StatusCode::CONFLICT, "a pending task waits: {e}");
        // Fulfilling by hand is refused while tasks are open.
        let (st, e) = s
            .post(
                "agent",
                &format!("/api/v1/requests/{req}/transitions"),
                json!({"action": "fulfil", "note": "done"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (st, v) = task_step(&s, &t[0].0, "complete").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "done");
        assert_eq!(v["request"], req.as_str());
        let (_, staff) = s.get("agent", &format!("/api/v1/requests/{req}")).await;
        assert_eq!(tasks(&staff)[1].1, "open");
        assert_eq!(staff["state"], "in_fulfilment");
        // Customers never read a task.
        let (st, _) = s
            .get("customer", &format!("/api/v1/tasks/{}", t[1].0))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, v) = task_step(&s, &t[1].0, "complete").await;
        assert_eq!(st, StatusCode::OK, "{v}");

        // The last task done fulfils the request, within its clock.
        let (_, r) = s.get("customer", &format!("/api/v1/requests/{req}")).await;
        assert_eq!(r["state"], "fulfilled", "{r}");
        assert!(r["closed_at"].as_str().is_some(), "{r}");
        let (_, h) = s
            .get("agent", &format!("/api/v1/requests/{req}/history"))
            .await;
        let text = h.to_string();
        assert!(text.contains("fulfilment_target"), "{text}");
        assert!(text.contains("\"fulfilled\""), "{text}");
        let id = s.state.store.request(&req).await.unwrap().id;
        let clocks = s.state.store.sla_clocks(id).await.unwrap();
        assert_eq!(clocks.len(), 1);
        let c = clocks[0].clock();
        assert_eq!(c.agreement, "OFR-0001");
        assert_eq!(c.met(), Some(true));

        // One laptop costs 300: no approval, straight into fulfilment.
        let (st, r) = s
            .post(
                "customer",
                "/api/v1/requests",
                json!({"offering": "OFR-0001", "answers": {"model": "16 inch", "quantity": 1}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        assert_eq!(r["state"], "in_fulfilment");
        assert_eq!(r["approvals"], json!([]));
        let small = r["number"].as_str().unwrap().to_owned();
        // The requester cancels: its tasks are cancelled with it.
        let (st, r) = s
            .post(
                "customer",
                &format!("/api/v1/requests/{small}/transitions"),
                json!({"action": "cancel", "note": "Ordered by mistake"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r["state"], "cancelled");
        assert_eq!(r["note"], "Ordered by mistake");
        let (_, staff) = s.get("agent", &format!("/api/v1/requests/{small}")).await;
        assert!(
            tasks(&staff).iter().all(|(_, st)| st == "cancelled"),
            "{staff}"
        );
        // Cancelled while awaiting approval, nobody is asked any more.
        let (_, big) = s.post("customer", "/api/v1/requests", order.clone()).await;
        let big = big["number"].as_str().unwrap().to_owned();
        let (_, r) = s
            .post(
                "customer",
                &format!("/api/v1/requests/{big}/transitions"),
                json!({"action": "cancel", "note": "Not needed"}),
            )
            .await;
        assert_eq!(r["approvals"][0]["decision"], "skipped", "{r}");
        // A colleague may not cancel someone else's request; nor fulfil one.
        let (st, r) = s
            .post(
                "customer",
                "/api/v1/requests",
                json!({"offering": "OFR-0001", "answers": {"model": "16 inch", "quantity": 1}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        let third = r["number"].as_str().unwrap().to_owned();
        // Past its 480 business minutes (a day later on a 24x7 calendar), the
        // sweep marks the request's clock breached, in its own history.
        let later = steward_store::now_ms() + 24 * 3_600_000;
        let fired = s
            .state
            .store
            .sla_sweep(later, 500, |_| Vec::new())
            .await
            .unwrap();
        assert!(
            fired
                .iter()
                .any(|f| f.number == third && f.kind == "request"),
            "{fired:?}"
        );
        let (_, h) = s
            .get("agent", &format!("/api/v1/requests/{third}/history"))
            .await;
        assert!(h.to_string().contains("sla_breach"), "{h}");
        for (who, action) in [("customer2", "cancel"), ("customer", "fulfil")] {
            let (st, e) = s
                .post(
                    who,
                    &format!("/api/v1/requests/{third}/transitions"),
                    json!({"action": action, "note": "x"}),
                )
                .await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{who} {action}: {e}");
        }
        s.stop().await;
    }
}

#[tokio::test]
async fn every_approver_of_a_group_must_agree_and_one_rejection_rejects() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let cal = calendar(&s).await;
        let mut offering = laptop(cal);
        offering["name"] = json!("Admin rights");
        offering["approvers"] =
            json!([{"kind": "manager"}, {"kind": "group", "group": "Service Desk"}]);
        offering["approval_mode"] = json!("all");
        offering["approval_above"] = Value::Null;
        offering["tasks"] = json!([]);
        let (st, o) = s.post("manager", "/api/v1/offerings", offering).await;
        assert_eq!(st, StatusCode::CREATED, "{o}");
        let cora = user_id(&s, "cora@alpha.test").await;
        s.call(
            "admin",
            Method::PATCH,
            &format!("/api/v1/users/{cora}"),
            Some(json!({"manager": "carl@alpha.test"})),
        )
        .await;
        let order = json!({"offering": "OFR-0001", "answers": {"model": "14 inch", "quantity": 1}});
        let (_, r) = s.post("customer", "/api/v1/requests", order.clone()).await;
        let req = r["number"].as_str().unwrap().to_owned();
        assert_eq!(r["approvals"].as_array().unwrap().len(), 2, "{r}");

        // The manager approves; the group still has to.
        let (_, r) = decide(&s, "customer2", &req, "approve").await;
        assert_eq!(r["state"], "awaiting_approval", "{r}");
        // The group's member rejects: rejected, for good.
        let (st, r) = decide(&s, "agent", &req, "reject").await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r["state"], "rejected");
        assert!(r["closed_at"].as_str().is_some());
        let (st, e) = s
            .post(
                "customer",
                &format!("/api/v1/requests/{req}/transitions"),
                json!({"action": "cancel", "note": "x"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{e}");

        // Approved by both, a request without tasks is fulfilled by hand.
        let (_, r) = s.post("customer", "/api/v1/requests", order).await;
        let req = r["number"].as_str().unwrap().to_owned();
        decide(&s, "agent", &req, "approve").await;
        let (_, r) = decide(&s, "customer2", &req, "approve").await;
        assert_eq!(r["state"], "in_fulfilment", "{r}");
        let (st, r) = s
            .post(
                "agent",
                &format!("/api/v1/requests/{req}/transitions"),
                json!({"action": "fulfil", "note": "Rights granted for 30 days"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r["state"], "fulfilled");
        s.stop().await;
    }
}

#[tokio::test]
async fn bad_orders_and_bad_offerings_are_refused_with_nothing_written() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let cal = calendar(&s).await;
        let mut bad = laptop(cal);
        bad["approvers"] = json!([{"kind": "group", "group": "Nobody"}, {"kind": "boss"}]);
        bad["tasks"] = json!([{"title": "", "group": "Service Desk"}]);
        bad["form"]["fields"][0]["options"] = json!([]);
        bad["price"] = json!(-5);
        bad["roles"] = json!(["auditor"]);
        bad["calendar"] = json!(999);
        let (st, e) = s.post("manager", "/api/v1/offerings", bad).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let text = e.to_string();
        for field in [
            "approvers.0",
            "approvers.1",
            "tasks.0.title",
            "price",
            "roles",
            "calendar",
        ] {
            assert!(text.contains(field), "{field}: {text}");
        }
        let (_, list) = s.get("manager", "/api/v1/offerings").await;
        assert_eq!(list, json!([]));

        let (st, _) = s.post("manager", "/api/v1/offerings", laptop(cal)).await;
        assert_eq!(st, StatusCode::CREATED);
        let order = |answers: Value| json!({"offering": "OFR-0001", "answers": answers});
        for (answers, field) in [
            (json!({"quantity": 1}), "answers.model"),
            (json!({"model": "17 inch", "quantity": 1}), "answers.model"),
            (
                json!({"model": "14 inch", "quantity": "many"}),
                "answers.quantity",
            ),
            (
                json!({"model": "14 inch", "quantity": 1, "bag": true}),
                "answers.bag_colour",
            ),
            (
                json!({"model": "14 inch", "quantity": 1, "colour": "red"}),
                "answers.colour",
            ),
            (
                json!({"model": "14 inch", "quantity": 1, "needed_by": "soon"}),
                "answers.needed_by",
            ),
        ] {
            let (st, e) = s
                .post("customer", "/api/v1/requests", order(answers.clone()))
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{answers}: {e}");
            assert!(e.to_string().contains(field), "{field}: {e}");
        }
        // A hidden field's answer is dropped, not kept.
        let (st, r) = s
            .post(
                "customer",
                "/api/v1/requests",
                order(json!({"model": "14 inch", "quantity": 1, "bag_colour": "red"})),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        assert_eq!(r["answers"].get("bag_colour"), None, "{r}");
        // Not offered to Beta; no such offering; unknown fields.
        let (st, e) = s
            .post(
                "other",
                "/api/v1/requests",
                order(json!({"model": "14 inch", "quantity": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
        let (st, _) = s
            .post(
                "customer",
                "/api/v1/requests",
                json!({"offering": "OFR-0099"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = s
            .post(
                "customer",
                "/api/v1/requests",
                json!({"offering": "OFR-0001", "urgent": true}),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        // A customer does not order for someone else.
        let (st, _) = s
            .post(
                "customer",
                "/api/v1/requests",
                json!({"offering": "OFR-0001", "requested_for": "carl@alpha.test",
                       "answers": {"model": "14 inch", "quantity": 1}}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        // Staff order for a customer.
        let (st, r) = s
            .post(
                "agent",
                "/api/v1/requests",
                json!({"offering": "OFR-0001", "requested_for": "carl@alpha.test",
                       "answers": {"model": "14 inch", "quantity": 1}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        assert_eq!(r["requested_for"], "customer2 user");
        // Withdrawn from the catalogue, it cannot be ordered.
        let mut off = laptop(cal);
        off["active"] = json!(false);
        let (st, v, _) = s
            .call(
                "manager",
                Method::PUT,
                "/api/v1/offerings/OFR-0001",
                Some(off),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, _) = s
            .post(
                "customer",
                "/api/v1/requests",
                order(json!({"model": "14 inch", "quantity": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        // Beta's customers see only their own organisation's requests.
        let (_, page) = s.get("other", "/api/v1/requests").await;
        assert_eq!(page["items"], json!([]));
        let (st, _) = s.get("other", "/api/v1/requests/REQ-000001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}

/// The link in an approver's e-mail: its page decides nothing, its button
/// approves, once; nobody else's and no expired or made-up link works.
#[tokio::test]
async fn an_approver_approves_from_the_link_in_the_email() {
    for backend in backends() {
        let sink = common::smtp::SmtpSink::start().await;
        let url = sink.url();
        let s = TestServer::start_with(backend, |c| {
            c.smtp_url = url;
            c.job_poll_millis = 20;
        })
        .await;
        let cal = calendar(&s).await;
        let (st, _) = s.post("manager", "/api/v1/offerings", laptop(cal)).await;
        assert_eq!(st, StatusCode::CREATED);
        let cora = user_id(&s, "cora@alpha.test").await;
        s.call(
            "admin",
            Method::PATCH,
            &format!("/api/v1/users/{cora}"),
            Some(json!({"manager": "carl@alpha.test"})),
        )
        .await;
        let (st, r) = s
            .post(
                "customer",
                "/api/v1/requests",
                json!({"offering": "OFR-0001", "answers": {"model": "14 inch", "quantity": 2}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        let req = r["number"].as_str().unwrap().to_owned();

        // Carl, and only Carl, is mailed a link of his own.
        let mails = sink.wait_for(1).await;
        assert_eq!(mails.len(), 1);
        let m = &mails[0];
        assert_eq!(m.to, vec!["carl@alpha.test".to_owned()]);
        assert!(m.header("Subject").contains(&req), "{}", m.data);
        // Machine mail that names its request; come back, it is a loop, not a reply.
        assert_eq!(m.header("Auto-Submitted"), "auto-generated", "{}", m.data);
        assert!(
            m.header("Message-ID").contains(&format!(".{req}@steward>")),
            "{}",
            m.data
        );
        let back = steward_server::mail_in::take(
            &s.state,
            m.data.as_bytes(),
            steward_server::mail_in::Source::Http,
        )
        .await
        .unwrap();
        assert!(
            matches!(&back, steward_server::mail_in::Taken::Quarantined { reason, .. } if reason == "loop"),
            "{back:?}"
        );
        let body = m.body();
        assert!(body.contains("How many: 2"), "{body}");
        let link = body
            .lines()
            .find(|l| l.contains("/approvals/"))
            .unwrap()
            .trim()
            .to_owned();
        let path = &link[link.find("/approvals/").unwrap()..];

        // Opening it (as a mail scanner would) decides nothing.
        let anonymous = reqwest::Client::new();
        let page = anonymous.get(s.url(path)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("id=\"approve\""), "{html}");
        let (_, r) = s.get("agent", &format!("/api/v1/requests/{req}")).await;
        assert_eq!(r["state"], "awaiting_approval");

        // A made-up link, and a form from another site, are refused.
        let bad = anonymous
            .get(s.url("/approvals/not-a-token"))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::NOT_FOUND);
        let forged = anonymous
            .post(s.url(path))
            .header("sec-fetch-site", "cross-site")
            .form(&[("decision", "approve")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);

        // The button approves, as Carl, once.
        let done = anonymous
            .post(s.url(path))
            .form(&[("decision", "approve")])
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::OK);
        assert!(done.text().await.unwrap().contains("you approved"));
        let (_, r) = s.get("agent", &format!("/api/v1/requests/{req}")).await;
        assert_eq!(r["state"], "in_fulfilment", "{r}");
        assert_eq!(r["approvals"][0]["decided_by"], "customer2 user");
        let again = anonymous
            .post(s.url(path))
            .form(&[("decision", "reject")])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::CONFLICT);
        let page = anonymous.get(s.url(path)).send().await.unwrap();
        let html = page.text().await.unwrap();
        assert!(!html.contains("id=\"approve\""), "{html}");
        assert!(html.contains("nothing to decide"), "{html}");
        s.stop().await;
    }
}
