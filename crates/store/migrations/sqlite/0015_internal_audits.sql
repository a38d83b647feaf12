-- The internal audit programme (ISO/IEC 20000-1 9.2): programmes are a
-- register (sms_records, APR-0001, with the cycle's dates); audits and their
-- findings are kinds of the work-record kernel (ADR 0010); samples keep their
-- seed so that anyone can draw them again. Kept in step with the other
-- database's 0015_internal_audits.sql.
ALTER TABLE sms_records ADD COLUMN starts_on TEXT;
ALTER TABLE sms_records ADD COLUMN ends_on TEXT;

CREATE TABLE audit_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    -- The programme that plans it (an audit programme register record).
    programme_id BIGINT REFERENCES sms_records (id),
    -- The clauses it covers, separated and surrounded by spaces (' 8.6 9.1 '),
    -- so that "which audits cover 8.6.1" is a LIKE on its ancestors.
    scope TEXT NOT NULL,
    -- Every requirement the scope covers, the same way (' 8.6.1 8.6.2 '):
    -- what the coverage evidence and "which audits cover 8.6.1" read.
    covers TEXT NOT NULL,
    criteria TEXT,
    -- The first day of the audit (YYYY-MM-DD); its last is the target date.
    starts_on TEXT NOT NULL,
    -- The audit team besides the lead auditor (the assignee): user ids, comma-separated.
    team TEXT NOT NULL DEFAULT '',
    started_at BIGINT,
    conclusion TEXT,
    reported_at BIGINT,
    cancelled_reason TEXT
);
CREATE INDEX audit_programme ON audit_details (programme_id);

CREATE TABLE finding_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    audit_id BIGINT NOT NULL REFERENCES work_records (id),
    grade TEXT NOT NULL CHECK (grade IN ('major', 'minor', 'observation', 'opportunity')),
    -- The requirement it is about, a clause of the catalogue.
    clause TEXT NOT NULL,
    evidence TEXT NOT NULL,
    withdrawn_reason TEXT
);
CREATE INDEX finding_audit ON finding_details (audit_id);
CREATE INDEX finding_clause ON finding_details (clause);

-- A sample of records drawn for an audit: the records whose SHA-256 of
-- 'seed:number' is smallest among the kind's records opened in the period.
CREATE TABLE audit_samples (
    id INTEGER PRIMARY KEY,
    audit_id BIGINT NOT NULL REFERENCES work_records (id),
    kind TEXT NOT NULL,
    from_on TEXT NOT NULL,
    to_on TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size BETWEEN 1 AND 200),
    seed TEXT NOT NULL,
    -- How many records there were to draw from.
    population BIGINT NOT NULL,
    -- The numbers drawn, space-separated, in the order drawn.
    numbers TEXT NOT NULL,
    drawn_by BIGINT NOT NULL REFERENCES users (id),
    drawn_at BIGINT NOT NULL
);
CREATE INDEX audit_samples_audit ON audit_samples (audit_id, id);
INSERT INTO counters (name, value) VALUES ('APR', 0), ('AUD', 0), ('FND', 0);
