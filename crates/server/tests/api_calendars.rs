//! Business calendars over HTTP on both databases: their rules, and due times
//! a person computes by hand across a daylight-saving change and holidays.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn berlin() -> Value {
    json!({
        "name": "Berlin office",
        "time_zone": "Europe/Berlin",
        "week": {
            "monday": ["08:00-12:00", "13:00-17:00"], "tuesday": ["08:00-12:00", "13:00-17:00"],
            "wednesday": ["08:00-12:00", "13:00-17:00"], "thursday": ["08:00-12:00", "13:00-17:00"],
            "friday": ["08:00-12:00", "13:00-17:00"]
        },
        "holidays": [{"date": "2026-04-03", "name": "Good Friday"},
                     {"date": "2026-04-06", "name": "Easter Monday"}]
    })
}

#[tokio::test]
async fn due_times_across_daylight_saving_and_holidays() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, cal) = s.post("manager", "/api/v1/calendars", berlin()).await;
        assert_eq!(st, StatusCode::CREATED, "{backend:?} {cal}");
        let id = cal["id"].as_i64().unwrap();
        assert_eq!(cal["holidays"][0]["name"], "Good Friday");

        // Thursday 16:00 CET + 16 business hours: due Monday 16:00 CEST, after the change.
        let (st, d) = s
            .get(
                "auditor",
                &format!("/api/v1/calendars/{id}/due?start=2026-03-26T15:00:00Z&minutes=960"),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{d}");
        assert_eq!(d["due"], "2026-03-30T14:00:00Z");
        // Maundy Thursday 15:00 CEST + 10 h: Good Friday and Easter Monday are closed.
        let (_, d) = s
            .get(
                "agent",
                &format!("/api/v1/calendars/{id}/due?start=2026-04-02T13:00:00Z&minutes=600"),
            )
            .await;
        assert_eq!(d["due"], "2026-04-07T15:00:00Z");
        let (_, b) = s
            .get(
                "agent",
                &format!(
                    "/api/v1/calendars/{id}/between?from=2026-04-02T13:00:00Z&to=2026-04-07T15:00:00Z"
                ),
            )
            .await;
        assert_eq!(b["business_minutes"], 600, "{b}");

        // Bad input: every wrong part named; nothing written.
        let (st, p) = s
            .post(
                "manager",
                "/api/v1/calendars",
                json!({"name": "Bad", "time_zone": "Mars/Olympus",
                       "week": {"monday": ["08:00-12:00", "11:00-13:00"], "funday": ["09:00-10:00"]}}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let fields: Vec<_> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(fields, ["week", "time_zone", "week.monday"], "{p}");
        let (st, p) = s
            .post(
                "manager",
                "/api/v1/calendars",
                json!({"name": "Closed", "time_zone": "UTC", "week": {}}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (st, _) = s.post("manager", "/api/v1/calendars", berlin()).await;
        assert_eq!(st, StatusCode::CONFLICT, "the name is taken");
        for q in [
            "start=yesterday&minutes=5",
            "start=2026-03-26T15:00:00Z&minutes=-5",
        ] {
            let (st, p) = s
                .get("agent", &format!("/api/v1/calendars/{id}/due?{q}"))
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {p}");
        }
        let (_, all) = s.get("auditor", "/api/v1/calendars").await;
        assert_eq!(all.as_array().unwrap().len(), 1);

        // Who may change it, and lost updates.
        let (st, _) = s.post("auditor", "/api/v1/calendars", berlin()).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s.get("customer", "/api/v1/calendars").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let mut changed = berlin();
        changed["week"]["saturday"] = json!(["09:00-13:00"]);
        let (st, v, _) = s
            .call(
                "manager",
                Method::PUT,
                &format!("/api/v1/calendars/{id}"),
                Some(changed.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["version"], 2);
        let res = s
            .client
            .put(s.url(&format!("/api/v1/calendars/{id}")))
            .bearer_auth(&s.tokens["manager"])
            .header("If-Match", "\"v1\"")
            .json(&changed)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
        let (st, _) = s.get("agent", "/api/v1/calendars/999").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}

#[tokio::test]
async fn the_most_specific_agreement_applies_and_bad_agreements_are_refused() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (_, cal) = s.post("manager", "/api/v1/calendars", berlin()).await;
        let cal = cal["id"].as_i64().unwrap();
        let sla = |title: &str, customer: Option<&str>, services: Value, p1: i64| {
            let mut v = json!({"kind": "sla", "title": title, "calendar": cal,
                "valid_from": "2026-01-01", "valid_to": "2027-01-01", "status": "agreed",
                "owner": "manager@provider.test", "services": services,
                "targets": {"P1": {"response_minutes": 15, "resolution_minutes": p1},
                            "P3": {"response_minutes": 120, "resolution_minutes": 1440}}});
            if let Some(c) = customer {
                v["customer"] = json!(c);
            }
            v
        };
        for body in [
            sla("Standard", None, json!([]), 480),
            sla("Alpha gold", Some("Alpha"), json!([]), 240),
            sla("Alpha mail", Some("Alpha"), json!(["svc-1"]), 120),
        ] {
            let (st, v) = s.post("manager", "/api/v1/agreements", body).await;
            assert_eq!(st, StatusCode::CREATED, "{backend:?} {v}");
        }
        let (_, v) = s.get("auditor", "/api/v1/agreements/SLA-0003").await;
        assert_eq!(v["services"], json!(["SVC-0001"]));
        assert_eq!(v["targets"]["P1"]["resolution_minutes"], 120);
        let applies = |customer: &str, service: &str, priority: u8| {
            format!(
                "/api/v1/agreements/applicable?customer={customer}&service={service}&priority={priority}&on=2026-06-01"
            )
        };
        let (st, a) = s.get("agent", &applies("Alpha", "SVC-0001", 1)).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["agreement"], "SLA-0003");
        assert!(
            a["reason"]
                .as_str()
                .unwrap()
                .contains("this customer for this service")
        );
        let (_, a) = s.get("agent", &applies("Alpha", "SVC-0002", 1)).await;
        assert_eq!(a["agreement"], "SLA-0002");
        let (_, a) = s.get("agent", &applies("Beta", "SVC-0002", 3)).await;
        assert_eq!(a["agreement"], "SLA-0001");
        let (_, a) = s.get("agent", &applies("Beta", "SVC-0002", 2)).await;
        assert!(a["agreement"].is_null(), "no P2 target anywhere: {a}");

        // Bad input: every wrong part named, nothing written.
        let (st, p) = s
            .post(
                "manager",
                "/api/v1/agreements",
                json!({"kind": "sla", "title": "Bad", "customer": "Nobody", "calendar": 999,
                       "valid_from": "2026-05-01", "valid_to": "2026-04-01", "group": "Service Desk",
                       "targets": {"P1": {"response_minutes": 0, "resolution_minutes": 60}},
                       "warn_percent": 120}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let mut fields: Vec<_> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "calendar",
                "customer",
                "group",
                "targets.P1",
                "valid_to",
                "warn_percent"
            ],
            "{p}"
        );
        let (st, p) = s
            .post(
                "manager",
                "/api/v1/agreements",
                json!({"kind": "ola", "title": "Desk OLA", "calendar": cal,
                       "valid_from": "2026-01-01", "targets": {}}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        let (_, all) = s.get("auditor", "/api/v1/agreements").await;
        assert_eq!(all.as_array().unwrap().len(), 3);
        // An OLA with the desk, numbered on its own.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/agreements",
                json!({"kind": "ola", "title": "Desk OLA", "group": "Service Desk", "calendar": cal,
                       "valid_from": "2026-01-01",
                       "targets": {"P1": {"response_minutes": 10, "resolution_minutes": 120}}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(v["number"], "OLA-0001");
        let (st, _) = s
            .post(
                "auditor",
                "/api/v1/agreements",
                sla("x", None, json!([]), 60),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        s.stop().await;
    }
}

#[tokio::test]
async fn services_covered_by_agreements_follow_the_agreements() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let covered = || async {
            let (_, r) = s.get("auditor", "/api/v1/requirements/8.3.3").await;
            r["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == "services-covered-by-agreements")
                .cloned()
                .unwrap()
        };
        // Mail (Alpha, Beta), ERP (Alpha), Shop (Beta): four pairs, none covered.
        let c = covered().await;
        assert_eq!(
            (c["counted"].as_i64(), c["good"].as_i64()),
            (Some(4), Some(0)),
            "{c}"
        );
        let (_, cal) = s.post("manager", "/api/v1/calendars", berlin()).await;
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/agreements",
                json!({"kind": "sla", "title": "Alpha", "customer": "Alpha", "status": "agreed",
                       "calendar": cal["id"], "valid_from": "2026-01-01",
                       "targets": {"P1": {"response_minutes": 15, "resolution_minutes": 240}}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{backend:?} {v}");
        let c = covered().await;
        assert_eq!(
            (c["counted"].as_i64(), c["good"].as_i64()),
            (Some(4), Some(2)),
            "{c}"
        );
        assert_eq!(c["status"], "not_met");
        let gaps: Vec<_> = c["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["title"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(gaps, ["Mail for Beta", "Shop for Beta"]);
        s.stop().await;
    }
}

#[tokio::test]
async fn holidays_import_from_icalendar_and_csv() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, cal) = s.post("manager", "/api/v1/calendars", berlin()).await;
        assert_eq!(st, StatusCode::CREATED, "{cal}");
        let id = cal["id"].as_i64().unwrap();
        let send = |who: &'static str, ct: &'static str, body: &'static str, q: &'static str| {
            let req = s
                .client
                .post(s.url(&format!("/api/v1/calendars/{id}/holidays{q}")))
                .bearer_auth(&s.tokens[who])
                .header("content-type", ct)
                .body(body);
            async move {
                let r = req.send().await.unwrap();
                (r.status(), r.json::<serde_json::Value>().await.unwrap())
            }
        };
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260501\r\n\
                   DTEND;VALUE=DATE:20260502\r\nSUMMARY:Tag der Arbeit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let (st, v) = send("manager", "text/calendar", ics, "").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let holidays = v["holidays"].as_array().unwrap();
        assert!(
            holidays
                .iter()
                .any(|h| h["date"] == "2026-05-01" && h["name"] == "Tag der Arbeit")
        );
        // Friday 1 May is now closed: 60 minutes from Thursday 16:30 end on Monday.
        let (_, due) = s
            .get(
                "agent",
                &format!("/api/v1/calendars/{id}/due?start=2026-04-30T14:30:00Z&minutes=60"),
            )
            .await;
        assert_eq!(due["due"], "2026-05-04T06:30:00Z", "{due}");
        let (st, v) = send(
            "manager",
            "text/csv; charset=utf-8",
            "date,name\n2026-10-03,Tag der Deutschen Einheit\n",
            "?replace=true",
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["holidays"].as_array().unwrap().len(), 1, "{v}");
        // Bad files are refused with where, and nothing changes.
        let (st, v) = send("manager", "text/csv", "2026-12-24,ok\n24.12.2026,bad\n", "").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("line 2"), "{v}");
        let (st, _) = send("manager", "application/pdf", "x", "").await;
        assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let (st, _) = send("agent", "text/csv", "2026-12-24,x\n", "").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, now) = s.get("agent", &format!("/api/v1/calendars/{id}")).await;
        assert_eq!(now["holidays"].as_array().unwrap().len(), 1, "{now}");
        s.stop().await;
    }
}
