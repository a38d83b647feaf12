-- Business relationship management (ISO/IEC 20000-1 8.3.2): a customer's
-- profile (what matters to them, who at the provider looks after them), the
-- people the provider deals with there and their roles, and service reviews
-- held with them, a kind of the work-record kernel (ADR 0010) in the
-- customer's organisation, whose day is its target date. Kept in step with
-- the other database's 0028_relationship.sql.
ALTER TABLE organisations ADD COLUMN profile TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN relationship_manager_id BIGINT REFERENCES users (id);

CREATE TABLE customer_contacts (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('decision_maker', 'service_owner',
        'user_representative', 'escalation', 'technical', 'billing')),
    email TEXT,
    phone TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX customer_contacts_org ON customer_contacts (org_id, id);

CREATE TABLE service_review_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    -- Who attends, in words.
    attendees TEXT NOT NULL DEFAULT '',
    minutes TEXT,
    held_at BIGINT,
    cancelled_reason TEXT
);
-- The evidence asks, per customer, for its last held review.
CREATE INDEX work_records_org_closed ON work_records (org_id, kind, state, closed_at);
INSERT INTO counters (name, value) VALUES ('SRM', 0);
