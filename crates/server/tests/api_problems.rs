//! Problem management over HTTP, on both databases: problems on the kernel,
//! links from either side, known errors on incidents, applying a workaround,
//! candidates from repeated incidents, and the bad input of each.

mod common;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn links(s: &TestServer, who: &str, path: &str) -> Vec<(String, String)> {
    let (st, v) = s.get(who, path).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["type"].as_str().unwrap().to_owned(),
                l["number"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn check<'a>(req: &'a Value, id: &str) -> &'a Value {
    req["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {req}"))
}

async fn step(s: &TestServer, number: &str, body: Value) -> (StatusCode, Value) {
    s.post(
        "agent",
        &format!("/api/v1/problems/{number}/transitions"),
        body,
    )
    .await
}

#[tokio::test]
async fn problems_known_errors_and_workarounds() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let first = s
            .raise("customer", "Mail does not arrive", "SVC-0001")
            .await;
        let second = s.raise("customer2", "Mail stuck again", "SVC-0001").await;

        // Recorded with the first incident linked from the problem's side.
        let (st, p) = s
            .post(
                "agent",
                "/api/v1/problems",
                json!({"title": "Mail queue stalls", "service": "SVC-0001",
                       "description": "Outgoing mail waits for hours", "impact": 2, "urgency": 2,
                       "target_date": "2030-01-31", "incidents": [first]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{backend:?} {p}");
        let number = p["number"].as_str().unwrap().to_owned();
        assert_eq!(number, "PRB-000001");
        assert_eq!(p["state"], "new");
        assert_eq!(p["priority"], "P3");
        assert_eq!(p["incident_count"], 1);
        assert_eq!(p["services"][0]["number"], "SVC-0001");
        // Shown from both ends, each in its own words.
        assert_eq!(
            links(&s, "agent", &format!("/api/v1/incidents/{first}/links")).await,
            [("caused_by".to_owned(), number.clone())]
        );
        assert_eq!(
            links(&s, "agent", &format!("/api/v1/problems/{number}/links")).await,
            [("causes".to_owned(), first.clone())]
        );
        let (_, linked) = s
            .get("auditor", &format!("/api/v1/problems/{number}/incidents"))
            .await;
        assert_eq!(linked[0]["number"], first.as_str());

        // The lifecycle refuses steps out of order, naming the allowed ones.
        let (st, v) = step(
            &s,
            &number,
            json!({"action": "resolve", "permanent_fix": "x"}),
        )
        .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        assert_eq!(
            v["detail"],
            "cannot resolve a problem that is new; allowed from here: investigate, cancel"
        );
        let (st, _) = step(&s, &number, json!({"action": "investigate"})).await;
        assert_eq!(st, StatusCode::OK);
        let (st, v) = step(&s, &number, json!({"action": "known_error"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["field"], "workaround");
        let (st, v) = step(
            &s,
            &number,
            json!({"action": "known_error", "workaround": "Restart the mail queue"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "known_error");
        assert_eq!(v["known_error"], true);

        // The known error shows on the other open incident of the same service
        // and category, to staff; to its customer only once published.
        let path = format!("/api/v1/incidents/{second}/known-errors");
        let (_, ke) = s.get("agent", &path).await;
        assert_eq!(ke[0]["number"], number.as_str());
        assert_eq!(ke[0]["linked"], false);
        let (_, ke) = s.get("customer2", &path).await;
        assert_eq!(ke, json!([]));
        let (st, v, _) = s
            .call(
                "agent",
                Method::PATCH,
                &format!("/api/v1/problems/{number}"),
                Some(json!({"published": true})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (_, ke) = s.get("customer2", &path).await;
        assert_eq!(ke[0]["workaround"], "Restart the mail queue");
        // A customer of another organisation neither sees the incident nor its known errors.
        let (st, _) = s.get("other", &path).await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Apply workaround: one action, in the incident's history, with a link.
        let (st, c) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{second}/workaround"),
                json!({"problem": number}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        assert_eq!(c["visibility"], "public");
        let actions_of = |h: &Value| -> Vec<String> {
            h.as_array()
                .unwrap()
                .iter()
                .map(|e| e["action"].as_str().unwrap().to_owned())
                .collect()
        };
        let (_, history) = s
            .get("agent", &format!("/api/v1/incidents/{second}/history"))
            .await;
        assert!(
            actions_of(&history).contains(&"apply_workaround".to_owned()),
            "{history}"
        );
        // Its customer reads the workaround as a comment; the history never
        // names the problem behind it, nor any link.
        let (_, history) = s
            .get("customer2", &format!("/api/v1/incidents/{second}/history"))
            .await;
        let seen = actions_of(&history);
        assert!(
            !seen.iter().any(|a| a == "apply_workaround" || a == "link"),
            "{history}"
        );
        assert!(!history.to_string().contains(&number), "{history}");
        let (_, comments) = s
            .get("customer2", &format!("/api/v1/incidents/{second}/comments"))
            .await;
        assert_eq!(comments[0]["body"], "Workaround: Restart the mail queue");
        assert!(!comments.to_string().contains(&number));
        // The first incident's customer does not learn of the link either.
        let (_, history) = s
            .get("customer", &format!("/api/v1/incidents/{first}/history"))
            .await;
        assert!(!history.to_string().contains(&number), "{history}");
        assert_eq!(
            links(&s, "agent", &format!("/api/v1/incidents/{second}/links")).await,
            [("caused_by".to_owned(), number.clone())]
        );
        // A customer never sees the link to the provider's problem.
        assert!(
            links(
                &s,
                "customer2",
                &format!("/api/v1/incidents/{second}/links")
            )
            .await
            .is_empty()
        );
        let (_, p) = s.get("agent", &format!("/api/v1/problems/{number}")).await;
        assert_eq!(p["incident_count"], 2);

        // Customers never learn of problems.
        let (st, _) = s.get("customer", "/api/v1/problems").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .get("customer", &format!("/api/v1/problems/{number}"))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // Lists and filters.
        let (_, list) = s.get("agent", "/api/v1/problems?known_error=true").await;
        assert_eq!(list["items"][0]["number"], number.as_str());
        let (_, list) = s.get("agent", "/api/v1/problems?state=closed").await;
        assert_eq!(list["items"], json!([]));
        let (st, v) = s.get("agent", "/api/v1/problems?state=bogus").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        // Comments and history on the problem, through the kernel.
        let (st, _) = s
            .post(
                "agent",
                &format!("/api/v1/problems/{number}/comments"),
                json!({"body": "Vendor ticket opened", "visibility": "internal"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
        let (_, h) = s
            .get("auditor", &format!("/api/v1/problems/{number}/history"))
            .await;
        let actions: Vec<_> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            actions,
            [
                "create",
                "link",
                "investigate",
                "known_error",
                "update",
                "link",
                "work_note"
            ]
        );
        // A published workaround is corrected in place, and only once recorded.
        let (st, v, _) = s
            .call(
                "agent",
                Method::PATCH,
                &format!("/api/v1/problems/{number}"),
                Some(json!({"workaround": "Restart the mail queue, then resend"})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["workaround"], "Restart the mail queue, then resend");
        let (st, v, _) = s
            .call(
                "agent",
                Method::PATCH,
                &format!("/api/v1/problems/{number}"),
                Some(json!({"permanent_fix": "Bigger queue"})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["field"], "permanent_fix");
        // An incident number nobody may see is a field error, and no problem is recorded.
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/problems",
                json!({"title": "Ghost", "service": "SVC-0001", "incidents": ["INC-999999"]}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["field"], "incidents");
        let (_, list) = s.get("agent", "/api/v1/problems?q=Ghost").await;
        assert_eq!(list["items"], json!([]));
        s.stop().await;
    }
}

#[tokio::test]
async fn bad_links_and_steps_are_refused_and_write_nothing() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let mine = s.raise("customer", "Printer jam", "SVC-0001").await;
        let theirs = s.raise("other", "Beta's outage", "SVC-0001").await;
        let (st, p) = s
            .post(
                "agent",
                "/api/v1/problems",
                json!({"title": "Printers jam", "service": "SVC-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{p}");
        let number = p["number"].as_str().unwrap().to_owned();
        let link = |record: &str| json!({"record": record, "type": "related_to"});
        let inc_links = format!("/api/v1/incidents/{mine}/links");

        // Itself, a record that does not exist, a bad type, a bad number.
        let (st, v) = s.post("agent", &inc_links, link(&mine)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, _) = s.post("agent", &inc_links, link("PRB-000999")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.post("agent", &inc_links, link("nonsense")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, v) = s
            .post(
                "agent",
                &inc_links,
                json!({"record": number, "type": "blocks"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        // A customer linking their incident to another organisation's: customers
        // do not link, refused before the other record is looked up; from the
        // other organisation's incident, it does not exist for them.
        let (st, _) = s.post("customer", &inc_links, link(&theirs)).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = s
            .post(
                "customer",
                &format!("/api/v1/incidents/{theirs}/links"),
                link(&mine),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert!(links(&s, "agent", &inc_links).await.is_empty());

        // Twice, from either side: the pair is linked once.
        let (st, v) = s.post("agent", &inc_links, link(&number)).await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, v) = s
            .post(
                "agent",
                &format!("/api/v1/problems/{number}/links"),
                json!({"record": mine, "type": "causes"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        assert_eq!(links(&s, "agent", &inc_links).await.len(), 1);
        let (st, _, _) = s
            .call(
                "agent",
                Method::DELETE,
                &format!("/api/v1/problems/{number}/links/{mine}"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        assert!(links(&s, "agent", &inc_links).await.is_empty());

        // A stale If-Match on a problem.
        let res = s
            .client
            .patch(s.url(&format!("/api/v1/problems/{number}")))
            .bearer_auth(&s.tokens["agent"])
            .header("If-Match", "\"v0\"")
            .json(&json!({"title": "Renamed"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
        let (_, p) = s.get("agent", &format!("/api/v1/problems/{number}")).await;
        assert_eq!(p["title"], "Printers jam");
        // A workaround the problem does not have, and one applied to a closed incident.
        let (st, v) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{mine}/workaround"),
                json!({"problem": number}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        for b in [
            json!({"action": "investigate"}),
            json!({"action": "known_error", "workaround": "Open the tray"}),
        ] {
            let (st, v) = step(&s, &number, b).await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        for t in [
            json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "ok"}),
            json!({"action": "close"}),
        ] {
            let (st, v) = s
                .post("agent", &format!("/api/v1/incidents/{mine}/transitions"), t)
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        let (_, before) = s
            .get("agent", &format!("/api/v1/incidents/{mine}/history"))
            .await;
        let (st, v) = s
            .post(
                "agent",
                &format!("/api/v1/incidents/{mine}/workaround"),
                json!({"problem": number}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        let (_, after) = s
            .get("agent", &format!("/api/v1/incidents/{mine}/history"))
            .await;
        // Compared by entry: the sealer may chain them (`seq`) between the two reads.
        let ids = |h: &Value| -> Vec<i64> {
            h.as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_i64().unwrap())
                .collect()
        };
        assert_eq!(ids(&before), ids(&after), "nothing written");
        // Cancelling is only possible early; a wrong step names the allowed ones.
        let (st, v) = step(&s, &number, json!({"action": "cancel"})).await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        assert!(
            v["detail"]
                .as_str()
                .unwrap()
                .ends_with("allowed from here: resolve")
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn repeated_incidents_make_a_candidate_problem() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        for n in 0..3 {
            s.raise("customer", &format!("VPN drops {n}"), "SVC-0001")
                .await;
        }
        // The evidence for 8.6.3 names the repeated incidents as gaps.
        let (_, req) = s.get("auditor", "/api/v1/requirements/8.6.3").await;
        let repeated = check(&req, "repeated-incidents-have-a-problem");
        assert_eq!(repeated["status"], "not_met", "{repeated}");
        assert_eq!(repeated["counted"], 3);
        assert_eq!(repeated["gaps"].as_array().unwrap().len(), 3);
        for id in [
            "known-errors-have-a-workaround",
            "problems-on-target",
            "major-incidents-reviewed",
        ] {
            assert_eq!(check(&req, id)["status"], "no_data", "{id}");
        }
        let (st, c) = s.get("agent", "/api/v1/problems/candidates").await;
        assert_eq!(st, StatusCode::OK);
        let found = c
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["service"]["number"] == "SVC-0001" && g["category"] == "general")
            .unwrap_or_else(|| panic!("{c}"));
        assert_eq!(found["incidents"], 3);
        // Once a problem is linked to them, they are no longer a candidate.
        let (_, list) = s.get("agent", "/api/v1/incidents?limit=10").await;
        let numbers: Vec<_> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].clone())
            .collect();
        let (st, v) = s
            .post(
                "agent",
                "/api/v1/problems",
                json!({"title": "VPN drops", "service": "SVC-0001", "incidents": numbers}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (_, c) = s.get("agent", "/api/v1/problems/candidates").await;
        assert_eq!(c, json!([]));
        let (_, req) = s.get("auditor", "/api/v1/requirements/8.6.3").await;
        let repeated = check(&req, "repeated-incidents-have-a-problem");
        assert_eq!(repeated["status"], "met", "{repeated}");
        s.stop().await;
    }
}

#[tokio::test]
async fn problems_take_comments_files_and_history_from_the_kernel() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let incident = s.raise("customer", "Printer jams", "SVC-0001").await;
        let (st, p) = s
            .post(
                "agent",
                "/api/v1/problems",
                json!({"title": "Printers jam", "service": "SVC-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{p}");
        let number = p["number"].as_str().unwrap().to_owned();

        // A file on the problem, through the same route shape as an incident's.
        let form = reqwest::multipart::Form::new()
            .text("visibility", "internal")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"jam log\n".to_vec()).file_name("jam.txt"),
            );
        let res = s
            .client
            .post(s.url(&format!("/api/v1/problems/{number}/attachments")))
            .bearer_auth(&s.tokens["agent"])
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let file: Value = res.json().await.unwrap();
        let (st, list) = s
            .get("agent", &format!("/api/v1/problems/{number}/attachments"))
            .await;
        assert_eq!(st, StatusCode::OK, "{list}");
        assert_eq!(list[0]["file_name"], "jam.txt");
        let res = s
            .client
            .get(s.url(&format!("/api/v1/attachments/{}", file["id"])))
            .bearer_auth(&s.tokens["agent"])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().as_ref(), b"jam log\n");
        // A customer learns of neither the problem nor its file.
        let (st, _) = s
            .get(
                "customer",
                &format!("/api/v1/problems/{number}/attachments"),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .get("customer", &format!("/api/v1/attachments/{}", file["id"]))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // A work note, then the history names both, on the problem.
        let (st, c) = s
            .post(
                "agent",
                &format!("/api/v1/problems/{number}/comments"),
                json!({"body": "Rollers worn", "visibility": "internal"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        let (_, h) = s
            .get("agent", &format!("/api/v1/problems/{number}/history"))
            .await;
        let actions: Vec<&str> = h
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["create", "work_note_attachment", "work_note"]);
        assert!(
            h.as_array()
                .unwrap()
                .iter()
                .all(|e| e["record_number"] == number.as_str()),
            "{h}"
        );

        // One kind's number under another kind's path is not there.
        let (st, _) = s
            .get("agent", &format!("/api/v1/problems/{incident}/comments"))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .get("agent", &format!("/api/v1/incidents/{number}/history"))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);

        // A cancelled problem takes no more files or comments, and writes nothing.
        let (st, v) = step(&s, &number, json!({"action": "cancel"})).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, v) = s
            .post(
                "agent",
                &format!("/api/v1/problems/{number}/comments"),
                json!({"body": "late"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{v}");
        let (_, after) = s
            .get("agent", &format!("/api/v1/problems/{number}/comments"))
            .await;
        assert_eq!(after.as_array().unwrap().len(), 1);
        s.stop().await;
    }
}
