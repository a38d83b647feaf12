-- OLA clocks (steward_domain::sla): besides the SLA's response and resolution
-- clocks, each assignment group that holds an incident and has an OLA gets
-- its own pair, measuring the group's part. `group_id` names the group (0 for
-- the SLA's clocks) and joins the key, so an incident keeps one pair per group
-- it visited. Intervals say whose clock they counted for.
--
-- SQLite cannot change a primary key in place: the table is built anew and
-- filled from the old one, whose indexes and count triggers (0020) go with it
-- and are made again as they were. Dropping a table fires no trigger, and the
-- copy is made before the triggers exist, so the daily counts are untouched.
-- Kept in step with the other database's 0024_ola_clocks.sql.
CREATE TABLE sla_clocks_new (
    record_id BIGINT NOT NULL REFERENCES work_records (id),
    kind TEXT NOT NULL CHECK (kind IN ('response', 'resolution')),
    group_id BIGINT NOT NULL DEFAULT 0,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    agreement TEXT NOT NULL,
    calendar_id BIGINT NOT NULL,
    priority BIGINT NOT NULL,
    target_minutes BIGINT NOT NULL,
    warn_percent BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'paused', 'stopped', 'cancelled')),
    elapsed_ms BIGINT NOT NULL,
    running_since BIGINT,
    due_at BIGINT,
    warn_at BIGINT,
    warned_at BIGINT,
    breached_at BIGINT,
    stopped_at BIGINT,
    next_at BIGINT,
    breach_reason TEXT,
    PRIMARY KEY (record_id, kind, group_id)
);
INSERT INTO sla_clocks_new (record_id, kind, group_id, org_id, agreement, calendar_id, priority,
    target_minutes, warn_percent, status, elapsed_ms, running_since, due_at, warn_at, warned_at,
    breached_at, stopped_at, next_at, breach_reason)
SELECT record_id, kind, 0, org_id, agreement, calendar_id, priority, target_minutes, warn_percent,
    status, elapsed_ms, running_since, due_at, warn_at, warned_at, breached_at, stopped_at,
    next_at, breach_reason
FROM sla_clocks;
DROP TABLE sla_clocks;
ALTER TABLE sla_clocks_new RENAME TO sla_clocks;

CREATE INDEX sla_clocks_next ON sla_clocks (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX sla_clocks_agreement_stopped ON sla_clocks (agreement, stopped_at);
CREATE INDEX sla_clocks_stopped ON sla_clocks (stopped_at) WHERE status = 'stopped';
CREATE INDEX sla_clocks_breached ON sla_clocks (breached_at) WHERE breached_at IS NOT NULL;
CREATE INDEX sla_clocks_org_stopped ON sla_clocks (org_id, agreement, stopped_at);

-- A clock counts on the day it stopped (stopped ones) and on the day it was
-- breached (ones not cancelled).
CREATE TRIGGER clock_counts_insert AFTER INSERT ON sla_clocks
    WHEN NEW.stopped_at IS NOT NULL OR NEW.breached_at IS NOT NULL
BEGIN
    INSERT INTO clock_counts (agreement, org_id, kind, day, stopped, met, elapsed_ms, changes)
        SELECT NEW.agreement, NEW.org_id, NEW.kind, NEW.stopped_at - NEW.stopped_at % 86400000, 1,
            CASE WHEN NEW.breached_at IS NULL THEN 1 ELSE 0 END, 1 * NEW.elapsed_ms, 1
        WHERE NEW.status = 'stopped' AND NEW.stopped_at IS NOT NULL;
    INSERT INTO clock_counts (agreement, org_id, kind, day, breached, changes)
        SELECT NEW.agreement, NEW.org_id, NEW.kind, NEW.breached_at - NEW.breached_at % 86400000,
            1, 1
        WHERE NEW.status <> 'cancelled' AND NEW.breached_at IS NOT NULL;
END;

CREATE TRIGGER clock_counts_delete AFTER DELETE ON sla_clocks
    WHEN OLD.stopped_at IS NOT NULL OR OLD.breached_at IS NOT NULL
BEGIN
    INSERT INTO clock_counts (agreement, org_id, kind, day, stopped, met, elapsed_ms, changes)
        SELECT OLD.agreement, OLD.org_id, OLD.kind, OLD.stopped_at - OLD.stopped_at % 86400000, -1,
            CASE WHEN OLD.breached_at IS NULL THEN -1 ELSE 0 END, -1 * OLD.elapsed_ms, 1
        WHERE OLD.status = 'stopped' AND OLD.stopped_at IS NOT NULL;
    INSERT INTO clock_counts (agreement, org_id, kind, day, breached, changes)
        SELECT OLD.agreement, OLD.org_id, OLD.kind, OLD.breached_at - OLD.breached_at % 86400000,
            -1, 1
        WHERE OLD.status <> 'cancelled' AND OLD.breached_at IS NOT NULL;
END;

CREATE TRIGGER clock_counts_update AFTER UPDATE OF agreement, org_id, kind, status, stopped_at, breached_at, elapsed_ms ON sla_clocks
    WHEN (OLD.stopped_at IS NOT NULL OR OLD.breached_at IS NOT NULL
          OR NEW.stopped_at IS NOT NULL OR NEW.breached_at IS NOT NULL)
        AND (OLD.agreement IS NOT NEW.agreement OR OLD.org_id IS NOT NEW.org_id OR OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.stopped_at IS NOT NEW.stopped_at OR OLD.breached_at IS NOT NEW.breached_at
          OR (OLD.stopped_at IS NOT NULL AND OLD.elapsed_ms IS NOT NEW.elapsed_ms))
BEGIN
    INSERT INTO clock_counts (agreement, org_id, kind, day, stopped, met, elapsed_ms, changes)
        SELECT OLD.agreement, OLD.org_id, OLD.kind, OLD.stopped_at - OLD.stopped_at % 86400000, -1,
            CASE WHEN OLD.breached_at IS NULL THEN -1 ELSE 0 END, -1 * OLD.elapsed_ms, 1
        WHERE OLD.status = 'stopped' AND OLD.stopped_at IS NOT NULL;
    INSERT INTO clock_counts (agreement, org_id, kind, day, breached, changes)
        SELECT OLD.agreement, OLD.org_id, OLD.kind, OLD.breached_at - OLD.breached_at % 86400000,
            -1, 1
        WHERE OLD.status <> 'cancelled' AND OLD.breached_at IS NOT NULL;
    INSERT INTO clock_counts (agreement, org_id, kind, day, stopped, met, elapsed_ms, changes)
        SELECT NEW.agreement, NEW.org_id, NEW.kind, NEW.stopped_at - NEW.stopped_at % 86400000, 1,
            CASE WHEN NEW.breached_at IS NULL THEN 1 ELSE 0 END, 1 * NEW.elapsed_ms, 1
        WHERE NEW.status = 'stopped' AND NEW.stopped_at IS NOT NULL;
    INSERT INTO clock_counts (agreement, org_id, kind, day, breached, changes)
        SELECT NEW.agreement, NEW.org_id, NEW.kind, NEW.breached_at - NEW.breached_at % 86400000,
            1, 1
        WHERE NEW.status <> 'cancelled' AND NEW.breached_at IS NOT NULL;
END;

ALTER TABLE sla_intervals ADD COLUMN group_id BIGINT NOT NULL DEFAULT 0;
