-- Durable background jobs (outbox): written in the transaction of the event
-- that causes them, claimed with a lease (FOR UPDATE SKIP LOCKED on
-- PostgreSQL), completed only by the claim that holds them, retried with
-- back-off, and dead after max_attempts failures.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- The record whose event caused the job (an incident's id), if any.
    record_id BIGINT,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    claim TEXT,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_queued ON jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_state ON jobs (state, id);

-- Each finished attempt of a job: completed or failed, by which worker.
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    job_id BIGINT NOT NULL REFERENCES jobs (id),
    attempt BIGINT NOT NULL,
    worker TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'failed')),
    error TEXT
);
CREATE INDEX job_runs_job ON job_runs (job_id, id);

-- Notification preferences: the events (steward_domain::notify::Event) a
-- user chose not to hear of, comma-separated.
ALTER TABLE users ADD COLUMN notify_muted TEXT NOT NULL DEFAULT '';
