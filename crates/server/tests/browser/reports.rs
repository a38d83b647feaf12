//! Service reports in the browser: issued by a manager, read by that customer only.

use super::*;

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
