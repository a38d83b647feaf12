-- Service reports (ISO/IEC 20000-1 9.4): what was issued to a customer for a
-- period, kept as issued. The body is the report's model as JSON, from
-- which the page, the PDF and the CSV are rendered again; its SHA-256 lets
-- anyone check that it was not changed (the API serves the body as kept).
-- One report per customer and period, the period written one way
-- (steward_domain::review::period_label).
-- Kept in step with the other database's 0017_service_reports.sql.
CREATE TABLE service_reports (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    -- As asked: 2026-11, 2026-Q3, 2026 or 2026-07-01..2026-09-30.
    period TEXT NOT NULL,
    -- Its first and last day (YYYY-MM-DD, both included).
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    -- Who issued it: the user, or none when Steward did; and as the audit
    -- trail names them ("Steward (monthly)", "steward report service").
    issued_by BIGINT REFERENCES users (id),
    issuer TEXT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    UNIQUE (org_id, period)
);
CREATE INDEX service_reports_issued ON service_reports (issued_at, id);

-- A customer's figures per month: resolved incidents, clocks and ratings of
-- one organisation over a period, read from an index range.
CREATE INDEX work_records_org_resolved ON work_records (kind, org_id, resolved_at);
-- Every customer's resolutions in a period (the review pack and its trend):
-- without it PostgreSQL read every incident for each count (1.3 s for a
-- year's pack at 1,000,000 incidents).
CREATE INDEX work_records_resolved ON work_records (kind, resolved_at)
    WHERE resolved_at IS NOT NULL;
CREATE INDEX sla_clocks_org_stopped ON sla_clocks (org_id, agreement, stopped_at);
CREATE INDEX ratings_org_rated ON ratings (org_id, rated_at);
