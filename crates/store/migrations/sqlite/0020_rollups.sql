-- Counts kept per UTC day as records and SLA clocks are written, so that a
-- period's figures (the management review pack, a customer's service
-- report) sum a few rows per day instead of counting every record of the
-- period. Triggers keep them exact whatever writes the rows (the API, an
-- import, a transition, a deletion): each change adds a row of +1 or -1
-- (`pending`), so that writers never wait for one another's counts; the
-- sweeper folds each day's pending rows into one every minute
-- (`rollups::compact`). Readers add up whatever rows a day has.
-- `changes` counts the changes to a day's clock counts, so that a figure
-- worked out from the clocks of a month (their 90th percentile) can be kept
-- and known to be current while the month's changes have not moved.
-- Kept in step with the other database's 0020_rollups.sql.
CREATE TABLE record_counts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    -- The first millisecond of the UTC day.
    day BIGINT NOT NULL,
    opened BIGINT NOT NULL DEFAULT 0,
    resolved BIGINT NOT NULL DEFAULT 0,
    -- Opened that day and major.
    major BIGINT NOT NULL DEFAULT 0,
    -- Written by a trigger and not folded into the day's row yet.
    pending BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX record_counts_day ON record_counts (kind, day);
CREATE INDEX record_counts_org ON record_counts (kind, org_id, day);
CREATE INDEX record_counts_pending ON record_counts (kind, org_id, day) WHERE pending;

CREATE TABLE clock_counts (
    id INTEGER PRIMARY KEY,
    agreement TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    day BIGINT NOT NULL,
    -- Stopped that day; of them within target; their business time summed.
    stopped BIGINT NOT NULL DEFAULT 0,
    met BIGINT NOT NULL DEFAULT 0,
    elapsed_ms BIGINT NOT NULL DEFAULT 0,
    -- Breached that day (clocks not cancelled).
    breached BIGINT NOT NULL DEFAULT 0,
    changes BIGINT NOT NULL DEFAULT 0,
    pending BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX clock_counts_day ON clock_counts (day);
CREATE INDEX clock_counts_key ON clock_counts (agreement, org_id, kind, day);
CREATE INDEX clock_counts_pending ON clock_counts (agreement, org_id, kind, day) WHERE pending;

-- A month's 90th percentile of the business time of an agreement's stopped
-- clocks (org_id 0: every customer's), as of `changes` (the sum of the
-- month's clock_counts changes when it was worked out).
CREATE TABLE clock_percentiles (
    agreement TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    month_start BIGINT NOT NULL,
    month_end BIGINT NOT NULL,
    changes BIGINT NOT NULL,
    p90_ms BIGINT,
    PRIMARY KEY (agreement, org_id, kind, month_start, month_end)
);

CREATE TRIGGER record_counts_insert AFTER INSERT ON work_records BEGIN
    INSERT INTO record_counts (kind, org_id, day, opened, major)
        VALUES (NEW.kind, NEW.org_id, NEW.opened_at - NEW.opened_at % 86400000, 1, CASE WHEN NEW.major THEN 1 ELSE 0 END);
    INSERT INTO record_counts (kind, org_id, day, resolved)
        SELECT NEW.kind, NEW.org_id, NEW.resolved_at - NEW.resolved_at % 86400000, 1
        WHERE NEW.resolved_at IS NOT NULL;
END;

CREATE TRIGGER record_counts_delete AFTER DELETE ON work_records BEGIN
    INSERT INTO record_counts (kind, org_id, day, opened, major)
        VALUES (OLD.kind, OLD.org_id, OLD.opened_at - OLD.opened_at % 86400000, -1, CASE WHEN OLD.major THEN -1 ELSE 0 END);
    INSERT INTO record_counts (kind, org_id, day, resolved)
        SELECT OLD.kind, OLD.org_id, OLD.resolved_at - OLD.resolved_at % 86400000, -1
        WHERE OLD.resolved_at IS NOT NULL;
END;

CREATE TRIGGER record_counts_update AFTER UPDATE OF kind, org_id, opened_at, resolved_at, major ON work_records
    WHEN OLD.kind IS NOT NEW.kind OR OLD.org_id IS NOT NEW.org_id OR OLD.opened_at IS NOT NEW.opened_at OR OLD.resolved_at IS NOT NEW.resolved_at OR OLD.major IS NOT NEW.major
BEGIN
    INSERT INTO record_counts (kind, org_id, day, opened, major)
        VALUES (OLD.kind, OLD.org_id, OLD.opened_at - OLD.opened_at % 86400000, -1, CASE WHEN OLD.major THEN -1 ELSE 0 END);
    INSERT INTO record_counts (kind, org_id, day, resolved)
        SELECT OLD.kind, OLD.org_id, OLD.resolved_at - OLD.resolved_at % 86400000, -1
        WHERE OLD.resolved_at IS NOT NULL;
    INSERT INTO record_counts (kind, org_id, day, opened, major)
        VALUES (NEW.kind, NEW.org_id, NEW.opened_at - NEW.opened_at % 86400000, 1, CASE WHEN NEW.major THEN 1 ELSE 0 END);
    INSERT INTO record_counts (kind, org_id, day, resolved)
        SELECT NEW.kind, NEW.org_id, NEW.resolved_at - NEW.resolved_at % 86400000, 1
        WHERE NEW.resolved_at IS NOT NULL;
END;

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

-- What is there already.
INSERT INTO record_counts (kind, org_id, day, opened, major, pending)
    SELECT kind, org_id, opened_at - opened_at % 86400000, COUNT(*),
        SUM(CASE WHEN major THEN 1 ELSE 0 END), FALSE
    FROM work_records GROUP BY 1, 2, 3;
INSERT INTO record_counts (kind, org_id, day, resolved, pending)
    SELECT kind, org_id, resolved_at - resolved_at % 86400000, COUNT(*), FALSE
    FROM work_records WHERE resolved_at IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO clock_counts (agreement, org_id, kind, day, stopped, met, elapsed_ms, changes, pending)
    SELECT agreement, org_id, kind, stopped_at - stopped_at % 86400000, COUNT(*),
        SUM(CASE WHEN breached_at IS NULL THEN 1 ELSE 0 END), SUM(elapsed_ms), COUNT(*), FALSE
    FROM sla_clocks WHERE status = 'stopped' AND stopped_at IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO clock_counts (agreement, org_id, kind, day, breached, changes, pending)
    SELECT agreement, org_id, kind, breached_at - breached_at % 86400000, COUNT(*), COUNT(*), FALSE
    FROM sla_clocks WHERE status <> 'cancelled' AND breached_at IS NOT NULL GROUP BY 1, 2, 3, 4;
