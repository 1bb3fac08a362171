package dev.parity.ingest.engine;

import dev.parity.ingest.debezium.PositionFormat;
import dev.parity.ingest.debezium.PostgresConnectorProperties;
import dev.parity.ingest.jdbc.DatabaseException;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.jdbc.PostgresCatalog;
import dev.parity.ingest.jdbc.TableFilter;
import dev.parity.ingest.jdbc.TableInfo;
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
 * PostgreSQL: logical decoding with {@code pgoutput}. Writes: the heartbeat table and its row on the
 * source; Parity's publication (and, through Debezium, its slot) on both sides. Logical replication
 * does not carry DDL, so the heartbeat table must be created on the target by the user.
 */
final class PostgresAdapter implements DatabaseAdapter {
    private final Endpoint endpoint;
    private final PostgresCatalog catalog;

    PostgresAdapter(Endpoint endpoint) {
        this.endpoint = endpoint;
        this.catalog = new PostgresCatalog(endpoint);
    }

    @Override
    public Engine engine() {
        return Engine.POSTGRESQL;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public void checkCapturable(Connection c, CaptureNames names) throws SQLException {
        catalog.requireLogicalDecoding(c);
    }

    @Override
    public List<TableInfo> tables(Connection c) throws SQLException {
        return catalog.tables(c, new TableFilter(List.of("*"), List.of()));
    }

    @Override
    public String heartbeatTable(String configured) {
        return configured.contains(".") ? configured : "public." + configured;
    }

    @Override
    public List<String> prepareHeartbeatOnSource(Connection c, String table, String parityPublication) throws SQLException {
        seed(c, table);
        List<String> warnings = new ArrayList<>();
        if (catalog.publicationsOf(c, table, parityPublication).isEmpty()) {
            warnings.add("the heartbeat table " + table + " is in no publication of the source, so replication cannot carry it to the target:"
                    + " add it to your publication (ALTER PUBLICATION <yours> ADD TABLE " + table + ")");
        }
        return warnings;
    }

    private void seed(Connection c, String table) {
        try (Statement st = c.createStatement()) {
            // Created only when missing: CREATE TABLE IF NOT EXISTS needs CREATE on the schema even when the table is
            // there, which a least-privilege user (README, "Setting up") does not have.
            if (!catalog.tableExists(c, table)) {
                st.execute(heartbeatDdl(table));
            }
            st.execute("INSERT INTO " + table + " (id, seq, written_at_us) SELECT 1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM " + table + " WHERE id = 1)");
        } catch (SQLException e) {
            throw HeartbeatWriter.cannotSeed(table, e);
        }
    }

    @Override
    public List<String> missingPrivileges(Connection c, List<String> tables, String user) throws SQLException {
        List<String> out = new ArrayList<>();
        String role = PostgresCatalog.quote(user == null ? "parity" : user);
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
            if (rs.next() && !rs.getBoolean(1)) {
                out.add("REPLICATION (the role attribute logical decoding needs): ALTER ROLE " + role + " REPLICATION");
            }
        }
        for (String table : tables) {
            String quoted = PostgresCatalog.quoteQualified(table);
            try (Statement st = c.createStatement()) {
                st.executeQuery("SELECT * FROM " + quoted + " WHERE false").close();
            } catch (SQLException e) {
                if (!"42501".equals(e.getSQLState())) { // insufficient_privilege; anything else is not this check's to judge
                    throw e;
                }
                out.add("SELECT on " + table + ": GRANT USAGE ON SCHEMA " + PostgresCatalog.quote(table.substring(0, table.indexOf('.')))
                        + " TO " + role + "; GRANT SELECT ON " + quoted + " TO " + role);
            }
        }
        return out;
    }

    @Override
    public List<String> checkHeartbeatOnTarget(Connection c, String table) throws SQLException {
        if (!catalog.tableExists(c, table)) {
            throw new DatabaseException("the heartbeat table " + table + " is missing on the " + endpoint
                    + "; logical replication needs it to exist there. Create it (" + heartbeatDdl(table) + ")"
                    + " and refresh your subscription (ALTER SUBSCRIPTION <yours> REFRESH PUBLICATION), or set heartbeat.enabled: false");
        }
        List<String> subs = catalog.subscriptions(c);
        if (!subs.isEmpty() && !catalog.isSubscribed(c, table)) {
            return List.of("the heartbeat table " + table + " is not replicated into the target by subscription " + String.join(", ", subs)
                    + ": run ALTER SUBSCRIPTION " + subs.get(0) + " REFRESH PUBLICATION on the target");
        }
        return List.of();
    }

    @Override
    public long beat(Connection c, String table, long writtenAtMicros, String fenceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET seq = seq + 1, written_at_us = ?, fence_id = ? WHERE id = 1 RETURNING seq")) {
            ps.setLong(1, writtenAtMicros);
            ps.setString(2, fenceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new DatabaseException("the heartbeat row (id = 1) is missing from " + table + " on the " + endpoint);
                }
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void prepareCapture(Connection c, CaptureNames names, List<String> tables) throws SQLException {
        if (tables.isEmpty()) {
            throw new DatabaseException("no table to capture on the " + endpoint + ": check tables.include");
        }
        catalog.ensurePublication(c, names.publication(), tables);
    }

    @Override
    public Properties debezium(CaptureNames names, List<String> tables, Map<String, String> overrides) {
        return PostgresConnectorProperties.of(names.engineName(), endpoint, names.slot(), names.publication(), tables,
                names.offsets(endpoint.side()), overrides);
    }

    @Override
    public List<String> created(Connection c, CaptureNames names, String heartbeatTable) throws SQLException {
        List<String> out = new ArrayList<>();
        if (catalog.publicationExists(c, names.publication())) {
            out.add("publication " + names.publication());
        }
        if (catalog.slotExists(c, names.slot())) {
            out.add("replication slot " + names.slot());
        }
        if (catalog.tableExists(c, heartbeatTable)) { // on the target: created by parity setup, dropped last (see Cleanup)
            out.add("table " + heartbeatTable);
        }
        return out;
    }

    @Override
    public void dropCreated(Connection c, CaptureNames names, String heartbeatTable) throws SQLException {
        try {
            catalog.dropSlot(c, names.slot());
        } catch (SQLException e) {
            throw new DatabaseException("cannot drop replication slot " + names.slot() + " on the " + endpoint + " (" + e.getMessage().trim()
                    + "): stop Parity first; a slot in use cannot be dropped", e);
        }
        catalog.dropPublication(c, names.publication());
        if (endpoint.side() == dev.parity.reconciler.model.Side.SOURCE && heartbeatTable != null) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + heartbeatTable);
            }
        }
    }

    @Override
    public PositionFormat positions() {
        return PositionFormat.POSTGRES;
    }

    /**
     * The server's configured value of a setting, not this session's: the JDBC driver sets the session's
     * TimeZone from the JVM, so SHOW would report the client. postgresql.conf and ALTER SYSTEM are read
     * from pg_file_settings (needs pg_read_all_settings); without it, or when nothing is configured, the
     * value in effect for a session that sets nothing.
     */
    private static String configured(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT setting FROM pg_file_settings WHERE lower(name) = lower(?)"
                + " AND error IS NULL AND applied ORDER BY seqno DESC LIMIT 1")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
        } catch (SQLException e) {
            c.clearWarnings(); // no privilege to read the files: fall through
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT CASE WHEN source IN ('client', 'session') THEN boot_val ELSE setting END"
                + " FROM pg_settings WHERE lower(name) = lower(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Override
    public Map<String, String> settings(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : List.of("TimeZone", "server_encoding", "DateStyle", "IntervalStyle", "standard_conforming_strings")) {
            out.put(name, configured(c, name));
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT datcollate FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            out.put("lc_collate", rs.getString(1));
        }
        return out;
    }

}
