-- Files may belong to one comment (or work note) of the incident; they are
-- then seen exactly by those who see that comment.
ALTER TABLE attachments ADD COLUMN comment_id BIGINT REFERENCES comments (id);
CREATE INDEX attachments_comment ON attachments (comment_id) WHERE comment_id IS NOT NULL;
