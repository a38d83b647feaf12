//! SLA clocks, background jobs and e-mail through the real server, on both
//! databases: clocks start, pause, resume and retarget with the incident;
//! notifications reach a real SMTP server (and work notes never reach a
//! customer); a mail server that refuses mail leaves the job failing and
//! retryable, never the incident lost; a breach escalates to the group's
//! manager and raises the priority.

mod common;

use std::time::Duration;

use common::smtp::SmtpSink;
use common::{TestServer, backends, settle};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A 24x7 calendar and an agreed SLA for Alpha on every service; answers
/// the calendar's id.
async fn agreement(s: &TestServer, warn_percent: i64, short: bool) -> i64 {
    let t = |r: i64, s: i64| {
        if short {
            json!({"response_minutes": 1, "resolution_minutes": 1})
        } else {
            json!({"response_minutes": r, "resolution_minutes": s})
        }
    };
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
    let cal = v["id"].as_i64().unwrap();
    let (st, v) = s
        .post(
            "manager",
            "/api/v1/agreements",
            json!({"kind": "sla", "title": "Alpha standard", "customer": "Alpha", "calendar": cal,
                   "valid_from": "2026-01-01", "status": "agreed", "warn_percent": warn_percent,
                   "targets": {"P1": t(15, 240), "P2": t(30, 480), "P3": t(60, 960),
                               "P4": t(120, 1440), "P5": t(240, 2880)}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    cal
}

/// An agreed OLA with `group` on the 24x7 calendar, for every priority.
async fn ola(s: &TestServer, cal: i64, group: &str, response: i64, resolution: i64) -> String {
    let t = json!({"response_minutes": response, "resolution_minutes": resolution});
    let (st, v) = s
        .post(
            "manager",
            "/api/v1/agreements",
            json!({"kind": "ola", "title": format!("{group} OLA"), "group": group,
                   "calendar": cal, "valid_from": "2026-01-01", "status": "agreed",
                   "warn_percent": 75,
                   "targets": {"P1": t, "P2": t, "P3": t, "P4": t, "P5": t}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v["number"].as_str().unwrap().to_owned()
}

fn ola_clock<'a>(sla: &'a Value, group: &str, kind: &str) -> &'a Value {
    sla["ola_clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["group"] == group && c["kind"] == kind)
        .unwrap_or_else(|| panic!("no {group} {kind} clock in {sla}"))
}

#[tokio::test]
async fn a_groups_part_is_measured_by_its_ola_shown_to_staff_and_reported() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let cal = agreement(&s, 75, false).await;
        let (st, v) = s
            .post(
                "admin",
                "/api/v1/groups",
                json!({"name": "Network", "members": ["manager@provider.test"]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let number_ola = ola(&s, cal, "Service Desk", 30, 120).await;
        assert_eq!(number_ola, "OLA-0001");
        let number = s.raise("customer", "VPN drops", "SVC-0001").await;
        let path = format!("/api/v1/incidents/{number}");
        let sla_path = format!("{path}/sla");
        let (_, sla) = s.get("agent", &sla_path).await;
        assert_eq!(sla["ola_clocks"], json!([]), "no group yet: {sla}");

        // The Service Desk gets it: its two clocks start; the customer sees none.
        let (st, v, _) = s
            .call(
                "admin",
                Method::PATCH,
                &path,
                Some(json!({"group": "Service Desk"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (_, sla) = s.get("agent", &sla_path).await;
        for kind in ["response", "resolution"] {
            let c = ola_clock(&sla, "Service Desk", kind);
            assert_eq!(
                (c["agreement"].as_str(), c["standing"].as_str()),
                (Some("OLA-0001"), Some("running")),
                "{c}"
            );
        }
        assert_eq!(
            ola_clock(&sla, "Service Desk", "response")["target_minutes"],
            30
        );
        // The SLA's own clocks are still the customer's two.
        assert_eq!(sla["clocks"].as_array().unwrap().len(), 2, "{sla}");
        let (_, theirs) = s.get("customer", &sla_path).await;
        assert_eq!(theirs["ola_clocks"], json!([]), "{theirs}");
        assert_eq!(theirs["clocks"].as_array().unwrap().len(), 2);

        // An agent of the group takes it: the group's response is met.
        let (st, v, _) = s
            .call(
                "admin",
                Method::PATCH,
                &path,
                Some(json!({"assignee": "agent@provider.test"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (_, sla) = s.get("agent", &sla_path).await;
        let r = ola_clock(&sla, "Service Desk", "response");
        assert_eq!(r["standing"], "met", "{r}");
        assert_eq!(r["intervals"][0]["ended_by"], "taken", "{r}");
        assert_eq!(
            ola_clock(&sla, "Service Desk", "resolution")["standing"],
            "running"
        );

        // Handed over to Network (no OLA): the desk's part stops, met;
        // Network gets no clock.
        let (st, v, _) = s
            .call(
                "admin",
                Method::PATCH,
                &path,
                Some(json!({"group": "Network", "assignee": null})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (_, sla) = s.get("agent", &sla_path).await;
        let res = ola_clock(&sla, "Service Desk", "resolution");
        assert_eq!(res["standing"], "met", "{res}");
        let iv = res["intervals"].as_array().unwrap();
        assert_eq!(iv.last().unwrap()["ended_by"], "handed over", "{res}");
        assert_eq!(sla["ola_clocks"].as_array().unwrap().len(), 2, "{sla}");

        // The history names the group's clocks to staff, not to the customer.
        let (_, history) = s.get("agent", &format!("{path}/history")).await;
        assert!(
            history.to_string().contains("ola_response_target"),
            "{history}"
        );
        let (_, history) = s.get("customer", &format!("{path}/history")).await;
        assert!(!history.to_string().contains("OLA-"), "{history}");
        assert!(!history.to_string().contains("ola_"), "{history}");

        // The incident page shows the groups' part to staff only.
        let page = s.page("agent", &format!("/incidents/{number}")).await;
        assert!(page.contains("The groups' part (OLA)"), "{page}");
        assert!(
            page.contains(
                r#"data-group="Service Desk" data-clock="resolution" data-standing="met""#
            )
        );
        let page = s.page("customer", &format!("/incidents/{number}")).await;
        assert!(!page.contains("OLA"), "{page}");

        // The OLA's report counts the group's stopped clocks; the SLA's does not.
        let (st, report) = s
            .get("auditor", "/api/v1/agreements/OLA-0001/report?months=1")
            .await;
        assert_eq!(st, StatusCode::OK, "{report}");
        assert_eq!(report["customer"], "group Service Desk");
        for m in report["months"].as_array().unwrap() {
            assert_eq!(
                (m["stopped"].as_i64(), m["met"].as_i64()),
                (Some(1), Some(1)),
                "{m}"
            );
        }
        let (_, report) = s
            .get("auditor", "/api/v1/agreements/SLA-0001/report?months=1")
            .await;
        let resolution = report["months"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["clock"] == "resolution")
            .unwrap();
        assert_eq!(resolution["stopped"], 0, "{report}");
        let page = s.page("manager", "/agreements").await;
        assert!(page.contains(r#"<a href="/agreements/OLA-0001">OLA-0001</a>"#));
        let page = s.page("manager", "/agreements/OLA-0001").await;
        assert!(page.contains("OLA report"), "{page}");

        // Raised straight to the desk and taken at once: met, with its interval.
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/incidents",
                json!({"title": "Mailbox full", "service": "SVC-0001",
                       "caller": "cora@alpha.test", "group": "Service Desk",
                       "assignee": "agent@provider.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (_, sla2) = s
            .get(
                "agent",
                &format!("/api/v1/incidents/{}/sla", v["number"].as_str().unwrap()),
            )
            .await;
        let r = ola_clock(&sla2, "Service Desk", "response");
        assert_eq!(r["standing"], "met", "{r}");
        assert_eq!(r["intervals"].as_array().unwrap().len(), 1, "{r}");
        s.stop().await;
    }
}

fn clock<'a>(sla: &'a Value, kind: &str) -> &'a Value {
    sla["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} clock in {sla}"))
}

fn at(s: &Value) -> jiff::Timestamp {
    s.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn clocks_follow_the_incident_and_explain_themselves() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        agreement(&s, 75, false).await;
        let number = s.raise("customer", "Printer offline", "SVC-0001").await;
        let (st, inc) = s
            .get("customer", &format!("/api/v1/incidents/{number}"))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(inc["priority"], "P5", "{inc}");
        // The customer may read why the clocks say what they say.
        let (st, sla) = s
            .get("customer", &format!("/api/v1/incidents/{number}/sla"))
            .await;
        assert_eq!(st, StatusCode::OK, "{sla}");
        assert_eq!(sla["agreement"], "SLA-0001");
        assert!(sla["reason"].as_str().unwrap().contains("this customer"));
        let opened = at(&inc["opened_at"]);
        let r = clock(&sla, "response");
        assert_eq!(
            (r["standing"].as_str(), r["target_minutes"].as_i64()),
            (Some("running"), Some(240))
        );
        assert_eq!(
            at(&r["due_at"]),
            opened + jiff::SignedDuration::from_mins(240)
        );
        assert_eq!(at(&inc["sla_due_at"]), at(&r["due_at"]));
        assert!(
            r["explanation"].as_str().unwrap().contains("Target 4 h"),
            "{r}"
        );
        // Another organisation learns nothing of it.
        let (st, _) = s
            .get("other", &format!("/api/v1/incidents/{number}/sla"))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Staff start: the response is met; waiting for the customer pauses resolution.
        for body in [
            json!({"action": "start"}),
            json!({"action": "hold", "hold_reason": "awaiting_customer"}),
        ] {
            let (st, v) = s
                .post(
                    "agent",
                    &format!("/api/v1/incidents/{number}/transitions"),
                    body,
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        let (_, sla) = s
            .get("agent", &format!("/api/v1/incidents/{number}/sla"))
            .await;
        assert_eq!(clock(&sla, "response")["standing"], "met");
        let res = clock(&sla, "resolution");
        assert_eq!(res["standing"], "paused", "{res}");
        assert_eq!(res["due_at"], Value::Null);
        let iv = res["intervals"].as_array().unwrap();
        assert_eq!(iv.len(), 1, "{res}");
        assert_eq!(iv[0]["ended_by"], "on hold: awaiting customer");
        let (_, inc) = s.get("agent", &format!("/api/v1/incidents/{number}")).await;
        assert_eq!(inc["sla_due_at"], Value::Null);

        // Resume, then raise the priority: the target changes and the history says so.
        let (st, _) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{number}/transitions"),
                json!({"action": "resume"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let (st, v, _) = s
            .call(
                "agent",
                Method::PATCH,
                &format!("/api/v1/incidents/{number}"),
                Some(json!({"impact": 1, "urgency": 1})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (_, sla) = s
            .get("agent", &format!("/api/v1/incidents/{number}/sla"))
            .await;
        let res = clock(&sla, "resolution");
        assert_eq!(
            (res["priority"].as_str(), res["target_minutes"].as_i64()),
            (Some("P1"), Some(240))
        );
        assert_eq!(res["intervals"].as_array().unwrap().len(), 2, "{res}");
        let (_, history) = s
            .get("agent", &format!("/api/v1/incidents/{number}/history"))
            .await;
        let text = history.to_string();
        assert!(text.contains("resolution_target"), "{text}");
        assert!(text.contains("SLA-0001 P1: 4 h"), "{text}");

        // The queue sorted by time left puts it before an incident without a clock.
        let _ = s.raise("other", "Beta has no SLA", "SVC-0001").await;
        let (st, page) = s
            .get("agent", "/api/v1/incidents?state=open&order=due&limit=1")
            .await;
        assert_eq!(st, StatusCode::OK, "{page}");
        assert_eq!(page["items"][0]["number"], number.as_str());
        let cursor = page["next_cursor"].as_str().unwrap();
        let (st, page) = s
            .get(
                "agent",
                &format!("/api/v1/incidents?state=open&order=due&limit=1&cursor={cursor}"),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(page["items"][0]["sla_due_at"], Value::Null, "{page}");
        // A clock that is not breached has no breach to explain.
        let (st, v, _) = s
            .call(
                "agent",
                Method::PUT,
                &format!("/api/v1/incidents/{number}/sla/resolution/reason"),
                Some(json!({"reason": "early"})),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        let (st, v) = s.get("agent", "/api/v1/incidents?order=soonest").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        // Resolved in time, and a second one cancelled: the SLA report counts
        // what the incidents' clocks say, and nothing for the cancelled one.
        let (st, v) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{number}/transitions"),
                json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "Replaced toner."}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let cancelled = s.raise("customer", "Never mind", "SVC-0001").await;
        let (st, _) = s
            .post(
                "customer",
                &format!("/api/v1/incidents/{cancelled}/transitions"),
                json!({"action": "cancel"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        let mut expected: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
        for n in [&number, &cancelled] {
            let (_, sla) = s.get("agent", &format!("/api/v1/incidents/{n}/sla")).await;
            for c in sla["clocks"].as_array().unwrap() {
                let e = expected
                    .entry(c["kind"].as_str().unwrap().to_owned())
                    .or_default();
                match c["standing"].as_str().unwrap() {
                    "met" => *e = (e.0 + 1, e.1 + 1),
                    "missed" => e.0 += 1,
                    _ => {}
                }
            }
        }
        let (st, report) = s
            .get("manager", "/api/v1/agreements/SLA-0001/report?months=2")
            .await;
        assert_eq!(st, StatusCode::OK, "{report}");
        let months = report["months"].as_array().unwrap();
        assert_eq!(months.len(), 4, "two months, two clocks: {report}");
        for m in &months[2..] {
            let (stopped, met) = expected[m["clock"].as_str().unwrap()];
            assert_eq!(
                (m["stopped"].as_i64(), m["met"].as_i64()),
                (Some(stopped), Some(met)),
                "{m}"
            );
            assert_eq!(m["met_percent"], 100.0);
            assert!(m["p90_minutes"].as_i64().is_some(), "{m}");
        }
        assert_eq!(months[0]["stopped"], 0);
        assert_eq!(report["breaches"].as_array().unwrap().len(), 0);
        let res = s
            .client
            .get(s.url("/api/v1/agreements/SLA-0001/report?format=csv"))
            .bearer_auth(&s.tokens["auditor"])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let csv = res.text().await.unwrap();
        assert!(
            csv.starts_with(
                "agreement,month,clock,stopped,met,met_percent,mean_minutes,p90_minutes"
            ),
            "{csv}"
        );
        assert_eq!(csv.lines().count(), 1 + 24, "{csv}");
        for bad in [
            "/api/v1/agreements/SLA-0001/report?months=0",
            "/api/v1/agreements/SLA-0001/report?to=2026-13",
            "/api/v1/agreements/SLA-0001/report?format=xml",
            "/api/v1/agreements/SLA-0001/report?colour=red",
        ] {
            let (st, v) = s.get("manager", bad).await;
            assert!(
                st == StatusCode::UNPROCESSABLE_ENTITY || st == StatusCode::BAD_REQUEST,
                "{bad}: {st} {v}"
            );
        }
        let (st, _) = s.get("manager", "/api/v1/agreements/SLA-0099/report").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .get("customer", "/api/v1/agreements/SLA-0001/report")
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        s.stop().await;
    }
}

async fn assign(s: &TestServer, number: &str) {
    let (st, v, _) = s
        .call(
            "admin",
            Method::PATCH,
            &format!("/api/v1/incidents/{number}"),
            Some(json!({"group": "Service Desk", "assignee": "agent@provider.test"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn notifications_reach_people_and_work_notes_never_reach_customers() {
    for backend in backends() {
        let sink = SmtpSink::start().await;
        let url = sink.url();
        let s = TestServer::start_with(backend, |c| {
            c.smtp_url = url;
            c.job_poll_millis = 20;
            c.public_url = "https://desk.example".into();
        })
        .await;
        let number = s.raise("customer", "VPN drops", "SVC-0001").await;
        // Nobody but the caller is around yet, and the caller raised it.
        settle(&s).await;
        assert!(sink.messages().is_empty());
        assign(&s, &number).await;
        let m = sink.wait_for(1).await;
        assert_eq!(m[0].to, ["agent@provider.test"]);
        assert!(m[0].header("Subject").contains("assigned to you"), "{m:?}");
        assert!(
            m[0].body()
                .contains(&format!("https://desk.example/incidents/{number}"))
        );

        let (st, _) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{number}/comments"),
                json!({"body": "We are on it."}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let m = sink.wait_for(2).await;
        assert_eq!(m[1].to, ["cora@alpha.test"], "{m:#?}");
        assert!(m[1].body().contains("> We are on it."), "{}", m[1].body());

        // A work note by the admin reaches the assignee, never the customer.
        let (st, _) = s
            .post(
                "admin",
                &format!("/api/v1/incidents/{number}/comments"),
                json!({"body": "secret internal detail", "visibility": "internal"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let m = sink.wait_for(3).await;
        assert_eq!(m[2].to, ["agent@provider.test"]);
        assert!(m[2].body().contains("secret internal detail"));

        // Resolution tells the caller; the customer has muted nothing.
        let (st, v) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{number}/transitions"),
                json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "Reset the tunnel."}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let m = sink.wait_for(4).await;
        assert_eq!(m[3].to, ["cora@alpha.test"]);
        assert!(m[3].header("Subject").contains("resolved"));
        tokio::time::sleep(Duration::from_millis(300)).await;
        for msg in sink.messages() {
            if msg.to.iter().any(|t| t.ends_with("alpha.test")) {
                assert!(!msg.data.contains("secret internal detail"), "{msg:?}");
            }
        }
        // The jobs are visible to the admin, all done.
        let (st, jobs) = s.get("admin", "/api/v1/jobs").await;
        assert_eq!(st, StatusCode::OK, "{jobs}");
        assert_eq!(jobs["counts"]["dead"], 0, "{jobs}");
        assert!(
            jobs["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|j| j["kind"] == "email")
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn a_mail_server_that_refuses_leaves_a_dead_job_to_retry_and_the_incident_saved() {
    for backend in backends() {
        let sink = SmtpSink::start().await;
        sink.refuse
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let url = sink.url();
        let s = TestServer::start_with(backend, |c| {
            c.smtp_url = url;
            c.job_poll_millis = 20;
            c.job_max_attempts = 1;
        })
        .await;
        let number = s.raise("customer", "Disk full", "SVC-0001").await;
        assign(&s, &number).await;
        let mut dead = Value::Null;
        for _ in 0..200 {
            let (_, jobs) = s.get("admin", "/api/v1/jobs?state=dead").await;
            if let Some(j) = jobs["items"].as_array().and_then(|a| a.first()) {
                dead = j.clone();
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(dead["kind"], "email", "{dead}");
        assert!(
            dead["last_error"]
                .as_str()
                .unwrap()
                .contains("did not take the message"),
            "{dead}"
        );
        let (st, _) = s.get("agent", &format!("/api/v1/incidents/{number}")).await;
        assert_eq!(st, StatusCode::OK);
        // Only an admin may put it back; once the server takes mail, it is delivered.
        let id = dead["id"].as_i64().unwrap();
        let (st, _) = s
            .post("agent", &format!("/api/v1/jobs/{id}/retry"), json!({}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        sink.refuse
            .store(false, std::sync::atomic::Ordering::Relaxed);
        let (st, v) = s
            .post("admin", &format!("/api/v1/jobs/{id}/retry"), json!({}))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let m = sink.wait_for(1).await;
        assert_eq!(m[0].to, ["agent@provider.test"]);
        // The worker records the outcome after the mail server took the message.
        let mut job = Value::Null;
        for _ in 0..100 {
            job = s.get("admin", &format!("/api/v1/jobs/{id}")).await.1;
            if job["state"] == "done" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(job["state"], "done", "{job}");
        assert_eq!(job["runs"].as_array().unwrap().len(), 2, "{job}");
        let (st, _) = s
            .post("admin", &format!("/api/v1/jobs/{id}/retry"), json!({}))
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, _) = s.get("admin", "/api/v1/jobs?state=lost").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        s.stop().await;
    }
}

/// A clock with a one-minute target: the warning (at 1 %) and then the breach
/// are mailed; the breach escalates to the group's manager and raises the
/// priority. Both databases run side by side to wait the minute once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breach_warns_escalates_and_raises_the_priority() {
    match backends().as_slice() {
        [one] => breach_case(*one).await,
        [a, b] => {
            tokio::join!(breach_case(*a), breach_case(*b));
        }
        other => panic!("unexpected backends {other:?}"),
    }
}

async fn breach_case(backend: common::Backend) {
    {
        let sink = SmtpSink::start().await;
        let url = sink.url();
        let s = TestServer::start_with(backend, |c| {
            c.smtp_url = url;
            c.job_poll_millis = 50;
            c.sla_breach_raises_priority = true;
        })
        .await;
        let cal = agreement(&s, 1, true).await;
        // The manager belongs to the group: the escalation goes to them.
        let (st, v) = s
            .post(
                "admin",
                "/api/v1/groups",
                json!({"name": "Second line", "members": ["agent@provider.test", "manager@provider.test"]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        // The group's own part: taken at once (response met), its
        // resolution breaches too, without a second escalation.
        ola(&s, cal, "Second line", 1, 1).await;
        let number = s
            .raise("customer", "Payroll export fails", "SVC-0002")
            .await;
        let (st, v, _) = s
            .call(
                "admin",
                Method::PATCH,
                &format!("/api/v1/incidents/{number}"),
                Some(json!({"group": "Second line", "assignee": "agent@provider.test"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let mut breach_to = Vec::new();
        let mut ola_to = Vec::new();
        let mut warned = false;
        for _ in 0..900 {
            for m in sink.messages() {
                let subject = m.header("Subject");
                warned |= subject.contains("SLA warning");
                if subject.contains("SLA breached") {
                    breach_to.extend(m.to.clone());
                }
                if subject.contains("OLA breached") {
                    ola_to.extend(m.to.clone());
                }
            }
            if breach_to.len() >= 4 && ola_to.len() >= 2 {
                break;
            }
            breach_to.clear();
            ola_to.clear();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(warned, "{:?}", sink.messages());
        // Response and resolution both breach: the agent and the manager hear of each.
        breach_to.sort();
        assert_eq!(
            breach_to,
            [
                "agent@provider.test",
                "agent@provider.test",
                "manager@provider.test",
                "manager@provider.test"
            ]
        );
        ola_to.sort();
        assert_eq!(ola_to, ["agent@provider.test", "manager@provider.test"]);
        let mut priority = Value::Null;
        for _ in 0..100 {
            let (_, inc) = s.get("agent", &format!("/api/v1/incidents/{number}")).await;
            priority = inc["priority"].clone();
            if priority == "P4" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(priority, "P4", "urgency raised one step from P5");
        let (_, history) = s
            .get("agent", &format!("/api/v1/incidents/{number}/history"))
            .await;
        let actions: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions.iter().filter(|a| **a == "sla_breach").count(),
            2,
            "{actions:?}"
        );
        assert_eq!(
            actions.iter().filter(|a| **a == "ola_breach").count(),
            1,
            "{actions:?}"
        );
        assert_eq!(
            actions.iter().filter(|a| **a == "escalate").count(),
            1,
            "{actions:?}"
        );
        // Staff record why it was missed; customers may not; an empty reason is refused.
        let path = format!("/api/v1/incidents/{number}/sla/resolution/reason");
        let (st, v, _) = s
            .call("customer", Method::PUT, &path, Some(json!({"reason": "x"})))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
        let (st, v, _) = s
            .call("agent", Method::PUT, &path, Some(json!({"reason": "  "})))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, v, _) = s
            .call(
                "agent",
                Method::PUT,
                &path,
                Some(json!({"reason": "Payroll supplier outage"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(
            clock(&v, "resolution")["breach_reason"],
            "Payroll supplier outage"
        );
        let (st, _, _) = s
            .call(
                "agent",
                Method::PUT,
                &format!("/api/v1/incidents/{number}/sla/lunch/reason"),
                Some(json!({"reason": "x"})),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Resolved late: both clocks are missed, and the report lists both breaches.
        let (st, v) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{number}/transitions"),
                json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "Late."}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, report) = s
            .get("auditor", "/api/v1/agreements/SLA-0001/report?months=1")
            .await;
        assert_eq!(st, StatusCode::OK, "{report}");
        for m in report["months"].as_array().unwrap() {
            assert_eq!(
                (m["stopped"].as_i64(), m["met"].as_i64()),
                (Some(1), Some(0)),
                "{m}"
            );
        }
        let breaches = report["breaches"].as_array().unwrap();
        assert_eq!(breaches.len(), 2, "{report}");
        assert!(breaches.iter().any(|b| b["clock"] == "resolution"
            && b["reason"] == "Payroll supplier outage"
            && b["incident"] == number.as_str()));
        // An OLA mail goes to the group whose clock it is, even once the
        // incident was handed over to another group before it was sent.
        let (st, v) = s
            .post(
                "admin",
                "/api/v1/groups",
                json!({"name": "Night desk", "members": ["admin@provider.test"]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, v, _) = s
            .call(
                "admin",
                Method::PATCH,
                &format!("/api/v1/incidents/{number}"),
                Some(json!({"group": "Night desk", "assignee": null})),
            )
            .await;
        assert!(
            st == StatusCode::OK || st == StatusCode::CONFLICT,
            "{st} {v}"
        );
        let store = &s.state.store;
        let id = store
            .record(&number, steward_domain::access::Visibility::All)
            .await
            .unwrap()
            .id;
        let second = store.group_by_name("Second line").await.unwrap().id;
        let in_group = |people: &[steward_store::Recipient]| {
            let mut v: Vec<String> = people
                .iter()
                .filter(|r| r.in_group)
                .map(|r| r.email.clone())
                .collect();
            v.sort();
            v
        };
        let ola = store.notification_circle(id, Some(second)).await.unwrap();
        assert_eq!(
            in_group(&ola),
            ["agent@provider.test", "manager@provider.test"]
        );
        let now = store.notification_circle(id, None).await.unwrap();
        assert_eq!(in_group(&now), ["admin@provider.test"]);
        s.stop().await;
    }
}
