//! Incoming e-mail (docs/email-in.md, ADR 0023): one pipeline for every way
//! a message comes in (IMAP, the HTTP endpoint a mail server pipes to, a
//! quarantined message someone releases). A message from a known sender
//! becomes an incident, or a comment on the record it replies to; anything
//! else waits in the quarantine with its reason. What a message may do is
//! decided by the same rules as the API (`incidents::prepare`,
//! `records::check_comment`, the upload checks), as its sender.

pub mod demo;
pub mod imap;
pub mod web;

use mail_parser::{Message, MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};
use steward_domain::access::Actor;
use steward_domain::incident::{self, CommentVisibility};
use steward_domain::kind::Kind;
use steward_domain::mail_in::{self as rules, Envelope, Held, Reason};
use steward_store::{
    AuditActor, MailAnchor, MailReplyTo, NewAttachment, NewMail, RecordRef, StoreError,
};

use crate::AppState;
use crate::attachments::{UploadedFile, check_file, stage};
use crate::error::{AppError, AppResult};
use crate::incidents::{CommentInput, IncidentInput};
use crate::records;

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Taken {
    /// A new incident.
    Opened { record: String },
    /// A comment on the record it replies to.
    Replied { record: String },
    /// Held, with the reason, for someone to review.
    Quarantined {
        id: i64,
        reason: String,
        detail: String,
    },
    /// Taken in before: nothing was made again.
    Duplicate,
}

/// The most of a message kept when it is too large to take: its headers.
const KEPT_OF_TOO_LARGE: usize = 64 * 1024;

/// Where a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Imap,
    Http,
    /// `steward mail take`, a mail server's pipe.
    Pipe,
    Demo,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Imap => "imap",
            Source::Http => "http",
            Source::Pipe => "pipe",
            Source::Demo => "demo",
        }
    }
}

/// Takes one message in. An error means nothing was written (the database
/// did not answer, say): the message must be offered again, and nothing
/// that was taken in is ever made twice.
pub async fn take(state: &AppState, raw: &[u8], source: Source) -> AppResult<Taken> {
    let outcome = take_inner(state, raw, source).await;
    let label = match &outcome {
        Ok(Taken::Opened { .. }) => "opened",
        Ok(Taken::Replied { .. }) => "replied",
        Ok(Taken::Quarantined { .. }) => "quarantined",
        Ok(Taken::Duplicate) => "duplicate",
        Err(_) => "error",
    };
    metrics::counter!("steward_mail_in_total", "outcome" => label).increment(1);
    outcome
}

async fn take_inner(state: &AppState, raw: &[u8], source: Source) -> AppResult<Taken> {
    let max = state.config.mail_max_bytes;
    let parsed = MessageParser::default().parse(if raw.len() > max {
        &raw[..KEPT_OF_TOO_LARGE.min(raw.len())]
    } else {
        raw
    });
    let Some(msg) = parsed.filter(|m| !m.root_part().headers.is_empty()) else {
        let mut mail = mail_of(None, raw, source);
        mail.raw
            .truncate(KEPT_OF_TOO_LARGE.max(max.min(mail.raw.len())));
        return hold(
            state,
            &mail,
            Held::new(Reason::Malformed, "not an e-mail message: no headers"),
        )
        .await;
    };
    let mut mail = mail_of(Some(&msg), raw, source);
    if state.store.mail_taken(&mail.dedup_key).await? {
        return Ok(Taken::Duplicate);
    }
    if raw.len() > max {
        mail.raw.truncate(KEPT_OF_TOO_LARGE);
        let detail = format!(
            "{} bytes; Steward takes messages of at most {max} bytes (only the first {KEPT_OF_TOO_LARGE} are kept)",
            raw.len()
        );
        return hold(state, &mail, Held::new(Reason::TooLarge, detail)).await;
    }
    let own = own_address(state);
    let checked = rules::screen(&envelope(&msg, &mail.sender, &own)).and_then(|()| {
        rules::authenticated(
            &headers_named(&msg, "Authentication-Results"),
            &state.config.mail_authserv_id,
        )
    });
    if let Err(held) = checked {
        return hold(state, &mail, held).await;
    }
    match make(state, &msg, &mail, None).await? {
        Made::Done(t) => Ok(t),
        Made::Held(h) => hold(state, &mail, h).await,
    }
}

/// Turns a released message into what it would have made, without screening
/// it again (someone decided a person wrote it): `Err(Held)` when it still
/// cannot make anything (its sender is still unknown, say).
pub async fn release(state: &AppState, reviewer: &Actor, id: i64) -> AppResult<Taken> {
    let held = state.store.inbound_message(id).await?;
    if held.outcome != "quarantined" || held.review.is_some() {
        return Err(AppError::Conflict(
            "the message was reviewed already".into(),
        ));
    }
    let raw = state.store.inbound_raw(id).await?.unwrap_or_default();
    let Some(msg) = MessageParser::default()
        .parse(raw.as_slice())
        .filter(|m| !m.root_part().headers.is_empty())
    else {
        return Err(AppError::Conflict(
            "the message cannot be read: dismiss it instead".into(),
        ));
    };
    if held.reason.as_deref() == Some(Reason::TooLarge.as_str()) {
        return Err(AppError::Conflict(
            "only the headers of a message too large were kept: dismiss it and ask the sender for a smaller one".into(),
        ));
    }
    let mail = mail_of(Some(&msg), &raw, Source::Imap);
    let by = AuditActor::from(reviewer);
    match make(state, &msg, &mail, Some((id, &by))).await? {
        Made::Done(Taken::Duplicate) => Err(AppError::Conflict(
            "the message was reviewed already".into(),
        )),
        Made::Done(t) => Ok(t),
        Made::Held(h) => Err(AppError::Conflict(format!(
            "{}: {}",
            h.reason.label(),
            h.detail
        ))),
    }
}

/// The message's row-to-be: who sent it, its key, its bytes.
fn mail_of(msg: Option<&Message>, raw: &[u8], source: Source) -> NewMail {
    let sender = msg.and_then(sender_of).unwrap_or_default();
    let message_id = msg
        .and_then(|m| m.message_id())
        .filter(|id| !id.chars().any(char::is_control))
        .map(|id| id.chars().take(300).collect::<String>());
    let dedup_key = match &message_id {
        Some(id) => hex::encode(Sha256::digest(format!("{sender}\n{id}").as_bytes())),
        None => hex::encode(Sha256::digest(raw)),
    };
    let subject: String = msg
        .and_then(|m| m.subject())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    NewMail {
        dedup_key,
        message_id,
        source: source.as_str(),
        sender,
        subject,
        size: raw.len() as i64,
        detail: String::new(),
        raw: raw.to_vec(),
    }
}

/// The sender's address, lower case; none when it has control characters
/// (a NUL no database keeps) or is absurdly long.
fn sender_of(msg: &Message) -> Option<String> {
    msg.from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| a.len() <= 254 && !a.chars().any(char::is_control))
}

/// The raw values of every header called `name`.
fn headers_named<'m>(msg: &'m Message, name: &str) -> Vec<&'m str> {
    let raw = msg.raw_message();
    msg.root_part()
        .headers()
        .iter()
        .filter(|h| h.name.as_str().eq_ignore_ascii_case(name))
        .filter_map(|h| raw.get(h.offset_start as usize..h.offset_end as usize))
        .filter_map(|b| std::str::from_utf8(b).ok())
        .collect()
}

/// Steward's own sending address, lower case.
fn own_address(state: &AppState) -> String {
    state
        .config
        .mail_from
        .parse::<lettre::message::Mailbox>()
        .map(|m| m.email.to_string().to_lowercase())
        .unwrap_or_default()
}

fn raw_header<'m>(msg: &'m Message, name: &'static str) -> Option<&'m str> {
    msg.header_raw(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn envelope<'m>(msg: &'m Message, sender: &'m str, own: &'m str) -> Envelope<'m> {
    let has = |name: &str| msg.header_raw(name).is_some();
    Envelope {
        from: Some(sender).filter(|s| !s.is_empty()),
        message_id: msg.message_id(),
        auto_submitted: raw_header(msg, "Auto-Submitted"),
        precedence: raw_header(msg, "Precedence"),
        autoreply_header: has("X-Autoreply") || has("X-Autorespond") || has("X-Auto-Reply"),
        list_header: has("List-Id") || has("List-Unsubscribe"),
        null_sender: raw_header(msg, "Return-Path").is_some_and(|r| r.replace(' ', "") == "<>"),
        report: msg.content_type().is_some_and(|c| {
            c.ctype().eq_ignore_ascii_case("multipart")
                && c.subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        }),
        own_address: own,
    }
}

enum Made {
    Done(Taken),
    Held(Held),
}

/// The record or comment a screened message makes, as its sender; written
/// with the message's new row, or with the row of the quarantined message
/// `release` names and the reviewer who released it.
async fn make(
    state: &AppState,
    msg: &Message<'_>,
    mail: &NewMail,
    release: Option<(i64, &AuditActor)>,
) -> AppResult<Made> {
    let user = match state.store.user_by_email(&mail.sender).await {
        Ok(u) if u.active => u,
        Ok(_) | Err(StoreError::NotFound) => {
            return Ok(Made::Held(Held::new(
                Reason::UnknownSender,
                format!("no active user has the address {}", mail.sender),
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let actor = user.actor();
    let body = msg
        .body_text(0)
        .map(|b| rules::clean_text(&b).trim().to_owned())
        .unwrap_or_default();
    let target = thread_of(state, &actor, msg, &mail.subject).await?;
    let (files, mut refused) = files_of(state, msg).await?;
    let noted = NewMail {
        detail: refused.join(" "),
        ..mail.clone()
    };
    let anchor = match release {
        None => MailAnchor::New(&noted),
        Some((id, reviewer)) => MailAnchor::Release {
            id,
            reviewer,
            detail: &noted.detail,
        },
    };
    let audit = AuditActor {
        user_id: Some(actor.user_id),
        label: format!("{} (e-mail)", actor.name),
    };
    let news: Vec<NewAttachment> = files.iter().map(|(n, _)| n.clone()).collect();
    let result = match target {
        Thread::Reply(r) => reply(state, &actor, &audit, &r, &body, &refused, &news, anchor).await,
        Thread::New(follows) => {
            if let Some(closed) = follows {
                refused.insert(0, format!("It follows {closed}, which is closed."));
            }
            open(state, &actor, &audit, mail, &body, &refused, &news, anchor).await
        }
    };
    if !matches!(
        result,
        Ok(Made::Done(Taken::Opened { .. } | Taken::Replied { .. }))
    ) {
        for (_, path) in &files {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
    result
}

/// Where a message belongs: a reply to a record its sender may comment on,
/// or something new (after a reply to a closed record, which it names).
enum Thread {
    Reply(RecordRef),
    New(Option<String>),
}

/// The record a message replies to: by its `In-Reply-To` and `References`
/// (Steward's own mail names its record; a message taken in names the record
/// it made), then by a number in its subject. Only a record the sender can
/// read counts: another organisation's number makes a new incident.
async fn thread_of(
    state: &AppState,
    actor: &Actor,
    msg: &Message<'_>,
    subject: &str,
) -> AppResult<Thread> {
    let mut ids: Vec<String> = Vec::new();
    for h in [msg.in_reply_to(), msg.references()] {
        if let Some(list) = h.as_text_list() {
            ids.extend(
                list.iter()
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty() && !s.chars().any(char::is_control)),
            );
        }
    }
    // The newest references are the last; a thread names its record in any.
    if ids.len() > MAX_REFERENCES {
        ids.drain(..ids.len() - MAX_REFERENCES);
    }
    let mut numbers: Vec<(Kind, String)> = ids
        .iter()
        .filter_map(|id| rules::number_in_own_id(id))
        .collect();
    if let Some(n) = state.store.mail_thread(&ids).await?
        && let Some(k) = Kind::canonical_number(&n)
    {
        numbers.push(k);
    }
    numbers.extend(rules::numbers_in_subject(subject));
    let mut closed = None;
    for (kind, number) in numbers {
        match records::get_of(state, actor, kind, &number).await {
            // A record the sender reads but may not comment on (an article)
            // is not where their message goes.
            Ok(r) if !may_comment(actor, &r) => {}
            Ok(r) if records::check_open(&r).is_ok() => return Ok(Thread::Reply(r)),
            Ok(r) => closed = closed.or(Some(r.number)),
            Err(AppError::NotFound | AppError::Forbidden(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Thread::New(closed))
}

fn may_comment(actor: &Actor, r: &RecordRef) -> bool {
    r.kind().is_ok_and(|kind| {
        crate::policy::require(
            actor,
            steward_domain::access::Action::Work(kind, steward_domain::kind::Verb::Comment),
            records::scope_org(r),
        )
        .is_ok()
    })
}

/// The most references of a reply looked at, and files of a message taken.
const MAX_REFERENCES: usize = 20;
const MAX_FILES: usize = 10;

/// The message's attachments that pass the upload rules, written to the
/// data folder; and a line for each refused one.
async fn files_of(
    state: &AppState,
    msg: &Message<'_>,
) -> AppResult<(Vec<(NewAttachment, std::path::PathBuf)>, Vec<String>)> {
    let mut staged = Vec::new();
    let mut refused = Vec::new();
    for (i, part) in msg.attachments().enumerate() {
        if i == MAX_FILES {
            refused.push(format!(
                "Only the first {MAX_FILES} attachments were taken; the message has {}.",
                msg.attachments().count()
            ));
            break;
        }
        let name = part.attachment_name().unwrap_or("attachment").to_owned();
        let file = UploadedFile {
            name: name.clone(),
            bytes: part.contents().to_vec(),
        };
        match check_file(state, file) {
            Ok(checked) => match stage(state, None, CommentVisibility::Public, checked).await {
                Ok(s) => staged.push(s),
                Err(e) => {
                    for (_, path) in &staged {
                        let _ = tokio::fs::remove_file(path).await;
                    }
                    return Err(e);
                }
            },
            Err(e) => refused.push(format!(
                "The attachment {:?} was not accepted: {}",
                steward_domain::attachment::safe_file_name(&name),
                without_prefix(&e)
            )),
        }
    }
    Ok((staged, refused))
}

fn without_prefix(e: &AppError) -> String {
    match e {
        AppError::Validation(v) => {
            v.0.iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("; ")
        }
        other => other.to_string(),
    }
}

/// The text with a note of what was left out, if anything was.
fn with_notes(text: &str, notes: &[String]) -> String {
    if notes.is_empty() {
        text.to_owned()
    } else {
        format!("{text}\n\n---\n{}", notes.join("\n"))
    }
}

#[allow(clippy::too_many_arguments)]
async fn open(
    state: &AppState,
    actor: &Actor,
    audit: &AuditActor,
    mail: &NewMail,
    body: &str,
    notes: &[String],
    files: &[NewAttachment],
    anchor: MailAnchor<'_>,
) -> AppResult<Made> {
    let description = with_notes(if body.is_empty() { "(no text)" } else { body }, notes);
    let input = IncidentInput {
        title: rules::title_of(&mail.subject, &mail.sender),
        description: cap(&description),
        service: service_for(state, actor).await?,
        category: None,
        impact: None,
        urgency: None,
        caller: None,
        group: None,
        assignee: None,
        major: false,
    };
    let new = match crate::incidents::prepare(state, actor, &input).await {
        Ok(n) => n,
        Err(e @ (AppError::Validation(_) | AppError::Forbidden(_) | AppError::NotFound)) => {
            return Ok(Made::Held(Held::new(
                Reason::Refused,
                format!("no incident could be opened: {}", without_prefix(&e)),
            )));
        }
        Err(e) => return Err(e),
    };
    Ok(
        match state
            .store
            .open_incident_from_mail(audit, &new, files, anchor)
            .await?
        {
            Some(inc) => Made::Done(Taken::Opened { record: inc.number }),
            None => Made::Done(Taken::Duplicate),
        },
    )
}

#[allow(clippy::too_many_arguments)]
async fn reply(
    state: &AppState,
    actor: &Actor,
    audit: &AuditActor,
    r: &RecordRef,
    body: &str,
    notes: &[String],
    files: &[NewAttachment],
    anchor: MailAnchor<'_>,
) -> AppResult<Made> {
    let input = CommentInput {
        body: cap(&with_notes(&rules::reply_text(body), notes)),
        visibility: None,
    };
    let (visibility, body) = match records::check_comment(actor, r, &input) {
        Ok(c) => c,
        Err(e @ (AppError::Validation(_) | AppError::Forbidden(_) | AppError::Conflict(_))) => {
            return Ok(Made::Held(Held::new(
                Reason::Refused,
                format!(
                    "the reply could not go on {}: {}",
                    r.number,
                    without_prefix(&e)
                ),
            )));
        }
        Err(e) => return Err(e),
    };
    let incident;
    let (to, first) = if r.kind()? == Kind::Incident {
        incident = crate::incidents::get(state, actor, &r.number).await?;
        (
            MailReplyTo::Incident(&incident),
            incident::is_response(actor.role.is_staff(), visibility),
        )
    } else {
        (MailReplyTo::Record(r), false)
    };
    Ok(
        match state
            .store
            .reply_from_mail(audit, to, &body, first, files, anchor)
            .await?
        {
            Some(_) => Made::Done(Taken::Replied {
                record: r.number.clone(),
            }),
            None => Made::Done(Taken::Duplicate),
        },
    )
}

/// The service an incident by e-mail is raised against: `mail_service`, or
/// else the first live service the sender's organisation receives.
async fn service_for(state: &AppState, actor: &Actor) -> AppResult<String> {
    let set = state.config.mail_service.trim();
    if !set.is_empty() {
        return Ok(set.to_owned());
    }
    let mut live: Vec<String> = state
        .store
        .list_services(steward_domain::access::Visibility::of(actor))
        .await?
        .into_iter()
        .filter(|s| s.status == "live")
        .map(|s| s.number)
        .collect();
    live.sort();
    Ok(live.into_iter().next().unwrap_or_default())
}

/// Text cut to what a description or comment holds.
fn cap(text: &str) -> String {
    const MAX: usize = steward_domain::text::BODY_MAX;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(MAX - 40).collect();
    s.push_str("\n\n[the rest of the message was cut]");
    s
}

/// Holds a message in the quarantine.
async fn hold(state: &AppState, mail: &NewMail, held: Held) -> AppResult<Taken> {
    match state
        .store
        .quarantine_mail(mail, held.reason.as_str(), &held.detail)
        .await?
    {
        Some(id) => {
            tracing::info!(id, reason = held.reason.as_str(), sender = %mail.sender, "mail quarantined");
            Ok(Taken::Quarantined {
                id,
                reason: held.reason.as_str().to_owned(),
                detail: held.detail,
            })
        }
        None => Ok(Taken::Duplicate),
    }
}
