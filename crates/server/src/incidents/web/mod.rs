//! Incident pages: home with queues, list, raise, detail with timeline, edit,
//! transitions and comments.

mod listing;
mod page;
mod queues;
mod raise;

pub use listing::*;
pub use page::*;
pub use queues::*;
pub use raise::*;

use steward_store::Incident;

use crate::incidents::ListParams;
use crate::web::local_time;

/// One line of an incident table.
pub struct Row {
    number: String,
    title: String,
    priority: i64,
    state: String,
    state_label: &'static str,
    service: String,
    organisation: String,
    assignee: String,
    opened: String,
    major: bool,
    /// Time to the nearest SLA due time ("2 h 10 min", "overdue 35 min"), or empty.
    due: String,
    /// `overdue`, `soon` (within the hour) or empty.
    due_class: &'static str,
}

/// Time left to a due time, as the queue shows it.
fn time_left(due: Option<i64>, now: i64) -> (String, &'static str) {
    match due {
        None => (String::new(), ""),
        Some(d) if d <= now => (
            format!("overdue {}", crate::sla::minutes_text((now - d) / 60_000)),
            "overdue",
        ),
        Some(d) => {
            let m = (d - now) / 60_000;
            (
                crate::sla::minutes_text(m),
                if m < 60 { "soon" } else { "" },
            )
        }
    }
}

fn rows(items: &[Incident], tz: &str) -> Vec<Row> {
    let now = steward_store::now_ms();
    items
        .iter()
        .map(|i| Row {
            due: time_left(i.sla_due().filter(|_| i.state().is_open()), now).0,
            due_class: time_left(i.sla_due().filter(|_| i.state().is_open()), now).1,
            number: i.number.clone(),
            title: i.title.clone(),
            priority: i.priority,
            state: i.state.to_string(),
            state_label: i.state().label(),
            service: i.service_name.clone(),
            organisation: i.org_name.clone(),
            assignee: i.assignee_name.clone().unwrap_or_default(),
            opened: local_time(i.opened_at, tz),
            major: i.major,
        })
        .collect()
}

pub struct Queue {
    key: &'static str,
    name: &'static str,
    link: String,
    count: String,
}

const COUNT_CAP: i64 = 10_000;

fn count_text(n: i64) -> String {
    if n >= COUNT_CAP {
        format!("{COUNT_CAP}+")
    } else {
        n.to_string()
    }
}

fn query_string(p: &ListParams) -> String {
    serde_urlencoded::to_string(p).unwrap_or_default()
}

fn levels() -> Vec<(String, &'static str)> {
    vec![
        ("1".into(), "1 - High"),
        ("2".into(), "2 - Medium"),
        ("3".into(), "3 - Low"),
    ]
}

/// Text to number; text that is not a number becomes 0, which the domain refuses clearly.
fn level(s: &str) -> Option<i64> {
    if s.trim().is_empty() {
        None
    } else {
        Some(s.trim().parse().unwrap_or(0))
    }
}
