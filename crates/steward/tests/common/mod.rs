//! Helpers of the tests that run the `steward` binary.

#![allow(dead_code)]

use std::process::{Command, Output};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_steward");

pub fn steward(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_LOG", "warn")
        .output()
        .expect("run steward")
}

pub fn ok(url: &str, args: &[&str]) -> String {
    let out = steward(url, args);
    assert!(
        out.status.success(),
        "steward {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until the server at `base` answers `/readyz`.
pub async fn wait_ready(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server at {base} never became ready");
}
