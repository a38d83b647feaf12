//! The mail that jobs write: an incident's notifications to the people
//! around it, and the reminder of a record past its target date.

use super::*;

#[derive(Deserialize)]
struct NotifyPayload {
    event: String,
    #[serde(default)]
    actor_id: Option<i64>,
    #[serde(default)]
    comment_id: Option<i64>,
    #[serde(default)]
    clock: Option<String>,
    /// The assignment group of an OLA clock.
    #[serde(default)]
    group: Option<i64>,
    /// The record's number and target date (`record_overdue`).
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    target_at: Option<i64>,
}

#[derive(Template)]
#[template(path = "mail/incident.txt")]
struct IncidentMail<'a> {
    name: &'a str,
    headline: String,
    quote: String,
    number: &'a str,
    title: &'a str,
    service: &'a str,
    priority: i64,
    state: &'a str,
    due: String,
    link: String,
    reason: &'a str,
    settings: String,
}

/// The people around a record as the notification rules see them.
fn circle_of(people: &[steward_store::Recipient]) -> Circle {
    Circle {
        caller: people.iter().find(|r| r.is_caller).map(|r| r.person()),
        assignee: people.iter().find(|r| r.is_assignee).map(|r| r.person()),
        group: people
            .iter()
            .filter(|r| r.in_group)
            .map(|r| r.person())
            .collect(),
        group_manager: people
            .iter()
            .find(|r| r.is_group_manager)
            .map(|r| r.person()),
    }
}

pub(super) async fn notify_job(state: &AppState, job: &Job) -> Result<Vec<NewJob>, String> {
    let p: NotifyPayload =
        serde_json::from_str(&job.payload).map_err(|e| format!("not a notification: {e}"))?;
    let event = Event::parse(&p.event).ok_or_else(|| format!("unknown event {:?}", p.event))?;
    if !state.mailer.enabled() {
        return Ok(Vec::new());
    }
    if event == Event::RecordOverdue {
        return overdue_mail(state, job, &p).await;
    }
    let id = job.record_id.ok_or("the notification names no incident")?;
    let store_err = |e: steward_store::StoreError| e.to_string();
    let inc = state.store.incident_by_id(id).await.map_err(store_err)?;
    // An OLA clock's warning or breach goes to the group whose clock it is,
    // even if the incident was handed over before the mail was sent.
    let people = state
        .store
        .notification_circle(id, p.group)
        .await
        .map_err(store_err)?;
    let circle = circle_of(&people);
    let to = notify::recipients(event, &circle, p.actor_id);
    if to.is_empty() {
        return Ok(Vec::new());
    }
    let comment = match p.comment_id {
        Some(c) => Some(state.store.comment(id, c).await.map_err(store_err)?),
        None => None,
    };
    let clock = p.clock.as_deref().and_then(ClockKind::parse);
    let due = match clock {
        Some(k) => state
            .store
            .sla_clocks(id)
            .await
            .map_err(store_err)?
            .into_iter()
            .find(|c| c.kind == k.as_str() && c.group_id == p.group.unwrap_or(0))
            .and_then(|c| c.due_at),
        None => None,
    };
    let base = state.config.base_url();
    let mut mails = Vec::new();
    for user_id in to {
        let Some(r) = people.iter().find(|r| r.id == user_id) else {
            continue;
        };
        // Belt and braces: a work note's text never goes to a customer.
        if comment.as_ref().is_some_and(|c| c.visibility != "public") && r.role == "customer" {
            continue;
        }
        let author = comment
            .as_ref()
            .and_then(|c| c.author_name.clone())
            .unwrap_or_default();
        let clock_name = clock.map(|k| k.label().to_lowercase()).unwrap_or_default();
        // An OLA clock is the group's: named so, and never sent to a customer.
        let ola = p.group.is_some();
        if ola && r.role == "customer" {
            continue;
        }
        let (clock_name, agreement) = if ola {
            (format!("group's OLA {clock_name}"), "OLA")
        } else {
            (clock_name, "SLA")
        };
        let (headline, subject, reason) = match event {
            Event::IncidentCreated => (
                format!("Incident {} was raised.", inc.number),
                "raised",
                if r.is_caller {
                    "you raised it"
                } else {
                    "it is for your group"
                },
            ),
            Event::IncidentAssigned => (
                format!("Incident {} is assigned to you.", inc.number),
                "assigned to you",
                "it is assigned to you",
            ),
            Event::IncidentCommented => (
                format!("{author} added a comment:"),
                "new comment",
                if r.is_caller {
                    "you raised it"
                } else {
                    "you work on it"
                },
            ),
            Event::WorkNoteAdded => (
                format!("{author} added a work note (staff only):"),
                "new work note",
                "you work on it",
            ),
            Event::IncidentResolved => (
                format!(
                    "Incident {} is resolved. If it is not fixed for you, reopen it from the link below.\n\
                     How did we do? Rate it from 1 to 5: {base}/incidents/{}#rate",
                    inc.number, inc.number
                ),
                "resolved",
                "you raised it",
            ),
            Event::SlaWarning => (
                format!("The {clock_name} clock has reached its warning point."),
                if ola { "OLA warning" } else { "SLA warning" },
                "you work on it",
            ),
            Event::SlaBreach => (
                format!(
                    "The {clock_name} clock has passed its target: the {agreement} is breached."
                ),
                if ola { "OLA breached" } else { "SLA breached" },
                if r.role == "manager" && !r.is_assignee {
                    "you manage the group it is assigned to (escalation)"
                } else {
                    "you work on it"
                },
            ),
            // Not an incident's event (service reports and overdue records
            // mail their own).
            Event::ServiceReportIssued | Event::SurveySent | Event::RecordOverdue => continue,
        };
        let body = IncidentMail {
            name: &r.name,
            headline,
            quote: comment
                .as_ref()
                .map(|c| {
                    c.body
                        .lines()
                        .map(|l| format!("> {l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            number: &inc.number,
            title: &inc.title,
            service: &inc.service_name,
            priority: inc.priority,
            state: inc.state().label(),
            due: due.map(|d| local_time(d, &r.time_zone)).unwrap_or_default(),
            link: format!("{base}/incidents/{}", inc.number),
            reason,
            settings: format!("{base}/settings"),
        }
        .render()
        .map_err(|e| format!("cannot render the e-mail: {e}"))?;
        let mail = Mail {
            to: r.email.clone(),
            subject: format!("[{}] {} ({subject})", inc.number, inc.title),
            body,
            message_id: steward_domain::mail_in::own_id(
                &format!("notify-{}-{}", job.id, r.id),
                &inc.number,
            ),
        };
        mails.push(mail.job(Some(id), state.config.job_max_attempts)?);
    }
    Ok(mails)
}

#[derive(Template)]
#[template(path = "mail/overdue.txt")]
struct OverdueMail<'a> {
    name: &'a str,
    kind: &'a str,
    number: &'a str,
    title: &'a str,
    state: &'a str,
    due: String,
    link: String,
    reason: &'a str,
    settings: String,
}

/// The e-mails of a record past its target date: to its owner (or, with
/// none, its group) and the group's managers; when none of them would hear
/// of it (nobody holds it, all inactive or muted), to the provider's
/// managers, so that an overdue complaint always reaches someone.
async fn overdue_mail(
    state: &AppState,
    job: &Job,
    p: &NotifyPayload,
) -> Result<Vec<NewJob>, String> {
    let store_err = |e: steward_store::StoreError| e.to_string();
    let id = job.record_id.ok_or("the escalation names no record")?;
    let number = p
        .number
        .as_deref()
        .ok_or("the escalation names no record")?;
    let r = state
        .store
        .record(number, Visibility::All)
        .await
        .map_err(store_err)?;
    if !matches!(r.state_category.as_str(), "new" | "active" | "waiting") {
        return Ok(Vec::new());
    }
    let kind = r.kind().map_err(store_err)?;
    let people = state
        .store
        .notification_circle(id, None)
        .await
        .map_err(store_err)?;
    // Not the customer who raised it: the escalation is the provider's.
    let circle = Circle {
        caller: None,
        ..circle_of(&people)
    };
    // (user id, e-mail, name, time zone, why)
    let mut to: Vec<(i64, String, String, String, &str)> =
        notify::recipients(Event::RecordOverdue, &circle, None)
            .into_iter()
            .filter_map(|uid| people.iter().find(|r| r.id == uid))
            .map(|r| {
                let why = if r.is_assignee {
                    "you own it"
                } else if r.is_group_manager || r.role == "manager" {
                    "you manage the group it is assigned to (escalation)"
                } else {
                    "it is assigned to your group"
                };
                (
                    r.id,
                    r.email.clone(),
                    r.name.clone(),
                    r.time_zone.clone(),
                    why,
                )
            })
            .collect();
    if to.is_empty() {
        for u in state.store.provider_managers().await.map_err(store_err)? {
            if !u.person().muted.contains(&Event::RecordOverdue) {
                to.push((
                    u.id,
                    u.email,
                    u.name,
                    u.time_zone,
                    "nobody around it would hear of it and you are a manager",
                ));
            }
        }
    }
    let base = state.config.base_url();
    let spec = kind.spec();
    let mut mails = Vec::new();
    for (uid, email, name, tz, reason) in to {
        let body = OverdueMail {
            name: &name,
            kind: spec.label,
            number: &r.number,
            title: &r.title,
            state: &r.state,
            due: p.target_at.map(|t| local_time(t, &tz)).unwrap_or_default(),
            link: format!("{base}/{}/{}", spec.path, r.number),
            reason,
            settings: format!("{base}/settings"),
        }
        .render()
        .map_err(|e| format!("cannot render the e-mail: {e}"))?;
        let mail = Mail {
            to: email,
            subject: format!("[{}] {} (past its target date)", r.number, r.title),
            body,
            message_id: steward_domain::mail_in::own_id(
                &format!("overdue-{}-{uid}", job.id),
                &r.number,
            ),
        };
        mails.push(mail.job(Some(id), state.config.job_max_attempts)?);
    }
    Ok(mails)
}
