//! Requests in the browser: a manager builds the offering, a customer
//! orders it from the portal on a phone-width page, her manager approves from the link in his e-mail
//! without signing in, an agent completes the two tasks in order, and the
//! request is fulfilled within its clock.

use super::*;
use serde_json::json;

#[tokio::test]
async fn a_customer_orders_her_manager_approves_from_the_email_and_the_tasks_fulfil_it() {
    for backend in common::backends() {
        let sink = common::smtp::SmtpSink::start().await;
        let url = sink.url();
        let s = TestServer::start_with(backend, |c| {
            c.smtp_url = url;
            c.job_poll_millis = 20;
        })
        .await;
        let base = format!("http://localhost:{}", s.addr.port());

        // The catalogue: a laptop, approved by the requester's manager above
        // 500, prepared then delivered by the Service Desk within 8 hours.
        let (st, cal) = s
            .post(
                "manager",
                "/api/v1/calendars",
                json!({"name": "24x7", "time_zone": "UTC",
                       "week": {"monday": ["00:00-24:00"], "tuesday": ["00:00-24:00"],
                                "wednesday": ["00:00-24:00"], "thursday": ["00:00-24:00"],
                                "friday": ["00:00-24:00"], "saturday": ["00:00-24:00"],
                                "sunday": ["00:00-24:00"]}}),
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::CREATED, "{cal}");
        let (_driver, c) = start_browser().await;
        // The manager builds the offering in the browser; a choice without
        // options is refused with the row that needs them.
        sign_in(&c, &base, "manager@provider.test").await;
        c.goto(&format!("{base}/offerings/new")).await.unwrap();
        click(&c, "select#service option[value='SVC-0001']").await;
        type_in(&c, "name", "New laptop").await;
        type_in(&c, "target_minutes", "480").await;
        click(
            &c,
            &format!("select#calendar option[value='{}']", cal["id"]),
        )
        .await;
        type_in(&c, "price", "300").await;
        for (i, key, label, kind) in [
            (0, "model", "Model", "choice"),
            (1, "quantity", "How many", "number"),
            (2, "bag", "With a bag", "checkbox"),
        ] {
            type_in(&c, &format!("field_{i}_key"), key).await;
            type_in(&c, &format!("field_{i}_label"), label).await;
            click(&c, &format!("select#field_{i}_type option[value={kind}]")).await;
        }
        click(&c, "#field_0_required").await;
        click(&c, "#field_1_required").await;
        click(&c, "input[name=manager_approves]").await;
        type_in(&c, "approval_above", "500").await;
        type_in(&c, "task_0_title", "Prepare the laptop").await;
        type_in(&c, "task_1_title", "Deliver it").await;
        click(&c, "#offering button[type=submit]").await;
        wait_for(&c, ".flash.bad", None, "a choice needs options").await;
        type_in(&c, "field_0_options", "14 inch, 16 inch").await;
        // The saved form offers blank rows again: the bag's colour, shown
        // only when the bag is ticked.
        type_in(&c, "field_3_key", "bag_colour").await;
        type_in(&c, "field_3_label", "Bag colour").await;
        click(&c, "#field_3_required").await;
        type_in(&c, "field_3_shown_field", "bag").await;
        click(&c, "#offering button[type=submit]").await;
        wait_for(&c, ".flash", None, "Saved").await;
        let (st, o) = s.get("manager", "/api/v1/offerings/OFR-0001").await;
        assert_eq!(st, reqwest::StatusCode::OK, "{o}");
        assert_eq!(o["form"]["fields"][3]["shown_when"]["field"], "bag", "{o}");
        assert_eq!(o["setup"]["tasks"][1]["group"], "Service Desk", "{o}");
        assert_eq!(o["setup"]["approval_above"], 500, "{o}");
        sign_out(&c).await;
        let (_, cora) = s.get("customer", "/api/v1/me").await;
        let (st, v, _) = s
            .call(
                "admin",
                reqwest::Method::PATCH,
                &format!("/api/v1/users/{}", cora["id"]),
                Some(json!({"manager": "carl@alpha.test"})),
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::OK, "{v}");

        // Cora orders on her phone; a ticked bag without a colour is refused.
        c.set_window_size(420, 900).await.unwrap();
        sign_in(&c, &base, "cora@alpha.test").await;
        // Her home is the portal, which offers what she may order.
        c.goto(&format!("{base}/")).await.unwrap();
        wait_for(&c, "h1", None, "How can we help").await;
        click(&c, "#order a[href='/requests/new?offering=OFR-0001']").await;
        wait_for(&c, "h1", None, "New laptop").await;
        click(&c, "select#a_model option:nth-child(2)").await;
        type_in(&c, "a_quantity", "2").await;
        click(&c, "#a_bag").await;
        click(&c, "#order button[type=submit]").await;
        wait_for(&c, ".flash.bad", None, "answers.bag_colour").await;
        type_in(&c, "a_bag_colour", "black").await;
        click(&c, "#order button[type=submit]").await;
        wait_for(&c, ".flash", None, "Request sent").await;
        wait_for(&c, "[data-state]", Some("data-state"), "awaiting_approval").await;
        let answers = text(&c, "#answers").await;
        assert!(
            answers.contains("black") && answers.contains('2'),
            "{answers}"
        );
        // She does not approve it herself.
        assert!(c.find(Locator::Id("approve")).await.is_err());
        sign_out(&c).await;

        // Carl opens the link in his e-mail, signed out, and approves.
        let mails = sink.wait_for(1).await;
        let body = mails[0].body();
        let link = body
            .lines()
            .find(|l| l.contains("/approvals/"))
            .unwrap()
            .trim()
            .to_owned();
        let path = &link[link.find("/approvals/").unwrap()..];
        c.goto(&format!("{base}{path}")).await.unwrap();
        wait_for(&c, "#answers", None, "black").await;
        click(&c, "#approve").await;
        wait_for(&c, "#message", None, "you approved REQ-000001").await;
        wait_for(&c, "[data-state]", Some("data-state"), "in_fulfilment").await;

        // The agent completes the tasks, the second opening when the first is done.
        c.set_window_size(1280, 1000).await.unwrap();
        sign_in(&c, &base, "agent@provider.test").await;
        c.goto(&format!("{base}/requests/REQ-000001"))
            .await
            .unwrap();
        wait_for(&c, "#clock", None, "Running").await;
        wait_for(&c, "#tasks", None, "Pending").await;
        for task in ["TSK-000001", "TSK-000002"] {
            c.goto(&format!("{base}/tasks/{task}")).await.unwrap();
            wait_for(&c, "[data-state]", Some("data-state"), "open").await;
            type_in(&c, "step-complete", "Done and signed for").await;
            click(&c, "form:has(input[name=action][value=complete]) button").await;
            wait_for(&c, "[data-state]", Some("data-state"), "done").await;
        }
        c.goto(&format!("{base}/requests/REQ-000001"))
            .await
            .unwrap();
        wait_for(&c, "[data-state]", Some("data-state"), "fulfilled").await;
        wait_for(&c, "#clock", None, "Met").await;

        // Cora sees it fulfilled; another organisation does not see it at all.
        sign_out(&c).await;
        sign_in(&c, &base, "cora@alpha.test").await;
        c.goto(&format!("{base}/requests/REQ-000001"))
            .await
            .unwrap();
        wait_for(&c, "[data-state]", Some("data-state"), "fulfilled").await;
        sign_out(&c).await;
        sign_in(&c, &base, "olga@beta.test").await;
        c.goto(&format!("{base}/requests/REQ-000001"))
            .await
            .unwrap();
        let page = text(&c, "body").await;
        assert!(!page.contains("New laptop"), "{page}");
        c.close().await.unwrap();
        s.stop().await;
    }
}
