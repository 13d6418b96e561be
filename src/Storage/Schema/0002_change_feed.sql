-- Lock: none that blocks writes: it creates a new table and its indexes.
-- The change feed (GET /v1/changes). One row per change of one entity, written once whatever the retries:
-- the unique key is the entity and the event id that changed it.
--
-- Order and cursor: (tx, id), where tx is the writing transaction's id. Readers see only rows whose
-- transaction is older than every transaction still running (pg_snapshot_xmin), so a row can never commit
-- behind a cursor that was already handed out; a bigserial alone would allow that.
CREATE TABLE listo_changes (
    id                bigserial   NOT NULL PRIMARY KEY,
    tx                xid8        NOT NULL DEFAULT pg_current_xact_id(),
    service_id        text        NOT NULL,
    entity_type       text        NOT NULL,
    entity_key        text        NOT NULL,
    event_id          text        NOT NULL,
    client_id         text,
    worker_id         text,
    worker_profile_id text,
    occurred_at       text        NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    fields            jsonb       NOT NULL,
    CONSTRAINT listo_changes_once UNIQUE (service_id, entity_type, entity_key, event_id)
);

CREATE INDEX listo_changes_feed ON listo_changes (service_id, tx, id);
