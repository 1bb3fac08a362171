package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verification sweep: re-reads every captured table of each configured side by primary-key
 * range and compares each row with the state the change stream left. It finds what no change log
 * shows: MySQL/MariaDB writes made with {@code SET sql_log_bin = 0}, rows an {@code ALTER TABLE}
 * rewrote in place, a {@code TRUNCATE}.
 *
 * <p>Rows that differ from the captured state are not reported from here: they go to the side's
 * topic as {@link Observation}s, and the reconciler takes one only where no captured change of the
 * key can be newer than the read, then judges the key by the usual heartbeat fences. So in-flight
 * changes never raise an alarm, and a verdict means the same whichever way the difference was found.
 * A row in the state but not found by the scan is sent as an observed absence.
 *
 * <p>Cost: one full read of each table per round, in pages of {@code verify.pageRows}, at most
 * {@code verify.maxRowsPerSecond} per database; each page is one short read-only transaction.
 */
public final class Sweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
    private final ParityRuntime runtime;
    private final ReconcilerView view;
    private final Clock clock;
    private final ParityConfig.Verify config;
    private final TableReread reread;
    private final Map<String, TableResult> results = new ConcurrentHashMap<>();
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong requested = new AtomicLong();
    private final Object wake = new Object();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile String activity = "waiting for both captures to stream";
    private volatile Instant lastRoundFinishedAt;
    private volatile Instant lastRoundStartedAt;
    private volatile long completed;

    /**
     * One table on one side in the latest round that reached it.
     *
     * @param rowsMatched   rows whose hash equalled the captured state when read
     * @param observations  rows sent to the reconciler as differing from the captured state
     * @param absent        keys the state holds but the scan did not find, sent as observed absences
     * @param problem       why the table was not (fully) re-read; null when it was
     */
    public record TableResult(String table, Side side, long round, Instant startedAt, Instant finishedAt, long rowsRead, long rowsMatched,
                              long observations, long absent, String problem) {
        public boolean complete() {
            return finishedAt != null && problem == null;
        }
    }

    public Sweeper(ParityRuntime runtime, ReconcilerView view, Clock clock) {
        this.runtime = runtime;
        this.view = view;
        this.clock = clock;
        this.config = runtime.config().verify();
        this.reread = new TableReread(runtime, view, clock, new TableReread.Control() {
            @Override
            public boolean stopping() {
                return stopping;
            }

            @Override
            public void activity(String what) {
                activity = what;
            }

            @Override
            public void waitFor(Duration d) throws InterruptedException {
                Sweeper.this.waitFor(d);
            }
        });
        this.thread = new Thread(this::loop, "parity-sweep");
        this.thread.setDaemon(true);
    }

    /** Why the sweep does not run; null when it does. */
    public String disabledReason() {
        if (!config.enabled()) {
            return "verify.enabled is false: writes no change log records are not looked for";
        }
        if (!runtime.config().heartbeat().enabled()) {
            return "needs heartbeats to order its reads against the change streams (heartbeat.enabled is false)";
        }
        return config.sides().isEmpty() ? "verify.sides is empty" : null;
    }

    public Sweeper start() {
        if (disabledReason() == null) {
            thread.start();
        }
        return this;
    }

    /** Asks for a round to start now (or right after the current one); returns the number it will have. */
    public long requestRound() {
        long next;
        synchronized (wake) {
            next = rounds.get() + 1;
            requested.set(next);
            wake.notifyAll();
        }
        return next;
    }

    /** Rounds completed so far. */
    public long completedRounds() {
        return completed;
    }

    public List<TableResult> results() {
        return results.values().stream().sorted(java.util.Comparator.comparing(TableResult::table).thenComparing(TableResult::side)).toList();
    }

    /** The sweep's part of {@code GET /api/v1/status}. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        String disabled = disabledReason();
        out.put("enabled", disabled == null);
        if (disabled != null) {
            out.put("reason", disabled);
            return out;
        }
        out.put("roundsCompleted", completedRounds());
        out.put("activity", activity);
        out.put("lastRoundStartedAt", lastRoundStartedAt == null ? null : lastRoundStartedAt.toString());
        out.put("lastRoundFinishedAt", lastRoundFinishedAt == null ? null : lastRoundFinishedAt.toString());
        List<Map<String, Object>> tables = new ArrayList<>();
        for (TableResult r : results()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("table", r.table());
            t.put("side", r.side().label());
            t.put("round", r.round());
            t.put("finishedAt", r.finishedAt() == null ? null : r.finishedAt().toString());
            t.put("rowsRead", r.rowsRead());
            t.put("rowsMatched", r.rowsMatched());
            t.put("differencesSent", r.observations());
            t.put("missingSent", r.absent());
            t.put("problem", r.problem());
            tables.add(t);
        }
        out.put("tables", tables);
        return out;
    }

    private void loop() {
        while (!stopping) {
            try {
                awaitStreaming();
                runRound();
                awaitNextRound();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("verification sweep failed, retrying in a minute: {}", e.toString());
                activity = "failed: " + e.getMessage();
                try {
                    waitFor(Duration.ofMinutes(1));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void awaitStreaming() throws InterruptedException {
        while (!stopping) {
            boolean streaming = Arrays.stream(Side.values()).allMatch(s -> runtime.capture(s).phase() == CaptureStatus.Phase.STREAMING);
            InitialLoad load = runtime.initialLoad();
            boolean loaded = load == null || load.complete();
            if (streaming && loaded && allPartitionsHaveHeartbeats()) {
                return;
            }
            activity = loaded ? "waiting for both captures to stream" : "waiting for the initial load to finish";
            waitFor(Duration.ofSeconds(1));
        }
    }

    private boolean allPartitionsHaveHeartbeats() {
        try {
            return Arrays.stream(Side.values()).allMatch(s -> view.watermarks(s).size() >= runtime.partitions());
        } catch (RuntimeException e) {
            return false; // stores not queryable yet (rebalancing)
        }
    }

    private void awaitNextRound() throws InterruptedException {
        Instant due = clock.instant().plus(config.interval());
        synchronized (wake) {
            while (!stopping && requested.get() <= rounds.get() && clock.instant().isBefore(due)) {
                activity = "idle until " + due + " (or POST /api/v1/verify)";
                wake.wait(Math.max(1, Math.min(1000, Duration.between(clock.instant(), due).toMillis())));
            }
        }
    }

    private void waitFor(Duration d) throws InterruptedException {
        synchronized (wake) {
            wake.wait(Math.max(1, d.toMillis()));
        }
    }

    /** One full round: every captured table, re-read by {@link TableReread} on every configured side. */
    void runRound() throws InterruptedException {
        long round = rounds.incrementAndGet();
        lastRoundStartedAt = clock.instant();
        LOG.info("verification sweep round {} started", round);
        List<PlannedTable> tables = runtime.tables().stream().filter(PlannedTable::captured).toList();
        Map<Side, Map<String, TableSchema>> schemas = new EnumMap<>(Side.class);
        Map<Side, String> schemaErrors = new EnumMap<>(Side.class);
        for (Side side : config.sides()) {
            try {
                schemas.put(side, runtime.side(side).schemas(tables));
            } catch (SQLException | RuntimeException e) {
                schemaErrors.put(side, "cannot read the table structure: " + e.getMessage());
            }
        }
        for (PlannedTable t : tables) {
            if (stopping) {
                return;
            }
            reread.table(round, t, schemas, schemaErrors).forEach(r -> results.put(t.mappedId() + "|" + r.side().label(), r));
        }
        lastRoundFinishedAt = clock.instant();
        completed = round;
        LOG.info("verification sweep round {} finished", round);
    }

    @Override
    public void close() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reread.close();
    }
}
