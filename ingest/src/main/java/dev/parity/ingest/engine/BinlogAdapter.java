package dev.parity.ingest.engine;

import dev.parity.ingest.debezium.PositionFormat;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.jdbc.DatabaseException;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.reconciler.model.Side;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * MySQL and MariaDB: binlog capture with Debezium's MySQL or MariaDB connector. Writes: the heartbeat
 * table and its row on the source only; replication carries both (DDL included) to the target.
 */
final class BinlogAdapter implements DatabaseAdapter {
    private static final String TABLES = """
            SELECT t.TABLE_SCHEMA, t.TABLE_NAME,
                   (SELECT GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION)
                      FROM information_schema.KEY_COLUMN_USAGE k
                     WHERE k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME AND k.CONSTRAINT_NAME = 'PRIMARY') AS pk
              FROM information_schema.TABLES t
             WHERE t.TABLE_TYPE = 'BASE TABLE'
               AND t.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
             ORDER BY 1, 2""";

    private final Engine engine;
    private final Endpoint endpoint;

    BinlogAdapter(Engine engine, Endpoint endpoint) {
        this.engine = engine;
        this.endpoint = endpoint;
    }

    @Override
    public Engine engine() {
        return engine;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public void checkCapturable(Connection c, CaptureNames names) throws SQLException {
        Map<String, String> v = variables(c, "log_bin", "binlog_format", "binlog_row_image", "server_id", "log_slave_updates", "log_replica_updates");
        List<String> fixes = new ArrayList<>();
        if (!"ON".equalsIgnoreCase(v.get("log_bin"))) {
            fixes.add("log_bin is " + v.get("log_bin") + ": start the server with --log-bin");
        }
        if (!"ROW".equalsIgnoreCase(v.get("binlog_format"))) {
            fixes.add("binlog_format is " + v.get("binlog_format") + ": set binlog_format=ROW");
        }
        if (!"FULL".equalsIgnoreCase(v.get("binlog_row_image"))) {
            fixes.add("binlog_row_image is " + v.get("binlog_row_image") + ": set binlog_row_image=FULL");
        }
        if (String.valueOf(names.serverId()).equals(v.get("server_id"))) {
            fixes.add("the server's own server_id is " + v.get("server_id") + ", the id Parity's capture would use: set "
                    + endpoint.side().label() + ".serverId to a number unique in the replication topology");
        }
        String replicaUpdates = v.getOrDefault("log_replica_updates", v.get("log_slave_updates"));
        if (endpoint.side() == Side.TARGET && !"ON".equalsIgnoreCase(replicaUpdates)) {
            fixes.add((engine == Engine.MARIADB ? "log_slave_updates" : "log_replica_updates") + " is " + replicaUpdates
                    + ": without it a replica's binlog never shows the changes replication applies, so Parity would watch"
                    + " nothing but local writes. Set " + (engine == Engine.MARIADB ? "log_slave_updates=ON" : "log_replica_updates=ON")
                    + " and restart the server");
        }
        if (!fixes.isEmpty()) {
            throw new DatabaseException("the " + endpoint + " cannot be captured from its binlog: " + String.join("; ", fixes));
        }
    }

    /**
     * Unique indexes other than the primary key whose columns are all NOT NULL and indexed whole (no
     * prefix): each identifies rows exactly as a primary key would.
     */
    private static final String UNIQUE_NOT_NULL = """
            SELECT s.TABLE_SCHEMA, s.TABLE_NAME, s.INDEX_NAME, GROUP_CONCAT(s.COLUMN_NAME ORDER BY s.SEQ_IN_INDEX)
              FROM information_schema.STATISTICS s
              JOIN information_schema.COLUMNS k ON k.TABLE_SCHEMA = s.TABLE_SCHEMA AND k.TABLE_NAME = s.TABLE_NAME AND k.COLUMN_NAME = s.COLUMN_NAME
             WHERE s.NON_UNIQUE = 0 AND s.INDEX_NAME <> 'PRIMARY'
               AND s.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
             GROUP BY s.TABLE_SCHEMA, s.TABLE_NAME, s.INDEX_NAME
            HAVING SUM(k.IS_NULLABLE = 'YES') = 0 AND SUM(s.SUB_PART IS NOT NULL) = 0""";

    @Override
    public List<TableInfo> tables(Connection c) throws SQLException {
        Map<String, Map<String, List<String>>> unique = new java.util.HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(UNIQUE_NOT_NULL)) {
            while (rs.next()) {
                unique.computeIfAbsent(rs.getString(1) + "." + rs.getString(2), k -> new java.util.TreeMap<>())
                        .put(rs.getString(3), List.of(rs.getString(4).split(",")));
            }
        }
        List<TableInfo> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                String pk = rs.getString(3);
                out.add(TableInfo.choose(rs.getString(1), rs.getString(2), pk == null ? List.of() : List.of(pk.split(",")),
                        unique.getOrDefault(rs.getString(1) + "." + rs.getString(2), Map.of()), null));
            }
        }
        return out;
    }

    @Override
    public String heartbeatTable(String configured) {
        return configured.contains(".") ? configured : endpoint.location(engine.defaultPort()).database() + "." + configured;
    }

    @Override
    public List<String> prepareHeartbeatOnSource(Connection c, String table, String parityPublication) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (!exists(c, table)) { // CREATE TABLE IF NOT EXISTS is refused without CREATE even when the table is there
                st.execute(heartbeatDdl(table));
            }
            st.execute("INSERT IGNORE INTO " + table + " (id, seq, written_at_us) VALUES (1, 0, 0)");
        } catch (SQLException e) {
            throw HeartbeatWriter.cannotSeed(table, e);
        }
        return List.of();
    }

    @Override
    public List<String> missingPrivileges(Connection c, List<String> tables, String user) throws SQLException {
        List<String> out = new ArrayList<>();
        String account = "'" + (user == null ? "parity" : user).replace("'", "''") + "'@'%'";
        boolean maria = engine == Engine.MARIADB;
        // Global privileges granted to the user itself; with roles in play they may come from elsewhere: not judged.
        boolean roles;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(ROLE_NAME) FROM information_schema.ENABLED_ROLES")) {
            roles = rs.next() && rs.getLong(1) > 0;
        }
        if (!roles) {
            java.util.Set<String> have = new java.util.HashSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES"
                    + " WHERE GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')")) {
                while (rs.next()) {
                    have.add(rs.getString(1).toUpperCase(java.util.Locale.ROOT));
                }
            }
            // No row at all (not even USAGE): a server not checking privileges (--skip-grant-tables), or a view hidden: not judged.
            if (!have.isEmpty() && !have.contains("REPLICATION SLAVE") && !have.contains("REPLICATION REPLICA")) {
                out.add("REPLICATION SLAVE (to read the binlog): GRANT REPLICATION SLAVE ON *.* TO " + account);
            }
            if (!have.isEmpty() && !have.contains("BINLOG MONITOR") && !have.contains("REPLICATION CLIENT") && !have.contains("SUPER")) {
                out.add((maria ? "BINLOG MONITOR" : "REPLICATION CLIENT") + " (to find the binlog position): GRANT "
                        + (maria ? "BINLOG MONITOR" : "REPLICATION CLIENT") + " ON *.* TO " + account);
            }
        }
        for (String table : tables) {
            String[] parts = table.split("\\.", 2);
            String quoted = "`" + parts[0].replace("`", "``") + "`.`" + parts[1].replace("`", "``") + "`";
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT * FROM " + quoted + " WHERE 1 = 0").close();
            } catch (SQLException e) {
                if (e.getErrorCode() != 1142 && e.getErrorCode() != 1143 && e.getErrorCode() != 1044) { // table, column, database access denied
                    throw e;
                }
                out.add("SELECT on " + table + ": GRANT SELECT ON " + quoted + " TO " + account);
            }
        }
        return out;
    }

    /** Whether {@code namespace.table} exists on this server. */
    private static boolean exists(Connection c, String table) throws SQLException {
        String[] parts = table.split("\\.", 2);
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, parts[0]);
            ps.setString(2, parts[1]);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public List<String> checkHeartbeatOnTarget(Connection c, String table) throws SQLException {
        return exists(c, table) ? List.of() : List.of("the heartbeat table " + table + " has not reached the target yet: replication carries it"
                + " from the source; if it never arrives, check the replica's replication filters (replicate-do/ignore-table)");
    }

    @Override
    public long beat(Connection c, String table, long writtenAtMicros, String fenceId) throws SQLException {
        // LAST_INSERT_ID(expr) hands the incremented value back on this connection: the database numbers heartbeats.
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET seq = LAST_INSERT_ID(seq + 1), written_at_us = ?, fence_id = ? WHERE id = 1")) {
            ps.setLong(1, writtenAtMicros);
            ps.setString(2, fenceId);
            if (ps.executeUpdate() != 1) {
                throw new DatabaseException("the heartbeat row (id = 1) is missing from " + table + " on the " + endpoint);
            }
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT LAST_INSERT_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void prepareCapture(Connection c, CaptureNames names, List<String> tables) {
        if (tables.isEmpty()) {
            throw new DatabaseException("no table to capture on the " + endpoint + ": check tables.include");
        }
    }

    @Override
    public Properties debezium(CaptureNames names, List<String> tables, Map<String, String> overrides) {
        return dev.parity.ingest.debezium.BinlogConnectorProperties.of(engine, endpoint, names, tables, overrides);
    }

    @Override
    public String applyOrderRisk(Connection c) throws SQLException {
        if (engine == Engine.MARIADB) {
            Map<String, String> v = variables(c, "slave_parallel_threads", "slave_parallel_mode", "gtid_binlog_pos", "gtid_slave_pos");
            long threads = Long.parseLong(v.getOrDefault("slave_parallel_threads", "0"));
            String mode = v.getOrDefault("slave_parallel_mode", "conservative").toLowerCase(java.util.Locale.ROOT);
            long domains = java.util.Arrays.stream((v.getOrDefault("gtid_slave_pos", "") + "," + v.getOrDefault("gtid_binlog_pos", "")).split(","))
                    .map(String::trim).filter(g -> !g.isEmpty()).map(g -> g.substring(0, g.indexOf('-'))).distinct().count();
            if (threads > 0 && !"none".equals(mode) && !"minimal".equals(mode) && domains > 1) {
                return "MariaDB parallel replication (" + threads + " threads, " + mode + ") over " + domains
                        + " GTID domains can apply transactions out of the source's commit order";
            }
            return null;
        }
        Map<String, String> v = variables(c, "replica_parallel_workers", "replica_preserve_commit_order", "slave_parallel_workers", "slave_preserve_commit_order");
        long workers = Long.parseLong(v.getOrDefault("replica_parallel_workers", v.getOrDefault("slave_parallel_workers", "0")));
        String preserve = v.getOrDefault("replica_preserve_commit_order", v.getOrDefault("slave_preserve_commit_order", "OFF"));
        if (workers > 1 && !"ON".equalsIgnoreCase(preserve)) {
            return "MySQL applies with " + workers + " parallel workers and replica_preserve_commit_order=" + preserve
                    + ", so transactions may commit out of the source's order";
        }
        return null;
    }

    @Override
    public List<String> created(Connection c, CaptureNames names, String heartbeatTable) throws SQLException {
        if (endpoint.side() != Side.SOURCE) {
            return List.of(); // the target's copy of the heartbeat table is replication's; dropping it on the source drops both
        }
        String[] parts = heartbeatTable.split("\\.", 2);
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, parts[0]);
            ps.setString(2, parts[1]);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? List.of("table " + heartbeatTable + " (replication drops the target's copy too)") : List.of();
            }
        }
    }

    @Override
    public void dropCreated(Connection c, CaptureNames names, String heartbeatTable) throws SQLException {
        if (endpoint.side() == Side.SOURCE && heartbeatTable != null) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + heartbeatTable);
            }
        }
    }

    @Override
    public PositionFormat positions() {
        return PositionFormat.BINLOG;
    }

    @Override
    public Map<String, String> settings(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT @@global.time_zone, @@system_time_zone, @@global.sql_mode, @@character_set_server, @@collation_server,"
                        + " @@explicit_defaults_for_timestamp")) {
            rs.next();
            String[] names = {"time_zone", "system_time_zone", "sql_mode", "character_set_server", "collation_server", "explicit_defaults_for_timestamp"};
            for (int i = 0; i < names.length; i++) {
                out.put(names[i], rs.getString(i + 1));
            }
        }
        return out;
    }

    /**
     * Global server variables by name (lower case). {@code SHOW GLOBAL VARIABLES} reads them on both engines and needs
     * no privilege: MySQL 5.7+ keeps no {@code information_schema.GLOBAL_VARIABLES} (its {@code performance_schema} copy
     * may be switched off), MariaDB keeps both. The names are Parity's own constants, never user input.
     */
    private static Map<String, String> variables(Connection c, String... names) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        String in = java.util.Arrays.stream(names).map(n -> "'" + n + "'").collect(java.util.stream.Collectors.joining(","));
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN (" + in + ")")) {
            while (rs.next()) {
                out.put(rs.getString(1).toLowerCase(java.util.Locale.ROOT), rs.getString(2));
            }
        }
        return out;
    }
}
