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
        let reports = reqs.iter().find(|r| r["clause"] == "8.7.1").unwrap();
        assert_eq!(reports["status"], "not_assessed");
        // No audit programme: no requirement is audited, and each one is a gap.
        let (_, audited) = s.get("auditor", "/api/v1/requirements/9.2").await;
        let programme = check(&audited, "requirements-audited");
        assert_eq!(programme["status"], "not_met", "{audited}");
        assert_eq!(programme["gaps"][0]["href"], "/conformity/4.1");

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

#[tokio::test]
async fn snapshots_evidence_notes_and_the_three_exports_agree() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        // Today's snapshot, as the server's hourly job keeps it.
        steward_server::conformity::take_snapshot(&s.state)
            .await
            .unwrap();
        let (st, now) = s.get("auditor", "/api/v1/requirements").await;
        assert_eq!(st, StatusCode::OK);
        assert!(now["as_of"].is_null());
        // A past day before any snapshot: nothing assessed, and said so.
        let (st, past) = s
            .get("auditor", "/api/v1/requirements?as_of=2020-01-01")
            .await;
        assert_eq!(st, StatusCode::OK, "{past}");
        assert!(past["as_of"].is_null());
        assert!(
            past["requirements"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"] == "not_assessed")
        );
        for bad in ["2099-01-01", "yesterday", "2026-13-01"] {
            let (st, p) = s
                .get("auditor", &format!("/api/v1/requirements?as_of={bad}"))
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {p}");
        }

        // A manager names the owner and how the requirement is met.
        let (st, n, _) = s
            .call(
                "manager",
                reqwest::Method::PATCH,
                "/api/v1/requirements/8.6.1",
                Some(json!({"owner": "manager@provider.test", "operated_by": "other_party"})),
            )
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "controls are required: {n}"
        );
        let (st, n, _) = s
            .call(
                "manager",
                reqwest::Method::PATCH,
                "/api/v1/requirements/8.6.1",
                Some(
                    json!({"owner": "manager@provider.test", "operated_by": "other_party",
                            "controls": "Monthly service review of the outsourced desk"}),
                ),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{n}");
        let (st, _, _) = s
            .call(
                "auditor",
                reqwest::Method::PATCH,
                "/api/v1/requirements/8.6.1",
                Some(json!({"notes": "auditors do not change this"})),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // Auditors link records and add notes; a record that does not exist is refused.
        let number = s.raise("customer", "Printer jam", "SVC-0001").await;
        let (st, e) = s
            .post(
                "auditor",
                "/api/v1/requirements/8.6.1/evidence",
                json!({"record": number.to_lowercase(), "note": "Sampled: handled per procedure"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{e}");
        assert_eq!(e["record"], number);
        assert_eq!(e["href"], format!("/incidents/{number}"));
        for bad in [
            json!({"record": "INC-999999"}),
            json!({"note": ""}),
            json!({"record": "XYZ-1"}),
        ] {
            let (st, p) = s
                .post(
                    "auditor",
                    "/api/v1/requirements/8.6.1/evidence",
                    bad.clone(),
                )
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {p}");
        }
        let (st, _) = s
            .post(
                "auditor",
                "/api/v1/requirements/99.9/evidence",
                json!({"note": "x"}),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .post(
                "agent",
                "/api/v1/requirements/8.6.1/evidence",
                json!({"note": "x"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, r) = s.get("auditor", "/api/v1/requirements/8.6.1").await;
        assert_eq!(r["note"]["owner"], "manager@provider.test");
        assert_eq!(r["evidence"].as_array().unwrap().len(), 1);

        // The exports: CSV rows agree with the API's statuses; PDF and HTML are whole documents.
        let (_, now) = s.get("auditor", "/api/v1/requirements").await;
        let res = s
            .client
            .get(s.url("/api/v1/conformity/report?format=csv"))
            .bearer_auth(&s.tokens["auditor"])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = res.text().await.unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap(),
            "clause,title,phase,status,checks_met,checks_total,evidence,owner"
        );
        let rows: Vec<Vec<String>> = lines
            .map(|l| {
                csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(l.as_bytes())
                    .records()
                    .next()
                    .unwrap()
                    .unwrap()
                    .iter()
                    .map(str::to_owned)
                    .collect()
            })
            .collect();
        let reqs = now["requirements"].as_array().unwrap();
        assert_eq!(rows.len(), reqs.len());
        for (row, r) in rows.iter().zip(reqs) {
            assert_eq!(row[0], r["clause"].as_str().unwrap());
            assert_eq!(row[3], r["status"].as_str().unwrap(), "{}", row[0]);
            assert_eq!(row[4], r["checks_met"].to_string());
        }
        let evidence_row = rows.iter().find(|r| r[0] == "8.6.1").unwrap();
        assert_eq!(
            (evidence_row[6].as_str(), evidence_row[7].as_str()),
            ("1", "manager user")
        );
        let pdf = s
            .client
            .get(s.url("/api/v1/conformity/report?format=pdf"))
            .bearer_auth(&s.tokens["auditor"])
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
        let html = s
            .client
            .get(s.url("/api/v1/conformity/report"))
            .bearer_auth(&s.tokens["auditor"])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.starts_with("<!doctype html>")
                && !html.contains("<link")
                && !html.contains("<script")
        );
        let met = reqs.iter().filter(|r| r["status"] == "met").count();
        assert!(
            html.contains(&format!("{met} of {} requirements met", reqs.len())),
            "{html}"
        );
        let (st, p) = s
            .get("auditor", "/api/v1/conformity/report?format=docx")
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (st, _) = s.get("customer", "/api/v1/conformity/report").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        s.stop().await;
    }
}
