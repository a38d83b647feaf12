//! Business relationship in the browser: a manager keeps a customer's
//! profile and contacts, plans a service review and records it as held with
//! its minutes; the customer's people read it, another customer's do not.

use super::*;

#[tokio::test]
async fn a_manager_keeps_a_customer_and_holds_a_service_review_the_customer_reads() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "manager@provider.test").await;
        c.goto(&format!("{base}/customers")).await.unwrap();
        wait_for(&c, "table", None, "never").await;
        click(&c, "a[href='/customers/2']").await;
        wait_for(&c, "#review-due", None, "No service review").await;

        type_in(
            &c,
            "profile-text",
            "Alpha runs its mail on us; month end matters.",
        )
        .await;
        click(
            &c,
            "select#relationship_manager option[value='manager@provider.test']",
        )
        .await;
        click(&c, "#profile button[type=submit]").await;
        wait_for(&c, ".flash", None, "Saved").await;

        // A contact with no way to reach them is refused, then added.
        click(&c, "#contacts summary").await;
        type_in(&c, "contact-name", "Ann Lee").await;
        click(&c, "#contacts button[type=submit]").await;
        wait_for(&c, ".flash.bad", None, "e-mail or a phone").await;
        click(&c, "#contacts summary").await;
        type_in(&c, "contact-name", "Ann Lee").await;
        type_in(&c, "contact-email", "ann@alpha.test").await;
        click(&c, "#contacts button[type=submit]").await;
        wait_for(&c, "#contacts", None, "Ann Lee").await;

        // Plan the review, then record it as held.
        type_in(&c, "review-day", "12/10/2026").await;
        type_in(&c, "review-attendees", "Ann Lee, manager user").await;
        click(&c, "#reviews button[type=submit]").await;
        wait_for(&c, "[data-state]", Some("data-state"), "planned").await;
        type_in(
            &c,
            "step-hold",
            "SLA met; a runbook for month end is to be written.",
        )
        .await;
        click(&c, "form:has(input[name=action][value=hold]) button").await;
        wait_for(&c, "[data-state]", Some("data-state"), "held").await;
        wait_for(&c, "#minutes", None, "runbook").await;
        c.goto(&format!("{base}/customers/2")).await.unwrap();
        assert!(c.find(Locator::Id("review-due")).await.is_err());

        // Alpha's customer reads it; Beta's does not.
        sign_out(&c).await;
        sign_in(&c, &base, "cora@alpha.test").await;
        c.goto(&format!("{base}/service-reviews")).await.unwrap();
        click(&c, "a[href='/service-reviews/SRM-0001']").await;
        wait_for(&c, "#minutes", None, "runbook").await;
        sign_out(&c).await;
        sign_in(&c, &base, "olga@beta.test").await;
        c.goto(&format!("{base}/service-reviews/SRM-0001"))
            .await
            .unwrap();
        let page = text(&c, "body").await;
        assert!(!page.contains("runbook"), "{page}");
        c.close().await.unwrap();
        s.stop().await;
    }
}
