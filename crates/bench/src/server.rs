//! The server under test: the `steward` binary as a child process, its memory
//! and the machine's CPU time.

use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use anyhow::bail;

pub(crate) fn steward(bin: &str, url: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .args(args)
        .env("STEWARD_DATABASE_URL", url)
        .env("STEWARD_LOG", "warn")
        .output()?;
    if !out.status.success() {
        bail!("steward {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A `Key: N kB` figure of a process's `/proc/PID/<file>` (`status`, `smaps_rollup`).
pub(crate) fn proc_kb(pid: u32, file: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).map(|l| l.to_owned()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// The server's peak resident set (`VmHWM`). Each SQLite reader connection
/// maps the database file on its own, so the file's pages count once per
/// reader in it, although the machine holds them once, in its page cache.
pub(crate) fn peak_rss_kb(pid: u32) -> u64 {
    proc_kb(pid, "status", "VmHWM:")
}

/// The largest memory figures seen while sampling a server.
#[derive(Default, Clone, Copy)]
pub(crate) struct Peaks {
    /// Proportional set size: each page counted once, shared pages divided
    /// among their mappings, so the database file mapped by eight readers
    /// counts as one copy.
    pub(crate) pss_kb: u64,
    /// Private memory (`RssAnon`): the heap and stacks.
    pub(crate) anon_kb: u64,
}

/// Samples the current server process (`pid`, replaced when the server is
/// restarted) every 100 ms until `stop`.
pub(crate) fn sample_memory(
    pid: Arc<AtomicU32>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Peaks> {
    std::thread::spawn(move || {
        let mut peaks = Peaks::default();
        while !stop.load(Ordering::Relaxed) {
            let p = pid.load(Ordering::Relaxed);
            if p != 0 {
                peaks.pss_kb = peaks.pss_kb.max(proc_kb(p, "smaps_rollup", "Pss:"));
                peaks.anon_kb = peaks.anon_kb.max(proc_kb(p, "status", "RssAnon:"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        peaks
    })
}

/// CPU time the whole machine has spent busy so far, in clock ticks (Linux's
/// /proc/stat: user, nice, system, irq and softirq time of all cores).
pub(crate) fn busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let f: Vec<u64> = cpu
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq ...
    Some(f.first()? + f.get(1)? + f.get(2)? + f.get(5)? + f.get(6)?)
}

/// Microseconds of machine CPU per unit of work between two readings
/// (clock ticks are 10 ms on Linux).
pub(crate) fn cpu_us_per(before: Option<u64>, after: Option<u64>, units: f64) -> Option<f64> {
    Some(after?.checked_sub(before?)? as f64 * 10_000.0 / units.max(1.0))
}

pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}
