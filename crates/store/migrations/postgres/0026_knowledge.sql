-- Knowledge articles (ISO/IEC 20000-1 7.6), a kind of the work-record kernel
-- (ADR 0010, ADR 0020). The work record's title and description are what
-- readers see (the live version, or the draft before the first
-- publication), so the search index (0025) holds that text; the newest
-- version's text, its author and reviewer are here, every saved version in
-- article_versions, the organisations of the audience "customers" in
-- article_orgs, and each reader's "this helped" in article_feedback.
-- Kept in step with the other database's 0026_knowledge.sql.
CREATE TABLE article_details (
    record_id BIGINT PRIMARY KEY REFERENCES work_records (id),
    audience TEXT NOT NULL CHECK (audience IN ('staff', 'customers', 'everyone')),
    draft_title TEXT NOT NULL,
    draft_body TEXT NOT NULL,
    version BIGINT NOT NULL,
    author_id BIGINT REFERENCES users (id),
    reviewed_by BIGINT REFERENCES users (id),
    -- The version readers see: none before the first publication and once retired.
    live_version BIGINT,
    published_at BIGINT
);
CREATE TABLE article_orgs (
    record_id BIGINT NOT NULL REFERENCES work_records (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (record_id, org_id)
);
CREATE INDEX article_orgs_org ON article_orgs (org_id, record_id);
CREATE TABLE article_versions (
    record_id BIGINT NOT NULL REFERENCES work_records (id),
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (record_id, version)
);
CREATE TABLE article_feedback (
    record_id BIGINT NOT NULL REFERENCES work_records (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    helpful BOOLEAN NOT NULL,
    given_at BIGINT NOT NULL,
    PRIMARY KEY (record_id, user_id)
);
CREATE SEQUENCE number_kb;
