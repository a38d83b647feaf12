-- Customer satisfaction (ISO/IEC 20000-1 8.3.2, 9.1): a customer's rating of
-- a resolved work record, once per record. The organisation, service and
-- month are kept as rated, so that results aggregate on an index. Kept in
-- step with the other database's 0014_ratings.sql.
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    record_id BIGINT NOT NULL UNIQUE REFERENCES work_records (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    service_id BIGINT REFERENCES services (id),
    rated_by BIGINT NOT NULL REFERENCES users (id),
    score BIGINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    rated_at BIGINT NOT NULL,
    -- YYYY-MM (UTC) of rated_at.
    month TEXT NOT NULL
);
CREATE INDEX ratings_month ON ratings (month, org_id, service_id);
CREATE INDEX ratings_rated_at ON ratings (rated_at);
