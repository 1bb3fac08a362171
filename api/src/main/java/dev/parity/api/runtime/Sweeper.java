package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.debezium.MappedRecord;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.ingest.kafka.ChangeProducer;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Observation;
import dev.parity.reconciler.model.RowHashing;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.Watermark;
import java.sql.Connection;
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
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.RecordMetadata;
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
    /** How long the sweep waits for a side's stream to pass the heartbeat its reads saw. */
    private static final Duration STREAM_WAIT_MIN = Duration.ofSeconds(30);
    /**
     * Differing rows one side's scan of one table holds and sends per round (~70 bytes each in memory).
     * Normally a handful; after an {@code ADD COLUMN} every untouched row differs until re-based, so a
     * big table is re-based over several rounds instead of at the risk of the heap.
     */
    static final int MAX_CANDIDATES = 1_000_000;

    private final ParityRuntime runtime;
    private final ReconcilerView view;
    private final Clock clock;
    private final ParityConfig.Verify config;
    private final Map<Side, ChangeProducer> producers = new EnumMap<>(Side.class);
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
            if (streaming && allPartitionsHaveHeartbeats()) {
                return;
            }
            activity = "waiting for both captures to stream";
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

    /**
     * One full round: every captured table, each re-read on every configured side before any of its
     * differences is sent. Sending both sides' findings for a table together matters after a schema
     * change: rows untouched since an {@code ADD COLUMN} hash without the column in the captured
     * state and with it when re-read, on both sides alike. Re-based one side at a time, such a key
     * would look divergent until the other side's re-read; re-based together, it never does.
     */
    void runRound() throws InterruptedException {
        long round = rounds.incrementAndGet();
        lastRoundStartedAt = clock.instant();
        LOG.info("verification sweep round {} started", round);
        List<PlannedTable> tables = runtime.tables().stream().filter(PlannedTable::captured).toList();
        Map<Side, Map<String, TableSchema>> schemas = new EnumMap<>(Side.class);
        Map<Side, String> schemaErrors = new EnumMap<>(Side.class);
        for (Side side : config.sides()) {
            SideSetup setup = runtime.side(side);
            try (Connection c = setup.endpoint.connect()) {
                schemas.put(side, setup.adapter.schema(c, tables.stream().map(t -> name(t, side)).toList()));
            } catch (SQLException | RuntimeException e) {
                schemaErrors.put(side, "cannot read the table structure: " + e.getMessage());
            }
        }
        for (PlannedTable t : tables) {
            Map<Side, SideScan> scans = new EnumMap<>(Side.class);
            for (Side side : config.sides()) {
                if (stopping) {
                    return;
                }
                SideScan scan;
                if (schemaErrors.containsKey(side)) {
                    scan = new SideScan(side, clock.instant());
                    scan.problem = schemaErrors.get(side);
                } else {
                    scan = scan(side, runtime.side(side), t, schemas.get(side).get(name(t, side)));
                }
                scans.put(side, scan);
            }
            // Every logged change the reads saw must be in the state before a difference means anything.
            for (SideScan scan : scans.values()) {
                if (scan.problem == null) {
                    scan.problem = awaitStreamPast(scan.side, scan.lastSeq);
                }
            }
            long stamp = verdictStamp(scans.values());
            for (SideScan scan : scans.values()) {
                results.put(key(t, scan.side), scan.problem == null ? send(round, t, scan, stamp) : scan.result(round, t, null));
            }
            long written = newestHeartbeatWritten();
            if (written >= stamp) {
                LOG.warn("sending {}'s re-read differences outlasted heartbeat {}: a key re-based on both sides may show DIVERGENT for a moment",
                        t.mappedId(), stamp);
            }
        }
        lastRoundFinishedAt = clock.instant();
        completed = round;
        LOG.info("verification sweep round {} finished", round);
    }

    private static String name(PlannedTable t, Side side) {
        return side == Side.SOURCE ? t.sourceName() : t.targetName();
    }

    private static String key(PlannedTable t, Side side) {
        return t.mappedId() + "|" + side.label();
    }

    /** Reads the whole table on one side, page by page, noting rows that differ from the captured state. */
    private SideScan scan(Side side, SideSetup setup, PlannedTable t, TableSchema schema) throws InterruptedException {
        String table = name(t, side);
        SideScan scan = new SideScan(side, clock.instant(), setup.estimatedRows().getOrDefault(table, 0L));
        TableInfo info = setup.tables().stream().filter(i -> i.qualifiedName().equals(table)).findFirst().orElse(null);
        if (schema == null || info == null) {
            scan.problem = "not found on the " + side.label();
            return scan;
        }
        TableScan.Result plan = TableScan.plan(setup.engine(), table, t.mappedId(), info.primaryKey(), schema, setup.heartbeatTable,
                config.pageRows());
        if (plan.scan() == null) {
            scan.problem = plan.problem();
            return scan;
        }
        try (Connection c = setup.endpoint.connect()) {
            TableScan.prepare(c, setup.engine());
            Object[] after = null;
            long budgetStart = System.nanoTime();
            do {
                activity = "re-reading " + t.mappedId() + " on the " + side.label() + " (" + scan.rows + " rows so far)";
                TableScan.Page page = plan.scan().read(c, after);
                scan.add(page);
                after = page.lastKey();
                throttle(budgetStart, scan.rows);
            } while (after != null && !stopping);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("re-reading {} on the {} failed: {}", t.mappedId(), side.label(), e.getMessage());
            scan.problem = "read failed: " + e.getMessage();
        }
        return scan;
    }

    /**
     * The stamp a table's observations carry, on both sides alike: a heartbeat that will not have been
     * written before all of them are in Kafka. Their verdicts then wait for the heartbeat after it,
     * which each stream delivers after the observations, so a key re-based on both sides (rows an
     * {@code ADD COLUMN} or a replicated {@code TRUNCATE} changed everywhere without a log record) is
     * judged only once both sides' observations are applied, never in between. Never earlier than a
     * read's own guard (a later stamp only delays a verdict).
     */
    private long verdictStamp(java.util.Collection<SideScan> scans) {
        long records = scans.stream().mapToLong(sc -> sc.candidates.size()).sum();
        double interval = Math.max(0.001, runtime.config().heartbeat().interval().toMillis() / 1000.0);
        long margin = 2 + (long) Math.ceil((1 + records / 100_000.0) / interval);
        long stamp = newestHeartbeatWritten() + margin;
        for (SideScan sc : scans) {
            stamp = Math.max(stamp, sc.lastSeq);
        }
        return stamp;
    }

    private long newestHeartbeatWritten() {
        var hb = runtime.heartbeat();
        return hb == null ? -1 : hb.newest();
    }

    /** Sends what one side's scan found to that side's topic: rows that still differ, captured rows not found. */
    private TableResult send(long round, PlannedTable t, SideScan scan, long stamp) {
        Side side = scan.side;
        long sent = 0;
        long absent = 0;
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        ChangeProducer producer = producer(side);
        long now = micros(clock.instant());
        for (Candidate cand : scan.candidates) {
            if (stillDiffers(view.key(cand.key), side, cand.hash, cand.guard)) {
                producer.send(new MappedRecord(cand.key, new Observation(side, cand.hash, cand.guard, Math.max(stamp, cand.guard), now)), acks);
                sent++;
            }
        }
        long firstSeq = scan.firstSeq;
        List<byte[]> missing = new ArrayList<>();
        view.forEachKey(t.mappedId(), (rowKey, ks) -> {
            SideState s = ks.side(side);
            if (s != null && s.exists() && predates(s, firstSeq) && !scan.seen(rowKey)) {
                missing.add(rowKey);
            }
        });
        for (byte[] rowKey : missing) {
            producer.send(new MappedRecord(rowKey, new Observation(side, null, firstSeq, Math.max(stamp, scan.lastSeq), now)), acks);
            absent++;
        }
        try {
            for (Future<RecordMetadata> f : acks) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return new TableResult(t.mappedId(), side, round, scan.startedAt, null, scan.rows, scan.matched, sent, absent,
                    "could not send the differences to Kafka: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return scan.result(round, t, null);
        }
        if (sent + absent > 0) {
            LOG.info("re-reading {} on the {}: {} of {} rows differ from the captured state, {} captured rows not found; sent for judgement",
                    t.mappedId(), side.label(), sent, scan.rows, absent);
        }
        String partial = scan.overflow == 0 ? null : scan.overflow + " more differing rows than one round sends (" + MAX_CANDIDATES
                + "); they are sent in the next rounds";
        return new TableResult(t.mappedId(), side, round, scan.startedAt, partial == null ? clock.instant() : null, scan.rows, scan.matched,
                sent, absent, partial);
    }

    /** One side's scan of one table: rows that did not match at once, the keys seen, the heartbeats read. */
    private final class SideScan {
        final Side side;
        final Instant startedAt;
        long rows;
        long matched;
        long firstSeq = -1;
        long lastSeq = -1;
        long overflow;
        String problem;
        final List<Candidate> candidates = new ArrayList<>();
        private final SeenKeys seen;

        SideScan(Side side, Instant startedAt) {
            this(side, startedAt, 0);
        }

        SideScan(Side side, Instant startedAt, long expectedRows) {
            this.side = side;
            this.startedAt = startedAt;
            this.seen = new SeenKeys(expectedRows);
        }

        void add(TableScan.Page page) {
            if (firstSeq < 0) {
                firstSeq = page.heartbeatSeq();
            }
            lastSeq = Math.max(lastSeq, page.heartbeatSeq());
            for (TableScan.Row row : page.rows()) {
                rows++;
                seen.add(RowHashing.keyHash(row.key()));
                KeyState ks = view.key(row.key());
                SideState s = ks == null ? null : ks.side(side);
                if (s != null && Objects.equals(s.hash(), row.hash())) {
                    matched++;
                } else if (candidates.size() < MAX_CANDIDATES) {
                    candidates.add(new Candidate(row.key(), row.hash(), page.heartbeatSeq()));
                } else {
                    overflow++;
                }
            }
        }

        boolean seen(byte[] rowKey) {
            return seen.mightContain(RowHashing.keyHash(rowKey));
        }

        TableResult result(long round, PlannedTable t, Instant finishedAt) {
            return new TableResult(t.mappedId(), side, round, startedAt, finishedAt, rows, matched, 0, 0, problem);
        }
    }

    private record Candidate(byte[] key, Hash128 hash, long guard) {
    }

    /** Whether the captured state still differs from a read and is older than it (the reconciler checks again). */
    private static boolean stillDiffers(KeyState ks, Side side, Hash128 read, long guard) {
        SideState s = ks == null ? null : ks.side(side);
        return !Objects.equals(s == null ? null : s.hash(), read) && (s == null || predates(s, guard));
    }

    private static boolean predates(SideState s, long guard) {
        return s.stamp() == SideState.NONE || s.stamp() < guard;
    }

    /** Waits until the side's stream has delivered a heartbeat after {@code seq} on every partition; null when it has. */
    private String awaitStreamPast(Side side, long seq) throws InterruptedException {
        Duration limit = STREAM_WAIT_MIN.plus(runtime.config().heartbeat().interval().multipliedBy(10));
        Instant until = clock.instant().plus(limit);
        while (!stopping) {
            List<Watermark> marks;
            try {
                marks = view.watermarks(side);
            } catch (RuntimeException e) {
                marks = List.of();
            }
            if (marks.size() >= runtime.partitions() && marks.stream().allMatch(w -> w.seq() > seq)) {
                return null;
            }
            if (clock.instant().isAfter(until)) {
                return "the " + side.label() + " stream did not pass heartbeat " + seq + " within " + limit.toSeconds()
                        + " s of the read (capture or replication behind); the table is re-read next round";
            }
            activity = "waiting for the " + side.label() + " stream to pass heartbeat " + seq;
            waitFor(Duration.ofMillis(200));
        }
        return "stopped";
    }

    private void throttle(long startNanos, long rows) throws InterruptedException {
        long dueNanos = rows * 1_000_000_000L / config.maxRowsPerSecond();
        long ahead = dueNanos - (System.nanoTime() - startNanos);
        if (ahead > 1_000_000L) {
            waitFor(Duration.ofNanos(ahead)); // the read budget: stay a polite guest on production
        }
    }

    private synchronized ChangeProducer producer(Side side) {
        return producers.computeIfAbsent(side, s -> new ChangeProducer(runtime.kafkaProperties(), runtime.topic(s), runtime.partitions(),
                runtime.chunking()));
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
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
        synchronized (this) {
            producers.values().forEach(ChangeProducer::close);
            producers.clear();
        }
    }
}
