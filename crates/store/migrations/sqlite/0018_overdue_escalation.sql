-- Escalation of open records past their target date (kinds that escalate,
-- steward_domain::kind::Kind::escalates_when_overdue): the target date last
-- escalated, so that each target date is escalated once and a target moved
-- escalates again when it passes. Records already overdue when this runs
-- count as escalated, so that an upgrade does not send every old overdue
-- record's escalation at once. Kept in step with the other database's
-- 0018_overdue_escalation.sql.
ALTER TABLE work_records ADD COLUMN overdue_escalated_target BIGINT;
UPDATE work_records SET overdue_escalated_target = target_at
    WHERE target_at IS NOT NULL AND target_at < CAST(strftime('%s', 'now') AS BIGINT) * 1000
    AND state_category IN ('new', 'active', 'waiting');
CREATE INDEX work_records_open_target ON work_records (target_at)
    WHERE target_at IS NOT NULL AND state_category IN ('new', 'active', 'waiting');
