//! The demo's knowledge base: fifty articles, written by the service desk
//! and reviewed by a manager. Most are published (to everyone, to Acme's
//! customers, or to staff); a few are drafts or reviewed, two are retired
//! and one published article has a newer version in draft. Three of the
//! demo's resolved incidents were resolved with an article, and a customer
//! said which helped.

use steward_domain::access::Visibility;
use steward_domain::link::LinkType;
use steward_store::{IncidentFilter, IncidentOrder};

use super::{ArticleInput, ArticlePatch, ArticleStepInput, FeedbackInput};
use crate::AppState;
use crate::complaints::demo::actor;
use crate::error::AppResult;

/// (title, category, what happens, steps).
const TOPICS: &[(&str, &str, &str, &[&str])] = &[
    (
        "Reset your password",
        "access",
        "You forgot your password or it expired.",
        &[
            "Open the sign-in page and choose **Forgot password**.",
            "Enter your work e-mail.",
            "Follow the link in the e-mail within 30 minutes.",
        ],
    ),
    (
        "Unlock your account after too many attempts",
        "access",
        "Your account is locked after five wrong passwords.",
        &[
            "Wait 15 minutes: the lock lifts by itself.",
            "Or call the service desk to unlock it at once.",
        ],
    ),
    (
        "Set up multi-factor authentication",
        "security",
        "You are asked to add a second factor.",
        &[
            "Install an authenticator app on your phone.",
            "Scan the QR code shown after sign-in.",
            "Type the six-digit code to confirm.",
        ],
    ),
    (
        "Connect to the VPN from home",
        "network",
        "You work from home and need the internal systems.",
        &[
            "Start the VPN client.",
            "Choose the gateway nearest to you.",
            "Sign in with your work account and approve the prompt.",
        ],
    ),
    (
        "The VPN connects but nothing opens",
        "network",
        "The VPN shows *connected* but internal pages time out.",
        &[
            "Disconnect and connect again.",
            "Check that your home router is not on the 10.20.0.0/16 range.",
            "If it is, raise an incident with your router's address range.",
        ],
    ),
    (
        "Add a shared mailbox to Outlook",
        "software",
        "You need to read a team's mailbox.",
        &[
            "Ask the mailbox owner to grant you access.",
            "In Outlook choose **File > Account settings > Change > More settings > Advanced**.",
            "Add the mailbox by name.",
        ],
    ),
    (
        "Set an out-of-office reply",
        "software",
        "You will be away and want senders to know.",
        &[
            "Open **File > Automatic replies**.",
            "Write the reply for inside and outside the company.",
            "Set the dates and save.",
        ],
    ),
    (
        "Mail stuck in the Outbox",
        "software",
        "A message stays in the Outbox and is never sent.",
        &[
            "Check that the attachments are below 25 MB.",
            "Work online (**Send/Receive > Work offline** off).",
            "Move the message to Drafts and send it again.",
        ],
    ),
    (
        "Print to a floor printer",
        "hardware",
        "You want to print on a printer near you.",
        &[
            "Open **Settings > Printers**.",
            "Add the printer named after your floor, e.g. `PRN-3-EAST`.",
            "Print; release the job with your badge at the printer.",
        ],
    ),
    (
        "The printer says the paper is jammed",
        "hardware",
        "The display shows a jam but no paper is visible.",
        &[
            "Open every door the display names.",
            "Pull paper out in the direction it travels.",
            "Close the doors; if the message stays, raise an incident with the printer's name.",
        ],
    ),
    (
        "Scan a document to your e-mail",
        "hardware",
        "You want a paper document as a PDF.",
        &[
            "Badge in at the printer.",
            "Choose **Scan to me**.",
            "The PDF arrives in your mailbox within a minute.",
        ],
    ),
    (
        "Request a new laptop",
        "hardware",
        "Your laptop is old, broken or you are new.",
        &[
            "Ask your manager to approve the request.",
            "Raise the request in the catalogue with the cost centre.",
            "Collect it at the service desk when you are told it is ready.",
        ],
    ),
    (
        "Your laptop does not start",
        "hardware",
        "The screen stays black when you press the power button.",
        &[
            "Plug in the charger and wait five minutes.",
            "Hold the power button for 15 seconds, then press it again.",
            "If it still does not start, bring it to the service desk.",
        ],
    ),
    (
        "Connect a second screen",
        "hardware",
        "You want to use an external monitor.",
        &[
            "Connect it with the USB-C or HDMI cable on your desk.",
            "Press **Windows + P** and choose **Extend**.",
            "Arrange the screens in **Display settings**.",
        ],
    ),
    (
        "Install software from the company portal",
        "software",
        "You need an application that is not installed.",
        &[
            "Open the **Company Portal** app.",
            "Search for the application.",
            "Choose **Install**; approved applications need no ticket.",
        ],
    ),
    (
        "The ERP is slow",
        "software",
        "Screens in the ERP take more than ten seconds to open.",
        &[
            "Check the status page for a known incident.",
            "Close other ERP sessions you have open.",
            "If it stays slow, raise an incident with the screen's name and the time.",
        ],
    ),
    (
        "Export a report from the data warehouse",
        "data",
        "You need a report as a spreadsheet.",
        &[
            "Open the report.",
            "Choose **Export > CSV**.",
            "Large exports arrive by e-mail as a link valid for seven days.",
        ],
    ),
    (
        "Restore a deleted file",
        "data",
        "You deleted a file on a network drive by mistake.",
        &[
            "Right-click the folder and choose **Previous versions**.",
            "Pick a version from before the deletion.",
            "Copy the file back; versions are kept for 30 days.",
        ],
    ),
    (
        "Share a file with someone outside",
        "data",
        "A customer or supplier needs a file.",
        &[
            "Put it in a folder of the sharing site.",
            "Choose **Share** and enter their e-mail.",
            "Links expire after 14 days by default.",
        ],
    ),
    (
        "Phishing: what to do with a suspicious e-mail",
        "security",
        "An e-mail asks you to click, pay or sign in.",
        &[
            "Do not click links or open attachments.",
            "Use **Report phishing** in Outlook.",
            "If you clicked, change your password and call the service desk.",
        ],
    ),
    (
        "Report a lost or stolen device",
        "security",
        "Your laptop or phone is lost or stolen.",
        &[
            "Call the service desk at once: we wipe it remotely.",
            "Report a theft to the police too.",
            "We issue a replacement once the loss is recorded.",
        ],
    ),
    (
        "Encrypt a USB stick",
        "security",
        "You must carry data on a USB stick.",
        &[
            "Use a company-issued stick.",
            "Right-click it and choose **Turn on BitLocker**.",
            "Keep the recovery key in your account, not with the stick.",
        ],
    ),
    (
        "Join a video meeting from a meeting room",
        "hardware",
        "You want to start a meeting on the room's screen.",
        &[
            "Tap the room panel.",
            "Choose the meeting from the room's calendar.",
            "If the meeting is not listed, add the room to the invitation.",
        ],
    ),
    (
        "Your microphone does not work in meetings",
        "hardware",
        "Others cannot hear you.",
        &[
            "Check that you are not muted in the app and on the headset.",
            "Choose the headset in the app's audio settings.",
            "Unplug and plug the headset in again.",
        ],
    ),
    (
        "Get access to a shared drive",
        "access",
        "You need a team's folder.",
        &[
            "Ask the folder owner; they approve access in the catalogue request.",
            "Access is granted within one working day.",
            "Sign out and in again to see the drive.",
        ],
    ),
    (
        "Change your display name or title",
        "access",
        "Your name or title is wrong in the address book.",
        &[
            "Ask HR to correct it in the HR system.",
            "The change reaches the address book overnight.",
        ],
    ),
    (
        "Wi-Fi for guests",
        "network",
        "A visitor needs internet access.",
        &[
            "Connect to **Guest**.",
            "Enter the visitor's e-mail on the page that opens.",
            "The code sent to them is valid for 24 hours.",
        ],
    ),
    (
        "Wi-Fi keeps disconnecting",
        "network",
        "Your laptop drops the office Wi-Fi.",
        &[
            "Forget the network and connect again.",
            "Update the Wi-Fi driver from the Company Portal.",
            "If it continues, raise an incident with the room or desk number.",
        ],
    ),
    (
        "Set up e-mail on your phone",
        "software",
        "You want work e-mail on your phone.",
        &[
            "Install the Outlook app.",
            "Sign in with your work account.",
            "Accept the device policy; a PIN becomes required.",
        ],
    ),
    (
        "Your phone is not receiving mail",
        "software",
        "Mail arrives on your laptop but not on your phone.",
        &[
            "Check that the phone is online.",
            "Open Outlook and pull down to refresh.",
            "Remove and add the account again.",
        ],
    ),
    (
        "Book a desk",
        "general",
        "You want a desk on an office day.",
        &[
            "Open the desk booking app.",
            "Choose the floor and day.",
            "Check in at the desk within an hour or the booking lapses.",
        ],
    ),
    (
        "Request a new starter's accounts",
        "access",
        "Someone joins your team.",
        &[
            "Raise the new starter request at least five working days ahead.",
            "Name their manager, role and start date.",
            "Accounts and a laptop are ready on their first morning.",
        ],
    ),
    (
        "Remove a leaver's access",
        "access",
        "Someone leaves the company.",
        &[
            "HR's leaving date ends the accounts automatically at midnight.",
            "For an immediate removal, call the service desk.",
        ],
    ),
    (
        "Clear the browser cache",
        "software",
        "A web page shows old content or errors.",
        &[
            "Press **Ctrl + Shift + Delete**.",
            "Choose cached images and files.",
            "Reload the page.",
        ],
    ),
    (
        "Which browsers are supported",
        "software",
        "A web application does not work as expected.",
        &[
            "Use a current Edge, Chrome or Firefox.",
            "Internet Explorer is not supported.",
        ],
    ),
    (
        "Raise an incident well",
        "general",
        "Something does not work and you want it fixed fast.",
        &[
            "Say what you tried to do and what happened instead.",
            "Add the time, a screenshot and the error's exact words.",
            "Say how many people are affected.",
        ],
    ),
    (
        "What the priorities mean",
        "general",
        "You want to know how fast we answer.",
        &[
            "Priority comes from impact and urgency.",
            "P1: many people cannot work; we start within 15 minutes.",
            "Your agreement lists the targets for each priority.",
        ],
    ),
    (
        "Follow your incidents and requests",
        "general",
        "You want to see where your ticket is.",
        &[
            "Sign in to Steward.",
            "Open **Incidents** for your organisation's incidents.",
            "Comment on a ticket to add information; we are notified.",
        ],
    ),
    (
        "Planned maintenance windows",
        "general",
        "You want to know when systems may be down.",
        &[
            "Maintenance is on Sunday from 06:00 to 10:00 UTC.",
            "Announcements come five working days ahead.",
        ],
    ),
    (
        "Run the network diagnostic",
        "network",
        "Support asks for a network trace.",
        &[
            "Open the Company Portal and run **Network diagnostic**.",
            "Wait for the report to finish.",
            "Attach the report file to your incident.",
        ],
    ),
    (
        "Reset the ERP user profile",
        "software",
        "The ERP shows a blank screen after sign-in.",
        &[
            "Close the ERP.",
            "Run **ERP profile reset** from the Company Portal.",
            "Sign in again; your favourites are restored from the server.",
        ],
    ),
    (
        "Recover an unsaved document",
        "data",
        "Word or Excel closed before you saved.",
        &[
            "Open the application again.",
            "Choose **File > Info > Manage document > Recover unsaved**.",
            "Save the recovered document at once.",
        ],
    ),
    (
        "Large attachments",
        "software",
        "You need to send a file over 25 MB.",
        &[
            "Put the file in the sharing site.",
            "Send a link instead of the file.",
        ],
    ),
    (
        "Calendar invitations show the wrong time",
        "software",
        "Meetings appear an hour off.",
        &[
            "Check the time zone in **File > Options > Calendar**.",
            "Check the time zone of your laptop.",
            "Ask the organiser to send the invitation again.",
        ],
    ),
    (
        "Keyboard or mouse not working",
        "hardware",
        "A wireless keyboard or mouse does not respond.",
        &[
            "Replace the batteries.",
            "Plug the receiver into another USB port.",
            "Pair it again with the button under the device.",
        ],
    ),
    (
        "Order a headset",
        "hardware",
        "You need a headset for calls.",
        &[
            "Raise the request in the catalogue; no approval is needed under the standard model.",
            "Collect it at the service desk.",
        ],
    ),
    (
        "Service desk opening hours",
        "general",
        "You want to reach a person.",
        &[
            "Weekdays 07:00 to 19:00 local time.",
            "Outside those hours, P1 incidents by phone only.",
        ],
    ),
    (
        "Old VPN client",
        "network",
        "The previous VPN client.",
        &["Replaced by the new client: see *Connect to the VPN from home*."],
    ),
    (
        "Fax to e-mail",
        "general",
        "The fax service.",
        &["The fax service was switched off."],
    ),
    (
        "Diagnose a database lock in the ERP (staff)",
        "data",
        "Users report the ERP hangs on saving an order.",
        &[
            "Run the lock report on the ERP database.",
            "Identify the blocking session and its user.",
            "Contact the user before ending the session; record it on the incident.",
        ],
    ),
];

/// Writes the demo's articles: the author is an agent, the reviewer a manager.
pub async fn load(
    state: &AppState,
    author_email: &str,
    reviewer_email: &str,
    customer_email: &str,
) -> AppResult<()> {
    let author = actor(state, author_email).await?;
    let reviewer = actor(state, reviewer_email).await?;
    let customer = actor(state, customer_email).await?;
    let customer_org = state.store.org_by_id(customer.org_id).await?.name;
    let step = async |number: &str, a: &str| {
        let by = if a == "review" { &reviewer } else { &author };
        let input = ArticleStepInput { action: a.into() };
        super::step(state, by, number, &input, None)
            .await
            .map(|_| ())
    };
    let mut numbers = Vec::new();
    for (i, (title, category, what, steps)) in TOPICS.iter().enumerate() {
        let mut body = format!("## When\n\n{what}\n\n## What to do\n\n");
        for (n, s) in steps.iter().enumerate() {
            body.push_str(&format!("{}. {s}\n", n + 1));
        }
        body.push_str(
            "\nStill stuck? [Raise an incident](/incidents/new) and name this article.\n",
        );
        // Most are for everyone; every fourth for the customer's organisation; the last for staff.
        let (audience, organisations) = match i {
            _ if i + 1 == TOPICS.len() => ("staff", vec![]),
            _ if i % 4 == 3 => ("customers", vec![customer_org.clone()]),
            _ => ("everyone", vec![]),
        };
        let input = ArticleInput {
            title: (*title).into(),
            body,
            audience: Some(audience.into()),
            organisations,
            category: Some((*category).into()),
            ..Default::default()
        };
        let a = super::create(state, &author, &input).await?;
        // Four drafts and two reviewed wait; the rest are published; the retired ones go last.
        match i {
            40..=43 => {}
            44 | 45 => step(&a.number, "review").await?,
            _ => {
                step(&a.number, "review").await?;
                step(&a.number, "publish").await?;
            }
        }
        // The old VPN client and the fax service are gone.
        if matches!(i, 47 | 48) {
            step(&a.number, "retire").await?;
        }
        numbers.push(a.number.clone());
    }
    // A published article with a newer version in draft: readers keep the published one.
    let revised = ArticlePatch {
        body: Some(format!(
            "{}\n> Since the new client, the gateway is chosen for you.\n",
            state.store.article(&numbers[3]).await?.draft_body
        )),
        ..Default::default()
    };
    super::update(state, &author, &numbers[3], &revised, None).await?;
    // Resolved incidents resolved with an article; a customer's answers.
    let resolved = state
        .store
        .list_incidents(
            Visibility::Organisation(customer.org_id),
            &IncidentFilter {
                states: vec!["resolved".into()],
                ..Default::default()
            },
            IncidentOrder::Newest,
            None,
            3,
        )
        .await?;
    for (incident, article) in resolved.items.iter().zip([0, 0, 7]) {
        let from = crate::records::get(state, &author, &incident.number).await?;
        let to = crate::records::get(state, &author, &numbers[article]).await?;
        crate::records::link_refs(state, &author, &from, &to, LinkType::ResolvedBy).await?;
    }
    for (article, helpful) in [(0, true), (2, true), (7, false)] {
        super::feedback(
            state,
            &customer,
            &numbers[article],
            &FeedbackInput { helpful },
        )
        .await?;
    }
    Ok(())
}
