//! Rules for incoming e-mail (docs/email-in.md): which messages no person
//! wrote (auto-replies, delivery reports, bulk mail, Steward's own mail come
//! back), where a reply belongs, and the part of a reply that is new. Pure:
//! the server parses the message and asks these rules.

use crate::kind::Kind;

/// The domain part of every `Message-ID` Steward gives its own mail.
pub const OWN_ID_DOMAIN: &str = "steward";

/// Why a message became no record and waits in the quarantine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Not a message one can read: no sender, no headers, broken structure.
    Malformed,
    /// Written by a machine: an out-of-office answer, a delivery report.
    AutoReply,
    /// Mailing-list or bulk mail.
    Bulk,
    /// Steward's own mail, come back.
    Loop,
    /// Nobody of that address may use Steward.
    UnknownSender,
    /// Larger than Steward takes.
    TooLarge,
    /// The sender may not do what the message asks (raise an incident for a
    /// service their organisation does not receive, say).
    Refused,
}

impl Reason {
    pub const ALL: [Reason; 7] = [
        Reason::Malformed,
        Reason::AutoReply,
        Reason::Bulk,
        Reason::Loop,
        Reason::UnknownSender,
        Reason::TooLarge,
        Reason::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Malformed => "malformed",
            Reason::AutoReply => "auto_reply",
            Reason::Bulk => "bulk",
            Reason::Loop => "loop",
            Reason::UnknownSender => "unknown_sender",
            Reason::TooLarge => "too_large",
            Reason::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Reason::Malformed => "Malformed",
            Reason::AutoReply => "Automatic reply",
            Reason::Bulk => "Bulk or list mail",
            Reason::Loop => "Mail loop",
            Reason::UnknownSender => "Unknown sender",
            Reason::TooLarge => "Too large",
            Reason::Refused => "Refused",
        }
    }
}

/// A quarantine decision: the reason and what exactly was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub reason: Reason,
    pub detail: String,
}

impl Held {
    pub fn new(reason: Reason, detail: impl Into<String>) -> Held {
        Held {
            reason,
            detail: detail.into(),
        }
    }
}

/// The headers the screening looks at, as the parser found them.
#[derive(Debug, Clone, Default)]
pub struct Envelope<'a> {
    /// The sender's address (`From`), if it has one.
    pub from: Option<&'a str>,
    pub message_id: Option<&'a str>,
    pub auto_submitted: Option<&'a str>,
    pub precedence: Option<&'a str>,
    /// `X-Autoreply`, `X-Autorespond` or `X-Auto-Reply` is present.
    pub autoreply_header: bool,
    /// `List-Id` or `List-Unsubscribe` is present.
    pub list_header: bool,
    /// `Return-Path: <>`: a delivery report or other machine mail.
    pub null_sender: bool,
    /// The top-level content type is `multipart/report` (a bounce).
    pub report: bool,
    /// Steward's own sending address, lower case.
    pub own_address: &'a str,
}

/// Whether a person wrote the message, or why it is held. Machines answering
/// machines is how mail loops start, so everything automatic is held, never
/// answered (RFC 3834).
pub fn screen(e: &Envelope) -> Result<(), Held> {
    let Some(from) = e.from.map(str::trim).filter(|f| f.contains('@')) else {
        return Err(Held::new(
            Reason::Malformed,
            "the message has no sender address (From)",
        ));
    };
    if e.message_id.is_some_and(is_own_id) {
        return Err(Held::new(
            Reason::Loop,
            format!(
                "the message is one Steward sent ({})",
                e.message_id.unwrap_or_default()
            ),
        ));
    }
    if !e.own_address.is_empty() && from.eq_ignore_ascii_case(e.own_address) {
        return Err(Held::new(
            Reason::Loop,
            format!("the sender is Steward's own address {from}"),
        ));
    }
    if let Some(a) = e
        .auto_submitted
        .map(str::trim)
        .filter(|a| !a.eq_ignore_ascii_case("no"))
    {
        return Err(Held::new(Reason::AutoReply, format!("Auto-Submitted: {a}")));
    }
    if e.autoreply_header {
        return Err(Held::new(
            Reason::AutoReply,
            "the message says it is an automatic reply (X-Autoreply)",
        ));
    }
    if e.null_sender || e.report {
        return Err(Held::new(
            Reason::AutoReply,
            "a delivery report (empty Return-Path or multipart/report)",
        ));
    }
    if let Some(p) = e.precedence.map(str::trim).filter(|p| {
        ["bulk", "junk", "list", "auto_reply"]
            .iter()
            .any(|b| p.eq_ignore_ascii_case(b))
    }) {
        return Err(Held::new(Reason::Bulk, format!("Precedence: {p}")));
    }
    if e.list_header {
        return Err(Held::new(
            Reason::Bulk,
            "mailing-list mail (List-Id or List-Unsubscribe)",
        ));
    }
    Ok(())
}

/// Whether the sender was authenticated by the receiving mail server, when
/// Steward is told to ask (`authserv_id`, the server's name in its
/// `Authentication-Results` headers): one of those headers must say
/// `dmarc=pass`, or, without a DMARC result, `spf=pass` or `dkim=pass`.
/// Headers naming another server are ignored (a sender can write any).
pub fn authenticated(results: &[&str], authserv_id: &str) -> Result<(), Held> {
    let id = authserv_id.trim();
    if id.is_empty() {
        return Ok(());
    }
    let ours: Vec<String> = results
        .iter()
        .filter(|r| {
            r.trim()
                .split(';')
                .next()
                .and_then(|first| first.split_whitespace().next())
                .is_some_and(|a| a.eq_ignore_ascii_case(id))
        })
        .map(|r| r.to_ascii_lowercase())
        .collect();
    let says = |method: &str, result: &str| {
        ours.iter().any(|r| {
            r.split(';')
                .any(|part| part.trim().starts_with(&format!("{method}={result}")))
        })
    };
    let has = |method: &str| {
        ours.iter().any(|r| {
            r.split(';')
                .any(|part| part.trim().starts_with(&format!("{method}=")))
        })
    };
    let pass = if has("dmarc") {
        says("dmarc", "pass")
    } else {
        says("spf", "pass") || says("dkim", "pass")
    };
    if pass {
        Ok(())
    } else {
        Err(Held::new(
            Reason::Refused,
            format!(
                "the sender was not authenticated by {id} (Authentication-Results: no dmarc, spf or dkim pass)"
            ),
        ))
    }
}

/// Text as a record keeps it: control characters other than line breaks
/// and tabs left out (a form feed or a NUL is no one's meaning).
pub fn clean_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// Whether `id` is one Steward gave its own mail (`<...@steward>`).
pub fn is_own_id(id: &str) -> bool {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    id.rsplit_once('@')
        .is_some_and(|(_, d)| d.eq_ignore_ascii_case(OWN_ID_DOMAIN))
}

/// A `Message-ID` for Steward's own mail about `number`, which a reply's
/// `In-Reply-To` brings back: `<{tag}.{number}@steward>`.
pub fn own_id(tag: &str, number: &str) -> String {
    format!("<{tag}.{number}@{OWN_ID_DOMAIN}>")
}

/// The record number in one of Steward's own `Message-ID`s, if it has one.
pub fn number_in_own_id(id: &str) -> Option<(Kind, String)> {
    if !is_own_id(id) {
        return None;
    }
    let local = id.trim().trim_start_matches('<').rsplit_once('@')?.0;
    Kind::canonical_number(local.rsplit_once('.')?.1)
}

/// The record numbers a subject names (`Re: [INC-000123] Printer`), first
/// first, each once.
pub fn numbers_in_subject(subject: &str) -> Vec<(Kind, String)> {
    let mut found: Vec<(Kind, String)> = Vec::new();
    for word in subject.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        if let Some(n) = Kind::canonical_number(word)
            && word.contains('-')
            && !found.contains(&n)
        {
            found.push(n);
        }
    }
    found
}

/// The subject without its `Re:`/`Fwd:` prefixes, as a record title.
pub fn title_of(subject: &str, from: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let cut = ["re:", "fw:", "fwd:", "aw:", "wg:", "sv:", "tr:"]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| p.len());
        match cut {
            Some(n) => s = s[n..].trim_start(),
            None => break,
        }
    }
    let s: String = s.chars().filter(|c| !c.is_control()).take(200).collect();
    let s = s.trim();
    if s.is_empty() {
        format!("E-mail from {from}")
    } else {
        s.to_owned()
    }
}

/// The new part of a reply: what comes before the quoted message (a line
/// `On ... wrote:`, `-----Original Message-----`, or the first line quoted
/// with `>`). The whole text when nothing new is left.
pub fn reply_text(body: &str) -> String {
    let mut kept = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        let quote_intro = (t.starts_with("On ") && t.ends_with("wrote:"))
            || t.starts_with("-----Original Message-----")
            || t.starts_with('>');
        if quote_intro {
            break;
        }
        kept.push(line);
    }
    let text = kept.join("\n").trim().to_owned();
    if text.is_empty() {
        body.trim().to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Envelope<'static> {
        Envelope {
            from: Some("kim@acme.example"),
            message_id: Some("<abc@mail.acme.example>"),
            own_address: "steward@provider.example",
            ..Envelope::default()
        }
    }

    #[test]
    fn a_person_passes_and_machines_are_held() {
        assert_eq!(screen(&person()), Ok(()));
        let held = |e: Envelope| screen(&e).unwrap_err().reason;
        assert_eq!(
            held(Envelope {
                from: None,
                ..person()
            }),
            Reason::Malformed
        );
        assert_eq!(
            held(Envelope {
                auto_submitted: Some("auto-replied"),
                ..person()
            }),
            Reason::AutoReply
        );
        // "no" is what a person's mail may say.
        assert_eq!(
            screen(&Envelope {
                auto_submitted: Some("no"),
                ..person()
            }),
            Ok(())
        );
        assert_eq!(
            held(Envelope {
                precedence: Some("Bulk"),
                ..person()
            }),
            Reason::Bulk
        );
        assert_eq!(
            held(Envelope {
                message_id: Some("<notify-1-2.INC-000001@steward>"),
                ..person()
            }),
            Reason::Loop
        );
        assert_eq!(
            held(Envelope {
                from: Some("STEWARD@provider.example"),
                ..person()
            }),
            Reason::Loop
        );
        assert_eq!(
            held(Envelope {
                null_sender: true,
                ..person()
            }),
            Reason::AutoReply
        );
    }

    #[test]
    fn replies_find_their_record() {
        assert_eq!(
            number_in_own_id("<notify-12-3.INC-000042@steward>"),
            Some((Kind::Incident, "INC-000042".into()))
        );
        assert_eq!(number_in_own_id("<notify-12-3.INC-000042@other>"), None);
        assert_eq!(
            numbers_in_subject("RE: [inc-42] printer; see PRB-000001"),
            vec![
                (Kind::Incident, "INC-000042".into()),
                (Kind::Problem, "PRB-000001".into())
            ]
        );
        assert!(numbers_in_subject("Printer INC broken 000042").is_empty());
    }

    #[test]
    fn only_the_named_servers_results_count() {
        let ours = "mx.provider.example; dmarc=pass header.from=acme.example; spf=pass";
        let forged = "evil.example; dmarc=pass";
        assert_eq!(authenticated(&[ours], ""), Ok(()));
        assert_eq!(authenticated(&[ours], "mx.provider.example"), Ok(()));
        assert!(authenticated(&[forged], "mx.provider.example").is_err());
        assert!(authenticated(&[], "mx.provider.example").is_err());
        let failed = "mx.provider.example; dmarc=fail; spf=pass";
        assert!(authenticated(&[failed], "mx.provider.example").is_err());
        let no_dmarc = "mx.provider.example; spf=pass smtp.mailfrom=acme.example";
        assert_eq!(authenticated(&[no_dmarc], "mx.provider.example"), Ok(()));
        assert_eq!(clean_text("a\u{0}b\u{c}\r\nc\td"), "ab\nc\td");
    }

    #[test]
    fn titles_and_reply_text() {
        assert_eq!(title_of("Re: FWD: Printer", "a@b"), "Printer");
        assert_eq!(title_of("  ", "a@b"), "E-mail from a@b");
        assert_eq!(
            reply_text("Thanks, works.\n\nOn Mon, Kim wrote:\n> old\n"),
            "Thanks, works."
        );
        assert_eq!(reply_text("> only quoted"), "> only quoted");
    }
}
