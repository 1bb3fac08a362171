package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.api.kafka.EmbeddedKafka;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.engine.SettingDrift;
import dev.parity.ingest.engine.SettingsComparison;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.topology.ReconcilerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Parity: the broker (embedded or not), the reconciler, both captures and the heartbeat.
 * Started by {@code parity run} and {@code parity demo}; closing it stops everything in reverse order.
 */
public final class ParityRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParityRuntime.class);

    private final ParityConfig config;
    private final Clock clock;
    private final Chunking chunking;
    private final Map<Side, CaptureStatus> statuses = new EnumMap<>(Side.class);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private List<PlannedTable> tables = List.of();
    private KafkaStreams streams;
    private HeartbeatWriter heartbeat;
    private String heartbeatError;
    private java.time.Instant startedAt;
    private SideSetup source;
    private ReconcilerProgress progress;
    private SideSetup target;
    private int partitions;
    private InitialLoad initialLoad;
    private String baselineMethod;
    private Map<String, Object> kafkaProps = Map.of();
    private final List<String> setupWarnings = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ParityRuntime(ParityConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.chunking = new Chunking(config.chunkBits());
        for (Side side : Side.values()) {
            statuses.put(side, new CaptureStatus(side));
        }
    }

    public ParityConfig config() {
        return config;
    }

    public Chunking chunking() {
        return chunking;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public List<PlannedTable> tables() {
        return tables;
    }

    public CaptureStatus capture(Side side) {
        return statuses.get(side);
    }

    /** Null when heartbeats are disabled or not yet running. */
    public HeartbeatWriter heartbeat() {
        return heartbeat;
    }

    /** Why heartbeats are not being written; null when they are. */
    public String heartbeatError() {
        return heartbeatError;
    }

    public String topic(Side side) {
        return "parity." + config.name() + "." + side.label();
    }

    public static String slotName(String name, Side side) {
        return "parity_" + name + "_" + side.label();
    }

    public static String publicationName(String name) {
        return "parity_" + name;
    }

    /** The source's heartbeat table, qualified; null before start. */
    public String heartbeatTable() {
        return source == null ? null : source.heartbeatTable;
    }

    /** When this process started; heartbeats written since then prove the reconciler caught up. */
    public java.time.Instant startedAt() {
        return startedAt;
    }

    /** Partitions of each side's topic; 0 before start. */
    public int partitions() {
        return partitions;
    }

    public void start() throws Exception {
        startedAt = clock.instant();
        Path state = config.stateDir().toAbsolutePath();
        Files.createDirectories(state.resolve("capture"));
        boolean heartbeats = config.heartbeat().enabled();
        source = new SideSetup(config, Side.SOURCE, state.resolve("capture"));
        target = new SideSetup(config, Side.TARGET, state.resolve("capture"));
        source.prepare(heartbeats).forEach(this::warn);
        target.prepare(heartbeats).forEach(this::warn);
        tables = TablePlanner.plan(config.tables(), source.heartbeatTable, source.tables(), target.tables());
        tables.stream().filter(t -> !t.captured()).forEach(t -> LOG.warn("table {} is not verified: {}", t.mappedId(), t.problem()));
        List<PlannedTable> captured = tables.stream().filter(PlannedTable::captured).toList();
        List<String> sourceList = source.captureList(captured.stream().map(PlannedTable::sourceName).toList(), heartbeats);
        List<String> targetList = target.captureList(captured.stream().map(PlannedTable::targetName).toList(), heartbeats);
        source.prepareCapture(sourceList);
        target.prepareCapture(targetList);
        BaselinePlan baseline = BaselinePlan.decide(config, state.resolve("capture"), captured, source, target);
        baselineMethod = baseline.description();
        if (baseline.warning() != null) {
            warn(baseline.warning());
        }
        if (!baseline.loaded().isEmpty()) {
            initialLoad = new InitialLoad(this, clock, baseline.pendingFile(), baseline.loaded());
        }
        Map<Side, Map<String, String>> firstRun = baseline.firstRun();

        String bootstrap = config.kafka().bootstrapServers();
        if (config.kafka().embedded()) {
            EmbeddedKafka kafka = EmbeddedKafka.start(state.resolve("kafka"));
            closeables.add(kafka);
            bootstrap = kafka.bootstrapServers();
        }
        kafkaProps = new HashMap<>(config.kafka().properties());
        kafkaProps.put("bootstrap.servers", bootstrap);
        partitions = ReconcilerStreams.ensureTopics(kafkaProps, topic(Side.SOURCE), topic(Side.TARGET), config.kafka().partitions(),
                config.kafka().embedded());
        streams = ReconcilerStreams.start(kafkaProps, config, state, reconcilerSettings());
        closeables.add(() -> ReconcilerStreams.stop(streams));
        List<TopicPartition> inputs = new ArrayList<>();
        for (Side side : Side.values()) {
            for (int p = 0; p < partitions; p++) {
                inputs.add(new TopicPartition(topic(side), p));
            }
        }
        progress = new ReconcilerProgress(kafkaProps, "parity-" + config.name(), inputs, clock);
        closeables.add(progress);
        closeables.add(source.startCapture(kafkaProps, topic(Side.SOURCE), partitions, chunking,
                captured.stream().collect(Collectors.toMap(PlannedTable::sourceName, PlannedTable::mappedId)), sourceList,
                statuses.get(Side.SOURCE), clock, this::schemaChanged, firstRun.getOrDefault(Side.SOURCE, Map.of())));
        closeables.add(target.startCapture(kafkaProps, topic(Side.TARGET), partitions, chunking,
                captured.stream().collect(Collectors.toMap(PlannedTable::targetName, PlannedTable::mappedId)), targetList,
                statuses.get(Side.TARGET), clock, this::schemaChanged, firstRun.getOrDefault(Side.TARGET, Map.of())));
        if (heartbeats) {
            startHeartbeat();
        } else {
            heartbeatError = "heartbeats disabled in the config";
        }
        if (initialLoad != null) {
            closeables.add(initialLoad); // stopped first: it waits on the streams and writes to Kafka
        }
    }

    /** Parity's initial load, when it reads the baseline (see {@link #baselineMethod()}); null otherwise. */
    public InitialLoad initialLoad() {
        return initialLoad;
    }

    /** How the baseline was (or is being) read, in words, for status. */
    public String baselineMethod() {
        return baselineMethod;
    }

    /** Heartbeat order when Parity may write heartbeats; otherwise the configured grace period. */
    ReconcilerSettings reconcilerSettings() {
        return new ReconcilerSettings(topic(Side.SOURCE), topic(Side.TARGET), chunking, extraHeartbeats(),
                config.heartbeat().enabled() ? null : config.heartbeat().grace());
    }

    /** Heartbeats a mismatch must outlast beyond its fences: 0 where the replica keeps commit order. */
    int extraHeartbeats() {
        return target != null && target.applyOrderRisk() != null ? config.heartbeat().extraWhenUnordered() : 0;
    }

    /** How verdicts are reached, in words, for status. */
    public String verdictMode() {
        if (config.heartbeat().enabled() && extraHeartbeats() > 0) {
            return "HEARTBEAT_ORDER_PLUS_" + extraHeartbeats() + ": " + target.applyOrderRisk() + ", so a mismatch must also persist "
                    + extraHeartbeats() + " heartbeats past its fences";
        }
        return config.heartbeat().enabled()
                ? "HEARTBEAT_ORDER"
                : "GRACE_PERIOD: heartbeats disabled, so a mismatch is DIVERGENT once it persists " + config.heartbeat().grace().toSeconds()
                        + " s after the key's last change; replication lag longer than that reads as divergence";
    }

    /** How far the reconciler has consumed what the captures produced; null before start. */
    public ReconcilerProgress progress() {
        return progress;
    }

    private final List<Runnable> schemaListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Runs {@code listener} whenever a capture sees a structure change on either side. */
    public void onSchemaChange(Runnable listener) {
        schemaListeners.add(listener);
    }

    private void schemaChanged() {
        schemaListeners.forEach(Runnable::run);
    }

    /** Kafka client settings (bootstrap servers included) every client of this instance uses. */
    Map<String, Object> kafkaProperties() {
        return kafkaProps;
    }

    /** One side's setup; null before start. */
    SideSetup side(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    /** Server settings read at start, per side. */
    public Map<Side, Map<String, String>> settings() {
        return source == null ? Map.of() : Map.of(Side.SOURCE, source.settings(), Side.TARGET, target.settings());
    }

    /** Settings that differ between the sides in meaning, as read at start. */
    public List<SettingDrift> settingDrift() {
        return source == null ? List.of()
                : SettingsComparison.compare(source.engine(), source.settings(), target.engine(), target.settings());
    }

    /** Each side's engine; empty before start. */
    public Map<Side, Engine> engines() {
        return source == null ? Map.of() : Map.of(Side.SOURCE, source.engine(), Side.TARGET, target.engine());
    }

    private void warn(String problem) {
        LOG.warn(problem);
        setupWarnings.add(problem);
    }

    /** Problems found at start that do not stop Parity but keep verdicts from being reached. */
    public List<String> setupWarnings() {
        return List.copyOf(setupWarnings);
    }

    private void startHeartbeat() {
        heartbeat = new HeartbeatWriter(source.endpoint, source.adapter::beat, source.heartbeatTable, clock);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "parity-heartbeat"));
        long every = config.heartbeat().interval().toMillis();
        timer.scheduleAtFixedRate(() -> {
            try {
                heartbeat.beat(null);
                heartbeatError = null;
            } catch (SQLException | RuntimeException e) {
                if (heartbeatError == null) {
                    LOG.warn("heartbeat write to the {} failed: {}", source.endpoint, e.getMessage());
                }
                heartbeatError = "heartbeat write failed: " + e.getMessage();
            }
        }, 0, every, TimeUnit.MILLISECONDS);
        closeables.add(() -> {
            timer.shutdownNow();
            timer.awaitTermination(5, TimeUnit.SECONDS);
            heartbeat.close();
        });
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                LOG.warn("error while stopping", e);
            }
        }
        closeables.clear();
    }
}
