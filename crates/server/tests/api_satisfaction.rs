//! Customer satisfaction over HTTP, on both databases: a customer rates their
//! organisation's resolved incident once, 1 to 5; another organisation's is
//! 404 and staff may not rate; results per month, customer and service, a
//! customer's own only; and the bad input of each.

mod common;

use common::{TestServer, backends, resolve};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn customers_rate_their_resolved_incidents_once_and_results_add_up() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let mine = s.raise("customer", "Mail is slow", "SVC-0001").await;
        let theirs = s.raise("other", "Shop is down", "SVC-0001").await;
        let rating = format!("/api/v1/incidents/{mine}/rating");

        // Not before it is resolved.
        let (st, v) = s.post("customer", &rating, json!({"score": 5})).await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        assert!(v.to_string().contains("not resolved yet"), "{v}");
        resolve(&s, &mine).await;
        resolve(&s, &theirs).await;

        // Bad scores, another organisation's incident, staff: refused, nothing written.
        for bad in [
            json!({"score": 0}),
            json!({"score": 6}),
            json!({}),
            json!({"score": 3, "extra": 1}),
        ] {
            let (st, v) = s.post("customer", &rating, bad).await;
            assert!(
                st.is_client_error() && st != StatusCode::CONFLICT,
                "{st} {v}"
            );
        }
        let (st, _) = s
            .post(
                "customer",
                &format!("/api/v1/incidents/{theirs}/rating"),
                json!({"score": 1}),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.post("agent", &rating, json!({"score": 5})).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, v) = s.get("agent", &rating).await;
        assert_eq!(
            (st, v),
            (StatusCode::OK, serde_json::Value::Null),
            "not rated yet"
        );

        // Rated once; a second rating is a conflict; staff read it.
        let (st, v) = s
            .post(
                "customer2",
                &rating,
                json!({"score": 4, "comment": "  Quick  "}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(v["score"], 4);
        assert_eq!(v["comment"], "Quick");
        let (st, v) = s.post("customer", &rating, json!({"score": 1})).await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        assert!(v.to_string().contains("already rated"), "{v}");
        let (st, v) = s.get("agent", &rating).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["rated_by"], "customer2 user");
        let (_, history) = s
            .get("customer", &format!("/api/v1/incidents/{mine}/history"))
            .await;
        assert!(history.to_string().contains("\"rate\""), "{history}");
        let (st, _) = s
            .post(
                "other",
                &format!("/api/v1/incidents/{theirs}/rating"),
                json!({"score": 2}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);

        // Results: staff see every customer, a customer their own.
        let (st, all) = s.get("manager", "/api/v1/satisfaction").await;
        assert_eq!(st, StatusCode::OK, "{all}");
        let rows = all["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{all}");
        let alpha = rows.iter().find(|r| r["organisation"] == "Alpha").unwrap();
        assert_eq!(
            (alpha["ratings"].as_i64(), alpha["satisfied"].as_i64()),
            (Some(1), Some(1))
        );
        assert_eq!(alpha["average"].as_f64(), Some(4.0));
        let (_, own) = s.get("customer", "/api/v1/satisfaction").await;
        let rows = own["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{own}");
        assert_eq!(rows[0]["organisation"], "Alpha");

        // A period that ends before it starts, or is not a month: 422.
        for q in ["?from=2026-09&to=2026-03", "?from=2026-13", "?to=soon"] {
            let (st, v) = s.get("manager", &format!("/api/v1/satisfaction{q}")).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {v}");
        }
        let (_, v) = s
            .get("manager", "/api/v1/satisfaction?from=2026-09&to=2026-03")
            .await;
        assert!(v.to_string().contains("ends before it starts"), "{v}");
        s.stop().await;
    }
}
