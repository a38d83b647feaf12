-- Escalation of open records past their target date (kinds that escalate,
-- steward_domain::kind::Kind::escalates_when_overdue): when it was last
-- escalated, so that each target date is escalated once and a target moved
-- later escalates again. Kept in step with the other database's
-- 0018_overdue_escalation.sql.
ALTER TABLE work_records ADD COLUMN overdue_escalated_at BIGINT;
CREATE INDEX work_records_open_target ON work_records (target_at)
    WHERE target_at IS NOT NULL AND state_category IN ('new', 'active', 'waiting');
