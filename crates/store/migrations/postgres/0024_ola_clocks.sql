-- OLA clocks (steward_domain::sla): besides the SLA's response and resolution
-- clocks, each assignment group that holds an incident and has an OLA gets
-- its own pair, measuring the group's part. `group_id` names the group (0 for
-- the SLA's clocks) and joins the key, so an incident keeps one pair per group
-- it visited. Intervals say whose clock they counted for.
-- Kept in step with the other database's 0024_ola_clocks.sql.
ALTER TABLE sla_clocks ADD COLUMN group_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sla_clocks DROP CONSTRAINT sla_clocks_pkey;
ALTER TABLE sla_clocks ADD PRIMARY KEY (record_id, kind, group_id);
ALTER TABLE sla_intervals ADD COLUMN group_id BIGINT NOT NULL DEFAULT 0;
