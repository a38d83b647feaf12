//! A real IMAP server for tests: Debian's Dovecot (`dovecot-imapd`, which
//! `scripts/test` installs) started in a folder of its own on a free port,
//! with one mailbox, `steward` / `secret`. Dropped, it is stopped and its
//! folder removed.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use tokio::net::TcpStream;

pub struct Dovecot {
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

const USER: &str = "steward";
const PASSWORD: &str = "secret";

fn binary() -> PathBuf {
    for p in ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"] {
        if std::path::Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("Dovecot is not installed: scripts/test installs Debian's dovecot-imapd");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Dovecot {
    /// Starts a server and waits until it greets.
    pub fn start() -> Dovecot {
        // A port taken between choosing it and Dovecot binding it makes the
        // start fail: try again on another.
        for attempt in 0..5 {
            if let Some(d) = Dovecot::try_start(attempt) {
                return d;
            }
        }
        panic!("Dovecot did not start");
    }

    fn try_start(attempt: u32) -> Option<Dovecot> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!(
            "steward-imap-{}-{port}-{attempt}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(dir.join(sub)).expect("create Dovecot's folders");
        }
        std::fs::write(dir.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n"))
            .expect("write passwd");
        // Run as root (CI), Dovecot wants its own unprivileged users, which
        // the package creates; run as anyone else, it runs as them.
        let (internal, login, mail_user) = if is_root() {
            let _ = Command::new("chown")
                .args(["-R", "dovecot:dovecot"])
                .arg(dir.join("home"))
                .status();
            (
                "dovecot".to_owned(),
                "dovenull".to_owned(),
                "dovecot".to_owned(),
            )
        } else {
            let me = std::env::var("USER").unwrap_or_else(|_| "nobody".into());
            (me.clone(), me.clone(), me)
        };
        let d = dir.display();
        let conf = format!(
            "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\n\
             disable_plaintext_auth = no\nauth_mechanisms = plain\n\
             default_internal_user = {internal}\ndefault_internal_group = {internal}\n\
             default_login_user = {login}\nfirst_valid_uid = 0\n\
             passdb {{\n  driver = passwd-file\n  args = {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={mail_user} gid={mail_user} home={d}/home/%u\n}}\n\
             mail_location = maildir:~/Maildir\n\
             service imap-login {{\n  inet_listener imap {{\n    port = {port}\n  }}\n  \
             inet_listener imaps {{\n    port = 0\n  }}\n}}\n"
        );
        std::fs::write(dir.join("dovecot.conf"), conf).expect("write dovecot.conf");
        let child = Command::new(binary())
            .arg("-F")
            .arg("-c")
            .arg(dir.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dovecot");
        let mut d = Dovecot { port, dir, child };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(_)) = d.child.try_wait() {
                return None;
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(d);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// The `imap_url` that reads its inbox.
    pub fn url(&self) -> String {
        format!("imap://{USER}:{PASSWORD}@127.0.0.1:{}/INBOX", self.port)
    }

    async fn session(&self) -> async_imap::Session<TcpStream> {
        let tcp = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connect to Dovecot");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.expect("greeting");
        client
            .login(USER, PASSWORD)
            .await
            .map_err(|(e, _)| e)
            .expect("log in to Dovecot")
    }

    /// Delivers a message to the inbox, unseen, as a mail server would.
    pub async fn deliver(&self, raw: &[u8]) {
        let mut s = self.session().await;
        s.append("INBOX", None, None, raw)
            .await
            .expect("append a message");
        let _ = s.logout().await;
    }

    /// How many messages of the inbox are unseen, and how many in all.
    pub async fn counts(&self) -> (usize, usize) {
        let mut s = self.session().await;
        s.select("INBOX").await.expect("select INBOX");
        let unseen = s.uid_search("UNSEEN").await.expect("search").len();
        let all = s.uid_search("ALL").await.expect("search").len();
        let _ = s.logout().await;
        (unseen, all)
    }

    /// The flags of every message, for a look when a test fails.
    pub async fn flags(&self) -> Vec<String> {
        let mut s = self.session().await;
        s.select("INBOX").await.expect("select INBOX");
        let fetched: Vec<_> = s
            .fetch("1:*", "FLAGS")
            .await
            .expect("fetch")
            .try_collect()
            .await
            .unwrap_or_default();
        fetched
            .iter()
            .map(|f| format!("{:?}", f.flags().collect::<Vec<_>>()))
            .collect()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
