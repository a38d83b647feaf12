-- An assignment group may have a manager: a member of the provider's staff
-- who hears of the group's escalations and answers for its OLA.
ALTER TABLE assignment_groups ADD COLUMN manager_id BIGINT REFERENCES users (id);
