//! The work-record kernel (ADR 0010): what every kind of record shares, written
//! once. A record found by its number, its journal (comments and work notes),
//! and typed links between two records.

use steward_domain::audit::Changes;
use steward_domain::link::{LinkType, StoredLink};

use steward_domain::kind::StateMachine;

use steward_domain::RuleError;
use steward_domain::kind::KindSpec;

use super::super::{Conn, Db, Pools};
use super::audit::append;
use super::write::{self, Entry, Row, Set, Written};
use super::{Arg, Child, NumberedInsert, Sql, contains_pattern, insert_numbered_alone};
use crate::LinkRow;
use crate::{
    AuditActor, Comment, Cursor, Listed, Page, RecordCore, RecordFilter, RecordLink, RecordRef,
    RecordRow, Result, StoreError, now_ms, on_unique,
};

/// An incident `i` linked to a problem, from either end of the link: two
/// halves, each an index lookup (an `OR` across both ends is not).
/// The same as [`INCIDENT_LINKED_TO_PROBLEM`] for many incidents at once (a
/// window of thousands): the set of incidents linked to a problem is built
/// once and each incident looked up in it. Probed per incident instead,
/// PostgreSQL read a small `record_links` table through once per incident
/// (190 ms for 9,000 incidents and 200 links); the set took 16 ms, and 45 ms
/// with 20,000 links.
pub(super) const INCIDENT_IN_PROBLEM_LINKS: &str = "i.id IN (SELECT l.a_id FROM record_links l \
     JOIN work_records p ON p.id = l.b_id WHERE p.kind = 'problem' \
     UNION ALL SELECT l.b_id FROM record_links l JOIN work_records p ON p.id = l.a_id \
     WHERE p.kind = 'problem')";

pub(super) const INCIDENT_LINKED_TO_PROBLEM: &str = "(EXISTS (SELECT 1 FROM record_links l \
     JOIN work_records r ON r.id = l.b_id WHERE l.a_id = i.id AND r.kind = 'problem') \
     OR EXISTS (SELECT 1 FROM record_links l JOIN work_records r ON r.id = l.a_id \
     WHERE l.b_id = i.id AND r.kind = 'problem'))";

const SELECT_REF: &str = "SELECT r.id, r.kind, r.number, r.org_id, r.title, r.state, \
     r.state_category, r.service_id, r.category FROM work_records r";

/// `SELECT` of the records of one kind: the kernel's columns as
/// [`crate::RecordRow`] reads them, then the kind's own `$columns` from
/// `$from` (its extension joined as `d`), the kind's `$kind` and a `$tail`.
macro_rules! record_select {
    ($columns:expr, $from:literal, $kind:literal, $tail:literal) => {
        concat!(
            "SELECT r.id, r.number, r.org_id, r.service_id, s.number AS service_number, \
             s.name AS service_name, r.title, r.description, COALESCE(r.category, '') AS category, \
             COALESCE(r.impact, 3) AS impact, COALESCE(r.urgency, 3) AS urgency, r.priority, \
             r.state, r.group_id, g.name AS group_name, r.assignee_id, a.name AS assignee_name, \
             r.requester_id, q.name AS requester_name, r.target_at, r.opened_at, \
             r.resolved_at, r.closed_at, r.updated_at, r.version, ",
            $columns,
            " FROM work_records r ",
            $from,
            " LEFT JOIN services s ON s.id = r.service_id \
             LEFT JOIN assignment_groups g ON g.id = r.group_id \
             LEFT JOIN users a ON a.id = r.assignee_id \
             LEFT JOIN users q ON q.id = r.requester_id \
             WHERE r.kind = '",
            $kind,
            "'",
            $tail
        )
    };
}
pub(super) use record_select;

/// The queries of a kind built on the kernel alone, for its row `$row` and
/// its fields `$fields`, read with the calling module's `select!` (its
/// columns and joins): create (read back), one by number, a page newest
/// first, and a versioned change with its audit entry.
macro_rules! kind_queries {
    ($kind:expr, $row:ty, $fields:ty) => {
        impl super::records::Fields<$fields> for $row {
            fn fields(&self) -> $fields {
                <$row>::fields(self)
            }
        }

        pub async fn create(
            p: &super::super::Pools,
            actor: &crate::AuditActor,
            new: &crate::NewRecord<$fields>,
        ) -> crate::Result<$row> {
            let (_, number) = super::records::create(
                p,
                actor,
                $kind.spec(),
                new.org_id,
                new.requester_id,
                &new.fields,
                Vec::new(),
            )
            .await?;
            get(p, &number).await
        }

        pub async fn get(p: &super::super::Pools, number: &str) -> crate::Result<$row> {
            sqlx::query_as(select!(" AND r.number = $1"))
                .bind(number)
                .fetch_optional(p.read())
                .await?
                .ok_or(crate::StoreError::NotFound)
        }

        /// One page newest first, after `after`.
        pub async fn list(
            p: &super::super::Pools,
            f: &crate::RecordFilter,
            after: Option<crate::Cursor>,
            limit: i64,
        ) -> crate::Result<crate::Page<$row>> {
            let mut q = super::Sql::new(select!(""));
            super::records::filter_sql(&mut q, f);
            super::records::newest_page(p, q, after, limit).await
        }

        /// A change under the record's version check, with its audit entry.
        pub async fn update<F>(
            p: &super::super::Pools,
            actor: &crate::AuditActor,
            number: &str,
            expected_version: Option<i64>,
            action: &str,
            change: F,
        ) -> crate::Result<$row>
        where
            F: FnOnce(&$row) -> std::result::Result<$fields, steward_domain::RuleError>,
        {
            super::records::update(
                p,
                actor,
                $kind.spec(),
                number,
                expected_version,
                action,
                select!(" AND r.id = $1"),
                change,
                async |_, _, _, _| Ok(()),
            )
            .await
        }
    };
}
pub(super) use kind_queries;

/// What a kind's record may change, and how its own row is written: the kind's
/// half of [`create`] and [`update`], which write the rest once for every kind.
pub(super) trait KindFields: PartialEq + Send + Sync {
    type State: StateMachine + Send + Sync;
    /// The kind's extension table (keyed by `record_id`) and its columns.
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    fn core(&self) -> &RecordCore;
    fn state(&self) -> Self::State;
    /// The lifecycle's times the kernel keeps: resolved, closed.
    fn times(&self) -> (Option<i64>, Option<i64>);
    /// The values of [`Self::COLUMNS`], in order.
    fn args(&self) -> Vec<Arg>;
    /// The kind's own fields that changed from `self` to `to`.
    fn diff_own(&self, to: &Self, c: &mut Changes);

    /// Everything that changed from `self` to `to`, references by id.
    fn diff(&self, to: &Self) -> Changes {
        let mut c = Changes::default();
        self.core().diff(to.core(), &mut c);
        c.diff("state", &self.state().code(), &to.state().code());
        self.diff_own(to, &mut c);
        c
    }
}

/// A new record of `spec`'s kind opened in `fields`, with its own row, the
/// `more` rows that belong to it and its creation entry; its id and number.
pub(super) async fn create<F: KindFields + Default>(
    p: &Pools,
    actor: &AuditActor,
    spec: &KindSpec,
    org_id: i64,
    requester_id: Option<i64>,
    fields: &F,
    more: Vec<Child>,
) -> Result<(i64, String)> {
    let now = now_ms();
    // The state is always named, whether or not it differs from a blank record's.
    let mut changes = F::default().diff(fields);
    changes.0.retain(|c| c.field != "state");
    changes.set("state", &fields.state().code());
    let (columns, args) = new_record(
        spec.code,
        org_id,
        requester_id,
        actor,
        now,
        fields.state(),
        fields.core(),
    );
    let mut children = vec![Child {
        table: F::TABLE,
        parent_column: "record_id",
        columns: F::COLUMNS,
        args: fields.args(),
    }];
    children.extend(more);
    insert_numbered_alone(
        p,
        NumberedInsert {
            kind: spec.number,
            table: "work_records",
            columns: &columns.iter().map(String::as_str).collect::<Vec<_>>(),
            args,
            actor,
            org_id: Some(org_id),
            record_type: spec.code,
            action: "create",
            changes: &changes,
            at: now,
            children,
        },
    )
    .await
}

/// A versioned change of the record `number` of `spec`'s kind, under its row
/// lock: `select` (by `r.id = $1`) reads it as it is, a version other than
/// `expected_version` is [`StoreError::Stale`], `change` computes its new
/// fields (nothing is written when they are the same), `follow` writes the
/// rows beside it that follow the change; then the kernel's columns, the
/// kind's own row and the audit entry, and the record is read back.
#[allow(clippy::too_many_arguments)]
pub(super) async fn update<T, F>(
    p: &Pools,
    actor: &AuditActor,
    spec: &KindSpec,
    number: &str,
    expected_version: Option<i64>,
    action: &str,
    select: &str,
    change: impl FnOnce(&T) -> std::result::Result<F, RuleError>,
    follow: impl AsyncFnOnce(&mut Conn, i64, &F, &F) -> Result<()>,
) -> Result<T>
where
    T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row>
        + Send
        + Unpin
        + std::ops::Deref<Target = RecordRow<F::State>>,
    F: KindFields,
    T: Fields<F>,
    F::State: crate::CodeValue,
{
    let now = now_ms();
    let mut tx = p.begin().await?;
    let id = lock(&mut tx, spec.code, number, None).await?;
    let read = async |conn: &mut Conn| -> Result<T> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(select))
            .bind(id)
            .fetch_one(conn)
            .await?)
    };
    let before = read(&mut tx).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(StoreError::Stale);
    }
    let old = before.fields();
    let f = change(&before)?;
    if f == old {
        return Ok(before);
    }
    let mut set = core_set(f.core(), f.state());
    let (resolved_at, closed_at) = f.times();
    set.push(Set::to("resolved_at", Arg::OptI64(resolved_at)));
    set.push(Set::to("closed_at", Arg::OptI64(closed_at)));
    let written = self::change(&mut tx, id, Some(before.version), set, now).await?;
    write::own_row(&mut tx, &written, F::TABLE, id, F::COLUMNS, f.args()).await?;
    follow(&mut tx, id, &old, &f).await?;
    let changes = old.diff(&f);
    let entry = Entry {
        actor,
        org_id: Some(before.org_id),
        record_type: spec.code,
        record_number: number,
        action,
        changes: &changes,
    };
    written.audit(&mut tx, entry).await?;
    let after = read(&mut tx).await?;
    tx.commit().await?;
    Ok(after)
}

/// A kind's row gives the fields a change computes from.
pub(super) trait Fields<F> {
    fn fields(&self) -> F;
}

/// Whether the customers of `org` (an SQL expression) see the record `r`:
/// their organisation's, or an article published to them.
pub(super) fn seen_by_org(r: &str, org: &str) -> String {
    format!(
        "({r}.org_id = {org} OR ({r}.kind = 'article' AND {}))",
        super::articles::readable_by(&format!("{r}.id"), org)
    )
}

/// Any record by its number, as the customers of `org` see it when given.
pub async fn by_number(p: &Pools, number: &str, org: Option<i64>) -> Result<RecordRef> {
    let sql = format!(
        "{SELECT_REF} WHERE r.number = $1 AND ($2 IS NULL OR {})",
        seen_by_org("r", "$2")
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(number)
        .bind(org)
        .fetch_optional(p.read())
        .await?
        .ok_or(StoreError::NotFound)
}

/// The kernel's columns and values of a new record of `kind` opened at `now`
/// in `state`: who and when, then what [`core_set`] writes.
pub(super) fn new_record<S: StateMachine>(
    kind: &str,
    org_id: i64,
    requester_id: Option<i64>,
    actor: &AuditActor,
    now: i64,
    state: S,
    core: &RecordCore,
) -> (Vec<String>, Vec<Arg>) {
    let mut columns: Vec<String> = [
        "kind",
        "org_id",
        "requester_id",
        "created_by",
        "opened_at",
        "updated_at",
    ]
    .map(str::to_owned)
    .into();
    let mut args = vec![
        Arg::Text(kind.to_owned()),
        Arg::I64(org_id),
        Arg::OptI64(requester_id),
        Arg::OptI64(actor.user_id),
        Arg::I64(now),
        Arg::I64(now),
    ];
    for s in core_set(core, state) {
        let (Set::To(c, a) | Set::Once(c, a)) = s;
        columns.push(c.into_owned());
        args.push(a);
    }
    (columns, args)
}

/// What a versioned change of any kind sets of the kernel's columns: the
/// record's state (with its category) and its core fields.
pub(super) fn core_set<S: StateMachine>(c: &RecordCore, state: S) -> Vec<Set> {
    vec![
        Set::to("state", Arg::Text(state.code().to_owned())),
        Set::to(
            "state_category",
            Arg::Text(state.category().as_str().to_owned()),
        ),
        Set::to("title", Arg::Text(c.title.clone())),
        Set::to("description", Arg::Text(c.description.clone())),
        Set::to("category", Arg::Text(c.category.clone())),
        Set::to("impact", Arg::I64(c.impact)),
        Set::to("urgency", Arg::I64(c.urgency)),
        Set::to("priority", Arg::I64(c.priority)),
        Set::to("service_id", Arg::OptI64(c.service_id)),
        Set::to("group_id", Arg::OptI64(c.group_id)),
        Set::to("assignee_id", Arg::OptI64(c.assignee_id)),
        Set::to("target_at", Arg::OptI64(c.target_at)),
    ]
}

/// Adds the kernel's filters on the record `r` to a list query.
pub(super) fn filter_sql(q: &mut Sql, f: &RecordFilter) {
    if !f.states.is_empty() {
        q.push(" AND r.state IN ")
            .list(f.states.iter().cloned().map(Arg::Text));
    }
    if let Some(a) = f.assignee_id {
        q.push(" AND r.assignee_id = ").arg(Arg::I64(a));
    }
    if let Some(o) = f.org_id {
        q.push(" AND r.org_id = ").arg(Arg::I64(o));
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        q.push(" AND (lower(r.title) LIKE ")
            .arg(Arg::Text(contains_pattern(text)))
            .push(" ESCAPE '\\' OR r.number = ")
            .arg(Arg::Text(text.to_uppercase()))
            .push(")");
    }
}

/// One page of the records `q` selects (`r`, filtered), newest first, after
/// `after`: on the index of each kind's opening time.
pub(super) async fn newest_page<T>(
    p: &Pools,
    mut q: Sql,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Page<T>>
where
    T: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin + Listed,
{
    let limit = limit.clamp(1, 500);
    if let Some(c) = after {
        q.push(" AND (r.opened_at, r.id) < (")
            .arg(Arg::I64(c.opened_at))
            .push(", ")
            .arg(Arg::I64(c.id))
            .push(")");
    }
    q.push(" ORDER BY r.opened_at DESC, r.id DESC LIMIT ")
        .arg(Arg::I64(limit + 1));
    let mut items: Vec<T> = q.fetch_all(p.read()).await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(Listed::cursor)
    } else {
        None
    };
    Ok(Page { items, next })
}

/// Locks the work record `number` of `kind` (within `org` when given) for a
/// change; its id.
pub(super) async fn lock(
    conn: &mut Conn,
    kind: &str,
    number: &str,
    org: Option<i64>,
) -> Result<i64> {
    let sql = format!(
        "SELECT id FROM work_records WHERE number = $1 AND kind = $2 \
         AND ($3 IS NULL OR org_id = $3){}",
        super::super::dialect::FOR_UPDATE
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(number)
        .bind(kind)
        .bind(org)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

/// A record's own change: `set` on its row, its version and update time moved
/// on, finished by its audit entry (`write`).
pub(super) async fn change(
    conn: &mut Conn,
    id: i64,
    from_version: Option<i64>,
    set: Vec<Set>,
    now: i64,
) -> Result<Written> {
    write::update(conn, Row::id("work_records", id), from_version, set, now).await
}

/// Writes a comment or work note on `record` with its audit entry, inside
/// `conn`'s transaction. The caller moves the record's version.
pub(super) async fn insert_comment(
    conn: &mut Conn,
    actor: &AuditActor,
    record: &RecordRef,
    visibility: &str,
    body: &str,
    now: i64,
) -> Result<Comment> {
    let comment: Comment = sqlx::query_as(
        "INSERT INTO comments (record_id, org_id, author_id, visibility, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, record_id, author_id, NULL AS author_name, visibility, body, created_at",
    )
    .bind(record.id)
    .bind(record.org_id)
    .bind(actor.user_id)
    .bind(visibility)
    .bind(body)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(comment)
}

/// The audit entry of a comment, which finishes `moved` (the record moved on by
/// it): its id, visibility and text, with `extra` changes that came with it (a
/// clock stopped by the first response).
pub(super) async fn comment_audit(
    conn: &mut Conn,
    moved: Written,
    actor: &AuditActor,
    record: &RecordRef,
    comment: &Comment,
    mut c: Changes,
) -> Result<()> {
    c.set("comment_id", &comment.id);
    c.set("visibility", &comment.visibility);
    c.set("body", &comment.body);
    let action = if comment.visibility == "internal" {
        "work_note"
    } else {
        "comment"
    };
    let entry = Entry {
        actor,
        org_id: Some(record.org_id),
        record_type: &record.kind,
        record_number: &record.number,
        action,
        changes: &c,
    };
    moved.audit(conn, entry).await
}

/// Records `files` as attachments of `comment`, which they take the visibility of.
pub(super) async fn attach_to_comment(
    conn: &mut Conn,
    actor: &AuditActor,
    record: &RecordRef,
    comment: &Comment,
    files: &[crate::NewAttachment],
    now: i64,
) -> Result<()> {
    for file in files {
        let on_comment = crate::NewAttachment {
            comment_id: Some(comment.id),
            visibility: comment.visibility.clone(),
            ..file.clone()
        };
        super::attachments::insert(&mut *conn, actor, record, &on_comment, now, None).await?;
    }
    Ok(())
}

/// A comment on any record that has no clocks or notifications of its own,
/// with the files that came with it, in one transaction.
pub async fn add_comment(
    p: &Pools,
    actor: &AuditActor,
    record: &RecordRef,
    visibility: &str,
    body: &str,
    files: &[crate::NewAttachment],
) -> Result<Comment> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let comment = insert_comment(&mut tx, actor, record, visibility, body, now).await?;
    let moved = change(&mut tx, record.id, None, vec![], now).await?;
    comment_audit(&mut tx, moved, actor, record, &comment, Changes::default()).await?;
    attach_to_comment(&mut tx, actor, record, &comment, files, now).await?;
    tx.commit().await?;
    Ok(Comment {
        author_name: Some(actor.label.clone()),
        ..comment
    })
}

/// Links `from` to `to` as `link_type` reads from `from`'s side, with an
/// audit entry on each end. Two records are linked at most once.
pub async fn link(
    p: &Pools,
    actor: &AuditActor,
    from: &RecordRef,
    to: &RecordRef,
    link_type: LinkType,
) -> Result<RecordLink> {
    let stored = StoredLink::new(from.id, to.id, link_type)?;
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO record_links (a_id, b_id, link_type, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(stored.a)
    .bind(stored.b)
    .bind(stored.link_type.as_str())
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        on_unique(
            e,
            &format!("{} and {} are already linked", from.number, to.number),
        )
    })?;
    for (record, other, seen) in [(from, to, link_type), (to, from, link_type.inverse())] {
        let mut c = Changes::default();
        c.set("link", &seen.as_str());
        c.set("record", &other.number);
        append(
            &mut tx,
            actor,
            Some(record.org_id),
            &record.kind,
            &record.number,
            "link",
            &c,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(RecordLink {
        id,
        link_type,
        other: to.clone(),
        created_at: now,
    })
}

/// Removes the link between `from` and `to`, with an audit entry on each end.
pub async fn unlink(p: &Pools, actor: &AuditActor, from: &RecordRef, to: &RecordRef) -> Result<()> {
    let (a, b) = (from.id.min(to.id), from.id.max(to.id));
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let removed: Option<String> = sqlx::query_scalar(
        "DELETE FROM record_links WHERE a_id = $1 AND b_id = $2 RETURNING link_type",
    )
    .bind(a)
    .bind(b)
    .fetch_optional(&mut *tx)
    .await?;
    let stored = removed
        .as_deref()
        .and_then(LinkType::parse)
        .ok_or(StoreError::NotFound)?;
    for (record, other) in [(from, to), (to, from)] {
        let seen = if record.id == a {
            stored
        } else {
            stored.inverse()
        };
        let mut c = Changes::default();
        c.diff("link", &Some(seen.as_str()), &None);
        c.set("record", &other.number);
        append(
            &mut tx,
            actor,
            Some(record.org_id),
            &record.kind,
            &record.number,
            "unlink",
            &c,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The links of a record, read from its side, oldest first; with `org`, only
/// those to records of that organisation (what a customer may see).
pub async fn links(p: &Pools, record_id: i64, org: Option<i64>) -> Result<Vec<RecordLink>> {
    let rows: Vec<LinkRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT l.id AS link_id, l.a_id, l.link_type, l.created_at, r.id, r.kind, r.number, \
         r.org_id, r.title, r.state, r.state_category, r.service_id, r.category FROM ( \
           SELECT id, a_id, b_id AS other, link_type, created_at FROM record_links WHERE a_id = $1 \
           UNION ALL \
           SELECT id, a_id, a_id AS other, link_type, created_at FROM record_links WHERE b_id = $1 \
         ) l JOIN work_records r ON r.id = l.other \
         WHERE ($2 IS NULL OR {}) ORDER BY l.id",
        seen_by_org("r", "$2")
    )))
    .bind(record_id)
    .bind(org)
    .fetch_all(p.read())
    .await?;
    rows.into_iter().map(|r| r.read_from(record_id)).collect()
}

/// Escalates open records of `kinds` past their target date at `now`, at
/// most `limit`, each once per target date (again when a target moved
/// passes): marks them, writes each an audit entry and queues the jobs
/// `job_for` gives, in one transaction. Returns the records escalated.
pub async fn overdue_sweep(
    p: &Pools,
    kinds: &[&str],
    now: i64,
    limit: i64,
    job_for: impl Fn(&crate::Overdue) -> Vec<crate::NewJob>,
) -> Result<Vec<crate::Overdue>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = p.begin().await?;
    let mut q = Sql::new(
        "SELECT w.id, w.kind, w.number, w.title, w.org_id, w.target_at FROM work_records w \
         WHERE w.target_at IS NOT NULL AND w.state_category IN ('new', 'active', 'waiting') \
         AND w.target_at < ",
    );
    q.arg(Arg::I64(now))
        .push(
            " AND (w.overdue_escalated_target IS NULL OR w.overdue_escalated_target <> w.target_at) \
             AND w.kind IN ",
        )
        .list(kinds.iter().map(|k| Arg::Text((*k).to_owned())))
        .push(" ORDER BY w.target_at, w.id LIMIT ")
        .arg(Arg::I64(limit))
        .push(super::super::dialect::SKIP_LOCKED);
    let due: Vec<crate::Overdue> = q.fetch_all(&mut *tx).await?;
    let actor = AuditActor::system("overdue escalation");
    for r in &due {
        sqlx::query("UPDATE work_records SET overdue_escalated_target = target_at WHERE id = $1")
            .bind(r.id)
            .execute(&mut *tx)
            .await?;
        let mut c = Changes::default();
        c.set(
            "overdue_since",
            &steward_domain::sla::instant_text(Some(r.target_at)),
        );
        append(
            &mut tx,
            &actor,
            Some(r.org_id),
            &r.kind,
            &r.number,
            "escalate",
            &c,
            now,
        )
        .await?;
        for job in job_for(r) {
            super::jobs::enqueue(&mut tx, &job, now).await?;
        }
    }
    tx.commit().await?;
    Ok(due)
}
