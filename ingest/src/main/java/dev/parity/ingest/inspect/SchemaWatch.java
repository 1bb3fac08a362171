package dev.parity.ingest.inspect;

import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.schema.SchemaDifference;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live schema drift: compares source and target structure and settings every few seconds, and at
 * once when a capture sees a table's structure change (a DDL event in the binlog, or a change event
 * whose row shape differs from the table's previous one). Status shows the latest comparison.
 * Hashing needs nothing from here: every change event carries its own row shape, so rows changed
 * after a DDL hash with the new columns on both sides.
 */
public final class SchemaWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaWatch.class);
    /** Structure is re-read this often even without a DDL signal (PostgreSQL has none for idle tables). */
    public static final long POLL_SECONDS = 5;

    private final IngestConfig config;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parity-schema-watch");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean poked = new AtomicBoolean();
    private volatile SchemaDiff.Report latest;
    private volatile Instant checkedAt;
    private volatile String error;

    public SchemaWatch(IngestConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public SchemaWatch start() {
        timer.scheduleWithFixedDelay(this::check, 0, POLL_SECONDS, TimeUnit.SECONDS);
        return this;
    }

    /** A capture saw a structure change: compare now (coalesced with any check already asked for). */
    public void poke() {
        if (poked.compareAndSet(false, true)) {
            timer.execute(this::check);
        }
    }

    private void check() {
        poked.set(false);
        try {
            SchemaDiff.Report r = SchemaDiff.run(config);
            boolean was = latest != null && latest.drift();
            if (r.drift() && !was) {
                LOG.warn("schema drift between source and target: {} structural difference(s), {} setting(s)", r.differences().size(),
                        r.settings().size());
            }
            latest = r;
            error = null;
        } catch (Exception e) {
            if (error == null) {
                LOG.warn("comparing the structures of source and target failed (retried every {} s): {}", POLL_SECONDS, e.getMessage());
            }
            error = String.valueOf(e.getMessage());
            LOG.debug("schema comparison failed", e);
        }
        checkedAt = clock.instant();
    }

    /** The latest structural differences; empty before the first comparison. */
    public List<SchemaDifference> differences() {
        SchemaDiff.Report r = latest;
        return r == null ? List.of() : r.differences();
    }

    /** The latest comparison; null before the first one succeeded. */
    public SchemaDiff.Report latest() {
        return latest;
    }

    /** When the structures were last compared (successfully or not); null before the first try. */
    public Instant checkedAt() {
        return checkedAt;
    }

    /** Why the last comparison failed; null when it succeeded. */
    public String error() {
        return error;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
