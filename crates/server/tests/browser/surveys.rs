//! Satisfaction surveys in the browser: a manager writes and sends one to a
//! customer, its contact answers it, the manager reads the results; another
//! customer's contact never sees it.

use super::*;

#[tokio::test]
async fn a_manager_sends_a_survey_a_contact_answers_and_the_results_show() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "manager@provider.test").await;
        c.goto(&format!("{base}/surveys")).await.unwrap();
        wait_for(&c, "#surveys", None, "No survey yet").await;
        // Only written answers: refused, what was typed kept.
        type_in(&c, "title", "Alpha pulse").await;
        click(&c, "#organisation option[value='2']").await;
        type_in(&c, "questions", "text: Anything else?").await;
        click(&c, "#new-survey button[type=submit]").await;
        wait_for(&c, "#error", None, "scored 1 to 5").await;
        assert_eq!(
            c.find(Locator::Id("title"))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("Alpha pulse")
        );
        type_in(
            &c,
            "questions",
            "How satisfied are you overall?\ntext: What should we do better?",
        )
        .await;
        click(&c, "#new-survey button[type=submit]").await;
        wait_for(&c, "#state", None, "Draft").await;
        click(&c, "#send").await;
        wait_for(&c, "#flash", None, "Round 1 sent: 2 contacts asked").await;
        sign_out(&c).await;

        // Alpha's contact answers: a score is required, then thanked once.
        sign_in(&c, &base, "cora@alpha.test").await;
        c.goto(&format!("{base}/surveys")).await.unwrap();
        wait_for(&c, "#surveys", None, "Alpha pulse").await;
        click(&c, "#surveys a.button").await;
        wait_for(&c, "#answer", None, "How satisfied are you overall?").await;
        type_in_css(&c, "#answer textarea[name=q1]", "Call back sooner").await;
        click(&c, "#answer button[type=submit]").await;
        wait_for(&c, "#error", None, "choose a score").await;
        click(&c, "#answer input[name=q0][value='4']").await;
        click(&c, "#answer button[type=submit]").await;
        wait_for(&c, "#answered", None, "Thank you").await;
        assert!(c.find(Locator::Css("#answer")).await.is_err());
        sign_out(&c).await;

        // Beta's contact has nothing to answer and cannot open it.
        sign_in(&c, &base, "olga@beta.test").await;
        c.goto(&format!("{base}/surveys")).await.unwrap();
        wait_for(&c, "#surveys", None, "No survey for you").await;
        c.goto(&format!("{base}/surveys/1")).await.unwrap();
        let body = text(&c, "body").await;
        assert!(!body.contains("Alpha pulse"), "{body}");
        c.goto(&format!("{base}/surveys")).await.unwrap();
        sign_out(&c).await;

        // The manager reads the results.
        sign_in(&c, &base, "manager@provider.test").await;
        c.goto(&format!("{base}/surveys/1")).await.unwrap();
        let scores = wait_for(&c, "#scores", None, "Alpha").await;
        assert!(
            scores.contains("How satisfied are you overall?"),
            "{scores}"
        );
        assert!(scores.contains("100.0%"), "{scores}");
        wait_for(&c, "#round", None, "1 of 2 answered").await;
        wait_for(&c, "#comments", None, "Call back sooner").await;
        c.close().await.unwrap();
        s.stop().await;
    }
}

async fn type_in_css(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}
