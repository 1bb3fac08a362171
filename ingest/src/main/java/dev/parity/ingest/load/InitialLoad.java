package dev.parity.ingest.load;

import dev.parity.ingest.Errors;
import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.kafka.SideTopics;
import dev.parity.ingest.port.Captures;
import dev.parity.ingest.port.ReconcilerPort;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.sweep.FullRead;
import dev.parity.ingest.kafka.ChangeProducer;
import dev.parity.reconciler.model.BaselineBatch;
import dev.parity.reconciler.model.Side;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * <p>Source pages and the target's rows of the same keys are read concurrently, and sending overlaps
 * reading. Keys pair by ranges where both sides order them alike, by look-ups otherwise
 * ({@link KeyPairing}); {@link BaselinePlan} decides which tables it reads.
 */
public final class InitialLoad implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InitialLoad.class);
    /** How often the sender asks for an extra heartbeat while a batch waits for the captures to pass its reads. */
    private static final Duration POKE_EVERY = Duration.ofMillis(20);

    private final List<PlannedTable> tables;
    private final Path pendingFile;
    private final int pageRows;
    private final int maxRowsPerSecond;
    private final Databases databases;
    private final Captures captures;
    private final ReconcilerPort reconciler;
    private final SideTopics topics;
    private final HeartbeatWriter heartbeat;
    private final Clock clock;
    private final Map<Side, Map<String, AtomicLong>> rows = new EnumMap<>(Side.class);
    /** Rows an earlier run read and sent, per side and table as that side names it (see {@link LoadProgress}). */
    private final Map<Side, Map<String, Long>> resumed = new EnumMap<>(Side.class);
    private final LoadProgress progress;
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private volatile Instant startedAt;
    private volatile Instant finishedAt;
    private volatile String activity = "not started";
    private volatile String problem;
    private volatile boolean stopping;
    private volatile long lastPokeNanos;
    private final TableLoad.Timings timings = new TableLoad.Timings();
    /** Each table's two completed reads, in load order: a full verification round once the load is applied. */
    private final List<FullRead> reads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Thread thread;
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "parity-load-worker");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param tables      the tables to load (the others are snapshotted by the connectors)
     * @param pendingFile removed once the whole load is applied (see {@link BaselinePlan})
     * @param heartbeat   writes the source's heartbeats (the load needs them to order its reads)
     */
    public InitialLoad(IngestConfig.Snapshot settings, List<PlannedTable> tables, Path pendingFile, Databases databases, Captures captures,
                       ReconcilerPort reconciler, SideTopics topics, HeartbeatWriter heartbeat, Clock clock) {
        this.tables = List.copyOf(tables);
        this.pendingFile = pendingFile;
        this.pageRows = settings.pageRows();
        this.maxRowsPerSecond = settings.maxRowsPerSecond();
        this.databases = databases;
        this.captures = captures;
        this.reconciler = reconciler;
        this.topics = topics;
        this.heartbeat = java.util.Objects.requireNonNull(heartbeat, "heartbeat");
        this.clock = clock;
        this.progress = LoadProgress.beside(pendingFile);
        for (Side side : Side.values()) {
            rows.put(side, new ConcurrentHashMap<>());
            Map<String, Long> earlier = new HashMap<>();
            for (PlannedTable t : this.tables) {
                LoadProgress.Entry e = progress.of(t.mappedId());
                if (e != null) {
                    earlier.put(t.name(side), side == Side.SOURCE ? e.sourceRows() : e.targetRows());
                }
            }
            resumed.put(side, Map.copyOf(earlier));
        }
    }

    /**
     * Rows an earlier run of this load read and sent before it stopped, per table as {@code side} names it: this run
     * does not read them again (README, "The first baseline").
     */
    public Map<String, Long> rowsResumed(Side side) {
        return resumed.get(side);
    }

    /** Starts loading in the background. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
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

    /** How long the load has waited to keep within its read budget ({@code snapshot.maxRowsPerSecond}). */
    public java.time.Duration budgetWaited() {
        return java.time.Duration.ofNanos(timings.budgetWait.get());
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

    /**
     * Every table the load read completely, on both sides, with when its read ended: the load compared
     * every row of both sides, so once it is applied it counts as a full verification round of those
     * tables (README, "How it decides"). Empty until the whole load is applied.
     */
    public List<FullRead> fullReads() {
        return complete() ? List.copyOf(reads) : List.of();
    }

    /** Rows read so far on one side, per table as that side names it. */
    public Map<String, Long> rowsDone(Side side) {
        Map<String, Long> out = new HashMap<>();
        rows.get(side).forEach((t, n) -> out.put(t, n.get()));
        return out;
    }

    private void run() {
        startedAt = clock.instant();
        try (ChangeProducer producer = topics.producer(Side.SOURCE)) {
            TableLoad loader = new TableLoad(databases, topics, clock, pageRows, maxRowsPerSecond, workers, producer, sendFailure, timings, control(),
                    progress);
            for (PlannedTable t : tables) {
                AtomicLong sourceRows = rows.get(Side.SOURCE).computeIfAbsent(t.sourceName(), k -> new AtomicLong());
                AtomicLong targetRows = rows.get(Side.TARGET).computeIfAbsent(t.targetName(), k -> new AtomicLong());
                LoadProgress.Entry earlier = progress.of(t.mappedId());
                if (earlier != null && earlier.done()) {
                    // Read completely and acknowledged by an earlier run: its reads are in the topic, applied in order.
                    sourceRows.set(earlier.sourceRows());
                    targetRows.set(earlier.targetRows());
                    reads.add(new FullRead(t.mappedId(), Side.SOURCE, earlier.doneAt(), earlier.sourceRows(), FullRead.INITIAL_LOAD));
                    reads.add(new FullRead(t.mappedId(), Side.TARGET, earlier.doneAt(), earlier.targetRows(), FullRead.INITIAL_LOAD));
                    LOG.info("initial load: {} was read completely by an earlier run ({} source and {} target rows): not read again",
                            t.mappedId(), earlier.sourceRows(), earlier.targetRows());
                    continue;
                }
                while (!stopping) {
                    try {
                        loader.load(t, sourceRows, targetRows);
                        Instant read = clock.instant();
                        reads.add(new FullRead(t.mappedId(), Side.SOURCE, read, sourceRows.get(), FullRead.INITIAL_LOAD));
                        reads.add(new FullRead(t.mappedId(), Side.TARGET, read, targetRows.get(), FullRead.INITIAL_LOAD));
                        // A restart then skips it.
                        progress.recordOnceSent(producer, sendFailure, LoadProgress.Entry.done(t.mappedId(), sourceRows.get(), targetRows.get(), read));
                        problem = null;
                        break;
                    } catch (SQLException | ExecutionException | RuntimeException e) {
                        problem = "loading " + t.mappedId() + " failed, retrying in 5 s: " + Errors.rootMessage(e);
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
            long after = heartbeat.beat(null);
            // Kept for later runs too: a crash can roll the reconciler's stores back to before some load records.
            BaselinePlan.recordLoadEnd(pendingFile, after);
            reconciler.link().loadEndsAt(after);
            long applyStart = System.nanoTime();
            awaitStreams(after - 1, after - 1);
            timings.applyWait.addAndGet(System.nanoTime() - applyStart);
            reconciler.loadApplied();
            Files.deleteIfExists(pendingFile);
            LoadProgress.clear(pendingFile);
            finishedAt = clock.instant();
            activity = "done";
            LOG.info("initial load done: {} source and {} target rows in {} s ({})", total(Side.SOURCE), total(Side.TARGET),
                    Duration.between(startedAt, finishedAt).toMillis() / 1000.0, timings);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | SQLException | RuntimeException e) {
            problem = "initial load failed: " + Errors.rootMessage(e);
            activity = "failed";
            LOG.error(problem, e);
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

    /** What a table's load needs from this one: its stop flag, its status line, its waits for the streams. */
    private TableLoad.Control control() {
        return new TableLoad.Control() {
            @Override
            public boolean stopping() {
                return stopping;
            }

            @Override
            public void activity(String what) {
                activity = what;
            }

            @Override
            public void awaitStreamsBegan() throws InterruptedException {
                awaitStreams(-1, -1);
            }

            @Override
            public void awaitCaptured(long sourceSeq, long targetSeq) throws InterruptedException {
                InitialLoad.this.awaitCaptured(sourceSeq, targetSeq);
            }
        };
    }

    /**
     * Waits until each capture has had a heartbeat after its side's read acknowledged by Kafka on every
     * partition. The baseline then follows the source's heartbeat on its own topic; the reconciler holds
     * it back (deferred) should it overtake the target's, which is on the other topic. Waiting for the
     * captures rather than the reconciler keeps the reads, the captures and the reconciler all busy.
     */
    private void awaitCaptured(long sourceSeq, long targetSeq) throws InterruptedException {
        while (!stopping) {
            if (captures.source().lastHeartbeatSeq() > sourceSeq && captures.target().lastHeartbeatSeq() > targetSeq) {
                return;
            }
            poke();
            Thread.sleep(2);
        }
        throw new InterruptedException("stopping");
    }

    private boolean passed(Side side, long seq) {
        return reconciler.passed(side, seq);
    }

    private void poke() {
        long now = System.nanoTime();
        if (now - lastPokeNanos < POKE_EVERY.toNanos()) {
            return;
        }
        lastPokeNanos = now;
        try {
            heartbeat.beat(null);
        } catch (SQLException e) {
            LOG.debug("extra heartbeat failed: {}", e.getMessage()); // the regular ones still come
        }
    }


    private long total(Side side) {
        return rows.get(side).values().stream().mapToLong(AtomicLong::get).sum();
    }



    @Override
    public void close() {
        stopping = true;
        if (thread != null) {
            thread.interrupt();
        }
        workers.shutdownNow();
    }

}
