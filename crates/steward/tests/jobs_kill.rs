//! Durable jobs across processes: two `steward serve` share one PostgreSQL
//! database, each with its own slow mail server. One is killed with SIGKILL
//! while both run jobs, at a moment when it is surely half-way through a
//! delivery (its mail server withholds the reply). Every job still completes
//! exactly once: one completed run each, one e-mail job per notification, no job lost or dead, and every message
//! delivered (a message whose worker died after sending may arrive twice:
//! e-mail is at least once, recorded effects are exactly once).

mod common;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{BIN, free_port, ok, wait_ready};
use serde_json::{Value, json};
use steward_server::testing::smtp::SmtpSink;
use steward_store::testing::{Backend, TestDb, backends};

fn serve(url: &str, port: u16, smtp: &str) -> Child {
    Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_LOG", "warn")
        .env("STEWARD_SMTP_URL", smtp)
        .env("STEWARD_JOB_LEASE_SECONDS", "4")
        .env("STEWARD_JOB_POLL_MILLIS", "50")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start steward serve")
}

async fn get(client: &reqwest::Client, token: &str, url: String) -> Value {
    let r = client.get(url).bearer_auth(token).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_job_runs_exactly_once_when_a_worker_is_killed() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!("!! PostgreSQL not available: the two-process job test needs it");
        assert!(
            std::env::var("STEWARD_TEST_PG_REQUIRED").as_deref() != Ok("1"),
            "PostgreSQL is required"
        );
        return;
    }
    let db = TestDb::new(Backend::Postgres).await;
    let url = db.url.clone();
    ok(&url, &["migrate"]);
    ok(
        &url,
        &["org", "create", "--name", "Provider", "--kind", "provider"],
    );
    ok(&url, &["org", "create", "--name", "Alpha"]);
    for (email, role, org) in [
        ("admin@p.test", "admin", None),
        ("cora@alpha.test", "customer", Some("Alpha")),
    ] {
        let mut args = vec![
            "user", "create", "--email", email, "--name", email, "--role", role,
        ];
        if let Some(o) = org {
            args.extend(["--org", o]);
        }
        ok(&url, &args);
    }
    let token = ok(&url, &["token", "create", "--user", "admin@p.test"]);

    // Each process has its own slow mail server, so that the test can stop
    // the first one's deliveries half-way and kill it while it surely holds jobs.
    let (sink_a, sink_b) = (SmtpSink::start().await, SmtpSink::start().await);
    for sink in [&sink_a, &sink_b] {
        sink.delay_ms.store(300, Ordering::Relaxed);
    }
    let client = reqwest::Client::new();
    let (pa, pb) = (free_port(), free_port());
    let (a, b) = (
        format!("http://127.0.0.1:{pa}"),
        format!("http://127.0.0.1:{pb}"),
    );
    let mut first = serve(&url, pa, &sink_a.url());
    let mut second = serve(&url, pb, &sink_b.url());
    wait_ready(&client, &a).await;
    wait_ready(&client, &b).await;
    let r = client
        .post(format!("{a}/api/v1/services"))
        .bearer_auth(&token)
        .json(&json!({"name": "Mail", "status": "live", "customers": ["Alpha"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // 300 incidents for Cora: each queues a notification, which queues one
    // e-mail to her. The first half goes to both processes. Once the first
    // has delivered a few rounds of mail, its mail server stops answering, and
    // the second half goes to the second process only. The first message the
    // first process's mail server withholds proves that it is in the middle of
    // a job: it is killed at once, well within the job's time limit.
    const N: usize = 300;
    let all_messages = || [sink_a.messages(), sink_b.messages()].concat();
    let held = || sink_a.held.load(Ordering::Relaxed) > 0;
    let mut incidents = Vec::new();
    let mut before_kill = None;
    for n in 0..N {
        if n == N / 2 {
            sink_a.wait_for(20).await;
            sink_a.hold.store(true, Ordering::Relaxed);
        }
        if n >= N / 2 && before_kill.is_none() && held() {
            before_kill = Some(all_messages().len());
            first.kill().expect("SIGKILL");
        }
        let base = if n % 2 == 0 && n < N / 2 { &a } else { &b };
        let r = client
            .post(format!("{base}/api/v1/incidents"))
            .bearer_auth(&token)
            .json(
                &json!({"title": format!("job test {n}"), "service": "SVC-0001",
                          "caller": "cora@alpha.test"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        incidents.push(v["number"].as_str().unwrap().to_owned());
    }
    if before_kill.is_none() {
        for _ in 0..800 {
            if held() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert!(held(), "the first process never started another delivery");
        before_kill = Some(all_messages().len());
        first.kill().expect("SIGKILL");
    }
    first.wait().unwrap();
    let before_kill = before_kill.unwrap_or_default();

    // The survivor finishes everything, including what the dead one held.
    let mut counts = Value::Null;
    for _ in 0..1200 {
        counts = get(&client, &token, format!("{b}/api/v1/jobs?limit=1")).await["counts"].clone();
        if counts["queued"] == 0 && counts["running"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        (
            counts["queued"].as_i64(),
            counts["running"].as_i64(),
            counts["dead"].as_i64()
        ),
        (Some(0), Some(0), Some(0)),
        "{counts}"
    );
    assert_eq!(counts["done"].as_i64(), Some(2 * N as i64), "{counts}");

    let mut jobs = Vec::new();
    let mut before = String::new();
    loop {
        let page = get(
            &client,
            &token,
            format!("{b}/api/v1/jobs?limit=500{before}"),
        )
        .await;
        let items = page["items"].as_array().unwrap().clone();
        jobs.extend(items);
        match page["next_before"].as_i64() {
            Some(id) => before = format!("&before={id}"),
            None => break,
        }
    }
    assert_eq!(jobs.len(), 2 * N);
    // One notification and one e-mail per incident: no fan-out ran twice.
    let mut per_incident: HashMap<(i64, String), usize> = HashMap::new();
    for j in &jobs {
        let key = (
            j["payload"]["record_id"].as_i64().unwrap(),
            j["kind"].as_str().unwrap().to_owned(),
        );
        *per_incident.entry(key).or_default() += 1;
    }
    assert_eq!(per_incident.len(), 2 * N);
    assert!(per_incident.values().all(|n| *n == 1));
    // Each job has exactly one completed run; some were taken over from the dead worker.
    let mut taken_over = 0;
    let mut workers = std::collections::BTreeSet::new();
    for j in &jobs {
        let detail = get(&client, &token, format!("{b}/api/v1/jobs/{}", j["id"])).await;
        let runs = detail["runs"].as_array().unwrap();
        let done: Vec<_> = runs.iter().filter(|r| r["outcome"] == "done").collect();
        assert_eq!(done.len(), 1, "{detail}");
        workers.insert(done[0]["worker"].as_str().unwrap().to_owned());
        if detail["attempts"].as_i64().unwrap() > 1 {
            taken_over += 1;
        }
    }
    assert_eq!(workers.len(), 2, "both processes worked: {workers:?}");
    assert!(taken_over > 0, "the killed worker held no job");
    // Every message arrived; duplicates only from jobs the dead worker held.
    let messages = all_messages();
    let mut subjects: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        *subjects.entry(m.header("Subject")).or_default() += 1;
    }
    for number in &incidents {
        assert!(
            subjects
                .keys()
                .any(|s| s.starts_with(&format!("[{number}]"))),
            "no mail for {number}"
        );
    }
    let duplicates = messages.len() - subjects.len();
    assert!(
        duplicates <= taken_over,
        "{duplicates} duplicates, {taken_over} taken over"
    );
    eprintln!(
        "two workers, {} jobs, {} mails before the kill, {taken_over} jobs taken over, {duplicates} mails sent twice",
        jobs.len(),
        before_kill
    );
    Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status()
        .unwrap();
    assert!(second.wait().unwrap().success());
}
