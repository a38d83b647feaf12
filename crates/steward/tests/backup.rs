//! Restore drill, on SQLite and on PostgreSQL: demo data, a backup taken
//! while a client writes, restored into a fresh database and data folder;
//! every incident acknowledged before the backup began is there, an uploaded
//! file comes back byte for byte, and the audit chain verifies. Bad archives
//! and targets are refused with the database untouched.

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{BIN, free_port, wait_ready};
use serde_json::json;
use steward_store::testing::{Backend, TempDir, TestDb, backends};

/// `steward` against one database and data folder.
fn steward(url: &str, data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_DATA_DIR", data)
        .env("STEWARD_LOG", "warn")
        .output()
        .expect("run steward")
}

fn ok(url: &str, data: &Path, args: &[&str]) -> String {
    let out = steward(url, data, args);
    assert!(
        out.status.success(),
        "steward {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Refused with a non-zero exit and a message that says `says`.
fn refused(out: &Output, says: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected a refusal: {err}");
    assert!(err.contains(says), "{says:?} not in {err}");
}

fn serve(url: &str, data: &Path, port: u16) -> Child {
    Command::new(BIN)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_DATA_DIR", data)
        .env("STEWARD_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start steward serve")
}

fn stop(mut child: Child) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_writing_restores_every_acknowledged_record() {
    for backend in backends() {
        let (db, data, out) = (TestDb::new(backend).await, TempDir::new(), TempDir::new());
        let (url, dir) = (db.url.clone(), data.0.clone());
        ok(&url, &dir, &["demo", "--incidents", "50"]);
        let token = ok(
            &url,
            &dir,
            &["token", "create", "--user", "admin@northwind.example"],
        );
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let child = serve(&url, &dir, port);
        wait_ready(&client, &base).await;

        // A file uploaded before the backup comes back byte for byte.
        let service: serde_json::Value = client
            .get(format!("{base}/api/v1/services"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let service = service[0]["number"].as_str().unwrap().to_owned();
        let raise = {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            move |title: String| {
                let (client, base, token, service) =
                    (client.clone(), base.clone(), token.clone(), service.clone());
                async move {
                    let r = client
                        .post(format!("{base}/api/v1/incidents"))
                        .bearer_auth(&token)
                        .json(&json!({"title": title, "service": service}))
                        .send()
                        .await
                        .ok()?;
                    if r.status() != 201 {
                        return None;
                    }
                    let v: serde_json::Value = r.json().await.ok()?;
                    v["number"].as_str().map(str::to_owned)
                }
            }
        };
        let with_file = raise("with a file".into()).await.unwrap();
        let content = b"restore drill: this line must come back\n".to_vec();
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(content.clone()).file_name("drill.txt"),
        );
        let r = client
            .post(format!("{base}/api/v1/incidents/{with_file}/attachments"))
            .bearer_auth(&token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let file_id = r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap();

        // A client writes throughout; the backup is taken in the middle.
        let stopping = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(vec![with_file.clone()]));
        let writer = {
            let (stopping, acked) = (stopping.clone(), acked.clone());
            let raise = raise.clone();
            tokio::spawn(async move {
                let mut n = 0;
                while !stopping.load(Ordering::Relaxed) {
                    n += 1;
                    if let Some(number) = raise(format!("written during the backup {n}")).await {
                        acked.lock().unwrap().push(number);
                    }
                }
            })
        };
        while acked.lock().unwrap().len() < 20 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let before: Vec<String> = acked.lock().unwrap().clone();
        let archive = out.0.join("steward.tar.gz");
        let archive_s = archive.to_str().unwrap().to_owned();
        let said = tokio::task::spawn_blocking({
            let (url, dir, archive_s) = (url.clone(), dir.clone(), archive_s.clone());
            move || ok(&url, &dir, &["backup", "--out", &archive_s])
        })
        .await
        .unwrap();
        assert!(said.starts_with("Backup written to"), "{said}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        stopping.store(true, Ordering::Relaxed);
        writer.await.unwrap();
        let during = acked.lock().unwrap().len() - before.len();
        assert!(
            during > 0,
            "{backend:?}: nothing was written around the backup"
        );
        stop(child);

        // A path that cannot be written is a clear error.
        refused(
            &steward(
                &url,
                &dir,
                &["backup", "--out", "/nonexistent/x/steward.tar.gz"],
            ),
            "cannot write the backup to /nonexistent/x/steward.tar.gz",
        );

        // Restored into a fresh database and data folder.
        let (db2, data2) = (TestDb::new(backend).await, TempDir::new());
        let (url2, dir2) = (db2.url.clone(), data2.0.clone());
        let said = ok(&url2, &dir2, &["restore", &archive_s]);
        assert!(said.contains("audit chain intact"), "{said}");
        let report = ok(&url2, &dir2, &["audit", "verify"]);
        assert!(report.starts_with("Audit chain intact"), "{report}");
        let child = serve(&url2, &dir2, port);
        wait_ready(&client, &base).await;
        for number in &before {
            let r = client
                .get(format!("{base}/api/v1/incidents/{number}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                200,
                "{backend:?}: {number} missing after restore"
            );
        }
        let r = client
            .get(format!("{base}/api/v1/attachments/{file_id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.bytes().await.unwrap().as_ref(), content.as_slice());
        stop(child);

        // A database that holds data is refused without --force.
        refused(
            &steward(&url2, &dir2, &["restore", &archive_s]),
            "already holds data",
        );
        assert!(
            steward(&url2, &dir2, &["restore", "--force", &archive_s])
                .status
                .success()
        );

        // Truncated, foreign and cross-database archives: refused, nothing changed.
        let (db3, data3) = (TestDb::new(backend).await, TempDir::new());
        let (url3, dir3) = (db3.url.clone(), data3.0.clone());
        let whole = std::fs::read(&archive).unwrap();
        let cut = out.0.join("cut.tar.gz");
        std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
        let foreign = out.0.join("notes.tar.gz");
        std::fs::write(&foreign, b"this is not an archive\n").unwrap();
        for bad in [&cut, &foreign] {
            refused(
                &steward(&url3, &dir3, &["restore", bad.to_str().unwrap()]),
                "is not a complete Steward backup",
            );
        }
        let other = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(TestDb::new(Backend::Sqlite).await),
        };
        if let Some(other) = &other {
            refused(
                &steward(&other.url, &dir3, &["restore", &archive_s]),
                "is a backup of a postgres database",
            );
        }
        // A SQLite database inside the folder of uploaded files: refused
        // both ways, with what to do.
        if backend == Backend::Sqlite {
            let inner = url3.trim_start_matches("sqlite://");
            let folder = Path::new(inner).parent().unwrap();
            let out_file = out.0.join("inside.tar.gz");
            let says = "lies inside data_dir";
            refused(
                &steward(
                    &url3,
                    folder,
                    &["backup", "--out", out_file.to_str().unwrap()],
                ),
                says,
            );
            assert!(!out_file.exists());
            refused(&steward(&url3, folder, &["restore", &archive_s]), says);
        }
        // Untouched: the third database still takes a restore as an empty one.
        ok(&url3, &dir3, &["restore", &archive_s]);
        eprintln!(
            "{backend:?}: {} acknowledged before the backup restored, {during} written during it",
            before.len()
        );
    }
}
