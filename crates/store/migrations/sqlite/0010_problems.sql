-- Problem management (ISO/IEC 20000-1 8.6.3), the first kind added to the
-- work-record kernel (ADR 0010). A problem is a work record of kind 'problem';
-- what only problems have lives here. Kept in step with ../postgres/0010_problems.sql.
CREATE TABLE problem_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    root_cause TEXT,
    workaround TEXT,
    permanent_fix TEXT,
    -- When it became a known error; kept once set.
    known_error_at BIGINT,
    -- Whether customers of the affected services see the known error.
    published BOOLEAN NOT NULL DEFAULT FALSE
);

-- The services a problem affects (its record's service_id is the first of them).
CREATE TABLE problem_services (
    record_id BIGINT NOT NULL REFERENCES work_records (id),
    service_id BIGINT NOT NULL REFERENCES services (id),
    PRIMARY KEY (record_id, service_id)
);
CREATE INDEX problem_services_service ON problem_services (service_id, record_id);

-- Major incidents closed lately (the evidence that each was reviewed): few
-- rows, found without walking every closed incident.
CREATE INDEX work_records_major_closed ON work_records (closed_at) WHERE major;

INSERT INTO counters (name, value) VALUES ('PRB', 0);
