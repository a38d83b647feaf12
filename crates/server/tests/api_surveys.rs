//! Satisfaction surveys over HTTP, on both databases: an owner writes a
//! survey and sends it; every active contact of its customer is asked and
//! e-mailed; each answers once per round, another organisation's contact
//! gets 404 and staff may not answer; results per customer and question and
//! on the satisfaction page; the evidence check sees the answers; the
//! periodic job sends the next round when it is due; and bad input.

mod common;

use common::smtp::SmtpSink;
use common::{TestServer, backends, check_status, org_id, settle};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn day(offset: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * offset);
    t.strftime("%Y-%m-%d").to_string()
}

/// An agreed SLA for `customer` in force today (what makes the check count it).
async fn agreement(s: &TestServer, customer: &str) {
    let all_day = json!(["00:00-24:00"]);
    let (st, cal) = s
        .post(
            "manager",
            "/api/v1/calendars",
            json!({"name": format!("24x7 {customer}"), "time_zone": "UTC",
                   "week": {"monday": all_day, "tuesday": all_day, "wednesday": all_day,
                            "thursday": all_day, "friday": all_day, "saturday": all_day,
                            "sunday": all_day}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{cal}");
    let t = json!({"response_minutes": 60, "resolution_minutes": 480});
    let (st, v) = s
        .post(
            "manager",
            "/api/v1/agreements",
            json!({"kind": "sla", "title": format!("{customer} standard"), "customer": customer,
                   "calendar": cal["id"], "valid_from": day(-30), "status": "agreed",
                   "targets": {"P1": t, "P2": t, "P3": t, "P4": t, "P5": t}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
}

fn answers(scores: &[Option<i64>], text: Option<&str>) -> Value {
    let mut a: Vec<Value> = scores.iter().map(|s| json!({"score": s})).collect();
    a.push(json!({"text": text}));
    json!({ "answers": a })
}

#[tokio::test]
async fn contacts_answer_a_survey_once_per_round_and_results_add_up() {
    for backend in backends() {
        let sink = SmtpSink::start().await;
        let url = sink.url();
        let s = TestServer::start_with(backend, |c| {
            c.smtp_url = url;
            c.job_poll_millis = 20;
            c.public_url = "https://desk.example".into();
        })
        .await;
        agreement(&s, "Alpha").await;
        agreement(&s, "Beta").await;
        let alpha = org_id(&s, "Alpha").await;
        let (_, req) = s.get("auditor", "/api/v1/requirements/9.1").await;
        assert_eq!(check_status(&req, "customers-surveyed"), "not_met", "{req}");

        // Bad surveys: refused with the field, nothing written.
        let good = json!({"title": "Alpha survey", "organisation": alpha, "service": "SVC-0001",
            "questions": [{"text": "How satisfied are you?"}, {"text": "Speed?", "kind": "score"},
                          {"text": "What should we improve?", "kind": "text"}]});
        for (bad, says) in [
            (json!({"title": "", "questions": [{"text": "Q?"}]}), "title"),
            (
                json!({"title": "S", "questions": []}),
                "at least one question",
            ),
            (
                json!({"title": "S", "questions": [{"text": "Why?", "kind": "text"}]}),
                "scored",
            ),
            (
                json!({"title": "S", "questions": [{"text": "Q?", "kind": "stars"}]}),
                "score or text",
            ),
            (
                json!({"title": "S", "questions": [{"text": "Q?"}], "every_months": 2}),
                "every_months",
            ),
            (
                json!({"title": "S", "questions": [{"text": "Q?"}], "organisation": 99_999}),
                "organisation",
            ),
            (
                json!({"title": "S", "questions": [{"text": "Q?"}], "service": "SVC-9999"}),
                "service",
            ),
        ] {
            let (st, v) = s.post("manager", "/api/v1/surveys", bad).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
            assert!(v.to_string().contains(says), "{says}: {v}");
        }
        let (st, _) = s.post("agent", "/api/v1/surveys", good.clone()).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, none) = s.get("manager", "/api/v1/surveys").await;
        assert_eq!(none["items"], json!([]), "nothing written: {none}");

        // Written as a draft, changed, then sent: Alpha's two contacts are
        // asked and e-mailed (Beta's not).
        let (st, v) = s.post("manager", "/api/v1/surveys", good.clone()).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        assert_eq!(v["state"], "draft");
        let id = v["id"].as_i64().unwrap();
        let path = format!("/api/v1/surveys/{id}");
        let mut changed = good.clone();
        changed["title"] = json!("Alpha quarterly survey");
        let (st, v, _) = s
            .call("manager", Method::PUT, &path, Some(changed.clone()))
            .await;
        assert_eq!(
            (st, &v["title"]),
            (StatusCode::OK, &json!("Alpha quarterly survey")),
            "{v}"
        );
        let (st, _) = s.get("customer", &path).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "a draft is nobody's to answer");
        let (st, v) = s.post("manager", &format!("{path}/send"), json!({})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(
            (v["round"].as_i64(), v["invited"].as_i64()),
            (Some(1), Some(2)),
            "{v}"
        );
        let (st, v, _) = s.call("manager", Method::PUT, &path, Some(changed)).await;
        assert_eq!(
            st,
            StatusCode::CONFLICT,
            "a sent survey stays as asked: {v}"
        );
        sink.wait_for(2).await;
        settle(&s).await;
        let mail = sink.messages();
        let to: Vec<String> = mail.iter().flat_map(|m| m.to.clone()).collect();
        assert_eq!(to.len(), 2, "{to:?}");
        assert!(to.contains(&"cora@alpha.test".to_owned()), "{to:?}");
        assert!(to.contains(&"carl@alpha.test".to_owned()), "{to:?}");
        assert!(
            mail[0]
                .data
                .contains(&format!("https://desk.example/surveys/{id}")),
            "{}",
            mail[0].data
        );

        // A contact sees it; another organisation's does not; staff may not answer.
        let (st, mine) = s.get("customer", "/api/v1/surveys").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(mine["items"][0]["id"], id, "{mine}");
        let (_, theirs) = s.get("other", "/api/v1/surveys").await;
        assert_eq!(theirs["items"], json!([]), "{theirs}");
        let answer = format!("{path}/answers");
        let (st, _) = s
            .post("other", &answer, answers(&[Some(5), Some(5)], None))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get("other", &path).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .post("manager", &answer, answers(&[Some(5), Some(5)], None))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s.get("customer", &format!("{path}/results")).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "results are the provider's");

        // Bad answers: refused, nothing written.
        for bad in [
            answers(&[Some(5)], None),
            answers(&[None, Some(4)], None),
            answers(&[Some(6), Some(4)], None),
            json!({"answers": [{"score": 5}, {"score": 4}, {"score": 3}]}),
            json!({"answers": [{"score": 5, "text": "x"}, {"score": 4}, {}]}),
            json!({"answers": [], "extra": 1}),
        ] {
            let (st, v) = s.post("customer", &answer, bad.clone()).await;
            assert!(
                st.is_client_error() && st != StatusCode::CONFLICT,
                "{bad} -> {st} {v}"
            );
        }

        // Answered once: a second answer is a conflict.
        let (st, v) = s
            .post(
                "customer",
                &answer,
                answers(&[Some(5), Some(4)], Some("  Call back sooner ")),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
        let (st, v) = s
            .post("customer", &answer, answers(&[Some(1), Some(1)], None))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        let (st, v) = s
            .post("customer2", &answer, answers(&[Some(2), Some(3)], None))
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
        let (_, me) = s.get("customer", &path).await;
        assert!(me["you_answered_at"].is_string(), "{me}");

        // Results: per customer and question, the round, the written answer.
        let (st, r) = s.get("auditor", &format!("{path}/results")).await;
        assert_eq!(st, StatusCode::OK, "{r}");
        assert_eq!(r["scores"].as_array().unwrap().len(), 2, "{r}");
        assert_eq!(r["scores"][0]["question"], "How satisfied are you?");
        assert_eq!(
            (
                r["scores"][0]["answers"].as_i64(),
                r["scores"][0]["average"].as_f64()
            ),
            (Some(2), Some(3.5)),
            "{r}"
        );
        assert_eq!(r["scores"][0]["satisfied"], "50.0%");
        assert_eq!(
            (
                r["rounds"][0]["invited"].as_i64(),
                r["rounds"][0]["answered"].as_i64()
            ),
            (Some(2), Some(2)),
            "{r}"
        );
        assert_eq!(r["comments"][0]["answer"], "Call back sooner", "{r}");
        let (_, sat) = s.get("manager", "/api/v1/satisfaction").await;
        let row = &sat["surveys"][0];
        assert_eq!(
            (
                row["organisation"].as_str(),
                row["ratings"].as_i64(),
                row["satisfied"].as_i64()
            ),
            (Some("Alpha"), Some(4), Some(2)),
            "{sat}"
        );
        assert_eq!(row["service"], "Mail", "{sat}");
        let (_, theirs) = s.get("other", "/api/v1/satisfaction").await;
        assert_eq!(theirs["surveys"], json!([]), "{theirs}");
        let (_, history) = s
            .get("auditor", &format!("/api/v1/audit?record=survey-{id}"))
            .await;
        let actions: Vec<&str> = history
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["action"].as_str()).collect())
            .unwrap_or_default();
        for a in ["create", "update", "send", "answer"] {
            assert!(actions.contains(&a), "{a}: {history}");
        }

        // Alpha answered within the year, Beta not: partly met.
        let (_, req) = s.get("auditor", "/api/v1/requirements/9.1").await;
        assert_eq!(
            check_status(&req, "customers-surveyed"),
            "partly_met",
            "{req}"
        );

        // Closed: no more answers, no new round.
        let (st, _) = s.post("manager", &format!("{path}/close"), json!({})).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (st, _) = s.post("manager", &format!("{path}/close"), json!({})).await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, _) = s.post("manager", &format!("{path}/send"), json!({})).await;
        assert_eq!(st, StatusCode::CONFLICT);
        s.stop().await;
    }
}

#[tokio::test]
async fn a_periodic_survey_sends_its_next_round_when_due() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/surveys",
                json!({"title": "Monthly pulse", "every_months": 1,
                       "questions": [{"text": "How are we doing?"}]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let id = v["id"].as_i64().unwrap();
        let path = format!("/api/v1/surveys/{id}");
        let (st, v) = s.post("manager", &format!("{path}/send"), json!({})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["invited"], 3, "every customer's contacts: {v}");
        let (st, _) = s
            .post(
                "other",
                &format!("{path}/answers"),
                json!({"answers": [{"score": 4}]}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);

        // Not due today; due a month on: the job sends round 2 once.
        let today: jiff::civil::Date = day(0).parse().unwrap();
        let later = today.checked_add(jiff::Span::new().months(1)).unwrap();
        let due = |d| steward_server::surveys::queue_due_on(&s.state, d);
        assert_eq!(due(today).await.unwrap(), 0);
        assert_eq!(due(later).await.unwrap(), 1);
        settle(&s).await;
        let (_, v) = s.get("manager", &path).await;
        assert_eq!(
            (v["round"].as_i64(), v["answered"].as_i64()),
            (Some(2), Some(0)),
            "{v}"
        );
        assert_eq!(
            due(today).await.unwrap(),
            0,
            "sent today: not due again for a month"
        );
        // The new round is answered again, the old invitation no more counts.
        let (st, v) = s
            .post(
                "other",
                &format!("{path}/answers"),
                json!({"answers": [{"score": 2}]}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{v}");
        let (_, r) = s.get("manager", &format!("{path}/results")).await;
        assert_eq!(
            r["rounds"].as_array().unwrap().len(),
            4,
            "two rounds, two customers: {r}"
        );
        s.stop().await;
    }
}
