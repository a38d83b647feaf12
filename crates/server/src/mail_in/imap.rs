//! Reads a mailbox over IMAP (`imap_url`): every unseen message is taken in
//! through the one pipeline, and marked `\Seen` only once what it made is
//! committed. A crash in between leaves it unseen; offered again, it finds
//! its row and makes nothing twice. Between rounds the connection waits in
//! IDLE, so a new message is taken in as it arrives.

use std::sync::Arc;
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::rustls;

use super::{Source, take};
use crate::AppState;

/// Where the mailbox is, from `imap_url`.
#[derive(Clone)]
pub struct MailboxUrl {
    tls: bool,
    host: String,
    port: u16,
    user: String,
    password: String,
    mailbox: String,
}

impl std::fmt::Debug for MailboxUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}@{}:{}/{}",
            if self.tls { "imaps" } else { "imap" },
            self.user,
            self.host,
            self.port,
            self.mailbox
        )
    }
}

impl MailboxUrl {
    /// `imaps://user:password@host[:993]/INBOX` or `imap://...[:143]`; none
    /// when the setting is empty; says what is wrong otherwise.
    pub fn parse(raw: &str) -> Result<Option<MailboxUrl>, String> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        let u = url::Url::parse(raw.trim()).map_err(|e| format!("imap_url is not a URL: {e}"))?;
        let tls = match u.scheme() {
            "imaps" => true,
            "imap" => false,
            other => {
                return Err(format!(
                    "imap_url must start with imaps:// or imap://, not {other}://"
                ));
            }
        };
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let host = u
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("imap_url has no host")?
            .to_owned();
        if u.username().is_empty() {
            return Err("imap_url has no user name (imaps://user:password@host/INBOX)".into());
        }
        let mailbox = decode(u.path().trim_start_matches('/'));
        Ok(Some(MailboxUrl {
            tls,
            port: u.port().unwrap_or(if tls { 993 } else { 143 }),
            host,
            user: decode(u.username()),
            password: decode(u.password().unwrap_or_default()),
            mailbox: if mailbox.is_empty() {
                "INBOX".into()
            } else {
                mailbox
            },
        }))
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}
type Session = async_imap::Session<Box<dyn Io>>;

/// Reads the mailbox until `stop`, reconnecting with back-off when the
/// server or the database is away.
pub async fn run(state: AppState, at: MailboxUrl, mut stop: watch::Receiver<bool>) {
    let mut wait = Duration::from_secs(1);
    loop {
        let began = std::time::Instant::now();
        if let Err(e) = session(&state, &at, &mut stop).await {
            // A session that ran a while was a good one: the back-off starts
            // again from a second.
            if began.elapsed() > Duration::from_secs(300) {
                wait = Duration::from_secs(1);
            }
            tracing::warn!(mailbox = ?at, error = %e, retry_in = ?wait, "reading the mailbox failed");
            metrics::counter!("steward_mail_in_imap_errors_total").increment(1);
        } else {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        wait = (wait * 2).min(Duration::from_secs(60));
    }
}

async fn connect(at: &MailboxUrl) -> Result<Session, String> {
    let tcp = tokio::time::timeout(
        Duration::from_secs(20),
        TcpStream::connect((at.host.as_str(), at.port)),
    )
    .await
    .map_err(|_| "connecting timed out".to_owned())?
    .map_err(|e| format!("cannot connect: {e}"))?;
    let stream: Box<dyn Io> = if at.tls {
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from(at.host.clone())
            .map_err(|e| format!("{}: {e}", at.host))?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        Box::new(tls)
    } else {
        Box::new(tcp)
    };
    let mut client = async_imap::Client::new(stream);
    client
        .read_response()
        .await
        .map_err(|e| format!("no greeting: {e}"))?
        .ok_or("the server closed the connection")?;
    client
        .login(&at.user, &at.password)
        .await
        .map_err(|(e, _)| format!("login as {} refused: {e}", at.user))
}

async fn session(
    state: &AppState,
    at: &MailboxUrl,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), String> {
    let mut s = connect(at).await?;
    s.select(&at.mailbox)
        .await
        .map_err(|e| format!("cannot open {}: {e}", at.mailbox))?;
    tracing::info!(mailbox = ?at, "reading incoming mail");
    let idle_for = Duration::from_secs(state.config.imap_idle_seconds.max(1));
    loop {
        if *stop.borrow() {
            let _ = s.logout().await;
            return Ok(());
        }
        drain(state, &mut s, stop).await?;
        let mut idle = s.idle();
        idle.init().await.map_err(|e| format!("IDLE: {e}"))?;
        {
            let (wait, _interrupt) = idle.wait_with_timeout(idle_for);
            tokio::select! {
                r = wait => match r {
                    Ok(IdleResponse::NewData(_) | IdleResponse::Timeout | IdleResponse::ManualInterrupt) => {}
                    Err(e) => return Err(format!("IDLE: {e}")),
                },
                _ = stop.changed() => {}
            }
        }
        s = idle.done().await.map_err(|e| format!("DONE: {e}"))?;
    }
}

/// Takes in every unseen message, oldest first, each marked seen once
/// committed; stops at the first that cannot be (to be offered again).
async fn drain(
    state: &AppState,
    s: &mut Session,
    stop: &watch::Receiver<bool>,
) -> Result<(), String> {
    let mut uids: Vec<u32> = s
        .uid_search("UNSEEN")
        .await
        .map_err(|e| format!("SEARCH: {e}"))?
        .into_iter()
        .collect();
    uids.sort_unstable();
    let mut failed = 0;
    for uid in uids {
        if *stop.borrow() {
            break;
        }
        let raw = {
            let fetches: Vec<_> = s
                .uid_fetch(uid.to_string(), "BODY.PEEK[]")
                .await
                .map_err(|e| format!("FETCH: {e}"))?
                .try_collect()
                .await
                .map_err(|e| format!("FETCH: {e}"))?;
            fetches
                .iter()
                .find(|f| f.uid == Some(uid))
                .and_then(|f| f.body().map(<[u8]>::to_vec))
        };
        // Gone meanwhile (another reader moved it): nothing to take.
        let Some(raw) = raw else { continue };
        match take(state, &raw, Source::Imap).await {
            Ok(outcome) => tracing::debug!(uid, ?outcome, "mail taken in"),
            // Left unseen, offered again next round; the messages after it
            // are not held up by it.
            Err(e) => {
                tracing::warn!(uid, error = %e, "a message could not be taken in");
                failed += 1;
                continue;
            }
        }
        let _: Vec<_> = s
            .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
            .await
            .map_err(|e| format!("STORE: {e}"))?
            .try_collect()
            .await
            .map_err(|e| format!("STORE: {e}"))?;
    }
    if failed > 0 {
        // Back off before they are offered again.
        return Err(format!("{failed} message(s) could not be taken in"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::MailboxUrl;

    #[test]
    fn mailbox_urls() {
        let m = MailboxUrl::parse("imaps://desk%40x.example:p%2Bw@mail.x.example/Support")
            .unwrap()
            .unwrap();
        assert!(m.tls);
        assert_eq!(
            (
                m.user.as_str(),
                m.password.as_str(),
                m.port,
                m.mailbox.as_str()
            ),
            ("desk@x.example", "p+w", 993, "Support")
        );
        let plain = MailboxUrl::parse("imap://u:p@127.0.0.1:1143")
            .unwrap()
            .unwrap();
        assert_eq!(
            (plain.tls, plain.port, plain.mailbox.as_str()),
            (false, 1143, "INBOX")
        );
        assert!(MailboxUrl::parse("").unwrap().is_none());
        assert!(MailboxUrl::parse("pop3://u@h").is_err());
        assert!(MailboxUrl::parse("imap://h/INBOX").is_err());
        // The password never shows in logs.
        assert!(!format!("{m:?}").contains("p+w"));
    }
}
