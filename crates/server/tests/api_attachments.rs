//! Attachments over HTTP on both databases: type from the content, safe names,
//! size limit, downloads only as files, and the comment visibility rules.

mod common;

use common::{TestServer, backends};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 0, 0, 0,
    1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
];

async fn upload(
    s: &TestServer,
    who: &str,
    number: &str,
    name: &str,
    bytes: Vec<u8>,
    visibility: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let fields: Vec<(&str, &str)> = visibility.map(|v| ("visibility", v)).into_iter().collect();
    upload_with(s, who, number, name, bytes, &fields).await
}

async fn upload_with(
    s: &TestServer,
    who: &str,
    number: &str,
    name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let mut form = Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("text/html")
            .unwrap(),
    );
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let res = s
        .client
        .post(s.url(&format!("/api/v1/incidents/{number}/attachments")))
        .bearer_auth(&s.tokens[who])
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn attachments_follow_the_rules_of_comments() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let number = s
            .raise("customer", "Screen shows stripes", "SVC-0001")
            .await;
        let theirs = s.raise("other", "Beta's problem", "SVC-0001").await;

        // The type comes from the bytes (the client claimed text/html); the name loses its path.
        let (st, a) = upload(
            &s,
            "customer",
            &number,
            "../../etc/screen.png",
            PNG.to_vec(),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{backend:?} {a}");
        assert_eq!(
            (a["content_type"].as_str(), a["file_name"].as_str()),
            (Some("image/png"), Some("screen.png"))
        );
        let (st, note) = upload(
            &s,
            "agent",
            &number,
            "trace.log",
            b"panic at line 3\n".to_vec(),
            Some("internal"),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{note}");
        assert_eq!(note["content_type"], "text/plain; charset=utf-8");

        // Downloads are files, never pages.
        let res = s
            .client
            .get(s.url(a["href"].as_str().unwrap()))
            .bearer_auth(&s.tokens["customer2"])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/png");
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.starts_with("attachment; filename=\"screen.png\""),
            "{disposition}"
        );
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(
            res.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
        assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

        // Customers never see internal files; other organisations see nothing.
        let (_, list) = s
            .get(
                "customer",
                &format!("/api/v1/incidents/{number}/attachments"),
            )
            .await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (_, list) = s
            .get("agent", &format!("/api/v1/incidents/{number}/attachments"))
            .await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        let (st, _) = s.get("customer", note["href"].as_str().unwrap()).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s.get("other", a["href"].as_str().unwrap()).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = s
            .get("other", &format!("/api/v1/incidents/{number}/attachments"))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = upload(&s, "customer", &theirs, "x.png", PNG.to_vec(), None).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = upload(
            &s,
            "customer",
            &number,
            "x.txt",
            b"hi".to_vec(),
            Some("internal"),
        )
        .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, _) = upload(&s, "auditor", &number, "x.txt", b"hi".to_vec(), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN);

        // Bad files: executables, binary junk, empty, too large. Nothing is recorded.
        let (st, v) = upload(
            &s,
            "agent",
            &number,
            "setup.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff".to_vec(),
            None,
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["field"], "file");
        let (st, _) = upload(
            &s,
            "agent",
            &number,
            "junk.bin",
            vec![0xff, 0xfe, 0, 1, 2],
            None,
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = upload(&s, "agent", &number, "empty.txt", Vec::new(), None).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, v) = upload(
            &s,
            "agent",
            &number,
            "big.txt",
            vec![b'a'; 300 * 1024],
            None,
        )
        .await;
        assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
        let (_, list) = s
            .get("agent", &format!("/api/v1/incidents/{number}/attachments"))
            .await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        let files = std::fs::read_dir(s.data.0.join("attachments"))
            .unwrap()
            .count();
        assert_eq!(files, 2, "only recorded files are kept");

        // The history records each file with its checksum.
        let (_, h) = s
            .get("agent", &format!("/api/v1/incidents/{number}/history"))
            .await;
        assert!(h.to_string().contains(a["sha256"].as_str().unwrap()));
        let (st, _) = s.get("agent", "/api/v1/attachments/999999").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        s.stop().await;
    }
}

#[tokio::test]
async fn files_on_a_comment_are_seen_by_whoever_sees_the_comment() {
    for backend in backends() {
        let s = TestServer::start(backend).await;
        let number = s.raise("customer", "Printer jams", "SVC-0001").await;
        let comments = format!("/api/v1/incidents/{number}/comments");
        let (st, public) = s
            .post(
                "customer",
                &comments,
                serde_json::json!({"body": "photo follows"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{backend:?} {public}");
        let (_, note) = s
            .post(
                "agent",
                &comments,
                serde_json::json!({"body": "driver log", "visibility": "internal"}),
            )
            .await;
        let (pid, nid) = (public["id"].to_string(), note["id"].to_string());

        // The author attaches; the file takes the comment's visibility.
        let (st, photo) = upload_with(
            &s,
            "customer",
            &number,
            "jam.png",
            PNG.to_vec(),
            &[("comment", &pid)],
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{photo}");
        assert_eq!(photo["comment"], public["id"]);
        assert_eq!(photo["visibility"], "public");
        let (st, log) = upload_with(
            &s,
            "agent",
            &number,
            "driver.log",
            b"E42\n".to_vec(),
            &[("comment", &nid)],
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{log}");
        assert_eq!(log["visibility"], "internal");

        // The customer sees the photo, not the work note's file, nor that the note exists.
        let (_, list) = s
            .get(
                "customer",
                &format!("/api/v1/incidents/{number}/attachments"),
            )
            .await;
        let names: Vec<_> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["file_name"].clone())
            .collect();
        assert_eq!(names, ["jam.png"]);
        let (st, _) = s.get("customer", log["href"].as_str().unwrap()).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, v) = upload_with(
            &s,
            "customer",
            &number,
            "x.png",
            PNG.to_vec(),
            &[("comment", &nid)],
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["field"], "comment");

        // Only the author adds files to a comment; the visibility cannot be overridden;
        // the comment must be this incident's; the id must be a number.
        let (st, _) = upload_with(
            &s,
            "agent",
            &number,
            "x.png",
            PNG.to_vec(),
            &[("comment", &pid)],
        )
        .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, v) = upload_with(
            &s,
            "agent",
            &number,
            "x.png",
            PNG.to_vec(),
            &[("comment", &nid), ("visibility", "public")],
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["field"], "visibility");
        let other = s.raise("customer", "Another one", "SVC-0001").await;
        let (st, _) = upload_with(
            &s,
            "customer",
            &other,
            "x.png",
            PNG.to_vec(),
            &[("comment", &pid)],
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = upload_with(
            &s,
            "customer",
            &number,
            "x.png",
            PNG.to_vec(),
            &[("comment", "first")],
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, _) = upload_with(
            &s,
            "customer",
            &number,
            "x.png",
            PNG.to_vec(),
            &[("colour", "red")],
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        s.stop().await;
    }
}
