//! A real SMTP server for tests, on a random local port: it speaks enough
//! SMTP (RFC 5321) for a client to deliver, and keeps every message it was
//! given so a test can read back recipients, subject and body. It can also
//! refuse every message (to test retries), answer slowly, or hold every
//! message unanswered (to catch a client in the middle of a delivery).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        let prefix = format!("{}:", name.to_lowercase());
        self.data
            .lines()
            .find(|l| l.to_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_owned())
            .unwrap_or_default()
    }

    pub fn body(&self) -> String {
        self.data
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default()
    }
}

#[derive(Clone, Default)]
pub struct SmtpSink {
    pub port: u16,
    pub inbox: Arc<Mutex<Vec<Received>>>,
    /// Refuse every message with a 451 (temporary failure).
    pub refuse: Arc<std::sync::atomic::AtomicBool>,
    /// Wait this long before accepting each message.
    pub delay_ms: Arc<std::sync::atomic::AtomicU64>,
    /// While set, each message's final reply is withheld: the client waits.
    pub hold: Arc<std::sync::atomic::AtomicBool>,
    /// Messages being withheld right now.
    pub held: Arc<std::sync::atomic::AtomicUsize>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free local port for the test mail server");
        let sink = SmtpSink {
            port: listener.local_addr().map(|a| a.port()).unwrap_or(0),
            ..Default::default()
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.session(stream).await;
                });
            }
        });
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until at least `n` messages arrived (at most 20 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let m = self.messages();
        panic!("expected {n} messages, got {}: {m:?}", m.len());
    }

    async fn session(&self, stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (r, mut w) = stream.into_split();
        let mut lines = BufReader::new(r).lines();
        w.write_all(b"220 sink.test ESMTP ready\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        while let Some(line) = lines.next_line().await? {
            let upper = line.to_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                w.write_all(b"250-sink.test\r\n250 8BITMIME\r\n").await?;
            } else if upper.starts_with("MAIL FROM:") {
                from = line[10..].trim().trim_matches(['<', '>']).to_owned();
                to.clear();
                w.write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("RCPT TO:") {
                to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                w.write_all(b"250 OK\r\n").await?;
            } else if upper == "DATA" {
                w.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                while let Some(l) = lines.next_line().await? {
                    if l == "." {
                        break;
                    }
                    let l = l
                        .strip_prefix('.')
                        .filter(|_| l.starts_with(".."))
                        .unwrap_or(&l);
                    data.push_str(l);
                    data.push_str("\r\n");
                }
                let delay = self.delay_ms.load(Ordering::Relaxed);
                if delay > 0 {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
                if self.hold.load(Ordering::Relaxed) {
                    self.held.fetch_add(1, Ordering::Relaxed);
                    while self.hold.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    self.held.fetch_sub(1, Ordering::Relaxed);
                }
                if self.refuse.load(Ordering::Relaxed) {
                    w.write_all(b"451 try again later\r\n").await?;
                } else {
                    self.inbox
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(Received {
                            from: from.clone(),
                            to: to.clone(),
                            data,
                        });
                    w.write_all(b"250 queued\r\n").await?;
                }
            } else if upper == "QUIT" {
                w.write_all(b"221 bye\r\n").await?;
                break;
            } else if upper == "RSET" || upper == "NOOP" {
                w.write_all(b"250 OK\r\n").await?;
            } else {
                w.write_all(b"502 not implemented\r\n").await?;
            }
        }
        Ok(())
    }
}
