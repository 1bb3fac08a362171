package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.debezium.MappedRecord;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.ingest.kafka.ChangeProducer;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.ingest.schema.TypeFamily;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.model.BaselineBatch;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.state.Watermark;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parity's own initial snapshot ({@code snapshot.method: parity}), in place of the connectors': the
 * captures start streaming without reading any rows, and this reads every table on both sides by the
 * same primary-key ranges, hashes rows as they arrive, and sends each key's two hashes as one
 * {@link dev.parity.reconciler.model.Baseline} to the reconciler (many keys per Kafka record: {@link BaselineBatch}).
 *
 * <p>Why it is exact: each range is read in one short snapshot that also reads that side's heartbeat row
 * (seq {@code g}), after that side's stream has delivered its first heartbeat. A change the read did not
 * see committed after heartbeat {@code g}, so the stream delivers it after {@code g} and it carries a
 * later stamp; the reconciler takes the read value only where the key's captured state is older, and a
 * baseline is sent only once both streams have passed its two heartbeats (so every change the reads saw
 * is already applied). Both sides of a key arrive together, so no key looks one-sided while loading.
 *
 * <p>Source pages and target ranges are read concurrently, and sending overlaps reading. Ranges are
 * aligned by the source's key values, so every key column must order the same way on both engines
 * (integers and decimals); {@link #unsuitable} says when a table does not allow it.
 */
public final class InitialLoad implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InitialLoad.class);
    /** Present while a load has been decided and is not finished: a restart resumes (re-does) it. */
    static final String PENDING_FILE = "initial-load.pending";
    private static final Set<TypeFamily> ALIGNABLE_KEYS = Set.of(TypeFamily.INTEGER, TypeFamily.DECIMAL);
    /** Batches read ahead of the sender (each one source page and its target range). */
    private static final int QUEUE_BATCHES = 16;
    /** How often the sender asks for an extra heartbeat while a batch waits for the captures to pass its reads. */
    private static final Duration POKE_EVERY = Duration.ofMillis(20);
    private static final Batch END = new Batch(List.of(), -1, -1);
    /** Keys per Kafka record (~60 bytes each): well under the broker's default 1 MB message limit. */
    private static final int RECORD_KEYS = 2_000;

    private final ParityRuntime runtime;
    private final Clock clock;
    private final Path pendingFile;
    private final int pageRows;
    private final Map<Side, Map<String, AtomicLong>> rows = new EnumMap<>(Side.class);
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private volatile ReconcilerView view;
    private volatile Instant startedAt;
    private volatile Instant finishedAt;
    private volatile String activity = "not started";
    private volatile String problem;
    private volatile boolean stopping;
    private volatile long lastPokeNanos;
    /** Where the load's time went, for the log line at its end (nanoseconds per activity). */
    private final AtomicLong sourceReadNanos = new AtomicLong();
    private final AtomicLong targetReadNanos = new AtomicLong();
    private final AtomicLong guardWaitNanos = new AtomicLong();
    private final AtomicLong sendNanos = new AtomicLong();
    private final AtomicLong applyWaitNanos = new AtomicLong();
    private Thread thread;
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "parity-load-worker");
        t.setDaemon(true);
        return t;
    });

    InitialLoad(ParityRuntime runtime, Clock clock, Path pendingFile) {
        this.runtime = runtime;
        this.clock = clock;
        this.pendingFile = pendingFile;
        this.pageRows = runtime.config().snapshot().pageRows();
        for (Side side : Side.values()) {
            rows.put(side, new ConcurrentHashMap<>());
        }
    }

    /**
     * Why Parity cannot load these tables itself (the connectors then snapshot them); null when it can:
     * heartbeats on, every table readable by the sweep's reader on both sides, and every key column
     * of a type that orders alike on both engines.
     */
    static String unsuitable(ParityConfig config, List<PlannedTable> tables, SideSetup source, SideSetup target) {
        if (!config.heartbeat().enabled()) {
            return "needs heartbeats to order its reads against the change streams (heartbeat.enabled is false)";
        }
        try {
            Map<Side, Map<String, TableSchema>> schemas = schemas(tables, source, target);
            for (PlannedTable t : tables) {
                for (SideSetup setup : List.of(source, target)) {
                    String name = Sweeper.name(t, setup.side);
                    TableSchema schema = schemas.get(setup.side).get(name);
                    String why = plan(setup, t, schema, 1).problem();
                    if (why != null) {
                        return t.mappedId() + " on the " + setup.side.label() + ": " + why;
                    }
                    for (String k : t.key()) {
                        ColumnInfo col = schema.columns().stream().filter(c -> c.name().equalsIgnoreCase(k)).findFirst().orElse(null);
                        if (col == null || !ALIGNABLE_KEYS.contains(col.family())) {
                            return t.mappedId() + ": key column " + k + (col == null ? " not found" : " is " + col.nativeType())
                                    + " on the " + setup.side.label() + "; only integer and decimal keys order alike on every engine";
                        }
                    }
                }
            }
            return null;
        } catch (SQLException | RuntimeException e) {
            return "could not read the tables' structures: " + e.getMessage();
        }
    }

    private static Map<Side, Map<String, TableSchema>> schemas(List<PlannedTable> tables, SideSetup... setups) throws SQLException {
        Map<Side, Map<String, TableSchema>> out = new EnumMap<>(Side.class);
        for (SideSetup s : setups) {
            try (Connection c = s.endpoint.connect()) {
                out.put(s.side, s.adapter.schema(c, tables.stream().map(t -> Sweeper.name(t, s.side)).toList()));
            }
        }
        return out;
    }

    private static TableScan.Result plan(SideSetup setup, PlannedTable t, TableSchema schema, int pageRows) {
        String name = Sweeper.name(t, setup.side);
        TableInfo info = setup.tables().stream().filter(i -> i.qualifiedName().equals(name)).findFirst().orElse(null);
        if (schema == null || info == null) {
            return new TableScan.Result(null, "not found");
        }
        return TableScan.plan(setup.engine(), name, t.mappedId(), info.primaryKey(), schema, setup.heartbeatTable, pageRows);
    }

    /** Starts loading in the background; {@code view} tells how far the streams are. */
    public synchronized void start(ReconcilerView view) {
        if (thread != null) {
            return;
        }
        this.view = view;
        thread = new Thread(this::run, "parity-initial-load");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether every table's baseline has been sent and applied by the reconciler. */
    public boolean complete() {
        return finishedAt != null;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    public String activity() {
        return activity;
    }

    /** The last failure, retried; null when none. */
    public String problem() {
        return problem;
    }

    /** Rows read so far on one side, per table as that side names it. */
    public Map<String, Long> rowsDone(Side side) {
        Map<String, Long> out = new HashMap<>();
        rows.get(side).forEach((t, n) -> out.put(t, n.get()));
        return out;
    }

    private void run() {
        startedAt = clock.instant();
        List<PlannedTable> tables = runtime.tables().stream().filter(PlannedTable::captured).toList();
        try (ChangeProducer producer = new ChangeProducer(runtime.kafkaProperties(), runtime.topic(Side.SOURCE), runtime.partitions(),
                runtime.chunking())) {
            for (PlannedTable t : tables) {
                while (!stopping) {
                    try {
                        load(t, producer);
                        problem = null;
                        break;
                    } catch (SQLException | ExecutionException | RuntimeException e) {
                        problem = "loading " + t.mappedId() + " failed, retrying in 5 s: " + rootMessage(e);
                        LOG.warn(problem);
                        Thread.sleep(5_000);
                    }
                }
            }
            if (stopping) {
                return;
            }
            activity = "waiting for the reconciler to apply the load";
            producer.flush();
            if (sendFailure.get() != null) {
                throw new IllegalStateException("Kafka did not take the load: " + sendFailure.get().getMessage(), sendFailure.get());
            }
            // Everything sent precedes, on every source partition, the heartbeat written now, and every read
            // precedes it on the target: once the reconciler has passed it on both streams, every baseline,
            // deferred ones included, has been applied.
            long after = runtime.heartbeat().beat(null);
            long applyStart = System.nanoTime();
            awaitStreams(after - 1, after - 1);
            applyWaitNanos.addAndGet(System.nanoTime() - applyStart);
            Files.deleteIfExists(pendingFile);
            finishedAt = clock.instant();
            activity = "done";
            LOG.info("initial load done: {} source and {} target rows in {} s (source reads {} s, target reads {} s, waiting for the"
                            + " captures to pass the reads {} s, sending {} s, waiting for the reconciler to apply the rest {} s)", total(Side.SOURCE),
                    total(Side.TARGET), Duration.between(startedAt, finishedAt).toMillis() / 1000.0, secs(sourceReadNanos), secs(targetReadNanos),
                    secs(guardWaitNanos), secs(sendNanos), secs(applyWaitNanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | SQLException | RuntimeException e) {
            problem = "initial load failed: " + rootMessage(e);
            activity = "failed";
            LOG.error(problem, e);
        }
    }

    /** Loads one table: source pages and the target's matching ranges read concurrently, sent as they come. */
    private void load(PlannedTable t, ChangeProducer producer) throws SQLException, InterruptedException, ExecutionException {
        SideSetup src = runtime.side(Side.SOURCE);
        SideSetup tgt = runtime.side(Side.TARGET);
        Map<Side, Map<String, TableSchema>> schemas = schemas(List.of(t), src, tgt);
        TableScan sourceScan = require(plan(src, t, schemas.get(Side.SOURCE).get(t.sourceName()), pageRows), t, Side.SOURCE);
        TableScan targetScan = require(plan(tgt, t, schemas.get(Side.TARGET).get(t.targetName()), pageRows), t, Side.TARGET);
        AtomicLong sourceRows = rows.get(Side.SOURCE).computeIfAbsent(t.sourceName(), k -> new AtomicLong());
        AtomicLong targetRows = rows.get(Side.TARGET).computeIfAbsent(t.targetName(), k -> new AtomicLong());
        sourceRows.set(0);
        targetRows.set(0);
        awaitStreams(-1, -1); // both streams began before any read: absence since then is known
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
        try (Connection cs = src.endpoint.connect(); Connection ct = tgt.endpoint.connect()) {
            TableScan.prepare(cs, src.engine());
            TableScan.prepare(ct, tgt.engine());
            Future<Long> sender = workers.submit(() -> send(queue, producer));
            try {
                Object[] after = null;
                Future<Batch> pending = null;
                boolean last;
                do {
                    activity = "loading " + t.mappedId() + " (" + sourceRows.get() + " source rows)";
                    long t0 = System.nanoTime();
                    TableScan.Page page = sourceScan.read(cs, after);
                    sourceReadNanos.addAndGet(System.nanoTime() - t0);
                    last = page.rows().size() < pageRows;
                    Object[] from = after;
                    Object[] upTo = last ? null : page.lastKey();
                    if (pending != null) {
                        put(queue, pending.get(), sender);
                    }
                    pending = workers.submit(() -> {
                        long t1 = System.nanoTime();
                        TableScan.Page range = targetScan.readRange(ct, from, upTo);
                        targetReadNanos.addAndGet(System.nanoTime() - t1);
                        return pair(page, range, targetRows);
                    });
                    sourceRows.addAndGet(page.rows().size());
                    after = upTo;
                } while (!last && !stopping);
                put(queue, pending.get(), sender);
                put(queue, END, sender);
                sender.get();
            } finally {
                sender.cancel(true);
            }
        }
    }

    private static TableScan require(TableScan.Result r, PlannedTable t, Side side) {
        if (r.scan() == null) {
            throw new IllegalStateException(t.mappedId() + " cannot be read on the " + side.label() + ": " + r.problem());
        }
        return r.scan();
    }

    private static void put(BlockingQueue<Batch> queue, Batch b, Future<?> sender) throws InterruptedException, ExecutionException {
        while (!queue.offer(b, 200, TimeUnit.MILLISECONDS)) {
            if (sender.isDone()) {
                sender.get(); // the sender failed: surface why
                throw new IllegalStateException("the load's sender stopped");
            }
        }
    }

    /**
     * A source page and the target's rows of the same key range, paired by key and grouped by partition
     * into records of at most {@link #RECORD_KEYS} keys.
     */
    private Batch pair(TableScan.Page source, TableScan.Page target, AtomicLong targetCount) {
        Map<ByteBuffer, Hash128> targetRows = new HashMap<>(target.rows().size() * 2);
        for (TableScan.Row r : target.rows()) {
            targetRows.put(ByteBuffer.wrap(r.key()), r.hash());
        }
        targetCount.addAndGet(target.rows().size());
        int partitions = runtime.partitions();
        List<List<BaselineBatch.Entry>> byPartition = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            byPartition.add(new ArrayList<>());
        }
        for (TableScan.Row r : source.rows()) {
            Hash128 other = targetRows.remove(ByteBuffer.wrap(r.key()));
            byPartition.get(runtime.chunking().partitionOf(r.key(), partitions)).add(new BaselineBatch.Entry(r.key(), r.hash(), other));
        }
        targetRows.forEach((k, h) -> byPartition.get(runtime.chunking().partitionOf(k.array(), partitions))
                .add(new BaselineBatch.Entry(k.array(), null, h)));
        long now = micros(clock.instant());
        List<BaselineBatch> records = new ArrayList<>();
        for (List<BaselineBatch.Entry> entries : byPartition) {
            for (int from = 0; from < entries.size(); from += RECORD_KEYS) {
                records.add(new BaselineBatch(source.heartbeatSeq(), target.heartbeatSeq(), now,
                        entries.subList(from, Math.min(entries.size(), from + RECORD_KEYS))));
            }
        }
        return new Batch(records, source.heartbeatSeq(), target.heartbeatSeq());
    }

    /** Sends batches once both captures have passed the heartbeats their reads saw; returns keys sent. */
    private long send(BlockingQueue<Batch> queue, ChangeProducer producer) throws InterruptedException {
        long sent = 0;
        while (true) {
            Batch b = queue.take();
            if (b == END) {
                return sent;
            }
            long t0 = System.nanoTime();
            awaitCaptured(b.sourceGuard(), b.targetGuard());
            long t1 = System.nanoTime();
            guardWaitNanos.addAndGet(t1 - t0);
            for (BaselineBatch r : b.records()) {
                producer.send(new MappedRecord(r.entries().get(0).key(), r), sendFailure);
                sent += r.entries().size();
            }
            sendNanos.addAndGet(System.nanoTime() - t1);
        }
    }

    /**
     * Waits until the source stream has delivered a heartbeat after {@code sourceSeq} and the target's
     * one after {@code targetSeq}, on every partition (-1: any heartbeat at all), asking for extra
     * heartbeats meanwhile so a batch waits for capture latency rather than the heartbeat interval.
     */
    private void awaitStreams(long sourceSeq, long targetSeq) throws InterruptedException {
        while (!stopping) {
            if (passed(Side.SOURCE, sourceSeq) && passed(Side.TARGET, targetSeq)) {
                return;
            }
            poke();
            Thread.sleep(5);
        }
        throw new InterruptedException("stopping");
    }

    /**
     * Waits until each capture has had a heartbeat after its side's read acknowledged by Kafka on every
     * partition. The baseline then follows the source's heartbeat on its own topic; the reconciler holds
     * it back (deferred) should it overtake the target's, which is on the other topic. Waiting for the
     * captures rather than the reconciler keeps the reads, the captures and the reconciler all busy.
     */
    private void awaitCaptured(long sourceSeq, long targetSeq) throws InterruptedException {
        while (!stopping) {
            if (runtime.capture(Side.SOURCE).lastHeartbeatSeq() > sourceSeq && runtime.capture(Side.TARGET).lastHeartbeatSeq() > targetSeq) {
                return;
            }
            poke();
            Thread.sleep(2);
        }
        throw new InterruptedException("stopping");
    }

    private boolean passed(Side side, long seq) {
        List<Watermark> marks;
        try {
            marks = view.watermarks(side);
        } catch (RuntimeException e) {
            return false; // stores not queryable yet
        }
        return marks.size() >= runtime.partitions() && marks.stream().allMatch(w -> w.seq() > seq);
    }

    private void poke() {
        long now = System.nanoTime();
        if (now - lastPokeNanos < POKE_EVERY.toNanos() || runtime.heartbeat() == null) {
            return;
        }
        lastPokeNanos = now;
        try {
            runtime.heartbeat().beat(null);
        } catch (SQLException e) {
            LOG.debug("extra heartbeat failed: {}", e.getMessage()); // the regular ones still come
        }
    }

    private static double secs(AtomicLong nanos) {
        return Math.round(nanos.get() / 1e7) / 100.0;
    }

    private long total(Side side) {
        return rows.get(side).values().stream().mapToLong(AtomicLong::get).sum();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
    }

    @Override
    public void close() {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
        }
        workers.shutdownNow();
    }

    private record Batch(List<BaselineBatch> records, long sourceGuard, long targetGuard) {
    }
}
