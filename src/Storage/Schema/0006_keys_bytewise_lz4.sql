-- Lock: ACCESS EXCLUSIVE on listo_grain_state while its primary key is rebuilt for the new collation, which blocks every
--   delivery and read for as long as the rebuild takes (seconds per million rows): a maintenance window on a large database.
--   SET COMPRESSION only changes the setting for new values (no rewrite). Needs PostgreSQL 14 or later built with lz4.
-- Grain keys compare bytewise: a client's workers are the key range 'worker:{clientId}/' to 'worker:{clientId}0'
-- (a scan of the primary key, the client's worker list derived from the workers' own rows), and bytewise
-- comparison is what the grains mean by a key and is cheaper than the database locale's.
ALTER TABLE listo_grain_state ALTER COLUMN grain_key TYPE text COLLATE "C";

-- Large values (a state, a body, a diff) are compressed with lz4 rather than pglz: pglz_compress was PostgreSQL's
-- top function in the durable benchmark.
ALTER TABLE listo_grain_state ALTER COLUMN payload SET COMPRESSION lz4;
ALTER TABLE listo_changes ALTER COLUMN fields SET COMPRESSION lz4;
ALTER TABLE listo_changes ALTER COLUMN content SET COMPRESSION lz4;
ALTER TABLE listo_deliveries ALTER COLUMN body SET COMPRESSION lz4;
