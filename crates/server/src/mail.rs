//! Outgoing e-mail over SMTP (lettre). One message per call; the jobs that
//! call it retry with back-off, so a mail server that is down delays mail and
//! never loses it or the change that caused it.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// `Auto-Submitted: auto-generated` (RFC 3834): Steward's mail is a
/// machine's, which out-of-office answers and other systems do not answer,
/// so no two systems answer each other for ever.
#[derive(Clone)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// A configured mail server, or none (e-mail off).
#[derive(Clone)]
pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
}

/// A message to one person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Stable per notification and person, so a resent message is recognisable.
    pub message_id: String,
}

impl Mail {
    /// The `email` job that delivers it, caused by `record_id` if any.
    pub fn job(
        &self,
        record_id: Option<i64>,
        max_attempts: i64,
    ) -> Result<steward_store::NewJob, String> {
        let mut j = steward_store::NewJob::new(
            "email",
            &serde_json::to_value(self).map_err(|e| e.to_string())?,
        );
        j.record_id = record_id;
        j.max_attempts = max_attempts;
        Ok(j)
    }
}

impl Mailer {
    /// From `smtp_url` and `mail_from`; says what is wrong with either.
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, String> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("mail_from {from:?} is not an address: {e}"))?;
        let transport = if smtp_url.trim().is_empty() {
            None
        } else {
            Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
                    .map_err(|e| format!("smtp_url is not usable: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            )
        };
        Ok(Mailer { transport, from })
    }

    pub fn enabled(&self) -> bool {
        self.transport.is_some()
    }

    /// Delivers one message; the error says why in words.
    pub async fn send(&self, mail: &Mail) -> Result<(), String> {
        let Some(transport) = &self.transport else {
            return Err("e-mail is off (no smtp_url is configured)".into());
        };
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| format!("{:?} is not an address: {e}", mail.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(mail.message_id.clone()))
            .header(AutoSubmitted)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("the mail server did not take the message: {e}"))
    }
}
