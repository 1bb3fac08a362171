package dev.parity.ingest.sweep;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.kafka.SideTopics;
import dev.parity.ingest.port.ReconcilerPort;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.sweep.Sweeper.TableResult;
import dev.parity.ingest.debezium.MappedRecord;
import dev.parity.ingest.kafka.ChangeProducer;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.model.Observation;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.rules.ReadOver;
import dev.parity.reconciler.state.KeyState;
import dev.parity.reconciler.state.SideState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One table's round of the verification sweep ({@link Sweeper}): scan it on every configured side, wait until each side's
 * stream has passed the heartbeats the reads saw, then send what differs from the captured state to
 * that side's topic as {@link Observation}s (rows that differ, captured rows not found).
 *
 * <p>Both sides of a table are read before anything is sent, and their observations share one stamp:
 * rows untouched since an {@code ADD COLUMN} hash without the column in the captured state and with it
 * when re-read, on both sides alike; re-based one side at a time, such a key would look divergent until
 * the other side's re-read, re-based together it never does.
 */
final class TableSweep implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TableSweep.class);

    /** What the sweep's thread offers a re-read: its stop flag, its status line, its interruptible wait. */
    interface Control {
        boolean stopping();

        void activity(String what);

        void waitFor(Duration d) throws InterruptedException;
    }

    /** The longest the heartbeat a table's observations are stamped with is held back while they are sent. */
    static final Duration HOLD_MAX = Duration.ofSeconds(60);
    /** How long the sweep waits for a side's stream to pass the heartbeat its reads saw. */
    private static final Duration STREAM_WAIT_MIN = Duration.ofSeconds(30);
    /**
     * Differing rows one side's scan of one table holds and sends per round (~70 bytes each in memory).
     * Normally a handful; after an {@code ADD COLUMN} every untouched row differs until re-based, so a
     * big table is re-based over several rounds instead of at the risk of the heap.
     */
    static final int MAX_CANDIDATES = 1_000_000;

    private final IngestConfig.Verify config;
    private final Duration heartbeatInterval;
    private final Databases databases;
    private final ReconcilerPort reconciler;
    private final ReconcilerView view;
    private final SideTopics topics;
    private final HeartbeatWriter heartbeat;
    private final Clock clock;
    private final Control control;
    private final Map<Side, ChangeProducer> producers = new EnumMap<>(Side.class);
    private final StreamYield yield;

    TableSweep(IngestConfig.Verify config, Duration heartbeatInterval, Databases databases, ReconcilerPort reconciler, SideTopics topics,
               HeartbeatWriter heartbeat, Clock clock, Control control) {
        this.config = config;
        this.heartbeatInterval = heartbeatInterval;
        this.databases = databases;
        this.reconciler = reconciler;
        this.view = reconciler.view();
        this.topics = topics;
        this.heartbeat = heartbeat;
        this.clock = clock;
        this.control = control;
        this.yield = heartbeat == null ? null
                : new StreamYield(heartbeat::written, seq -> reconciler.passed(Side.SOURCE, seq), clock, heartbeatInterval);
    }

    /** The time the sweep has spent yielding to the change streams ({@link StreamYield}). */
    Duration yielded() {
        return yield == null ? Duration.ZERO : yield.yielded();
    }

    /**
     * Re-reads one table on every configured side and sends what differs.
     *
     * @param schemas      each side's table structures, read once per round
     * @param schemaErrors why a side's structures could not be read
     * @param oneSided     the columns this read leaves out, on both sides and in every look-up alike (from {@code schemas})
     */
    List<TableResult> table(long round, PlannedTable t, Map<Side, Map<String, TableSchema>> schemas, Map<Side, String> schemaErrors,
                            java.util.Set<String> oneSided) throws InterruptedException {
        Map<Side, SideScan> scans = new EnumMap<>(Side.class);
        for (Side side : config.sides()) {
            if (control.stopping()) {
                return List.of();
            }
            SideScan scan;
            if (schemaErrors.containsKey(side)) {
                scan = new SideScan(side, clock.instant(), 0, view, reconciler.partitions());
                scan.problem = schemaErrors.get(side);
            } else {
                scan = scan(side, databases.of(side), t, schemas.get(side).get(t.name(side)), oneSided);
            }
            scans.put(side, scan);
        }
        // Every logged change the reads saw must be in the state before a difference means anything.
        for (SideScan scan : scans.values()) {
            if (scan.problem == null) {
                scan.problem = awaitStreamPast(scan.side, scan.lastSeq);
            }
        }
        if (scans.size() == 2 && scans.values().stream().allMatch(sc -> sc.problem == null && sc.shape != 0)) {
            new BothSidesOrNeither(view, databases, control, this::awaitStreamPast).apply(t, scans);
        }
        java.util.Set<String> now = databases.oneSided().of(t.mappedId());
        if (!now.equals(oneSided)) {
            // The streams hash over another set of columns than these reads did (a side's ALTER landed meanwhile): sent,
            // a key's read would meet the other side's captured value, hashed over the other set, as a difference.
            LOG.info("re-reading {}: the columns compared changed while it was read ({} left out, now {}); it is read again",
                    t.mappedId(), oneSided, now);
            scans.values().stream().filter(sc -> sc.problem == null)
                    .forEach(sc -> sc.problem = "the columns compared changed while the table was read; it is read again");
        }
        // What each side sends is settled first (the state is looked up key by key), then sent under one held heartbeat.
        Map<Side, Outgoing> outgoing = new EnumMap<>(Side.class);
        for (SideScan scan : scans.values()) {
            if (scan.problem == null) {
                outgoing.put(scan.side, outgoing(t, scan));
            }
        }
        List<TableResult> out = new ArrayList<>();
        try (HeartbeatWriter.Hold hold = holdStamp(scans.values(), outgoing.values())) {
            long stamp = hold == null ? verdictStamp(scans.values(), outgoing.values()) : hold.seq();
            for (SideScan scan : scans.values()) {
                out.add(scan.problem == null ? send(round, t, scan, outgoing.get(scan.side), stamp) : scan.result(round, t, null));
            }
        }
        return out;
    }

    /** Reads the whole table on one side, page by page, noting rows that differ from the captured state. */
    private SideScan scan(Side side, SideDatabase setup, PlannedTable t, TableSchema schema, java.util.Set<String> oneSided)
            throws InterruptedException {
        SideScan scan = new SideScan(side, clock.instant(), setup.estimatedRows().getOrDefault(t.name(side), 0L), view,
                reconciler.partitions());
        TableScan.Result plan = setup.scanPlan(t, schema, config.pageRows(), oneSided);
        if (plan.scan() == null) {
            scan.problem = plan.problem();
            scan.unreadable = plan.unreadable();
            return scan;
        }
        scan.plan = plan.scan();
        scan.shape = plan.scan().byContent() ? 0 : plan.scan().shape(); // a keyless row's shape is in its key
        try (Connection c = setup.connect()) {
            TableScan.prepare(c, setup.engine());
            Object[] after = null;
            dev.parity.ingest.jdbc.ReadBudget budget = new dev.parity.ingest.jdbc.ReadBudget(config.maxRowsPerSecond(), control::waitFor);
            do {
                String reading = "re-reading " + t.mappedId() + " on the " + side.label();
                if (yield != null && yield.await(control, reading)) {
                    budget = new dev.parity.ingest.jdbc.ReadBudget(config.maxRowsPerSecond(), control::waitFor);
                }
                control.activity(reading + " (" + scan.rows + " rows so far)");
                TableScan.Page page = plan.scan().read(c, after);
                scan.add(page);
                after = page.lastKey();
                budget.spent(page.rows().size());
            } while (after != null && !control.stopping());
        } catch (SQLException | RuntimeException e) {
            LOG.warn("re-reading {} on the {} failed: {}", t.mappedId(), side.label(), e.getMessage());
            scan.problem = "read failed: " + e.getMessage();
        }
        return scan;
    }

    /**
     * The stamp a table's observations carry, on both sides alike: a heartbeat not written before all of them are in
     * Kafka. Their verdicts then wait for the heartbeat after it, which each stream delivers after the observations, so a
     * key re-based on both sides (rows an {@code ADD COLUMN} or an unlogged {@code TRUNCATE} replicated as a statement
     * changed everywhere without a row event) is judged only once both sides' observations are applied, never in between.
     * The heartbeat is held back ({@link HeartbeatWriter#holdAt}) until every observation is acknowledged, for at most
     * {@link #HOLD_MAX}: a machine too busy to send in time delays heartbeats, never shows a re-based key DIVERGENT. Never
     * earlier than a read's own guard (a later stamp only delays a verdict). Null without a heartbeat writer.
     */
    private HeartbeatWriter.Hold holdStamp(java.util.Collection<SideScan> scans, java.util.Collection<Outgoing> outgoing) {
        if (heartbeat == null) {
            return null;
        }
        return heartbeat.holdAt(margin(outgoing), scans.stream().mapToLong(sc -> sc.lastSeq).max().orElse(-1), HOLD_MAX);
    }

    /** The stamp without heartbeats (grace-period verdicts, where stamps decide nothing): past every read's guard. */
    private long verdictStamp(java.util.Collection<SideScan> scans, java.util.Collection<Outgoing> outgoing) {
        long stamp = newestHeartbeatWritten() + margin(outgoing);
        for (SideScan sc : scans) {
            stamp = Math.max(stamp, sc.lastSeq);
        }
        return stamp;
    }

    /** Heartbeats ahead of the newest written that a stamp lies: about a second's, more for many records. */
    private long margin(java.util.Collection<Outgoing> outgoing) {
        long records = outgoing.stream().mapToLong(o -> o.changed.size() + o.missing.size()).sum();
        double interval = Math.max(0.001, heartbeatInterval.toMillis() / 1000.0);
        return 2 + (long) Math.ceil((1 + records / 100_000.0) / interval);
    }

    private long newestHeartbeatWritten() {
        return heartbeat == null ? -1 : heartbeat.newest();
    }

    /** What one side's scan sends: rows that still differ from the captured state, captured rows the scan did not find. */
    private record Outgoing(List<Candidate> changed, List<byte[]> missing) {
    }

    private Outgoing outgoing(PlannedTable t, SideScan scan) {
        Side side = scan.side;
        List<Candidate> changed = new ArrayList<>();
        for (Candidate cand : scan.candidates) {
            KeyState ks = view.key(cand.key());
            if (ReadOver.worthSending(ks == null ? null : ks.side(side), cand.hash(), cand.guard())) {
                changed.add(cand);
            }
        }
        long firstSeq = scan.firstSeq;
        List<byte[]> missing = new ArrayList<>();
        view.forEachKey(t.mappedId(), (rowKey, ks) -> {
            SideState s = ks.side(side);
            if (s != null && s.exists() && ReadOver.stampPredates(s, firstSeq) && !scan.seen(rowKey)) {
                missing.add(rowKey);
            }
        });
        return new Outgoing(changed, missing);
    }

    /** Sends what one side's scan found to that side's topic, each observation stamped {@code stamp}, and awaits the acks. */
    private TableResult send(long round, PlannedTable t, SideScan scan, Outgoing outgoing, long stamp) {
        Side side = scan.side;
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        ChangeProducer producer = producer(side);
        long now = micros(clock.instant());
        for (Candidate cand : outgoing.changed) {
            producer.send(new MappedRecord(cand.key(), new Observation(side, cand.hash(), cand.guard(), Math.max(stamp, cand.guard()), now,
                    scan.shape)), acks);
        }
        for (byte[] rowKey : outgoing.missing) {
            producer.send(new MappedRecord(rowKey, new Observation(side, null, scan.firstSeq, Math.max(stamp, scan.lastSeq), now)), acks);
        }
        long sent = outgoing.changed.size();
        long absent = outgoing.missing.size();
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


    /** Waits until the side's stream has delivered a heartbeat after {@code seq} on every partition; null when it has. */
    private String awaitStreamPast(Side side, long seq) throws InterruptedException {
        Duration limit = STREAM_WAIT_MIN.plus(heartbeatInterval.multipliedBy(10));
        Instant until = clock.instant().plus(limit);
        while (!control.stopping()) {
            if (reconciler.passed(side, seq)) {
                return null;
            }
            if (clock.instant().isAfter(until)) {
                return "the " + side.label() + " stream did not pass heartbeat " + seq + " within " + limit.toSeconds()
                        + " s of the read (capture or replication behind); the table is re-read next round";
            }
            control.activity("waiting for the " + side.label() + " stream to pass heartbeat " + seq);
            control.waitFor(Duration.ofMillis(200));
        }
        return "stopped";
    }

    private synchronized ChangeProducer producer(Side side) {
        return producers.computeIfAbsent(side, topics::producer);
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
    }

    @Override
    public synchronized void close() {
        producers.values().forEach(ChangeProducer::close);
        producers.clear();
    }
}
