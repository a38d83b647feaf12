//! The web UI in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, driven over WebDriver).

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Backend, PASSWORD, TestServer};
use fantoccini::{Client, ClientBuilder, Locator};
use steward_store::testing::TempDir;

struct Driver {
    child: Child,
    port: u16,
    _profile: TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_browser() -> (Driver, Client) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed (Debian package chromium-driver); scripts/test installs it");
    let profile = TempDir::new();
    let driver = Driver {
        child,
        port,
        _profile: profile,
    };
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", driver._profile.0.display()),
            ]
        }
    }))
    .unwrap();
    let mut last = None;
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
        {
            Ok(c) => return (driver, c),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("could not start Chromium through chromedriver: {last:?}");
}

async fn sign_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("header.top .who"))
        .await
        .unwrap();
}

async fn sign_out(c: &Client) {
    c.find(Locator::Css("header.top form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("email")).await.unwrap();
}

/// Waits until the element's text (or, with `attr`, that attribute) contains
/// `needle`; tolerates the page being replaced while it looks.
async fn wait_for(c: &Client, css: &str, attr: Option<&str>, needle: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            let value = match attr {
                Some(a) => e.attr(a).await.ok().flatten(),
                None => e.text().await.ok(),
            };
            if let Some(v) = value {
                if v.contains(needle) {
                    return v;
                }
                last = v;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {needle:?}; last seen {last:?}");
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn agent_raises_finds_and_comments_and_other_customers_cannot_see_it() {
    let s = TestServer::start(Backend::Sqlite).await;
    // Chromium accepts Secure cookies on http://localhost.
    let base = format!("http://localhost:{}", s.addr.port());
    let (_driver, c) = start_browser().await;
    // Alpha has an SLA on a 24x7 calendar: its incidents run SLA clocks.
    let (st, v) = s
        .post(
            "manager",
            "/api/v1/calendars",
            serde_json::json!({"name": "24x7", "time_zone": "UTC", "week": {
                "monday": ["00:00-24:00"], "tuesday": ["00:00-24:00"], "wednesday": ["00:00-24:00"],
                "thursday": ["00:00-24:00"], "friday": ["00:00-24:00"], "saturday": ["00:00-24:00"],
                "sunday": ["00:00-24:00"]}}),
        )
        .await;
    assert_eq!(st, reqwest::StatusCode::CREATED, "{v}");
    let (st, v) = s
        .post(
            "manager",
            "/api/v1/agreements",
            serde_json::json!({"kind": "sla", "title": "Alpha", "customer": "Alpha",
                "calendar": v["id"], "valid_from": "2026-01-01", "status": "agreed",
                "targets": {"P3": {"response_minutes": 30, "resolution_minutes": 480}}}),
        )
        .await;
    assert_eq!(st, reqwest::StatusCode::CREATED, "{v}");

    sign_in(&c, &base, "agent@provider.test").await;
    assert!(text(&c, "h1").await.contains("Service desk"));

    // Raise an incident through the form; a missing title is shown inline first.
    c.goto(&format!("{base}/incidents/new")).await.unwrap();
    c.find(Locator::Css("select#service option[value='SVC-0001']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form.card button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "p.error", None, "is required").await;
    c.find(Locator::Id("title"))
        .await
        .unwrap()
        .send_keys("Mail gateway <b>rejects</b> everything")
        .await
        .unwrap();
    c.find(Locator::Id("caller"))
        .await
        .unwrap()
        .send_keys("cora@alpha.test")
        .await
        .unwrap();
    c.find(Locator::Css("select#impact option[value='1']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form.card button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, ".flash", None, "Incident raised").await;
    let heading = text(&c, "h1").await;
    assert!(
        heading.contains("Mail gateway <b>rejects</b> everything"),
        "typed text is shown escaped: {heading}"
    );
    let url = c.current_url().await.unwrap();
    let number = url.path().trim_start_matches("/incidents/").to_owned();
    assert!(number.starts_with("INC-"), "{url}");
    // Its SLA clocks run, and the page says why and until when.
    wait_for(
        &c,
        ".clock[data-clock='resolution']",
        Some("data-standing"),
        "running",
    )
    .await;
    let sla = text(&c, "#sla").await;
    assert!(sla.contains("SLA-0001 covers this customer"), "{sla}");
    assert!(sla.contains("Target 8 h of business time"), "{sla}");

    // The home queue shows the time left.
    c.goto(&format!("{base}/")).await.unwrap();
    let queue = text(&c, "table").await;
    // The nearest due time is the response's, 30 minutes after raising.
    assert!(
        queue.contains(&number) && (queue.contains(" 29 min") || queue.contains(" 28 min")),
        "{queue}"
    );
    // The agreement's page shows its report, month by month.
    c.find(Locator::LinkText("Service levels"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::LinkText("SLA-0001"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "#sla-months", None, "resolution").await;
    c.find(Locator::Css("svg.sla-chart")).await.unwrap();

    // Find it in the list by searching.
    c.goto(&format!("{base}/incidents")).await.unwrap();
    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys("gateway")
        .await
        .unwrap();
    c.find(Locator::Css("form.filters button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Wait for the filtered page itself: the unfiltered list shows the same link.
    for _ in 0..100 {
        if c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("q=gateway")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.wait()
        .for_element(Locator::LinkText(&number))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("body")).await.unwrap();

    // Comment on it with a file, and start work.
    let dir = TempDir::new();
    let steps = dir.0.join("workaround.txt");
    std::fs::write(&steps, "Use webmail until the gateway is back.\n").unwrap();
    c.find(Locator::Id("body"))
        .await
        .unwrap()
        .send_keys("We are on it.")
        .await
        .unwrap();
    c.find(Locator::Id("comment-files"))
        .await
        .unwrap()
        .send_keys(&steps.display().to_string())
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/comments'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, ".timeline li.comment", None, "We are on it.").await;
    assert!(
        text(&c, ".timeline li.comment")
            .await
            .contains("workaround.txt"),
        "the file shows under its comment"
    );
    c.find(Locator::Css("form[action$='/transition'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "[data-state]", Some("data-state"), "in_progress").await;
    wait_for(
        &c,
        ".clock[data-clock='response']",
        Some("data-standing"),
        "met",
    )
    .await;

    // Attach a file to the incident itself through the upload form.
    let file = dir.0.join("gateway-log.txt");
    std::fs::write(&file, "550 5.7.1 relaying denied\n").unwrap();
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/attachments'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, ".attachments", None, "gateway-log.txt").await;
    sign_out(&c).await;

    // The caller's organisation sees it; another organisation's customer does not.
    sign_in(&c, &base, "cora@alpha.test").await;
    c.goto(&format!("{base}/incidents/{number}")).await.unwrap();
    assert!(text(&c, "h1").await.contains("Mail gateway"));
    assert!(text(&c, ".timeline").await.contains("We are on it."));
    assert!(text(&c, ".timeline").await.contains("workaround.txt"));
    assert!(text(&c, ".attachments").await.contains("gateway-log.txt"));
    sign_out(&c).await;

    sign_in(&c, &base, "olga@beta.test").await;
    c.goto(&format!("{base}/incidents/{number}")).await.unwrap();
    wait_for(&c, "h1", None, "Not found").await;
    c.goto(&format!("{base}/incidents?q={number}"))
        .await
        .unwrap();
    let rows = c.find_all(Locator::Css("tbody tr td a")).await.unwrap();
    assert!(
        rows.is_empty(),
        "another organisation's incident is not listed"
    );
    assert!(
        c.find(Locator::LinkText("Conformity")).await.is_err(),
        "customers have no conformity view"
    );
    sign_out(&c).await;

    // A manager imports holidays from a CSV file into the calendar; the
    // change queues the recompute of open clocks, which the admin sees.
    sign_in(&c, &base, "manager@provider.test").await;
    c.goto(&format!("{base}/agreements")).await.unwrap();
    let holidays = dir.0.join("holidays.csv");
    std::fs::write(&holidays, "date,name\n2026-12-25,Christmas Day\n").unwrap();
    c.find(Locator::Css("form[action$='/holidays'] input[type=file]"))
        .await
        .unwrap()
        .send_keys(&holidays.display().to_string())
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/holidays'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, ".flash", None, "1 holiday imported").await;
    assert!(
        c.source().await.unwrap().contains("Christmas Day"),
        "the holiday is listed"
    );
    sign_out(&c).await;
    sign_in(&c, &base, "admin@provider.test").await;
    c.find(Locator::LinkText("Jobs"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "h1", None, "Background jobs").await;
    wait_for(&c, "table", None, "sla_recompute").await;
    sign_out(&c).await;

    // An auditor walks the conformity dashboard to a requirement and its evidence.
    sign_in(&c, &base, "auditor@provider.test").await;
    c.find(Locator::LinkText("Conformity"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "h1", None, "ISO/IEC 20000-1:2018").await;
    assert!(text(&c, "#overall").await.contains("requirements met"));
    let row = text(&c, "tr[data-clause='8.2.4']").await;
    assert!(row.contains("Service catalogue management"), "{row}");
    c.find(Locator::Css("tr[data-clause='8.2.4'] a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "h1", None, "Service catalogue management").await;
    // No test service has an owner: the check names them, linked to the catalogue.
    let owners = text(&c, "#live-services-have-an-owner").await;
    assert!(
        owners.contains("not met") && owners.contains("SVC-0001"),
        "{owners}"
    );
    c.find(Locator::Css("#live-services-have-an-owner .gaps a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "h1", None, "Service catalogue").await;

    c.close().await.unwrap();
    s.stop().await;
}

#[tokio::test]
async fn manager_records_a_risk_and_an_auditor_follows_it_from_the_dashboard() {
    let s = TestServer::start(Backend::Sqlite).await;
    let base = format!("http://localhost:{}", s.addr.port());
    let (_driver, c) = start_browser().await;

    sign_in(&c, &base, "manager@provider.test").await;
    c.find(Locator::LinkText("SMS"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "h1", None, "Service management system").await;
    c.find(Locator::Css("a[href='/sms/risks']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "h1", None, "Risks and opportunities").await;

    // A score outside the scale is refused in the form, with what was typed kept.
    for (id, value) in [
        ("f-title", "Flood in the server room"),
        ("f-likelihood", "9"),
        ("f-impact", "4"),
    ] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    c.find(Locator::Css("form.card button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "p.error", None, "from 1 to 5").await;
    let likelihood = c.find(Locator::Id("f-likelihood")).await.unwrap();
    assert_eq!(
        likelihood.prop("value").await.unwrap().as_deref(),
        Some("9")
    );
    likelihood.clear().await.unwrap();
    likelihood.send_keys("4").await.unwrap();
    c.find(Locator::Css("form.card button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "h1", None, "Flood in the server room").await;
    assert!(text(&c, ".headline").await.contains("Score 16 (high)"));
    c.goto(&format!("{base}/sms/risks")).await.unwrap();
    assert_eq!(text(&c, "svg.heat text[data-count]").await, "1");
    sign_out(&c).await;

    // The auditor finds the untreated high risk from the dashboard, and may not change it.
    sign_in(&c, &base, "auditor@provider.test").await;
    c.goto(&format!("{base}/conformity")).await.unwrap();
    c.find(Locator::Css("tr[data-clause='6.1'] a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "h1", None, "Actions to address risks").await;
    let treated = text(&c, "#high-risks-treated").await;
    assert!(
        treated.contains("not met") && treated.contains("RSK-0001"),
        "{treated}"
    );
    // The auditor records what they sampled, linked to the risk.
    c.find(Locator::Id("record"))
        .await
        .unwrap()
        .send_keys("rsk-1")
        .await
        .unwrap();
    c.find(Locator::Id("note"))
        .await
        .unwrap()
        .send_keys("Sampled at the audit: no treatment agreed yet")
        .await
        .unwrap();
    c.find(Locator::Css("#evidence form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "#evidence", None, "Sampled at the audit").await;
    assert!(text(&c, "#evidence a").await.contains("RSK-0001"));
    assert!(
        c.find(Locator::Css("#how-met form")).await.is_err(),
        "an auditor does not set the owner"
    );
    c.find(Locator::Css("#high-risks-treated .gaps a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, "h1", None, "Flood in the server room").await;
    assert!(
        c.find(Locator::Css("form[action='/sms/risks/RSK-0001']"))
            .await
            .is_err(),
        "an auditor has no form to change the risk"
    );
    c.close().await.unwrap();
    s.stop().await;
}

/// An agent records a problem from an incident, makes it a known error, and
/// applies its workaround to another open incident of the same service, on
/// both databases.
#[tokio::test]
async fn incident_to_known_error_to_applied_workaround() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        let first = s
            .raise("customer", "Invoices fail to print", "SVC-0001")
            .await;
        let second = s
            .raise("customer2", "Cannot print invoices", "SVC-0001")
            .await;
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "agent@provider.test").await;

        // The navigation comes from the kinds' descriptors.
        let nav = text(&c, "header.top nav").await;
        assert!(
            nav.contains("Incidents") && nav.contains("Problems"),
            "{nav}"
        );

        // Record the problem with the first incident linked.
        c.goto(&format!("{base}/problems/new")).await.unwrap();
        c.find(Locator::Id("title"))
            .await
            .unwrap()
            .send_keys("Print spooler crashes")
            .await
            .unwrap();
        c.find(Locator::Css("select#service option[value='SVC-0001']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Id("incidents"))
            .await
            .unwrap()
            .send_keys(&first)
            .await
            .unwrap();
        c.find(Locator::Css("form.card button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, ".flash", None, "Problem recorded").await;
        wait_for(&c, "#linked-incidents", None, &first).await;

        // Investigate, then a known error with its workaround.
        c.find(Locator::Css(
            "form:has(input[name=action][value=investigate]) button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        wait_for(
            &c,
            "[data-state]",
            Some("data-state"),
            "under_investigation",
        )
        .await;
        c.find(Locator::Css(
            "form:has(input[name=action][value=known_error]) textarea",
        ))
        .await
        .unwrap()
        .send_keys("Restart the print spooler service")
        .await
        .unwrap();
        c.find(Locator::Css(
            "form:has(input[name=action][value=known_error]) button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        wait_for(&c, "[data-state]", Some("data-state"), "known_error").await;
        wait_for(&c, "#workaround", None, "Restart the print spooler").await;

        // The known error shows on the other open incident; apply it there.
        c.goto(&format!("{base}/incidents/{second}")).await.unwrap();
        wait_for(
            &c,
            "#known-errors",
            None,
            "Restart the print spooler service",
        )
        .await;
        c.find(Locator::Css("#known-errors button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, ".flash", None, "Workaround applied").await;
        wait_for(&c, ".timeline", None, "apply workaround").await;
        wait_for(
            &c,
            ".timeline",
            None,
            "Workaround: Restart the print spooler",
        )
        .await;
        wait_for(&c, "#links", None, "Caused by PRB-000001").await;

        // Both incidents are now on the problem's page.
        c.goto(&format!("{base}/problems/PRB-000001"))
            .await
            .unwrap();
        let linked = wait_for(&c, "#linked-incidents", None, &second).await;
        assert!(linked.contains(&first), "{linked}");

        // Its customer reads the workaround as a comment, never the problem.
        sign_out(&c).await;
        sign_in(&c, &base, "carl@alpha.test").await;
        let nav = text(&c, "header.top nav").await;
        assert!(!nav.contains("Problems"), "{nav}");
        c.goto(&format!("{base}/incidents/{second}")).await.unwrap();
        wait_for(&c, ".timeline", None, "Restart the print spooler service").await;
        c.goto(&format!("{base}/problems/PRB-000001"))
            .await
            .unwrap();
        wait_for(&c, "h1", None, "Not found").await;
        c.close().await.unwrap();
        s.stop().await;
    }
}

#[tokio::test]
async fn a_customer_complains_and_reads_the_answer() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "cora@alpha.test").await;

        // Complaints are in the customer's navigation; the form asks only what they know.
        let nav = text(&c, "header.top nav").await;
        assert!(nav.contains("Complaints"), "{nav}");
        c.goto(&format!("{base}/complaints/new")).await.unwrap();
        assert!(c.find(Locator::Id("assignee")).await.is_err());
        c.find(Locator::Css("form.card button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, "p.error", None, "").await;
        c.find(Locator::Id("title"))
            .await
            .unwrap()
            .send_keys("Nobody called back")
            .await
            .unwrap();
        c.find(Locator::Css("select#service option[value='SVC-0001']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Css("form.card button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, ".flash", None, "Complaint recorded").await;
        wait_for(&c, "[data-state]", Some("data-state"), "new").await;
        assert!(c.find(Locator::Css("input[name=action]")).await.is_err());

        // The service desk acknowledges and answers it.
        sign_out(&c).await;
        sign_in(&c, &base, "agent@provider.test").await;
        c.goto(&format!("{base}/complaints")).await.unwrap();
        wait_for(&c, "table", None, "CMP-0001").await;
        c.goto(&format!("{base}/complaints/CMP-0001"))
            .await
            .unwrap();
        c.find(Locator::Css(
            "form:has(input[name=action][value=acknowledge]) button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        wait_for(&c, "[data-state]", Some("data-state"), "investigating").await;
        c.find(Locator::Css(
            "form:has(input[name=action][value=respond]) textarea",
        ))
        .await
        .unwrap()
        .send_keys("We call back within the hour from now on.")
        .await
        .unwrap();
        c.find(Locator::Css(
            "form:has(input[name=action][value=respond]) button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        wait_for(&c, "[data-state]", Some("data-state"), "responded").await;

        // The customer reads the answer on their complaint.
        sign_out(&c).await;
        sign_in(&c, &base, "carl@alpha.test").await;
        c.goto(&format!("{base}/complaints/CMP-0001"))
            .await
            .unwrap();
        wait_for(&c, "#response", None, "within the hour").await;
        c.close().await.unwrap();
        s.stop().await;
    }
}

#[tokio::test]
async fn a_complaint_leads_to_a_nonconformity_whose_action_is_reviewed_and_followed_up() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        let (st, v) = s
            .post(
                "customer",
                "/api/v1/complaints",
                serde_json::json!({"title": "Invoices to the old address", "service": "SVC-0001"}),
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::CREATED, "{v}");
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "manager@provider.test").await;

        // From the complaint, a nonconformity: its source and title follow.
        c.goto(&format!("{base}/complaints/CMP-0001"))
            .await
            .unwrap();
        c.find(Locator::Id("raise-nonconformity"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, "select#source option[selected]", None, "Complaint").await;
        let clause = c.find(Locator::Id("clause")).await.unwrap();
        clause.send_keys("11.9").await.unwrap();
        c.find(Locator::Css("form.card button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, "p.error", None, "not a requirement").await;
        let clause = c.find(Locator::Id("clause")).await.unwrap();
        clause.clear().await.unwrap();
        clause.send_keys("8.3.2").await.unwrap();
        c.find(Locator::Css("form.card button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, ".flash", None, "Nonconformity recorded").await;
        wait_for(&c, "main", None, "CMP-0001").await;

        // Its analysis, then a corrective action reviewed at once.
        c.find(Locator::Id("root_cause"))
            .await
            .unwrap()
            .send_keys("Why? No hand-over of address changes to billing.")
            .await
            .unwrap();
        c.find(Locator::Css("select#cause_category option[value=process]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Css("#analysis button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, ".flash", None, "root cause saved").await;
        c.find(Locator::Id("a-title"))
            .await
            .unwrap()
            .send_keys("Forward address changes to billing")
            .await
            .unwrap();
        let days = c.find(Locator::Id("a-review")).await.unwrap();
        days.clear().await.unwrap();
        days.send_keys("0").await.unwrap();
        c.find(Locator::Css("#actions form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, ".flash", None, "Action planned").await;
        c.find(Locator::Css("#step-complete"))
            .await
            .unwrap()
            .send_keys("Instruction sent")
            .await
            .unwrap();
        c.find(Locator::Css(
            "form:has(input[name=action][value=complete]) button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        wait_for(&c, "[data-state]", Some("data-state"), "implemented").await;
        c.find(Locator::Css("#step-review_not_effective"))
            .await
            .unwrap()
            .send_keys("Another invoice went astray")
            .await
            .unwrap();
        c.find(Locator::Css(
            "form:has(input[name=action][value=review_not_effective]) button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

        // The follow-up opens, and the nonconformity lists both.
        wait_for(&c, ".flash", None, "not effective").await;
        wait_for(&c, "h1", None, "ACT-0002").await;
        c.goto(&format!("{base}/nonconformities/NCR-0001"))
            .await
            .unwrap();
        let actions = wait_for(&c, "#actions table", None, "ACT-0002").await;
        assert!(actions.contains("Not effective"), "{actions}");

        // From the clause on the conformity view, to the nonconformity and its actions.
        c.goto(&format!("{base}/conformity/8.3.2")).await.unwrap();
        wait_for(&c, "#nonconformities", None, "NCR-0001").await;
        c.find(Locator::Css(
            "#nonconformities a[href='/nonconformities/NCR-0001']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        wait_for(&c, "#actions table", None, "ACT-0001").await;
        c.close().await.unwrap();
        s.stop().await;
    }
}

#[tokio::test]
async fn a_customer_rates_a_resolved_incident_from_its_page() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        let number = s.raise("customer", "Mail is slow", "SVC-0001").await;
        let tr = format!("/api/v1/incidents/{number}/transitions");
        for body in [
            serde_json::json!({"action": "start"}),
            serde_json::json!({"action": "resolve", "resolution_code": "fixed", "resolution_notes": "Restarted"}),
        ] {
            let (st, v) = s.post("agent", &tr, body).await;
            assert_eq!(st, reqwest::StatusCode::OK, "{v}");
        }
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "cora@alpha.test").await;
        c.goto(&format!("{base}/incidents/{number}#rate"))
            .await
            .unwrap();
        wait_for(&c, "#rate", None, "How did we do?").await;
        c.find(Locator::Css("#rate input[name=score][value='4']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Id("rate-comment"))
            .await
            .unwrap()
            .send_keys("Quick, thanks")
            .await
            .unwrap();
        c.find(Locator::Css("#rate button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(&c, ".flash", None, "Thank you for your rating").await;
        let card = wait_for(&c, "#rate", None, "4 of 5").await;
        assert!(card.contains("Quick, thanks"), "{card}");
        assert!(c.find(Locator::Css("#rate form")).await.is_err());
        c.close().await.unwrap();
        s.stop().await;
    }
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn type_in(c: &Client, id: &str, text: &str) {
    let e = c.find(Locator::Id(id)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

#[tokio::test]
async fn an_auditor_plans_an_independent_audit_samples_and_walks_from_the_clause_to_the_action() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        for n in 0..6 {
            s.raise("agent", &format!("Printer {n} jams"), "SVC-0001")
                .await;
        }
        let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
        for (path, body) in [
            (
                "/api/v1/audit-programmes",
                serde_json::json!({"title": "This year", "starts_on": "2026-01-01", "ends_on": "2030-12-31"}),
            ),
            (
                "/api/v1/roles",
                serde_json::json!({"title": "Incident manager", "holders": ["manager@provider.test"],
                                   "raci": {"8.6.1": "A"}}),
            ),
        ] {
            let (st, v) = s.post("manager", path, body).await;
            assert_eq!(st, reqwest::StatusCode::CREATED, "{v}");
        }
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "auditor@provider.test").await;

        // The manager, accountable for incident management, may not audit it.
        c.goto(&format!(
            "{base}/audits/new?starts_on={today}&target_date={today}&programme=APR-0001"
        ))
        .await
        .unwrap();
        type_in(&c, "title", "Incident management").await;
        type_in(&c, "scope", "8.6").await;
        type_in(&c, "assignee", "auditor@provider.test").await;
        type_in(&c, "team", "manager@provider.test").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "p.error", None, "holds ROL-0001 Incident manager").await;
        type_in(&c, "team", "").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, ".flash", None, "Audit planned").await;
        wait_for(&c, "#checklist", None, "8.6.1").await;

        // A sample of three incidents, drawn again from its seed.
        c.execute(
            "document.getElementById('s-from').value = arguments[0];\
             document.getElementById('s-to').value = arguments[0];",
            vec![serde_json::json!(today)],
        )
        .await
        .unwrap();
        type_in(&c, "s-size", "3").await;
        type_in(&c, "s-seed", "walk").await;
        click(&c, "#samples form button[type=submit]").await;
        wait_for(&c, ".flash", None, "Sample drawn").await;
        let sample = wait_for(&c, "#samples .sample", None, "3 of 6 incidents").await;
        assert!(sample.contains("walk"), "{sample}");
        click(&c, "#samples .sample a[href$='/redraw']").await;
        wait_for(&c, ".flash", None, "the same records came out").await;

        // Started, the audit takes a finding on a sampled incident.
        click(&c, "form:has(input[name=action][value=start]) button").await;
        wait_for(&c, "[data-state]", Some("data-state"), "in_progress").await;
        let first = text(&c, "#samples .sample p:nth-of-type(2) a").await;
        click(&c, "#findings summary").await;
        type_in(&c, "f-title", "No review of a major incident").await;
        click(&c, "select#f-grade option[value=minor]").await;
        type_in(&c, "f-clause", "8.6.1").await;
        type_in(
            &c,
            "f-evidence",
            "The sampled incident was major; no review.",
        )
        .await;
        type_in(&c, "f-records", &first).await;
        click(&c, "#findings form button[type=submit]").await;
        wait_for(&c, ".flash", None, "Finding recorded").await;
        wait_for(&c, "main", None, &first).await;
        sign_out(&c).await;

        // The manager raises the nonconformity from it and plans its action.
        sign_in(&c, &base, "manager@provider.test").await;
        c.goto(&format!("{base}/findings/FND-0001")).await.unwrap();
        click(&c, "#raise-nc").await;
        wait_for(&c, "select#source option[selected]", None, "finding").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, ".flash", None, "Nonconformity recorded").await;
        type_in(
            &c,
            "a-title",
            "Review every major incident within five days",
        )
        .await;
        click(&c, "#actions form button[type=submit]").await;
        wait_for(&c, ".flash", None, "Action planned").await;
        sign_out(&c).await;

        // The auditor walks from the clause to the audit, its sample, the
        // finding, the nonconformity and its action.
        sign_in(&c, &base, "auditor@provider.test").await;
        c.goto(&format!("{base}/conformity/8.6.1")).await.unwrap();
        wait_for(&c, "#audits", None, "FND-0001").await;
        click(&c, "#audits a[href='/audits/AUD-0001']").await;
        wait_for(&c, "#samples", None, &first).await;
        click(&c, "#findings a[href='/findings/FND-0001']").await;
        wait_for(&c, "main", None, "NCR-0001").await;
        click(&c, "a[href='/nonconformities/NCR-0001']").await;
        wait_for(&c, "#actions table", None, "ACT-0001").await;
        // And reads the audit's report.
        c.goto(&format!("{base}/audits/AUD-0001/report"))
            .await
            .unwrap();
        wait_for(&c, "#findings", None, "FND-0001").await;
        c.close().await.unwrap();
        s.stop().await;
    }
}

#[tokio::test]
async fn a_manager_issues_a_service_report_and_only_that_customer_reads_it() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        s.raise("customer", "Mail is slow", "SVC-0001").await;
        s.raise("other", "Shop is down", "SVC-0001").await;
        let today = jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .date();
        let month = steward_domain::review::month_before(today);
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "manager@provider.test").await;
        c.goto(&format!("{base}/service-reports")).await.unwrap();
        wait_for(&c, "#issued", None, "No report issued yet").await;
        // A period that is not one: refused on the form, the customer still chosen.
        click(&c, "#organisation option[value='2']").await;
        type_in(&c, "period", "2026-Q5").await;
        click(&c, "#compile button.secondary").await;
        wait_for(&c, "#error", None, "quarter").await;
        let chosen = c
            .find(Locator::Css("#organisation option[selected]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(chosen, "Alpha");
        type_in(&c, "period", &month).await;
        click(&c, "#compile button.secondary").await;
        wait_for(&c, "h1", None, &format!("Service report: Alpha, {month}")).await;
        let summary = text(&c, "#summary").await;
        assert!(summary.contains("0 / 0 / 0"), "{summary}");
        assert!(text(&c, "#issued").await.contains("Issued"));
        c.goto(&format!("{base}/service-reports")).await.unwrap();
        sign_out(&c).await;

        // Alpha's contact finds it in the archive; Beta's sees none and not this one.
        sign_in(&c, &base, "cora@alpha.test").await;
        c.goto(&format!("{base}/service-reports")).await.unwrap();
        wait_for(&c, "#issued", None, "Alpha").await;
        assert!(
            c.find(Locator::Css("#compile button.secondary"))
                .await
                .is_err(),
            "a customer compiles but does not issue"
        );
        let own = text(&c, "#organisation").await;
        assert_eq!(own.trim(), "Alpha", "only their own organisation");
        click(&c, "#issued a").await;
        wait_for(&c, "h1", None, "Service report: Alpha").await;
        c.goto(&format!("{base}/service-reports")).await.unwrap();
        sign_out(&c).await;
        sign_in(&c, &base, "olga@beta.test").await;
        c.goto(&format!("{base}/service-reports")).await.unwrap();
        wait_for(&c, "#issued", None, "No report issued yet").await;
        c.goto(&format!("{base}/service-reports/1")).await.unwrap();
        let body = text(&c, "body").await;
        assert!(!body.contains("Service report: Alpha"), "{body}");
        c.close().await.unwrap();
        s.stop().await;
    }
}
