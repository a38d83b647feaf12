-- Files attached to incidents. The bytes live in the data folder under
-- storage_key (never a name a user chose); this row says who may see them.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL UNIQUE,
    uploaded_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_incident ON attachments (incident_id, id);
