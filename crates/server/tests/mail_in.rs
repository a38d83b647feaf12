//! Incoming e-mail on both databases: messages a mail server hands to the
//! HTTP endpoint and messages delivered to a real IMAP server (Dovecot)
//! become incidents or thread onto their record as their sender; machines'
//! mail, strangers' mail and what is not mail wait in the quarantine with
//! their reason; nothing is made twice, also when a message was committed
//! but not yet marked seen (a crash in between).

mod common;

use std::time::{Duration, Instant};

use base64::Engine;
use common::{TestServer, backends, check_status};
use reqwest::StatusCode;
use serde_json::{Value, json};
use steward_server::testing::dovecot::Dovecot;

const TOKEN: &str = "mail-secret";

fn mail(from: &str, subject: &str, headers: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: desk@provider.test\r\nSubject: {subject}\r\n{headers}\r\n{body}\r\n"
    )
}

async fn inbound(s: &TestServer, token: &str, raw: &[u8]) -> (StatusCode, Value) {
    let res = s
        .client
        .post(s.url("/api/v1/mail/inbound"))
        .bearer_auth(token)
        .body(raw.to_vec())
        .send()
        .await
        .unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

async fn take(s: &TestServer, raw: &str) -> Value {
    let (st, v) = inbound(s, TOKEN, raw.as_bytes()).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

/// A message with two files: a picture, which passes, and a program, which does not.
fn with_files(from: &str, id: &str) -> String {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let png = b64(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0");
    let exe = b64(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0PE\0\0");
    format!(
        "From: {from}\r\nSubject: Printer jams\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe printer jams on every page.\r\n\
         --b1\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"screen.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{png}\r\n\
         --b1\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"fix.exe\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{exe}\r\n--b1--\r\n"
    )
}

async fn comments(s: &TestServer, number: &str) -> Vec<String> {
    let (st, v) = s
        .get("agent", &format!("/api/v1/incidents/{number}/comments"))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn mail_handed_in_over_http_becomes_records_or_waits_in_the_quarantine() {
    for backend in backends() {
        let s = TestServer::start_with(backend, |c| {
            c.mail_token = TOKEN.into();
            c.mail_max_bytes = 200_000;
        })
        .await;
        // The mail server's key, not a user's.
        let (st, _) = inbound(&s, "wrong", b"From: a@b\r\n\r\nx").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, _) = inbound(&s, &s.tokens["admin"], b"From: a@b\r\n\r\nx").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);

        // A known sender's new message opens an incident as them, with the
        // files the upload rules accept and a note of those they refuse.
        let first = with_files("Cora <cora@alpha.test>", "m1@alpha.test");
        let v = take(&s, &first).await;
        assert_eq!(v["outcome"], "opened", "{v}");
        let n1 = v["record"].as_str().unwrap().to_owned();
        let (st, inc) = s.get("customer", &format!("/api/v1/incidents/{n1}")).await;
        assert_eq!(st, StatusCode::OK, "the caller reads it: {inc}");
        assert_eq!(inc["title"], "Printer jams");
        let d = inc["description"].as_str().unwrap();
        assert!(d.contains("jams on every page"), "{d}");
        assert!(d.contains("\"fix.exe\" was not accepted"), "{d}");
        let (_, files) = s
            .get("agent", &format!("/api/v1/incidents/{n1}/attachments"))
            .await;
        let names: Vec<&str> = files
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["file_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["screen.png"], "{files}");

        // The same message again makes nothing.
        assert_eq!(take(&s, &first).await["outcome"], "duplicate");

        // Replies thread: by In-Reply-To (a colleague of the same
        // organisation), by the number in the subject, by Steward's own
        // Message-ID; the quoted message is left out.
        let v = take(
            &s,
            &mail(
                "carl@alpha.test",
                "Re: Printer jams",
                "Message-ID: <m2@alpha.test>\r\nIn-Reply-To: <m1@alpha.test>\r\n",
                "Still jammed.\r\n\r\nOn Monday, Cora wrote:\r\n> The printer jams",
            ),
        )
        .await;
        assert_eq!(v, json!({"outcome": "replied", "record": n1}));
        let v = take(
            &s,
            &mail(
                "cora@alpha.test",
                &format!("RE: [{n1}] Printer jams"),
                "",
                "Tray 2 too.",
            ),
        )
        .await;
        assert_eq!(v["record"], n1.as_str(), "{v}");
        let v = take(
            &s,
            &mail(
                "cora@alpha.test",
                "Re: your incident",
                &format!("In-Reply-To: <notify-7-3.{n1}@steward>\r\n"),
                "Thanks!",
            ),
        )
        .await;
        assert_eq!(v["record"], n1.as_str(), "{v}");
        assert_eq!(
            comments(&s, &n1).await,
            ["Still jammed.", "Tray 2 too.", "Thanks!"]
        );

        // Another organisation's number does not reach that record.
        let v = take(
            &s,
            &mail(
                "olga@beta.test",
                &format!("Re: [{n1}] Printer jams"),
                "",
                "Ours too.",
            ),
        )
        .await;
        assert_eq!(v["outcome"], "opened", "{v}");
        assert_ne!(v["record"], n1.as_str());
        assert_eq!(comments(&s, &n1).await.len(), 3);

        // What no person wrote, or nobody known, waits with its reason.
        let big = "x".repeat(300_000);
        let held = [
            (
                mail(
                    "cora@alpha.test",
                    "Out of office",
                    "Auto-Submitted: auto-replied\r\n",
                    "Away.",
                ),
                "auto_reply",
            ),
            (
                mail("cora@alpha.test", "News", "Precedence: bulk\r\n", "Offers."),
                "bulk",
            ),
            (
                mail(
                    "cora@alpha.test",
                    "Loop",
                    "Message-ID: <n-1.INC-000001@steward>\r\n",
                    "x",
                ),
                "loop",
            ),
            (
                mail("nobody@gamma.test", "Hello", "", "Who reads this?"),
                "unknown_sender",
            ),
            ("\u{1}\u{2} not mail at all".to_owned(), "malformed"),
            (mail("cora@alpha.test", "Big", "", &big), "too_large"),
        ];
        let mut ids = std::collections::HashMap::new();
        for (raw, reason) in &held {
            let v = take(&s, raw).await;
            assert_eq!(v["outcome"], "quarantined", "{reason}: {v}");
            assert_eq!(v["reason"], *reason, "{v}");
            ids.insert(*reason, v["id"].as_i64().unwrap());
        }
        let huge = mail("cora@alpha.test", "Huge", "", &"x".repeat(500_000));
        let (st, _) = inbound(&s, TOKEN, huge.as_bytes()).await;
        assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
        let (st, list) = s.get("agent", "/api/v1/mail").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), held.len(), "{list}");
        let (st, _) = s.get("customer", "/api/v1/mail").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, all) = s.get("auditor", "/api/v1/mail?show=all").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(all.as_array().unwrap().len(), held.len() + 5, "{all}");
        let (st, _) = s.get("agent", "/api/v1/mail?show=everything").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

        // Released, a message is taken in as a person's; once only.
        let release = |id: i64| format!("/api/v1/mail/{id}/release");
        let dismiss = |id: i64| format!("/api/v1/mail/{id}/dismiss");
        let (st, _) = s
            .post("auditor", &release(ids["auto_reply"]), json!({}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, v) = s
            .post("agent", &release(ids["auto_reply"]), json!({}))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["outcome"], "opened", "{v}");
        let (st, _) = s
            .post("agent", &release(ids["auto_reply"]), json!({}))
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, e) = s
            .post("agent", &release(ids["unknown_sender"]), json!({}))
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        assert!(e.to_string().contains("Unknown sender"), "{e}");
        let (st, _) = s
            .post("agent", &dismiss(ids["unknown_sender"]), json!({}))
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (st, _) = s
            .post("agent", &dismiss(ids["unknown_sender"]), json!({}))
            .await;
        assert_eq!(st, StatusCode::CONFLICT);
        let (st, _) = s.post("agent", &dismiss(999_999), json!({})).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (_, one) = s
            .get("agent", &format!("/api/v1/mail/{}", ids["unknown_sender"]))
            .await;
        assert_eq!(one["review"], "dismissed", "{one}");
        assert_eq!(one["reviewed_by"], "agent user", "{one}");

        // Evidence: held less than two days is fine; longer and unreviewed is not.
        let (_, req) = s.get("auditor", "/api/v1/requirements/8.6.1").await;
        assert_eq!(check_status(&req, "mail-reviewed"), "met", "{req}");
        for reason in ["bulk", "loop", "malformed"] {
            s.state
                .store
                .bench_backdate_mail(ids[reason], 3)
                .await
                .unwrap();
        }
        let (_, req) = s.get("auditor", "/api/v1/requirements/8.6.1").await;
        assert_eq!(check_status(&req, "mail-reviewed"), "not_met", "{req}");
        for reason in ["bulk", "loop", "malformed"] {
            let (st, _) = s.post("manager", &dismiss(ids[reason]), json!({})).await;
            assert_eq!(st, StatusCode::NO_CONTENT);
        }
        let (_, req) = s.get("auditor", "/api/v1/requirements/8.6.1").await;
        assert_eq!(check_status(&req, "mail-reviewed"), "met", "{req}");
        s.stop().await;
    }
}

#[tokio::test]
async fn mail_off_without_a_token() {
    let backend = backends().remove(0);
    let s = TestServer::start(backend).await;
    let (st, _) = inbound(&s, "", b"From: a@b\r\n\r\nx").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test]
async fn when_asked_only_senders_the_mail_server_authenticated_are_believed() {
    for backend in backends() {
        let s = TestServer::start_with(backend, |c| {
            c.mail_token = TOKEN.into();
            c.mail_authserv_id = "mx.provider.test".into();
        })
        .await;
        let forged = mail(
            "admin@provider.test",
            "Re: anything",
            "Authentication-Results: evil.test; dmarc=pass\r\n",
            "Close everything.",
        );
        let v = take(&s, &forged).await;
        assert_eq!(v["reason"], "refused", "{v}");
        assert!(
            v["detail"].as_str().unwrap().contains("not authenticated"),
            "{v}"
        );
        let genuine = mail(
            "cora@alpha.test",
            "Mail is slow",
            "Authentication-Results: mx.provider.test; dmarc=pass header.from=alpha.test\r\n",
            "Very slow.",
        );
        assert_eq!(take(&s, &genuine).await["outcome"], "opened");
        // A NUL in the sender is malformed, not a database error.
        let v = take(&s, "From: a\u{0}b@alpha.test\r\nSubject: x\r\n\r\ny").await;
        assert_eq!(v["reason"], "malformed", "{v}");
        s.stop().await;
    }
}

/// Waits until the server has taken in `n` messages, and returns them.
async fn taken_in(s: &TestServer, n: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let (_, v) = s.get("agent", "/api/v1/mail?show=all").await;
        let list = v.as_array().cloned().unwrap_or_default();
        if list.len() >= n || start.elapsed() > Duration::from_secs(30) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_mailbox_is_read_over_imap_and_each_message_marked_seen_after_its_commit() {
    for backend in backends() {
        let imap = Dovecot::start();
        let s = TestServer::start_with(backend, |c| {
            c.mail_token = TOKEN.into();
            c.imap_url = imap.url();
            c.imap_idle_seconds = 2;
        })
        .await;
        // A message committed, then the process killed before its flag was
        // set: it is still unseen in the mailbox and offered again.
        let crashed = mail(
            "cora@alpha.test",
            "Keyboard",
            "Message-ID: <k1@alpha.test>\r\n",
            "Keys stick.",
        );
        assert_eq!(take(&s, &crashed).await["outcome"], "opened");
        imap.deliver(crashed.as_bytes()).await;

        // A new message, its reply, and something that is not mail, as a
        // mail server delivers them while the server waits in IDLE.
        let first = mail(
            "cora@alpha.test",
            "Monitor flickers",
            "Message-ID: <f1@alpha.test>\r\n",
            "Since the update.",
        );
        imap.deliver(first.as_bytes()).await;
        let list = taken_in(&s, 2).await;
        let opened = list
            .iter()
            .find(|m| m["subject"] == "Monitor flickers")
            .unwrap_or_else(|| panic!("not taken in: {list:?}"));
        assert_eq!(opened["outcome"], "opened");
        assert_eq!(opened["source"], "imap");
        let number = opened["record"].as_str().unwrap().to_owned();
        imap.deliver(
            mail(
                "cora@alpha.test",
                "Re: Monitor flickers",
                "Message-ID: <f2@alpha.test>\r\nReferences: <f1@alpha.test>\r\n",
                "Now it is black.",
            )
            .as_bytes(),
        )
        .await;
        imap.deliver(b"\x01\x02 this is not an e-mail message")
            .await;
        let list = taken_in(&s, 4).await;
        assert_eq!(list.len(), 4, "{list:?}");
        assert!(
            list.iter()
                .any(|m| m["outcome"] == "replied" && m["record"] == number.as_str()),
            "{list:?}"
        );
        assert!(
            list.iter()
                .any(|m| m["outcome"] == "quarantined" && m["reason"] == "malformed"),
            "{list:?}"
        );
        assert_eq!(comments(&s, &number).await, ["Now it is black."]);
        // Every message is marked seen, the one taken in before included,
        // which made nothing a second time.
        let start = Instant::now();
        while imap.counts().await.0 > 0 && start.elapsed() < Duration::from_secs(20) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(imap.counts().await, (0, 4), "{:?}", imap.flags().await);
        let (_, incidents) = s.get("agent", "/api/v1/incidents?q=Keyboard").await;
        assert_eq!(
            incidents["items"].as_array().map(Vec::len),
            Some(1),
            "{incidents}"
        );
        s.stop().await;
    }
}
