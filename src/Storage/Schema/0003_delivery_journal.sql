-- Lock: none that blocks writes: it creates a new table and its index.
-- The delivery journal (GET /v1/deliveries, replay). One row per authentic delivery id (webhook-id): Listo's
-- retries of it count as attempts. The raw body is kept as received, so a later version can replay it.
-- Rows are written in batches shared by concurrent requests (group commit) and purged after the retention.
CREATE TABLE listo_deliveries (
    service_id       text        NOT NULL,
    id               text        NOT NULL,
    type             text        NOT NULL,
    occurred_at      text,
    received_at      timestamptz NOT NULL,
    last_received_at timestamptz NOT NULL,
    attempts         integer     NOT NULL,
    outcome          text        NOT NULL,
    detail           text,
    replayed_at      timestamptz,
    body             bytea       NOT NULL,
    CONSTRAINT listo_deliveries_pkey PRIMARY KEY (service_id, id)
);

-- Listing (oldest first, by received time) and purging (by received time).
CREATE INDEX listo_deliveries_received ON listo_deliveries (service_id, received_at, id);
