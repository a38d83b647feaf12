//! The internal audit programme over HTTP, on both databases: a programme and
//! its coverage, an audit refused to an auditor who holds a role on a process
//! in scope, its checklist, a sample anyone draws again from its seed,
//! findings only while the audit is in progress, a nonconformity raised from
//! a finding (which then closes); and bad input.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn day(offset: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * offset);
    t.strftime("%Y-%m-%d").to_string()
}

async fn step(s: &TestServer, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
    s.post(who, &format!("{path}/transitions"), body).await
}

#[tokio::test]
async fn an_audit_is_planned_independently_sampled_reproducibly_and_its_findings_answered() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        // Incidents to sample from.
        let mut raised = Vec::new();
        for n in 0..12 {
            raised.push(
                s.raise("agent", &format!("Printer {n} jams"), "SVC-0001")
                    .await,
            );
        }
        // The manager is accountable for incident management.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/roles",
                json!({"title": "Incident manager", "holders": ["manager@provider.test"],
                       "raci": {"8.6.1": "A"}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/audit-programmes",
                json!({"title": "Programme", "starts_on": day(-30), "ends_on": day(300)}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(v["number"], "APR-0001");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/audit-programmes",
                json!({"title": "Backwards", "starts_on": day(10), "ends_on": day(1)}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        let plan = |lead: &str, scope: Value| {
            json!({"title": "Incident management", "programme": "APR-0001", "scope": scope,
                   "criteria": "The incident procedure", "starts_on": day(0),
                   "target_date": day(2), "assignee": lead})
        };
        // The manager may not audit the process they are accountable for.
        let (st, v) = s
            .post(
                "auditor",
                "/api/v1/audits",
                plan("manager@provider.test", json!(["8.6"])),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let text = v.to_string();
        assert!(
            text.contains("manager@provider.test holds ROL-0001 Incident manager (A on 8.6.1"),
            "{text}"
        );
        // Nor sit on its team.
        let mut with_team = plan("auditor@provider.test", json!(["8.6.1"]));
        with_team["team"] = json!(["manager@provider.test"]);
        let (st, v) = s.post("auditor", "/api/v1/audits", with_team).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("\"team\""), "{v}");
        // Other bad plans: an unknown clause, a date outside the cycle, no end.
        let mut bad = plan("auditor@provider.test", json!(["8.99"]));
        bad["starts_on"] = json!(day(-60));
        bad["target_date"] = json!(null);
        let (st, v) = s.post("auditor", "/api/v1/audits", bad).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        for field in ["scope", "starts_on", "target_date"] {
            assert!(v.to_string().contains(field), "{field}: {v}");
        }
        // Agents read audits but do not plan them.
        let (st, _) = s
            .post(
                "agent",
                "/api/v1/audits",
                plan("auditor@provider.test", json!(["8.6"])),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        let (st, a) = s
            .post(
                "auditor",
                "/api/v1/audits",
                plan("auditor@provider.test", json!(["8.6", "9.1"])),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{a}");
        assert_eq!(a["number"], "AUD-0001");
        assert_eq!(a["scope"], json!(["8.6", "9.1"]));
        let audit = "/api/v1/audits/AUD-0001";

        // The checklist lists the requirements in scope with their evidence.
        let (st, c) = s.get("agent", &format!("{audit}/checklist")).await;
        assert_eq!(st, StatusCode::OK, "{c}");
        let clauses: Vec<&str> = c["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["clause"].as_str().unwrap())
            .collect();
        assert!(
            clauses.contains(&"8.6.1") && clauses.contains(&"9.1"),
            "{c}"
        );
        assert!(!clauses.contains(&"8.5.1.1"));
        assert!(c["items"][0]["evidence"].is_string());

        // The programme's coverage: 8.6 and 9.1 covered, the rest not.
        let (st, cov) = s.get("auditor", "/api/v1/audit-coverage").await;
        assert_eq!(st, StatusCode::OK, "{cov}");
        assert_eq!(cov["programme"], "APR-0001");
        let item = |clause: &str| {
            cov["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["clause"] == clause)
                .cloned()
                .unwrap()
        };
        assert_eq!(item("8.6.2")["covered"], true);
        assert_eq!(item("4.1")["covered"], false);

        // A finding waits for the audit to start.
        let finding = json!({"title": "No review of a major incident", "audit": "AUD-0001",
                             "grade": "minor", "clause": "8.6.1",
                             "evidence": "INC-000003 was major; no review recorded.",
                             "records": [raised[2]]});
        let (st, v) = s.post("auditor", "/api/v1/findings", finding.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("in progress"), "{v}");

        // A sample: the same seed draws the same records, anyone can redraw it.
        let sample = json!({"kind": "incident", "from": day(-1), "to": day(0), "size": 5,
                            "seed": "q4-check"});
        let (st, one) = s
            .post("auditor", &format!("{audit}/samples"), sample.clone())
            .await;
        assert_eq!(st, StatusCode::CREATED, "{one}");
        assert_eq!(one["population"], 12);
        assert_eq!(one["records"].as_array().unwrap().len(), 5);
        let (_, two) = s.post("auditor", &format!("{audit}/samples"), sample).await;
        assert_eq!(one["records"], two["records"]);
        let (st, again) = s
            .get("agent", &format!("{audit}/samples/{}/redraw", one["id"]))
            .await;
        assert_eq!(st, StatusCode::OK, "{again}");
        assert_eq!(again["same"], true);
        // The rule is public: sha256("seed:number"), smallest first.
        use sha2::Digest;
        let mut ranked: Vec<(String, String)> = raised
            .iter()
            .map(|n| {
                (
                    hex::encode(sha2::Sha256::digest(format!("q4-check:{n}"))),
                    n.clone(),
                )
            })
            .collect();
        ranked.sort();
        let expected: Vec<&str> = ranked.iter().take(5).map(|(_, n)| n.as_str()).collect();
        assert_eq!(one["records"], json!(expected));
        // No seed: one is made and kept.
        let (st, made) = s
            .post(
                "auditor",
                &format!("{audit}/samples"),
                json!({"kind": "problem", "from": day(-1), "to": day(0), "size": 3}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{made}");
        assert_eq!(made["seed"].as_str().unwrap().len(), 16);
        assert_eq!(made["population"], 0);
        // Bad samples.
        let (st, v) = s
            .post(
                "auditor",
                &format!("{audit}/samples"),
                json!({"kind": "audit", "from": day(0), "to": day(-3), "size": 500,
                       "seed": "has space"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        for field in ["kind", "to", "size", "seed"] {
            assert!(v.to_string().contains(field), "{field}: {v}");
        }

        let (st, v) = step(&s, "auditor", audit, json!({"action": "start"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, f) = s.post("auditor", "/api/v1/findings", finding).await;
        assert_eq!(st, StatusCode::CREATED, "{f}");
        assert_eq!(f["number"], "FND-0001");
        assert_eq!(f["audit"], "AUD-0001");
        let (_, links) = s.get("auditor", "/api/v1/findings/FND-0001/links").await;
        assert!(links.to_string().contains(&raised[2]), "{links}");
        let (st, v) = s
            .post(
                "auditor",
                "/api/v1/findings",
                json!({"title": "x", "audit": "AUD-0001", "grade": "bad", "clause": "",
                       "evidence": " "}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        for field in ["grade", "clause", "evidence"] {
            assert!(v.to_string().contains(field), "{field}: {v}");
        }

        // A minor nonconformity closes once a nonconformity is raised from it.
        let fnd = "/api/v1/findings/FND-0001";
        let (st, v) = step(&s, "auditor", fnd, json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, n) = s
            .post(
                "manager",
                "/api/v1/nonconformities",
                json!({"title": "Major incidents not reviewed", "from": "FND-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{n}");
        assert_eq!(n["source"], "finding");
        assert_eq!(n["clause"], "8.6.1");
        // The audit is not closed while its finding is open.
        let (st, _) = step(
            &s,
            "auditor",
            audit,
            json!({"action": "report", "conclusion": "Conforms but for one minor nonconformity."}),
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        let (st, v) = step(&s, "auditor", audit, json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = step(&s, "auditor", fnd, json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["nonconformities"], 1);
        let (st, v) = step(&s, "auditor", audit, json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "closed");
        // A closed audit draws no more samples.
        let (st, _) = s
            .post(
                "auditor",
                &format!("{audit}/samples"),
                json!({"kind": "incident", "from": day(-1), "to": day(0), "size": 1}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

        // Customers see no audits at all.
        let (st, _) = s.get("customer", audit).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _, _) = s
            .call("customer", Method::GET, "/api/v1/findings", None)
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        s.stop().await;
    }
}
