-- Search (steward_domain::search): one document per work record and per
-- service, kept in step by triggers in the same transaction as each write,
-- whatever writes the row. `kind` and `org_id` carry what authorisation
-- filters on (a service's org_id is NULL: who may find it is who receives it).
-- SQLite indexes the documents with FTS5 (external content: the text is
-- kept once, in search_docs); PostgreSQL with a tsvector and a GIN index.
-- Both split words at everything that is not a letter or a digit and keep
-- accents, so a query finds the same documents on either.
-- Kept in step with the other database's 0025_search.sql.
CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    org_id BIGINT,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (kind, ref_id)
);
CREATE VIRTUAL TABLE search_fts USING fts5(
    number, title, body,
    content = 'search_docs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER search_docs_insert AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts (rowid, number, title, body)
        VALUES (NEW.id, NEW.number, NEW.title, NEW.body);
END;
CREATE TRIGGER search_docs_delete AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, number, title, body)
        VALUES ('delete', OLD.id, OLD.number, OLD.title, OLD.body);
END;
CREATE TRIGGER search_docs_update AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, number, title, body)
        VALUES ('delete', OLD.id, OLD.number, OLD.title, OLD.body);
    INSERT INTO search_fts (rowid, number, title, body)
        VALUES (NEW.id, NEW.number, NEW.title, NEW.body);
END;

-- A work record's document: its number, title, description and resolution.
CREATE TRIGGER search_records_insert AFTER INSERT ON work_records BEGIN
    INSERT INTO search_docs (kind, ref_id, org_id, number, title, body)
        VALUES (NEW.kind, NEW.id, NEW.org_id, NEW.number, NEW.title,
                NEW.description || ' ' || COALESCE(NEW.resolution_notes, ''));
END;
CREATE TRIGGER search_records_update AFTER UPDATE OF org_id, number, title, description, resolution_notes ON work_records
    WHEN OLD.org_id IS NOT NEW.org_id OR OLD.number IS NOT NEW.number OR OLD.title IS NOT NEW.title
        OR OLD.description IS NOT NEW.description OR OLD.resolution_notes IS NOT NEW.resolution_notes
BEGIN
    UPDATE search_docs SET org_id = NEW.org_id, number = NEW.number, title = NEW.title,
        body = NEW.description || ' ' || COALESCE(NEW.resolution_notes, '')
        WHERE kind = NEW.kind AND ref_id = NEW.id;
END;
CREATE TRIGGER search_records_delete AFTER DELETE ON work_records BEGIN
    DELETE FROM search_docs WHERE kind = OLD.kind AND ref_id = OLD.id;
END;

-- A service's document: its number, name and description.
CREATE TRIGGER search_services_insert AFTER INSERT ON services BEGIN
    INSERT INTO search_docs (kind, ref_id, org_id, number, title, body)
        VALUES ('service', NEW.id, NULL, NEW.number, NEW.name, NEW.description);
END;
CREATE TRIGGER search_services_update AFTER UPDATE OF number, name, description ON services
    WHEN OLD.number IS NOT NEW.number OR OLD.name IS NOT NEW.name OR OLD.description IS NOT NEW.description
BEGIN
    UPDATE search_docs SET number = NEW.number, title = NEW.name, body = NEW.description
        WHERE kind = 'service' AND ref_id = NEW.id;
END;
CREATE TRIGGER search_services_delete AFTER DELETE ON services BEGIN
    DELETE FROM search_docs WHERE kind = 'service' AND ref_id = OLD.id;
END;

-- What is there already.
INSERT INTO search_docs (kind, ref_id, org_id, number, title, body)
    SELECT kind, id, org_id, number, title, description || ' ' || COALESCE(resolution_notes, '')
    FROM work_records ORDER BY id;
INSERT INTO search_docs (kind, ref_id, org_id, number, title, body)
    SELECT 'service', id, NULL, number, name, description FROM services ORDER BY id;
