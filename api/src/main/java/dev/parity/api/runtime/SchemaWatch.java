package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.schema.SchemaDifference;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    static final long POLL_SECONDS = 5;

    private final ParityConfig config;
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

    public SchemaWatch(ParityConfig config, Clock clock) {
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
            error = e.getMessage();
            LOG.debug("schema comparison failed", e);
        }
        checkedAt = clock.instant();
    }

    /** The latest structural differences; empty before the first comparison. */
    public List<SchemaDifference> differences() {
        SchemaDiff.Report r = latest;
        return r == null ? List.of() : r.differences();
    }

    /** The schema part of {@code GET /api/v1/status}. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        SchemaDiff.Report r = latest;
        out.put("checkedAt", checkedAt == null ? null : checkedAt.toString());
        out.put("drift", r == null ? null : r.drift());
        out.put("differences", r == null ? List.of() : r.differences().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("table", d.table());
            m.put("aspect", d.aspect());
            m.put("source", d.source());
            m.put("target", d.target());
            m.put("risk", d.risk());
            return m;
        }).toList());
        if (error != null) {
            out.put("error", error);
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
