-- The work-record kernel (ADR 0010): incidents become the first kind of one
-- common record, `work_records`, keeping their ids, numbers and everything that
-- points at them. Comments and work notes, attachments, SLA clocks and their
-- intervals now belong to a work record (`record_id`); typed links join any
-- two records.
--
-- SQLite cannot drop a CHECK constraint (the incident states) in place, so the
-- table is rebuilt under the same name, keeping every row that points at an
-- incident valid without copying those tables: the table is renamed (which
-- rewrites the references in comments, attachments and clocks), copied aside,
-- dropped and created anew. Foreign keys stay on, deferred to the commit: the
-- drop counts each row that lost its record, and filling the new table counts
-- each of them found again.
PRAGMA defer_foreign_keys = ON;
ALTER TABLE incidents RENAME TO work_records;
CREATE TEMP TABLE kernel_copy AS
SELECT id, 'incident' AS kind, number, org_id, service_id, caller_id AS requester_id, title,
    description, category, impact, urgency, priority, state,
    CASE state WHEN 'in_progress' THEN 'active' WHEN 'on_hold' THEN 'waiting' ELSE state END
        AS state_category,
    hold_reason, group_id, assignee_id, major, resolution_code, resolution_notes, reopen_count,
    opened_at, first_response_at, resolved_at, closed_at, NULL AS target_at, created_by,
    updated_at, version, sla_due_at
FROM work_records;
DROP TABLE work_records;

CREATE TABLE work_records (
    id INTEGER PRIMARY KEY,
    -- The kind of work (steward_domain::kind): incident, problem, ...
    kind TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    service_id BIGINT REFERENCES services (id),
    requester_id BIGINT REFERENCES users (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT,
    impact BIGINT CHECK (impact BETWEEN 1 AND 3),
    urgency BIGINT CHECK (urgency BETWEEN 1 AND 3),
    priority BIGINT NOT NULL CHECK (priority BETWEEN 1 AND 5),
    -- The kind's own lifecycle state, and the category every kind shares.
    state TEXT NOT NULL,
    state_category TEXT NOT NULL
        CHECK (state_category IN ('new', 'active', 'waiting', 'resolved', 'closed', 'cancelled')),
    hold_reason TEXT,
    group_id BIGINT REFERENCES assignment_groups (id),
    assignee_id BIGINT REFERENCES users (id),
    major BOOLEAN NOT NULL DEFAULT FALSE,
    resolution_code TEXT,
    resolution_notes TEXT,
    reopen_count BIGINT NOT NULL DEFAULT 0,
    opened_at BIGINT NOT NULL,
    first_response_at BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT,
    -- A target date set by people (a problem's), apart from SLA clocks.
    target_at BIGINT,
    created_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    sla_due_at BIGINT NOT NULL DEFAULT 253402207200000
);
INSERT INTO work_records SELECT * FROM kernel_copy;
DROP TABLE kernel_copy;

-- Keyset lists per kind: newest first, optionally narrowed by one indexed filter.
CREATE INDEX work_records_opened ON work_records (kind, opened_at, id);
CREATE INDEX work_records_org_opened ON work_records (kind, org_id, opened_at, id);
CREATE INDEX work_records_state_opened ON work_records (kind, state, opened_at, id);
CREATE INDEX work_records_priority_opened ON work_records (kind, priority, opened_at, id);
CREATE INDEX work_records_service_opened ON work_records (kind, service_id, opened_at, id);
CREATE INDEX work_records_assignee_opened ON work_records (kind, assignee_id, opened_at, id);
CREATE INDEX work_records_group_opened ON work_records (kind, group_id, opened_at, id);
-- The work queues: open records, most urgent first, or nearest SLA due time first.
CREATE INDEX work_records_open_priority ON work_records (kind, priority, opened_at, id)
WHERE state_category IN ('new', 'active', 'waiting');
CREATE INDEX work_records_open_due ON work_records (kind, sla_due_at, id)
WHERE state_category IN ('new', 'active', 'waiting');

ALTER TABLE comments RENAME COLUMN incident_id TO record_id;
DROP INDEX comments_incident;
CREATE INDEX comments_record ON comments (record_id, id);
ALTER TABLE attachments RENAME COLUMN incident_id TO record_id;
DROP INDEX attachments_incident;
CREATE INDEX attachments_record ON attachments (record_id, id);
ALTER TABLE sla_clocks RENAME COLUMN incident_id TO record_id;
ALTER TABLE sla_intervals RENAME COLUMN incident_id TO record_id;
DROP INDEX sla_intervals_incident;
CREATE INDEX sla_intervals_record ON sla_intervals (record_id, id);

-- Typed links between two records, stored once: a_id < b_id, and link_type
-- read from a's side (steward_domain::link). Each pair is linked at most once.
CREATE TABLE record_links (
    id INTEGER PRIMARY KEY,
    a_id BIGINT NOT NULL REFERENCES work_records (id),
    b_id BIGINT NOT NULL REFERENCES work_records (id),
    link_type TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    CHECK (a_id < b_id)
);
CREATE UNIQUE INDEX record_links_pair ON record_links (a_id, b_id);
CREATE INDEX record_links_b ON record_links (b_id, a_id);
