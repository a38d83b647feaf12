-- The SMS registers of clauses 4 to 7 (context, interested parties, roles,
-- risks, objectives, plan, training, communication, documents) share one
-- table: each register's fields are described in steward_domain::register and
-- use the columns below; many-valued fields are rows of sms_links.
-- Dates are TEXT 'YYYY-MM-DD' (calendar dates, compared as text).
CREATE TABLE sms_records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    category TEXT,
    owner_id BIGINT REFERENCES users (id),
    person_id BIGINT REFERENCES users (id),
    reviewer_id BIGINT REFERENCES users (id),
    due_on TEXT,
    review_on TEXT,
    done_on TEXT,
    likelihood BIGINT,
    impact BIGINT,
    treatment TEXT,
    treatment_plan TEXT,
    measure TEXT,
    direction TEXT,
    target REAL,
    unit TEXT,
    actual REAL,
    requirements TEXT,
    audience TEXT,
    frequency TEXT,
    channel TEXT,
    retention_months BIGINT,
    locations TEXT,
    -- Document control: the version being written, and the approved one.
    doc_version BIGINT NOT NULL DEFAULT 1,
    approved_version BIGINT,
    approved_by BIGINT REFERENCES users (id),
    approved_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX sms_records_kind ON sms_records (kind, id);

CREATE TABLE sms_links (
    record_id BIGINT NOT NULL REFERENCES sms_records (id),
    field TEXT NOT NULL,
    -- user, service, record (target_id) or process (target_key, a clause; value R/A/C/I)
    target_type TEXT NOT NULL CHECK (target_type IN ('user', 'service', 'record', 'process')),
    target_id BIGINT,
    target_key TEXT,
    value TEXT
);
CREATE INDEX sms_links_record ON sms_links (record_id, field);
CREATE INDEX sms_links_target ON sms_links (target_type, target_id);

-- Each approval of a document keeps the text that was approved.
CREATE TABLE document_versions (
    id INTEGER PRIMARY KEY,
    record_id BIGINT NOT NULL REFERENCES sms_records (id),
    version_no BIGINT NOT NULL,
    body TEXT NOT NULL,
    approved_by BIGINT REFERENCES users (id),
    approved_at BIGINT NOT NULL,
    UNIQUE (record_id, version_no)
);

-- Who has read which approved version.
CREATE TABLE document_acks (
    record_id BIGINT NOT NULL REFERENCES sms_records (id),
    version_no BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    acknowledged_at BIGINT NOT NULL,
    PRIMARY KEY (record_id, version_no, user_id)
);

-- Files of SMS records (a document's version) and of manual evidence. The
-- bytes live in the data folder under storage_key, as for incident files.
CREATE TABLE record_files (
    id INTEGER PRIMARY KEY,
    record_id BIGINT REFERENCES sms_records (id),
    version_no BIGINT,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX record_files_record ON record_files (record_id, id);

-- Per requirement of the catalogue: who owns it, how it is met, notes.
CREATE TABLE requirement_notes (
    clause TEXT PRIMARY KEY,
    owner_id BIGINT REFERENCES users (id),
    operated_by TEXT NOT NULL DEFAULT 'us' CHECK (operated_by IN ('us', 'other_party')),
    controls TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

-- Manual evidence and auditors' notes on a requirement.
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    clause TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('record', 'file', 'note')),
    record_type TEXT,
    record_key TEXT,
    file_id BIGINT REFERENCES record_files (id),
    note TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX evidence_clause ON evidence (clause, id);

-- One row per check per day: the trend, and the status as it was.
CREATE TABLE check_snapshots (
    day TEXT NOT NULL,
    check_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    counted BIGINT NOT NULL,
    good BIGINT NOT NULL,
    PRIMARY KEY (day, check_id)
);

-- An objective's value per day.
CREATE TABLE objective_values (
    record_id BIGINT NOT NULL REFERENCES sms_records (id),
    day TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (record_id, day)
);

INSERT INTO counters (name, value) VALUES ('CTX', 0), ('IP', 0), ('OBJ', 0), ('PLN', 0),
    ('ROL', 0), ('RSK', 0), ('DOC', 0), ('TRN', 0), ('COM', 0);
