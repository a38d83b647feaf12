//! A burst of wrong sign-ins against a fresh server: answers, peak memory, `/healthz`.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::server::*;

/// What a burst of wrong sign-ins did to a fresh server.
pub(crate) struct Burst {
    pub(crate) sent: usize,
    /// The server's peak resident set (VmHWM) after the burst, in kB.
    pub(crate) peak_kb: u64,
    /// The slowest `/healthz` answer while the burst ran, in ms.
    pub(crate) health_max_ms: f64,
    /// Answers: wrong password (401), limited (429), busy (503), other.
    pub(crate) statuses: [usize; 4],
    pub(crate) seconds: f64,
}

/// Sends `n` wrong sign-ins at once (each for its own unknown account, with
/// its own form token) to a fresh server whose per-address limit is off, so
/// that every one reaches the password check and only the bounded queue of
/// argon2 work stands between the burst and the server's memory; meanwhile
/// `/healthz` is asked every 20 ms.
pub(crate) async fn login_burst(bin: &str, url: &str, n: usize) -> anyhow::Result<Burst> {
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
