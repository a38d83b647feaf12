//! JSON shapes of the API's responses.

use serde::Serialize;
use steward_domain::audit::FieldChange;
use steward_store::{
    ApiToken, AssignmentGroup, AuditEntry, Comment, GroupMember, Incident, Organisation, Service,
    User,
};

/// RFC 3339 UTC text for a stored time.
pub fn time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

pub fn opt_time(ms: Option<i64>) -> Option<String> {
    ms.map(time)
}

/// A reference to another record: its key and how people call it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ref {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceRef {
    pub number: String,
    pub name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IncidentView {
    pub number: String,
    pub title: String,
    pub description: String,
    /// new, in_progress, on_hold, resolved, closed or cancelled.
    pub state: String,
    pub hold_reason: Option<String>,
    /// P1 (most urgent) to P5, from impact x urgency.
    pub priority: String,
    pub impact: i64,
    pub urgency: i64,
    pub category: String,
    pub service: ServiceRef,
    pub organisation: Ref,
    pub caller: Ref,
    pub group: Option<Ref>,
    pub assignee: Option<Ref>,
    pub major: bool,
    pub resolution_code: Option<String>,
    pub resolution_notes: Option<String>,
    pub reopen_count: i64,
    pub opened_at: String,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub closed_at: Option<String>,
    pub updated_at: String,
    /// Increases with every change; also sent as the `ETag`.
    pub version: i64,
    /// The nearest due time of a running SLA clock (see `/sla`).
    pub sla_due_at: Option<String>,
}

impl From<&Incident> for IncidentView {
    fn from(i: &Incident) -> Self {
        IncidentView {
            number: i.number.clone(),
            title: i.title.clone(),
            description: i.description.clone(),
            state: i.state.to_string(),
            hold_reason: i.hold_reason.map(|h| h.to_string()),
            priority: format!("P{}", i.priority),
            impact: i.impact,
            urgency: i.urgency,
            category: i.category.clone(),
            service: ServiceRef {
                number: i.service_number.clone(),
                name: i.service_name.clone(),
            },
            organisation: Ref {
                id: i.org_id,
                name: i.org_name.clone(),
            },
            caller: Ref {
                id: i.caller_id,
                name: i.caller_name.clone(),
            },
            group: i
                .group_id
                .zip(i.group_name.clone())
                .map(|(id, name)| Ref { id, name }),
            assignee: i
                .assignee_id
                .zip(i.assignee_name.clone())
                .map(|(id, name)| Ref { id, name }),
            major: i.major,
            resolution_code: i.resolution_code.map(|c| c.to_string()),
            resolution_notes: i.resolution_notes.clone(),
            reopen_count: i.reopen_count,
            opened_at: time(i.opened_at),
            first_response_at: opt_time(i.first_response_at),
            resolved_at: opt_time(i.resolved_at),
            closed_at: opt_time(i.closed_at),
            updated_at: time(i.updated_at),
            version: i.version,
            sla_due_at: i.sla_due().map(time),
        }
    }
}

/// A page of a list; pass `next_cursor` as `cursor` to get the next one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IncidentPage {
    pub items: Vec<IncidentView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub author: Option<String>,
    /// public or internal (work note).
    pub visibility: String,
    pub body: String,
    pub created_at: String,
}

impl From<&Comment> for CommentView {
    fn from(c: &Comment) -> Self {
        CommentView {
            id: c.id,
            author: c.author_name.clone(),
            visibility: c.visibility.clone(),
            body: c.body.clone(),
            created_at: time(c.created_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    pub occurred_at: String,
    pub actor: String,
    pub actor_id: Option<i64>,
    pub record_type: String,
    pub record_number: String,
    pub action: String,
    pub changes: Vec<FieldChange>,
    /// Position in the hash chain; absent until the sealer has chained the entry.
    pub seq: Option<i64>,
}

impl From<&AuditEntry> for AuditEntryView {
    fn from(e: &AuditEntry) -> Self {
        AuditEntryView {
            id: e.id,
            occurred_at: time(e.occurred_at),
            actor: e.actor_label.clone(),
            actor_id: e.actor_id,
            record_type: e.record_type.clone(),
            record_number: e.record_number.clone(),
            action: e.action.clone(),
            changes: serde_json::from_str(&e.changes).unwrap_or_default(),
            seq: e.seq,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceView {
    pub number: String,
    pub name: String,
    pub description: String,
    /// pipeline, live or retired.
    pub status: String,
    pub owner: Option<Ref>,
    /// Customer organisations receiving the service (only on single-service responses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<Vec<Ref>>,
    pub updated_at: String,
    pub version: i64,
}

impl ServiceView {
    pub fn new(s: &Service, customers: Option<&[Organisation]>) -> ServiceView {
        ServiceView {
            number: s.number.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            status: s.status.clone(),
            owner: s
                .owner_id
                .zip(s.owner_name.clone())
                .map(|(id, name)| Ref { id, name }),
            customers: customers.map(|c| {
                c.iter()
                    .map(|o| Ref {
                        id: o.id,
                        name: o.name.clone(),
                    })
                    .collect()
            }),
            updated_at: time(s.updated_at),
            version: s.version,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub organisation: Ref,
    pub time_zone: String,
    pub active: bool,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.to_string(),
            organisation: Ref {
                id: u.org_id,
                name: u.org_name.clone(),
            },
            time_zone: u.effective_time_zone().to_owned(),
            active: u.active,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganisationView {
    pub id: i64,
    pub name: String,
    /// provider or customer.
    pub kind: String,
    pub time_zone: String,
}

/// One organisation with the services it receives.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganisationDetailView {
    pub id: i64,
    pub name: String,
    /// provider or customer.
    pub kind: String,
    pub time_zone: String,
    /// Numbers and names of the services it receives.
    pub services: Vec<ServiceRef>,
}

impl OrganisationDetailView {
    pub fn new(o: &Organisation, services: &[Service]) -> OrganisationDetailView {
        OrganisationDetailView {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind.clone(),
            time_zone: o.time_zone.clone(),
            services: services
                .iter()
                .map(|s| ServiceRef {
                    number: s.number.clone(),
                    name: s.name.clone(),
                })
                .collect(),
        }
    }
}

impl From<&Organisation> for OrganisationView {
    fn from(o: &Organisation) -> Self {
        OrganisationView {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind.clone(),
            time_zone: o.time_zone.clone(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// How many members the group has.
    pub members: i64,
    pub manager: Option<Ref>,
}

impl From<&AssignmentGroup> for GroupView {
    fn from(g: &AssignmentGroup) -> Self {
        GroupView {
            id: g.id,
            name: g.name.clone(),
            description: g.description.clone(),
            members: g.members,
            manager: g
                .manager_id
                .zip(g.manager_name.clone())
                .map(|(id, name)| Ref { id, name }),
        }
    }
}

/// One group with its members.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupDetailView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub manager: Option<Ref>,
    pub members: Vec<GroupMemberView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupMemberView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub active: bool,
}

impl GroupDetailView {
    pub fn new(g: &AssignmentGroup, members: &[GroupMember]) -> GroupDetailView {
        let v = GroupView::from(g);
        GroupDetailView {
            id: v.id,
            name: v.name,
            description: v.description,
            manager: v.manager,
            members: members
                .iter()
                .map(|m| GroupMemberView {
                    id: m.id,
                    name: m.name.clone(),
                    email: m.email.clone(),
                    active: m.active,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// When it stops working by itself, if it was given an end.
    pub expires_at: Option<String>,
    /// The secret itself: present only in the response that creates the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl TokenView {
    pub fn new(t: &ApiToken, secret: Option<String>) -> TokenView {
        TokenView {
            id: t.id,
            name: t.name.clone(),
            created_at: time(t.created_at),
            last_used_at: opt_time(t.last_used_at),
            revoked_at: opt_time(t.revoked_at),
            expires_at: opt_time(t.expires_at),
            token: secret,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub incident: String,
    /// The id of the comment it belongs to, if any.
    pub comment: Option<i64>,
    pub file_name: String,
    /// Detected from the content, not taken from the upload.
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// public or internal (staff only).
    pub visibility: String,
    pub uploaded_by: Option<String>,
    pub created_at: String,
    /// Where to download it.
    pub href: String,
}

impl From<&steward_store::Attachment> for AttachmentView {
    fn from(a: &steward_store::Attachment) -> Self {
        AttachmentView {
            id: a.id,
            incident: a.record_number.clone(),
            comment: a.comment_id,
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            visibility: a.visibility.clone(),
            uploaded_by: a.uploaded_by_name.clone(),
            created_at: time(a.created_at),
            href: format!("/api/v1/attachments/{}", a.id),
        }
    }
}

/// A record of an SMS register (named apart from the work records' view).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = RegisterRecord)]
pub struct RecordView {
    pub number: String,
    /// The register, as in its URL: risks, objectives, documents, ...
    pub register: &'static str,
    pub title: String,
    pub description: String,
    pub status: String,
    /// The register's own fields: people as `{email, name}`, links as
    /// `[{key, label}]`, a RACI as `{clause: letter}`, dates as `YYYY-MM-DD`.
    #[schema(value_type = Object)]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// Risks: likelihood x impact, and its level on the configured scale.
    pub score: Option<i64>,
    pub level: Option<&'static str>,
    /// Objectives: the current value (live on a single objective; as last
    /// recorded in lists) and whether it meets the target.
    pub value: Option<f64>,
    pub on_target: Option<bool>,
    /// Documents: versions, approval and acknowledgements.
    pub document: Option<DocumentView>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    /// The version being written (or in force when approved).
    pub version: i64,
    pub approved_version: Option<i64>,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    /// Workflow steps open from the current status.
    pub steps: Vec<&'static str>,
    /// Who acknowledged the approved version (single document only).
    pub acknowledged_by: Vec<String>,
    pub files: Vec<RecordFileView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordFileView {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// The document version it was attached to.
    pub version: Option<i64>,
    pub uploaded_by: Option<String>,
    pub created_at: String,
}

impl From<&steward_store::RecordFile> for RecordFileView {
    fn from(f: &steward_store::RecordFile) -> Self {
        RecordFileView {
            id: f.id,
            file_name: f.file_name.clone(),
            content_type: f.content_type.clone(),
            size: f.size,
            sha256: f.sha256.clone(),
            version: f.version_no,
            uploaded_by: f.uploaded_by_name.clone(),
            created_at: time(f.created_at),
        }
    }
}

impl RecordView {
    /// The view of `r`; `value` overrides the recorded value of an objective.
    pub fn new(
        r: &steward_store::SmsRecord,
        scale: steward_domain::register::RiskScale,
        value: Option<f64>,
    ) -> RecordView {
        use serde_json::{Value as J, json};
        use steward_domain::register::{FieldType, Register};
        use steward_store::FieldValue;
        let mut fields = serde_json::Map::new();
        for f in r.register.fields() {
            let v = match f.ty {
                FieldType::Links(_) => J::Array(
                    r.links_of(f.name)
                        .map(|l| json!({"key": l.key, "label": l.label}))
                        .collect(),
                ),
                FieldType::Raci => J::Object(
                    r.links_of(f.name)
                        .map(|l| (l.key.clone(), json!(l.value)))
                        .collect(),
                ),
                _ => match r.value(f.name) {
                    FieldValue::User { email, name, .. } => json!({"email": email, "name": name}),
                    other => serde_json::to_value(other).unwrap_or(J::Null),
                },
            };
            fields.insert(f.name.to_owned(), v);
        }
        let int = |name| match r.value(name) {
            FieldValue::Int(i) => Some(*i),
            _ => None,
        };
        let (score, level) = match (int("likelihood"), int("impact")) {
            (Some(l), Some(i)) => (Some(l * i), Some(scale.level(l, i).as_str())),
            _ => (None, None),
        };
        let (value, on_target) = if r.register == Register::Objectives {
            let v = value.or(match r.value("actual") {
                FieldValue::Real(x) => Some(*x),
                _ => None,
            });
            let target = match r.value("target") {
                FieldValue::Real(x) => Some(*x),
                _ => None,
            };
            let on = v
                .zip(target)
                .map(|(v, t)| steward_domain::register::on_target(r.text("direction"), t, v));
            (v, on)
        } else {
            (None, None)
        };
        let document = (r.register == Register::Documents).then(|| DocumentView {
            version: r.doc_version,
            approved_version: r.approved_version,
            approved_by: r.approved_by_name.clone(),
            approved_at: opt_time(r.approved_at),
            steps: steward_domain::document::steps_from(&r.status)
                .into_iter()
                .map(|s| s.as_str())
                .collect(),
            acknowledged_by: Vec::new(),
            files: Vec::new(),
        });
        RecordView {
            number: r.number.clone(),
            register: r.register.slug(),
            title: r.title.clone(),
            description: r.description.clone(),
            status: r.status.clone(),
            fields,
            score,
            level,
            value,
            on_target,
            document,
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
            version: r.version,
        }
    }
}

/// A page of a register; pass `next` as `after` to get the next one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordPage {
    pub items: Vec<RecordView>,
    pub next: Option<String>,
}

/// The day `days` from today (UTC, negative for the past), as `YYYY-MM-DD`.
pub fn in_days(days: i64) -> String {
    let at = jiff::Timestamp::from_millisecond(steward_store::now_ms() + days * 86_400_000)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    at.strftime("%Y-%m-%d").to_string()
}
