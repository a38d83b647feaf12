//! Durability: kill `steward serve` with SIGKILL while clients create
//! incidents; after a restart every acknowledged (201) incident is there and
//! the audit chain verifies. On SQLite and on PostgreSQL.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::{BIN, free_port, ok, steward, wait_ready};
use serde_json::json;
use steward_store::testing::{TestDb, backends};

fn serve(url: &str, port: u16) -> Child {
    Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start steward serve")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_incidents_survive_sigkill() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.clone();
        ok(&url, &["migrate"]);
        ok(
            &url,
            &["org", "create", "--name", "Provider", "--kind", "provider"],
        );
        ok(&url, &["org", "create", "--name", "Alpha"]);
        ok(
            &url,
            &[
                "user",
                "create",
                "--email",
                "admin@p.test",
                "--name",
                "Admin",
                "--role",
                "admin",
            ],
        );
        let token = ok(&url, &["token", "create", "--user", "admin@p.test"]);

        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let mut child = serve(&url, port);
        wait_ready(&client, &base).await;
        let res = client
            .post(format!("{base}/api/v1/services"))
            .bearer_auth(&token)
            .json(&json!({"name": "Mail", "status": "live", "customers": ["Alpha"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);

        // 16 clients create incidents until the server dies under them.
        let stop = Arc::new(AtomicBool::new(false));
        let acks = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for c in 0..16 {
            let (client, base, token, stop, acks) = (
                client.clone(),
                base.clone(),
                token.clone(),
                stop.clone(),
                acks.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut acked = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body =
                        json!({"title": format!("client {c} incident {n}"), "service": "SVC-0001"});
                    match client
                        .post(format!("{base}/api/v1/incidents"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                    {
                        Ok(r) if r.status() == 201 => {
                            if let Ok(v) = r.json::<serde_json::Value>().await {
                                acked.push(v["number"].as_str().unwrap_or_default().to_owned());
                                acks.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok(r) => assert!(r.status().is_success(), "unexpected {}", r.status()),
                        Err(_) => break,
                    }
                }
                acked
            }));
        }
        // Killed mid-stream once enough have been acknowledged, however slow the machine.
        for _ in 0..600 {
            if acks.load(Ordering::Relaxed) >= 100 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        child.kill().expect("SIGKILL the server");
        child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        let mut acked = Vec::new();
        for t in tasks {
            acked.extend(t.await.unwrap());
        }
        assert!(
            acked.len() > 20,
            "{backend:?}: only {} incidents acknowledged before the kill",
            acked.len()
        );

        // Restart: every acknowledged incident is there.
        let mut child = serve(&url, port);
        wait_ready(&client, &base).await;
        for number in &acked {
            let r = client
                .get(format!("{base}/api/v1/incidents/{number}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                200,
                "{backend:?}: acknowledged {number} lost after SIGKILL"
            );
        }
        // A graceful stop seals what is left; the chain verifies.
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(child.wait().unwrap().success());
        let report = ok(&url, &["audit", "verify"]);
        assert!(report.starts_with("Audit chain intact"), "{report}");
        let verified: i64 = report.split_whitespace().nth(3).unwrap().parse().unwrap();
        assert!(verified as usize >= acked.len(), "{report}");
        eprintln!(
            "{backend:?}: {} acknowledged incidents survived SIGKILL; {report}",
            acked.len()
        );
    }
}

#[test]
fn editing_the_audit_table_by_hand_breaks_verification() {
    // SQLite: the file is ours to tamper with, like an administrator with shell access.
    let dir = steward_store::testing::TempDir::new();
    let url = format!("sqlite://{}/t.db", dir.0.display());
    ok(
        &url,
        &["org", "create", "--name", "Provider", "--kind", "provider"],
    );
    ok(&url, &["org", "create", "--name", "Alpha"]);
    ok(
        &url,
        &[
            "user", "create", "--email", "a@p.test", "--name", "A", "--role", "admin",
        ],
    );
    assert!(ok(&url, &["audit", "verify"]).starts_with("Audit chain intact"));
    let path = format!("{}/t.db", dir.0.display());
    let tamper = |sql: &str| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut c)
                .await
                .unwrap();
        });
    };
    // The append-only triggers stop casual edits; a determined editor drops them first.
    tamper(
        "DROP TRIGGER audit_log_no_rewrite; \
         UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 2;",
    );
    let out = steward(&url, &["audit", "verify"]);
    assert!(!out.status.success(), "verify must fail after tampering");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BROKEN at position 2"), "{text}");
}
