package dev.parity.ingest.load;

import dev.parity.ingest.debezium.MappedRecord;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.kafka.ChangeProducer;
import dev.parity.ingest.kafka.SideTopics;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.model.BaselineBatch;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Side;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One table of {@link InitialLoad}: a source page of {@code pageRows} rows, then the target's rows of
 * the same keys — between the same two keys, or looked up one by one where the two sides order keys
 * differently ({@link KeyPairing}) — read concurrently with the next source page, paired by key,
 * grouped by partition into {@link BaselineBatch} records, and sent once both captures have passed the
 * heartbeats the two reads saw (a third thread, so reading, waiting and sending overlap).
 */
final class TableLoad {
    /** What the load needs from {@link InitialLoad}: its stop flag, its status line, its waits for the streams. */
    interface Control {
        boolean stopping();

        void activity(String what);

        /** Until both streams have delivered a heartbeat on every partition. */
        void awaitStreamsBegan() throws InterruptedException;

        /** Until each capture has had a heartbeat after the given one acknowledged by Kafka. */
        void awaitCaptured(long sourceSeq, long targetSeq) throws InterruptedException;
    }

    /** Where a load's time went (nanoseconds per activity), for the log line at its end. */
    static final class Timings {
        final AtomicLong sourceRead = new AtomicLong();
        final AtomicLong targetRead = new AtomicLong();
        final AtomicLong guardWait = new AtomicLong();
        final AtomicLong send = new AtomicLong();
        final AtomicLong applyWait = new AtomicLong();
        /** Waiting to keep within {@code snapshot.maxRowsPerSecond}. */
        final AtomicLong budgetWait = new AtomicLong();

        @Override
        public String toString() {
            return "source reads " + secs(sourceRead) + " s, target reads " + secs(targetRead) + " s, waiting for the captures to pass the reads "
                    + secs(guardWait) + " s, sending " + secs(send) + " s, waiting for the reconciler to apply the rest " + secs(applyWait) + " s"
                    + (budgetWait.get() == 0 ? "" : ", keeping within the read budget " + secs(budgetWait) + " s");
        }

        private static double secs(AtomicLong nanos) {
            return Math.round(nanos.get() / 1e7) / 100.0;
        }
    }

    /** Batches read ahead of the sender (each one source page and its target range). */
    private static final int QUEUE_BATCHES = 16;
    private static final Batch END = new Batch(List.of(), -1, -1);
    /** Keys per look-up on the other side ({@code WHERE (pk) IN (…)}), within every driver's parameter limit. */
    private static final int LOOKUP_KEYS = 5_000;
    private static final int LOOKUP_PARAMETERS = 30_000;
    /** Keys per Kafka record (~60 bytes each): well under the broker's default 1 MB message limit. */
    private static final int RECORD_KEYS = 2_000;
    /** How often the sender records how far the load got ({@link LoadProgress}): each record waits for Kafka's acknowledgements. */
    private static final long CHECKPOINT_EVERY_NANOS = java.time.Duration.ofSeconds(5).toNanos();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TableLoad.class);

    private final Databases databases;
    private final SideTopics topics;
    private final Clock clock;
    private final int pageRows;
    private final ExecutorService workers;
    private final ChangeProducer producer;
    private final AtomicReference<Exception> sendFailure;
    private final Timings timings;
    private final Control control;
    private final int maxRowsPerSecond;
    /** This table's budget: one table is loaded at a time, by one thread reading pages. */
    private dev.parity.ingest.jdbc.ReadBudget budget;
    private final LoadProgress progress;
    /** The table being loaded (one at a time), for its progress records. */
    private volatile String table;
    private long lastCheckpointNanos;

    /** @param maxRowsPerSecond read budget on each database (0: none): see {@link dev.parity.ingest.jdbc.ReadBudget} */
    TableLoad(Databases databases, SideTopics topics, Clock clock, int pageRows, int maxRowsPerSecond, ExecutorService workers,
              ChangeProducer producer, AtomicReference<Exception> sendFailure, Timings timings, Control control, LoadProgress progress) {
        this.maxRowsPerSecond = maxRowsPerSecond;
        this.progress = progress;
        this.databases = databases;
        this.topics = topics;
        this.clock = clock;
        this.pageRows = pageRows;
        this.workers = workers;
        this.producer = producer;
        this.sendFailure = sendFailure;
        this.timings = timings;
        this.control = control;
    }

    /**
     * Loads one table, paired by key ranges or by key lookups ({@link KeyPairing}): reads on the two
     * sides overlap, and batches are sent as they come.
     */
    void load(PlannedTable t, AtomicLong sourceRows, AtomicLong targetRows) throws SQLException, InterruptedException, ExecutionException {
        SideDatabase src = databases.source();
        SideDatabase tgt = databases.target();
        var sourceSchema = src.schemas(List.of(t)).get(t.sourceName());
        var targetSchema = tgt.schemas(List.of(t)).get(t.targetName());
        // Both sides hashed over one set of columns, however the comparison changes while the load plans.
        java.util.Set<String> oneSided = databases.oneSided().of(t.mappedId());
        TableScan sourceScan = require(src.scanPlan(t, sourceSchema, pageRows, oneSided), t, Side.SOURCE);
        TableScan targetScan = require(tgt.scanPlan(t, targetSchema, pageRows, oneSided), t, Side.TARGET);
        KeyPairing.Decision pairing = KeyPairing.decide(src.engine(), sourceSchema, tgt.engine(), targetSchema,
                t.key().stream().map(k -> k.toLowerCase(java.util.Locale.ROOT)).toList());
        if (pairing.problem() != null) {
            throw new IllegalStateException(t.mappedId() + " cannot be paired by key: " + pairing.problem());
        }
        LoadProgress.Entry resume = progress.resumePoint(t.mappedId(), t.key().size(), pairing.pairing() == KeyPairing.KEYS);
        sourceRows.set(resume == null ? 0 : resume.sourceRows());
        targetRows.set(resume == null ? 0 : resume.targetRows());
        table = t.mappedId();
        lastCheckpointNanos = System.nanoTime();
        if (resume != null) {
            LOG.info("initial load: {} resumes after {} source and {} target rows an earlier run read and sent (pass {})", t.mappedId(),
                    resume.sourceRows(), resume.targetRows(), resume.pass());
        }
        control.awaitStreamsBegan(); // both streams began before any read: absence since then is known
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
        // Each page read on one side brings about as many rows from the other (its range, or its keys looked up).
        budget = new dev.parity.ingest.jdbc.ReadBudget(maxRowsPerSecond, this::pause);
        try (Connection cs = src.connect(); Connection ct = tgt.connect()) {
            TableScan.prepare(cs, src.engine());
            TableScan.prepare(ct, tgt.engine());
            Future<Long> sender = workers.submit(() -> send(queue));
            try {
                if (pairing.pairing() == KeyPairing.RANGES) {
                    byRanges(t, sourceScan, targetScan, cs, ct, queue, sender, sourceRows, targetRows, resume == null ? null : resume.after());
                } else {
                    byKeys(t, sourceScan, targetScan, cs, ct, queue, sender, sourceRows, targetRows, resume);
                }
                put(queue, END, sender);
                sender.get();
            } finally {
                sender.cancel(true);
            }
        }
    }

    /** Source pages, each with the target's rows between the same two keys, read concurrently with the next source page. */
    private void byRanges(PlannedTable t, TableScan sourceScan, TableScan targetScan, Connection cs, Connection ct, BlockingQueue<Batch> queue,
                          Future<Long> sender, AtomicLong sourceRows, AtomicLong targetRows, Object[] resumeAfter)
            throws SQLException, InterruptedException, ExecutionException {
        Object[] after = resumeAfter;
        Future<List<Batch>> pending = null;
        boolean last;
        do {
            control.activity("loading " + t.mappedId() + " (" + sourceRows.get() + " source rows)");
            long t0 = System.nanoTime();
            TableScan.Page page = sourceScan.read(cs, after);
            timings.sourceRead.addAndGet(System.nanoTime() - t0);
            last = page.rows().size() < pageRows;
            budget.spent(page.rows().size());
            Object[] from = after;
            Object[] upTo = last ? null : page.lastKey();
            putAll(queue, pending, sender);
            long sourceSoFar = sourceRows.addAndGet(page.rows().size());
            pending = workers.submit(() -> {
                long t1 = System.nanoTime();
                TableScan.Page range = targetScan.readRange(ct, from, upTo);
                timings.targetRead.addAndGet(System.nanoTime() - t1);
                long targetSoFar = targetRows.addAndGet(range.rows().size());
                Batch b = pair(page, range);
                return List.of(upTo == null ? b : b.completing(new Checkpoint(1, sourceSoFar, targetSoFar, upTo)));
            });
            after = upTo;
        } while (!last && !control.stopping());
        putAll(queue, pending, sender);
    }

    /**
     * Pass one: source pages in the source's order, the target's rows of exactly those keys looked up
     * (concurrently with the next source page). Pass two: target pages in the target's order, those
     * keys looked up on the source; only target rows the source lacks are sent (target-only keys).
     * A key on both sides that pass one did not meet was inserted on the source after its page was
     * read, so the source's stream brings it.
     */
    private void byKeys(PlannedTable t, TableScan sourceScan, TableScan targetScan, Connection cs, Connection ct, BlockingQueue<Batch> queue,
                        Future<Long> sender, AtomicLong sourceRows, AtomicLong targetRows, LoadProgress.Entry resume)
            throws SQLException, InterruptedException, ExecutionException {
        int lookup = Math.max(1, Math.min(LOOKUP_KEYS, LOOKUP_PARAMETERS / Math.max(1, t.key().size())));
        Engine sourceEngine = databases.source().engine();
        Engine targetEngine = databases.target().engine();
        if (resume == null || resume.pass() == 1) {
            lookupPass(queue, sender, lookup, 1, resume == null ? null : resume.after(), sourceRows, targetRows,
                    () -> "loading " + t.mappedId() + " (" + sourceRows.get() + " source rows, then the target's own order)",
                after -> sourceScan.readWithKeyValues(cs, after), timings.sourceRead, part -> targetScan.readKeyValues(ct, part, sourceEngine),
                timings.targetRead, (page, part, found) -> {
                    sourceRows.addAndGet(part.size());
                    targetRows.addAndGet(found.rows().size());
                    return pair(new TableScan.Page(page.heartbeatSeq(), part, null), found);
                });
        }
        AtomicLong targetSeen = new AtomicLong();
        lookupPass(queue, sender, lookup, 2, resume != null && resume.pass() == 2 ? resume.after() : null, sourceRows, targetRows,
                () -> "loading " + t.mappedId() + " (target rows the source lacks: " + targetSeen.get() + " target rows looked at)",
                after -> targetScan.readWithKeyValues(ct, after), timings.targetRead, part -> sourceScan.readKeyValues(cs, part, targetEngine),
                timings.sourceRead, (page, part, onSource) -> {
                    targetSeen.addAndGet(part.size());
                    java.util.Set<ByteBuffer> present = onSource.byKey().keySet();
                    List<TableScan.Row> targetOnly = part.stream().filter(r -> !present.contains(ByteBuffer.wrap(r.key()))).toList();
                    targetRows.addAndGet(targetOnly.size());
                    return targetOnly.isEmpty() ? null : pair(new TableScan.Page(onSource.heartbeatSeq(), List.of(), null),
                            new TableScan.Page(page.heartbeatSeq(), targetOnly, null));
                });
    }

    /** A read of one page in a side's own order. */
    private interface PageRead {
        TableScan.Page read(Object[] after) throws SQLException;
    }

    /** A look-up of some keys' rows on the other side. */
    private interface KeyLookup {
        TableScan.Page find(List<Object[]> keys) throws SQLException;
    }

    /** What one looked-up part of a page becomes; null sends nothing. */
    private interface PartPairing {
        Batch pair(TableScan.Page page, List<TableScan.Row> part, TableScan.Page found);
    }

    /**
     * One pass of {@link #byKeys}: pages of one side in its own order, each split into parts whose keys
     * are looked up on the other side (concurrently with the next page), each part paired and queued.
     */
    private void lookupPass(BlockingQueue<Batch> queue, Future<?> sender, int partKeys, int pass, Object[] resumeAfter, AtomicLong sourceRows,
                            AtomicLong targetRows, java.util.function.Supplier<String> activity, PageRead pages,
                            AtomicLong pageTime, KeyLookup lookup, AtomicLong lookupTime, PartPairing pairing)
            throws SQLException, InterruptedException, ExecutionException {
        Object[] after = resumeAfter;
        Future<List<Batch>> pending = null;
        do {
            control.activity(activity.get());
            long t0 = System.nanoTime();
            TableScan.Page page = pages.read(after);
            pageTime.addAndGet(System.nanoTime() - t0);
            budget.spent(page.rows().size());
            putAll(queue, pending, sender);
            pending = workers.submit(() -> {
                List<Batch> out = new ArrayList<>();
                for (List<TableScan.Row> part : parts(page.rows(), partKeys)) {
                    long t1 = System.nanoTime();
                    TableScan.Page found = lookup.find(part.stream().map(TableScan.Row::keyValues).toList());
                    lookupTime.addAndGet(System.nanoTime() - t1);
                    Batch b = pairing.pair(page, part, found);
                    if (b != null) {
                        out.add(b);
                    }
                }
                if (page.lastKey() != null) { // the page is done once its last part is sent
                    out.add(new Batch(List.of(), -1, -1, new Checkpoint(pass, sourceRows.get(), targetRows.get(), page.lastKey())));
                }
                return out;
            });
            after = page.lastKey();
        } while (after != null && !control.stopping());
        putAll(queue, pending, sender);
    }

    /** Waits out the read budget, a little at a time, unless the load is stopping. */
    private void pause(java.time.Duration d) throws InterruptedException {
        long start = System.nanoTime();
        long until = start + d.toNanos();
        for (long left = d.toNanos(); left > 0 && !control.stopping(); left = until - System.nanoTime()) {
            Thread.sleep(Math.max(1, Math.min(200, left / 1_000_000)));
        }
        timings.budgetWait.addAndGet(System.nanoTime() - start);
    }

    private static List<List<TableScan.Row>> parts(List<TableScan.Row> rows, int size) {
        List<List<TableScan.Row>> out = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += size) {
            out.add(rows.subList(from, Math.min(rows.size(), from + size)));
        }
        return out;
    }

    private static void putAll(BlockingQueue<Batch> queue, Future<List<Batch>> pending, Future<?> sender) throws InterruptedException, ExecutionException {
        if (pending != null) {
            for (Batch b : pending.get()) {
                put(queue, b, sender);
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
    private Batch pair(TableScan.Page source, TableScan.Page target) {
        List<BaselineBatch> records = pair(source, target, topics.chunking(), topics.partitions(), micros(clock.instant()), RECORD_KEYS);
        return new Batch(records, source.heartbeatSeq(), target.heartbeatSeq());
    }

    /**
     * Pairs a source page with the target's rows of the same key range: every key of either side once,
     * with its hash on each side (null where that side has no such row), in records that each hold
     * keys of one partition only (the record's Kafka key is its first row key) and at most {@code recordKeys}.
     */
    static List<BaselineBatch> pair(TableScan.Page source, TableScan.Page target, dev.parity.reconciler.model.Chunking chunking,
                                    int partitions, long readAtMicros, int recordKeys) {
        Map<ByteBuffer, Hash128> targetRows = new HashMap<>(target.rows().size() * 2);
        for (TableScan.Row r : target.rows()) {
            targetRows.put(ByteBuffer.wrap(r.key()), r.hash());
        }
        List<List<BaselineBatch.Entry>> byPartition = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            byPartition.add(new ArrayList<>());
        }
        for (TableScan.Row r : source.rows()) {
            Hash128 other = targetRows.remove(ByteBuffer.wrap(r.key()));
            byPartition.get(chunking.partitionOf(r.key(), partitions)).add(new BaselineBatch.Entry(r.key(), r.hash(), other));
        }
        targetRows.forEach((k, h) -> byPartition.get(chunking.partitionOf(k.array(), partitions)).add(new BaselineBatch.Entry(k.array(), null, h)));
        List<BaselineBatch> records = new ArrayList<>();
        for (List<BaselineBatch.Entry> entries : byPartition) {
            for (int from = 0; from < entries.size(); from += recordKeys) {
                records.add(new BaselineBatch(source.heartbeatSeq(), target.heartbeatSeq(), readAtMicros,
                        entries.subList(from, Math.min(entries.size(), from + recordKeys))));
            }
        }
        return records;
    }

    /** Sends batches once both captures have passed the heartbeats their reads saw; returns keys sent. */
    private long send(BlockingQueue<Batch> queue) throws InterruptedException {
        long sent = 0;
        while (true) {
            Batch b = queue.take();
            if (b == END) {
                return sent;
            }
            long t0 = System.nanoTime();
            control.awaitCaptured(b.sourceGuard(), b.targetGuard());
            long t1 = System.nanoTime();
            timings.guardWait.addAndGet(t1 - t0);
            for (BaselineBatch r : b.records()) {
                producer.send(new MappedRecord(r.entries().get(0).key(), r), sendFailure);
                sent += r.entries().size();
            }
            Checkpoint c = b.completes();
            if (c != null && System.nanoTime() - lastCheckpointNanos >= CHECKPOINT_EVERY_NANOS) {
                progress.recordOnceSent(producer, sendFailure, LoadProgress.Entry.at(table, c.pass(), c.sourceRows(), c.targetRows(), c.after()));
                lastCheckpointNanos = System.nanoTime();
            }
            timings.send.addAndGet(System.nanoTime() - t1);
        }
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000L;
    }

    /**
     * @param completes where the table's load resumes once this batch is acknowledged (the last batch of a page); null
     *                  when not at a page's end
     */
    private record Batch(List<BaselineBatch> records, long sourceGuard, long targetGuard, Checkpoint completes) {
        Batch(List<BaselineBatch> records, long sourceGuard, long targetGuard) {
            this(records, sourceGuard, targetGuard, null);
        }

        Batch completing(Checkpoint c) {
            return new Batch(records, sourceGuard, targetGuard, c);
        }
    }

    /** A resume point: pages of {@code pass} continue after {@code after}; the rows counted up to it. */
    private record Checkpoint(int pass, long sourceRows, long targetRows, Object[] after) {
    }
}
