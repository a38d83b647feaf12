//! Incoming mail in the browser: an agent finds an automatic reply that was
//! in fact a person's in the quarantine, reads it and releases it into an
//! incident; a stranger's message cannot be released and is dismissed.

use super::*;

#[tokio::test]
async fn an_agent_reviews_the_quarantine_and_releases_a_persons_mail() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        let held = s.quarantine(
            "From: cora@alpha.test\r\nSubject: Scanner offline\r\nAuto-Submitted: auto-generated\r\n\r\n\
             The scanner in room 4 is offline.\r\n",
        )
        .await;
        let stranger = s
            .quarantine("From: pat@nowhere.test\r\nSubject: Quote\r\n\r\nA quote, please.\r\n")
            .await;

        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "agent@provider.test").await;
        c.goto(&format!("{base}/mail")).await.unwrap();
        wait_for(&c, "#mail", None, "Automatic reply").await;
        wait_for(&c, "#mail", None, "Unknown sender").await;
        click(&c, &format!("a[href='/mail/{held}']")).await;
        wait_for(&c, "#text", None, "room 4 is offline").await;
        click(&c, "#release").await;
        // Released, it is an incident of Cora's, titled by its subject.
        wait_for(&c, "h1", None, "Scanner offline").await;
        assert!(
            c.current_url()
                .await
                .unwrap()
                .path()
                .starts_with("/incidents/INC-")
        );

        c.goto(&format!("{base}/mail/{stranger}")).await.unwrap();
        click(&c, "#release").await;
        wait_for(&c, "#message", None, "Unknown sender").await;
        click(&c, "#dismiss").await;
        wait_for(&c, "#mail", None, "Nothing waits for review").await;
        c.goto(&format!("{base}/mail/{stranger}")).await.unwrap();
        wait_for(&c, "#outcome", None, "dismissed").await;
        assert!(c.find(Locator::Id("release")).await.is_err());
        c.close().await.unwrap();
        s.stop().await;
    }
}
