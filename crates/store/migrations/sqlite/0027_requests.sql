-- Service requests (ISO/IEC 20000-1 8.6.2, ADR 0021): catalogue offerings
-- that customers order, each with its form, who may order it, its approval
-- rule, its fulfilment plan and target; requests and their fulfilment tasks
-- are kinds of the work-record kernel with their own rows beside it.
-- Kept in step with the other database's 0027_requests.sql.

-- Whom a person's requests ask for approval when an offering names "the
-- requester's manager".
ALTER TABLE users ADD COLUMN manager_id BIGINT REFERENCES users (id);

CREATE TABLE offerings (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    service_id BIGINT NOT NULL REFERENCES services (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- The form (steward_domain::form::FormSpec), the approval rule and the
    -- fulfilment plan (steward_domain::request), JSON checked on every write.
    form TEXT NOT NULL,
    approval TEXT NOT NULL,
    plan TEXT NOT NULL,
    -- The roles that may order it, space-separated codes.
    roles TEXT NOT NULL,
    price BIGINT NOT NULL DEFAULT 0,
    target_minutes BIGINT NOT NULL,
    calendar_id BIGINT NOT NULL REFERENCES calendars (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX offerings_service ON offerings (service_id, id);

-- The organisations an offering names; none: those that receive its service.
CREATE TABLE offering_orgs (
    offering_id BIGINT NOT NULL REFERENCES offerings (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (offering_id, org_id)
);
CREATE INDEX offering_orgs_org ON offering_orgs (org_id, offering_id);

CREATE TABLE request_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    offering_id BIGINT NOT NULL REFERENCES offerings (id),
    -- The form's answers as checked, JSON {key: value}.
    answers TEXT NOT NULL,
    cost BIGINT NOT NULL,
    approval_mode TEXT NOT NULL CHECK (approval_mode IN ('any', 'all')),
    -- Whether the offering's rule asked for approval when it was ordered.
    approval_required BOOLEAN NOT NULL,
    sequential BOOLEAN NOT NULL,
    -- What was delivered, or why it was cancelled.
    note TEXT
);
CREATE INDEX request_offering ON request_details (offering_id);

CREATE TABLE request_approvals (
    id INTEGER PRIMARY KEY,
    record_id BIGINT NOT NULL REFERENCES work_records (id),
    seq BIGINT NOT NULL,
    approver TEXT NOT NULL CHECK (approver IN ('manager', 'group')),
    -- The manager asked; a group's approval is any member's but the requester's.
    user_id BIGINT REFERENCES users (id),
    group_id BIGINT REFERENCES assignment_groups (id),
    decision TEXT NOT NULL CHECK (decision IN ('pending', 'approved', 'rejected', 'skipped')),
    decided_by BIGINT REFERENCES users (id),
    decided_at BIGINT,
    UNIQUE (record_id, seq)
);
CREATE INDEX request_approvals_user ON request_approvals (user_id) WHERE decision = 'pending';
CREATE INDEX request_approvals_group ON request_approvals (group_id) WHERE decision = 'pending';

-- The links mailed to approvers: a token's SHA-256, whose approval and for whom.
CREATE TABLE approval_links (
    token_hash TEXT PRIMARY KEY,
    approval_id BIGINT NOT NULL REFERENCES request_approvals (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    expires_at BIGINT NOT NULL
);
CREATE INDEX approval_links_approval ON approval_links (approval_id);

CREATE TABLE task_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    request_id BIGINT NOT NULL REFERENCES work_records (id),
    seq BIGINT NOT NULL,
    -- What was done, or why it was not needed.
    note TEXT
);
CREATE INDEX task_request ON task_details (request_id, seq);

INSERT INTO counters (name, value) VALUES ('REQ', 0), ('TSK', 0), ('OFR', 0);
