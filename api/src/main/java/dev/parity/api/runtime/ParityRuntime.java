package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.api.kafka.EmbeddedKafka;
import dev.parity.ingest.CaptureEngine;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.debezium.PositionFormat;
import dev.parity.ingest.debezium.PostgresConnectorProperties;
import dev.parity.ingest.debezium.RecordMapper;
import dev.parity.ingest.debezium.TableMapping;
import dev.parity.ingest.jdbc.DatabaseException;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.jdbc.PostgresCatalog;
import dev.parity.ingest.jdbc.TableFilter;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.ingest.kafka.ChangeProducer;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.topology.ReconcilerSettings;
import dev.parity.reconciler.topology.ReconcilerTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
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
    private int partitions;
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

    public String heartbeatTable() {
        String t = config.heartbeat().table();
        return t.contains(".") ? t : "public." + t;
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
        Files.createDirectories(state);
        Endpoint source = endpoint(Side.SOURCE, config.source());
        Endpoint target = endpoint(Side.TARGET, config.target());
        List<TableInfo> sourceTables = prepare(source, true);
        List<TableInfo> targetTables = prepare(target, false);
        tables = TablePlanner.plan(config.tables(), heartbeatTable(), sourceTables, targetTables);
        tables.stream().filter(t -> !t.captured()).forEach(t -> LOG.warn("table {} is not verified: {}", t.mappedId(), t.problem()));
        ensurePublication(source, tables.stream().filter(PlannedTable::captured).map(PlannedTable::sourceName).toList());
        ensurePublication(target, tables.stream().filter(PlannedTable::captured).map(PlannedTable::targetName).toList());

        String bootstrap = config.kafka().bootstrapServers();
        if (config.kafka().embedded()) {
            EmbeddedKafka kafka = EmbeddedKafka.start(state.resolve("kafka"));
            closeables.add(kafka);
            bootstrap = kafka.bootstrapServers();
        }
        Map<String, Object> kafkaProps = new HashMap<>(config.kafka().properties());
        kafkaProps.put("bootstrap.servers", bootstrap);
        partitions = ensureTopics(kafkaProps);
        startStreams(kafkaProps, state);
        startCapture(source, kafkaProps, partitions, state, tables.stream().filter(PlannedTable::captured)
                .collect(java.util.stream.Collectors.toMap(PlannedTable::sourceName, PlannedTable::mappedId)));
        startCapture(target, kafkaProps, partitions, state, tables.stream().filter(PlannedTable::captured)
                .collect(java.util.stream.Collectors.toMap(PlannedTable::targetName, PlannedTable::mappedId)));
        startHeartbeat(source);
    }

    /** Heartbeat order when Parity may write heartbeats; otherwise the configured grace period. */
    ReconcilerSettings reconcilerSettings() {
        return new ReconcilerSettings(topic(Side.SOURCE), topic(Side.TARGET), chunking, 0,
                config.heartbeat().enabled() ? null : config.heartbeat().grace());
    }

    /** How verdicts are reached, in words, for status. */
    public String verdictMode() {
        return config.heartbeat().enabled()
                ? "HEARTBEAT_ORDER"
                : "GRACE_PERIOD: heartbeats disabled, so a mismatch is DIVERGENT once it persists " + config.heartbeat().grace().toSeconds()
                        + " s after the key's last change; replication lag longer than that reads as divergence";
    }

    private static Endpoint endpoint(Side side, ParityConfig.Database db) {
        return new Endpoint(side, db.url(), db.user(), db.password());
    }

    /** Checks the server and lists its tables, and checks the heartbeat table's path from source to target. */
    private List<TableInfo> prepare(Endpoint endpoint, boolean isSource) throws SQLException {
        PostgresCatalog catalog = new PostgresCatalog(endpoint);
        try (Connection c = endpoint.connect()) {
            catalog.requireLogicalDecoding(c);
            if (config.heartbeat().enabled()) {
                if (isSource) {
                    checkHeartbeatOnSource(catalog, c);
                } else {
                    checkHeartbeatOnTarget(catalog, c, endpoint);
                }
            }
            return catalog.tables(c, new TableFilter(List.of("*"), List.of()));
        }
    }

    private void checkHeartbeatOnSource(PostgresCatalog catalog, Connection c) throws SQLException {
        String table = heartbeatTable();
        try {
            HeartbeatWriter.ensureSourceTable(c, table);
        } catch (SQLException e) {
            throw new DatabaseException("cannot create or seed the heartbeat table " + table + " on the source (" + e.getMessage().trim()
                    + "). Create it as a user who may: " + HeartbeatWriter.ddl(table) + "; INSERT INTO " + table
                    + " (id, seq, written_at_us) VALUES (1, 0, 0); GRANT UPDATE ON " + table + " TO <parity user>."
                    + " Or set heartbeat.enabled: false to fall back to grace-period verdicts", e);
        }
        LOG.info("heartbeat table {} present on the source (Parity writes one row, id = 1)", table);
        if (catalog.publicationsOf(c, table, publicationName(config.name())).isEmpty()) {
            warn("the heartbeat table " + table + " is in no publication of the source, so replication cannot carry it to the target:"
                    + " add it to your publication (ALTER PUBLICATION <yours> ADD TABLE " + table + ")");
        }
    }

    /** Parity writes nothing on the target: a heartbeat row written there would clash with the replicated one. */
    private void checkHeartbeatOnTarget(PostgresCatalog catalog, Connection c, Endpoint endpoint) throws SQLException {
        String table = heartbeatTable();
        if (!catalog.tableExists(c, table)) {
            throw new DatabaseException("the heartbeat table " + table + " is missing on the " + endpoint
                    + "; logical replication needs it to exist there. Create it (" + HeartbeatWriter.ddl(table) + ")"
                    + " and refresh your subscription (ALTER SUBSCRIPTION <yours> REFRESH PUBLICATION), or set heartbeat.enabled: false");
        }
        List<String> subs = catalog.subscriptions(c);
        if (!subs.isEmpty() && !catalog.isSubscribed(c, table)) {
            warn("the heartbeat table " + table + " is not replicated into the target by subscription " + String.join(", ", subs)
                    + ": run ALTER SUBSCRIPTION " + subs.get(0) + " REFRESH PUBLICATION on the target");
        }
    }

    private void warn(String problem) {
        LOG.warn(problem);
        setupWarnings.add(problem);
    }

    /** Problems found at start that do not stop Parity but keep verdicts from being reached. */
    public List<String> setupWarnings() {
        return List.copyOf(setupWarnings);
    }

    private void ensurePublication(Endpoint endpoint, List<String> captured) throws SQLException {
        List<String> published = new ArrayList<>(captured);
        if (config.heartbeat().enabled()) {
            published.add(heartbeatTable());
        }
        if (published.isEmpty()) {
            throw new DatabaseException("no table to capture on the " + endpoint + ": check tables.include");
        }
        try (Connection c = endpoint.connect()) {
            new PostgresCatalog(endpoint).ensurePublication(c, publicationName(config.name()), published);
        }
    }

    private int ensureTopics(Map<String, Object> kafkaProps) throws Exception {
        int partitions = config.kafka().partitions();
        try (Admin admin = Admin.create(kafkaProps)) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> create = new ArrayList<>();
            for (Side side : Side.values()) {
                if (!existing.contains(topic(side))) {
                    create.add(new NewTopic(topic(side), partitions, config.kafka().embedded() ? (short) 1 : (short) -1));
                }
            }
            if (!create.isEmpty()) {
                admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
            }
            Map<String, TopicDescription> d = admin.describeTopics(List.of(topic(Side.SOURCE), topic(Side.TARGET))).allTopicNames().get(30, TimeUnit.SECONDS);
            int s = d.get(topic(Side.SOURCE)).partitions().size();
            int t = d.get(topic(Side.TARGET)).partitions().size();
            if (s != t) {
                throw new IllegalStateException("topics " + topic(Side.SOURCE) + " and " + topic(Side.TARGET)
                        + " must have the same partition count to be co-partitioned; they have " + s + " and " + t);
            }
            return s;
        }
    }

    private void startStreams(Map<String, Object> kafkaProps, Path state) {
        Properties p = new Properties();
        p.putAll(kafkaProps);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "parity-" + config.name());
        p.put(StreamsConfig.STATE_DIR_CONFIG, state.resolve("streams").toString());
        // Key state, chunk digests and indexes must move together after a crash: exactly-once commits each
        // task's store changelogs and input offsets atomically. (Replays alone are harmless per key, but a
        // crash between two stores' changelog writes would leave a digest off.) Overridable in kafka.properties.
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.putAll(config.kafka().properties());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        if (config.kafka().embedded()) {
            p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        }
        streams = new KafkaStreams(ReconcilerTopology.build(reconcilerSettings()), p);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("reconciler failed; replacing its thread", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        // Leave the group on close: otherwise the next start waits for the old member's session to expire.
        closeables.add(() -> streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(java.time.Duration.ofSeconds(30))));
    }

    private void startCapture(Endpoint endpoint, Map<String, Object> kafkaProps, int partitions, Path state, Map<String, String> captured) throws Exception {
        Side side = endpoint.side();
        Path offsets = state.resolve("capture").resolve(side.label() + ".offsets");
        Files.createDirectories(offsets.getParent());
        List<String> include = new ArrayList<>(captured.keySet());
        if (config.heartbeat().enabled()) {
            include.add(heartbeatTable());
        }
        Properties props = PostgresConnectorProperties.of("parity-" + config.name() + "-" + side.label(), endpoint,
                slotName(config.name(), side), publicationName(config.name()), include, offsets, Map.of());
        RecordMapper mapper = new RecordMapper(side, new TableMapping(captured), heartbeatTable(), PositionFormat.POSTGRES);
        ChangeProducer producer = new ChangeProducer(kafkaProps, topic(side), partitions, chunking);
        CaptureEngine engine = new CaptureEngine(side.label(), props, mapper, producer, statuses.get(side), clock);
        engine.start();
        closeables.add(engine);
    }

    private void startHeartbeat(Endpoint source) {
        if (!config.heartbeat().enabled()) {
            heartbeatError = "heartbeats disabled in the config";
            return;
        }
        heartbeat = new HeartbeatWriter(source, heartbeatTable(), clock);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "parity-heartbeat"));
        long every = config.heartbeat().interval().toMillis();
        timer.scheduleAtFixedRate(() -> {
            try {
                heartbeat.beat(null);
                heartbeatError = null;
            } catch (SQLException | RuntimeException e) {
                if (heartbeatError == null) {
                    LOG.warn("heartbeat write to the {} failed: {}", source, e.getMessage());
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
