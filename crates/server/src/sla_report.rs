//! The report of an agreement (an SLA, or a group's OLA): per month (UTC) and clock, how many
//! clocks stopped, the share within target, the mean and 90th percentile of
//! the business time they counted, and the breaches with their incidents.
//! The figures are aggregated in SQL; the same report model feeds the API
//! (JSON, CSV), the web page (with an SVG chart) and `steward report sla`.

use serde::{Deserialize, Serialize};
use steward_domain::access::Actor;
use steward_domain::sla;

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::report::csv_cell;
use crate::sla::minutes_text;
use crate::views::time;

/// One month and clock.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthView {
    /// `YYYY-MM` (UTC).
    pub month: String,
    /// response or resolution.
    pub clock: String,
    /// Clocks that stopped in the month.
    pub stopped: i64,
    /// Of those, within target.
    pub met: i64,
    /// `met` of `stopped`, in percent; absent when nothing stopped.
    pub met_percent: Option<f64>,
    /// Mean business minutes counted.
    pub mean_minutes: Option<i64>,
    /// 90th percentile (nearest rank) of the business minutes counted.
    pub p90_minutes: Option<i64>,
}

/// A breached clock.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BreachView {
    pub incident: String,
    pub title: String,
    pub clock: String,
    pub priority: String,
    pub breached_at: String,
    /// running (still open, past its due time), stopped, paused.
    pub status: String,
    pub counted_minutes: i64,
    pub target_minutes: i64,
    pub reason: Option<String>,
}

/// The report of one agreement over some months.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SlaReport {
    pub agreement: String,
    pub title: String,
    /// The customer, or "every customer".
    pub customer: String,
    pub status: String,
    pub from: String,
    pub to: String,
    /// Oldest month first; a month and clock with nothing stopped is listed with zeros.
    pub months: Vec<MonthView>,
    /// Newest first, at most 500.
    pub breaches: Vec<BreachView>,
}

/// The months of a report: `to` (`YYYY-MM`, default this month) and `months` back (1..=36, default 12).
pub fn months_of(to: Option<&str>, months: Option<u32>) -> AppResult<Vec<(String, i64, i64)>> {
    let n = months.unwrap_or(12);
    if !(1..=36).contains(&n) {
        return Err(AppError::field("months", "must be from 1 to 36"));
    }
    let last = match to.map(str::trim).filter(|t| !t.is_empty()) {
        None => jiff::ZonedDateTime::new(jiff::Timestamp::now(), jiff::tz::TimeZone::UTC).date(),
        Some(t) => format!("{t}-01")
            .parse::<jiff::civil::Date>()
            .map_err(|_| {
                AppError::field("to", "must be a month written YYYY-MM, such as 2026-11")
            })?,
    };
    Ok(sla::report_months(last, n))
}

/// The report of an agreement the actor may read.
pub async fn build(
    state: &AppState,
    actor: &Actor,
    number: &str,
    months: &[(String, i64, i64)],
) -> AppResult<SlaReport> {
    let a = crate::agreements::get(state, actor, number).await?;
    build_for(state, a, None, months).await
}

/// The report of an agreement (the CLI, which needs no sign-in); of one
/// customer's clocks when `org` (id, name) is given.
pub async fn build_for(
    state: &AppState,
    a: steward_store::Agreement,
    org: Option<(i64, &str)>,
    months: &[(String, i64, i64)],
) -> AppResult<SlaReport> {
    let org_id = org.map(|o| o.0);
    let rows = state.store.sla_report(&a.number, org_id, months).await?;
    let (from, to) = match (months.first(), months.last()) {
        (Some(f), Some(l)) => (f.1, l.2),
        _ => (0, 0),
    };
    let breaches = state
        .store
        .sla_breaches(&a.number, org_id, from, to, 500)
        .await?
        .into_iter()
        .map(|b| BreachView {
            incident: b.number,
            title: b.title,
            clock: b.kind,
            priority: format!("P{}", b.priority),
            breached_at: time(b.breached_at),
            status: b.status,
            counted_minutes: b.elapsed_ms / 60_000,
            target_minutes: b.target_minutes,
            // Why a clock was breached is the provider's note: a customer's
            // report leaves it out, as the incident page does for customers.
            reason: if org.is_some() { None } else { b.breach_reason },
        })
        .collect();
    let mut out = Vec::new();
    for (label, ..) in months {
        for kind in sla::ClockKind::ALL {
            let r = rows
                .iter()
                .find(|r| &r.month == label && r.kind == kind.as_str());
            let (stopped, met) = r.map_or((0, 0), |r| (r.stopped, r.met));
            out.push(MonthView {
                month: label.clone(),
                clock: kind.as_str().to_owned(),
                stopped,
                met,
                met_percent: (stopped > 0)
                    .then(|| (met as f64 * 1000.0 / stopped as f64).round() / 10.0),
                mean_minutes: r.and_then(|r| r.mean_ms).map(|m| m / 60_000),
                p90_minutes: r.and_then(|r| r.p90_ms).map(|m| m / 60_000),
            });
        }
    }
    Ok(SlaReport {
        agreement: a.number,
        title: a.title,
        customer: match org {
            Some((_, name)) => name.to_owned(),
            // An OLA is the provider's agreement with one of its groups.
            None if a.kind == "ola" => {
                format!("group {}", a.group_name.as_deref().unwrap_or("none named"))
            }
            None => a.org_name.unwrap_or_else(|| "every customer".into()),
        },
        status: a.status,
        from: months.first().map(|m| m.0.clone()).unwrap_or_default(),
        to: months.last().map(|m| m.0.clone()).unwrap_or_default(),
        months: out,
        breaches,
    })
}

/// One row per month and clock.
pub fn csv(r: &SlaReport) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "agreement",
        "month",
        "clock",
        "stopped",
        "met",
        "met_percent",
        "mean_minutes",
        "p90_minutes",
    ])
    .map_err(AppError::internal)?;
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for m in &r.months {
        w.write_record([
            csv_cell(&r.agreement),
            m.month.clone(),
            m.clock.clone(),
            m.stopped.to_string(),
            m.met.to_string(),
            m.met_percent.map(|p| p.to_string()).unwrap_or_default(),
            opt(m.mean_minutes),
            opt(m.p90_minutes),
        ])
        .map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}

/// A line per clock of the share within target per month, as SVG (no script,
/// labels escaped by construction: only numbers and month labels).
pub fn chart(r: &SlaReport) -> String {
    let months: Vec<&str> = {
        let mut m: Vec<&str> = r.months.iter().map(|m| m.month.as_str()).collect();
        m.dedup();
        m
    };
    let (w, h, left, top, bottom) = (640.0, 220.0, 40.0, 10.0, 30.0);
    let step = if months.len() > 1 {
        (w - left - 10.0) / (months.len() - 1) as f64
    } else {
        0.0
    };
    let y = |pct: f64| top + (100.0 - pct) / 100.0 * (h - top - bottom);
    let mut svg = format!(
        "<svg class=\"sla-chart\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" \
         aria-label=\"Share of clocks within target per month\">"
    );
    for pct in [0.0, 50.0, 90.0, 100.0] {
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\"></line>\
             <text x=\"4\" y=\"{:.1}\">{pct}%</text>",
            w - 10.0,
            y(pct) + 4.0,
            y0 = y(pct)
        ));
    }
    for (i, m) in months.iter().enumerate() {
        if months.len() <= 12 || i % 3 == 0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                left + step * i as f64,
                h - 8.0,
                m.get(2..).unwrap_or(m)
            ));
        }
    }
    for kind in sla::ClockKind::ALL {
        let points: Vec<String> = months
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                r.months
                    .iter()
                    .find(|v| v.month == *m && v.clock == kind.as_str())
                    .and_then(|v| v.met_percent)
                    .map(|p| format!("{:.1},{:.1}", left + step * i as f64, y(p)))
            })
            .collect();
        svg.push_str(&format!(
            "<polyline class=\"{}\" points=\"{}\"><title>{} clocks within target</title></polyline>",
            kind.as_str(),
            points.join(" "),
            kind.label()
        ));
        for p in &points {
            if let Some((x, yv)) = p.split_once(',') {
                svg.push_str(&format!(
                    "<circle class=\"{}\" cx=\"{x}\" cy=\"{yv}\" r=\"3\"></circle>",
                    kind.as_str()
                ));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The report as text for the terminal.
pub fn text(r: &SlaReport) -> String {
    let mut s = format!(
        "{} {} ({}, {}), {} to {}\n\n{:<8} {:<11} {:>7} {:>5} {:>7} {:>12} {:>12}\n",
        r.agreement,
        r.title,
        r.customer,
        r.status,
        r.from,
        r.to,
        "month",
        "clock",
        "stopped",
        "met",
        "met %",
        "mean",
        "p90"
    );
    for m in &r.months {
        s.push_str(&format!(
            "{:<8} {:<11} {:>7} {:>5} {:>7} {:>12} {:>12}\n",
            m.month,
            m.clock,
            m.stopped,
            m.met,
            m.met_percent.map(|p| format!("{p}")).unwrap_or("-".into()),
            m.mean_minutes.map(minutes_text).unwrap_or("-".into()),
            m.p90_minutes.map(minutes_text).unwrap_or("-".into()),
        ));
    }
    s.push_str(&format!("\n{} breaches\n", r.breaches.len()));
    for b in &r.breaches {
        s.push_str(&format!(
            "{} {} {} {} {}: {}\n",
            b.breached_at,
            b.incident,
            b.clock,
            b.priority,
            b.title,
            b.reason.as_deref().unwrap_or("(no reason recorded)")
        ));
    }
    s
}
