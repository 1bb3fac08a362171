package dev.parity.ingest.engine;

import dev.parity.ingest.debezium.PositionFormat;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.ingest.jdbc.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Everything engine-specific about one side: prerequisites, introspection, the heartbeat dialect and
 * the Debezium connector. Implementations write to a database only where their Javadoc says so.
 */
public interface DatabaseAdapter {
    Engine engine();

    Endpoint endpoint();

    /** Fails with the setting to change when this server cannot be captured as its side. */
    void checkCapturable(Connection c, CaptureNames names) throws SQLException;

    /** Every user table, as {@code namespace.table} (PostgreSQL schema, MySQL/MariaDB database). */
    List<TableInfo> tables(Connection c) throws SQLException;

    /** The heartbeat table's qualified name on this side, from the configured (maybe unqualified) name. */
    String heartbeatTable(String configured);

    /** Source only: creates and seeds the heartbeat table when missing. Returns problems that do not stop Parity. */
    List<String> prepareHeartbeatOnSource(Connection c, String table, String parityPublication) throws SQLException;

    /** Target only, writes nothing: fails when the heartbeat table cannot arrive; returns lesser problems. */
    List<String> checkHeartbeatOnTarget(Connection c, String table) throws SQLException;

    /**
     * What the connected user lacks of the privileges Parity needs on this server (README, "Setting up: parity
     * setup"), each as "what: the GRANT that gives it": reading each watched table (tried, so grants through roles
     * count) and streaming changes. Empty when nothing is missing; only what is certainly missing is listed.
     *
     * @param tables this side's watched tables, {@code namespace.table}
     * @param user   the configured user, named in the GRANT statements
     */
    List<String> missingPrivileges(Connection c, List<String> tables, String user) throws SQLException;

    /** Writes one heartbeat (or fence) and returns the seq the database assigned. */
    long beat(Connection c, String table, long writtenAtMicros, String fenceId) throws SQLException;

    /** Creates what capture needs on this server (PostgreSQL: Parity's publication over {@code tables}). */
    void prepareCapture(Connection c, CaptureNames names, List<String> tables) throws SQLException;

    /** Debezium embedded engine properties capturing {@code tables}. */
    Properties debezium(CaptureNames names, List<String> tables, Map<String, String> overrides);

    PositionFormat positions();

    /** The server settings that decide how values are stored and read (time zone, strictness, encoding). */
    Map<String, String> settings(Connection c) throws SQLException;

    /**
     * Target only: why this replica may apply transactions out of the source's commit order, or null
     * when order is assured (then a verdict needs no extra heartbeats).
     */
    default String applyOrderRisk(Connection c) throws SQLException {
        return null;
    }

    /**
     * What Parity created on this server that still exists, one description each (for {@code parity
     * cleanup}). The heartbeat table counts on the source, and on a PostgreSQL target where {@code parity setup} made
     * it (that one is dropped by {@code Cleanup}, last and only when the user's subscription can no longer need it).
     */
    List<String> created(Connection c, CaptureNames names, String heartbeatTable) throws SQLException;

    /** Drops what {@link #created} lists; the heartbeat table only when named (not null). A replication slot still in use is refused by the server. */
    void dropCreated(Connection c, CaptureNames names, String heartbeatTable) throws SQLException;

    /** The structure of the given tables ({@code namespace.table}), for schema parity. */
    default Map<String, dev.parity.ingest.schema.TableSchema> schema(Connection c, List<String> tables) throws SQLException {
        return (engine() == Engine.POSTGRESQL ? new dev.parity.ingest.schema.PostgresSchemaReader()
                : new dev.parity.ingest.schema.BinlogSchemaReader()).read(c, tables);
    }

    /**
     * The database's own estimate of each table's row count (PostgreSQL {@code pg_class.reltuples},
     * MySQL/MariaDB {@code information_schema.TABLES.TABLE_ROWS}), for snapshot progress; tables
     * without an estimate are left out.
     */
    default Map<String, Long> estimatedRows(Connection c) throws SQLException {
        String sql = engine() == Engine.POSTGRESQL
                ? "SELECT n.nspname || '.' || c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.reltuples >= 0"
                : "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME), TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'"
                        + " AND TABLE_ROWS IS NOT NULL AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')";
        Map<String, Long> out = new java.util.TreeMap<>();
        try (java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** The DDL of the heartbeat table, for users who create it themselves. */
    default String heartbeatDdl(String table) {
        return dev.parity.ingest.jdbc.HeartbeatWriter.ddl(table);
    }

    static DatabaseAdapter of(Engine engine, Endpoint endpoint) {
        return engine == Engine.POSTGRESQL ? new PostgresAdapter(endpoint) : new BinlogAdapter(engine, endpoint);
    }
}
