package dev.parity.ingest.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
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
    private final Dialect dialect;
    private final String table;
    private final Clock clock;
    private final ConcurrentSkipListMap<Long, Long> written = new ConcurrentSkipListMap<>();
    /** Open {@link #holdAt holds}, guarded by this writer's monitor. */
    private final java.util.List<Hold> holds = new java.util.ArrayList<>();
    private Connection connection;

    /** How an engine increments the heartbeat row and hands the new seq back. */
    @FunctionalInterface
    public interface Dialect {
        long beat(Connection c, String table, long writtenAtMicros, String fenceId) throws SQLException;
    }

    /** @param table qualified, already quoted as needed */
    public HeartbeatWriter(Endpoint endpoint, Dialect dialect, String table, Clock clock) {
        this.endpoint = endpoint;
        this.dialect = dialect;
        this.table = table;
        this.clock = clock;
    }

    /** The DDL that creates the heartbeat table, for users who create it themselves. */
    public static String ddl(String table) {
        return "CREATE TABLE IF NOT EXISTS " + table
                + " (id INT PRIMARY KEY, seq BIGINT NOT NULL, written_at_us BIGINT NOT NULL, fence_id VARCHAR(64))";
    }

    /** The error when Parity may not create or seed the heartbeat table: what to run instead, or how to do without. */
    public static DatabaseException cannotSeed(String table, SQLException cause) {
        return new DatabaseException("cannot create or seed the heartbeat table " + table + " on the source (" + cause.getMessage().trim()
                + "). Create it as a user who may: " + ddl(table) + "; INSERT INTO " + table
                + " (id, seq, written_at_us) VALUES (1, 0, 0); GRANT UPDATE ON " + table + " TO <parity user>."
                + " Or set heartbeat.enabled: false to fall back to grace-period verdicts", cause);
    }

    /**
     * A heartbeat seq reserved by {@link #holdAt}: no heartbeat with this seq or a later one is written while it is open
     * (or until it expires), so records sent to Kafka before {@link #close} precede that heartbeat in every stream.
     */
    public final class Hold implements AutoCloseable {
        private final long seq;
        private final long expiresAtNanos;

        private Hold(long seq, long expiresAtNanos) {
            this.seq = seq;
            this.expiresAtNanos = expiresAtNanos;
        }

        /** The reserved seq: the first heartbeat held back. */
        public long seq() {
            return seq;
        }

        /** Lets heartbeats past the reserved seq be written again. */
        @Override
        public void close() {
            synchronized (HeartbeatWriter.this) {
                holds.remove(this);
                HeartbeatWriter.this.notifyAll();
            }
        }
    }

    /**
     * Reserves heartbeat {@code max(newest written + ahead, atLeast)}: it, and every later one, is written only after the
     * returned hold is closed, or after {@code maxHold} (then with a warning). Used by the sweep, whose re-read
     * observations carry a heartbeat as their verdict stamp and must all be in Kafka before that heartbeat is (README, "How
     * it decides"): taken in one step with reading the newest seq, so no heartbeat slips in between. Fences wait too.
     */
    public synchronized Hold holdAt(long ahead, long atLeast, java.time.Duration maxHold) {
        Hold h = new Hold(Math.max(newest() + ahead, atLeast), System.nanoTime() + maxHold.toNanos());
        holds.add(h);
        return h;
    }

    /** Waits while the next heartbeat (this process is the only writer) would reach an open hold's seq. */
    private void awaitHolds() {
        while (true) {
            long next = newest() + 1;
            long now = System.nanoTime();
            Hold blocking = null;
            for (java.util.Iterator<Hold> it = holds.iterator(); it.hasNext(); ) {
                Hold h = it.next();
                if (now - h.expiresAtNanos >= 0) {
                    LOG.warn("heartbeat {} was held back for longer than its hold allows; written now", h.seq);
                    it.remove();
                } else if (next >= h.seq && (blocking == null || h.expiresAtNanos - blocking.expiresAtNanos < 0)) {
                    blocking = h;
                }
            }
            if (blocking == null) {
                return;
            }
            try {
                long waitNanos = blocking.expiresAtNanos - now;
                wait(Math.max(1, waitNanos / 1_000_000), 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Writes one heartbeat (after any {@link #holdAt hold} on its seq); returns its seq. */
    public synchronized long beat(String fenceId) throws SQLException {
        awaitHolds();
        if (connection == null || connection.isClosed()) {
            connection = endpoint.connect();
            connection.setAutoCommit(true);
        }
        long now = micros(clock.instant());
        try {
            long seq = dialect.beat(connection, table, now, fenceId);
            written.put(seq, now);
            written.headMap(written.lastKey()).entrySet().removeIf(e -> e.getValue() < now - KEEP_MICROS);
            return seq;
        } catch (SQLException e) {
            closeQuietly();
            throw e;
        }
    }

    /** When heartbeat {@code seq} was written (micros), if this process wrote it within the last hour. */
    public Long writtenAt(long seq) {
        return written.get(seq);
    }

    /** The newest heartbeat seq this process wrote; -1 before the first. */
    public long newest() {
        try {
            return written.lastKey();
        } catch (java.util.NoSuchElementException e) {
            return -1;
        }
    }

    /** The heartbeats written, seq → written-at micros, oldest first. */
    public java.util.NavigableMap<Long, Long> written() {
        return java.util.Collections.unmodifiableNavigableMap(written);
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
