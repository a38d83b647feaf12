-- SLA clocks (steward_domain::sla): the response and resolution clock of each
-- incident that an agreement covers, and every closed interval in which a
-- clock counted. incidents.sla_due_at is the nearest due time of a running
-- clock (253402207200000, the end of the year 9999, when none runs), for the queue
-- sorted by time left. next_at is when the sweep has something to mark
-- (warning point, then due time).
CREATE TABLE sla_clocks (
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    kind TEXT NOT NULL CHECK (kind IN ('response', 'resolution')),
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
    -- Why a breached clock missed its target, as staff recorded it.
    breach_reason TEXT,
    PRIMARY KEY (incident_id, kind)
);
CREATE INDEX sla_clocks_next ON sla_clocks (next_at) WHERE next_at IS NOT NULL;
-- The SLA report (per agreement and month) and the evidence checks.
CREATE INDEX sla_clocks_agreement_stopped ON sla_clocks (agreement, stopped_at);
CREATE INDEX sla_clocks_stopped ON sla_clocks (stopped_at) WHERE status = 'stopped';
CREATE INDEX sla_clocks_breached ON sla_clocks (breached_at) WHERE breached_at IS NOT NULL;

CREATE TABLE sla_intervals (
    id INTEGER PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    kind TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    business_ms BIGINT NOT NULL,
    ended_by TEXT NOT NULL
);
CREATE INDEX sla_intervals_incident ON sla_intervals (incident_id, id);

ALTER TABLE incidents ADD COLUMN sla_due_at BIGINT NOT NULL DEFAULT 253402207200000;
CREATE INDEX incidents_open_due ON incidents (sla_due_at, id)
WHERE state IN ('new', 'in_progress', 'on_hold');
