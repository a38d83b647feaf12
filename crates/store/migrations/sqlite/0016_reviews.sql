-- Management reviews (ISO/IEC 20000-1 9.3), a kind of the work-record kernel
-- (ADR 0010): the period reviewed, who attended, the minutes and the
-- decisions; the review's day is its target date, and its actions are
-- action_details rows whose parent it is. Kept in step with the other
-- database's 0016_reviews.sql.
CREATE TABLE review_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    -- The period reviewed, both days included (YYYY-MM-DD).
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    attendees TEXT,
    decisions TEXT,
    minutes TEXT,
    held_at BIGINT,
    cancelled_reason TEXT
);
INSERT INTO counters (name, value) VALUES ('REV', 0);
