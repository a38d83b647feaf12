-- Nonconformities and the actions that follow from records (ISO/IEC 20000-1
-- 10.1, later 9.3 and 10.2), kinds of the work-record kernel (ADR 0010): what
-- only they have lives here. Kept in step with the other database's
-- 0012_nonconformities.sql.
CREATE TABLE nonconformity_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    source TEXT NOT NULL
        CHECK (source IN ('finding', 'complaint', 'sla_breach', 'review', 'other')),
    severity TEXT NOT NULL CHECK (severity IN ('major', 'minor')),
    -- The requirement not met, a clause of the catalogue.
    clause TEXT,
    correction TEXT,
    root_cause TEXT,
    cause_category TEXT CHECK (cause_category IN
        ('people', 'process', 'technology', 'supplier', 'information', 'external')),
    rejected_reason TEXT
);
-- Recurring causes: the same clause, or the same cause category, within a year.
CREATE INDEX nonconformity_clause ON nonconformity_details (clause);
CREATE INDEX nonconformity_cause ON nonconformity_details (cause_category);
CREATE SEQUENCE number_ncr;

CREATE TABLE action_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    -- The record the action follows from (a nonconformity: corrective).
    parent_id BIGINT NOT NULL REFERENCES work_records (id),
    -- Days after completion when its effectiveness is reviewed; NULL: none.
    review_after_days BIGINT CHECK (review_after_days BETWEEN 0 AND 730),
    outcome TEXT,
    completed_at BIGINT,
    review_due_at BIGINT,
    effectiveness TEXT CHECK (effectiveness IN ('effective', 'not_effective')),
    review TEXT,
    reviewed_at BIGINT
);
CREATE INDEX action_parent ON action_details (parent_id);
-- Effectiveness reviews falling due (evidence 10.1).
CREATE INDEX action_review_due ON action_details (review_due_at);
CREATE SEQUENCE number_act;
