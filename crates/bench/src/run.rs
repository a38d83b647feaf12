//! One database's run: raw ceiling, API creation, bursts, fills, lists,
//! checks, packs, reports, problems, jobs and clocks, as one row.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;
use steward_store::testing::{Backend, TestDb};
use steward_store::{Store, StoreOptions, now_ms};

use crate::Args;
use crate::burst::*;
use crate::measure::*;
use crate::server::*;

pub(crate) const ALWAYS: &str = r#"{"name":"Bench 24x7","time_zone":"UTC","week":{"monday":["00:00-24:00"],"tuesday":["00:00-24:00"],"wednesday":["00:00-24:00"],"thursday":["00:00-24:00"],"friday":["00:00-24:00"],"saturday":["00:00-24:00"],"sunday":["00:00-24:00"]}}"#;
pub(crate) const OFFICE: &str = r#"{"name":"Bench 24x7","time_zone":"Europe/London","week":{"monday":["08:00-18:00"],"tuesday":["08:00-18:00"],"wednesday":["08:00-18:00"],"thursday":["08:00-18:00"],"friday":["08:00-18:00"]},"holidays":[{"date":"2026-12-25","name":"Christmas Day"}]}"#;

pub(crate) struct Row {
    pub(crate) backend: &'static str,
    pub(crate) raw: f64,
    pub(crate) api: f64,
    /// Requests ordered through the API per second: an offering with a
    /// five-field form and one fulfilment task, at the same clients.
    pub(crate) requests: f64,
    /// Messages handed in over HTTP per second, each opening an incident.
    pub(crate) mail: f64,
    /// Machine CPU time (both database and server, all cores) per raw insert
    /// and per API creation, in microseconds, when /proc/stat is readable.
    pub(crate) cpu_us: Option<(f64, f64)>,
    /// Per size: first page p50/p99, deep page p50/p99, all checks p50/p99 (ms).
    pub(crate) lists: Vec<(i64, [f64; 6])>,
    /// Per size: the problem list's first page p50/p99 and a problem's
    /// linked incidents p50/p99 (ms), with how many problems there were.
    pub(crate) problems: Vec<(i64, i64, [f64; 4])>,
    /// Per size: each of [`SEARCHES`] p50/p99 (ms), over the incidents and
    /// the benchmark's articles.
    pub(crate) searches: Vec<(i64, Vec<[f64; 2]>)>,
    /// Per size: a year's management review pack p50/p99 (ms).
    pub(crate) packs: Vec<(i64, [f64; 2])>,
    /// Per size: a customer's service report for a year p50/p99 (ms).
    pub(crate) reports: Vec<(i64, [f64; 2])>,
    pub(crate) peak_kb: u64,
    /// The largest proportional set size (PSS) and private memory seen.
    pub(crate) sampled: Peaks,
    /// Jobs claimed and completed per second, and by how many server processes.
    pub(crate) jobs: Option<(f64, usize)>,
    /// Seconds to give N open incidents their clocks, then to recompute them
    /// after a calendar change.
    pub(crate) clocks: Option<(i64, f64, f64, u64)>,
    pub(crate) burst: Option<Burst>,
}

/// The searches measured: a common word (one incident in 16, one article
/// in 4), two words, and a phrase with a word left out.
pub(crate) const SEARCHES: [&str; 3] = ["printer", "vpn offline", "\"mail locked\" -laptop"];

/// The benchmark's knowledge articles, beside the incidents.
pub(crate) const ARTICLES: i64 = 10_000;

pub(crate) async fn run_backend(
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
            .env("STEWARD_MAIL_TOKEN", MAIL_TOKEN)
            .env("STEWARD_MAIL_SERVICE", "SVC-0001")
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

    let requests = request_rate(args, name, &client, &base, &token, bin, &url, calendar.id).await?;
    drain_jobs(&store).await?;
    let mail = mail_rate(args, name, &client, &base).await?;
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
    let mut searches = Vec::new();
    eprintln!("[{name}] filling {ARTICLES} articles");
    store.bench_fill_articles(ARTICLES, org.id).await?;
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
        eprintln!("[{name}] search over {size} incidents and {ARTICLES} articles");
        let mut found = Vec::new();
        for q in SEARCHES {
            let url = format!(
                "{base}/api/v1/search?limit=20&q={}",
                url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            );
            let (s50, s99) = latency(&client, &url, &token, args.requests).await?;
            found.push([s50, s99]);
        }
        searches.push((size, found));
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
        requests,
        mail,
        cpu_us,
        lists,
        problems,
        searches,
        packs,
        reports,
        peak_kb,
        sampled,
        jobs,
        clocks,
        burst,
    })
}

/// Requests ordered per second at `args.clients` clients for `args.seconds`:
/// an offering of the bench's service with a five-field form, no approval
/// and one fulfilment task, ordered by staff for a customer (each order
/// checks the answers, writes the request, its task and its clock).
#[allow(clippy::too_many_arguments)]
async fn request_rate(
    args: &Args,
    name: &str,
    client: &reqwest::Client,
    base: &str,
    token: &str,
    bin: &str,
    url: &str,
    calendar: i64,
) -> anyhow::Result<f64> {
    steward(
        bin,
        url,
        &[
            "user",
            "create",
            "--email",
            "cust@alpha.test",
            "--name",
            "Customer",
            "--role",
            "customer",
            "--org",
            "Alpha",
        ],
    )?;
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let r = post(
        "/api/v1/groups",
        json!({"name": "Bench desk", "members": ["bench@p.test"]}),
    )
    .await?;
    if r.status() != 201 {
        bail!("creating the group: {}", r.status());
    }
    let r = post(
        "/api/v1/offerings",
        json!({"service": "SVC-0001", "name": "Laptop", "target_minutes": 960,
               "calendar": calendar, "tasks": [{"title": "Prepare", "group": "Bench desk"}],
               "form": {"fields": [
                   {"key": "model", "label": "Model", "type": "choice", "required": true,
                    "options": ["14 inch", "16 inch"]},
                   {"key": "quantity", "label": "How many", "type": "number", "required": true},
                   {"key": "needed_by", "label": "Needed by", "type": "date"},
                   {"key": "bag", "label": "With a bag", "type": "checkbox"},
                   {"key": "note", "label": "Note", "type": "text"}]}}),
    )
    .await?;
    if r.status() != 201 {
        bail!("creating the offering: {} {}", r.status(), r.text().await?);
    }
    eprintln!(
        "[{name}] request creation, {} clients, {} s",
        args.clients, args.seconds
    );
    let (base, token) = (base.to_owned(), token.to_owned());
    rate(args, client, move |client, c, n| {
        let body = json!({"offering": "OFR-0001", "requested_for": "cust@alpha.test",
            "answers": {"model": "14 inch", "quantity": 1 + n % 3, "needed_by": "2027-01-15",
                        "bag": n % 2 == 0, "note": format!("order {c}/{n}")}});
        client
            .post(format!("{base}/api/v1/requests"))
            .bearer_auth(&token)
            .json(&body)
    })
    .await
}

/// The mail server's key for the bench's server.
const MAIL_TOKEN: &str = "bench-mail";

/// Messages a mail server hands in per second at `args.clients` clients,
/// each from a known customer and new, so each opens an incident (parse,
/// screen, find the sender and the thread, check, write the incident and
/// the message's row in one transaction). Run after [`request_rate`], whose
/// customer sends them.
async fn mail_rate(
    args: &Args,
    name: &str,
    client: &reqwest::Client,
    base: &str,
) -> anyhow::Result<f64> {
    eprintln!(
        "[{name}] incoming mail, {} clients, {} s",
        args.clients, args.seconds
    );
    let base = base.to_owned();
    rate(args, client, move |client, c, n| {
        let raw = format!(
            "From: Customer <cust@alpha.test>\r\nTo: desk@p.test\r\nSubject: Printer {c}/{n} jams\r\n\
             Message-ID: <bench-{c}-{n}@alpha.test>\r\nDate: Sat, 5 Dec 2026 10:00:00 +0000\r\n\r\n\
             The printer on floor {c} jams on page {n}.\r\n\r\nCustomer\r\n"
        );
        client
            .post(format!("{base}/api/v1/mail/inbound"))
            .bearer_auth(MAIL_TOKEN)
            .body(raw)
    })
    .await
}

/// Successful calls per second: `args.clients` clients each sending what
/// `call(client, c, n)` builds for `args.seconds`; anything but 2xx fails the run.
async fn rate<F>(args: &Args, client: &reqwest::Client, call: F) -> anyhow::Result<f64>
where
    F: Fn(&reqwest::Client, u32, u64) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let call = Arc::new(call);
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let (client, call, done) = (client.clone(), call.clone(), done.clone());
        let secs = args.seconds;
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while start.elapsed() < Duration::from_secs(secs) {
                n += 1;
                let r = call(&client, c, n).send().await?;
                if !r.status().is_success() {
                    let st = r.status();
                    return Err(anyhow::anyhow!("answered {st}: {}", r.text().await?));
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}
