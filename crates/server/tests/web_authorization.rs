//! The authorisation matrix of the web UI: every page and form x every role x
//! own and other organisation's record, signed in with a browser session. The
//! route list comes from the server's own web router (`web::routes`), so a new
//! page or form without an expected answer here fails this test.

mod common;

use std::collections::HashMap;

use common::{PASSWORD, TestServer, backends};
use reqwest::{Method, StatusCode, redirect};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Served: anything but 401, 403 or 404, and no server error (a form may
    /// answer 409 or 422 for the matrix's placeholder input).
    Allow,
    Forbidden,
    /// The record does not exist for this user.
    Hidden,
}
use Expect::*;

const ROLES: [&str; 5] = ["admin", "agent", "manager", "auditor", "customer"];

fn expect(route: &str, role: &str, own: bool) -> Expect {
    let staff = role != "customer";
    let only = |roles: &[&str]| {
        if roles.contains(&role) {
            Allow
        } else {
            Forbidden
        }
    };
    let scoped = |customer: Expect| {
        if staff {
            Allow
        } else if own {
            customer
        } else {
            Hidden
        }
    };
    // Staff who work records, a customer only on their own organisation's.
    let workers_scoped = |customer: Expect| {
        if role == "auditor" {
            Forbidden
        } else {
            scoped(customer)
        }
    };
    const STAFF: &[&str] = &["admin", "agent", "manager", "auditor"];
    const WORKERS: &[&str] = &["admin", "agent", "manager"];
    const OWNERS: &[&str] = &["admin", "manager"];
    match route {
        "GET /static/style.css"
        | "GET /login"
        | "POST /login"
        | "POST /logout"
        | "GET /"
        | "GET /incidents"
        | "GET /services"
        | "GET /settings"
        | "GET /search"
        | "POST /settings/time-zone"
        | "POST /settings/notifications"
        | "POST /settings/tokens" => Allow,
        "GET /incidents/new" | "POST /incidents/new" => {
            only(&["admin", "agent", "manager", "customer"])
        }
        "GET /incidents/{number}" | "GET /attachments/{id}" => scoped(Allow),
        "POST /incidents/{number}/comments" | "POST /incidents/{number}/attachments" => {
            workers_scoped(Allow)
        }
        // The matrix asks to start work, which only staff do.
        "POST /incidents/{number}/transition" => workers_scoped(Forbidden),
        "POST /incidents/{number}/edit"
        | "POST /incidents/{number}/sla/{kind}/reason"
        | "POST /incidents/{number}/links"
        | "POST /incidents/{number}/workaround" => workers_scoped(Forbidden),
        "POST /services" | "POST /services/{number}" => only(OWNERS),
        // A service the customer's organisation receives.
        "GET /services/{number}" => Allow,
        "GET /admin/groups" | "GET /admin/groups/{id}" => only(STAFF),
        "POST /admin/groups" | "POST /admin/groups/{id}" => only(OWNERS),
        "GET /agreements/new"
        | "POST /agreements/new"
        | "GET /agreements/{number}/edit"
        | "POST /agreements/{number}/edit"
        | "GET /calendars/new"
        | "POST /calendars/new"
        | "GET /calendars/{id}"
        | "POST /calendars/{id}" => only(OWNERS),
        "GET /admin/users"
        | "POST /admin/users"
        | "POST /admin/users/{id}/active"
        | "GET /admin/users/{id}"
        | "POST /admin/users/{id}"
        | "POST /admin/users/{id}/tokens/{token}/revoke"
        | "GET /admin/organisations"
        | "POST /admin/organisations"
        | "GET /admin/organisations/{id}"
        | "POST /admin/organisations/{id}"
        | "POST /admin/jobs/{id}/retry" => only(&["admin"]),
        // Nobody revokes someone else's token: it does not exist for them.
        "POST /settings/tokens/{id}/revoke" => Hidden,
        "GET /audit" | "GET /admin/jobs" => only(&["admin", "auditor"]),
        "GET /agreements"
        | "GET /agreements/{number}"
        | "GET /agreements/{number}/report.csv"
        | "GET /conformity"
        | "GET /conformity/report"
        | "GET /conformity/files/{id}"
        | "GET /conformity/{clause}"
        | "GET /sms"
        | "GET /sms/{register}"
        | "GET /sms/{register}/{number}"
        | "GET /sms/documents/{number}/files/{id}"
        | "GET /problems"
        | "GET /nonconformities"
        | "GET /actions"
        | "GET /improvements" => only(STAFF),
        "POST /calendars/{id}/holidays"
        | "POST /conformity/{clause}/note"
        | "POST /sms/{register}"
        | "POST /sms/{register}/{number}"
        | "POST /sms/documents/{number}/step"
        | "POST /sms/documents/{number}/files" => only(OWNERS),
        "POST /conformity/{clause}/evidence" => only(&["admin", "manager", "auditor"]),
        // The document is distributed to these three.
        "POST /sms/documents/{number}/acknowledge" => only(WORKERS),
        "GET /problems/new"
        | "POST /problems/new"
        | "GET /nonconformities/new"
        | "POST /nonconformities/new"
        | "POST /actions/new"
        | "GET /improvements/new"
        | "POST /improvements/new" => only(WORKERS),
        // Nonconformities and actions, like problems, are the provider's own.
        "GET /problems/{number}"
        | "GET /nonconformities/{number}"
        | "GET /actions/{number}"
        | "GET /improvements/{number}" => {
            if staff {
                Allow
            } else {
                Hidden
            }
        }
        "POST /problems/{number}/edit"
        | "POST /problems/{number}/transitions"
        | "POST /problems/{number}/comments"
        | "POST /problems/{number}/attachments"
        | "POST /problems/{number}/links"
        | "POST /nonconformities/{number}/edit"
        | "POST /nonconformities/{number}/analysis"
        | "POST /nonconformities/{number}/transitions"
        | "POST /nonconformities/{number}/comments"
        | "POST /nonconformities/{number}/attachments"
        | "POST /nonconformities/{number}/links"
        | "POST /actions/{number}/edit"
        | "POST /actions/{number}/transitions"
        | "POST /actions/{number}/comments"
        | "POST /actions/{number}/attachments"
        | "POST /actions/{number}/links"
        | "POST /improvements/{number}/edit"
        | "POST /improvements/{number}/promise"
        | "POST /improvements/{number}/transitions"
        | "POST /improvements/{number}/comments"
        | "POST /improvements/{number}/attachments"
        | "POST /improvements/{number}/links" => match role {
            "auditor" => Forbidden,
            "customer" => Hidden,
            _ => Allow,
        },
        // Internal audits: staff read them; internal auditors and managers plan and
        // carry them out; every member of staff may discuss and link a finding.
        "GET /audits" | "GET /findings" => only(STAFF),
        "GET /audits/new" | "POST /audits/new" => only(&["admin", "manager", "auditor"]),
        "GET /audits/{number}"
        | "GET /audits/{number}/samples/{id}/redraw"
        | "GET /audits/{number}/report"
        | "GET /findings/{number}"
        | "POST /findings/{number}/comments"
        | "POST /findings/{number}/attachments"
        | "POST /findings/{number}/links" => {
            if staff {
                Allow
            } else {
                Hidden
            }
        }
        "POST /audits/{number}/edit"
        | "POST /audits/{number}/transitions"
        | "POST /audits/{number}/samples"
        | "POST /audits/{number}/findings"
        | "POST /audits/{number}/comments"
        | "POST /audits/{number}/attachments"
        | "POST /audits/{number}/links"
        | "POST /findings/{number}/edit"
        | "POST /findings/{number}/transitions" => match role {
            "agent" => Forbidden,
            "customer" => Hidden,
            _ => Allow,
        },
        // Management reviews: staff read them and their packs; managers hold them.
        "GET /reviews" => only(STAFF),
        "GET /reviews/new" | "POST /reviews/new" => only(OWNERS),
        "GET /reviews/{number}" | "GET /reviews/{number}/pack" => {
            if staff {
                Allow
            } else {
                Hidden
            }
        }
        "POST /reviews/{number}/edit"
        | "POST /reviews/{number}/transitions"
        | "POST /reviews/{number}/comments"
        | "POST /reviews/{number}/attachments"
        | "POST /reviews/{number}/links" => match role {
            "agent" | "auditor" => Forbidden,
            "customer" => Hidden,
            _ => Allow,
        },
        "GET /satisfaction" => Allow,
        // Service reports: customers read their own organisation's; managers issue.
        "GET /service-reports" | "GET /service-reports/compile" => Allow,
        "POST /service-reports" => only(OWNERS),
        "GET /service-reports/{id}" => scoped(Allow),
        // Surveys: owners write and send them; customers answer those they
        // are asked (another organisation's is not there).
        "GET /surveys" => Allow,
        "POST /surveys"
        | "POST /surveys/{id}"
        | "POST /surveys/{id}/send"
        | "POST /surveys/{id}/close" => only(OWNERS),
        "GET /surveys/{id}" => scoped(Allow),
        "POST /surveys/{id}/answer" => match role {
            "customer" => scoped(Allow),
            _ => Forbidden,
        },
        "POST /incidents/{number}/rating" => match role {
            "customer" => scoped(Allow),
            _ => Forbidden,
        },
        // Complaints: customers raise, read and comment on their own organisation's.
        "GET /complaints" => Allow,
        "GET /complaints/new" | "POST /complaints/new" => {
            only(&["admin", "agent", "manager", "customer"])
        }
        "GET /complaints/{number}" => scoped(Allow),
        "POST /complaints/{number}/comments" | "POST /complaints/{number}/attachments" => {
            workers_scoped(Allow)
        }
        "POST /complaints/{number}/edit"
        | "POST /complaints/{number}/transitions"
        | "POST /complaints/{number}/links" => workers_scoped(Forbidden),
        // Articles: staff write them; customers read those published to them.
        "GET /articles" => Allow,
        "GET /articles/new" | "POST /articles/new" => only(WORKERS),
        "GET /articles/{number}" => scoped(Allow),
        "POST /articles/{number}/feedback" => workers_scoped(Allow),
        "POST /articles/{number}/comments"
        | "POST /articles/{number}/attachments"
        | "POST /articles/{number}/edit"
        | "POST /articles/{number}/transitions"
        | "POST /articles/{number}/links" => workers_scoped(Forbidden),
        // The catalogue and requests: customers order and follow their own
        // organisation's (REQ-000001 the customer's, REQ-000002 Beta's).
        "GET /catalogue" | "GET /requests" | "GET /offerings" | "GET /portal" => Allow,
        // A known error the customer's organisation is not told of (PRB-000001 is unpublished).
        "GET /portal/known-errors/{number}" => scoped(Hidden),
        "GET /offerings/new"
        | "POST /offerings/new"
        | "GET /offerings/{number}"
        | "POST /offerings/{number}" => only(OWNERS),
        "GET /requests/new" | "POST /requests/new" => {
            only(&["admin", "agent", "manager", "customer"])
        }
        "GET /requests/{number}" => scoped(Allow),
        // The matrix's step (start) is not a request's: refused as input.
        "POST /requests/{number}/comments"
        | "POST /requests/{number}/attachments"
        | "POST /requests/{number}/transitions" => workers_scoped(Allow),
        // Only its approvers decide (the Service Desk's agent), never the requester.
        "POST /requests/{number}/decision" => match role {
            "agent" => Allow,
            "customer" => scoped(Forbidden),
            _ => Forbidden,
        },
        "POST /requests/{number}/links" => workers_scoped(Forbidden),
        // Incoming mail: staff read it; those who work the desk review the quarantine.
        "GET /mail" | "GET /mail/{id}" | "GET /mail/{id}/raw" => only(STAFF),
        "POST /mail/{id}/release" | "POST /mail/{id}/dismiss" => only(WORKERS),
        // Business relationship: staff read customers; managers keep them.
        "GET /customers" | "GET /customers/{id}" => only(STAFF),
        "POST /customers/{id}/profile"
        | "POST /customers/{id}/contacts"
        | "POST /customers/{id}/contacts/{contact}/remove"
        | "POST /service-reviews/new" => only(OWNERS),
        // Service reviews: SRM-0001 Alpha's, SRM-0002 Beta's.
        "GET /service-reviews" => Allow,
        "GET /service-reviews/{number}" => scoped(Allow),
        "POST /service-reviews/{number}/transitions" => match role {
            "agent" | "auditor" => Forbidden,
            "customer" => scoped(Forbidden),
            _ => Allow,
        },
        "POST /service-reviews/{number}/comments"
        | "POST /service-reviews/{number}/attachments" => workers_scoped(Allow),
        "POST /service-reviews/{number}/links" => workers_scoped(Forbidden),
        // A mailed approval link is its own key: a made-up one is nobody's.
        "GET /approvals/{token}" | "POST /approvals/{token}" => Hidden,
        // Fulfilment tasks are the provider's own work.
        "GET /tasks" => only(STAFF),
        "GET /tasks/{number}" => scoped(Forbidden),
        "POST /tasks/{number}/comments"
        | "POST /tasks/{number}/attachments"
        | "POST /tasks/{number}/transitions"
        | "POST /tasks/{number}/links" => workers_scoped(Forbidden),
        other => panic!("web route {other} has no entry in the authorisation matrix; add one"),
    }
}

/// The fields every form of the matrix is sent; each form reads what it needs.
const FIELDS: &[(&str, &str)] = &[
    ("version", "1"),
    ("title", "matrix"),
    ("description", "matrix"),
    ("body", "matrix"),
    ("service", "SVC-0001"),
    ("category", "general"),
    ("impact", "3"),
    ("urgency", "3"),
    ("caller", ""),
    ("group", ""),
    ("assignee", ""),
    ("action", "start"),
    ("visibility", "public"),
    ("reason", "matrix"),
    ("record", "PRB-000001"),
    ("type", "related_to"),
    ("problem", "PRB-000001"),
    ("parent", "NCR-0001"),
    ("score", "4"),
    ("helpful", "yes"),
    ("name", "Matrix"),
    ("email", "matrix@provider.test"),
    ("role", "agent"),
    ("organisation", ""),
    ("password", "a long enough password"),
    ("time_zone", "UTC"),
    ("active", "true"),
    ("status", "live"),
    ("owner", ""),
    ("note", "matrix"),
    ("notes", "matrix"),
    ("operated_by", ""),
    ("controls", ""),
    ("step", "submit"),
    ("text", "matrix"),
    ("target_date", ""),
    ("incidents", ""),
    // The service form keeps ERP delivered to the customer's organisation.
    ("customers", "Alpha"),
    ("offering", "OFR-0001"),
    ("requested_for", "cora@alpha.test"),
    ("decision", "approve"),
];

struct Browser {
    client: reqwest::Client,
    csrf: String,
}

async fn sign_in(base: &str, email: &str) -> Browser {
    let client = common::signed_in(base, email).await;
    let page = client
        .get(format!("{base}/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a csrf token on the settings page")
        .to_owned();
    Browser { client, csrf }
}

#[tokio::test]
async fn every_page_and_form_every_role_own_and_other_organisation() {
    for backend in backends() {
        let s = TestServer::start_with(backend, |c| c.secure_cookies = false).await;
        let base = format!("http://{}", s.addr);
        let own_incident = s.raise("customer", "alpha's", "SVC-0001").await;
        let other_incident = s.raise("other", "beta's", "SVC-0001").await;
        let (_, me) = s.get("customer2", "/api/v1/me").await;
        let user_id = me["id"].to_string();
        let (_, tokens) = s.get("other", "/api/v1/tokens").await;
        let foreign_token = tokens[0]["id"].to_string();
        let mut attachment_ids = Vec::new();
        for (who, number) in [("customer", &own_incident), ("other", &other_incident)] {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(b"log line\n".to_vec()).file_name("log.txt"),
            );
            let res = s
                .client
                .post(s.url(&format!("/api/v1/incidents/{number}/attachments")))
                .bearer_auth(&s.tokens[who])
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            let v: serde_json::Value = res.json().await.unwrap();
            attachment_ids.push(v["id"].to_string());
        }
        for (path, body) in [
            (
                "/api/v1/risks",
                json!({"title": "Flood", "category": "risk", "likelihood": 2, "impact": 2}),
            ),
            (
                "/api/v1/documents",
                json!({"title": "Policy", "category": "policy", "reviewer": "admin@provider.test",
                       "distribution": ["admin@provider.test", "agent@provider.test", "manager@provider.test"]}),
            ),
            (
                "/api/v1/calendars",
                json!({"name": "Office", "time_zone": "Europe/Berlin", "week": {"monday": ["08:00-17:00"]}}),
            ),
            (
                "/api/v1/agreements",
                json!({"kind": "sla", "title": "Alpha gold", "customer": "Alpha", "calendar": 1,
                       "valid_from": "2026-01-01",
                       "targets": {"P1": {"response_minutes": 15, "resolution_minutes": 240}}}),
            ),
            (
                "/api/v1/problems",
                json!({"title": "Mail queue stalls", "service": "SVC-0001"}),
            ),
        ] {
            let (st, v) = s.post("manager", path, body).await;
            assert_eq!(st, StatusCode::CREATED, "{path} {v}");
        }
        // An offering of Mail approved by the Service Desk, and a request of
        // each organisation: REQ-000001 (TSK-000001) the customer's, REQ-000002 Beta's.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/offerings",
                json!({"service": "SVC-0001", "name": "Matrix offering", "target_minutes": 60,
                       "calendar": 1, "approvers": [{"kind": "group", "group": "Service Desk"}],
                       "tasks": [{"title": "Do it", "group": "Service Desk"}]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        for who in ["customer", "other"] {
            let (st, v) = s
                .post(who, "/api/v1/requests", json!({"offering": "OFR-0001"}))
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
        }
        // A service review with each organisation: SRM-0001 Alpha's, SRM-0002 Beta's.
        for customer in ["Alpha", "Beta"] {
            let (st, v) = s
                .post(
                    "manager",
                    "/api/v1/service-reviews",
                    json!({"title": "Review", "customer": customer, "target_date": "2026-12-10"}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
        }
        // A complaint of each organisation: CMP-0001 the customer's own, CMP-0002 another's.
        for who in ["customer", "other"] {
            let (st, v) = s
                .post(
                    who,
                    "/api/v1/complaints",
                    json!({"title": "Nobody called back", "service": "SVC-0001"}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
        }
        // An article published to each organisation: KB-0001 Alpha's, KB-0002 Beta's.
        for org in ["Alpha", "Beta"] {
            let (st, v) = s
                .post(
                    "agent",
                    "/api/v1/articles",
                    json!({"title": "Mail help", "body": "Restart Outlook.",
                           "audience": "customers", "organisations": [org]}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
            let path = format!(
                "/api/v1/articles/{}/transitions",
                v["number"].as_str().unwrap()
            );
            for action in ["review", "publish"] {
                let (st, v) = s.post("manager", &path, json!({"action": action})).await;
                assert_eq!(st, StatusCode::OK, "{v}");
            }
        }
        // A nonconformity with its corrective action.
        for (path, body) in [
            ("/api/v1/nonconformities", json!({"title": "Missed review"})),
            (
                "/api/v1/improvements",
                json!({"title": "Self-service reset"}),
            ),
            (
                "/api/v1/actions",
                json!({"title": "Schedule reviews", "parent": "NCR-0001"}),
            ),
        ] {
            let (st, v) = s.post("manager", path, body).await;
            assert_eq!(st, StatusCode::CREATED, "{path} {v}");
        }
        // An audit in progress with a finding.
        let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
        for (path, body) in [
            (
                "/api/v1/audits",
                json!({"title": "Incidents", "scope": ["8.6"], "starts_on": today,
                       "target_date": today, "assignee": "auditor@provider.test"}),
            ),
            (
                "/api/v1/audits/AUD-0001/transitions",
                json!({"action": "start"}),
            ),
            (
                "/api/v1/audits/AUD-0001/samples",
                json!({"kind": "incident", "from": today, "to": today, "size": 1}),
            ),
            (
                "/api/v1/findings",
                json!({"title": "Seen", "audit": "AUD-0001", "grade": "observation",
                       "clause": "8.6.1", "evidence": "As seen"}),
            ),
        ] {
            let (st, v) = s.post("auditor", path, body).await;
            assert!(st.is_success(), "{path}: {st} {v}");
        }
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/reviews",
                json!({"title": "Quarter", "period": "2026-Q3", "target_date": today}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        // A service report of each organisation: 1 Alpha's (own), 2 Beta's.
        for org in [2, 3] {
            let (st, v) = s
                .post(
                    "manager",
                    "/api/v1/service-reports",
                    json!({"organisation": org, "period": "2026-02"}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
        }
        // A survey sent to each organisation: 1 Alpha's (own), 2 Beta's.
        for org in [2, 3] {
            let (st, v) = s
                .post(
                    "manager",
                    "/api/v1/surveys",
                    json!({"title": "Pulse", "organisation": org, "questions": [{"text": "Q?"}]}),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
            let path = format!("/api/v1/surveys/{}/send", v["id"]);
            let (st, v) = s.post("manager", &path, json!({})).await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        for (who, step) in [("manager", "submit"), ("admin", "approve")] {
            let (st, v) = s
                .post(
                    who,
                    "/api/v1/documents/DOC-0001/steps",
                    json!({"step": step}),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        // A message in the quarantine (a stranger's), to read, release or dismiss.
        let mail_id = s
            .quarantine("From: stranger@nowhere.test\r\nSubject: Hello\r\n\r\nHi\r\n")
            .await
            .to_string();
        let mut file_ids = Vec::new();
        for path in [
            "/api/v1/documents/DOC-0001/files",
            "/api/v1/requirements/8.6.1/evidence/file",
        ] {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(b"evidence\n".to_vec()).file_name("e.txt"),
            );
            let res = s
                .client
                .post(s.url(path))
                .bearer_auth(&s.tokens["manager"])
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::CREATED, "{path}");
            let v: serde_json::Value = res.json().await.unwrap();
            file_ids.push(
                v["file_id"]
                    .as_i64()
                    .or(v["id"].as_i64())
                    .unwrap()
                    .to_string(),
            );
        }
        let emails: HashMap<&str, &str> = [
            ("admin", "admin@provider.test"),
            ("agent", "agent@provider.test"),
            ("manager", "manager@provider.test"),
            ("auditor", "auditor@provider.test"),
            ("customer", "cora@alpha.test"),
        ]
        .into_iter()
        .collect();
        let mut browsers = HashMap::new();
        for role in ROLES {
            browsers.insert(role, sign_in(&base, emails[role]).await);
        }

        let routes = steward_server::web::routes(1024 * 1024);
        let mut checked = 0;
        let mut wrong = Vec::new();
        for (method, template) in routes.list().iter().map(|(m, p)| (*m, p.as_str())) {
            let route = format!("{method} {template}");
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            for role in ROLES {
                for own in [true, false] {
                    let number = if template.starts_with("/agreements") {
                        "SLA-0001"
                    } else if template.starts_with("/services") {
                        // ERP: received by Alpha only.
                        "SVC-0002"
                    } else if template.contains("documents") {
                        "DOC-0001"
                    } else if template.starts_with("/sms") {
                        "RSK-0001"
                    } else if template.starts_with("/problems") {
                        "PRB-000001"
                    } else if template.starts_with("/articles") {
                        if own { "KB-0001" } else { "KB-0002" }
                    } else if template.starts_with("/portal") {
                        "PRB-000001"
                    } else if template.starts_with("/offerings") {
                        "OFR-0001"
                    } else if template.starts_with("/requests") {
                        if own { "REQ-000001" } else { "REQ-000002" }
                    } else if template.starts_with("/tasks") {
                        if own { "TSK-000001" } else { "TSK-000002" }
                    } else if template.starts_with("/service-reviews") {
                        if own { "SRM-0001" } else { "SRM-0002" }
                    } else if template.starts_with("/complaints") {
                        if own { "CMP-0001" } else { "CMP-0002" }
                    } else if template.starts_with("/nonconformities") {
                        "NCR-0001"
                    } else if template.starts_with("/improvements") {
                        "IMP-0001"
                    } else if template.starts_with("/audits") {
                        "AUD-0001"
                    } else if template.starts_with("/findings") {
                        "FND-0001"
                    } else if template.starts_with("/reviews") {
                        "REV-0001"
                    } else if template.starts_with("/actions") {
                        "ACT-0001"
                    } else if own {
                        &own_incident
                    } else {
                        &other_incident
                    };
                    // A user's token to revoke: a fresh one each time.
                    let token = if template.contains("{token}") {
                        let u = s
                            .state
                            .store
                            .user_by_email("carl@alpha.test")
                            .await
                            .unwrap();
                        let (t, _) = steward_server::admin::create_token(
                            &s.state.store,
                            &steward_store::AuditActor::system("test"),
                            &u,
                            &steward_server::admin::TokenInput::named("matrix"),
                        )
                        .await
                        .unwrap();
                        t.id.to_string()
                    } else {
                        String::new()
                    };
                    let id = if template.starts_with("/customers/") {
                        if own { "2" } else { "3" }
                    } else if template.starts_with("/admin/users/") {
                        &user_id
                    } else if template.starts_with("/admin/organisations/") {
                        // The provider: the matrix's form renames it, which harms no other check.
                        "1"
                    } else if template.starts_with("/admin/groups/") {
                        "1"
                    } else if template.contains("tokens") {
                        &foreign_token
                    } else if template.starts_with("/service-reports")
                        || template.starts_with("/surveys")
                    {
                        if own { "1" } else { "2" }
                    } else if template.contains("samples") {
                        "1"
                    } else if template.contains("documents") {
                        &file_ids[0]
                    } else if template.starts_with("/conformity/files") {
                        &file_ids[1]
                    } else if template.starts_with("/mail/") {
                        &mail_id
                    } else if template.contains("calendars") || template.contains("jobs") {
                        "1"
                    } else if template.starts_with("/attachments") {
                        if own {
                            &attachment_ids[0]
                        } else {
                            &attachment_ids[1]
                        }
                    } else {
                        &user_id
                    };
                    // A contact to remove, whoever removed one before.
                    let contact = if template.contains("{contact}") {
                        let (_, c) = s
                            .post(
                                "manager",
                                &format!("/api/v1/customers/{id}/contacts"),
                                json!({"name": "Matrix", "role": "technical", "phone": "1"}),
                            )
                            .await;
                        c["id"].to_string()
                    } else {
                        String::new()
                    };
                    let path = template
                        .replace("{number}", number)
                        .replace("{id}", id)
                        .replace("{contact}", &contact)
                        .replace("{token}", &token)
                        .replace("{clause}", "8.6.1")
                        .replace("{register}", "risks")
                        .replace("{kind}", "resolution");
                    let b = &browsers[role];
                    let mut req = b.client.request(method.clone(), format!("{base}{path}"));
                    if method == Method::POST {
                        let mut fields: Vec<(&str, &str)> = FIELDS.to_vec();
                        // The sign-in form has its own token, from its own page.
                        let login_token = if template == "/login" {
                            common::login_form(&b.client, &base).await.1
                        } else {
                            String::new()
                        };
                        if template == "/login" {
                            fields
                                .retain(|(k, _)| *k != "email" && *k != "password" && *k != "csrf");
                            fields.push(("email", emails[role]));
                            fields.push(("password", PASSWORD));
                            fields.push(("csrf", &login_token));
                        } else {
                            fields.push(("csrf", &b.csrf));
                        }
                        let multipart = template.ends_with("/comments")
                            || template.ends_with("/attachments")
                            || template.ends_with("/holidays")
                            || template.ends_with("/evidence")
                            || template.ends_with("/files");
                        if multipart {
                            let mut form = reqwest::multipart::Form::new();
                            for (k, v) in fields {
                                form = form.text(k.to_owned(), v.to_owned());
                            }
                            form = form.part(
                                "file",
                                reqwest::multipart::Part::bytes(b"matrix\n".to_vec())
                                    .file_name("m.txt"),
                            );
                            req = req.multipart(form);
                        } else {
                            req = req.form(&fields);
                        }
                    }
                    let res = req.send().await.unwrap();
                    let status = res.status();
                    let want = expect(&route, role, own);
                    let ok = match want {
                        Allow => {
                            ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND]
                                .contains(&status)
                                && status.as_u16() < 500
                                // A page that sends a signed-in user to sign in refused them
                                // (signing out ends there, as it should).
                                && (template == "/logout" || !res
                                    .headers()
                                    .get("location")
                                    .is_some_and(|l| l.to_str().unwrap_or("").starts_with("/login")))
                        }
                        Forbidden => status == StatusCode::FORBIDDEN,
                        Hidden => status == StatusCode::NOT_FOUND,
                    };
                    if !ok {
                        wrong.push(format!(
                            "{backend:?} {route} as {role} (own org: {own}) on {path}: expected {want:?}, got {status}"
                        ));
                    }
                    checked += 1;
                    if template == "/logout" || template == "/login" {
                        browsers.insert(role, sign_in(&base, emails[role]).await);
                    }
                    if !template.contains('{') {
                        break;
                    }
                }
            }
            // Signed out, every page sends the browser to sign in and every form is refused.
            // A mailed approval link opens without signing in; a made-up one is not there.
            if template.starts_with("/approvals/") {
                let res = reqwest::Client::new()
                    .request(method.clone(), format!("{base}/approvals/made-up"))
                    .form(&[("decision", "approve")])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::NOT_FOUND, "{route} signed out");
            } else if template != "/login" && template != "/static/style.css" {
                let anonymous = reqwest::Client::builder()
                    .redirect(redirect::Policy::none())
                    .build()
                    .unwrap();
                let path = template
                    .replace("{number}", &own_incident)
                    .replace("{id}", &user_id)
                    .replace("{contact}", "1")
                    .replace("{token}", "1")
                    .replace("{clause}", "8.6.1")
                    .replace("{register}", "risks")
                    .replace("{kind}", "resolution");
                let res = anonymous
                    .request(method.clone(), format!("{base}{path}"))
                    .form(&[("csrf", "x")])
                    .send()
                    .await
                    .unwrap();
                let to_login = res
                    .headers()
                    .get("location")
                    .is_some_and(|l| l.to_str().unwrap_or("").starts_with("/login"));
                assert!(
                    to_login || res.status() == StatusCode::FORBIDDEN,
                    "{route} signed out: {}",
                    res.status()
                );
            }
            // No other method is answered on the path than the ones listed.
            for other in [Method::GET, Method::POST] {
                if routes
                    .list()
                    .iter()
                    .any(|(m, p)| *p == template && *m == other.as_str())
                {
                    continue;
                }
                let res = browsers["admin"]
                    .client
                    .request(other.clone(), format!("{base}{template}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    res.status(),
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{other} {template} is answered but not listed in web::routes"
                );
            }
        }
        assert!(
            wrong.is_empty(),
            "{} answers differ:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
        assert!(checked > 200, "{checked}");

        // Each role sees only the actions it may take: walking every page
        // it can reach from the home page, no link leads to a refusal and
        // every form shown is one the matrix lets that role send.
        let mut shown = Vec::new();
        for role in ROLES {
            let b = sign_in(&base, emails[role]).await;
            let (pages, wrong) = crawl(&base, &b.client, role, &routes).await;
            // The walk reaches the role's lists and records, not just the home page.
            assert!(pages >= 12, "{role} reached only {pages} pages");
            shown.extend(wrong);
        }
        assert!(
            shown.is_empty(),
            "{} actions shown that the role may not take:\n{}",
            shown.len(),
            shown.join("\n")
        );
        s.stop().await;
    }
}

/// The route template that answers `method path`: the one with most literal segments.
fn template_of(
    routes: &steward_server::web::WebRoutes,
    method: &str,
    path: &str,
) -> Option<String> {
    let segs: Vec<&str> = path.split('/').collect();
    routes
        .list()
        .iter()
        .filter(|(m, _)| *m == method)
        .filter_map(|(_, t)| {
            let tsegs: Vec<&str> = t.split('/').collect();
            if tsegs.len() != segs.len() {
                return None;
            }
            let mut literal = 0;
            for (a, b) in tsegs.iter().zip(&segs) {
                if a.starts_with('{') {
                    continue;
                }
                if a != b {
                    return None;
                }
                literal += 1;
            }
            Some((literal, t.clone()))
        })
        .max_by_key(|(n, _)| *n)
        .map(|(_, t)| t)
}

/// Every value of `attr="..."` in the tags named `tag` of `html` (entities of
/// URLs unescaped), with the tag's text for the form's method.
fn attrs<'a>(html: &'a str, tag: &str, attr: &str) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    for part in html.split(&format!("<{tag} ")).skip(1) {
        let end = part.find('>').unwrap_or(part.len());
        let head = &part[..end];
        if let Some(v) = head
            .split(&format!("{attr}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            out.push((v.replace("&amp;", "&").replace("&#x2F;", "/"), head));
        }
    }
    out
}

/// Walks the pages `role` reaches from `/` (at most 150), and names each link
/// that answers a refusal and each form the matrix would refuse.
async fn crawl(
    base: &str,
    client: &reqwest::Client,
    role: &str,
    routes: &steward_server::web::WebRoutes,
) -> (usize, Vec<String>) {
    let mut wrong = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut queue = std::collections::VecDeque::from(["/".to_owned()]);
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if pages >= 150 {
            break;
        }
        pages += 1;
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        let status = res.status();
        if [
            StatusCode::FORBIDDEN,
            StatusCode::NOT_FOUND,
            StatusCode::UNAUTHORIZED,
        ]
        .contains(&status)
            || status.is_server_error()
        {
            wrong.push(format!("{role}: the link {path} answers {status}"));
            continue;
        }
        // A page that sends the role elsewhere (customers' home to the
        // portal) is walked on from there.
        if status.is_redirection()
            && let Some(to) = res.headers().get("location").and_then(|l| l.to_str().ok())
            && to.starts_with('/')
            && !to.starts_with("/login")
            && seen.insert(to.to_owned())
        {
            queue.push_back(to.to_owned());
            continue;
        }
        let html_page = res
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
        if !html_page || !status.is_success() {
            continue;
        }
        let html = res.text().await.unwrap();
        for (action, head) in attrs(&html, "form", "action") {
            if !head.contains("method=\"post\"") || action == "/logout" {
                continue;
            }
            let Some(template) = template_of(routes, "POST", &action) else {
                wrong.push(format!(
                    "{role}: a form on {path} posts to {action}, which no route answers"
                ));
                continue;
            };
            // The matrix's own organisation: a record the page showed is one the
            // role may see. Two forms the matrix judges by another case: one's
            // own tokens (the matrix revokes another's), and the steps a
            // customer may take on their own incident (the matrix asks to start
            // work, which only staff do; the page offers a customer only theirs).
            let own_token = template == "/settings/tokens/{id}/revoke";
            let customer_step = role == "customer" && template == "/incidents/{number}/transition";
            if !own_token
                && !customer_step
                && expect(&format!("POST {template}"), role, true) != Allow
            {
                wrong.push(format!(
                    "{role}: {path} shows a form to {action} ({template})"
                ));
            }
        }
        for (href, _) in attrs(&html, "a", "href") {
            let target = href.split('#').next().unwrap_or("").to_owned();
            // Only the server's own pages; downloads and the sign-out are not pages.
            if !target.starts_with('/')
                || target.starts_with("//")
                || target.starts_with("/static/")
                || target.starts_with("/attachments/")
                || target.contains("/files/")
                || target.ends_with(".csv")
                || target.contains("format=")
            {
                continue;
            }
            // Pages of one kind look alike: one per route and query-less path is enough.
            let (bare, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
            let mut names: Vec<&str> = query
                .split('&')
                .filter_map(|kv| kv.split('=').next())
                .filter(|k| !k.is_empty())
                .collect();
            names.sort_unstable();
            let key = format!(
                "{}?{}",
                template_of(routes, "GET", bare).unwrap_or_else(|| bare.to_owned()),
                names.join("&")
            );
            if seen.insert(key) {
                queue.push_back(target);
            }
        }
    }
    (pages, wrong)
}
