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
 * Every change event carries its own row shape, so rows changed after a DDL hash with the new columns on both sides;
 * what hashing takes from here is which columns only one side has ({@link #comparingColumns}), left out of every row.
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
    private dev.parity.ingest.schema.OneSidedColumns oneSided;
    private java.util.function.Consumer<String> oneSidedChanged = t -> { };

    public SchemaWatch(IngestConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /**
     * Keeps {@code registry} (the columns only one side has, left out of row hashes) current with each comparison, and
     * tells {@code changed} of each table whose one-sided columns changed: its rows must be compared again. Before start.
     */
    public SchemaWatch comparingColumns(dev.parity.ingest.schema.OneSidedColumns registry, java.util.function.Consumer<String> changed) {
        this.oneSided = registry;
        this.oneSidedChanged = changed;
        return this;
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
            if (oneSided != null) {
                r.oneSided().forEach((table, columns) -> {
                    if (oneSided.set(table, columns)) {
                        LOG.info("{}: {}; rows are compared again", table, columns.isEmpty() ? "every column is on both sides again"
                                : "column(s) " + columns + " only on one side, left out of the comparison (a schema difference)");
                        oneSidedChanged.accept(table);
                    }
                });
            }
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
