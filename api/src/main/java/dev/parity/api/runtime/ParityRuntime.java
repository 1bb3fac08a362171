package dev.parity.api.runtime;

import dev.parity.api.config.ConfigException;
import dev.parity.api.config.ConfigProblem;
import dev.parity.api.config.ParityConfig;
import dev.parity.api.kafka.EmbeddedKafka;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.jdbc.HeartbeatWriter;
import dev.parity.ingest.jdbc.Heartbeats;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.ingest.kafka.SideTopics;
import dev.parity.ingest.load.BaselinePlan;
import dev.parity.ingest.drill.DrillDown;
import dev.parity.ingest.load.InitialLoad;
import dev.parity.ingest.port.Captures;
import dev.parity.ingest.port.ReconcilerPort;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SidePlan;
import dev.parity.ingest.side.TablePlanner;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.topology.ReconcilerLink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring of one running Parity: both databases, the broker (embedded or not), the reconciler, both
 * captures, the heartbeats and the initial load, started in that order by {@code parity run} and
 * {@code parity demo}; closing it stops everything in reverse order. It hands each workflow the ports
 * it uses ({@link #databases()}, {@link #topics()}, {@link #reconciler()}, {@link #captures()}) and
 * holds no rule of its own: those live in the core (README, "Development").
 */
public final class ParityRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParityRuntime.class);

    private final ParityConfig config;
    private final IngestConfig ingest;
    private final Clock clock;
    private final Chunking chunking;
    private final Captures captures = new Captures(new CaptureStatus(Side.SOURCE), new CaptureStatus(Side.TARGET));
    private final List<AutoCloseable> closeables = new ArrayList<>();
    /** Shared with the reconciler's processors: the initial load's window and how far each input partition is processed. */
    private final ReconcilerLink link = new ReconcilerLink();
    private final List<String> setupWarnings = new CopyOnWriteArrayList<>();
    private final List<Runnable> schemaListeners = new CopyOnWriteArrayList<>();
    private List<PlannedTable> tables = List.of();
    private Databases databases;
    private KafkaStreams streams;
    private ReconcilerView view;
    private SideTopics topics;
    private Heartbeats heartbeats;
    private Instant startedAt;
    private ReconcilerProgress progress;
    private InitialLoad initialLoad;
    private DrillDown drillDown;
    private String baselineMethod;
    /** Mapped ids of the tables Parity's own initial load reads (the connectors snapshot the rest, if anything). */
    private java.util.Set<String> loadedByParity = java.util.Set.of();
    /** Set by {@link #prepare()} for {@link #startCapture()}. */
    private BaselinePlan baseline;
    private SidePlan sidePlan;

    public ParityRuntime(ParityConfig config, Clock clock) {
        this.config = config;
        this.ingest = config.ingest();
        this.clock = clock;
        this.chunking = new Chunking(config.chunkBits());
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

    /** Every table Parity was asked to watch, verified or not (with the reason), as planned at start. */
    public List<PlannedTable> tables() {
        return tables;
    }

    /** The verified tables: those both captures stream and the reconciler compares. */
    public List<PlannedTable> verifiedTables() {
        return tables.stream().filter(PlannedTable::captured).toList();
    }

    public CaptureStatus capture(Side side) {
        return captures.of(side);
    }

    public Captures captures() {
        return captures;
    }

    /** Both sides' databases; null before start. */
    public Databases databases() {
        return databases;
    }

    /** Both sides' change topics; null before the broker is up. */
    public SideTopics topics() {
        return topics;
    }

    /** The reconciler's stores and how far its streams have come; usable once started (queries may still fail while it starts). */
    public ReconcilerPort reconciler() {
        return new ReconcilerPort(view, topics == null ? 0 : topics.partitions(), link);
    }

    /** Writes the source's heartbeats; null when heartbeats are disabled or not yet running. */
    public HeartbeatWriter heartbeat() {
        return heartbeats == null ? null : heartbeats.writer();
    }

    /** Why heartbeats are not being written; null when they are. */
    public String heartbeatError() {
        if (!config.heartbeat().enabled()) {
            return "heartbeats disabled in the config";
        }
        return heartbeats == null ? "heartbeats not started" : heartbeats.failure();
    }

    /**
     * The last moment a fault Parity knows of cleared (its start, heartbeat writes working again, a
     * capture reconnected or restarted): nothing is current again before a heartbeat written after it
     * has passed through both streams on every partition. Null before start.
     */
    public Instant faultClearedAt() {
        Instant latest = startedAt;
        List<Instant> candidates = new ArrayList<>();
        candidates.add(heartbeats == null ? null : heartbeats.recoveredAt());
        for (Side side : Side.values()) {
            candidates.add(captures.of(side).connectedSince());
            candidates.add(captures.of(side).restarts() > 0 ? captures.of(side).streamingSince() : null);
        }
        for (Instant i : candidates) {
            if (i != null && (latest == null || i.isAfter(latest))) {
                latest = i;
            }
        }
        return latest;
    }

    /** The source's heartbeat table, qualified; null before start. */
    public String heartbeatTable() {
        return databases == null ? null : databases.source().heartbeatTable();
    }

    /** When this process started; heartbeats written since then prove the reconciler caught up. */
    public Instant startedAt() {
        return startedAt;
    }

    /** Partitions of each side's topic; 0 before start. */
    public int partitions() {
        return topics == null ? 0 : topics.partitions();
    }

    /** Everything, for a single instance: {@link #prepare()} then {@link #startCapture()}. */
    public void start() throws Exception {
        prepare();
        startCapture();
    }

    /**
     * Both databases prepared and their tables planned, the broker (when embedded), the topics and the
     * reconciler: what every instance of an application runs (README, "Deployment").
     */
    public void prepare() throws Exception {
        startedAt = clock.instant();
        if (!config.kafka().embedded() && !config.capture().connect() && config.api().advertise() == null) {
            // Before anything of this instance is written, to Kafka, a database or its state dir (README, "Deployment").
            Map<String, Object> kafkaProps = new HashMap<>(config.kafka().properties());
            kafkaProps.put("bootstrap.servers", config.kafka().bootstrapServers());
            ReconcilerStreams.refuseAnotherInstance(kafkaProps, config, config.stateDir().toAbsolutePath());
        }
        Files.createDirectories(ingest.captureDir());
        SidePlan plan = SidePlan.of(ingest, this::warn, LOG::warn);
        databases = plan.databases();
        tables = plan.tables();
        if (tables.isEmpty()) {
            throw noTables(databases.source().tables());
        }
        List<PlannedTable> verified = verifiedTables();
        if (!config.tables().columns().isEmpty()) {
            Map<String, dev.parity.ingest.schema.TableSchema> schemas = databases.source().schemas(verified);
            Map<String, java.util.Set<String>> columns = new HashMap<>();
            verified.forEach(t -> columns.put(t.mappedId(), schemas.containsKey(t.sourceName()) ? schemas.get(t.sourceName()).columns().stream()
                    .map(dev.parity.ingest.schema.ColumnInfo::name).collect(Collectors.toSet()) : java.util.Set.of()));
            TablePlanner.unusedColumnRules(config.tables(), columns).forEach(this::warn);
        }
        // Rows are compared over the columns both sides have: those only one side has are a schema difference, left out
        // of every row hash from the first read on (README, "Schema drift while monitoring").
        databases.compareColumns(verified);
        databases.oneSided().all().forEach((table, columns) -> LOG.info("{}: column(s) {} only on one side: rows are compared without"
                + " them (reported as a schema difference)", table, columns));
        sidePlan = plan;
        baseline = config.capture().connect()
                ? BaselinePlan.byConnectors(ingest, "CONNECT: the connectors on Kafka Connect snapshot every table (capture.mode is connect)")
                : BaselinePlan.decide(ingest, verified, databases);
        baselineMethod = baseline.description();
        loadedByParity = java.util.Set.copyOf(baseline.loaded());
        if (baseline.warning() != null) {
            warn(baseline.warning());
        }

        if (!baseline.loaded().isEmpty()) {
            link.openLoadWindow(); // before the reconciler processes anything: see ReconcilerLink
        }
        link.loadEndsAt(dev.parity.ingest.load.BaselinePlan.loadEnd(ingest.captureDir()));
        startReconciler();
    }

    /**
     * Both captures, the heartbeats, the drill-down and Parity's initial load: the work done once per application,
     * by its only instance or by the one holding the capture lease. After {@link #prepare()}.
     */
    public void startCapture() throws Exception {
        boolean beats = config.heartbeat().enabled();
        List<PlannedTable> verified = verifiedTables();
        dev.parity.ingest.load.ForgottenTables.clear(baseline.forgotten(), topics, clock); // before the captures resume
        // The publication, on PostgreSQL: changed by the one instance that captures, never by several at once.
        Map<Side, List<String>> captureLists = sidePlan.readyCapture();
        for (Side side : Side.values()) {
            var captured = new dev.parity.ingest.debezium.TableMapping(verified.stream().collect(Collectors.toMap(t -> t.name(side), PlannedTable::mappedId)),
                    verified.stream().filter(PlannedTable::byContent).map(t -> t.name(side)).collect(Collectors.toSet()));
            closeables.add(config.capture().connect()
                    ? databases.of(side).startConnectCapture(topics, captured, captures.of(side), clock, this::schemaChanged)
                    : databases.of(side).startCapture(topics.producer(side), captured, captureLists.get(side), captures.of(side), clock, this::schemaChanged,
                    baseline.firstRun().getOrDefault(side, Map.of())));
        }
        if (beats) {
            heartbeats = new Heartbeats(new HeartbeatWriter(databases.source().endpoint(), databases.source().adapter()::beat, heartbeatTable(), clock),
                    clock).start(config.heartbeat().interval());
            closeables.add(heartbeats);
        }
        if (config.drilldown().enabled()) {
            // Each round looks at the first 10,000 mismatched keys of each table (in store order), the ones the summary groups.
            // Only tables with DIVERGENT keys are scanned (the chunk counts say so cheaply): under lag every
            // in-flight key is PENDING, and scanning those each round cost a tenth of a core for nothing.
            drillDown = new DrillDown(databases, this::verifiedTables, t -> view.table(t).divergentKeys() > 0 ? view.divergences(t, 10_000) : List.of(),
                    config.drilldown().maxKeysPerSecond(), clock);
            closeables.add(drillDown);
            schemaListeners.add(drillDown::replan);
            drillDown.start();
        }
        if (!baseline.loaded().isEmpty()) {
            List<PlannedTable> load = verified.stream().filter(t -> baseline.loaded().contains(t.mappedId())).toList();
            initialLoad = new InitialLoad(config.snapshot(), load, baseline.pendingFile(), databases, captures, reconciler(), topics, heartbeat(), clock);
            closeables.add(initialLoad); // stopped first: it waits on the streams and writes to Kafka
            initialLoad.start();
        }
    }

    /** The broker (when embedded), both side topics, the Kafka Streams reconciler, its view and its progress sampler. */
    private void startReconciler() throws Exception {
        String bootstrap = config.kafka().bootstrapServers();
        if (config.kafka().embedded()) {
            EmbeddedKafka kafka = EmbeddedKafka.start(config.stateDir().toAbsolutePath().resolve("kafka"));
            closeables.add(kafka);
            bootstrap = kafka.bootstrapServers();
        }
        Map<String, Object> kafkaProps = new HashMap<>(config.kafka().properties());
        kafkaProps.put("bootstrap.servers", bootstrap);
        int partitions = ReconcilerStreams.ensureTopics(kafkaProps, SideTopics.topic(config.name(), Side.SOURCE),
                SideTopics.topic(config.name(), Side.TARGET), config.kafka().partitions(), config.kafka().embedded());
        topics = new SideTopics(config.name(), kafkaProps, partitions, chunking);
        try {
            ReconcilerStreams.alignTopicConfigs(kafkaProps, "parity-" + config.name(), List.of(topics.topic(Side.SOURCE), topics.topic(Side.TARGET)));
        } catch (Exception e) {
            // a cluster that does not let Parity alter its topics' settings: they keep theirs, and grow as Kafka's defaults let them
            LOG.warn("could not set the segment and compaction settings of Parity's topics (README, \"Disk\"): {}", e.getMessage());
        }
        streams = ReconcilerStreams.start(kafkaProps, config, config.stateDir().toAbsolutePath(), verdicts().settings(topics, link)
                .withAuditOnStart(config.kafka().atLeastOnce()));
        closeables.add(() -> ReconcilerStreams.stop(streams));
        view = ReconcilerStreams.view(streams, config, chunking, topics.topic(Side.SOURCE), partitions);
        progress = new ReconcilerProgress(kafkaProps, "parity-" + config.name(), topics.partitionsOfBoth(), link, clock);
        closeables.add(progress);
    }

    /** The filter matched nothing: refuse to start rather than verify nothing (README, "How it decides"). */
    private ConfigException noTables(List<TableInfo> found) {
        List<String> names = found.stream().map(TableInfo::qualifiedName).filter(n -> !n.equals(heartbeatTable())).sorted().toList();
        String seen = names.isEmpty() ? "the source has no table Parity can see"
                : "tables on the source include " + String.join(", ", names.subList(0, Math.min(10, names.size()))) + (names.size() > 10 ? ", …" : "");
        boolean excluded = !config.tables().exclude().isEmpty() && TablePlanner.plan(new IngestConfig.Tables(config.tables().include(), List.of(),
                config.tables().map()), heartbeatTable(), found, List.of()).size() > 0;
        ConfigProblem problem = excluded
                ? new ConfigProblem("tables.exclude", String.valueOf(config.tables().exclude()), "excludes every table tables.include matches on the source (" + seen + ")")
                : new ConfigProblem("tables.include", String.valueOf(config.tables().include()), "matches no table on the source (" + seen + ")");
        return ConfigException.atStart(List.of(problem));
    }

    /** Reads divergent rows to name the differing columns; null when {@code drilldown.enabled} is false. */
    public DrillDown drillDown() {
        return drillDown;
    }

    /** Parity's initial load, when it reads the baseline (see {@link #baselineMethod()}); null otherwise. */
    public InitialLoad initialLoad() {
        return initialLoad;
    }

    /** Whether the first baseline is in place: the initial load applied, or none by Parity. */
    public boolean baselineApplied() {
        return initialLoad == null || initialLoad.complete();
    }

    /**
     * The tables the first baseline read completely: by Parity's initial load on both sides (once it is
     * applied), and by a side's connector snapshot (once that side streams) for the tables Parity did not
     * load (tables without key always: README, "Tables without a key"). Either is a full read of the
     * table as it stood, like a sweep round's.
     */
    public List<dev.parity.ingest.sweep.FullRead> loadReads() {
        List<dev.parity.ingest.sweep.FullRead> out = new ArrayList<>(initialLoad == null ? List.of() : initialLoad.fullReads());
        for (Side side : Side.values()) {
            dev.parity.ingest.CaptureStatus st = captures.of(side);
            java.time.Instant began = st.snapshotStartedAt();
            if (began == null || st.streamingSince() == null || st.streamingSince().isBefore(began)) {
                continue; // no connector snapshot in this run, or not finished
            }
            for (PlannedTable t : tables) {
                if (t.captured() && !loadedByParity.contains(t.mappedId())) {
                    out.add(new dev.parity.ingest.sweep.FullRead(t.mappedId(), side, began, st.snapshotRows().getOrDefault(t.name(side), 0L),
                            "connectors' snapshot"));
                }
            }
        }
        return out;
    }

    /** How the baseline was (or is being) read, in words, for status. */
    public String baselineMethod() {
        return baselineMethod;
    }

    /** How verdicts are reached here (heartbeat order, plus extra heartbeats, or a grace period); null before start. */
    public VerdictMode verdicts() {
        return databases == null ? null : VerdictMode.of(config.heartbeat(), databases.target().applyOrderRisk());
    }

    /** How verdicts are reached, in words, for status. */
    public String verdictMode() {
        VerdictMode m = verdicts();
        return m == null ? null : m.describe();
    }

    /** How far the reconciler has consumed what the captures produced; null before start. */
    public ReconcilerProgress progress() {
        return progress;
    }

    /** Runs {@code listener} whenever a capture sees a structure change on either side. */
    public void onSchemaChange(Runnable listener) {
        schemaListeners.add(listener);
    }

    private void schemaChanged() {
        schemaListeners.forEach(Runnable::run);
    }

    /** The reconciler's stores; throws {@link InvalidStateStoreException} until they can be queried. */
    public ReconcilerView view() {
        if (view == null) {
            throw new InvalidStateStoreException("reconciler not started");
        }
        return view;
    }

    private void warn(String problem) {
        LOG.warn(problem);
        setupWarnings.add(problem);
    }

    /** Problems found at start that do not stop Parity but keep verdicts from being reached. */
    public List<String> setupWarnings() {
        return List.copyOf(setupWarnings);
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
