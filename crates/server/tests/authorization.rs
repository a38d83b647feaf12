//! The authorisation matrix: every API route x every role x own and other
//! organisation's record. The route list comes from the server's own OpenAPI
//! document, so a new route without an entry here fails this test.

mod common;

use std::collections::BTreeSet;

use common::{TestServer, backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The role may act: anything but 401, 403 or 404 (a 409 or 422 on a repeated write is fine).
    Allow,
    Forbidden,
    /// The record does not exist for this actor.
    Hidden,
}
use Expect::*;

const ROLES: [&str; 5] = ["admin", "agent", "manager", "auditor", "customer"];

/// Expected outcome of `route` for `role` on a record of the customer's own
/// organisation (`own`) or another one.
fn expect(route: &str, role: &str, own: bool) -> Expect {
    let staff = role != "customer";
    let only = |roles: &[&str]| {
        if roles.contains(&role) {
            Allow
        } else {
            Forbidden
        }
    };
    // Customer rights on another organisation's record are always "it does not exist".
    let scoped = |customer: Expect| {
        if staff {
            Allow
        } else if own {
            customer
        } else {
            Hidden
        }
    };
    match route {
        "GET /api/v1/incidents"
        | "GET /api/v1/services"
        | "GET /api/v1/search"
        | "GET /api/v1/me"
        | "GET /api/v1/tokens"
        | "POST /api/v1/tokens" => Allow,
        "POST /api/v1/incidents" => only(&["admin", "agent", "manager", "customer"]),
        "GET /api/v1/incidents/{number}"
        | "GET /api/v1/incidents/{number}/comments"
        | "GET /api/v1/incidents/{number}/attachments"
        | "GET /api/v1/attachments/{id}"
        | "GET /api/v1/incidents/{number}/history"
        | "GET /api/v1/incidents/{number}/sla"
        | "GET /api/v1/services/{number}" => scoped(Allow),
        "POST /api/v1/incidents/{number}/comments"
        | "POST /api/v1/incidents/{number}/attachments" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Allow)
            }
        }
        "PATCH /api/v1/incidents/{number}"
        | "POST /api/v1/incidents/{number}/transitions"
        | "PUT /api/v1/incidents/{number}/sla/{kind}/reason" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Forbidden)
            }
        }
        "PATCH /api/v1/services/{number}" => {
            if staff {
                only(&["admin", "manager"])
            } else {
                scoped(Forbidden)
            }
        }
        "POST /api/v1/services" | "POST /api/v1/groups" => only(&["admin", "manager"]),
        "GET /api/v1/organisations"
        | "GET /api/v1/organisations/{id}"
        | "GET /api/v1/users"
        | "GET /api/v1/users/{id}"
        | "GET /api/v1/groups"
        | "GET /api/v1/groups/{id}" => only(&["admin", "agent", "manager", "auditor"]),
        "PATCH /api/v1/groups/{id}" => only(&["admin", "manager"]),
        "POST /api/v1/organisations"
        | "PATCH /api/v1/organisations/{id}"
        | "POST /api/v1/users"
        | "PATCH /api/v1/users/{id}" => only(&["admin"]),
        // Nobody revokes someone else's token: it does not exist for them.
        "DELETE /api/v1/tokens/{id}" => Hidden,
        // Admins list and revoke any user's tokens.
        "GET /api/v1/users/{id}/tokens" | "DELETE /api/v1/users/{id}/tokens/{token}" => {
            only(&["admin"])
        }
        "GET /api/v1/audit" | "GET /api/v1/jobs" | "GET /api/v1/jobs/{id}" => {
            only(&["admin", "auditor"])
        }
        "POST /api/v1/jobs/{id}/retry" => only(&["admin"]),
        "GET /api/v1/requirements"
        | "GET /api/v1/requirements/{clause}"
        | "GET /api/v1/conformity/report"
        | "GET /api/v1/evidence-files/{id}"
        | "GET /api/v1/{register}"
        | "GET /api/v1/{register}/{number}"
        | "GET /api/v1/documents/{number}/files/{id}"
        | "GET /api/v1/calendars"
        | "GET /api/v1/calendars/{id}"
        | "GET /api/v1/calendars/{id}/due"
        | "GET /api/v1/calendars/{id}/between"
        | "GET /api/v1/agreements"
        | "GET /api/v1/agreements/applicable"
        | "GET /api/v1/agreements/{number}"
        | "GET /api/v1/agreements/{number}/report" => {
            only(&["admin", "agent", "manager", "auditor"])
        }
        "PATCH /api/v1/requirements/{clause}"
        | "POST /api/v1/{register}"
        | "PATCH /api/v1/{register}/{number}"
        | "POST /api/v1/documents/{number}/steps"
        | "POST /api/v1/documents/{number}/files"
        | "POST /api/v1/calendars"
        | "PUT /api/v1/calendars/{id}"
        | "POST /api/v1/calendars/{id}/holidays"
        | "POST /api/v1/agreements"
        | "PUT /api/v1/agreements/{number}" => only(&["admin", "manager"]),
        "POST /api/v1/requirements/{clause}/evidence"
        | "POST /api/v1/requirements/{clause}/evidence/file" => {
            only(&["admin", "manager", "auditor"])
        }
        // Problems are the provider's: staff read them, customers never learn of one.
        "GET /api/v1/problems"
        | "GET /api/v1/problems/candidates"
        | "GET /api/v1/nonconformities"
        | "GET /api/v1/actions"
        | "GET /api/v1/improvements" => only(&["admin", "agent", "manager", "auditor"]),
        "POST /api/v1/problems"
        | "POST /api/v1/nonconformities"
        | "POST /api/v1/actions"
        | "POST /api/v1/improvements" => only(&["admin", "agent", "manager"]),
        // Nonconformities and actions, like problems, are the provider's own.
        "GET /api/v1/nonconformities/{number}"
        | "GET /api/v1/nonconformities/{number}/comments"
        | "GET /api/v1/nonconformities/{number}/history"
        | "GET /api/v1/nonconformities/{number}/attachments"
        | "GET /api/v1/nonconformities/{number}/links"
        | "GET /api/v1/actions/{number}"
        | "GET /api/v1/actions/{number}/comments"
        | "GET /api/v1/actions/{number}/history"
        | "GET /api/v1/actions/{number}/attachments"
        | "GET /api/v1/actions/{number}/links"
        | "GET /api/v1/improvements/{number}"
        | "GET /api/v1/improvements/{number}/comments"
        | "GET /api/v1/improvements/{number}/history"
        | "GET /api/v1/improvements/{number}/attachments"
        | "GET /api/v1/improvements/{number}/links"
        | "GET /api/v1/problems/{number}"
        | "GET /api/v1/problems/{number}/comments"
        | "GET /api/v1/problems/{number}/history"
        | "GET /api/v1/problems/{number}/attachments"
        | "GET /api/v1/problems/{number}/incidents"
        | "GET /api/v1/problems/{number}/links" => {
            if staff {
                Allow
            } else {
                Hidden
            }
        }
        "PATCH /api/v1/problems/{number}"
        | "POST /api/v1/problems/{number}/transitions"
        | "POST /api/v1/problems/{number}/comments"
        | "POST /api/v1/problems/{number}/attachments"
        | "POST /api/v1/problems/{number}/links"
        | "DELETE /api/v1/problems/{number}/links/{other}"
        | "PATCH /api/v1/nonconformities/{number}"
        | "POST /api/v1/nonconformities/{number}/transitions"
        | "POST /api/v1/nonconformities/{number}/comments"
        | "POST /api/v1/nonconformities/{number}/attachments"
        | "POST /api/v1/nonconformities/{number}/links"
        | "DELETE /api/v1/nonconformities/{number}/links/{other}"
        | "PATCH /api/v1/actions/{number}"
        | "POST /api/v1/actions/{number}/transitions"
        | "POST /api/v1/actions/{number}/comments"
        | "POST /api/v1/actions/{number}/attachments"
        | "POST /api/v1/actions/{number}/links"
        | "DELETE /api/v1/actions/{number}/links/{other}"
        | "PATCH /api/v1/improvements/{number}"
        | "POST /api/v1/improvements/{number}/transitions"
        | "POST /api/v1/improvements/{number}/comments"
        | "POST /api/v1/improvements/{number}/attachments"
        | "POST /api/v1/improvements/{number}/links"
        | "DELETE /api/v1/improvements/{number}/links/{other}" => match role {
            "auditor" => Forbidden,
            "customer" => Hidden,
            _ => Allow,
        },
        // Internal audits: staff read them; internal auditors and managers plan and
        // carry them out; every member of staff may discuss and link a finding.
        "GET /api/v1/audits" | "GET /api/v1/findings" | "GET /api/v1/audit-coverage" => {
            only(&["admin", "agent", "manager", "auditor"])
        }
        "POST /api/v1/audits" | "POST /api/v1/findings" => only(&["admin", "manager", "auditor"]),
        "GET /api/v1/audits/{number}"
        | "GET /api/v1/audits/{number}/comments"
        | "GET /api/v1/audits/{number}/history"
        | "GET /api/v1/audits/{number}/attachments"
        | "GET /api/v1/audits/{number}/links"
        | "GET /api/v1/audits/{number}/samples"
        | "GET /api/v1/audits/{number}/samples/{id}/redraw"
        | "GET /api/v1/audits/{number}/checklist"
        | "GET /api/v1/findings/{number}"
        | "GET /api/v1/findings/{number}/comments"
        | "GET /api/v1/findings/{number}/history"
        | "GET /api/v1/findings/{number}/attachments"
        | "GET /api/v1/findings/{number}/links"
        | "POST /api/v1/findings/{number}/comments"
        | "POST /api/v1/findings/{number}/attachments"
        | "POST /api/v1/findings/{number}/links"
        | "DELETE /api/v1/findings/{number}/links/{other}" => {
            if staff {
                Allow
            } else {
                Hidden
            }
        }
        "PATCH /api/v1/audits/{number}"
        | "POST /api/v1/audits/{number}/transitions"
        | "POST /api/v1/audits/{number}/samples"
        | "POST /api/v1/audits/{number}/comments"
        | "POST /api/v1/audits/{number}/attachments"
        | "POST /api/v1/audits/{number}/links"
        | "DELETE /api/v1/audits/{number}/links/{other}"
        | "PATCH /api/v1/findings/{number}"
        | "POST /api/v1/findings/{number}/transitions" => match role {
            "agent" => Forbidden,
            "customer" => Hidden,
            _ => Allow,
        },
        // Management reviews: staff read them and their packs; managers hold them.
        "GET /api/v1/reviews" | "GET /api/v1/review-pack" => {
            only(&["admin", "agent", "manager", "auditor"])
        }
        "POST /api/v1/reviews" => only(&["admin", "manager"]),
        "GET /api/v1/reviews/{number}"
        | "GET /api/v1/reviews/{number}/pack"
        | "GET /api/v1/reviews/{number}/comments"
        | "GET /api/v1/reviews/{number}/history"
        | "GET /api/v1/reviews/{number}/attachments"
        | "GET /api/v1/reviews/{number}/links" => {
            if staff {
                Allow
            } else {
                Hidden
            }
        }
        "PATCH /api/v1/reviews/{number}"
        | "POST /api/v1/reviews/{number}/transitions"
        | "POST /api/v1/reviews/{number}/comments"
        | "POST /api/v1/reviews/{number}/attachments"
        | "POST /api/v1/reviews/{number}/links"
        | "DELETE /api/v1/reviews/{number}/links/{other}" => match role {
            "agent" | "auditor" => Forbidden,
            "customer" => Hidden,
            _ => Allow,
        },
        // Complaints: customers raise, read and comment on their own organisation's.
        "GET /api/v1/complaints" => Allow,
        "POST /api/v1/complaints" => only(&["admin", "agent", "manager", "customer"]),
        "GET /api/v1/complaints/{number}"
        | "GET /api/v1/complaints/{number}/comments"
        | "GET /api/v1/complaints/{number}/history"
        | "GET /api/v1/complaints/{number}/attachments"
        | "GET /api/v1/complaints/{number}/links" => scoped(Allow),
        "POST /api/v1/complaints/{number}/comments"
        | "POST /api/v1/complaints/{number}/attachments" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Allow)
            }
        }
        "PATCH /api/v1/complaints/{number}"
        | "POST /api/v1/complaints/{number}/transitions"
        | "POST /api/v1/complaints/{number}/links"
        | "DELETE /api/v1/complaints/{number}/links/{other}" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Forbidden)
            }
        }
        // Articles: staff write them; customers read those published to them
        // (KB-0001 to Alpha, KB-0002 to Beta) and say whether they helped.
        "GET /api/v1/articles" => Allow,
        "POST /api/v1/articles" => only(&["admin", "agent", "manager"]),
        "GET /api/v1/articles/{number}"
        | "GET /api/v1/articles/{number}/comments"
        | "GET /api/v1/articles/{number}/history"
        | "GET /api/v1/articles/{number}/attachments"
        | "GET /api/v1/articles/{number}/links" => scoped(Allow),
        "POST /api/v1/articles/{number}/feedback" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Allow)
            }
        }
        "GET /api/v1/articles/{number}/versions" => {
            if staff {
                Allow
            } else {
                Hidden
            }
        }
        "PATCH /api/v1/articles/{number}"
        | "POST /api/v1/articles/{number}/transitions"
        | "POST /api/v1/articles/{number}/comments"
        | "POST /api/v1/articles/{number}/attachments"
        | "POST /api/v1/articles/{number}/links"
        | "DELETE /api/v1/articles/{number}/links/{other}" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Forbidden)
            }
        }
        // The catalogue: everyone reads what they may order (OFR-0001 is
        // offered to every customer of Mail); admins and managers build it.
        "GET /api/v1/offerings" | "GET /api/v1/offerings/{number}" => Allow,
        "POST /api/v1/offerings" | "PUT /api/v1/offerings/{number}" => only(&["admin", "manager"]),
        // Requests: customers order and follow their own organisation's
        // (REQ-000001 Alpha's, raised by the customer; REQ-000002 Beta's).
        "GET /api/v1/requests" => Allow,
        "POST /api/v1/requests" | "GET /api/v1/requests/awaiting-me" => {
            only(&["admin", "agent", "manager", "customer"])
        }
        "GET /api/v1/requests/{number}"
        | "GET /api/v1/requests/{number}/comments"
        | "GET /api/v1/requests/{number}/history"
        | "GET /api/v1/requests/{number}/attachments"
        | "GET /api/v1/requests/{number}/links" => scoped(Allow),
        // The requester cancels their own; staff fulfil and cancel.
        "POST /api/v1/requests/{number}/transitions"
        | "POST /api/v1/requests/{number}/comments"
        | "POST /api/v1/requests/{number}/attachments" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Allow)
            }
        }
        // Only its approvers decide (the Service Desk's agent), never the requester.
        "POST /api/v1/requests/{number}/decision" => match role {
            "agent" => Allow,
            "customer" => scoped(Forbidden),
            _ => Forbidden,
        },
        "POST /api/v1/requests/{number}/links"
        | "DELETE /api/v1/requests/{number}/links/{other}" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Forbidden)
            }
        }
        // Fulfilment tasks are the provider's own work.
        "GET /api/v1/tasks" => only(&["admin", "agent", "manager", "auditor"]),
        "GET /api/v1/tasks/{number}"
        | "GET /api/v1/tasks/{number}/comments"
        | "GET /api/v1/tasks/{number}/history"
        | "GET /api/v1/tasks/{number}/attachments"
        | "GET /api/v1/tasks/{number}/links" => scoped(Forbidden),
        "POST /api/v1/tasks/{number}/transitions"
        | "POST /api/v1/tasks/{number}/comments"
        | "POST /api/v1/tasks/{number}/attachments"
        | "POST /api/v1/tasks/{number}/links"
        | "DELETE /api/v1/tasks/{number}/links/{other}" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Forbidden)
            }
        }
        // Incoming mail: staff read it; those who work the desk review the quarantine.
        "GET /api/v1/mail" | "GET /api/v1/mail/{id}" => {
            only(&["admin", "agent", "manager", "auditor"])
        }
        "POST /api/v1/mail/{id}/release" | "POST /api/v1/mail/{id}/dismiss" => {
            only(&["admin", "agent", "manager"])
        }
        // Business relationship: staff read customers' profiles; managers keep them.
        "GET /api/v1/customers" | "GET /api/v1/customers/{id}" => {
            only(&["admin", "agent", "manager", "auditor"])
        }
        "PUT /api/v1/customers/{id}/profile"
        | "POST /api/v1/customers/{id}/contacts"
        | "DELETE /api/v1/customers/{id}/contacts/{contact}" => only(&["admin", "manager"]),
        // Service reviews: the customer's people read and comment on their own
        // organisation's (SRM-0001 Alpha's, SRM-0002 Beta's); managers hold them.
        "GET /api/v1/service-reviews" => Allow,
        "POST /api/v1/service-reviews" => only(&["admin", "manager"]),
        "GET /api/v1/service-reviews/{number}"
        | "GET /api/v1/service-reviews/{number}/comments"
        | "GET /api/v1/service-reviews/{number}/history"
        | "GET /api/v1/service-reviews/{number}/attachments"
        | "GET /api/v1/service-reviews/{number}/links" => scoped(Allow),
        "PATCH /api/v1/service-reviews/{number}"
        | "POST /api/v1/service-reviews/{number}/transitions" => match role {
            "agent" | "auditor" => Forbidden,
            "customer" => scoped(Forbidden),
            _ => Allow,
        },
        "POST /api/v1/service-reviews/{number}/comments"
        | "POST /api/v1/service-reviews/{number}/attachments" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Allow)
            }
        }
        "POST /api/v1/service-reviews/{number}/links"
        | "DELETE /api/v1/service-reviews/{number}/links/{other}" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Forbidden)
            }
        }
        // Customers rate their own organisation's incidents; staff read the rating.
        "POST /api/v1/incidents/{number}/rating" => match role {
            "customer" => scoped(Allow),
            _ => Forbidden,
        },
        "GET /api/v1/incidents/{number}/rating" => scoped(Allow),
        "GET /api/v1/satisfaction" => Allow,
        // Service reports: customers read their own organisation's; managers issue.
        "GET /api/v1/service-reports" => Allow,
        "POST /api/v1/service-reports" => only(&["admin", "manager"]),
        "GET /api/v1/service-reports/{id}" | "GET /api/v1/organisations/{id}/service-report" => {
            scoped(Allow)
        }
        // Surveys: owners write and send them; every customer's contacts answer
        // those they are asked (another organisation's is not there); staff read results.
        "GET /api/v1/surveys" => Allow,
        "POST /api/v1/surveys"
        | "PUT /api/v1/surveys/{id}"
        | "POST /api/v1/surveys/{id}/send"
        | "POST /api/v1/surveys/{id}/close" => only(&["admin", "manager"]),
        "GET /api/v1/surveys/{id}" => scoped(Allow),
        "POST /api/v1/surveys/{id}/answers" => match role {
            "customer" => scoped(Allow),
            _ => Forbidden,
        },
        "GET /api/v1/surveys/{id}/results" => only(&["admin", "agent", "manager", "auditor"]),
        "GET /api/v1/incidents/{number}/links" | "GET /api/v1/incidents/{number}/known-errors" => {
            scoped(Allow)
        }
        // Customers may not link: answered before the other end is looked up.
        "POST /api/v1/incidents/{number}/links"
        | "DELETE /api/v1/incidents/{number}/links/{other}" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Forbidden)
            }
        }
        "POST /api/v1/incidents/{number}/workaround" => {
            if role == "auditor" {
                Forbidden
            } else {
                scoped(Forbidden)
            }
        }
        // Staff read the documents distributed to them (all three here); auditors only read.
        "POST /api/v1/documents/{number}/acknowledgement" => only(&["admin", "agent", "manager"]),
        other => panic!("route {other} has no entry in the authorisation matrix; add one"),
    }
}

fn body(route: &str) -> Option<Value> {
    Some(match route {
        "POST /api/v1/incidents" => json!({"title": "matrix", "service": "SVC-0001"}),
        "PATCH /api/v1/incidents/{number}" => json!({"description": "matrix"}),
        "POST /api/v1/incidents/{number}/transitions" => json!({"action": "start"}),
        "POST /api/v1/incidents/{number}/comments"
        | "POST /api/v1/problems/{number}/comments"
        | "POST /api/v1/complaints/{number}/comments"
        | "POST /api/v1/nonconformities/{number}/comments"
        | "POST /api/v1/actions/{number}/comments"
        | "POST /api/v1/improvements/{number}/comments"
        | "POST /api/v1/audits/{number}/comments"
        | "POST /api/v1/findings/{number}/comments"
        | "POST /api/v1/articles/{number}/comments" => json!({"body": "matrix"}),
        "POST /api/v1/audits" | "POST /api/v1/findings" | "POST /api/v1/reviews" => {
            json!({"title": "matrix"})
        }
        "POST /api/v1/reviews/{number}/comments" => json!({"body": "matrix"}),
        "PATCH /api/v1/reviews/{number}" => json!({"description": "matrix"}),
        "POST /api/v1/reviews/{number}/transitions" => json!({"action": "hold"}),
        "POST /api/v1/reviews/{number}/links" => json!({"record": "PRB-000001"}),
        "PATCH /api/v1/audits/{number}" | "PATCH /api/v1/findings/{number}" => {
            json!({"description": "matrix"})
        }
        "POST /api/v1/audits/{number}/transitions" => json!({"action": "start"}),
        "POST /api/v1/findings/{number}/transitions" => json!({"action": "close"}),
        "POST /api/v1/audits/{number}/samples" => {
            json!({"kind": "incident", "from": "2026-01-01", "to": "2026-01-02", "size": 1})
        }
        "POST /api/v1/audits/{number}/links" | "POST /api/v1/findings/{number}/links" => {
            json!({"record": "PRB-000001"})
        }
        "POST /api/v1/improvements" => json!({"title": "matrix"}),
        "POST /api/v1/service-reports" => json!({"organisation": 2, "period": "2026-02"}),
        "POST /api/v1/incidents/{number}/rating" => json!({"score": 4}),
        "POST /api/v1/surveys" | "PUT /api/v1/surveys/{id}" => {
            json!({"title": "matrix", "questions": [{"text": "Q?"}]})
        }
        "POST /api/v1/surveys/{id}/answers" => json!({"answers": [{"score": 4}]}),
        "PATCH /api/v1/improvements/{number}" => json!({"description": "matrix"}),
        "POST /api/v1/improvements/{number}/transitions" => json!({"action": "start"}),
        "POST /api/v1/improvements/{number}/links" => json!({"record": "PRB-000001"}),
        "POST /api/v1/nonconformities" => json!({"title": "matrix"}),
        "POST /api/v1/actions" => json!({"title": "matrix", "parent": "NCR-0001"}),
        "PATCH /api/v1/nonconformities/{number}" | "PATCH /api/v1/actions/{number}" => {
            json!({"description": "matrix"})
        }
        "POST /api/v1/nonconformities/{number}/transitions" => json!({"action": "investigate"}),
        "POST /api/v1/actions/{number}/transitions" => json!({"action": "start"}),
        "POST /api/v1/nonconformities/{number}/links" | "POST /api/v1/actions/{number}/links" => {
            json!({"record": "PRB-000001"})
        }
        "POST /api/v1/articles" => json!({"title": "matrix", "body": "matrix"}),
        "PATCH /api/v1/articles/{number}" => json!({"category": "general"}),
        // Refused from published (409) once the policy let the role try.
        "POST /api/v1/articles/{number}/transitions" => json!({"action": "rework"}),
        "POST /api/v1/articles/{number}/links" => json!({"record": "PRB-000001"}),
        "POST /api/v1/articles/{number}/feedback" => json!({"helpful": true}),
        "POST /api/v1/offerings" | "PUT /api/v1/offerings/{number}" => json!({
            "service": "SVC-0001", "name": "Matrix offering", "target_minutes": 60, "calendar": 1,
            "roles": ["customer"], "approvers": [{"kind": "group", "group": "Service Desk"}],
            "tasks": [{"title": "Do it", "group": "Service Desk"}]
        }),
        // Staff order for the customer; customers for themselves (a customer
        // naming someone else is refused, 422, once the policy let them try).
        "POST /api/v1/requests" => {
            json!({"offering": "OFR-0001", "requested_for": "cora@alpha.test"})
        }
        "POST /api/v1/requests/{number}/decision" => json!({"decision": "approve"}),
        "POST /api/v1/requests/{number}/transitions" => {
            json!({"action": "cancel", "note": "matrix"})
        }
        "POST /api/v1/requests/{number}/comments" | "POST /api/v1/tasks/{number}/comments" => {
            json!({"body": "matrix"})
        }
        "POST /api/v1/requests/{number}/links" | "POST /api/v1/tasks/{number}/links" => {
            json!({"record": "PRB-000001"})
        }
        "POST /api/v1/tasks/{number}/transitions" => json!({"action": "start"}),
        "PUT /api/v1/customers/{id}/profile" => json!({"profile": "matrix"}),
        "POST /api/v1/customers/{id}/contacts" => {
            json!({"name": "Matrix", "role": "technical", "phone": "1"})
        }
        "POST /api/v1/service-reviews" => {
            json!({"title": "matrix", "customer": "Alpha", "target_date": "2026-12-10"})
        }
        "PATCH /api/v1/service-reviews/{number}" => json!({"description": "matrix"}),
        "POST /api/v1/service-reviews/{number}/transitions" => {
            json!({"action": "hold", "minutes": "matrix"})
        }
        "POST /api/v1/service-reviews/{number}/comments" => json!({"body": "matrix"}),
        "POST /api/v1/service-reviews/{number}/links" => json!({"record": "PRB-000001"}),
        "POST /api/v1/complaints" => json!({"title": "matrix", "service": "SVC-0001"}),
        "PATCH /api/v1/complaints/{number}" => json!({"description": "matrix"}),
        "POST /api/v1/complaints/{number}/transitions" => json!({"action": "acknowledge"}),
        "POST /api/v1/complaints/{number}/links" => json!({"record": "PRB-000001"}),
        "POST /api/v1/problems" => json!({"title": "matrix", "service": "SVC-0001"}),
        "PATCH /api/v1/problems/{number}" => json!({"description": "matrix"}),
        "POST /api/v1/problems/{number}/transitions" => json!({"action": "investigate"}),
        // Linking a problem to itself: refused (422) once the policy let the role try.
        "POST /api/v1/problems/{number}/links" => json!({"record": "PRB-000001"}),
        "POST /api/v1/incidents/{number}/links" => {
            json!({"record": "PRB-000001", "type": "caused_by"})
        }
        "POST /api/v1/incidents/{number}/workaround" => json!({"problem": "PRB-000001"}),
        "PUT /api/v1/incidents/{number}/sla/{kind}/reason" => json!({"reason": "matrix"}),
        "POST /api/v1/services" => json!({"name": "matrix"}),
        "PATCH /api/v1/services/{number}" => json!({"description": "matrix"}),
        "POST /api/v1/organisations" => json!({"name": "Matrix Org"}),
        "POST /api/v1/users" => {
            json!({"email": "matrix@provider.test", "name": "M", "role": "agent"})
        }
        "PATCH /api/v1/users/{id}" => json!({"name": "renamed"}),
        "POST /api/v1/groups" => json!({"name": "Matrix group"}),
        "PATCH /api/v1/groups/{id}" => json!({"description": "matrix"}),
        "PATCH /api/v1/organisations/{id}" => json!({"time_zone": "UTC"}),
        "POST /api/v1/tokens" => json!({"name": "matrix"}),
        "POST /api/v1/{register}" => {
            json!({"title": "matrix", "category": "risk", "likelihood": 1, "impact": 1})
        }
        "PATCH /api/v1/{register}/{number}" => json!({"description": "matrix"}),
        "POST /api/v1/documents/{number}/steps" => json!({"step": "submit"}),
        "PATCH /api/v1/requirements/{clause}" => json!({"notes": "matrix"}),
        "POST /api/v1/requirements/{clause}/evidence" => json!({"note": "matrix"}),
        "POST /api/v1/agreements" | "PUT /api/v1/agreements/{number}" => json!({
            "kind": "sla", "title": "Matrix SLA", "customer": "Alpha", "calendar": 1,
            "valid_from": "2026-01-01", "targets": {"P1": {"response_minutes": 15, "resolution_minutes": 240}}
        }),
        "POST /api/v1/calendars" | "PUT /api/v1/calendars/{id}" => json!({
            "name": "Matrix", "time_zone": "UTC", "week": {"monday": ["09:00-17:00"]}
        }),
        _ => return None,
    })
}

#[tokio::test]
async fn every_route_every_role_own_and_other_organisation() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let own_incident = s.raise("customer", "alpha's", "SVC-0001").await;
        let other_incident = s.raise("other", "beta's", "SVC-0001").await;
        let (_, me) = s.get("customer2", "/api/v1/me").await;
        let user_id = me["id"].to_string();
        // A token that belongs to `other`, whom no tested role is.
        let (_, tokens) = s.get("other", "/api/v1/tokens").await;
        let foreign_token = tokens[0]["id"].to_string();
        // An attachment on each organisation's incident.
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
            let v: Value = res.json().await.unwrap();
            attachment_ids.push(v["id"].to_string());
        }

        // SMS records: a risk, and an approved policy distributed to three of staff
        // with a file; a file of manual evidence.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/risks",
                json!({"title": "Flood", "category": "risk", "likelihood": 2, "impact": 2}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/documents",
                json!({"title": "Policy", "category": "policy", "reviewer": "admin@provider.test",
                       "distribution": ["admin@provider.test", "agent@provider.test", "manager@provider.test"]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
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
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/calendars",
                json!({"name": "Office", "time_zone": "Europe/Berlin",
                       "week": {"monday": ["08:00-17:00"]}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/agreements",
                json!({"kind": "sla", "title": "Alpha gold", "customer": "Alpha", "calendar": 1,
                       "valid_from": "2026-01-01",
                       "targets": {"P1": {"response_minutes": 15, "resolution_minutes": 240}}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let mut file_ids = Vec::new();
        for (path, field) in [
            ("/api/v1/documents/DOC-0001/files", "file"),
            ("/api/v1/requirements/8.6.1/evidence/file", "file"),
        ] {
            let form = reqwest::multipart::Form::new().part(
                field,
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
            let v: Value = res.json().await.unwrap();
            file_ids.push(
                v["file_id"]
                    .as_i64()
                    .or(v["id"].as_i64())
                    .unwrap()
                    .to_string(),
            );
        }

        // A message in the quarantine (a stranger's), to read, release or dismiss.
        let mail_id = s
            .quarantine("From: stranger@nowhere.test\r\nSubject: Hello\r\n\r\nHi\r\n")
            .await
            .to_string();

        // A known error, linked to the customer's own incident.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/problems",
                json!({"title": "Mail queue stalls", "service": "SVC-0001", "incidents": [own_incident]}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        for step in [
            json!({"action": "investigate"}),
            json!({"action": "known_error", "workaround": "Restart the queue"}),
        ] {
            let (st, v) = s
                .post("manager", "/api/v1/problems/PRB-000001/transitions", step)
                .await;
            assert_eq!(st, StatusCode::OK, "{v}");
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

        // A nonconformity with its corrective action, and an improvement.
        for (path, title) in [
            ("/api/v1/nonconformities", "Missed review"),
            ("/api/v1/improvements", "Self-service reset"),
        ] {
            let (st, v) = s.post("manager", path, json!({"title": title})).await;
            assert_eq!(st, StatusCode::CREATED, "{v}");
        }
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/actions",
                json!({"title": "Schedule reviews", "parent": "NCR-0001"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");

        // An audit in progress with a sample and a finding.
        let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/audits",
                json!({"title": "Incidents", "scope": ["8.6"], "starts_on": today,
                       "target_date": today, "assignee": "auditor@provider.test"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/audit-programmes",
                json!({"title": "Cycle", "starts_on": "2026-01-01", "ends_on": "2027-12-31"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{v}");
        for (path, body) in [
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

        // A service report of each organisation: 1 Alpha's (own), 2 Beta's (Alpha is
        // organisation 2, Beta 3).
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

        // An offering of Mail approved by the Service Desk and fulfilled by one
        // of its tasks; a request of each organisation: REQ-000001 (with
        // TSK-000001) the customer's own, REQ-000002 (TSK-000002) another's.
        let (st, v) = s
            .post(
                "manager",
                "/api/v1/offerings",
                body("POST /api/v1/offerings").unwrap(),
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

        let (_, doc) = s.get("", "/api/v1/openapi.json").await;
        let mut routes = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                routes.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
        assert!(routes.len() >= 20, "{routes:?}");
        let mut checked = 0;
        for route in &routes {
            let (method, template) = route.split_once(' ').unwrap();
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            for role in ROLES {
                for own in [true, false] {
                    let path = template
                        .replace("{clause}", "8.6.1")
                        .replace("{register}", "risks")
                        .replace("{kind}", "resolution")
                        .replace(
                            "{number}",
                            if template.contains("agreements") {
                                "SLA-0001"
                            } else if template.contains("audits") {
                                "AUD-0001"
                            } else if template.contains("findings") {
                                "FND-0001"
                            } else if template.contains("/reviews/")
                                || template.ends_with("/reviews")
                            {
                                "REV-0001"
                            } else if template.contains("articles") {
                                if own { "KB-0001" } else { "KB-0002" }
                            } else if template.contains("offerings") {
                                "OFR-0001"
                            } else if template.contains("requests") {
                                if own { "REQ-000001" } else { "REQ-000002" }
                            } else if template.contains("tasks") {
                                if own { "TSK-000001" } else { "TSK-000002" }
                            } else if template.contains("service-reviews") {
                                if own { "SRM-0001" } else { "SRM-0002" }
                            } else if template.contains("complaints") {
                                if own { "CMP-0001" } else { "CMP-0002" }
                            } else if template.contains("nonconformities") {
                                "NCR-0001"
                            } else if template.contains("improvements") {
                                "IMP-0001"
                            } else if template.contains("actions") {
                                "ACT-0001"
                            } else if template.contains("problems") {
                                "PRB-000001"
                            } else if template.contains("documents") {
                                "DOC-0001"
                            } else if template.contains("{register}") {
                                "RSK-0001"
                            } else if template.contains("services") {
                                // ERP is received by Alpha only; Shop by Beta only.
                                if own { "SVC-0002" } else { "SVC-0003" }
                            } else if own {
                                &own_incident
                            } else {
                                &other_incident
                            },
                        )
                        .replace(
                            "{id}",
                            if template.contains("tokens") {
                                &foreign_token
                            } else if template.contains("/organisations/")
                                || template.contains("/customers/")
                            {
                                if own { "2" } else { "3" }
                            } else if template.contains("/groups/") {
                                "1"
                            } else if template.contains("service-reports")
                                || template.contains("surveys")
                            {
                                if own { "1" } else { "2" }
                            } else if template.contains("samples") {
                                "1"
                            } else if template.contains("documents") {
                                &file_ids[0]
                            } else if template.contains("evidence-files") {
                                &file_ids[1]
                            } else if template.contains("/mail/") {
                                &mail_id
                            } else if template.contains("calendars") || template.contains("jobs") {
                                "1"
                            } else if template.contains("attachments") {
                                if own {
                                    &attachment_ids[0]
                                } else {
                                    &attachment_ids[1]
                                }
                            } else {
                                &user_id
                            },
                        );
                    // Another user's tokens: `other`'s, a fresh one to revoke each time.
                    let path = if template.starts_with("/api/v1/users/{id}/tokens") {
                        let olga = s.state.store.user_by_email("olga@beta.test").await.unwrap();
                        let (fresh, _) = steward_server::admin::create_token(
                            &s.state.store,
                            &steward_store::AuditActor::system("test"),
                            &olga,
                            &steward_server::admin::TokenInput::named("matrix"),
                        )
                        .await
                        .unwrap();
                        template
                            .replace("{id}", &olga.id.to_string())
                            .replace("{token}", &fresh.id.to_string())
                    } else {
                        path
                    };
                    let path = if template.ends_with("/due") {
                        format!("{path}?start=2026-03-26T15:00:00Z&minutes=60")
                    } else if template.ends_with("/applicable") {
                        format!("{path}?customer=Alpha&service=SVC-0001&priority=1")
                    } else if template.ends_with("/search") {
                        format!("{path}?q=matrix")
                    } else if template.ends_with("/between") {
                        format!("{path}?from=2026-03-26T15:00:00Z&to=2026-03-27T15:00:00Z")
                    } else {
                        path
                    };
                    let path = path.replace(
                        "{other}",
                        if !template.contains("problems") {
                            "PRB-000001"
                        } else if own {
                            &own_incident
                        } else {
                            &other_incident
                        },
                    );
                    // A link to remove, whoever removed it before.
                    if method == Method::DELETE && template.contains("/links/") {
                        let (kind, number) = if template.contains("complaints") {
                            ("complaints", if own { "CMP-0001" } else { "CMP-0002" })
                        } else if template.contains("articles") {
                            ("articles", if own { "KB-0001" } else { "KB-0002" })
                        } else if template.contains("requests") {
                            ("requests", if own { "REQ-000001" } else { "REQ-000002" })
                        } else if template.contains("tasks") {
                            ("tasks", if own { "TSK-000001" } else { "TSK-000002" })
                        } else if template.contains("service-reviews") {
                            ("service-reviews", if own { "SRM-0001" } else { "SRM-0002" })
                        } else if template.contains("nonconformities") {
                            ("nonconformities", "NCR-0001")
                        } else if template.contains("improvements") {
                            ("improvements", "IMP-0001")
                        } else if template.contains("audits") {
                            ("audits", "AUD-0001")
                        } else if template.contains("findings") {
                            ("findings", "FND-0001")
                        } else if template.contains("/reviews/") || template.ends_with("/reviews") {
                            ("reviews", "REV-0001")
                        } else if template.contains("actions") {
                            ("actions", "ACT-0001")
                        } else if own {
                            ("incidents", own_incident.as_str())
                        } else {
                            ("incidents", other_incident.as_str())
                        };
                        s.post(
                            "manager",
                            &format!("/api/v1/{kind}/{number}/links"),
                            json!({"record": "PRB-000001", "type": if kind == "incidents" { "caused_by" } else { "related_to" }}),
                        )
                        .await;
                    }
                    // A contact to remove, whoever removed one before.
                    let path = if template.contains("{contact}") {
                        let org = if own { "2" } else { "3" };
                        let (_, c) = s
                            .post(
                                "manager",
                                &format!("/api/v1/customers/{org}/contacts"),
                                json!({"name": "Matrix", "role": "technical", "phone": "1"}),
                            )
                            .await;
                        path.replace("{contact}", &c["id"].to_string())
                    } else {
                        path
                    };
                    let want = expect(route, role, own);
                    let (status, v, headers) =
                        s.call(role, method.clone(), &path, body(route)).await;
                    let ok = match want {
                        Allow => {
                            ![
                                StatusCode::UNAUTHORIZED,
                                StatusCode::FORBIDDEN,
                                StatusCode::NOT_FOUND,
                            ]
                            .contains(&status)
                                && status.as_u16() < 500
                        }
                        Forbidden => status == StatusCode::FORBIDDEN,
                        Hidden => status == StatusCode::NOT_FOUND,
                    };
                    assert!(
                        ok,
                        "{backend:?} {route} as {role} (own org: {own}) on {path}: expected {want:?}, got {status} {v}"
                    );
                    if status.is_client_error() {
                        assert_eq!(
                            headers["content-type"], "application/problem+json",
                            "{route}"
                        );
                    }
                    checked += 1;
                    if !template.contains('{') {
                        break;
                    }
                }
            }
            // Without a token every route answers 401.
            let path = template
                .replace("{number}", &own_incident)
                .replace("{other}", "PRB-000001")
                .replace("{id}", &user_id);
            let (status, _, _) = s.call("", method.clone(), &path, body(route)).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{route} without a token");
        }
        assert!(checked > 100, "{checked}");
        s.stop().await;
    }
}

/// A customer cannot read, list, search, comment on or learn of another organisation's incident.
#[tokio::test]
async fn customers_never_see_other_organisations() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let theirs = s.raise("other", "Beta secret outage", "SVC-0001").await;
        let mine = s.raise("customer", "Alpha printer", "SVC-0001").await;
        let (_, list) = s.get("customer", "/api/v1/incidents?limit=500").await;
        let numbers: Vec<_> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(numbers, std::slice::from_ref(&mine));
        for q in ["Beta", "secret", theirs.as_str()] {
            let (_, found) = s.get("customer", &format!("/api/v1/incidents?q={q}")).await;
            assert!(found["items"].as_array().unwrap().is_empty(), "search {q}");
        }
        // Filters by organisation, group or person would let a customer probe
        // which names exist: they answer alike whether the name exists or not.
        for filter in [
            "organisation=Beta",
            "organisation=Nobody",
            "assignee=agent@provider.test",
            "assignee=x@y.z",
            "group=Service%20Desk",
        ] {
            let (st, v) = s
                .get("customer", &format!("/api/v1/incidents?{filter}"))
                .await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{filter}");
            assert!(
                v["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("not available to customers")
            );
        }
        // A number that exists elsewhere and one that exists nowhere answer alike.
        let (st1, v1) = s
            .get("customer", &format!("/api/v1/incidents/{theirs}"))
            .await;
        let (st2, v2) = s.get("customer", "/api/v1/incidents/INC-999999").await;
        assert_eq!((st1, &v1), (st2, &v2));
        let (st, _) = s
            .post(
                "customer",
                &format!("/api/v1/incidents/{theirs}/comments"),
                json!({"body": "hi"}),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}
