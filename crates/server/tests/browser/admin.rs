//! Setting up a service desk in the browser: a group with its manager and
//! members, a business calendar, an SLA with targets per priority and the
//! "which applies" check, a service added and changed on its page, and an
//! organisation's services.

use super::*;

async fn tick(c: &Client, css: &str) {
    click(c, css).await;
}

#[tokio::test]
async fn an_admin_sets_up_a_group_a_calendar_an_sla_and_a_service_from_the_browser() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "admin@provider.test").await;

        // A group: a name already taken is refused on its field, then added.
        c.goto(&format!("{base}/admin/groups")).await.unwrap();
        type_in(&c, "name", "service desk").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "p.error", None, "already exists").await;
        type_in(&c, "name", "Network").await;
        click(&c, "#manager option[value='manager@provider.test']").await;
        tick(&c, "input[name=members][value='agent@provider.test']").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "div.flash", None, "Group added").await;
        let fields = text(&c, "dl.fields").await;
        assert!(fields.contains("Manager"), "{fields}");
        let (_, groups) = s.get("admin", "/api/v1/groups").await;
        let net = groups
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == "Network")
            .expect("the group is there")
            .clone();
        assert_eq!(net["members"], 1);
        assert!(net["manager"]["name"].is_string(), "{net}");

        // A calendar: hours that are not hours are refused on the day, then saved.
        c.goto(&format!("{base}/calendars/new")).await.unwrap();
        type_in(&c, "name", "Berlin office").await;
        type_in(&c, "time_zone", "Europe/Berlin").await;
        type_in(&c, "day-monday", "8 to 5").await;
        type_in(
            &c,
            "holidays",
            "2026-12-25 Christmas Day\n2026-12-26 Boxing Day",
        )
        .await;
        type_in(&c, "exceptions", "2026-12-24 08:00-12:00").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "p.error", None, "HH:MM-HH:MM").await;
        type_in(&c, "day-monday", "08:00-12:00, 13:00-17:00").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "div.flash", None, "Calendar saved").await;
        let row = text(&c, "tr[data-calendar='Berlin office']").await;
        assert!(row.contains("Christmas Day"), "{row}");
        assert!(row.contains("08:00-12:00, 13:00-17:00"), "{row}");

        // Someone else changes the calendar while its form is open: saving
        // says so instead of overwriting their change.
        click(&c, "tr[data-calendar='Berlin office'] a").await;
        wait_for(&c, "h1", None, "Change calendar Berlin office").await;
        let (_, cals) = s.get("admin", "/api/v1/calendars").await;
        let cal = cals
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "Berlin office")
            .unwrap()
            .clone();
        let mut spec = cal.clone();
        let obj = spec.as_object_mut().unwrap();
        obj.remove("id");
        obj.remove("version");
        obj.insert("name".into(), "Berlin office (Mon-Fri)".into());
        let (st, v, _) = s
            .call(
                "manager",
                reqwest::Method::PUT,
                &format!("/api/v1/calendars/{}", cal["id"]),
                Some(spec),
            )
            .await;
        assert_eq!(st, reqwest::StatusCode::OK, "{v}");
        type_in(&c, "day-friday", "08:00-14:00").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "div.flash.bad", None, "someone else changed this").await;

        // An SLA for Alpha on Mail: a response longer than the resolution is
        // refused on its priority, then the SLA is agreed.
        c.goto(&format!("{base}/agreements/new")).await.unwrap();
        type_in(&c, "title", "Alpha mail gold").await;
        click(&c, "#customer option[value='Alpha']").await;
        click(&c, "#status option[value='agreed']").await;
        let cal = c
            .find(Locator::XPath(
                "//select[@id='calendar']/option[contains(text(),'Berlin office')]",
            ))
            .await
            .unwrap();
        cal.click().await.unwrap();
        tick(&c, "input[name=services][value='SVC-0001']").await;
        let field = |name: &'static str| {
            let c = c.clone();
            async move {
                c.find(Locator::Css(&format!("input[name={name}]")))
                    .await
                    .unwrap()
            }
        };
        field("P1_response").await.send_keys("600").await.unwrap();
        field("P1_resolution").await.send_keys("240").await.unwrap();
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "p.error", None, "response target must not be longer").await;
        let e = field("P1_response").await;
        e.clear().await.unwrap();
        e.send_keys("15").await.unwrap();
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "div.flash", None, "saved").await;
        let row = text(&c, "tr[data-agreement='SLA-0001']").await;
        assert!(
            row.contains("Alpha mail gold") && row.contains("agreed"),
            "{row}"
        );

        // Which SLA applies to Alpha's P1 case on Mail: this one.
        click(&c, "#chk-service option[value='SVC-0001']").await;
        type_in(&c, "chk-priority", "1").await;
        click(&c, "#applies button").await;
        wait_for(&c, "#applies-answer", None, "SLA-0001").await;
        // ERP is not Beta's: the answer says so.
        click(&c, "#chk-customer option[value='Beta']").await;
        click(&c, "#chk-service option[value='SVC-0002']").await;
        click(&c, "#applies button").await;
        wait_for(
            &c,
            "#applies-answer",
            None,
            "Beta does not receive SVC-0002",
        )
        .await;

        // The service's page lists the agreement; the organisation's page
        // changes what Beta receives.
        c.goto(&format!("{base}/services/SVC-0001")).await.unwrap();
        wait_for(&c, "main", None, "Alpha mail gold").await;
        c.goto(&format!("{base}/admin/organisations/3"))
            .await
            .unwrap();
        tick(&c, "input[name=services][value='SVC-0002']").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "div.flash", None, "Saved").await;
        let (_, beta) = s.get("admin", "/api/v1/organisations/3").await;
        let received: Vec<&str> = beta["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["number"].as_str().unwrap())
            .collect();
        assert_eq!(received, ["SVC-0001", "SVC-0002", "SVC-0003"], "{beta}");

        // A service: added on the catalogue, then changed on its own page.
        c.goto(&format!("{base}/services")).await.unwrap();
        type_in(&c, "name", "VPN").await;
        type_in(&c, "owner", "manager@provider.test").await;
        click(&c, "#customers option[value='Alpha']").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "div.flash", None, "Saved").await;
        wait_for(&c, "h1", None, "VPN").await;
        let fields = text(&c, "dl.fields").await;
        assert!(
            fields.contains("Alpha") && !fields.contains("Beta"),
            "{fields}"
        );
        type_in(&c, "owner", "nobody@provider.test").await;
        tick(&c, "input[name=customers][value='Beta']").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "p.error", None, "nobody@provider.test").await;
        type_in(&c, "owner", "agent@provider.test").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "div.flash", None, "Saved").await;
        let fields = text(&c, "dl.fields").await;
        assert!(
            fields.contains("Alpha") && fields.contains("Beta"),
            "{fields}"
        );
        let (_, vpn) = s.get("admin", "/api/v1/services/SVC-0004").await;
        assert_eq!(vpn["name"], "VPN", "{vpn}");
        assert_eq!(vpn["customers"].as_array().unwrap().len(), 2, "{vpn}");

        // Every change is in the audit trail.
        let (_, audit) = s.get("admin", "/api/v1/audit?limit=50").await;
        let types: Vec<&str> = audit
            .as_array()
            .or(audit["items"].as_array())
            .unwrap()
            .iter()
            .map(|e| e["record_type"].as_str().unwrap_or(""))
            .collect();
        for t in ["group", "calendar", "agreement", "organisation", "service"] {
            assert!(types.contains(&t), "{t} not in {types:?}");
        }
        c.close().await.unwrap();
    }
}
