package dev.parity.ingest.debezium;

import dev.parity.ingest.engine.CaptureNames;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.DatabaseException;
import dev.parity.ingest.jdbc.Endpoint;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Debezium MySQL and MariaDB connector settings for one side: file schema history, Parity's server id, the watched
 * tables, precise types, and TLS as the side's URL asks for it ({@link BinlogTls}). The binlog counterpart of
 * {@link PostgresConnectorProperties}.
 */
public final class BinlogConnectorProperties {
    private BinlogConnectorProperties() {
    }

    /**
     * @param tables   schema.table names to capture (the heartbeat table included)
     * @param overrides extra Debezium properties from the config; they win
     */
    public static Properties of(Engine engine, Endpoint endpoint, CaptureNames names, List<String> tables, Map<String, String> overrides) {
        Properties p = CommonConnectorProperties.of(names.engineName(), engine == Engine.MARIADB
                        ? "io.debezium.connector.mariadb.MariaDbConnector" : "io.debezium.connector.mysql.MySqlConnector",
                endpoint, engine.defaultPort(), names.offsets(endpoint.side()));
        p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
        p.setProperty("schema.history.internal.file.filename", names.stateDir().resolve(endpoint.side().label() + ".schema-history").toString());
        // DDL events tell status about structure changes at once (RecordMapper.onSchemaChange); they carry no rows.
        p.setProperty("include.schema.changes", "true");
        p.setProperty("database.server.id", Long.toString(names.serverId()));
        p.setProperty("database.include.list", tables.stream().map(t -> Pattern.quote(t.substring(0, t.indexOf('.'))))
                .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining(",")));
        p.setProperty("table.include.list", tables.stream().map(Pattern::quote).collect(Collectors.joining(",")));
        // A replica with local writes in the replication's GTID domain (exactly the target-only writes Parity
        // exists to catch) leaves an offset GTID like 0-2-44 that Debezium 3.5's MariaDB connector compares by
        // domain AND server id against the server's gtid_binlog_pos (0-1-60), calls "no longer available"
        // and refuses to resume (debezium/dbz#1672, fixed after 3.5, the last MariaDB connector on Maven
        // Central). when_needed re-snapshots instead of staying down; rows deleted meanwhile are found by the
        // verification sweep.
        p.setProperty("snapshot.mode", "when_needed");
        p.setProperty("bigint.unsigned.handling.mode", "precise");
        p.setProperty("converters", "boolean");
        p.setProperty("boolean.type", "io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter");
        p.setProperty("connect.keep.alive", "true");
        // TLS as the side's URL asks for it, on the connector's JDBC connections and on its binlog stream (README, "Security").
        try {
            BinlogTls.properties(engine, endpoint.urlParameters(),
                    names.stateDir().resolve(endpoint.side().label() + ".truststore.p12")).forEach(p::setProperty);
        } catch (java.io.IOException e) {
            throw new DatabaseException(endpoint.side().label() + ".url: the capture cannot use its TLS settings: " + e.getMessage(), e);
        }
        overrides.forEach(p::setProperty);
        return p;
    }
}
