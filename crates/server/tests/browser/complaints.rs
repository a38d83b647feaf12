//! Complaints in the browser: raised and answered; followed to a nonconformity and its reviewed action.

use super::*;

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
