//! The demo's incoming mail, taken in through the one pipeline: Kim's
//! message that became an incident and her reply threaded onto it, and a
//! quarantine (an unknown sender, an out-of-office answer, a message that is
//! not one, and a newsletter someone dismissed).

use super::{Source, Taken, take};
use crate::AppState;
use crate::complaints::demo::actor;
use crate::error::AppResult;

pub async fn load(state: &AppState, customer: &str, agent: &str) -> AppResult<()> {
    let first = format!(
        "From: Kim Becker <{customer}>\r\nTo: Service desk <servicedesk@northwind.example>\r\n\
         Subject: Scanner on the 2nd floor sends empty pages\r\n\
         Message-ID: <scanner-1@mail.acme.example>\r\nDate: Mon, 30 Nov 2026 08:12:00 +0100\r\n\r\n\
         Hello,\r\n\r\nsince this morning the scanner next to the kitchen sends every page \
         as an empty PDF.\r\n\r\nKim\r\n"
    );
    let number = match take(state, first.as_bytes(), Source::Demo).await? {
        Taken::Opened { record } => record,
        _ => return Ok(()),
    };
    let reply = format!(
        "From: Kim Becker <{customer}>\r\nTo: servicedesk@northwind.example\r\n\
         Subject: Re: [{number}] Scanner on the 2nd floor sends empty pages\r\n\
         Message-ID: <scanner-2@mail.acme.example>\r\nIn-Reply-To: <scanner-1@mail.acme.example>\r\n\r\n\
         It also happens on the scanner in the lobby.\r\n\r\n\
         On Mon, 30 Nov 2026, Kim Becker wrote:\r\n> since this morning the scanner...\r\n"
    );
    take(state, reply.as_bytes(), Source::Demo).await?;
    for raw in [
        "From: Pat Doe <pat@unknown.example>\r\nSubject: Printer quote\r\n\
         Message-ID: <quote-7@unknown.example>\r\n\r\nPlease send me a quote for ten printers.\r\n"
            .to_owned(),
        format!(
            "From: Nora Klein <nora@acme.example>\r\nSubject: Out of office: Re: [{number}]\r\n\
             Auto-Submitted: auto-replied\r\nMessage-ID: <ooo-1@mail.acme.example>\r\n\r\n\
             I am out of the office until Monday.\r\n"
        ),
        "this is not an e-mail message at all".to_owned(),
    ] {
        take(state, raw.as_bytes(), Source::Demo).await?;
    }
    let newsletter = "From: news@vendor.example\r\nSubject: Our December offers\r\n\
         Precedence: bulk\r\nList-Unsubscribe: <mailto:unsubscribe@vendor.example>\r\n\
         Message-ID: <news-12@vendor.example>\r\n\r\nTen percent off every toner.\r\n";
    if let Taken::Quarantined { id, .. } = take(state, newsletter.as_bytes(), Source::Demo).await? {
        let a = actor(state, agent).await?;
        super::web::dismiss(state, &a, id).await?;
    }
    Ok(())
}
