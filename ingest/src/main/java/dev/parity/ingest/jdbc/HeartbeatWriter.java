package dev.parity.ingest.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the heartbeat row on the source: {@code seq = seq + 1} so the database numbers heartbeats
 * consecutively in commit order, and {@code written_at_us} from Parity's own clock. Replication carries
 * the row to the target; lag is measured on arrival with the same clock. A readiness fence is a
 * heartbeat that also carries a unique id.
 */
public final class HeartbeatWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatWriter.class);
    private static final long KEEP_MICROS = 3_600_000_000L;

    private final Endpoint endpoint;
    private final String table;
    private final Clock clock;
    private final ConcurrentSkipListMap<Long, Long> written = new ConcurrentSkipListMap<>();
    private Connection connection;

    /** @param table schema-qualified, already quoted as needed */
    public HeartbeatWriter(Endpoint endpoint, String table, Clock clock) {
        this.endpoint = endpoint;
        this.table = table;
        this.clock = clock;
    }

    /** The DDL that creates the heartbeat table, for users who create it themselves. */
    public static String ddl(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table
                + " (id INT PRIMARY KEY, seq BIGINT NOT NULL, written_at_us BIGINT NOT NULL, fence_id VARCHAR(64))";
    }

    /**
     * On the source only: creates the table and its single row when missing (the table has a primary
     * key, so it is safe to publish). Never call this on the target: a row written there would clash
     * with the replicated one and stop the subscription.
     */
    public static void ensureSourceTable(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(ddl(table));
            st.execute("INSERT INTO " + table + " (id, seq, written_at_us) SELECT 1, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM " + table + " WHERE id = 1)");
        }
    }

    /** Writes one heartbeat; returns its seq. */
    public synchronized long beat(String fenceId) throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = endpoint.connect();
            connection.setAutoCommit(true);
        }
        long now = micros(clock.instant());
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE " + table + " SET seq = seq + 1, written_at_us = ?, fence_id = ? WHERE id = 1 RETURNING seq")) {
            ps.setLong(1, now);
            ps.setString(2, fenceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new DatabaseException("the heartbeat row (id = 1) is missing from " + table + " on the " + endpoint);
                }
                long seq = rs.getLong(1);
                written.put(seq, now);
                written.headMap(written.lastKey()).entrySet().removeIf(e -> e.getValue() < now - KEEP_MICROS);
                return seq;
            }
        } catch (SQLException e) {
            closeQuietly();
            throw e;
        }
    }

    /** When heartbeat {@code seq} was written (micros), if this process wrote it within the last hour. */
    public Long writtenAt(long seq) {
        return written.get(seq);
    }

    /** The heartbeats written, seq → written-at micros, oldest first. */
    public Map<Long, Long> written() {
        return java.util.Collections.unmodifiableMap(written);
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            LOG.debug("closing heartbeat connection", e);
        }
        connection = null;
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }
}
