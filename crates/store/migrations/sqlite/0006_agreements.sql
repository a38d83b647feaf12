-- Service level agreements (with a customer, or with every customer) and
-- operational level agreements (with an internal group). Targets per priority
-- are JSON: {"1": [response minutes, resolution minutes], ...}, checked by
-- steward_domain::agreement on every write.
CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('sla', 'ola')),
    title TEXT NOT NULL,
    org_id BIGINT REFERENCES organisations (id),
    group_id BIGINT REFERENCES assignment_groups (id),
    calendar_id BIGINT NOT NULL REFERENCES calendars (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'agreed', 'expired')),
    owner_id BIGINT REFERENCES users (id),
    review_on TEXT,
    warn_percent BIGINT NOT NULL,
    targets TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX agreements_org ON agreements (org_id, id);

CREATE TABLE agreement_services (
    agreement_id BIGINT NOT NULL REFERENCES agreements (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    PRIMARY KEY (agreement_id, service_id)
);
INSERT INTO counters (name, value) VALUES ('SLA', 0), ('OLA', 0);
