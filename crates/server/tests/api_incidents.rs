//! The incident API end to end, over HTTP, on both databases.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn incident_lifecycle_over_http() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        // A customer raises an incident against a service their organisation receives.
        let (st, inc) = s
            .post(
                "customer",
                "/api/v1/incidents",
                json!({"title": "Mail is down", "service": "svc-1", "impact": 1, "urgency": 2}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{backend:?} {inc}");
        assert_eq!(inc["priority"], "P2");
        assert_eq!(inc["organisation"]["name"], "Alpha");
        assert_eq!(inc["state"], "new");
        let number = inc["number"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/incidents/{number}");

        // The agent reads it with its ETag and assigns it.
        let (st, _, headers) = s.call("agent", Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(headers["etag"], "\"v1\"");
        let patch =
            json!({"group": "Service Desk", "assignee": "agent@provider.test", "urgency": 1});
        let res = s
            .client
            .patch(s.url(&path))
            .bearer_auth(&s.tokens["agent"])
            .header("If-Match", "\"v1\"")
            .json(&patch)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["etag"], "\"v2\"");
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["priority"], "P1", "priority follows the matrix");
        assert_eq!(v["assignee"]["name"], "agent user");

        // A stale If-Match answers 412 and changes nothing.
        let res = s
            .client
            .patch(s.url(&path))
            .bearer_auth(&s.tokens["agent"])
            .header("If-Match", "\"v1\"")
            .json(&json!({"title": "lost"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let (_, v) = s.get("agent", &path).await;
        assert_eq!(v["title"], "Mail is down");

        // Lifecycle through the state machine.
        let tr = format!("{path}/transitions");
        let (st, v) = s.post("agent", &tr, json!({"action": "start"})).await;
        assert_eq!(
            (st, v["state"].as_str()),
            (StatusCode::OK, Some("in_progress"))
        );
        assert!(v["first_response_at"].is_string());
        let (st, v) = s.post("agent", &tr, json!({"action": "close"})).await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        assert!(
            v["detail"]
                .as_str()
                .unwrap()
                .contains("allowed from here: hold, resolve")
        );
        let (st, _) = s
            .post(
                "agent",
                &tr,
                json!({"action": "hold", "hold_reason": "awaiting_customer"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, _) = s.post("agent", &tr, json!({"action": "resume"})).await;
        assert_eq!(st, StatusCode::OK);
        let (st, v) = s.post("agent", &tr, json!({"action": "resolve"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<_> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["resolution_code", "resolution_notes"]);
        let (st, v) = s.post("agent", &tr, json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "Restarted the mail gateway"})).await;
        assert_eq!(
            (st, v["state"].as_str()),
            (StatusCode::OK, Some("resolved"))
        );
        let (_, v) = s.post("agent", &tr, json!({"action": "reopen"})).await;
        assert_eq!(v["reopen_count"], 1);

        // Comments and work notes.
        let cm = format!("{path}/comments");
        let (st, _) = s
            .post(
                "agent",
                &cm,
                json!({"body": "Looking into it", "visibility": "public"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let (st, _) = s
            .post(
                "agent",
                &cm,
                json!({"body": "gateway cert expired", "visibility": "internal"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let (st, _) = s.post("customer", &cm, json!({"body": "Thanks!"})).await;
        assert_eq!(st, StatusCode::CREATED);
        let (st, _) = s
            .post(
                "customer",
                &cm,
                json!({"body": "sneaky", "visibility": "internal"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, staff_view) = s.get("agent", &cm).await;
        let (_, customer_view) = s.get("customer", &cm).await;
        assert_eq!(staff_view.as_array().unwrap().len(), 3);
        assert_eq!(customer_view.as_array().unwrap().len(), 2);
        assert!(!customer_view.to_string().contains("cert expired"));

        // History: every write, before and after; customers do not see work notes.
        let (_, h) = s.get("agent", &format!("{path}/history")).await;
        let actions: Vec<_> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "create",
                "update",
                "start",
                "hold",
                "resume",
                "resolve",
                "reopen",
                "comment",
                "work_note",
                "comment"
            ]
        );
        let update = &h[1]["changes"];
        assert!(
            update
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["field"] == "priority" && c["before"] == 2 && c["after"] == 1)
        );
        let (_, h) = s.get("customer", &format!("{path}/history")).await;
        assert!(!h.to_string().contains("cert expired"));

        // Customers confirm or reject a resolution, but do not work the incident.
        let (st, _) = s
            .post(
                "customer",
                &tr,
                json!({"action": "hold", "hold_reason": "awaiting_customer"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, v) = s.post("agent", &tr, json!({"action": "resolve", "resolution_code": "workaround", "resolution_notes": "Use webmail"})).await;
        assert_eq!(v["state"], "resolved");
        let (st, v) = s.post("customer", &tr, json!({"action": "reopen"})).await;
        assert_eq!(
            (st, v["state"].as_str(), v["resolution_code"].is_null()),
            (StatusCode::OK, Some("in_progress"), true)
        );
        s.post("agent", &tr, json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "Gateway replaced"})).await;
        let (st, v) = s.post("customer", &tr, json!({"action": "close"})).await;
        assert_eq!((st, v["state"].as_str()), (StatusCode::OK, Some("closed")));
        // A closed incident is final.
        let (st, _, _) = s
            .call(
                "agent",
                Method::PATCH,
                &path,
                Some(json!({"title": "late edit"})),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, _) = s.post("agent", &cm, json!({"body": "late note"})).await;
        assert_eq!(st, StatusCode::CONFLICT);

        // Lists: filters and keyset pagination.
        for n in 0..5 {
            s.raise("agent", &format!("Printer {n} jammed"), "SVC-0002")
                .await;
        }
        let (_, page) = s.get("agent", "/api/v1/incidents?limit=4").await;
        assert_eq!(page["items"].as_array().unwrap().len(), 4);
        let cursor = page["next_cursor"].as_str().unwrap();
        let (_, page2) = s
            .get(
                "agent",
                &format!("/api/v1/incidents?limit=4&cursor={cursor}"),
            )
            .await;
        assert_eq!(page2["items"].as_array().unwrap().len(), 2);
        assert!(page2["next_cursor"].is_null());
        let (_, found) = s.get("agent", "/api/v1/incidents?q=printer%203").await;
        assert_eq!(found["items"].as_array().unwrap().len(), 1);
        let (_, mine) = s.get("agent", "/api/v1/incidents?assignee=me").await;
        assert_eq!(mine["items"][0]["number"], number.as_str());
        let (_, p1) = s.get("agent", "/api/v1/incidents?priority=P1").await;
        assert_eq!(p1["items"].as_array().unwrap().len(), 1);
        let (_, open) = s.get("agent", "/api/v1/incidents?state=open").await;
        assert_eq!(open["items"].as_array().unwrap().len(), 5);
        s.stop().await;
    }
}

#[tokio::test]
async fn services_and_admin_over_http() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/services",
                json!({"name": "VPN", "status": "live", "customers": ["Beta"]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(v["number"], "SVC-0004");
        let (st, _) = s
            .post("agent", "/api/v1/services", json!({"name": "Nope"}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // Customers only see services their organisation receives.
        let (_, list) = s.get("customer", "/api/v1/services").await;
        let names: Vec<_> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Mail", "ERP"]);
        let (st, _) = s.get("customer", "/api/v1/services/SVC-0004").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // A customer cannot raise against a service their organisation does not receive.
        let (st, v) = s
            .post(
                "customer",
                "/api/v1/incidents",
                json!({"title": "x", "service": "SVC-0003"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["errors"][0]["field"], "service");

        let res = s
            .client
            .patch(s.url("/api/v1/services/SVC-0004"))
            .bearer_auth(&s.tokens["manager"])
            .header("If-Match", "\"v1\"")
            .json(&json!({"status": "retired"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let (st, _) = s
            .post(
                "agent",
                "/api/v1/incidents",
                json!({"title": "x", "service": "SVC-0004", "caller": "olga@beta.test"}),
            )
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "retired services take no new incidents"
        );

        let (st, v) = s
            .post(
                "admin",
                "/api/v1/organisations",
                json!({"name": "Gamma", "time_zone": "Mars/Olympus"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, _) = s
            .post(
                "admin",
                "/api/v1/organisations",
                json!({"name": "Gamma", "time_zone": "Asia/Tokyo"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let (st, _) = s
            .post("admin", "/api/v1/organisations", json!({"name": "gamma"}))
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, v) = s.post("admin", "/api/v1/users", json!({"email": "gina@gamma.test", "name": "Gina", "role": "customer", "organisation": "Gamma", "password": "short"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["errors"][0]["field"], "password");
        let (st, v) = s.post("admin", "/api/v1/users", json!({"email": "gina@gamma.test", "name": "Gina", "role": "customer", "organisation": "Gamma"})).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        // A customer's role cannot become a staff role: the role is the field to correct.
        let (st, p, _) = s
            .call(
                "admin",
                Method::PATCH,
                &format!("/api/v1/users/{}", v["id"]),
                Some(json!({"role": "agent"})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert_eq!(p["errors"][0]["field"], "role", "{p}");
        let (st, _) = s.post("admin", "/api/v1/users", json!({"email": "GINA@gamma.test", "name": "Gina 2", "role": "customer", "organisation": "Gamma"})).await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, v) = s.post("admin", "/api/v1/users", json!({"email": "staff@gamma.test", "name": "S", "role": "agent", "organisation": "Gamma"})).await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "staff belong to the provider"
        );
        assert_eq!(v["errors"][0]["field"], "organisation", "{v}");

        // Tokens: shown once, revocable; a revoked token answers 401.
        let (st, t) = s
            .post("agent", "/api/v1/tokens", json!({"name": "script"}))
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let secret = t["token"].as_str().unwrap().to_owned();
        let (_, list) = s.get("agent", "/api/v1/tokens").await;
        assert!(!list.to_string().contains(&secret));
        let me = s
            .client
            .get(s.url("/api/v1/me"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        let (st, _, _) = s
            .call(
                "agent",
                Method::DELETE,
                &format!("/api/v1/tokens/{}", t["id"]),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let me = s
            .client
            .get(s.url("/api/v1/me"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED);

        // Nobody locks themselves out.
        let (_, me) = s.get("admin", "/api/v1/me").await;
        let res = s
            .client
            .patch(s.url(&format!("/api/v1/users/{}", me["id"])))
            .bearer_auth(&s.tokens["admin"])
            .json(&json!({"active": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT);

        // Disabling a user ends their API access.
        let (_, me) = s.get("customer2", "/api/v1/me").await;
        let res = s
            .client
            .patch(s.url(&format!("/api/v1/users/{}", me["id"])))
            .bearer_auth(&s.tokens["admin"])
            .json(&json!({"active": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let (st, _) = s.get("customer2", "/api/v1/me").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);

        // The audit log for admins and auditors.
        let (st, log) = s
            .get(
                "auditor",
                "/api/v1/audit?record_type=user&action=create&limit=3",
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(log.as_array().unwrap().len(), 3);
        let (st, _) = s.get("agent", "/api/v1/audit").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        s.stop().await;
    }
}

/// Staff raise incidents for a caller, a group and an assignee typed by name
/// or e-mail; each reference that does not fit is named in the problem, and a
/// good one comes back with its names.
#[tokio::test]
async fn creation_checks_every_reference_it_is_given() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/incidents",
                json!({"title": "Printer jam", "service": "SVC-0001", "caller": "nobody@alpha.test",
                       "group": "No Such Group", "assignee": "cora@alpha.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {v}");
        let mut fields: Vec<_> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        fields.sort();
        assert_eq!(fields, ["assignee", "caller", "group"], "{v}");
        // The manager is staff but not in the Service Desk group.
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/incidents",
                json!({"title": "Printer jam", "service": "SVC-0001", "caller": "cora@alpha.test",
                       "group": "service desk", "assignee": "manager@provider.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {v}");
        assert_eq!(v["errors"][0]["field"], "assignee", "{v}");
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("not a member of the assignment group"),
            "{v}"
        );
        let (st, inc) = s
            .post(
                "agent",
                "/api/v1/incidents",
                json!({"title": "Printer jam", "service": "SVC-0001", "caller": "CORA@alpha.test",
                       "group": "service desk", "assignee": "agent@provider.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{backend:?} {inc}");
        assert_eq!(inc["organisation"]["name"], "Alpha", "{inc}");
        let number = inc["number"].as_str().unwrap();
        let (_, read) = s.get("agent", &format!("/api/v1/incidents/{number}")).await;
        assert_eq!(read["group"], inc["group"], "{read} {inc}");
        assert_eq!(read["assignee"], inc["assignee"], "{read} {inc}");
        assert_eq!(read["caller"], inc["caller"], "{read} {inc}");
        assert_eq!(read["service"], inc["service"], "{read} {inc}");
        assert_eq!(read["organisation"], inc["organisation"], "{read} {inc}");
        s.stop().await;
    }
}
