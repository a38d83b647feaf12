-- Incoming e-mail (docs/email-in.md): one row per message taken in, whatever
-- became of it, so that a message is never processed twice (the unique key,
-- written in the same transaction as the record or comment it made) and a
-- message that made nothing waits, with its reason and its bytes, in a
-- quarantine that someone reviews. Kept in step with the other database's
-- 0029_mail_in.sql.
CREATE TABLE inbound_mail (
    id INTEGER PRIMARY KEY,
    -- SHA-256 of the sender and Message-ID, or of the bytes when it has none.
    dedup_key TEXT NOT NULL UNIQUE,
    message_id TEXT,
    source TEXT NOT NULL CHECK (source IN ('imap', 'http', 'pipe', 'demo')),
    sender TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('opened', 'replied', 'quarantined')),
    reason TEXT CHECK (reason IN ('malformed', 'auto_reply', 'bulk', 'loop',
        'unknown_sender', 'too_large', 'refused')),
    -- The reason in words, or what was left out (a refused attachment).
    detail TEXT NOT NULL DEFAULT '',
    record_id BIGINT REFERENCES work_records (id),
    -- The message as it came, kept while it is quarantined.
    raw BLOB,
    review TEXT CHECK (review IN ('released', 'dismissed')),
    reviewed_by BIGINT REFERENCES users (id),
    reviewed_at BIGINT
);
-- The quarantine, newest first, and the evidence's count of it.
CREATE INDEX inbound_mail_queue ON inbound_mail (outcome, reviewed_at, id);
-- Replies to a message taken in thread onto its record.
CREATE INDEX inbound_mail_message ON inbound_mail (message_id);
