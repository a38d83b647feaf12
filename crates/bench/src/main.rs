//! `steward-bench`: runs the release `steward` binary against SQLite and
//! PostgreSQL and prints, per database: incidents created per second through
//! the API at N concurrent clients, list latency p50/p99 for the first page and
//! a page deep in the list at each size, the server's peak resident memory,
//! and beside them the raw ceiling of the same database (single-row insert
//! transactions per second at the same concurrency and durability settings).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use serde_json::json;
use steward_store::testing::{Backend, TestDb};
use steward_store::{Store, StoreOptions, now_ms};

#[derive(Parser)]
struct Args {
    /// sqlite, postgres, or both (comma-separated).
    #[arg(long, default_value = "sqlite,postgres")]
    backends: String,
    /// List sizes to measure at (comma-separated).
    #[arg(long, default_value = "10000,1000000")]
    sizes: String,
    /// Concurrent API clients.
    #[arg(long, default_value_t = 32)]
    clients: u32,
    /// Seconds per throughput measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Requests per latency measurement.
    #[arg(long, default_value_t = 300)]
    requests: usize,
    /// The steward binary to measure.
    #[arg(long, default_value = "target/release/steward")]
    bin: String,
    /// Jobs to drain (one server on SQLite, two on PostgreSQL); 0 skips.
    #[arg(long, default_value_t = 20_000)]
    jobs: i64,
    /// Open incidents whose SLA clocks are recomputed; 0 skips.
    #[arg(long, default_value_t = 100_000)]
    clocks: i64,
    /// Concurrent wrong sign-ins sent at once to a fresh server; 0 skips.
    #[arg(long, default_value_t = 200)]
    logins: usize,
}

/// What a burst of wrong sign-ins did to a fresh server.
struct Burst {
    sent: usize,
    /// The server's peak resident set (VmHWM) after the burst, in kB.
    peak_kb: u64,
    /// The slowest `/healthz` answer while the burst ran, in ms.
    health_max_ms: f64,
    /// Answers: wrong password (401), limited (429), busy (503), other.
    statuses: [usize; 4],
    seconds: f64,
}

struct Row {
    backend: &'static str,
    raw: f64,
    api: f64,
    /// Machine CPU time (both database and server, all cores) per raw insert
    /// and per API creation, in microseconds, when /proc/stat is readable.
    cpu_us: Option<(f64, f64)>,
    /// Per size: first page p50/p99, deep page p50/p99, all checks p50/p99 (ms).
    lists: Vec<(i64, [f64; 6])>,
    /// Per size: the problem list's first page p50/p99 and a problem's
    /// linked incidents p50/p99 (ms), with how many problems there were.
    problems: Vec<(i64, i64, [f64; 4])>,
    /// Per size: a year's management review pack p50/p99 (ms).
    packs: Vec<(i64, [f64; 2])>,
    /// Per size: a customer's service report for a year p50/p99 (ms).
    reports: Vec<(i64, [f64; 2])>,
    peak_kb: u64,
    /// The largest proportional set size (PSS) and private memory seen.
    sampled: Peaks,
    /// Jobs claimed and completed per second, and by how many server processes.
    jobs: Option<(f64, usize)>,
    /// Seconds to give N open incidents their clocks, then to recompute them
    /// after a calendar change.
    clocks: Option<(i64, f64, f64, u64)>,
    burst: Option<Burst>,
}

/// Sends `n` wrong sign-ins at once (each for its own unknown account, with
/// its own form token) to a fresh server whose per-address limit is off, so
/// that every one reaches the password check and only the bounded queue of
/// argon2 work stands between the burst and the server's memory; meanwhile
/// `/healthz` is asked every 20 ms.
async fn login_burst(bin: &str, url: &str, n: usize) -> anyhow::Result<Burst> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let child = Command::new(bin)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_LOG", "warn")
        .env("STEWARD_SECURE_COOKIES", "false")
        .env("STEWARD_LOGIN_PER_ADDRESS_PER_MINUTE", "0")
        .env("STEWARD_LOGIN_GLOBAL_PER_MINUTE", "0")
        .stdout(Stdio::null())
        .spawn()
        .context("start steward serve for the sign-in burst")?;
    let server = Server(child);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(n)
        .build()?;
    for i in 0..200 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        if i == 199 {
            bail!("the server did not become ready");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Every form first, so that the posts go together.
    let mut forms = Vec::new();
    for _ in 0..n {
        let res = client.get(format!("{base}/login")).send().await?;
        let cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("steward_login="))
            .and_then(|v| v.split(';').next())
            .context("no sign-in cookie")?
            .to_owned();
        let html = res.text().await?;
        let token = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .context("no sign-in token")?
            .to_owned();
        forms.push((cookie, token));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let health = {
        let (client, base, stop) = (client.clone(), base.clone(), stop.clone());
        tokio::spawn(async move {
            let mut worst = 0f64;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let ok = client
                    .get(format!("{base}/healthz"))
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                worst = worst.max(if ok {
                    t.elapsed().as_secs_f64() * 1000.0
                } else {
                    f64::INFINITY
                });
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            worst
        })
    };
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, (cookie, token)) in forms.into_iter().enumerate() {
        let (client, base) = (client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let email = format!("nobody{i}@bench.test");
            client
                .post(format!("{base}/login"))
                .header("cookie", cookie)
                .form(&[
                    ("email", email.as_str()),
                    ("password", "not the password"),
                    ("csrf", token.as_str()),
                ])
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let mut statuses = [0usize; 4];
    for t in tasks {
        match t.await?? {
            401 => statuses[0] += 1,
            429 => statuses[1] += 1,
            503 => statuses[2] += 1,
            _ => statuses[3] += 1,
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let health_max_ms = health.await?;
    let peak_kb = peak_rss_kb(server.0.id());
    drop(server);
    Ok(Burst {
        sent: n,
        peak_kb,
        health_max_ms,
        statuses,
        seconds,
    })
}

const ALWAYS: &str = r#"{"name":"Bench 24x7","time_zone":"UTC","week":{"monday":["00:00-24:00"],"tuesday":["00:00-24:00"],"wednesday":["00:00-24:00"],"thursday":["00:00-24:00"],"friday":["00:00-24:00"],"saturday":["00:00-24:00"],"sunday":["00:00-24:00"]}}"#;
const OFFICE: &str = r#"{"name":"Bench 24x7","time_zone":"Europe/London","week":{"monday":["08:00-18:00"],"tuesday":["08:00-18:00"],"wednesday":["08:00-18:00"],"thursday":["08:00-18:00"],"friday":["08:00-18:00"]},"holidays":[{"date":"2026-12-25","name":"Christmas Day"}]}"#;

fn steward(bin: &str, url: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .args(args)
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_LOG", "warn")
        .output()?;
    if !out.status.success() {
        bail!("steward {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A `Key: N kB` figure of a process's `/proc/PID/<file>` (`status`, `smaps_rollup`).
fn proc_kb(pid: u32, file: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l.to_owned()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// The server's peak resident set (`VmHWM`). Each SQLite reader connection
/// maps the database file on its own, so the file's pages count once per
/// reader in it, although the machine holds them once, in its page cache.
fn peak_rss_kb(pid: u32) -> u64 {
    proc_kb(pid, "status", "VmHWM:")
}

/// The largest memory figures seen while sampling a server.
#[derive(Default, Clone, Copy)]
struct Peaks {
    /// Proportional set size: each page counted once, shared pages divided
    /// among their mappings, so the database file mapped by eight readers
    /// counts as one copy.
    pss_kb: u64,
    /// Private memory (`RssAnon`): the heap and stacks.
    anon_kb: u64,
}

/// Samples the current server process (`pid`, replaced when the server is
/// restarted) every 100 ms until `stop`.
fn sample_memory(pid: Arc<AtomicU32>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Peaks> {
    std::thread::spawn(move || {
        let mut peaks = Peaks::default();
        while !stop.load(Ordering::Relaxed) {
            let p = pid.load(Ordering::Relaxed);
            if p != 0 {
                peaks.pss_kb = peaks.pss_kb.max(proc_kb(p, "smaps_rollup", "Pss:"));
                peaks.anon_kb = peaks.anon_kb.max(proc_kb(p, "status", "RssAnon:"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        peaks
    })
}

/// CPU time the whole machine has spent busy so far, in clock ticks (Linux's
/// /proc/stat: user, nice, system, irq and softirq time of all cores).
fn busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let f: Vec<u64> = cpu
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq ...
    Some(f.first()? + f.get(1)? + f.get(2)? + f.get(5)? + f.get(6)?)
}

/// Microseconds of machine CPU per unit of work between two readings
/// (clock ticks are 10 ms on Linux).
fn cpu_us_per(before: Option<u64>, after: Option<u64>, units: f64) -> Option<f64> {
    Some(after?.checked_sub(before?)? as f64 * 10_000.0 / units.max(1.0))
}

/// Waits until no job is queued or running; after a minute (a job waiting out
/// a retry, say) it says so and goes on.
async fn drain_jobs(store: &Store) -> anyhow::Result<()> {
    let t = Instant::now();
    loop {
        let c = store.job_counts().await?;
        if c.queued == 0 && c.running == 0 {
            return Ok(());
        }
        if t.elapsed() > Duration::from_secs(60) {
            eprintln!("jobs still waiting after a minute, going on: {c:?}");
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn latency(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    n: usize,
) -> anyhow::Result<(f64, f64)> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = client.get(url).bearer_auth(token).send().await?;
        if !r.status().is_success() {
            bail!("GET {url}: {}", r.status());
        }
        r.bytes().await?;
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    Ok((percentile(&samples, 0.5), percentile(&samples, 0.99)))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

async fn run_backend(
    args: &Args,
    backend: Backend,
    name: &'static str,
    sizes: &[i64],
) -> anyhow::Result<Row> {
    let db = TestDb::new(backend).await;
    let url = db.url.clone();
    let bin = &args.bin;
    steward(bin, &url, &["migrate"])?;
    steward(
        bin,
        &url,
        &["org", "create", "--name", "Provider", "--kind", "provider"],
    )?;
    steward(bin, &url, &["org", "create", "--name", "Alpha"])?;
    steward(
        bin,
        &url,
        &[
            "user",
            "create",
            "--email",
            "bench@p.test",
            "--name",
            "Bench",
            "--role",
            "admin",
        ],
    )?;
    let token = steward(bin, &url, &["token", "create", "--user", "bench@p.test"])?;

    eprintln!(
        "[{name}] raw insert ceiling, {} writers, {} s",
        args.clients, args.seconds
    );
    let store = Store::connect(
        &url,
        &StoreOptions {
            max_connections: args.clients.max(2),
            ..Default::default()
        },
    )
    .await?;
    let busy = busy_ticks();
    let inserted = store
        .bench_raw_inserts(args.clients, args.seconds * 1000)
        .await? as f64;
    let raw_cpu = cpu_us_per(busy, busy_ticks(), inserted);
    let raw = inserted / args.seconds as f64;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients as usize)
        .build()?;
    let server_pid = Arc::new(AtomicU32::new(0));
    let stop_sampling = Arc::new(AtomicBool::new(false));
    let sampler = sample_memory(server_pid.clone(), stop_sampling.clone());
    let start_server = async || -> anyhow::Result<Server> {
        let child = Command::new(bin)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("STEWARD_DATABASE_URL", &url)
            // STEWARD_BENCH_SERVER_LOG shows more of the server, e.g.
            // `warn,sqlx::query=debug` for every statement and its time.
            .env(
                "STEWARD_LOG",
                std::env::var("STEWARD_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .env("STEWARD_MAX_CONNECTIONS", args.clients.to_string())
            .stdout(Stdio::null())
            .spawn()
            .context("start steward serve")?;
        server_pid.store(child.id(), Ordering::Relaxed);
        let server = Server(child);
        for _ in 0..200 {
            if client
                .get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the server did not become ready")
    };
    let mut server = start_server().await?;
    let mut peak_kb = 0;
    let r = client
        .post(format!("{base}/api/v1/services"))
        .bearer_auth(&token)
        .json(&json!({"name": "Mail", "status": "live", "customers": ["Alpha"]}))
        .send()
        .await?;
    if r.status() != 201 {
        bail!("creating the service: {}", r.status());
    }
    // An SLA covers the incidents, so that creation computes their clocks.
    let by = steward_store::AuditActor::system("bench");
    let calendar = store
        .create_calendar(&by, "Bench 24x7", "UTC", ALWAYS)
        .await?;
    let alpha = store.org_by_name("Alpha").await?;
    store
        .create_agreement(
            &by,
            &steward_store::AgreementFields {
                kind: "sla".into(),
                title: "Bench SLA".into(),
                org_id: Some(alpha.id),
                calendar_id: calendar.id,
                valid_from: "2020-01-01".into(),
                status: "agreed".into(),
                warn_percent: 75,
                targets:
                    r#"{"1":[15,240],"2":[30,480],"3":[60,960],"4":[120,1440],"5":[240,2880]}"#
                        .into(),
                ..Default::default()
            },
        )
        .await?;

    // The new agreement's clock recompute (queued to run once every
    // process's cached terms have expired) is set-up, not part of the run.
    drain_jobs(&store).await?;

    eprintln!(
        "[{name}] API creation, {} clients, {} s",
        args.clients, args.seconds
    );
    let created = Arc::new(AtomicU64::new(0));
    let busy = busy_ticks();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let (client, base, token, created) =
            (client.clone(), base.clone(), token.clone(), created.clone());
        let secs = args.seconds;
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while start.elapsed() < Duration::from_secs(secs) {
                n += 1;
                let body = json!({"title": format!("load {c}/{n}"), "service": "SVC-0001", "caller": "bench@p.test", "impact": 2, "urgency": 2});
                match client.post(format!("{base}/api/v1/incidents")).bearer_auth(&token).json(&body).send().await {
                    Ok(r) if r.status() == 201 => {
                        created.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) => return Err(anyhow::anyhow!("create answered {}", r.status())),
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let api = created.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    let api_cpu = cpu_us_per(busy, busy_ticks(), created.load(Ordering::Relaxed) as f64);
    let cpu_us = raw_cpu.zip(api_cpu);

    // The notifications of the creation run drain first: the server works
    // through them while the phases below measure or clear the tables.
    drain_jobs(&store).await?;

    let burst = if args.logins > 0 {
        eprintln!("[{name}] {} wrong sign-ins at once", args.logins);
        Some(login_burst(bin, &url, args.logins).await?)
    } else {
        None
    };

    // Jobs: queued to start together, drained by the running server (and a
    // second one on PostgreSQL, where several servers share the database).
    let mut jobs = None;
    if args.jobs > 0 {
        let workers = if backend == Backend::Postgres { 2 } else { 1 };
        eprintln!("[{name}] {} jobs through {workers} server(s)", args.jobs);
        let extra = if workers == 2 {
            let port2 = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            Some(Server(
                Command::new(bin)
                    .args(["serve", "--listen", &format!("127.0.0.1:{port2}")])
                    .env("STEWARD_DATABASE_URL", &url)
                    .env("STEWARD_LOG", "warn")
                    .env("STEWARD_MAX_CONNECTIONS", args.clients.to_string())
                    .stdout(Stdio::null())
                    .spawn()
                    .context("start a second steward serve")?,
            ))
        } else {
            None
        };
        let done_before = store.job_counts().await?.done;
        let at = now_ms() + 3_000;
        let batch: Vec<steward_store::NewJob> = (0..args.jobs)
            .map(|_| {
                let mut j =
                    steward_store::NewJob::new("notify", &json!({"event": "incident_created"}));
                j.run_at = Some(at);
                j
            })
            .collect();
        for chunk in batch.chunks(1_000) {
            store.enqueue_jobs(chunk).await?;
        }
        while now_ms() < at {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let t = Instant::now();
        loop {
            let c = store.job_counts().await?;
            if c.done - done_before >= args.jobs {
                break;
            }
            if t.elapsed() > Duration::from_secs(600) {
                bail!("jobs did not drain: {c:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        jobs = Some((args.jobs as f64 / t.elapsed().as_secs_f64(), workers));
        drop(extra);
    }

    let org = store.org_by_name("Alpha").await?;
    let caller = store.user_by_email("bench@p.test").await?;
    let service = store
        .service("SVC-0001", steward_domain::access::Visibility::All)
        .await?;
    // Lists and checks are measured on generated history only: a provider's
    // past, not the burst of incidents the throughput run just opened.
    store.bench_clear_incidents().await?;
    let mut have = 0;
    let mut filled = 0;
    let mut lists = Vec::new();
    let mut problems = Vec::new();
    let mut packs = Vec::new();
    let mut reports = Vec::new();
    for &size in sizes {
        if size > have {
            eprintln!("[{name}] filling to {size} incidents");
            let n = size - have;
            store
                .bench_fill_incidents(
                    n,
                    filled + 1,
                    now_ms() - 86_400_000,
                    org.id,
                    caller.id,
                    service.id,
                )
                .await?;
            filled += n;
            have = size;
            // A bulk load is maintenance: SQLite's readers keep the planner
            // statistics they loaded, so the server is restarted after it
            // (docs/performance.md shows what happens without).
            peak_kb = peak_kb.max(peak_rss_kb(server.0.id()));
            drop(server);
            server = start_server().await?;
        }
        eprintln!("[{name}] list latency at {size} incidents");
        let first = format!("{base}/api/v1/incidents?limit=50");
        let (f50, f99) = latency(&client, &first, &token, args.requests).await?;
        let cursor = store
            .bench_cursor_at(size * 9 / 10)
            .await?
            .context("no deep cursor")?;
        let deep = format!(
            "{base}/api/v1/incidents?limit=50&cursor={}",
            steward_server::paging::encode_cursor(&cursor)
        );
        let (d50, d99) = latency(&client, &deep, &token, args.requests).await?;
        eprintln!("[{name}] evaluating every evidence check at {size} incidents");
        let checks = format!("{base}/api/v1/requirements");
        let (c50, c99) = latency(&client, &checks, &token, (args.requests / 10).max(10)).await?;
        lists.push((size, [f50, f99, d50, d99, c50, c99]));
        // A management review's input pack over the last year of this history.
        eprintln!("[{name}] management review pack over a year at {size} incidents");
        let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
        let year_ago = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 365))
            .strftime("%Y-%m-%d")
            .to_string();
        let pack = format!("{base}/api/v1/review-pack?period={year_ago}..{today}");
        let (p50, p99) = latency(&client, &pack, &token, (args.requests / 10).max(10)).await?;
        packs.push((size, [p50, p99]));
        // The customer's service report over the same year: every generated
        // incident is this customer's, so it counts all of them.
        eprintln!("[{name}] a customer's service report over a year at {size} incidents");
        let report = format!(
            "{base}/api/v1/organisations/{}/service-report?period={year_ago}..{today}",
            org.id
        );
        let (r50, r99) = latency(&client, &report, &token, (args.requests / 10).max(10)).await?;
        reports.push((size, [r50, r99]));
        // A problem board over this history: one problem per 1,000 incidents,
        // every 50th incident linked to one (about 20 per problem).
        let n = (size / 1000).max(10);
        eprintln!("[{name}] problem list and linked incidents with {n} problems");
        store.bench_fill_problems(n, org.id, service.id).await?;
        let board = format!("{base}/api/v1/problems?limit=50");
        let (b50, b99) = latency(&client, &board, &token, args.requests).await?;
        let linked = format!("{base}/api/v1/problems/PRB-100001/incidents?limit=50");
        let (l50, l99) = latency(&client, &linked, &token, args.requests).await?;
        problems.push((size, n, [b50, b99, l50, l99]));
    }
    let peak_kb = peak_kb.max(peak_rss_kb(server.0.id()));
    stop_sampling.store(true, Ordering::Relaxed);
    let sampled = sampler.join().unwrap_or_default();
    drop(server);

    // SLA clocks, last (it leaves 100,000 overdue clocks behind): N open
    // incidents get their clocks (none had them), then a calendar change moves
    // the due times. The server is stopped so that its own recompute job does
    // not race the one measured here.
    let mut clocks = None;
    if args.clocks > 0 {
        store.bench_clear_incidents().await?;
        eprintln!(
            "[{name}] recomputing the clocks of {} open incidents",
            args.clocks
        );
        store
            .bench_fill_incidents(
                args.clocks,
                1,
                now_ms() - 3_600_000,
                org.id,
                caller.id,
                service.id,
            )
            .await?;
        store.bench_open_all().await?;
        store.forget_sla_terms();
        let t = Instant::now();
        store.recompute_clocks().await?;
        let first = t.elapsed().as_secs_f64();
        store
            .update_calendar(
                &by,
                calendar.id,
                None,
                "Bench 24x7",
                "Europe/London",
                OFFICE,
            )
            .await?;
        let t = Instant::now();
        let changed = store.recompute_clocks().await?;
        let second = t.elapsed().as_secs_f64();
        // A clock whose whole target falls in the new working hours keeps its due time.
        if changed == 0 {
            bail!("the calendar change moved no clock");
        }
        clocks = Some((args.clocks, first, second, changed));
    }

    store.close().await;
    Ok(Row {
        backend: name,
        raw,
        api,
        cpu_us,
        lists,
        problems,
        packs,
        reports,
        peak_kb,
        sampled,
        jobs,
        clocks,
        burst,
    })
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
