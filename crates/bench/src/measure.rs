//! Latency percentiles and waiting for the job queue to drain.

use std::time::{Duration, Instant};

use anyhow::bail;
use steward_store::Store;

/// Waits until no job is queued or running; after a minute (a job waiting out
/// a retry, say) it says so and goes on.
pub(crate) async fn drain_jobs(store: &Store) -> anyhow::Result<()> {
    let t = Instant::now();
    loop {
        let c = store.job_counts().await?;
        if c.queued == 0 && c.running == 0 {
            return Ok(());
        }
        if t.elapsed() > Duration::from_secs(60) {
            eprintln!("jobs still waiting after a minute, going on: {c:?}");
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub(crate) async fn latency(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    n: usize,
) -> anyhow::Result<(f64, f64)> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = client.get(url).bearer_auth(token).send().await?;
        if !r.status().is_success() {
            bail!("GET {url}: {}", r.status());
        }
        r.bytes().await?;
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    Ok((percentile(&samples, 0.5), percentile(&samples, 0.99)))
}
