//! The command line refuses bad arguments, bad records and bad configuration
//! with a message that says what is wrong and a non-zero exit, and writes
//! nothing when it refuses.

mod common;

use std::process::{Command, Output};

use common::{BIN, ok, steward};
use steward_store::testing::{TestDb, backends};

const PASSWORD: &str = "correct horse battery";

fn refused(out: &Output, code: i32, says: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(says), "expected {says:?} in:\n{stderr}");
}

/// `steward migrate` with one extra environment variable.
fn migrate_with(url: &str, var: &str, value: &str) -> Output {
    Command::new(BIN)
        .arg("migrate")
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_LOG", "warn")
        .env(var, value)
        .output()
        .expect("run steward")
}

#[tokio::test]
async fn bad_arguments_and_records_get_a_clear_message_and_a_non_zero_exit() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.clone();
        ok(&url, &["migrate"]);
        let user = |email: &str, role: &str, org: Option<&str>, password: &str| {
            let mut args = vec![
                "user",
                "create",
                "--email",
                email,
                "--name",
                "Some One",
                "--role",
                role,
                "--password",
                password,
            ];
            if let Some(o) = org {
                args.extend(["--org", o]);
            }
            steward(&url, &args)
        };

        // Argument errors are clap's: exit code 2 and the usage.
        refused(
            &steward(&url, &["frobnicate"]),
            2,
            "unrecognized subcommand",
        );
        refused(
            &steward(&url, &["user", "create", "--email", "a@p.test"]),
            2,
            "--name",
        );

        // Record errors name the flag to correct.
        refused(
            &steward(&url, &["org", "create", "--name", "X", "--kind", "vendor"]),
            1,
            "--kind: must be provider or customer",
        );
        refused(
            &user("a@p.test", "agent", None, PASSWORD),
            1,
            "--org: create the provider organisation first",
        );
        ok(
            &url,
            &["org", "create", "--name", "Provider", "--kind", "provider"],
        );
        ok(&url, &["org", "create", "--name", "Alpha"]);
        refused(
            &steward(&url, &["org", "create", "--name", "Alpha"]),
            1,
            "already exists",
        );
        refused(
            &user("a@p.test", "wizard", None, PASSWORD),
            1,
            "--role: must be one of",
        );
        refused(
            &user("not-an-address", "agent", None, PASSWORD),
            1,
            "--email:",
        );
        refused(
            &user("a@p.test", "agent", None, "short"),
            1,
            "--password: must be at least 12 characters",
        );
        refused(
            &user("c@alpha.test", "customer", None, PASSWORD),
            1,
            "--org: a customer must belong to a customer organisation",
        );
        refused(
            &user("a@p.test", "agent", Some("Alpha"), PASSWORD),
            1,
            "--org: staff roles belong to the provider organisation",
        );
        refused(
            &user("c@alpha.test", "customer", Some("Nowhere"), PASSWORD),
            1,
            "--org: no organisation named \"Nowhere\"",
        );
        refused(
            &steward(&url, &["token", "create", "--user", "nobody@p.test"]),
            1,
            "no user with e-mail",
        );
        // The refusals wrote nothing: the first user created is number 1.
        let created = user("a@p.test", "agent", None, PASSWORD);
        assert!(created.status.success(), "{created:?}");
        let created = String::from_utf8_lossy(&created.stdout);
        assert!(created.contains("(id 1)"), "{created}");
        refused(
            &user("A@P.test", "agent", None, PASSWORD),
            1,
            "already exists",
        );

        // Configuration errors name the variable or setting.
        for (var, value, says) in [
            (
                "STEWARD_MAX_CONNECTIONS",
                "lots",
                "STEWARD_MAX_CONNECTIONS must be a whole number",
            ),
            (
                "STEWARD_SECURE_COOKIES",
                "perhaps",
                "STEWARD_SECURE_COOKIES must be true or false",
            ),
            (
                "STEWARD_RISK_SCALE",
                "11",
                "risk_scale must be from 3 to 10",
            ),
            (
                "STEWARD_PRIORITY_MATRIX",
                "P1 P2",
                "invalid priority_matrix",
            ),
            (
                "STEWARD_CONFIG",
                "/nonexistent/steward.toml",
                "does not exist",
            ),
            (
                "STEWARD_DATABASE_URL",
                "mysql://db/steward",
                "expected sqlite://PATH or postgres://",
            ),
        ] {
            refused(&migrate_with(&url, var, value), 1, says);
        }

        // A management review's pack: a bad period is refused; a good one is written.
        refused(
            &steward(
                &url,
                &["review", "pack", "--period", "2026-09-30..2026-07-01"],
            ),
            1,
            "ends (2026-07-01) before it starts",
        );
        let dir = steward_store::testing::TempDir::new();
        for format in ["pdf", "json", "html"] {
            let out = dir.0.join(format!("pack.{format}"));
            let said = ok(
                &url,
                &[
                    "review",
                    "pack",
                    "--period",
                    "2026-Q3",
                    "--format",
                    format,
                    "--out",
                    out.to_str().unwrap(),
                ],
            );
            assert!(said.contains("2026-07-01 to 2026-09-30"), "{said}");
            let bytes = std::fs::read(&out).unwrap();
            match format {
                "pdf" => assert!(bytes.starts_with(b"%PDF")),
                "json" => {
                    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                    assert_eq!(v["from"], "2026-07-01");
                }
                _ => assert!(
                    String::from_utf8_lossy(&bytes).contains("Actions from previous reviews")
                ),
            }
        }

        // A customer's service report: unknown customer, the provider, a bad
        // period refused; issued once with --issue, a second time refused.
        for (args, says) in [
            (
                vec!["--customer", "Nobody", "--period", "2026-11"],
                "no organisation named",
            ),
            (
                vec!["--customer", "Provider", "--period", "2026-11"],
                "must be a customer",
            ),
            (
                vec!["--customer", "Alpha", "--period", "2026-13"],
                "--period",
            ),
            (
                vec![
                    "--customer",
                    "Alpha",
                    "--period",
                    "2026-11",
                    "--format",
                    "xml",
                ],
                "--format",
            ),
        ] {
            let mut all = vec!["report", "service"];
            all.extend(args);
            refused(&steward(&url, &all), 1, says);
        }
        for (format, issue) in [("csv", false), ("pdf", true), ("html", false)] {
            let out = dir.0.join(format!("service.{format}"));
            let mut args = vec![
                "report",
                "service",
                "--customer",
                "Alpha",
                "--period",
                "2026-11",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ];
            if issue {
                args.push("--issue");
            }
            let said = ok(&url, &args);
            assert!(said.contains("2026-11-01 to 2026-11-30"), "{said}");
            assert_eq!(said.contains(", issued"), issue, "{said}");
            let bytes = std::fs::read(&out).unwrap();
            match format {
                "pdf" => assert!(bytes.starts_with(b"%PDF")),
                "csv" => assert!(String::from_utf8_lossy(&bytes).contains("Alpha,2026-11,period")),
                _ => assert!(String::from_utf8_lossy(&bytes).contains("Service report: Alpha")),
            }
        }
        refused(
            &steward(
                &url,
                &[
                    "report",
                    "service",
                    "--customer",
                    "Alpha",
                    "--period",
                    "2026-11",
                    "--issue",
                ],
            ),
            1,
            "already issued",
        );
        let said = ok(&url, &["report", "verify-counts"]);
        assert!(said.contains("agree"), "{said}");
    }
}

/// `steward mail take` with `raw` on standard input.
fn take_mail(url: &str, raw: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(["mail", "take"])
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run steward");
    child.stdin.take().unwrap().write_all(raw).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn a_mail_servers_pipe_hands_messages_to_steward_mail_take() {
    for backend in backends() {
        let db = TestDb::new(backend).await;
        let url = db.url.clone();
        ok(&url, &["migrate"]);
        // A stranger's message is taken (into the quarantine), not refused.
        let out = take_mail(
            &url,
            b"From: pat@nowhere.test\r\nSubject: Hi\r\n\r\nHello\r\n",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("\"reason\":\"unknown_sender\""), "{said}");
        let again = take_mail(
            &url,
            b"From: pat@nowhere.test\r\nSubject: Hi\r\n\r\nHello\r\n",
        );
        assert!(String::from_utf8_lossy(&again.stdout).contains("duplicate"));
        let listed = ok(&url, &["mail", "quarantine"]);
        assert!(
            listed.contains("unknown_sender\tpat@nowhere.test\tHi"),
            "{listed}"
        );
        assert!(listed.contains("1 message(s) wait"), "{listed}");
        // No database: the mail server is told to try again later (75).
        let out = take_mail("postgres://nobody@127.0.0.1:1/none", b"From: a@b\r\n\r\nx");
        assert_eq!(
            out.status.code(),
            Some(75),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
