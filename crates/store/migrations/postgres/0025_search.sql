-- Search (steward_domain::search): one document per work record and per
-- service, kept in step by triggers in the same transaction as each write,
-- whatever writes the row. `kind` and `org_id` carry what authorisation
-- filters on (a service's org_id is NULL: who may find it is who receives it).
-- PostgreSQL indexes the documents with a tsvector (the `simple`
-- configuration: no stemming, no stop words, accents kept, as SQLite's
-- FTS5 table does) and a GIN index; the number and title weigh more.
-- Kept in step with the other database's 0025_search.sql.
CREATE TABLE search_docs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    org_id BIGINT,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- PostgreSQL's own parser reads `INC-000042` as a word and a negative
    -- number, and e-mail addresses and paths as one word: everything that is
    -- not a letter or a digit becomes a space first, as in SQLite.
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple',
            regexp_replace(number || ' ' || title, '[^[:alnum:]]+', ' ', 'g')), 'A')
        || setweight(to_tsvector('simple', regexp_replace(body, '[^[:alnum:]]+', ' ', 'g')), 'B')
    ) STORED,
    UNIQUE (kind, ref_id)
);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);

CREATE FUNCTION search_records_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_docs WHERE kind = OLD.kind AND ref_id = OLD.id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO search_docs (kind, ref_id, org_id, number, title, body)
            VALUES (NEW.kind, NEW.id, NEW.org_id, NEW.number, NEW.title,
                    NEW.description || ' ' || COALESCE(NEW.resolution_notes, ''));
    ELSE
        UPDATE search_docs SET org_id = NEW.org_id, number = NEW.number, title = NEW.title,
            body = NEW.description || ' ' || COALESCE(NEW.resolution_notes, '')
            WHERE kind = NEW.kind AND ref_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER search_records_insert_delete AFTER INSERT OR DELETE ON work_records
    FOR EACH ROW EXECUTE FUNCTION search_records_trigger();
CREATE TRIGGER search_records_update AFTER UPDATE OF org_id, number, title, description, resolution_notes ON work_records
    FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.number IS DISTINCT FROM NEW.number
        OR OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description
        OR OLD.resolution_notes IS DISTINCT FROM NEW.resolution_notes)
    EXECUTE FUNCTION search_records_trigger();

CREATE FUNCTION search_services_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_docs WHERE kind = 'service' AND ref_id = OLD.id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO search_docs (kind, ref_id, org_id, number, title, body)
            VALUES ('service', NEW.id, NULL, NEW.number, NEW.name, NEW.description);
    ELSE
        UPDATE search_docs SET number = NEW.number, title = NEW.name, body = NEW.description
            WHERE kind = 'service' AND ref_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER search_services_insert_delete AFTER INSERT OR DELETE ON services
    FOR EACH ROW EXECUTE FUNCTION search_services_trigger();
CREATE TRIGGER search_services_update AFTER UPDATE OF number, name, description ON services
    FOR EACH ROW WHEN (OLD.number IS DISTINCT FROM NEW.number OR OLD.name IS DISTINCT FROM NEW.name
        OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION search_services_trigger();

-- What is there already.
INSERT INTO search_docs (kind, ref_id, org_id, number, title, body)
    SELECT kind, id, org_id, number, title, description || ' ' || COALESCE(resolution_notes, '')
    FROM work_records ORDER BY id;
INSERT INTO search_docs (kind, ref_id, org_id, number, title, body)
    SELECT 'service', id, NULL, number, name, description FROM services ORDER BY id;
