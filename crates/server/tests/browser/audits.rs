//! Internal audits in the browser: planned, sampled, and walked from the clause to the action.

use super::*;

#[tokio::test]
async fn an_auditor_plans_an_independent_audit_samples_and_walks_from_the_clause_to_the_action() {
    for backend in common::backends() {
        let s = TestServer::start(backend).await;
        let base = format!("http://localhost:{}", s.addr.port());
        for n in 0..6 {
            s.raise("agent", &format!("Printer {n} jams"), "SVC-0001")
                .await;
        }
        let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
        for (path, body) in [
            (
                "/api/v1/audit-programmes",
                serde_json::json!({"title": "This year", "starts_on": "2026-01-01", "ends_on": "2030-12-31"}),
            ),
            (
                "/api/v1/roles",
                serde_json::json!({"title": "Incident manager", "holders": ["manager@provider.test"],
                                   "raci": {"8.6.1": "A"}}),
            ),
        ] {
            let (st, v) = s.post("manager", path, body).await;
            assert_eq!(st, reqwest::StatusCode::CREATED, "{v}");
        }
        let (_driver, c) = start_browser().await;
        sign_in(&c, &base, "auditor@provider.test").await;

        // The manager, accountable for incident management, may not audit it.
        c.goto(&format!(
            "{base}/audits/new?starts_on={today}&target_date={today}&programme=APR-0001"
        ))
        .await
        .unwrap();
        type_in(&c, "title", "Incident management").await;
        type_in(&c, "scope", "8.6").await;
        type_in(&c, "assignee", "auditor@provider.test").await;
        type_in(&c, "team", "manager@provider.test").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, "p.error", None, "holds ROL-0001 Incident manager").await;
        type_in(&c, "team", "").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, ".flash", None, "Audit planned").await;
        wait_for(&c, "#checklist", None, "8.6.1").await;

        // A sample of three incidents, drawn again from its seed.
        c.execute(
            "document.getElementById('s-from').value = arguments[0];\
             document.getElementById('s-to').value = arguments[0];",
            vec![serde_json::json!(today)],
        )
        .await
        .unwrap();
        type_in(&c, "s-size", "3").await;
        type_in(&c, "s-seed", "walk").await;
        click(&c, "#samples form button[type=submit]").await;
        wait_for(&c, ".flash", None, "Sample drawn").await;
        let sample = wait_for(&c, "#samples .sample", None, "3 of 6 incidents").await;
        assert!(sample.contains("walk"), "{sample}");
        click(&c, "#samples .sample a[href$='/redraw']").await;
        wait_for(&c, ".flash", None, "the same records came out").await;

        // Started, the audit takes a finding on a sampled incident.
        click(&c, "form:has(input[name=action][value=start]) button").await;
        wait_for(&c, "[data-state]", Some("data-state"), "in_progress").await;
        let first = text(&c, "#samples .sample p:nth-of-type(2) a").await;
        click(&c, "#findings summary").await;
        type_in(&c, "f-title", "No review of a major incident").await;
        click(&c, "select#f-grade option[value=minor]").await;
        type_in(&c, "f-clause", "8.6.1").await;
        type_in(
            &c,
            "f-evidence",
            "The sampled incident was major; no review.",
        )
        .await;
        type_in(&c, "f-records", &first).await;
        click(&c, "#findings form button[type=submit]").await;
        wait_for(&c, ".flash", None, "Finding recorded").await;
        wait_for(&c, "main", None, &first).await;
        sign_out(&c).await;

        // The manager raises the nonconformity from it and plans its action.
        sign_in(&c, &base, "manager@provider.test").await;
        c.goto(&format!("{base}/findings/FND-0001")).await.unwrap();
        click(&c, "#raise-nc").await;
        wait_for(&c, "select#source option[selected]", None, "finding").await;
        click(&c, "form.card button[type=submit]").await;
        wait_for(&c, ".flash", None, "Nonconformity recorded").await;
        type_in(
            &c,
            "a-title",
            "Review every major incident within five days",
        )
        .await;
        click(&c, "#actions form button[type=submit]").await;
        wait_for(&c, ".flash", None, "Action planned").await;
        sign_out(&c).await;

        // The auditor walks from the clause to the audit, its sample, the
        // finding, the nonconformity and its action.
        sign_in(&c, &base, "auditor@provider.test").await;
        c.goto(&format!("{base}/conformity/8.6.1")).await.unwrap();
        wait_for(&c, "#audits", None, "FND-0001").await;
        click(&c, "#audits a[href='/audits/AUD-0001']").await;
        wait_for(&c, "#samples", None, &first).await;
        click(&c, "#findings a[href='/findings/FND-0001']").await;
        wait_for(&c, "main", None, "NCR-0001").await;
        click(&c, "a[href='/nonconformities/NCR-0001']").await;
        wait_for(&c, "#actions table", None, "ACT-0001").await;
        // And reads the audit's report.
        c.goto(&format!("{base}/audits/AUD-0001/report"))
            .await
            .unwrap();
        wait_for(&c, "#findings", None, "FND-0001").await;
        c.close().await.unwrap();
        s.stop().await;
    }
}
