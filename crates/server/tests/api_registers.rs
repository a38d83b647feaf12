//! The SMS registers over HTTP on both databases: records, their rules, the
//! document workflow, and the evidence checks that follow them.

mod common;

use common::{TestServer, backends};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn check<'a>(req: &'a Value, id: &str) -> &'a Value {
    req["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {req}"))
}

async fn status_of(s: &TestServer, clause: &str, id: &str) -> Value {
    let (st, r) = s
        .get("auditor", &format!("/api/v1/requirements/{clause}"))
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    check(&r, id).clone()
}

async fn patch(s: &TestServer, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let (st, v, _) = s.call(who, Method::PATCH, path, Some(body)).await;
    (st, v)
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn risks_roles_and_objectives_drive_their_checks() {
    for backend in backends() {
        let s = TestServer::start(backend).await;

        // A high risk without treatment: the check names it.
        let (st, risk) = s
            .post(
                "manager",
                "/api/v1/risks",
                json!({"title": "Data centre flood", "category": "risk", "likelihood": 4,
                       "impact": 4, "owner": "manager@provider.test", "review_on": "2099-01-01",
                       "services": ["svc-0001"]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{backend:?} {risk}");
        assert_eq!(risk["number"], "RSK-0001");
        assert_eq!(
            (risk["score"].as_i64(), risk["level"].as_str()),
            (Some(16), Some("high"))
        );
        assert_eq!(risk["fields"]["services"][0]["key"], "SVC-0001");
        assert_eq!(risk["fields"]["owner"]["email"], "manager@provider.test");
        let treated = status_of(&s, "6.1", "high-risks-treated").await;
        assert_eq!(treated["status"], "not_met", "{treated}");
        assert_eq!(treated["gaps"][0]["key"], "RSK-0001");
        assert_eq!(treated["gaps"][0]["href"], "/sms/risks/RSK-0001");
        let (st, v) = patch(
            &s,
            "manager",
            "/api/v1/risks/rsk-1",
            json!({"treatment": "reduce", "treatment_plan": "Move the racks upstairs"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["version"], 2);
        assert_eq!(
            status_of(&s, "6.1", "high-risks-treated").await["status"],
            "met"
        );

        // Bad input: every wrong field at once, nothing written.
        let (st, p) = s
            .post(
                "manager",
                "/api/v1/risks",
                json!({"title": "", "category": "risk", "likelihood": 9, "impact": 0,
                       "review_on": "2000-01-01", "colour": "red"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let mut f = fields(&p);
        f.sort();
        assert_eq!(
            f,
            ["colour", "impact", "likelihood", "review_on", "title"],
            "{p}"
        );
        let (st, p) = s
            .post(
                "manager",
                "/api/v1/risks",
                json!({"title": "x", "category": "risk", "likelihood": 1, "impact": 1,
                       "owner": "cora@alpha.test", "services": ["SVC-0099"]}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(fields(&p), ["owner", "services"]);
        let (_, page) = s.get("auditor", "/api/v1/risks").await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");

        // Who may do what: auditors read, customers see nothing, agents do not write.
        let (st, _) = s
            .post("auditor", "/api/v1/risks", json!({"title": "x"}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .post("agent", "/api/v1/context", json!({"title": "x"}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s.get("customer", "/api/v1/risks").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s.get("auditor", "/api/v1/risks/RSK-0999").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get("auditor", "/api/v1/unicorns").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // A stale If-Match is refused.
        let (st, _, _) = s
            .call(
                "manager",
                Method::PATCH,
                "/api/v1/risks/RSK-0001",
                Some(json!({"status": "closed"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let res = s
            .client
            .patch(s.url("/api/v1/risks/RSK-0001"))
            .bearer_auth(&s.tokens["manager"])
            .header("If-Match", "\"v1\"")
            .json(&json!({"status": "open"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);

        // Roles: one accountable role per process.
        for (title, holders) in [
            ("Incident manager", json!(["agent@provider.test"])),
            ("Desk lead", json!([])),
        ] {
            let (st, v) = s
                .post(
                    "manager",
                    "/api/v1/roles",
                    json!({"title": title, "holders": holders, "raci": {"8.6.1": "A"}}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
        }
        let filled = status_of(&s, "5.3", "roles-filled").await;
        assert_eq!(
            (filled["counted"].as_i64(), filled["good"].as_i64()),
            (Some(2), Some(1))
        );
        let one = status_of(&s, "5.3", "processes-have-one-accountable").await;
        assert_eq!(one["status"], "not_met");
        assert_eq!(one["gaps"][0]["key"], "8.6.1");
        assert_eq!(one["gaps"][0]["href"], "/conformity/8.6.1");
        let (st, v) = patch(
            &s,
            "manager",
            "/api/v1/roles/ROL-0002",
            json!({"raci": {"8.6.1": "R"}}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(
            status_of(&s, "5.3", "processes-have-one-accountable").await["status"],
            "met"
        );

        // An objective's dimension is one of the seven; none yet covers any.
        assert_eq!(
            status_of(&s, "6.2.1", "objective-dimensions-covered").await["status"],
            "not_met"
        );
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/objectives",
                json!({"title": "Cheaper", "category": "cheapness"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("category"), "{v}");
        // An objective measured by a Steward figure shows its live value.
        let (st, obj) = s
            .post(
                "manager",
                "/api/v1/objectives",
                json!({"title": "Resolve incidents on time", "category": "quality",
                       "measure": "incidents_resolved_in_time",
                       "target": 90, "unit": "%", "owner": "manager@provider.test",
                       "due_on": "2099-12-31"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{obj}");
        let n = s.raise("customer", "Mail bounces", "SVC-0001").await;
        let (st, _) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{n}/transitions"),
                json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "ok"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, obj) = s.get("auditor", "/api/v1/objectives/OBJ-0001").await;
        assert_eq!(obj["value"], 100.0, "{obj}");
        assert_eq!(obj["on_target"], true);
        assert_eq!(
            status_of(&s, "6.2.1", "objectives-smart").await["status"],
            "met"
        );
        let dims = status_of(&s, "6.2.1", "objective-dimensions-covered").await;
        assert_eq!(
            (dims["counted"].as_i64(), dims["good"].as_i64()),
            (Some(7), Some(1)),
            "{dims}"
        );
        assert!(
            dims["gaps"]
                .to_string()
                .contains("No active objective improves value"),
            "{dims}"
        );

        // The SMS plan's sections: one covered of nine; a section that is not one is refused.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/plan",
                json!({"title": "Plan capacity", "category": "capacity"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/plan",
                json!({"title": "List the contracts we are bound by", "category": "obligations"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let plan = status_of(&s, "6.3", "plan-sections-covered").await;
        assert_eq!(
            (
                plan["counted"].as_i64(),
                plan["good"].as_i64(),
                plan["status"].as_str()
            ),
            (Some(9), Some(1), Some("not_met")),
            "{plan}"
        );

        // Every write is in the audit trail.
        let (_, audit) = s.get("admin", "/api/v1/audit?record=RSK-0001").await;
        let actions: Vec<_> = audit["items"]
            .as_array()
            .or(audit.as_array())
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            actions.contains(&"create".to_owned()) && actions.contains(&"update".to_owned()),
            "{audit}"
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn documents_are_approved_by_someone_else_and_acknowledged() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, doc) = s
            .post(
                "manager",
                "/api/v1/documents",
                json!({"title": "Service management policy", "category": "policy",
                       "description": "We run services to agreed levels.",
                       "owner": "manager@provider.test", "reviewer": "admin@provider.test",
                       "review_on": "2099-06-30", "distribution": ["agent@provider.test"]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{backend:?} {doc}");
        assert_eq!(doc["status"], "draft");
        assert_eq!(doc["document"]["steps"], json!(["submit", "retire"]));
        let path = "/api/v1/documents/DOC-0001";
        let step = |who: &'static str, step: &'static str| {
            let s = &s;
            async move {
                s.post(who, &format!("{path}/steps"), json!({"step": step}))
                    .await
            }
        };
        // Status changes only through the workflow.
        let (st, p) = patch(&s, "manager", path, json!({"status": "approved"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        // A step the status does not allow: the one lifecycle refusal of every kind.
        let (st, p) = step("manager", "approve").await;
        assert_eq!(st, StatusCode::CONFLICT, "a draft is not approved: {p}");
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .ends_with("allowed from here: submit, retire"),
            "{p}"
        );
        assert_eq!(step("manager", "submit").await.0, StatusCode::OK);
        let (st, p) = step("manager", "approve").await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "only the approver: {p}"
        );
        assert_eq!(
            status_of(&s, "5.2.1", "policies-approved").await["status"],
            "not_met"
        );
        // Nobody makes themselves the approver of a document under review.
        let (st, p) = patch(
            &s,
            "manager",
            path,
            json!({"reviewer": "manager@provider.test"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (st, v) = step("admin", "approve").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["document"]["approved_version"], 1);
        assert_eq!(
            status_of(&s, "5.2.1", "policies-approved").await["status"],
            "met"
        );

        // The author as approver: refused by the default policy.
        let (_, own) = s
            .post(
                "manager",
                "/api/v1/documents",
                json!({"title": "Change procedure", "category": "procedure",
                       "owner": "manager@provider.test", "reviewer": "manager@provider.test"}),
            )
            .await;
        let own_path = format!(
            "/api/v1/documents/{}/steps",
            own["number"].as_str().unwrap()
        );
        s.post("manager", &own_path, json!({"step": "submit"}))
            .await;
        let (st, p) = s
            .post("manager", &own_path, json!({"step": "approve"}))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.to_string().contains("own document"), "{p}");

        // Acknowledgement: by the people it is distributed to, of the approved version.
        let ack = format!("{path}/acknowledgement");
        assert_eq!(
            status_of(&s, "5.2.2", "policies-acknowledged").await["status"],
            "not_met"
        );
        let (st, _) = s.post("manager", &ack, json!({})).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "not distributed to the manager");
        let (st, v) = s.post("agent", &ack, json!({})).await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
        assert_eq!(
            status_of(&s, "5.2.2", "policies-acknowledged").await["status"],
            "met"
        );
        let (_, d) = s.get("auditor", path).await;
        assert_eq!(d["document"]["acknowledged_by"], json!(["agent user"]));

        // A new version must be acknowledged again once approved.
        assert_eq!(step("manager", "revise").await.0, StatusCode::OK);
        assert_eq!(step("manager", "submit").await.0, StatusCode::OK);
        assert_eq!(step("admin", "approve").await.0, StatusCode::OK);
        let (_, d) = s.get("auditor", path).await;
        assert_eq!(d["document"]["approved_version"], 2);
        assert_eq!(d["document"]["acknowledged_by"], json!([]));

        // Files on the document: checked, and served as downloads.
        let form = Form::new().part(
            "file",
            Part::bytes(b"Policy text, signed.\n".to_vec()).file_name("policy.txt"),
        );
        let res = s
            .client
            .post(s.url(&format!("{path}/files")))
            .bearer_auth(&s.tokens["manager"])
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let f: Value = res.json().await.unwrap();
        let res = s
            .client
            .get(s.url(&format!("{path}/files/{}", f["id"])))
            .bearer_auth(&s.tokens["auditor"])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let form = Form::new().part(
            "file",
            Part::bytes(b"MZ\x90\x00\x03\x00\x00\x00".to_vec()).file_name("setup.exe"),
        );
        let res = s
            .client
            .post(s.url(&format!("{path}/files")))
            .bearer_auth(&s.tokens["manager"])
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = s.get("auditor", &format!("{path}/files/999999")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}
