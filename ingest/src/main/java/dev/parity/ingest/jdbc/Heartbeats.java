package dev.parity.ingest.jdbc;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a heartbeat into the source every interval (README, "How it decides") and remembers whether
 * the last write failed: a failed write is a known fault, reported at once (status STALE) rather than
 * after the silence it causes downstream; and when writes recover, when they did, so nothing is called
 * current again before a heartbeat written after the fault has passed through both streams.
 */
public final class Heartbeats implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);

    private final HeartbeatWriter writer;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parity-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private volatile String failure;
    private volatile Instant recoveredAt;

    public Heartbeats(HeartbeatWriter writer, Clock clock) {
        this.writer = writer;
        this.clock = clock;
    }

    /** Starts writing, the first heartbeat at once. */
    public Heartbeats start(Duration interval) {
        timer.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public HeartbeatWriter writer() {
        return writer;
    }

    /** Writes one heartbeat now and records how it went; exceptions never stop the schedule. */
    void beat() {
        try {
            writer.beat(null);
            if (failure != null) {
                recoveredAt = clock.instant();
                LOG.info("heartbeat writes to the source work again");
            }
            failure = null;
        } catch (SQLException | RuntimeException e) {
            if (failure == null) {
                LOG.warn("heartbeat write to the source failed: {}", e.getMessage());
            }
            failure = "heartbeat write failed: " + e.getMessage();
        }
    }

    /** Why the last heartbeat write failed; null when it succeeded. */
    public String failure() {
        return failure;
    }

    /** When heartbeat writes last recovered from a failure; null if none failed. */
    public Instant recoveredAt() {
        return recoveredAt;
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        writer.close();
    }
}
