//! The SMS registers in the browser: a risk recorded and followed from the dashboard.

use super::*;

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
