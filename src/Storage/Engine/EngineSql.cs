namespace Listo.Orleans.Storage;

/// <summary>
/// The engine's statements. They are prepared, so PostgreSQL may cache one generic plan for each, built with the
/// statistics of the moment; a plan built while <c>listo_grain_state</c> was nearly empty (a hash join over a
/// sequential scan, or an index scan on the key's prefix) was kept while the table grew, and each read or flush
/// then scanned it (PostgreSQL CPU 4 to 8× per delivery, docs/performance.md). So every row is found by its whole
/// key in a <c>LATERAL … LIMIT 1</c> lookup, which no plan can turn into a scan, and the engine's sessions have
/// sequential scans off (<see cref="DedicatedConnection"/>).
/// </summary>
internal static class EngineSql
{
    /// <summary>
    /// One flush in one statement (so one round trip and one implicit transaction). State rows carry their expected
    /// version: a row whose version moved is not written and is missing from the result (a conflict for that grain
    /// alone), and the feed and journal rows it owns are not written either; everything else commits. String-keyed
    /// grains have <c>grain_id_n0 = grain_id_n1 = 0</c>, as Orleans' ADO.NET provider stores them. A worker's directory line
    /// (<c>listing</c>, the last parameter) is written with its state; a write without one keeps the row's.
    /// </summary>
    public static readonly string Flush = $"""
        WITH input AS (
            SELECT * FROM unnest($2::int[], $3::text[], $4::text[], $5::bytea[], $6::int[], $7::bool[], $28::text[])
                AS i (ord, state_name, grain_key, payload, expected, clear, listing)
        ),
        inserted AS (
            INSERT INTO listo_grain_state AS s (service_id, state_name, grain_id_n0, grain_id_n1, grain_key, payload, version, listing)
            SELECT $1, i.state_name, 0, 0, i.grain_key, convert_from(i.payload, 'UTF8')::json, 1, i.listing
              FROM input i WHERE i.expected IS NULL AND NOT i.clear
             ORDER BY i.ord
            ON CONFLICT DO NOTHING
            RETURNING s.state_name, s.grain_key, s.version
        ),
        updated AS (
            -- Each row is found by its whole key (a lookup per input row, whatever the plan cache holds), then
            -- updated by its tuple id; a row another transaction changed meanwhile fails the recheck: a conflict.
            UPDATE listo_grain_state AS s
               SET payload = CASE WHEN m.clear THEN NULL ELSE convert_from(m.payload, 'UTF8')::json END,
                   listing = CASE WHEN m.clear THEN NULL ELSE COALESCE(m.listing, s.listing) END,
                   version = s.version + 1, modified_at = now()
              FROM (SELECT i.payload, i.clear, i.listing, held.row_id
                      FROM input i
                     CROSS JOIN LATERAL (
                           SELECT r.ctid AS row_id FROM listo_grain_state r
                            WHERE r.service_id = $1 AND r.state_name = i.state_name AND r.grain_id_n0 = 0 AND r.grain_id_n1 = 0
                              AND r.grain_key = i.grain_key AND r.version = i.expected
                            LIMIT 1) held
                     WHERE i.expected IS NOT NULL) m
             WHERE s.ctid = m.row_id
            RETURNING s.state_name, s.grain_key, s.version
        ),
        written AS (
            SELECT i.ord, w.version
              FROM input i JOIN (SELECT * FROM inserted UNION ALL SELECT * FROM updated) w
                ON w.state_name = i.state_name AND w.grain_key = i.grain_key
        ),
        feed AS (
            INSERT INTO listo_changes (service_id, entity_type, entity_key, event_id, client_id, worker_id, worker_profile_id, occurred_at, fields, content)
            SELECT $1, f.entity_type, f.entity_key, f.event_id, f.client_id, f.worker_id, f.worker_profile_id, f.occurred_at, f.fields, f.content
              FROM unnest($8::int[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::jsonb[], $17::jsonb[])
                AS f (owner, entity_type, entity_key, event_id, client_id, worker_id, worker_profile_id, occurred_at, fields, content)
             WHERE f.owner = 0 OR f.owner IN (SELECT ord FROM written)
            ON CONFLICT ON CONSTRAINT listo_changes_once DO NOTHING
        ),
        journal AS (
            INSERT INTO listo_deliveries AS held (service_id, id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail, body, received_on)
            SELECT $1, e.id, e.type, e.occurred_at, e.received_at, e.last_received_at, e.attempts, e.outcome, e.detail, e.body, (e.received_at AT TIME ZONE 'UTC')::date
              FROM unnest($18::int[], $19::text[], $20::text[], $21::text[], $22::timestamptz[], $23::timestamptz[], $24::int[], $25::text[], $26::text[], $27::bytea[])
                AS e (owner, id, type, occurred_at, received_at, last_received_at, attempts, outcome, detail, body)
             WHERE e.owner = 0 OR e.owner IN (SELECT ord FROM written)
            ON CONFLICT ON CONSTRAINT listo_deliveries_pkey DO UPDATE SET
                attempts = held.attempts + excluded.attempts,
                last_received_at = GREATEST(held.last_received_at, excluded.last_received_at),
                outcome = CASE WHEN {SupersedesBy("excluded.outcome")} THEN excluded.outcome ELSE held.outcome END,
                detail = CASE WHEN {SupersedesBy("excluded.outcome")} THEN excluded.detail ELSE held.detail END
        )
        SELECT ord, version FROM written
        """;

    /// <summary>Many grains' states in one statement; a grain with no row is absent from the result.</summary>
    public const string Read = """
        SELECT i.ord, convert_to(s.payload::text, 'UTF8'), s.version
          FROM unnest($2::int[], $3::text[], $4::text[]) AS i (ord, state_name, grain_key)
         CROSS JOIN LATERAL (
               SELECT t.payload, t.version FROM listo_grain_state t
                WHERE t.service_id = $1 AND t.state_name = i.state_name AND t.grain_id_n0 = 0 AND t.grain_id_n1 = 0 AND t.grain_key = i.grain_key
                LIMIT 1) s
        """;

    /// <summary>The journal's outcome rule (<see cref="Grains.JournalOutcomes.SupersedesSql"/>) for the row <c>held</c> and the new outcome in <paramref name="column"/>.</summary>
    public static string SupersedesBy(string column) => Grains.JournalOutcomes.SupersedesSql("held.outcome", column);
}
