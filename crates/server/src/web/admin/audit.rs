//! The audit log page.

use super::*;

pub struct AuditRow {
    when: String,
    who: String,
    record_type: String,
    record: String,
    action: String,
    changes: Vec<(String, String, String)>,
    seq: String,
}

#[derive(Default)]
pub struct AuditFilterValues {
    record_type: String,
    record: String,
    action: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    nav: Option<Nav>,
    chain: String,
    f: AuditFilterValues,
    record_types: Vec<(&'static str, &'static str)>,
    entries: Vec<AuditRow>,
    next_link: String,
}

pub async fn audit(
    State(state): State<AppState>,
    s: WebSession,
    RawQuery(raw): RawQuery,
) -> WebResult<AuditPage> {
    let params: AuditParams = serde_urlencoded::from_str(&raw.unwrap_or_default())
        .map_err(|_| AppError::BadRequest("the filter was not understood".into()))?;
    let filter = params.filter()?;
    let entries = admin::audit(&state.store, &s.actor, &params).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let next_link = match entries.last() {
        Some(last) if entries.len() as i64 == filter.limit => {
            let next = AuditParams {
                before: Some(last.id),
                ..params.clone()
            };
            format!(
                "/audit?{}",
                serde_urlencoded::to_string(&next).unwrap_or_default()
            )
        }
        _ => String::new(),
    };
    Ok(AuditPage {
        nav: Nav::of(&s),
        chain: "Check the chain with `steward audit verify`.".into(),
        f: AuditFilterValues {
            record_type: params.record_type.clone().unwrap_or_default(),
            record: params.record.clone().unwrap_or_default(),
            action: params.action.clone().unwrap_or_default(),
        },
        record_types: vec![
            ("", "Any"),
            ("incident", "Incident"),
            ("service", "Service"),
            ("user", "User"),
            ("organisation", "Organisation"),
            ("group", "Group"),
        ],
        entries: entries
            .iter()
            .map(|e| AuditRow {
                when: local_time(e.occurred_at, &tz),
                who: e.actor_label.clone(),
                record_type: e.record_type.clone(),
                record: e.record_number.clone(),
                action: e.action.clone(),
                changes: changes_of(&e.changes),
                seq: e
                    .seq
                    .map(|n| format!("#{n}"))
                    .unwrap_or_else(|| "unsealed".into()),
            })
            .collect(),
        next_link,
    })
}
