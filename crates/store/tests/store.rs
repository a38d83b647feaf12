//! Store tests: each runs on SQLite and on PostgreSQL.

use steward_domain::access::Visibility;
use steward_domain::incident::{Lifecycle, ResolutionCode, Transition};
use steward_store::testing::{Backend, TestDb, backends};
use steward_store::{
    AuditActor, IncidentFields, IncidentFilter, IncidentNames, IncidentOrder, NewIncident,
    ServiceFields, Store, StoreError, StoreOptions,
};

async fn open(backend: Backend) -> (TestDb, Store) {
    open_with(backend, &StoreOptions::default()).await
}

async fn open_with(backend: Backend, options: &StoreOptions) -> (TestDb, Store) {
    let db = TestDb::new(backend).await;
    let store = Store::connect(&db.url, options).await.unwrap();
    store.migrate().await.unwrap();
    (db, store)
}

/// Another store on the same database, as another process would have.
async fn connect(db: &TestDb) -> Store {
    Store::connect(&db.url, &StoreOptions::default())
        .await
        .unwrap()
}

struct World {
    actor: AuditActor,
    customer_a: i64,
    customer_b: i64,
    caller_a: i64,
    service_id: i64,
}

async fn world(store: &Store) -> World {
    let actor = AuditActor::system("test");
    let provider = store
        .create_org(&actor, "Provider", "provider", "UTC")
        .await
        .unwrap();
    let a = store
        .create_org(&actor, "Alpha", "customer", "Europe/Berlin")
        .await
        .unwrap();
    let b = store
        .create_org(&actor, "Beta", "customer", "UTC")
        .await
        .unwrap();
    store
        .create_user(&actor, "agent@p.test", "Agent", "agent", provider.id, None)
        .await
        .unwrap();
    let caller = store
        .create_user(&actor, "ann@alpha.test", "Ann", "customer", a.id, None)
        .await
        .unwrap();
    let svc = store
        .create_service(
            &actor,
            &ServiceFields {
                name: "E-mail".into(),
                description: String::new(),
                status: "live".into(),
                owner_id: None,
                customer_org_ids: vec![a.id],
            },
        )
        .await
        .unwrap();
    World {
        actor,
        customer_a: a.id,
        customer_b: b.id,
        caller_a: caller.id,
        service_id: svc.id,
    }
}

fn fields(w: &World, title: &str) -> IncidentFields {
    IncidentFields {
        title: title.into(),
        description: "d".into(),
        category: "general".into(),
        impact: 2,
        urgency: 2,
        priority: 3,
        service_id: w.service_id,
        group_id: None,
        assignee_id: None,
        major: false,
        lifecycle: Lifecycle::opened(),
    }
}

#[tokio::test]
async fn incident_story_on_both_backends() {
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let w = world(&store).await;
        let new = NewIncident {
            org_id: w.customer_a,
            caller_id: w.caller_a,
            fields: fields(&w, "Mail down"),
            names: None,
        };
        let inc = store.create_incident(&w.actor, &new).await.unwrap();
        assert_eq!(inc.number, "INC-000001", "{backend:?}");
        assert_eq!(inc.service_name, "E-mail");
        // What creation returns is exactly what reads back.
        let read = store.incident(&inc.number, Visibility::All).await.unwrap();
        assert_eq!(read, inc, "{backend:?}");
        let second = store.create_incident(&w.actor, &new).await.unwrap();
        assert_eq!(second.number, "INC-000002");

        // Another organisation's incident does not exist for its customers.
        let hidden = store
            .incident(&inc.number, Visibility::Organisation(w.customer_b))
            .await;
        assert!(matches!(hidden, Err(StoreError::NotFound)), "{backend:?}");
        assert!(
            store
                .incident(&inc.number, Visibility::Organisation(w.customer_a))
                .await
                .is_ok()
        );
        let page = store
            .list_incidents(
                Visibility::Organisation(w.customer_b),
                &IncidentFilter::default(),
                IncidentOrder::Newest,
                None,
                50,
            )
            .await
            .unwrap();
        assert!(page.items.is_empty());

        // Optimistic concurrency.
        let stale = store
            .update_incident(
                &w.actor,
                &inc.number,
                Visibility::All,
                Some(99),
                "update",
                |i| Ok(i.fields()),
            )
            .await;
        assert!(matches!(stale, Err(StoreError::Stale)));

        // A transition through the domain's state machine, with its audit entry.
        let started = store
            .update_incident(
                &w.actor,
                &inc.number,
                Visibility::All,
                Some(inc.version),
                "start",
                |i| {
                    let mut f = i.fields();
                    f.lifecycle = i.lifecycle().apply(&Transition::Start, 5, true)?;
                    Ok(f)
                },
            )
            .await
            .unwrap();
        assert_eq!(started.state.as_str(), "in_progress");
        assert_eq!(started.version, inc.version + 1);
        let refused = store
            .update_incident(&w.actor, &inc.number, Visibility::All, None, "close", |i| {
                let mut f = i.fields();
                f.lifecycle = i.lifecycle().apply(&Transition::Close, 6, true)?;
                Ok(f)
            })
            .await;
        assert!(matches!(refused, Err(StoreError::Rule(_))));
        let resolved = store
            .update_incident(
                &w.actor,
                &inc.number,
                Visibility::All,
                None,
                "resolve",
                |i| {
                    let mut f = i.fields();
                    let t = Transition::Resolve {
                        code: ResolutionCode::Fixed,
                        notes: "ok".into(),
                    };
                    f.lifecycle = i.lifecycle().apply(&t, 7, true)?;
                    Ok(f)
                },
            )
            .await
            .unwrap();
        assert_eq!(resolved.resolution_code.as_deref(), Some("fixed"));

        // Comments: work notes hidden from customers.
        store
            .add_comment(&w.actor, &resolved, "public", "hello", true, &[])
            .await
            .unwrap();
        store
            .add_comment(&w.actor, &resolved, "internal", "secret", false, &[])
            .await
            .unwrap();
        assert_eq!(store.comments(resolved.id, false).await.unwrap().len(), 1);
        assert_eq!(store.comments(resolved.id, true).await.unwrap().len(), 2);

        let history = store.record_history("incident", &inc.number).await.unwrap();
        let actions: Vec<_> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["create", "start", "resolve", "comment", "work_note"]
        );

        // Seal the chain and verify it; then tamper and watch verification fail.
        while store.seal_audit(100).await.unwrap() > 0 {}
        let v = store.verify_audit().await.unwrap();
        assert!(v.broken.is_none(), "{v:?}");
        assert_eq!(v.unsealed, 0);
        assert!(v.verified >= 10);
        let differ = store.verify_rollups().await.unwrap();
        assert!(differ.is_empty(), "{differ:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn numbers_are_spelt_as_the_domain_spells_them_past_their_width() {
    // PostgreSQL's group insert numbers rows in SQL (NumberKind::sql_format),
    // SQLite in Rust (NumberKind::format): both agree at and past the width.
    for backend in backends() {
        let (db, store) = open(backend).await;
        let w = world(&store).await;
        let set = match backend {
            Backend::Sqlite => "UPDATE counters SET value = 999998 WHERE name = 'INC'",
            Backend::Postgres => "SELECT setval('number_inc', 999998)",
        };
        match backend {
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
                sqlx::query(set).execute(&pool).await.unwrap();
            }
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
                sqlx::query(set).execute(&pool).await.unwrap();
            }
        }
        let new = NewIncident {
            org_id: w.customer_a,
            caller_id: w.caller_a,
            fields: fields(&w, "Far along"),
            names: None,
        };
        for n in [999_999, 1_000_000] {
            let inc = store.create_incident(&w.actor, &new).await.unwrap();
            assert_eq!(
                inc.number,
                steward_domain::number::NumberKind::Incident.format(n),
                "{backend:?}"
            );
        }
        assert_eq!(
            steward_domain::number::NumberKind::Incident.format(1_000_000),
            "INC-1000000"
        );
    }
}

#[tokio::test]
async fn keyset_pages_walk_every_incident_once() {
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let w = world(&store).await;
        for n in 0..23 {
            let mut f = fields(&w, &format!("incident {n}"));
            f.priority = 1 + n % 5;
            let new = NewIncident {
                org_id: w.customer_a,
                caller_id: w.caller_a,
                fields: f,
                names: None,
            };
            store.create_incident(&w.actor, &new).await.unwrap();
        }
        for order in [IncidentOrder::Newest, IncidentOrder::Priority] {
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = store
                    .list_incidents(
                        Visibility::All,
                        &IncidentFilter::default(),
                        order,
                        cursor,
                        5,
                    )
                    .await
                    .unwrap();
                seen.extend(page.items.iter().map(|i| (i.priority, i.id)));
                match page.next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(seen.len(), 23, "{backend:?} {order:?}");
            let mut ids: Vec<_> = seen.iter().map(|s| s.1).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 23);
            if order == IncidentOrder::Priority {
                assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
            }
        }
        let filter = IncidentFilter {
            text: Some("INCIDENT 1".into()),
            ..Default::default()
        };
        // "incident 1", "incident 10".."incident 19"
        assert_eq!(
            store
                .count_incidents(Visibility::All, &filter, 1000)
                .await
                .unwrap(),
            11
        );
        assert_eq!(
            store
                .count_incidents(Visibility::All, &filter, 5)
                .await
                .unwrap(),
            5
        );
        let filter = IncidentFilter {
            text: Some("100%_".into()),
            ..Default::default()
        };
        assert_eq!(
            store
                .count_incidents(Visibility::All, &filter, 1000)
                .await
                .unwrap(),
            0
        );
        let differ = store.verify_rollups().await.unwrap();
        assert!(differ.is_empty(), "{differ:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn both_schemas_agree() {
    let backends = backends();
    if backends.len() < 2 {
        return;
    }
    let (_a, sqlite) = open(Backend::Sqlite).await;
    let (_b, pg) = open(Backend::Postgres).await;
    // Columns with their kind of type and nullability, indexes with their
    // columns, uniqueness and partiality, foreign keys with their rule.
    let a = sqlite.schema().await.unwrap();
    let b = pg.schema().await.unwrap();
    assert!(a.iter().any(|l| l.starts_with("index ")), "{a:?}");
    assert!(a.iter().any(|l| l.starts_with("foreign key ")), "{a:?}");
    let only_sqlite: Vec<_> = a.iter().filter(|l| !b.contains(l)).collect();
    let only_pg: Vec<_> = b.iter().filter(|l| !a.contains(l)).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "SQLite only: {only_sqlite:#?}\nPostgreSQL only: {only_pg:#?}"
    );
    assert_eq!(a, b);
}

#[tokio::test]
async fn unique_names_and_single_provider() {
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let actor = AuditActor::system("test");
        store
            .create_org(&actor, "Provider", "provider", "UTC")
            .await
            .unwrap();
        let dup = store
            .create_org(&actor, "provider", "customer", "UTC")
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{backend:?}");
        let second = store.create_org(&actor, "Other", "provider", "UTC").await;
        assert!(matches!(second, Err(StoreError::Conflict(_))));
        store.close().await;
    }
}

/// Concurrent writes share SQLite's transactions (group commit): a write that
/// fails is undone alone, every acknowledged write is there, and the audit
/// trail has exactly one entry per acknowledged write.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_fail_alone_and_are_all_kept() {
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let actor = AuditActor::system("test");
        let mut tasks = Vec::new();
        for n in 0..60 {
            let (store, actor) = (store.clone(), actor.clone());
            // Every third name repeats an earlier one and must fail on its own.
            let name = if n % 3 == 2 {
                format!("Org {}", n - 1)
            } else {
                format!("Org {n}")
            };
            tasks.push(tokio::spawn(async move {
                store.create_org(&actor, &name, "customer", "UTC").await
            }));
        }
        let mut ok = 0;
        let mut conflicts = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(StoreError::Conflict(_)) => conflicts += 1,
                Err(e) => panic!("{backend:?}: {e}"),
            }
        }
        assert_eq!((ok, conflicts), (40, 20), "{backend:?}");
        assert_eq!(store.list_orgs().await.unwrap().len(), 40);
        while store.seal_audit(1000).await.unwrap() > 0 {}
        let v = store.verify_audit().await.unwrap();
        assert_eq!(
            (v.verified, v.unsealed, v.broken),
            (40, 0, None),
            "{backend:?}"
        );
        store.close().await;
    }
}

/// SMS records on both backends: numbering per register, links, keyset pages,
/// optimistic concurrency, the document approval and acknowledgement, and
/// snapshots kept once per day.
#[tokio::test]
async fn sms_records_links_documents_and_snapshots() {
    use std::collections::BTreeMap;
    use steward_domain::audit::Changes;
    use steward_domain::register::Register;
    use steward_store::{FieldValue, RecordWrite, SmsLink, SnapshotRow};
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let w = world(&store).await;
        let agent = store.user_by_email("agent@p.test").await.unwrap();
        let write = |register, title: &str, values: BTreeMap<&'static str, FieldValue>, links| {
            RecordWrite {
                register,
                title: title.into(),
                description: String::new(),
                status: register.statuses()[0].into(),
                values,
                links,
                changes: Changes::default(),
            }
        };
        let mut values = BTreeMap::new();
        values.insert("likelihood", FieldValue::Int(3));
        values.insert("impact", FieldValue::Int(5));
        values.insert("category", FieldValue::Text("risk".into()));
        values.insert("review_on", FieldValue::Text("2099-01-01".into()));
        let svc_link = SmsLink {
            field: "services".into(),
            target_type: "service".into(),
            target_id: Some(w.service_id),
            key: String::new(),
            label: String::new(),
            value: None,
        };
        let mut numbers = Vec::new();
        for i in 0..3 {
            let r = store
                .create_sms_record(
                    &w.actor,
                    &write(
                        Register::Risks,
                        &format!("Risk {i}"),
                        values.clone(),
                        vec![svc_link.clone()],
                    ),
                )
                .await
                .unwrap();
            numbers.push(r.number.clone());
            assert_eq!(r.value("impact"), &FieldValue::Int(5));
            assert_eq!(r.links[0].label, "E-mail", "{backend:?}");
        }
        assert_eq!(numbers, ["RSK-0001", "RSK-0002", "RSK-0003"]);
        // Another register numbers on its own.
        let role = store
            .create_sms_record(
                &w.actor,
                &write(Register::Roles, "Desk lead", BTreeMap::new(), vec![]),
            )
            .await
            .unwrap();
        assert_eq!(role.number, "ROL-0001");
        let page = store.sms_records(Register::Risks, None, 2).await.unwrap();
        assert_eq!(page.len(), 2);
        let rest = store
            .sms_records(Register::Risks, Some(page[1].id), 2)
            .await
            .unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].number, "RSK-0003");
        // A stale version is refused and nothing changes.
        let mut changed = write(Register::Risks, "Risk 0 renamed", values.clone(), vec![]);
        changed.changes.set("title", &"Risk 0 renamed");
        let err = store
            .update_sms_record(&w.actor, "RSK-0001", Some(7), &changed)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Stale));
        let r = store
            .update_sms_record(&w.actor, "RSK-0001", Some(1), &changed)
            .await
            .unwrap();
        assert_eq!(
            (r.title.as_str(), r.version, r.links.len()),
            ("Risk 0 renamed", 2, 0)
        );
        assert_eq!(store.risk_matrix().await.unwrap(), vec![(3, 5, 3)]);

        // A document: approve, acknowledge once, revise.
        let doc = store
            .create_sms_record(
                &w.actor,
                &write(Register::Documents, "Policy", BTreeMap::new(), vec![]),
            )
            .await
            .unwrap();
        let doc = store
            .document_step(&w.actor, &doc.number, None, "approve", "approved")
            .await
            .unwrap();
        assert_eq!(doc.approved_version, Some(1));
        assert!(
            store
                .acknowledge_document(&w.actor, &doc, 1, agent.id)
                .await
                .unwrap()
        );
        assert!(
            !store
                .acknowledge_document(&w.actor, &doc, 1, agent.id)
                .await
                .unwrap()
        );
        let doc = store
            .document_step(&w.actor, &doc.number, None, "revise", "draft")
            .await
            .unwrap();
        assert_eq!((doc.doc_version, doc.approved_version), (2, Some(1)));
        assert_eq!(store.document_versions(doc.id).await.unwrap().len(), 1);

        // Snapshots: one row per day and check; a later run that day replaces it.
        let row = |counted| SnapshotRow {
            day: "2026-11-20".into(),
            check_id: "risks-reviewed".into(),
            outcome: "met".into(),
            counted,
            good: 1,
        };
        store.save_snapshot("2026-11-20", &[row(2)]).await.unwrap();
        store.save_snapshot("2026-11-20", &[row(4)]).await.unwrap();
        let kept = store.snapshot_as_of("2026-11-24").await.unwrap();
        assert_eq!(kept, vec![row(4)]);
        assert!(store.snapshot_as_of("2026-11-19").await.unwrap().is_empty());

        // Every figure of the registry, and its gaps, is valid SQL on this backend.
        let at = steward_store::FigureAt {
            now: steward_store::now_ms(),
            today: "2026-11-25".into(),
            high_score: 15,
        };
        for id in steward_domain::conformity::FigureId::ALL {
            let f = store.figure(id, &at).await.unwrap();
            assert!(f.good <= f.counted, "{id:?}");
            let gaps = store.figure_gaps(id, &at, 5).await.unwrap();
            assert!(gaps.len() as i64 <= f.counted - f.good, "{id:?} {gaps:?}");
        }
        let high = store
            .figure(steward_domain::conformity::FigureId::HighRisksTreated, &at)
            .await
            .unwrap();
        assert_eq!(
            (high.counted, high.good),
            (3, 0),
            "three untreated risks score 15"
        );
        store.close().await;
    }
}

/// An always-open calendar and an agreed SLA for Alpha: P3 response 60 min,
/// resolution 240 min, warning at 50 %.
async fn sla_for_alpha(store: &Store, w: &World) {
    let spec = r#"{"name":"24x7","time_zone":"UTC","week":{"monday":["00:00-24:00"],"tuesday":["00:00-24:00"],"wednesday":["00:00-24:00"],"thursday":["00:00-24:00"],"friday":["00:00-24:00"],"saturday":["00:00-24:00"],"sunday":["00:00-24:00"]}}"#;
    let cal = store
        .create_calendar(&w.actor, "24x7", "UTC", spec)
        .await
        .unwrap();
    store
        .create_agreement(
            &w.actor,
            &steward_store::AgreementFields {
                kind: "sla".into(),
                title: "Alpha".into(),
                org_id: Some(w.customer_a),
                calendar_id: cal.id,
                valid_from: "2020-01-01".into(),
                status: "agreed".into(),
                warn_percent: 50,
                targets: r#"{"2":[30,120],"3":[60,240]}"#.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn sla_clocks_follow_the_incident_on_both_backends() {
    use steward_domain::incident::HoldReason;
    use steward_domain::sla::{ClockKind, ClockStatus, Crossed};
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let w = world(&store).await;
        sla_for_alpha(&store, &w).await;
        let new = NewIncident {
            org_id: w.customer_a,
            caller_id: w.caller_a,
            fields: fields(&w, "Mail down"),
            names: None,
        };
        let inc = store.create_incident(&w.actor, &new).await.unwrap();
        let clocks: Vec<_> = store
            .sla_clocks(inc.id)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.into_clock())
            .collect();
        assert_eq!(clocks.len(), 2, "{backend:?}");
        let resolution = clocks
            .iter()
            .find(|c| c.kind == ClockKind::Resolution)
            .unwrap();
        assert_eq!(resolution.due_at, Some(inc.opened_at + 240 * 60_000));
        assert_eq!(inc.sla_due(), Some(inc.opened_at + 60 * 60_000));
        let back = store.incident(&inc.number, Visibility::All).await.unwrap();
        assert_eq!(back.sla_due_at, inc.sla_due_at, "{backend:?}");

        // On hold awaiting the customer: resolution pauses, an interval is kept,
        // the response clock stops (a staff step is a response).
        let held = store
            .update_incident(&w.actor, &inc.number, Visibility::All, None, "hold", |i| {
                let mut f = i.fields();
                f.lifecycle = i
                    .lifecycle()
                    .apply(&Transition::Start, i.opened_at + 1, true)?;
                f.lifecycle = f.lifecycle.apply(
                    &Transition::Hold(HoldReason::AwaitingCustomer),
                    i.opened_at + 2,
                    true,
                )?;
                Ok(f)
            })
            .await
            .unwrap();
        let clocks = store.sla_clocks(inc.id).await.unwrap();
        assert!(
            clocks
                .iter()
                .all(|c| c.clock().status != ClockStatus::Running),
            "{clocks:?}"
        );
        assert_eq!(held.sla_due(), None);
        let intervals = store.sla_intervals(inc.id).await.unwrap();
        assert_eq!(intervals.len(), 2, "{intervals:?}");
        assert!(
            intervals
                .iter()
                .any(|i| i.ended_by == "on hold: awaiting customer")
        );

        // A priority change while paused retargets and says so in the history.
        store
            .update_incident(
                &w.actor,
                &inc.number,
                Visibility::All,
                None,
                "update",
                |i| {
                    let mut f = i.fields();
                    f.priority = 2;
                    Ok(f)
                },
            )
            .await
            .unwrap();
        let history = store.record_history("incident", &inc.number).await.unwrap();
        let last = history.last().unwrap();
        assert!(
            last.changes.contains("resolution_target"),
            "{backend:?}: {}",
            last.changes
        );

        // A notification job was queued with the creation, in its transaction.
        let jobs = store.list_jobs(Some("queued"), None, 50).await.unwrap();
        assert!(jobs.iter().any(|j| j.kind == "notify"
            && j.record_id == Some(inc.id)
            && j.payload.contains("incident_created")));

        // The sweep marks a running clock's breach once, with its jobs. The
        // first sweep ever catches up: what it marks is old news (stale).
        let other = store.create_incident(&w.actor, &new).await.unwrap();
        let first = store
            .sla_sweep(other.opened_at - 1, 100, |_| vec![])
            .await
            .unwrap();
        assert!(first.iter().all(|f| f.stale), "{backend:?}: {first:?}");
        let later = other.opened_at + 300 * 60_000;
        let fired = store
            .sla_sweep(later, 100, |_| {
                vec![steward_store::NewJob::new("test", &serde_json::json!({}))]
            })
            .await
            .unwrap();
        let mine: Vec<_> = fired.iter().filter(|f| f.record_id == other.id).collect();
        assert_eq!(mine.len(), 2, "{backend:?}: {fired:?}");
        assert!(
            mine.iter()
                .all(|f| f.crossed == Crossed::Breach && !f.stale)
        );
        // A clock whose moment came before the sweep last caught up (as when
        // an upgrade gives old incidents clocks) is marked in silence.
        let third = store.create_incident(&w.actor, &new).await.unwrap();
        let due: Vec<(ClockKind, i64)> = store
            .sla_clocks(third.id)
            .await
            .unwrap()
            .iter()
            .filter_map(|c| Some((c.kind.get(), c.due_at?)))
            .collect();
        let much_later = later + 100 * 24 * 60 * 60_000;
        let fired = store.sla_sweep(much_later, 100, |_| vec![]).await.unwrap();
        for f in fired.iter().filter(|f| f.record_id == third.id) {
            let at = due.iter().find(|(k, _)| *k == f.clock).map(|(_, d)| *d);
            if f.crossed == Crossed::Breach {
                assert_eq!(
                    f.stale,
                    at.unwrap() < later,
                    "{backend:?}: {f:?} due {at:?}"
                );
            }
        }
        assert!(fired.iter().any(|f| f.record_id == third.id && f.stale));
        assert!(
            store
                .sla_sweep(later, 100, |_| vec![])
                .await
                .unwrap()
                .is_empty()
        );
        let history = store
            .record_history("incident", &other.number)
            .await
            .unwrap();
        assert_eq!(
            history.iter().filter(|e| e.action == "sla_breach").count(),
            2
        );
        // A breach reason is recorded once, on a breached clock only.
        store
            .set_breach_reason(&w.actor, other.id, ClockKind::Resolution, "Supplier outage")
            .await
            .unwrap();
        let rows = store.sla_clocks(other.id).await.unwrap();
        assert!(
            rows.iter()
                .any(|r| r.breach_reason.as_deref() == Some("Supplier outage"))
        );
        assert!(matches!(
            store
                .set_breach_reason(&w.actor, inc.id, ClockKind::Resolution, "x")
                .await,
            Err(StoreError::Conflict(_))
        ));
        let differ = store.verify_rollups().await.unwrap();
        assert!(differ.is_empty(), "{differ:?}");
    }
}

#[tokio::test]
async fn a_calendar_change_recomputes_open_clocks_on_both_backends() {
    use steward_domain::sla::ClockKind;
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let w = world(&store).await;
        sla_for_alpha(&store, &w).await;
        let new = NewIncident {
            org_id: w.customer_a,
            caller_id: w.caller_a,
            fields: fields(&w, "Mail down"),
            names: None,
        };
        let inc = store.create_incident(&w.actor, &new).await.unwrap();
        let due = |rows: Vec<steward_store::ClockRow>| {
            rows.into_iter()
                .find(|r| r.kind == ClockKind::Resolution.as_str())
                .and_then(|r| r.due_at)
        };
        let before = due(store.sla_clocks(inc.id).await.unwrap());
        // Nothing changed: nothing to do.
        assert_eq!(store.recompute_clocks().await.unwrap(), 0, "{backend:?}");
        // The calendar closes on every day but one: the due time moves out.
        let cal = store.list_calendars().await.unwrap().remove(0);
        store
            .update_calendar(
                &w.actor,
                cal.id,
                None,
                "24x7",
                "UTC",
                r#"{"name":"24x7","time_zone":"UTC","week":{"monday":["09:00-10:00"]}}"#,
            )
            .await
            .unwrap();
        let queued = store.list_jobs(Some("queued"), None, 50).await.unwrap();
        assert!(
            queued.iter().any(|j| j.kind == "sla_recompute"),
            "{backend:?}"
        );
        assert_eq!(store.recompute_clocks().await.unwrap(), 1, "{backend:?}");
        let after = due(store.sla_clocks(inc.id).await.unwrap());
        assert!(after > before, "{backend:?}: {before:?} -> {after:?}");
        let back = store.incident(&inc.number, Visibility::All).await.unwrap();
        assert!(back.sla_due_at > inc.sla_due_at);

        // A walk ends at the newest incident of when it began: one created
        // meanwhile (with the new terms already) is not walked.
        let (_, next) = store.recompute_clocks_after(0, None).await.unwrap();
        assert_eq!(next, Some((inc.id, inc.id)), "{backend:?}");
        let later = store.create_incident(&w.actor, &new).await.unwrap();
        assert!(later.id > inc.id);
        let (n, next) = store
            .recompute_clocks_after(inc.id, Some(inc.id))
            .await
            .unwrap();
        assert_eq!((n, next), (0, None), "{backend:?}");
        let differ = store.verify_rollups().await.unwrap();
        assert!(differ.is_empty(), "{differ:?}");
    }
}

#[tokio::test]
async fn jobs_are_claimed_once_and_completed_only_by_their_claim() {
    use steward_store::NewJob;
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let mut jobs: Vec<NewJob> = (0..20)
            .map(|n| NewJob::new("test", &serde_json::json!({ "n": n })))
            .collect();
        jobs[0].max_attempts = 2;
        store.enqueue_jobs(&jobs).await.unwrap();
        let now = steward_store::now_ms();
        // Two workers claim at once: no job is in both hands.
        let (a, b) = tokio::join!(
            store.claim_jobs("a", now, now + 60_000, 15),
            store.claim_jobs("b", now, now + 60_000, 15)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.len() + b.len(), 20, "{backend:?}");
        assert!(a.iter().all(|j| b.iter().all(|k| k.id != j.id)));
        let all: Vec<_> = a.iter().chain(&b).cloned().collect();
        // A completion by a claim that was lost writes nothing.
        let mut stolen = all[1].clone();
        stolen.claim = Some("someone else".into());
        let caused = [NewJob::new("follow-up", &serde_json::json!({}))];
        assert!(
            !store
                .complete_job(&stolen, "x", now, &caused)
                .await
                .unwrap()
        );
        assert!(
            store
                .complete_job(&all[1], "a", now, &caused)
                .await
                .unwrap()
        );
        assert!(
            !store
                .complete_job(&all[1], "a", now, &caused)
                .await
                .unwrap()
        );
        let runs = store.job_runs(all[1].id).await.unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(
            store
                .list_jobs(Some("queued"), None, 50)
                .await
                .unwrap()
                .len(),
            1
        );
        // A failing job is retried, then dead after its attempts.
        let first = all.iter().find(|j| j.max_attempts == 2).unwrap().clone();
        assert!(
            store
                .fail_job(&first, "a", now, "boom", now, 2)
                .await
                .unwrap()
        );
        let claimed_by_c = store.claim_jobs("c", now, now + 60_000, 50).await.unwrap();
        // The follow-up job was queued at the clock's time, which may or may
        // not have passed `now` yet: if `c` took it, it is also running.
        let follow_ups_running = claimed_by_c.iter().filter(|j| j.id != first.id).count();
        let again = claimed_by_c.into_iter().find(|j| j.id == first.id).unwrap();
        assert_eq!(again.attempts, 2);
        assert!(
            store
                .fail_job(&again, "c", now, "boom again", now, 2)
                .await
                .unwrap()
        );
        let dead = store.job(first.id).await.unwrap();
        assert_eq!(
            (dead.state.as_str(), dead.last_error.as_deref()),
            ("dead", Some("boom again"))
        );
        // An admin retries it; a done job cannot be retried.
        let retried = store
            .retry_job(&AuditActor::system("t"), first.id)
            .await
            .unwrap();
        assert_eq!((retried.state.as_str(), retried.attempts), ("queued", 0));
        assert!(matches!(
            store.retry_job(&AuditActor::system("t"), all[1].id).await,
            Err(StoreError::Conflict(_))
        ));
        // Jobs of a worker whose lease ran out go back to the queue.
        let later = now + 120_000;
        let n = store.requeue_expired_jobs(later).await.unwrap();
        assert_eq!(n as usize, 18 + follow_ups_running, "{backend:?}");
        let c = store.job_counts().await.unwrap();
        assert_eq!((c.done, c.dead, c.running), (1, 0, 0), "{c:?}");
    }
}

/// Creations that arrive together are written together (a group insert on
/// PostgreSQL, the group commit on SQLite); each still gets its own number,
/// record, audit entry and outcome, and one bad row fails alone.
#[tokio::test]
async fn concurrent_creations_each_get_their_own_row_and_outcome() {
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let w = world(&store).await;
        let mut tasks = Vec::new();
        for n in 0..40 {
            let mut new = NewIncident {
                org_id: w.customer_a,
                caller_id: w.caller_a,
                fields: fields(&w, &format!("together {n}")),
                names: None,
            };
            if n == 17 {
                // A service that does not exist, with names given so that the
                // store does not look it up first: the insert itself fails.
                new.fields.service_id = 999_999;
                new.names = Some(IncidentNames {
                    org_name: "Alpha".into(),
                    service_number: "SVC-9999".into(),
                    service_name: "Ghost".into(),
                    caller_name: "Ann".into(),
                    group_name: None,
                    assignee_name: None,
                });
            }
            let (store, actor) = (store.clone(), w.actor.clone());
            tasks.push(tokio::spawn(async move {
                store.create_incident(&actor, &new).await
            }));
        }
        let mut numbers = Vec::new();
        for (n, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(inc) => {
                    assert_ne!(n, 17, "{backend:?}: the bad row was written");
                    assert_eq!(inc.title, format!("together {n}"), "{backend:?}");
                    let read = store.incident(&inc.number, Visibility::All).await.unwrap();
                    assert_eq!(read.id, inc.id, "{backend:?}");
                    assert_eq!(read.title, inc.title, "{backend:?}");
                    let history = store.record_history("incident", &inc.number).await.unwrap();
                    assert_eq!(history.len(), 1, "{backend:?}");
                    assert!(
                        history[0].changes.contains(&inc.title),
                        "{backend:?}: {} has the audit entry of another incident",
                        inc.number
                    );
                    numbers.push(inc.number);
                }
                Err(e) => assert_eq!(n, 17, "{backend:?}: a good row failed: {e}"),
            }
        }
        assert_eq!(numbers.len(), 39, "{backend:?}");
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 39, "{backend:?}: a number was given twice");
        store.close().await;
    }
}

/// A store told that no one can be notified (no mail transport) queues no
/// `notify` jobs for creations, changes or comments; the same database opened
/// with notifications queues them.
#[tokio::test]
async fn without_notifications_no_notify_job_is_queued() {
    for backend in backends() {
        let quiet = StoreOptions {
            notifications: false,
            ..Default::default()
        };
        let (db, quiet) = open_with(backend, &quiet).await;
        let w = world(&quiet).await;
        let new = NewIncident {
            org_id: w.customer_a,
            caller_id: w.caller_a,
            fields: fields(&w, "Quiet"),
            names: None,
        };
        let inc = quiet.create_incident(&w.actor, &new).await.unwrap();
        quiet
            .add_comment(&w.actor, &inc, "public", "hello", true, &[])
            .await
            .unwrap();
        let jobs = quiet.list_jobs(None, None, 50).await.unwrap();
        assert!(
            jobs.iter().all(|j| j.kind != "notify"),
            "{backend:?}: {jobs:?}"
        );

        let loud = connect(&db).await;
        let inc = loud.create_incident(&w.actor, &new).await.unwrap();
        let jobs = loud.list_jobs(None, None, 50).await.unwrap();
        assert!(
            jobs.iter()
                .any(|j| j.kind == "notify" && j.record_id == Some(inc.id)),
            "{backend:?}: {jobs:?}"
        );
    }
}

/// A creation's references are remembered for a few seconds, but only when
/// everything named was found: a caller created by another process (another
/// `Store` on the same database) is found at once, and a change through the
/// same store is seen at once.
#[tokio::test]
async fn remembered_references_never_refuse_what_was_just_created() {
    use steward_store::{CallerRef, IncidentRefsQuery, UserChange};
    for backend in backends() {
        let (db, store) = open(backend).await;
        let w = world(&store).await;
        let svc = store
            .service("SVC-0001", Visibility::All)
            .await
            .unwrap()
            .number;
        let q = IncidentRefsQuery {
            caller: CallerRef::Email("new@alpha.test"),
            service: &svc,
            group: None,
            assignee: None,
        };
        assert_eq!(store.incident_refs(&q).await.unwrap().caller_id, None);
        let other = connect(&db).await;
        let user = other
            .create_user(
                &w.actor,
                "new@alpha.test",
                "New",
                "customer",
                w.customer_a,
                None,
            )
            .await
            .unwrap();
        let found = store.incident_refs(&q).await.unwrap();
        assert_eq!(found.caller_id, Some(user.id), "{backend:?}");
        assert_eq!(found.caller_active, Some(true));
        // Deactivated through the same store: the remembered answer is dropped.
        store
            .update_user(
                &w.actor,
                user.id,
                &UserChange {
                    active: Some(false),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let found = store.incident_refs(&q).await.unwrap();
        assert_eq!(found.caller_active, Some(false), "{backend:?}");
    }
}

#[tokio::test]
async fn daily_counts_follow_bulk_loads_and_deletions() {
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let w = world(&store).await;
        sla_for_alpha(&store, &w).await;
        let now = steward_store::now_ms();
        store
            .bench_fill_incidents(
                300,
                1,
                now - 86_400_000,
                w.customer_a,
                w.caller_a,
                w.service_id,
            )
            .await
            .unwrap();
        let new = NewIncident {
            org_id: w.customer_a,
            caller_id: w.caller_a,
            fields: fields(&w, "Mail down"),
            names: None,
        };
        store.create_incident(&w.actor, &new).await.unwrap();
        let differ = store.verify_rollups().await.unwrap();
        assert!(differ.is_empty(), "{differ:?}");
        // Folding the pending rows changes no count; a second fold has
        // nothing left but today's new incident's.
        let inc = store.create_incident(&w.actor, &new).await.unwrap();
        assert!(store.compact_rollups().await.unwrap() >= 1);
        assert_eq!(store.compact_rollups().await.unwrap(), 0);
        let differ = store.verify_rollups().await.unwrap();
        assert!(differ.is_empty(), "{differ:?}");
        let _ = inc;
        // A year's pack counts what the records hold, at bounds on and off
        // day boundaries.
        for (from, to) in [
            (now - 400 * 86_400_000, now + 1),
            (now - 3 * 86_400_000 - 12_345, now - 86_400_000 + 999),
            (now - 5_000, now + 5_000),
        ] {
            let f = store.review_figures(from, to).await.unwrap();
            let opened = store.bench_count_opened(from, to).await.unwrap();
            assert_eq!(f.incidents_opened, opened, "{from}..{to}");
        }
        store.bench_clear_incidents().await.unwrap();
        let differ = store.verify_rollups().await.unwrap();
        assert!(differ.is_empty(), "{differ:?}");
        let f = store.review_figures(0, now + 1).await.unwrap();
        assert_eq!((f.incidents_opened, f.incidents_resolved), (0, 0));
    }
}

#[tokio::test]
async fn tokens_end_by_expiry_or_a_new_password_and_sign_ins_are_counted_before_checks() {
    use steward_store::{LoginAttempt, UserChange, now_ms};
    for backend in backends() {
        let (_db, store) = open(backend).await;
        let w = world(&store).await;
        let (past, future) = (now_ms() - 1_000, now_ms() + 86_400_000);
        store
            .create_token(&w.actor, w.caller_a, "old", "hash-old", Some(past))
            .await
            .unwrap();
        store
            .create_token(&w.actor, w.caller_a, "new", "hash-new", Some(future))
            .await
            .unwrap();
        store
            .create_token(&w.actor, w.caller_a, "open", "hash-open", None)
            .await
            .unwrap();
        assert!(
            store.token_user("hash-old").await.unwrap().is_none(),
            "{backend:?}"
        );
        assert!(store.token_user("hash-new").await.unwrap().is_some());
        assert!(store.token_user("hash-open").await.unwrap().is_some());
        // A new password revokes every token; enabling again brings none back.
        let change = UserChange {
            password_hash: Some("$argon2id$new".into()),
            ..Default::default()
        };
        store
            .update_user(&w.actor, w.caller_a, &change)
            .await
            .unwrap();
        for hash in ["hash-new", "hash-open"] {
            assert!(store.token_user(hash).await.unwrap().is_none(), "{hash}");
        }
        store
            .create_token(&w.actor, w.caller_a, "later", "hash-later", None)
            .await
            .unwrap();
        for active in [false, true] {
            let change = UserChange {
                active: Some(active),
                ..Default::default()
            };
            store
                .update_user(&w.actor, w.caller_a, &change)
                .await
                .unwrap();
        }
        assert!(store.token_user("hash-later").await.unwrap().is_none());
        let tokens = store.list_tokens(w.caller_a).await.unwrap();
        assert!(
            tokens
                .iter()
                .all(|t| t.revoked_at.is_some() || t.name == "old")
        );

        // Twenty attempts at once: exactly the five allowed are checked.
        let attempts = (0..20).map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .login_attempt("ann@alpha.test", 5, 900_000, 900_000)
                    .await
                    .unwrap()
            })
        });
        let mut outcomes = Vec::new();
        for a in attempts {
            outcomes.push(a.await.unwrap());
        }
        let allowed = outcomes
            .iter()
            .filter(|o| matches!(o, LoginAttempt::Allowed { .. }))
            .count();
        let last = outcomes
            .iter()
            .filter(|o| **o == LoginAttempt::Allowed { last: true })
            .count();
        assert_eq!((allowed, last), (5, 1), "{backend:?}: {outcomes:?}");
        // A success clears the count.
        store.clear_login_failures("ann@alpha.test").await.unwrap();
        assert_eq!(
            store
                .login_attempt("ann@alpha.test", 5, 900_000, 900_000)
                .await
                .unwrap(),
            LoginAttempt::Allowed { last: false }
        );
    }
}
