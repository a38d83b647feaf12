-- Steward foundation schema (SQLite). Kept in step with ../postgres/0001_foundation.sql;
-- a test compares the two. Times are BIGINT milliseconds since the Unix epoch, UTC.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('provider', 'customer')),
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'manager', 'auditor', 'customer')),
    password_hash TEXT,
    time_zone TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX users_org ON users (org_id, id);

CREATE TABLE assignment_groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX assignment_groups_name_key ON assignment_groups (lower(name));

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES assignment_groups (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

CREATE TABLE login_failures (
    email TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_failure_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- Human numbers on SQLite: one counter row per record type, incremented by the single writer.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('INC', 0), ('SVC', 0);

CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('pipeline', 'live', 'retired')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE service_customers (
    service_id BIGINT NOT NULL REFERENCES services (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (service_id, org_id)
);
CREATE INDEX service_customers_org ON service_customers (org_id, service_id);

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    caller_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    impact BIGINT NOT NULL CHECK (impact BETWEEN 1 AND 3),
    urgency BIGINT NOT NULL CHECK (urgency BETWEEN 1 AND 3),
    priority BIGINT NOT NULL CHECK (priority BETWEEN 1 AND 5),
    state TEXT NOT NULL CHECK (state IN ('new', 'in_progress', 'on_hold', 'resolved', 'closed', 'cancelled')),
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
    created_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
-- Keyset pagination: newest first, optionally narrowed by one indexed filter.
CREATE INDEX incidents_opened ON incidents (opened_at, id);
CREATE INDEX incidents_org_opened ON incidents (org_id, opened_at, id);
CREATE INDEX incidents_state_opened ON incidents (state, opened_at, id);
CREATE INDEX incidents_priority_opened ON incidents (priority, opened_at, id);
CREATE INDEX incidents_service_opened ON incidents (service_id, opened_at, id);
CREATE INDEX incidents_assignee_opened ON incidents (assignee_id, opened_at, id);
CREATE INDEX incidents_group_opened ON incidents (group_id, opened_at, id);
-- The work queue: open incidents, most urgent first, oldest first.
CREATE INDEX incidents_open_priority ON incidents (priority, opened_at, id)
WHERE state IN ('new', 'in_progress', 'on_hold');

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    author_id BIGINT REFERENCES users (id),
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX comments_incident ON comments (incident_id, id);

-- The audit trail. Writers insert entries unsealed (seq and hash NULL) in the
-- transaction of their change; the sealer chains them in sealing order.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_label TEXT NOT NULL,
    org_id BIGINT,
    record_type TEXT NOT NULL,
    record_number TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    seq BIGINT UNIQUE,
    hash TEXT
);
CREATE INDEX audit_log_record ON audit_log (record_type, record_number, id);
CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE seq IS NULL;

CREATE TABLE audit_chain (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: entries are never deleted, their content never changes, and a
-- sealed entry is never resealed.
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_log_no_rewrite BEFORE UPDATE ON audit_log
WHEN OLD.seq IS NOT NULL
    OR NEW.id IS NOT OLD.id OR NEW.occurred_at IS NOT OLD.occurred_at
    OR NEW.actor_id IS NOT OLD.actor_id OR NEW.actor_label IS NOT OLD.actor_label
    OR NEW.org_id IS NOT OLD.org_id OR NEW.record_type IS NOT OLD.record_type
    OR NEW.record_number IS NOT OLD.record_number OR NEW.action IS NOT OLD.action
    OR NEW.changes IS NOT OLD.changes
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
