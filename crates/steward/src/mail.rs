//! `steward mail`: incoming e-mail from a mail server's pipe, and the
//! quarantine (docs/email-in.md).

use std::process::ExitCode;

use clap::Subcommand;

use super::{open, seal};

#[derive(Subcommand)]
pub(crate) enum MailCommand {
    /// Take in one raw message from standard input, as a mail server's pipe
    /// delivers it (Postfix `pipe`, procmail). Prints what became of it; exits
    /// 75 (try again later) when it could not be written, so the mail server
    /// keeps it.
    Take,
    /// List the quarantined messages that wait for review.
    Quarantine,
}

/// sysexits' "temporary failure": a mail server keeps the message and tries again.
const EX_TEMPFAIL: u8 = 75;

pub(crate) async fn run(command: MailCommand) -> anyhow::Result<ExitCode> {
    match command {
        MailCommand::Take => {
            use std::io::Read;
            let mut raw = Vec::new();
            std::io::stdin().read_to_end(&mut raw)?;
            let state = match open().await {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    return Ok(ExitCode::from(EX_TEMPFAIL));
                }
            };
            let taken =
                steward_server::mail_in::take(&state, &raw, steward_server::mail_in::Source::Pipe)
                    .await;
            match taken {
                Ok(t) => {
                    seal(&state).await?;
                    println!("{}", serde_json::to_string(&t)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: the message was not taken in, try again later: {e}");
                    Ok(ExitCode::from(EX_TEMPFAIL))
                }
            }
        }
        MailCommand::Quarantine => {
            let state = open().await?;
            let list = state
                .store
                .inbound_mail(steward_store::MailFilter::Waiting, None, 1_000)
                .await?;
            for m in &list {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    m.id,
                    m.reason.as_deref().unwrap_or_default(),
                    m.sender,
                    m.subject,
                    m.detail
                );
            }
            println!("{} message(s) wait for review at /mail.", list.len());
            Ok(ExitCode::SUCCESS)
        }
    }
}
