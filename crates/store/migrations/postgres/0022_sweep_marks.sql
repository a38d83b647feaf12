-- How far each sweep has got: a crossing whose moment came before the SLA
-- sweep last caught up (clocks overdue when this version is installed, or
-- clocks computed afterwards for past moments) is marked without a
-- notification, so that an upgrade sends no burst of stale e-mail.
CREATE TABLE sweep_marks (
    name TEXT PRIMARY KEY,
    at BIGINT NOT NULL
);
