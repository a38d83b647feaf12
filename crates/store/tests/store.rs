//! Store tests: each runs on SQLite and on PostgreSQL.

use steward_domain::access::Visibility;
use steward_domain::incident::{Lifecycle, ResolutionCode, Transition};
use steward_store::testing::{Backend, TestDb, backends};
use steward_store::{
    AuditActor, IncidentFields, IncidentFilter, IncidentOrder, NewIncident, ServiceFields, Store,
    StoreError, StoreOptions,
};

async fn open(backend: Backend) -> (TestDb, Store) {
    let db = TestDb::new(backend).await;
    let store = Store::connect(&db.url, &StoreOptions::default())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (db, store)
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
        assert_eq!(started.state, "in_progress");
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
        store.close().await;
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
    assert_eq!(
        sqlite.schema_columns().await.unwrap(),
        pg.schema_columns().await.unwrap()
    );
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
