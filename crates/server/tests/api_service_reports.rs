//! Service reports (9.4) over HTTP, on both databases: a customer's report
//! counts that customer's records only; issued once per customer and
//! period, kept as issued and e-mailed to its contacts; customers read their
//! own organisation's and nobody else's; the monthly job issues what is
//! owed and the evidence check sees it; and bad input.

mod common;

use std::time::Duration;

use common::smtp::SmtpSink;
use common::{TestServer, backends, check_status, org_id, resolve, settle};
use reqwest::StatusCode;
use serde_json::json;

fn day(offset: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * offset);
    t.strftime("%Y-%m-%d").to_string()
}

/// A 24x7 calendar and an agreed SLA for Alpha, in force for over a year.
async fn agreement(s: &TestServer) {
    let all_day = json!(["00:00-24:00"]);
    let (st, v) = s
        .post(
            "manager",
            "/api/v1/calendars",
            json!({"name": "24x7", "time_zone": "UTC",
                   "week": {"monday": all_day, "tuesday": all_day, "wednesday": all_day,
                            "thursday": all_day, "friday": all_day, "saturday": all_day,
                            "sunday": all_day}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let t = json!({"response_minutes": 60, "resolution_minutes": 480});
    let (st, v) = s
        .post(
            "manager",
            "/api/v1/agreements",
            json!({"kind": "sla", "title": "Alpha standard", "customer": "Alpha",
                   "calendar": v["id"], "valid_from": day(-400), "status": "agreed",
                   "targets": {"P1": t, "P2": t, "P3": t, "P4": t, "P5": t}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn a_customers_report_counts_its_own_records_and_is_kept_as_issued() {
    for backend in backends() {
        let sink = SmtpSink::start().await;
        let url = sink.url();
        let s = TestServer::start_with(backend, |c| {
            c.smtp_url = url;
            c.job_poll_millis = 20;
            c.public_url = "https://desk.example".into();
        })
        .await;
        agreement(&s).await;
        let alpha = org_id(&s, "Alpha").await;
        let beta = org_id(&s, "Beta").await;
        let provider = org_id(&s, "Provider").await;
        let first = s.raise("customer", "Mail is slow", "SVC-0001").await;
        s.raise("customer2", "ERP login fails", "SVC-0002").await;
        s.raise("other", "Shop is down", "SVC-0001").await;
        resolve(&s, &first).await;
        let (st, v) = s
            .post(
                "customer",
                &format!("/api/v1/incidents/{first}/rating"),
                json!({"score": 5}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, v) = s
            .post(
                "customer",
                "/api/v1/complaints",
                json!({"title": "Nobody called back", "service": "SVC-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let month = &day(0)[..7];

        // Compiled now: Alpha's records only, its SLA on its own clocks.
        let live = format!("/api/v1/organisations/{alpha}/service-report?period={month}");
        let (st, r) = s.get("manager", &live).await;
        assert_eq!(st, StatusCode::OK, "{r}");
        let t = &r["totals"];
        assert_eq!(
            (
                t["incidents_opened"].as_i64(),
                t["incidents_resolved"].as_i64(),
                t["complaints_opened"].as_i64(),
                t["ratings"].as_i64()
            ),
            (Some(2), Some(1), Some(1), Some(1)),
            "{r}"
        );
        assert_eq!(t["satisfied"], "100.0%");
        assert_eq!(t["mean_score"], "5.0");
        assert_eq!(r["agreements"].as_array().unwrap().len(), 1, "{r}");
        assert_eq!(r["agreements"][0]["agreement"], "SLA-0001");
        assert_eq!(r["agreements"][0]["customer"], "Alpha");
        assert_eq!(t["clocks_stopped"], 2, "{r}");
        assert_eq!(r["complaints"][0]["title"], "Nobody called back");
        assert!(r["services"].as_array().unwrap().iter().any(|s| s == "ERP"));

        // Customers compile their own, never another organisation's.
        let (st, _) = s.get("customer", &live).await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = s.get("other", &live).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Bad input: a period that ends before it starts, a quarter that is
        // not one, a format, a provider, a stranger; agents may not issue.
        for bad in [
            format!(
                "/api/v1/organisations/{alpha}/service-report?period={}..{}",
                day(0),
                day(-5)
            ),
            format!("/api/v1/organisations/{alpha}/service-report?period=2026-Q5"),
            format!("/api/v1/organisations/{alpha}/service-report?period={month}&format=xml"),
            format!("/api/v1/organisations/{provider}/service-report?period={month}"),
        ] {
            let (st, v) = s.get("manager", &bad).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        }
        let issue = |org: i64, period: &str| json!({"organisation": org, "period": period});
        let (st, _) = s
            .post("agent", "/api/v1/service-reports", issue(alpha, month))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .post("customer", "/api/v1/service-reports", issue(alpha, month))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        for (bad, says) in [
            (issue(alpha, month), "has not ended"),
            (issue(alpha, "last month"), "period"),
            (issue(alpha, "2000-01-01..2026-01-31"), "36 months"),
            (issue(99_999, "2026-01"), "organisation"),
            (issue(provider, "2026-01"), "customer"),
            (json!({"period": "2026-01"}), "organisation"),
        ] {
            let (st, v) = s.post("manager", "/api/v1/service-reports", bad).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
            assert!(v.to_string().contains(says), "{says}: {v}");
        }
        let (_, none) = s.get("admin", "/api/v1/service-reports").await;
        assert_eq!(none["items"], json!([]), "nothing written: {none}");

        // The monthly job issues last month's report for Alpha, once, and
        // tells both of Alpha's contacts (Beta's not); the evidence check goes
        // from not met to met.
        let (_, req) = s.get("auditor", "/api/v1/requirements/9.4").await;
        assert_eq!(
            check_status(&req, "service-reports-issued"),
            "not_met",
            "{req}"
        );
        let owed = steward_server::service_reports::queue_due(&s.state)
            .await
            .unwrap();
        assert_eq!(owed, 1);
        settle(&s).await;
        assert_eq!(
            steward_server::service_reports::queue_due(&s.state)
                .await
                .unwrap(),
            0
        );
        let (_, all) = s.get("admin", "/api/v1/service-reports").await;
        assert_eq!(all["items"].as_array().unwrap().len(), 1, "{all}");
        let issued = all["items"][0].clone();
        assert_eq!(issued["issued_by"], "monthly service reports");
        assert_eq!(issued["customer"], "Alpha");
        let last_month = issued["period"].as_str().unwrap().to_owned();
        assert_ne!(last_month, month);
        let (_, req) = s.get("auditor", "/api/v1/requirements/9.4").await;
        assert_eq!(check_status(&req, "service-reports-issued"), "met", "{req}");
        let id = issued["id"].as_i64().unwrap();
        let path = format!("/api/v1/service-reports/{id}");
        let mut mail = Vec::new();
        for _ in 0..400 {
            mail = sink
                .messages()
                .into_iter()
                .filter(|m| m.header("Subject").starts_with("Service report"))
                .collect();
            if mail.len() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        settle(&s).await;
        let to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
        assert_eq!(to.len(), 2, "{to:?}");
        assert!(to.contains(&"cora@alpha.test".to_owned()), "{to:?}");
        assert!(to.contains(&"carl@alpha.test".to_owned()), "{to:?}");
        assert!(
            mail[0]
                .data
                .contains(&format!("https://desk.example/service-reports/{id}")),
            "{}",
            mail[0].data
        );

        // One report per customer and period, however the period is written.
        let (y, m) = last_month.split_once('-').unwrap();
        let first = format!("{y}-{m}-01");
        let (_, whole) = s
            .get(
                "manager",
                &format!("/api/v1/organisations/{alpha}/service-report?period={last_month}"),
            )
            .await;
        let spelled = format!("{first}..{}", whole["to"].as_str().unwrap());
        let (st, v) = s
            .post("manager", "/api/v1/service-reports", issue(alpha, &spelled))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");

        // Kept as issued: incidents recorded in that month since change the
        // compiled report, not the issued one.
        let store = &s.state.store;
        let org = store.org_by_name("Alpha").await.unwrap();
        let caller = store.user_by_email("cora@alpha.test").await.unwrap();
        let service = store
            .service("SVC-0001", steward_domain::access::Visibility::All)
            .await
            .unwrap();
        let mid_month = jiff::tz::TimeZone::UTC
            .to_timestamp(
                jiff::civil::Date::new(y.parse().unwrap(), m.parse().unwrap(), 15)
                    .unwrap()
                    .at(12, 0, 0, 0),
            )
            .unwrap()
            .as_millisecond();
        store
            .bench_fill_incidents(3, 1, mid_month, org.id, caller.id, service.id)
            .await
            .unwrap();
        let (st, kept) = s.get("customer", &path).await;
        assert_eq!(st, StatusCode::OK, "{kept}");
        assert_eq!(kept["report"]["totals"]["incidents_opened"], 0, "{kept}");
        assert_eq!(kept["issued"]["sha256"], issued["sha256"]);
        let (_, now) = s
            .get(
                "manager",
                &format!("/api/v1/organisations/{alpha}/service-report?period={last_month}"),
            )
            .await;
        assert_eq!(now["totals"]["incidents_opened"], 3, "{now}");
        // The body as kept is what its SHA-256 names.
        let body = s
            .client
            .get(s.url(&format!("{path}?format=body")))
            .bearer_auth(&s.tokens["customer"])
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        use sha2::Digest;
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&body)),
            issued["sha256"].as_str().unwrap()
        );

        // Another organisation's report answers 404, in every format; lists are one's own.
        for f in ["", "?format=pdf", "?format=csv", "?format=body"] {
            let (st, _) = s.get("other", &format!("{path}{f}")).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{f}");
        }
        let (_, mine) = s.get("customer", "/api/v1/service-reports").await;
        assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
        let (_, theirs) = s.get("other", "/api/v1/service-reports").await;
        assert_eq!(theirs["items"], json!([]));
        let (_, filtered) = s
            .get(
                "other",
                &format!("/api/v1/service-reports?organisation={alpha}"),
            )
            .await;
        assert_eq!(
            filtered["items"],
            json!([]),
            "a customer cannot widen the list"
        );
        let (_, by_beta) = s
            .get(
                "manager",
                &format!("/api/v1/service-reports?organisation={beta}"),
            )
            .await;
        assert_eq!(by_beta["items"], json!([]));

        // PDF, CSV and the page, from what was issued.
        let fetch = |f: &'static str| {
            let req = s
                .client
                .get(s.url(&format!("{path}?format={f}")))
                .bearer_auth(&s.tokens["customer"]);
            async move { req.send().await.unwrap() }
        };
        let res = fetch("pdf").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));
        let csv = fetch("csv").await.text().await.unwrap();
        assert!(csv.contains("Alpha,"), "{csv}");
        assert!(csv.contains("period,,incidents_opened,0"), "{csv}");
        let page = fetch("html").await.text().await.unwrap();
        assert!(page.contains("Service report: Alpha"), "{page}");
        assert!(page.contains("<svg class=\"volume-chart\""));
        s.stop().await;
    }
}
