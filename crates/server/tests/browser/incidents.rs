//! Incidents in the browser: raised, found and commented; to a known error and its workaround; rated by the customer.

use super::*;

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
