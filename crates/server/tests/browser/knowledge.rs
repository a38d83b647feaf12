//! Knowledge in the browser: an agent writes an article in Markdown, a
//! manager reviews and publishes it, and a customer it is for reads it
//! rendered, with nothing in it that runs, and says it helped.

use super::*;

#[tokio::test]
async fn an_article_is_written_reviewed_published_and_read_by_its_customers() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        let (_driver, c) = start_browser().await;

        // The agent writes it; an empty form says what is missing.
        sign_in(&c, &base, "agent@provider.test").await;
        c.goto(&format!("{base}/articles/new")).await.unwrap();
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "p.error", None, "required").await;
        type_in(&c, "title", "Reset a mail password").await;
        type_in(
            &c,
            "body",
            "## Steps\n\n1. Open the **portal**\n2. Choose *Reset*\n\n<script>document.title='owned'</script>",
        )
        .await;
        click(&c, "select#audience option[value=customers]").await;
        type_in(&c, "organisations", "Alpha").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, ".flash", None, "another member of staff reviews it").await;
        wait_for(&c, "[data-state]", Some("data-state"), "draft").await;
        // Its author may not review it: the page says why.
        click(&c, "form:has(input[name=action][value=review]) button").await;
        wait_for(&c, ".flash.bad", None, "you wrote").await;

        // The manager reviews and publishes it.
        sign_out(&c).await;
        sign_in(&c, &base, "manager@provider.test").await;
        c.goto(&format!("{base}/articles")).await.unwrap();
        wait_for(&c, "table", None, "KB-0001").await;
        c.goto(&format!("{base}/articles/KB-0001")).await.unwrap();
        click(&c, "form:has(input[name=action][value=review]) button").await;
        wait_for(&c, "[data-state]", Some("data-state"), "reviewed").await;
        click(&c, "form:has(input[name=action][value=publish]) button").await;
        wait_for(&c, "[data-state]", Some("data-state"), "published").await;

        // Alpha's customer finds it in Knowledge, reads it rendered, and it helped.
        sign_out(&c).await;
        sign_in(&c, &base, "cora@alpha.test").await;
        let nav = text(&c, "header.top nav").await;
        assert!(nav.contains("Knowledge"), "{nav}");
        c.goto(&format!("{base}/articles")).await.unwrap();
        click(&c, "a[href='/articles/KB-0001']").await;
        wait_for(&c, "#article-body strong", None, "portal").await;
        let heading = text(&c, "#article-body h2").await;
        assert_eq!(heading, "Steps");
        assert_ne!(c.title().await.unwrap(), "owned");
        assert!(c.find(Locator::Css("[data-state]")).await.is_err());
        click(&c, "#feedback button[value=yes]").await;
        wait_for(&c, ".flash", None, "Thank you").await;
        wait_for(&c, "#feedback", None, "You answered yes").await;

        // Search finds it for her by a word of its text.
        c.goto(&format!("{base}/search?q=portal")).await.unwrap();
        wait_for(&c, "main", None, "KB-0001").await;

        // Beta's customer neither lists nor opens it.
        sign_out(&c).await;
        sign_in(&c, &base, "olga@beta.test").await;
        c.goto(&format!("{base}/articles")).await.unwrap();
        wait_for(&c, "table", None, "No articles here").await;
        c.goto(&format!("{base}/articles/KB-0001")).await.unwrap();
        let body = text(&c, "body").await;
        assert!(!body.contains("portal"), "{body}");
        c.close().await.unwrap();
        s.stop().await;
    }
}
