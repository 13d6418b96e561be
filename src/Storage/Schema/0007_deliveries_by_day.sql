-- Lock: ACCESS EXCLUSIVE on listo_deliveries while every row is copied into its day's partition, which blocks every
--   delivery (each writes a journal row): a maintenance window on a large journal.
-- The delivery journal is partitioned by UTC day of receipt, so that retention drops a day's partition instead of
-- DELETEing millions of rows (30 days at 5 million deliveries a day is 150 million rows).
--
-- Locks: the table is rebuilt under an exclusive lock and every existing row is copied in this transaction; with a
-- large journal, run it in a maintenance window (docs/runbook.md, "Schema migrations").
--
-- A row's partition is the day it was received: received_on, set by the writers from received_at. A retry of a
-- delivery the same day counts as an attempt of its row (the primary key includes the day); a retry that arrives on a
-- later UTC day is a row of its own in that day's partition, and GET /v1/deliveries/{id} merges the rows of an id.
ALTER TABLE listo_deliveries RENAME TO listo_deliveries_0003;
ALTER TABLE listo_deliveries_0003 RENAME CONSTRAINT listo_deliveries_pkey TO listo_deliveries_0003_pkey;
ALTER INDEX listo_deliveries_received RENAME TO listo_deliveries_0003_received;

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
    body             bytea       COMPRESSION lz4 NOT NULL,
    received_on      date        NOT NULL,
    CONSTRAINT listo_deliveries_pkey PRIMARY KEY (service_id, id, received_on)
) PARTITION BY RANGE (received_on);

-- Listing (oldest first, by received time).
CREATE INDEX listo_deliveries_received ON listo_deliveries (service_id, received_at, id);

-- Rows of a day that has no partition yet (the maintenance creates a week ahead, so normally none) land here and are
-- moved into their day's partition when it is created.
CREATE TABLE listo_deliveries_default PARTITION OF listo_deliveries DEFAULT;

-- Creates the partition of day d if it is missing, moving any rows of that day out of the default partition. Safe to
-- call concurrently (an advisory lock), and it waits at most lock_timeout for the locks it needs.
CREATE FUNCTION listo_deliveries_add_day(d date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    name text := 'listo_deliveries_' || to_char(d, 'YYYYMMDD');
BEGIN
    PERFORM pg_advisory_xact_lock(84015792287495); -- 0x4c6973746f07, "Listo" 07
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE listo_deliveries INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMPRESSION)', name);
    IF EXISTS (SELECT 1 FROM listo_deliveries_default WHERE received_on = d) THEN
        LOCK TABLE listo_deliveries_default IN EXCLUSIVE MODE;
        EXECUTE format('WITH moved AS (DELETE FROM listo_deliveries_default WHERE received_on = %L RETURNING *) INSERT INTO %I SELECT * FROM moved', d, name);
    END IF;
    EXECUTE format('ALTER TABLE listo_deliveries ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, d, d + 1);
    RETURN true;
END $$;

-- A partition for every day that holds rows, and for today and the week ahead; then every row, as it was.
SELECT listo_deliveries_add_day(d)
  FROM (SELECT DISTINCT (received_at AT TIME ZONE 'UTC')::date AS d FROM listo_deliveries_0003
        UNION SELECT generate_series((now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date + 7, interval '1 day')::date) days
 ORDER BY d;

INSERT INTO listo_deliveries (service_id, id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail, replayed_at, body, received_on)
SELECT service_id, id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail, replayed_at, body, (received_at AT TIME ZONE 'UTC')::date
  FROM listo_deliveries_0003;

DROP TABLE listo_deliveries_0003;
