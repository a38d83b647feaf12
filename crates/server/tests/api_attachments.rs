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
    let mut form = Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("text/html")
            .unwrap(),
    );
    if let Some(v) = visibility {
        form = form.text("visibility", v.to_owned());
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
