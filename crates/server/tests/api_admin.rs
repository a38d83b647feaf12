//! Administration through the API: assignment groups with their manager and
//! members, organisations with the services they receive, and moving a user
//! to another organisation; each with the refusals a wrong request gets.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn groups_organisations_and_a_users_organisation_change() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let patch = |who: &'static str, path: String, body: serde_json::Value| {
            let s = &s;
            async move {
                let (st, v, _) = s.call(who, Method::PATCH, &path, Some(body)).await;
                (st, v)
            }
        };

        // A group with a manager who is not a member.
        let (st, g) = s
            .post(
                "manager",
                "/api/v1/groups",
                json!({"name": "Network", "manager": "manager@provider.test",
                       "members": ["agent@provider.test"]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{g}");
        assert_eq!(g["members"], 1);
        assert!(g["manager"]["name"].is_string(), "{g}");
        let path = format!("/api/v1/groups/{}", g["id"]);
        let (st, v) = s.get("auditor", &path).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(v["members"][0]["email"], "agent@provider.test", "{v}");

        // Members replaced as a whole; an empty manager removes the manager.
        let (st, v) = patch(
            "manager",
            path.clone(),
            json!({"members": ["agent@provider.test", "admin@provider.test"], "manager": ""}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["members"].as_array().unwrap().len(), 2);
        assert!(v["manager"].is_null(), "{v}");

        // Refusals: a customer as member or manager, a name already taken,
        // an unknown group, an unknown field, a role that may not.
        let (st, v) = patch(
            "manager",
            path.clone(),
            json!({"members": ["cora@alpha.test"], "manager": "cora@alpha.test"}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let fields: Vec<&str> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"members") && fields.contains(&"manager"),
            "{v}"
        );
        let (st, v) = patch("manager", path.clone(), json!({"name": "service desk"})).await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        let (st, _) = patch("manager", "/api/v1/groups/9999".into(), json!({})).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = patch("manager", path.clone(), json!({"colour": "red"})).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = patch("agent", path.clone(), json!({"description": "x"})).await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // An organisation: renamed, another time zone, the services it receives.
        let (st, v) = patch(
            "admin",
            "/api/v1/organisations/3".into(),
            json!({"name": "Beta Ltd", "time_zone": "Europe/Paris", "services": ["SVC-0001", "svc-0002"]}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["name"], "Beta Ltd");
        assert_eq!(v["time_zone"], "Europe/Paris");
        let numbers: Vec<&str> = v["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["number"].as_str().unwrap())
            .collect();
        assert_eq!(numbers, ["SVC-0001", "SVC-0002"], "{v}");
        // Beta's customer now reads ERP, and no longer the shop.
        let (st, _) = s.get("other", "/api/v1/services/SVC-0002").await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = s.get("other", "/api/v1/services/SVC-0003").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        for (body, field) in [
            (json!({"time_zone": "Mars/Olympus"}), "time_zone"),
            (json!({"services": ["SVC-9999"]}), "services"),
            (json!({"name": " "}), "name"),
        ] {
            let (st, v) = patch("admin", "/api/v1/organisations/3".into(), body).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
            assert_eq!(v["errors"][0]["field"], field, "{v}");
        }
        let (st, v) = patch(
            "admin",
            "/api/v1/organisations/1".into(),
            json!({"services": ["SVC-0001"]}),
        )
        .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the provider receives none: {v}"
        );
        let (st, v) = patch(
            "admin",
            "/api/v1/organisations/3".into(),
            json!({"name": "Alpha"}),
        )
        .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        let (st, _) = patch("admin", "/api/v1/organisations/999".into(), json!({})).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = patch("manager", "/api/v1/organisations/3".into(), json!({})).await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // A customer moves to another customer: sees that one's records only.
        let own = s.raise("customer2", "Printer jams", "SVC-0001").await;
        let (_, me) = s.get("customer2", "/api/v1/me").await;
        let user = format!("/api/v1/users/{}", me["id"]);
        let (st, v) = patch("admin", user.clone(), json!({"organisation": "Beta Ltd"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, _) = s
            .get("customer2", &format!("/api/v1/incidents/{own}"))
            .await;
        assert_eq!(
            st,
            StatusCode::NOT_FOUND,
            "Alpha's incident is not theirs any more"
        );
        // A customer cannot move to the provider, nor staff to a customer.
        let (st, v) = patch("admin", user.clone(), json!({"organisation": "Provider"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["field"], "organisation", "{v}");
        let (st, v) = patch(
            "admin",
            user.clone(),
            json!({"organisation": "Provider", "role": "agent"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "a role and organisation that fit: {v}");
        let (st, v) = patch("admin", user, json!({"organisation": "Nowhere"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        // Auditors only read: no group takes them. A member of staff who
        // becomes a customer leaves the groups and manages none.
        let (st, v) = patch(
            "manager",
            path.clone(),
            json!({"members": ["auditor@provider.test"]}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v) = s
            .post(
                "admin",
                "/api/v1/users",
                json!({"email": "tess@provider.test", "name": "Tess", "role": "agent"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let tess = format!("/api/v1/users/{}", v["id"]);
        let (st, v) = patch(
            "manager",
            path.clone(),
            json!({"members": ["tess@provider.test"], "manager": "tess@provider.test"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, v) = patch(
            "admin",
            tess,
            json!({"organisation": "Alpha", "role": "customer"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (_, v) = s.get("manager", &path).await;
        assert!(v["members"].as_array().unwrap().is_empty(), "{v}");
        assert!(v["manager"].is_null(), "{v}");

        // Every change is in the audit trail.
        for (t, n) in [("group", "Network"), ("organisation", "Beta Ltd")] {
            let (_, a) = s
                .get(
                    "admin",
                    &format!("/api/v1/audit?record_type={t}&action=update"),
                )
                .await;
            assert!(
                a.as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["record_number"] == n),
                "{t} {n}: {a}"
            );
        }
        s.stop().await;
    }
}
