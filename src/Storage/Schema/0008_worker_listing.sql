-- Lock: ACCESS EXCLUSIVE on listo_grain_state for an instant (a nullable column without a default: no rewrite), then
--   a row lock on every worker row until the UPDATE commits: deliveries to existing workers wait meanwhile (new
--   workers, persons and clients go on); on a large table that is about a minute per million workers: off-peak.
-- A worker's line in its client's worker list ([workerProfileId, fullName, eventId, occurredAtText]; the worker id is
-- the key's tail), written by storage with the worker's state (the storage engine in the
-- same statement, Orleans' ADO.NET provider right after it): GET /v1/clients/{c}/workers reads this column, never
-- the grain state's JSON. Rows written before this migration get their line from the snapshot they hold, once.
ALTER TABLE listo_grain_state ADD COLUMN IF NOT EXISTS listing text;

UPDATE listo_grain_state
   SET listing = json_build_array(
           payload->'snapshot'->>'workerProfileId',
           payload->'snapshot'->>'fullName',
           payload->'snapshot'->'stamp'->>'eventId',
           payload->'snapshot'->'stamp'->>'occurredAtText')::text
 WHERE state_name = 'worker' AND listing IS NULL AND json_typeof(payload->'snapshot') = 'object';
