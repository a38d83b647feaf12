//! `steward-bench`: runs the release `steward` binary against SQLite and
//! PostgreSQL and prints, per database: incidents created per second through
//! the API at N concurrent clients, list latency p50/p99 for the first page and
//! a page deep in the list at each size, the server's peak resident memory,
//! and beside them the raw ceiling of the same database (single-row insert
//! transactions per second at the same concurrency and durability settings).

mod burst;
mod measure;
mod run;
mod server;

use anyhow::{Context, bail};
use clap::Parser;
use steward_store::testing::Backend;

use run::run_backend;

#[derive(Parser)]
struct Args {
    /// sqlite, postgres, or both (comma-separated).
    #[arg(long, default_value = "sqlite,postgres")]
    pub(crate) backends: String,
    /// List sizes to measure at (comma-separated).
    #[arg(long, default_value = "10000,1000000")]
    pub(crate) sizes: String,
    /// Concurrent API clients.
    #[arg(long, default_value_t = 32)]
    pub(crate) clients: u32,
    /// Seconds per throughput measurement.
    #[arg(long, default_value_t = 10)]
    pub(crate) seconds: u64,
    /// Requests per latency measurement.
    #[arg(long, default_value_t = 300)]
    pub(crate) requests: usize,
    /// The steward binary to measure.
    #[arg(long, default_value = "target/release/steward")]
    pub(crate) bin: String,
    /// Jobs to drain (one server on SQLite, two on PostgreSQL); 0 skips.
    #[arg(long, default_value_t = 20_000)]
    pub(crate) jobs: i64,
    /// Open incidents whose SLA clocks are recomputed; 0 skips.
    #[arg(long, default_value_t = 100_000)]
    pub(crate) clocks: i64,
    /// Concurrent wrong sign-ins sent at once to a fresh server; 0 skips.
    #[arg(long, default_value_t = 200)]
    pub(crate) logins: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if !std::path::Path::new(&args.bin).exists() {
        bail!(
            "{} does not exist; build it with cargo build --release -p steward",
            args.bin
        );
    }
    let sizes: Vec<i64> = args
        .sizes
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .context("--sizes")?;
    let mut rows = Vec::new();
    for b in args.backends.split(',').map(str::trim) {
        let (backend, name) = match b {
            "sqlite" => (Backend::Sqlite, "sqlite"),
            "postgres" => (Backend::Postgres, "postgres"),
            other => bail!("unknown backend {other}"),
        };
        rows.push(run_backend(&args, backend, name, &sizes).await?);
    }
    println!();
    println!(
        "Steward benchmark: {} concurrent clients, {} s per throughput run, {} requests per latency figure",
        args.clients, args.seconds, args.requests
    );
    println!(
        "{:<9} {:>12} {:>12} {:>7} {:>10} {:>22} {:>22} {:>22}",
        "database",
        "raw tx/s",
        "API inc/s",
        "API/raw",
        "incidents",
        "first page p50/p99 ms",
        "deep page p50/p99 ms",
        "all checks p50/p99 ms"
    );
    for r in &rows {
        for (i, (size, l)) in r.lists.iter().enumerate() {
            let head = if i == 0 {
                format!(
                    "{:<9} {:>12.0} {:>12.0} {:>6.0}%",
                    r.backend,
                    r.raw,
                    r.api,
                    100.0 * r.api / r.raw.max(1.0)
                )
            } else {
                format!("{:<9} {:>12} {:>12} {:>7}", "", "", "", "")
            };
            println!(
                "{head} {:>10} {:>22} {:>22} {:>22}",
                size,
                format!("{:.2} / {:.2}", l[0], l[1]),
                format!("{:.2} / {:.2}", l[2], l[3]),
                format!("{:.1} / {:.1}", l[4], l[5])
            );
        }
        if let (Some(small), Some(big)) = (r.lists.first(), r.lists.last())
            && r.lists.len() > 1
        {
            println!(
                "{:<9} p50 at {} vs {}: first page {:.2}x, deep page {:.2}x, all checks {:.2}x",
                "",
                big.0,
                small.0,
                big.1[0] / small.1[0].max(0.001),
                big.1[2] / small.1[2].max(0.001),
                big.1[4] / small.1[4].max(0.001),
            );
        }
        for (size, p) in &r.packs {
            println!(
                "{:<9} at {size} incidents: a year's management review pack p50/p99 {:.1} / {:.1} ms",
                "", p[0], p[1]
            );
        }
        if let (Some(small), Some(big)) = (r.packs.first(), r.packs.last())
            && r.packs.len() > 1
        {
            println!(
                "{:<9} review pack p50 at {} vs {}: {:.2}x",
                "",
                big.0,
                small.0,
                big.1[0] / small.1[0].max(0.001)
            );
        }
        for (size, p) in &r.reports {
            println!(
                "{:<9} at {size} incidents: a customer's service report for a year p50/p99 {:.1} / {:.1} ms",
                "", p[0], p[1]
            );
        }
        if let (Some(small), Some(big)) = (r.reports.first(), r.reports.last())
            && r.reports.len() > 1
        {
            println!(
                "{:<9} service report p50 at {} vs {}: {:.2}x",
                "",
                big.0,
                small.0,
                big.1[0] / small.1[0].max(0.001)
            );
        }
        for (size, found) in &r.searches {
            let list_p99 = r
                .lists
                .iter()
                .find(|(s, _)| s == size)
                .map_or(0.0, |(_, l)| l[1]);
            let parts: Vec<String> = run::SEARCHES
                .iter()
                .zip(found)
                .map(|(q, f)| format!("{q:?} {:.2} / {:.2}", f[0], f[1]))
                .collect();
            let worst = found.iter().map(|f| f[1]).fold(0.0, f64::max);
            println!(
                "{:<9} at {size} incidents and {} articles: search p50/p99 ms {}; worst p99 {:.1}x the first page's",
                "",
                run::ARTICLES,
                parts.join(", "),
                worst / list_p99.max(0.001)
            );
        }
        for (size, n, p) in &r.problems {
            println!(
                "{:<9} at {size} incidents, {n} problems: problem list p50/p99 {:.2} / {:.2} ms, a problem's linked incidents {:.2} / {:.2} ms",
                "", p[0], p[1], p[2], p[3]
            );
        }
        let why = if r.backend == "sqlite" {
            " (counts the database file once per reader that maps it)"
        } else {
            ""
        };
        println!(
            "{:<9} server peak memory: PSS {:.1} MB, private {:.1} MB; peak RSS {:.1} MB{why}",
            "",
            r.sampled.pss_kb as f64 / 1024.0,
            r.sampled.anon_kb as f64 / 1024.0,
            r.peak_kb as f64 / 1024.0,
        );
    }
    for r in &rows {
        println!(
            "{:<9} request creation (five-field form, one task): {:.0}/s, {:.0}% of incident creation",
            r.backend,
            r.requests,
            100.0 * r.requests / r.api.max(1.0)
        );
        println!(
            "{:<9} incoming mail (a new message from a known customer, over HTTP): {:.0} incidents/s, {:.0}% of incident creation",
            r.backend,
            r.mail,
            100.0 * r.mail / r.api.max(1.0)
        );
        if let Some((raw, api)) = r.cpu_us {
            println!(
                "{:<9} machine CPU (database, server and clients): {raw:.0} µs per raw insert, {api:.0} µs per API creation",
                r.backend
            );
        }
        if let Some((per_sec, workers)) = r.jobs {
            println!(
                "{:<9} jobs claimed and completed: {per_sec:.0} per second with {workers} server process(es)",
                r.backend
            );
        }
        if let Some(b) = &r.burst {
            println!(
                "{:<9} {} wrong sign-ins at once on a fresh server: answered in {:.1} s ({} checked and refused, {} limited, {} told busy, {} other); server peak RSS {:.1} MB; slowest /healthz {:.0} ms",
                r.backend,
                b.sent,
                b.seconds,
                b.statuses[0],
                b.statuses[1],
                b.statuses[2],
                b.statuses[3],
                b.peak_kb as f64 / 1024.0,
                b.health_max_ms
            );
        }
        if let Some((n, first, second, changed)) = r.clocks {
            println!(
                "{:<9} SLA clocks of {n} open incidents: created in {first:.1} s; after a calendar change, recomputed in {second:.1} s ({changed} incidents' clocks moved)",
                r.backend
            );
        }
    }
    Ok(())
}
