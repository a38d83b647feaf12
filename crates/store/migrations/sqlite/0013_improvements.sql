-- The improvement register (ISO/IEC 20000-1 10.2), a kind of the work-record
-- kernel (ADR 0010): what only improvements have lives here. Kept in step
-- with the other database's 0013_improvements.sql.
CREATE TABLE improvement_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    source TEXT NOT NULL
        CHECK (source IN ('audit', 'review', 'complaint', 'nonconformity', 'staff', 'customer')),
    expected_benefit TEXT,
    -- How the benefit will be measured.
    measure TEXT,
    -- The objective of the SMS it serves (an objectives register record).
    objective_id BIGINT REFERENCES sms_records (id),
    rejected_reason TEXT,
    done_at BIGINT,
    -- Whether the benefit expected was achieved, once evaluated.
    benefit_met BOOLEAN,
    evaluation TEXT,
    evaluated_at BIGINT
);
CREATE INDEX improvement_objective ON improvement_details (objective_id);
INSERT INTO counters (name, value) VALUES ('IMP', 0);
