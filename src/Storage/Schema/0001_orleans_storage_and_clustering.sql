-- Lock: none that running silos wait on: it creates tables in a new database (silos refuse to start before it).
-- Listo.Orleans schema, version 1: Orleans ADO.NET clustering and grain storage on PostgreSQL.
-- Written for this project against the providers' query contract (the OrleansQuery table, its keys,
-- parameters and result columns). Applied by `Listo.Orleans.Silo migrate`, never by silos at run time.

-- The providers read their SQL from here at start-up.
CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

------------------------------------------------------------------------------------------------------------
-- Clustering: one version row per cluster (deployment) and one row per silo incarnation.
------------------------------------------------------------------------------------------------------------
CREATE TABLE listo_membership_version
(
    deployment_id text        NOT NULL PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE listo_membership
(
    deployment_id   text        NOT NULL REFERENCES listo_membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL DEFAULT 0,
    suspect_times   text        NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

------------------------------------------------------------------------------------------------------------
-- Grain storage. One row per (service, state name, grain). The primary key is the unique constraint the
-- upstream table lacks: two concurrent first writes cannot both insert; the loser writes nothing and the
-- provider reports a version conflict. The payload is json (not jsonb) so snapshots stay byte-for-byte.
------------------------------------------------------------------------------------------------------------
CREATE TABLE listo_grain_state
(
    service_id   text        NOT NULL,
    state_name   text        NOT NULL,
    grain_id_n0  bigint      NOT NULL,
    grain_id_n1  bigint      NOT NULL,
    grain_key    text        NOT NULL,
    payload      json        NULL,
    version      integer     NOT NULL,
    modified_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, state_name, grain_id_n0, grain_id_n1, grain_key)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $q$
    WITH inserted AS (
        INSERT INTO listo_membership_version (deployment_id) VALUES (@DeploymentId)
        ON CONFLICT (deployment_id) DO NOTHING
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM inserted);
$q$),
('InsertMembershipKey', $q$
    WITH bumped AS (
        UPDATE listo_membership_version
           SET version = version + 1, updated_at = now()
         WHERE deployment_id = @DeploymentId AND version = @Version
           AND NOT EXISTS (SELECT 1 FROM listo_membership
                            WHERE deployment_id = @DeploymentId AND address = @Address
                              AND port = @Port AND generation = @Generation)
        RETURNING deployment_id),
    inserted AS (
        INSERT INTO listo_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                      proxy_port, start_time, i_am_alive_time)
        SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
               @ProxyPort, @StartTime, @IAmAliveTime
          FROM bumped
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM inserted);
$q$),
('UpdateMembershipKey', $q$
    WITH bumped AS (
        UPDATE listo_membership_version
           SET version = version + 1, updated_at = now()
         WHERE deployment_id = @DeploymentId AND version = @Version
           AND EXISTS (SELECT 1 FROM listo_membership
                        WHERE deployment_id = @DeploymentId AND address = @Address
                          AND port = @Port AND generation = @Generation)
        RETURNING deployment_id),
    updated AS (
        UPDATE listo_membership m
           SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
          FROM bumped
         WHERE m.deployment_id = bumped.deployment_id AND m.address = @Address
           AND m.port = @Port AND m.generation = @Generation
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM updated);
$q$),
('UpdateIAmAlivetimeKey', $q$
    UPDATE listo_membership
       SET i_am_alive_time = @IAmAliveTime
     WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
$q$),
('MembershipReadRowKey', $q$
    SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
           m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
           m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
      FROM listo_membership_version v
      LEFT JOIN listo_membership m
        ON m.deployment_id = v.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
     WHERE v.deployment_id = @DeploymentId;
$q$),
('MembershipReadAllKey', $q$
    SELECT v.version AS "Version", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
           m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
           m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
      FROM listo_membership_version v
      LEFT JOIN listo_membership m ON m.deployment_id = v.deployment_id
     WHERE v.deployment_id = @DeploymentId;
$q$),
('GatewaysQueryKey', $q$
    SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
      FROM listo_membership
     WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM listo_membership_version WHERE deployment_id = @DeploymentId;
$q$),
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM listo_membership
     WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status = 6;
$q$),
('ReadFromStorageKey', $q$
    SELECT convert_to(payload::text, 'UTF8') AS "PayloadBinary", version AS "Version"
      FROM listo_grain_state
     WHERE service_id = @ServiceId AND state_name = @GrainTypeString
       AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
       AND grain_key = coalesce(@GrainIdExtensionString, '');
$q$),
('WriteToStorageKey', $q$
    WITH inserted AS (
        INSERT INTO listo_grain_state (service_id, state_name, grain_id_n0, grain_id_n1, grain_key, payload, version)
        SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, coalesce(@GrainIdExtensionString, ''),
               convert_from(@PayloadBinary, 'UTF8')::json, 1
         WHERE CAST(@GrainStateVersion AS integer) IS NULL
        ON CONFLICT DO NOTHING
        RETURNING version),
    updated AS (
        UPDATE listo_grain_state
           SET payload = convert_from(@PayloadBinary, 'UTF8')::json, version = version + 1, modified_at = now()
         WHERE CAST(@GrainStateVersion AS integer) IS NOT NULL
           AND service_id = @ServiceId AND state_name = @GrainTypeString
           AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
           AND grain_key = coalesce(@GrainIdExtensionString, '')
           AND version = CAST(@GrainStateVersion AS integer)
        RETURNING version)
    SELECT (SELECT version FROM inserted UNION ALL SELECT version FROM updated LIMIT 1) AS "NewGrainStateVersion";
$q$),
('ClearStorageKey', $q$
    UPDATE listo_grain_state
       SET payload = NULL, version = version + 1, modified_at = now()
     WHERE service_id = @ServiceId AND state_name = @GrainTypeString
       AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
       AND grain_key = coalesce(@GrainIdExtensionString, '')
       AND version = CAST(@GrainStateVersion AS integer)
    RETURNING version AS "Version";
$q$);
