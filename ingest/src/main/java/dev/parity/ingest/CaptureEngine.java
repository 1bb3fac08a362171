package dev.parity.ingest;

import dev.parity.reconciler.model.CapturePhase;
import dev.parity.ingest.debezium.ConnectorMetrics;
import dev.parity.ingest.debezium.MappedRecord;
import dev.parity.ingest.debezium.RecordMapper;
import dev.parity.ingest.kafka.CaptureSink;
import dev.parity.reconciler.model.RowChange;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side's Debezium embedded engine feeding its topic. Offsets are marked processed only after
 * Kafka acknowledged every event of the batch, so a crash replays, never skips (at-least-once; the
 * reconciler's per-key state makes replays harmless).
 */
public final class CaptureEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureEngine.class);

    private final String name;
    private final Properties debezium;
    private final RecordMapper mapper;
    private final CaptureSink sink;
    private final CaptureStatus status;
    private final Clock clock;
    private final ExecutorService executor;
    private final java.util.concurrent.ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parity-capture-probe");
        t.setDaemon(true);
        return t;
    });
    /** Waits before restarting a failed capture: 1 s, 2 s, 5 s, 10 s, then every 30 s. */
    private static final long[] RESTART_BACKOFF_SECONDS = {1, 2, 5, 10, 30};

    /** Settings for the first launch only (e.g. streaming without a data snapshot); restarts use {@link #debezium}. */
    private Properties firstRun;
    private volatile DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private volatile boolean closing;
    /** Whether the finished snapshot's row counts were read (once, when streaming begins). */
    private boolean snapshotCounted;
    /** Set while the watchdog replaces an engine that went silent: its normal completion then relaunches. */
    private volatile boolean replacing;
    /**
     * A streaming capture that delivers nothing for this long is replaced. Parity's heartbeat reaches
     * both sides every interval and the connector's own heartbeat runs every 5 s, so silence this long
     * means a connection the connector will not notice is dead (seen with a killed MariaDB binlog dump).
     */
    static final java.time.Duration STALL_RESTART = java.time.Duration.ofSeconds(30);
    private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

    public CaptureEngine(String name, Properties debezium, RecordMapper mapper, CaptureSink sink, CaptureStatus status, Clock clock) {
        this.name = name;
        this.debezium = debezium;
        this.mapper = mapper;
        this.sink = sink;
        this.status = status;
        this.clock = clock;
        this.executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "parity-capture-" + name));
    }

    public CaptureStatus status() {
        return status;
    }

    /**
     * Overrides connector settings for the first launch of this capture only: a capture started without
     * a data snapshot (Parity loads the baseline itself) still restarts with the usual settings, which
     * resume from the committed offsets, or snapshot where the connector finds them gone.
     */
    public CaptureEngine firstRun(Map<String, String> overrides) {
        Properties p = new Properties();
        p.putAll(debezium);
        overrides.forEach(p::setProperty);
        this.firstRun = p;
        return this;
    }

    public void start() {
        validate();
        warnIfDebeziumRendersEveryEvent();
        launch();
        ConnectorMetrics metrics = new ConnectorMetrics(debezium.getProperty("topic.prefix"));
        probe.scheduleWithFixedDelay(() -> {
            switch (metrics.state()) {
                case SNAPSHOTTING -> {
                    status.snapshotting();
                    status.snapshotRows(metrics.snapshotRows());
                }
                case STREAMING -> {
                    if (!snapshotCounted) {
                        Map<String, Long> rows = metrics.snapshotRows(); // the final counts, kept by the connector's snapshot metrics
                        if (!rows.isEmpty() && status.snapshotStartedAt() == null) {
                            // A snapshot shorter than this probe's period, its records not yet handled: it happened all the same
                            // (a full read of its tables as of about now), and it must not pass unrecorded (KeylessTablesIT).
                            status.snapshotting();
                        }
                        status.snapshotRows(rows);
                        snapshotCounted = true;
                    }
                    status.streaming();
                    status.connection(true, clock.instant());
                }
                default -> {
                    if (status.phase() == CapturePhase.STREAMING && Boolean.FALSE.equals(metrics.connected())) {
                        if (status.connected()) {
                            LOG.warn("capture {} lost its connection to the database; the connector retries", name);
                        }
                        status.connection(false, clock.instant());
                    }
                }
            }
            replaceIfSilent();
        }, 200, 500, TimeUnit.MILLISECONDS);
        LOG.info("capture {} started", name);
    }

    /**
     * Parity ships its own {@code io.debezium.pipeline.meters.CommonEventMeter}, which renders the
     * connector's {@code LastEvent} metric when it is read instead of for every event (a quarter of a
     * capture's CPU with Debezium 3.5's). It must come before Debezium's jar on the class path.
     */
    public static boolean lastEventRenderedOnRead() {
        try {
            io.debezium.pipeline.meters.CommonEventMeter.class.getField("RENDERS_LAST_EVENT_ON_READ");
            return true;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    private void warnIfDebeziumRendersEveryEvent() {
        if (!lastEventRenderedOnRead()) {
            LOG.warn("capture {}: Debezium's own CommonEventMeter was loaded before Parity's (put Parity's jars first on the class path):"
                    + " every event is rendered for the LastEvent metric, which costs CPU", name);
        }
    }

    /**
     * Runs a Debezium engine. A failed one (connection lost past the connector's own retries, a server
     * restart) is restarted after a backoff, resuming from the committed offsets; meanwhile status
     * says why, and the capture counts as not live.
     */
    private synchronized void launch() {
        if (closing) {
            return;
        }
        Properties settings = firstRun != null ? firstRun : debezium;
        firstRun = null;
        engine = DebeziumEngine.create(ChangeEventFormat.of(io.debezium.embedded.Connect.class))
                .using(settings)
                .notifying(this::handleBatch)
                .using((success, message, error) -> {
                    if (replacing && !closing) {
                        replacing = false;
                        status.restarting("replaced after " + STALL_RESTART.toSeconds() + " s without any event from the connector");
                        status.seen(clock.instant());
                        probe.schedule(this::launch, 1, TimeUnit.SECONDS);
                        return;
                    }
                    if (success || closing) {
                        LOG.info("capture {} stopped: {}", name, message);
                        status.stopped(null);
                        return;
                    }
                    String reason = message + (error == null ? "" : ": " + Errors.rootMessage(error));
                    int n = failures.incrementAndGet();
                    long delay = RESTART_BACKOFF_SECONDS[Math.min(n, RESTART_BACKOFF_SECONDS.length) - 1];
                    LOG.error("capture {} failed (restarting in {} s, attempt {}): {}", name, delay, n, message, error);
                    status.stopped(reason + "; restarting in " + delay + " s");
                    probe.schedule(() -> {
                        status.restarting("restarted after: " + reason);
                        launch();
                    }, delay, TimeUnit.SECONDS);
                })
                .build();
        executor.execute(engine);
    }

    /** The watchdog: a streaming engine that has been silent past {@link #STALL_RESTART} is closed and relaunched. */
    private void replaceIfSilent() {
        java.time.Instant seen = status.lastSeenAt();
        DebeziumEngine<RecordChangeEvent<SourceRecord>> current = engine;
        if (closing || replacing || current == null || status.phase() != CapturePhase.STREAMING || seen == null
                || java.time.Duration.between(seen, clock.instant()).compareTo(STALL_RESTART) <= 0) {
            return;
        }
        LOG.warn("capture {} has delivered nothing for {} s: replacing its connector", name, STALL_RESTART.toSeconds());
        replacing = true;
        Thread closer = new Thread(() -> {
            try {
                current.close();
            } catch (IOException e) {
                LOG.warn("closing the silent capture {}", name, e);
            }
        }, "parity-capture-replace-" + name);
        closer.setDaemon(true);
        closer.start();
    }

    /**
     * Asks the connector to validate its configuration before anything runs, so a bad setting fails
     * Parity's start with every problem listed instead of leaving a dead capture behind.
     */
    void validate() {
        Map<String, String> config = new java.util.HashMap<>();
        debezium.stringPropertyNames().forEach(k -> config.put(k, debezium.getProperty(k)));
        org.apache.kafka.connect.connector.Connector connector;
        try {
            connector = (org.apache.kafka.connect.connector.Connector) Class.forName(config.get("connector.class"))
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("capture " + name + ": cannot load connector " + config.get("connector.class"), e);
        }
        List<String> problems = connector.validate(config).configValues().stream()
                .filter(v -> !v.errorMessages().isEmpty())
                .map(v -> v.name() + ": " + String.join("; ", v.errorMessages()))
                .toList();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("capture " + name + ": the connector rejects its configuration: " + String.join(" | ", problems));
        }
    }

    private void handleBatch(List<RecordChangeEvent<SourceRecord>> records, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<MappedRecord> produced = new ArrayList<>(records.size());
        boolean lastSnapshot = false;
        boolean streamed = false;
        for (RecordChangeEvent<SourceRecord> r : records) {
            SourceRecord record = r.record();
            lastSnapshot |= RecordMapper.isLastSnapshotRecord(record);
            for (MappedRecord m : mapper.mapAll(record)) {
                if (m.event() instanceof RowChange rc && rc.snapshot()) {
                    status.snapshotting();
                } else if (m.event() instanceof RowChange) {
                    streamed = true; // a streamed row change: the snapshot is over
                }
                produced.add(m);
            }
        }
        sink.deliver(produced, name);
        java.time.Instant now = clock.instant();
        produced.forEach(m -> status.produced(m.event(), now));
        status.seen(now);
        failures.set(0);
        if (lastSnapshot || streamed) {
            status.streaming();
        }
        for (RecordChangeEvent<SourceRecord> r : records) {
            committer.markProcessed(r);
        }
        committer.markBatchFinished();
    }


    @Override
    public void close() {
        closing = true;
        probe.shutdownNow();
        try {
            if (engine != null) {
                engine.close();
            }
        } catch (IOException e) {
            LOG.warn("closing capture {}", name, e);
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("capture {} did not stop within 30 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.close();
    }
}
