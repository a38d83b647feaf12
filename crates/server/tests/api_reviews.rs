//! Management reviews over HTTP, on both databases: planned for a period,
//! its input pack compiled from the records of that period, held with its
//! minutes, closed only once its decisions are recorded, its actions carried
//! into the next review's pack; and bad input.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn day(offset: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * offset);
    t.strftime("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn a_review_is_held_from_its_pack_and_its_actions_carry_forward() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        for n in 0..3 {
            s.raise("customer", &format!("Mail {n} is slow"), "SVC-0001")
                .await;
        }
        let (st, v) = s
            .post(
                "customer",
                "/api/v1/complaints",
                json!({"title": "Nobody called", "service": "SVC-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let period = format!("{}..{}", day(-30), day(0));

        // Bad input: a period that ends before it starts, a missing day; agents only read.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/reviews",
                json!({"title": "Q", "period": format!("{}..{}", day(0), day(-30))}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("before it starts"), "{v}");
        assert!(v.to_string().contains("target_date"), "{v}");
        let (st, _) = s.get("manager", "/api/v1/review-pack?period=2026-Q5").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = s
            .post(
                "agent",
                "/api/v1/reviews",
                json!({"title": "Q", "period": period, "target_date": day(1)}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        let (st, r) = s
            .post(
                "manager",
                "/api/v1/reviews",
                json!({"title": "Last month", "period": period, "target_date": day(0),
                       "attendees": "Director, SMS manager"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        assert_eq!(r["number"], "REV-0001");
        assert_eq!(r["period_from"], day(-30));

        // The pack counts what happened in the period.
        let (st, pack) = s.get("auditor", "/api/v1/reviews/REV-0001/pack").await;
        assert_eq!(st, StatusCode::OK, "{pack}");
        assert_eq!(pack["figures"]["incidents_opened"], 3, "{pack}");
        assert_eq!(pack["figures"]["complaints_opened"], 1);
        assert_eq!(pack["figures"]["complaints_open"], 1);
        assert_eq!(pack["for_people"].as_array().unwrap().len(), 5);
        let months: i64 = pack["trend"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["opened"].as_i64().unwrap())
            .sum();
        assert_eq!(months, 3);
        let (_, ad_hoc) = s
            .get("manager", &format!("/api/v1/review-pack?period={period}"))
            .await;
        assert_eq!(ad_hoc["figures"], pack["figures"]);

        // Held with its minutes; closed once its decisions are recorded.
        let tr = "/api/v1/reviews/REV-0001/transitions";
        let (st, v) = s.post("manager", tr, json!({"action": "hold"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = s
            .post(
                "manager",
                tr,
                json!({"action": "hold", "minutes": "Pack presented."}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "held");
        let (st, v) = s.post("manager", tr, json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("decisions"), "{v}");
        let (st, action) = s
            .post(
                "manager",
                "/api/v1/actions",
                json!({"title": "Agree an OLA with the network team", "parent": "REV-0001",
                       "target_date": day(-1)}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{action}");
        assert_eq!(action["review_after_days"], serde_json::Value::Null);
        let (st, v, _) = s
            .call(
                "manager",
                Method::PATCH,
                "/api/v1/reviews/REV-0001",
                Some(json!({"decisions": "Agree an OLA."})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, v) = s.post("manager", tr, json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["open_actions"], 1);

        // The next review's pack carries the open action forward, overdue.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/reviews",
                json!({"title": "Next", "period": period, "target_date": day(30)}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (_, next) = s.get("manager", "/api/v1/reviews/REV-0002/pack").await;
        let carried = &next["carried"][0];
        assert_eq!(carried["review"], "REV-0001", "{next}");
        assert_eq!(carried["overdue"], true);
        // The evidence: a review held this year; its action is late.
        let (_, req) = s.get("auditor", "/api/v1/requirements/9.3").await;
        let checks = req["checks"].as_array().unwrap();
        let status = |id: &str| {
            checks
                .iter()
                .find(|c| c["id"] == id)
                .map(|c| c["status"].clone())
                .unwrap()
        };
        assert_eq!(status("review-held"), "met", "{req}");
        assert_eq!(status("review-actions-on-time"), "partly_met", "{req}");
        // Customers see no reviews.
        let (st, _) = s.get("customer", "/api/v1/reviews/REV-0001").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}
