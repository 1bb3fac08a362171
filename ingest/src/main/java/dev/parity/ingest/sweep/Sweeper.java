package dev.parity.ingest.sweep;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.kafka.SideTopics;
import dev.parity.ingest.port.Captures;
import dev.parity.ingest.port.ReconcilerPort;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.reconciler.model.Side;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import dev.parity.reconciler.query.TableSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verification sweep (README, "How it decides"; configured under {@code verify}, shown as
 * {@code verification} in status, judged by the gate's {@code reread} check): re-reads every verified
 * table of each configured side by key range and compares each row with the state the change
 * stream left. It finds what no change log
 * shows: MySQL/MariaDB writes made with {@code SET sql_log_bin = 0}, rows an {@code ALTER TABLE}
 * rewrote in place, a {@code TRUNCATE} run with the log off (a logged one arrives as an event).
 *
 * <p>Rows that differ from the captured state are not reported from here: they go to the side's
 * topic as {@link dev.parity.reconciler.model.Observation}s, and the reconciler takes one only where no
 * captured change of the key can be newer than the read (the core's {@code ReadOver} rule), then judges the key by the usual heartbeat fences. So in-flight
 * changes never raise an alarm, and a verdict means the same whichever way the difference was found.
 * A row in the state but not found by the scan is sent as an observed absence.
 *
 * <p>Rounds run one after another (a round starts at most every {@code verify.interval}, default 10 s),
 * so at the budget the sweep never stops re-reading: a table is read again about once per round. Each
 * round takes the tables never read completely first, then those whose state changed since their last
 * full read (oldest read first), then the rest, oldest read first. A chunk cannot be read on its own:
 * its keys are spread over the whole key range by their hash, so the order is per table. Parity's
 * initial load counts as a full read of every table it loaded ({@link #fullReads()}).
 *
 * <p>Cost: one full read of each table per round, in pages of {@code verify.pageRows}, at most
 * {@code verify.maxRowsPerSecond} per database; each page is one short read-only transaction.
 */
public final class Sweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
    private final IngestConfig.Verify config;
    private final boolean heartbeats;
    private final List<PlannedTable> tables;
    private final Databases databases;
    private final Captures captures;
    private final ReconcilerPort reconciler;
    private final BooleanSupplier baselineApplied;
    private final SweepSchedule schedule;
    private final Clock clock;
    private final TableSweep tableSweep;
    private final Map<String, TableResult> results = new ConcurrentHashMap<>();
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong requested = new AtomicLong();
    private final Object wake = new Object();
    /** Tables whose one-sided columns changed (README, "Schema drift while monitoring"): re-read at once, like the reconciler's asks. */
    private final java.util.Set<String> columnsChanged = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile String activity = "waiting for both captures to stream";
    private volatile Instant lastRoundFinishedAt;
    private volatile Instant lastRoundStartedAt;
    private volatile long completed;

    /**
     * One table on one side in the latest round that reached it (the status calls it a re-read).
     *
     * @param rowsMatched   rows whose hash equalled the captured state when read
     * @param observations  rows sent to the reconciler as differing from the captured state
     * @param absent        keys the state holds but the scan did not find, sent as observed absences
     * @param problem       why the table was not (fully) re-read; null when it was
     * @param unreadable    the columns no read outside the change stream can verify (the reason for the problem); empty otherwise
     */
    public record TableResult(String table, Side side, long round, Instant startedAt, Instant finishedAt, long rowsRead, long rowsMatched,
                              long observations, long absent, String problem, List<dev.parity.ingest.schema.ColumnInfo> unreadable) {
        public TableResult {
            unreadable = List.copyOf(unreadable);
        }

        public TableResult(String table, Side side, long round, Instant startedAt, Instant finishedAt, long rowsRead, long rowsMatched,
                           long observations, long absent, String problem) {
            this(table, side, round, startedAt, finishedAt, rowsRead, rowsMatched, observations, absent, problem, List.of());
        }

        public boolean complete() {
            return finishedAt != null && problem == null;
        }
    }

    /**
     * @param tables          the verified tables, re-read in this order
     * @param heartbeat       writes the source's heartbeats; null when heartbeats are off (the sweep then does not run)
     * @param baselineApplied whether the first baseline is in place (a round before it would re-read what the load reads)
     * @param loadReads       the tables Parity's initial load read completely (empty until it is applied, or without one)
     */
    public Sweeper(IngestConfig.Verify config, IngestConfig.Heartbeat heartbeatConfig, List<PlannedTable> tables, Databases databases,
                   Captures captures, ReconcilerPort reconciler, SideTopics topics, HeartbeatWriter heartbeat, BooleanSupplier baselineApplied,
                   Supplier<List<FullRead>> loadReads, Clock clock) {
        this.config = config;
        this.heartbeats = heartbeatConfig.enabled() && heartbeat != null;
        this.tables = List.copyOf(tables);
        this.databases = databases;
        this.captures = captures;
        this.reconciler = reconciler;
        this.baselineApplied = baselineApplied;
        this.schedule = new SweepSchedule(config, tables, databases, reconciler, loadReads);
        this.clock = clock;
        this.tableSweep = new TableSweep(config, heartbeatConfig.interval(), databases, reconciler, topics, heartbeat, clock, new TableSweep.Control() {
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
        if (!heartbeats) {
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

    /**
     * Re-reads {@code mappedId} on both sides at once (between two tables of a round at the latest): the columns only
     * one side has changed, so its rows are compared over other columns now.
     */
    public void columnsChanged(String mappedId) {
        columnsChanged.add(mappedId);
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** Rounds completed so far. */
    public long completedRounds() {
        return completed;
    }

    public List<TableResult> results() {
        return results.values().stream().sorted(java.util.Comparator.comparing(TableResult::table).thenComparing(TableResult::side)).toList();
    }

    /**
     * The latest complete read of each table on each side, by the sweep or by the initial load; a table
     * never read completely on a side is absent.
     */
    public List<FullRead> fullReads() {
        return schedule.fullReads(results.values());
    }

    /** How old a table's last full read may be for the gate's {@code reread} check ({@link SweepSchedule#maxAge}). */
    public Duration maxAge() {
        return schedule.maxAge(lastRoundStartedAt, lastRoundFinishedAt);
    }

    /** How long the sweep has waited for Parity's change streams to catch up since the start ({@link StreamYield}). */
    public Duration yielded() {
        return tableSweep.yielded();
    }

    /** What the sweep is doing now, in words. */
    public String activity() {
        return activity;
    }

    /** When the last round started; null before the first. */
    public Instant lastRoundStartedAt() {
        return lastRoundStartedAt;
    }

    /** When the last round finished; null before the first. */
    public Instant lastRoundFinishedAt() {
        return lastRoundFinishedAt;
    }

    private void loop() {
        while (!stopping) {
            try {
                awaitStreaming();
                if (rounds.get() == 0) {
                    Instant loaded = schedule.loadRound();
                    if (loaded != null) {
                        awaitNextRound(loaded); // the load was round 0
                    }
                }
                runRound();
                awaitNextRound(lastRoundStartedAt);
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
            boolean loaded = baselineApplied.getAsBoolean();
            if (captures.streaming() && loaded && reconciler.passed(Side.SOURCE, -1) && reconciler.passed(Side.TARGET, -1)) {
                return;
            }
            activity = loaded ? "waiting for both captures to stream" : "waiting for the initial load to finish";
            waitFor(Duration.ofSeconds(1));
        }
    }

    /** Until {@code verify.interval} after {@code from} (or a round is asked for), re-reading on request meanwhile. */
    private void awaitNextRound(Instant from) throws InterruptedException {
        Instant due = from.plus(config.interval());
        while (!stopping) {
            serveRereads();
            synchronized (wake) {
                if (stopping || requested.get() > rounds.get() || !clock.instant().isBefore(due)) {
                    return;
                }
                activity = "idle until " + due + " (or POST /api/v1/verify)";
                wake.wait(Math.max(1, Math.min(1000, Duration.between(clock.instant(), due).toMillis())));
            }
        }
    }

    /**
     * Re-reads at once each table the reconciler asked for: it holds keys whose two sides' rows have
     * different shapes, written while one side's table was altered and the other's not yet (README, "How
     * it decides"); and each table whose one-sided columns changed ({@link #columnsChanged}). Rows are compared over
     * the columns both sides have: the one-sided columns are noted again from the structures read here first, so the
     * re-read hashes both sides over the same columns.
     */
    private void serveRereads() throws InterruptedException {
        Map<String, Long> asked = reconciler.link().rereadRequests();
        java.util.Set<String> changed = java.util.Set.copyOf(columnsChanged);
        List<PlannedTable> wanted = tables.stream().filter(t -> asked.containsKey(t.mappedId()) || changed.contains(t.mappedId())).toList();
        if (wanted.isEmpty()) {
            return;
        }
        Map<Side, Map<String, TableSchema>> schemas = new EnumMap<>(Side.class);
        Map<Side, String> schemaErrors = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            try {
                schemas.put(side, databases.of(side).schemas(wanted));
            } catch (SQLException | RuntimeException e) {
                return; // asked again next second
            }
        }
        for (PlannedTable t : wanted) {
            if (schemas.get(Side.SOURCE).get(t.sourceName()) == null || schemas.get(Side.TARGET).get(t.targetName()) == null) {
                continue; // a table gone from one side: reported, not re-read
            }
            columnsChanged.remove(t.mappedId());
            LOG.info("re-reading {} at once: {}", t.mappedId(), asked.containsKey(t.mappedId())
                    ? "rows of its two sides were written under different structures" : "the columns only one side has changed");
            if (sweepTable(Math.max(1, rounds.get()), t, schemas, schemaErrors) && asked.containsKey(t.mappedId())) {
                reconciler.link().rereadDone(t.mappedId(), asked.get(t.mappedId()));
            }
        }
    }

    /** Re-reads one table on every configured side and records the results; returns whether every side's read was complete. */
    private boolean sweepTable(long round, PlannedTable t, Map<Side, Map<String, TableSchema>> schemas, Map<Side, String> schemaErrors)
            throws InterruptedException {
        TableSchema source = schemas.getOrDefault(Side.SOURCE, Map.of()).get(t.sourceName());
        TableSchema target = schemas.getOrDefault(Side.TARGET, Map.of()).get(t.targetName());
        // Both sides are read over the columns both have, as the structures read for this read say (README, "Schema
        // drift while monitoring"): a column one side gained a moment ago is left out here and in the streams alike.
        java.util.Set<String> oneSided = databases.oneSided().of(t.mappedId());
        if (source != null && target != null) {
            oneSided = dev.parity.ingest.schema.OneSidedColumns.between(source, target);
            databases.oneSided().set(t.mappedId(), oneSided);
        }
        TableSummary before = schedule.summary(t.mappedId());
        List<TableResult> done = tableSweep.table(round, t, schemas, schemaErrors, oneSided);
        done.forEach(r -> results.put(t.mappedId() + "|" + r.side().label(), r));
        boolean complete = !done.isEmpty() && done.stream().allMatch(TableResult::complete);
        if (complete) {
            schedule.readCompletely(t.mappedId(), before);
        }
        return complete;
    }

    private void waitFor(Duration d) throws InterruptedException {
        synchronized (wake) {
            wake.wait(Math.max(1, d.toMillis()));
        }
    }

    /** One full round: every captured table, re-read by {@link TableSweep} on every configured side. */
    void runRound() throws InterruptedException {
        long round = rounds.incrementAndGet();
        lastRoundStartedAt = clock.instant();
        LOG.debug("verification sweep round {} started", round); // one every verify.interval: status says it, the console need not
        Map<Side, Map<String, TableSchema>> schemas = new EnumMap<>(Side.class);
        Map<Side, String> schemaErrors = new EnumMap<>(Side.class);
        for (Side side : config.sides()) {
            try {
                schemas.put(side, databases.of(side).schemas(tables));
            } catch (SQLException | RuntimeException e) {
                schemaErrors.put(side, "cannot read the table structure: " + e.getMessage());
            }
        }
        for (PlannedTable t : schedule.order(fullReads())) {
            if (stopping) {
                return;
            }
            serveRereads(); // between tables too: a long round does not hold a requested re-read back
            sweepTable(round, t, schemas, schemaErrors);
        }
        lastRoundFinishedAt = clock.instant();
        completed = round;
        long differences = results.values().stream().filter(r -> r.round() == round).mapToLong(r -> r.observations() + r.absent()).sum();
        if (differences > 0 || round == 1) {
            LOG.info("verification sweep round {} finished: {} difference(s) from the stream sent to the reconciler", round, differences);
        } else {
            LOG.debug("verification sweep round {} finished: nothing differed", round);
        }
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
        tableSweep.close();
    }
}
