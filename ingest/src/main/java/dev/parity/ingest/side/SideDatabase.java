package dev.parity.ingest.side;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.CaptureEngine;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.debezium.RecordMapper;
import dev.parity.ingest.debezium.TableMapping;
import dev.parity.ingest.engine.CaptureNames;
import dev.parity.ingest.engine.DatabaseAdapter;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.ingest.kafka.SideTopics;
import dev.parity.reconciler.model.Side;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side's database as every workflow reaches it: its connection, its engine's adapter, what was
 * found there at start (tables, settings, row estimates), the scan plans the load and the sweep read
 * by, and its capture. The port the workflows take instead of the whole application.
 */
public final class SideDatabase {
    private static final Logger LOG = LoggerFactory.getLogger(SideDatabase.class);

    private final boolean heartbeats;
    private final Side side;
    private final Endpoint endpoint;
    private final DatabaseAdapter adapter;
    private final CaptureNames names;
    private final String heartbeatTable;
    private List<TableInfo> tables = List.of();
    private Map<String, String> settings = Map.of();
    private String applyOrderRisk;
    private Map<String, Long> estimatedRows = Map.of();

    public SideDatabase(IngestConfig config, Side side) {
        IngestConfig.Database db = config.database(side);
        this.side = side;
        this.endpoint = new Endpoint(side, db.url(), db.user(), db.password());
        this.adapter = DatabaseAdapter.of(db.resolvedEngine(), endpoint);
        this.names = CaptureNames.of(config.name(), side, db.serverId(), config.captureDir());
        this.heartbeatTable = adapter.heartbeatTable(config.heartbeat().table());
        this.heartbeats = config.heartbeat().enabled();
        this.columnRules = config.tables().columns();
    }

    /** Opt-in comparison rules by mapped table id and column (config {@code tables.columns}): the stream and the reads apply the same. */
    private final Map<String, Map<String, dev.parity.reconciler.canonical.ColumnRule>> columnRules;
    /** The columns only one side has, left out of every row hash on both sides: one registry shared by both (see {@link Databases}). */
    private dev.parity.ingest.schema.OneSidedColumns oneSided = new dev.parity.ingest.schema.OneSidedColumns();

    /** Shares the registry of one-sided columns with the other side; before any capture or scan plan. */
    public SideDatabase comparing(dev.parity.ingest.schema.OneSidedColumns shared) {
        this.oneSided = java.util.Objects.requireNonNull(shared, "shared");
        return this;
    }

    public dev.parity.ingest.schema.OneSidedColumns oneSided() {
        return oneSided;
    }

    public Side side() {
        return side;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public DatabaseAdapter adapter() {
        return adapter;
    }

    public CaptureNames names() {
        return names;
    }

    /** This side's heartbeat table, qualified as its engine needs. */
    public String heartbeatTable() {
        return heartbeatTable;
    }

    public Engine engine() {
        return adapter.engine();
    }

    /** The tables found at start (by {@link #prepare} or {@link #inspect}). */
    public List<TableInfo> tables() {
        return tables;
    }

    public Map<String, String> settings() {
        return settings;
    }

    /** The database's row-count estimates at start, per table; for snapshot progress. */
    public Map<String, Long> estimatedRows() {
        return estimatedRows;
    }

    /** Target: why the replica may apply out of commit order; null when order is assured. */
    public String applyOrderRisk() {
        return applyOrderRisk;
    }

    /** Opens a connection to this side's database. */
    public Connection connect() throws SQLException {
        return endpoint.connect();
    }

    /** Reads tables and settings only: nothing checked, nothing written (for {@code parity schema-diff}). */
    public void inspect() throws SQLException {
        try (Connection c = endpoint.connect()) {
            tables = adapter.tables(c);
            settings = adapter.settings(c);
        }
    }

    /**
     * Checks the server can be captured, lists its tables and settings, and readies the heartbeat
     * (on the source: creates it; on the target: only checks). Returns problems that do not stop Parity.
     */
    public List<String> prepare(boolean heartbeats) throws SQLException {
        try (Connection c = endpoint.connect()) {
            adapter.checkCapturable(c, names);
            tables = adapter.tables(c);
            settings = adapter.settings(c);
            try {
                estimatedRows = adapter.estimatedRows(c);
            } catch (SQLException e) {
                LOG.debug("no row estimates on the {}: {}", side.label(), e.getMessage()); // progress then shows no ETA
            }
            applyOrderRisk = side == Side.TARGET ? adapter.applyOrderRisk(c) : null;
            if (!heartbeats) {
                return List.of();
            }
            if (side == Side.SOURCE) {
                List<String> warnings = adapter.prepareHeartbeatOnSource(c, heartbeatTable, names.publication());
                LOG.info("heartbeat table {} present on the source (Parity writes one row, id = 1)", heartbeatTable);
                return warnings;
            }
            return adapter.checkHeartbeatOnTarget(c, heartbeatTable);
        }
    }

    /** What capture needs on the server, covering the captured tables and the heartbeat table. */
    public List<String> captureList(List<String> captured, boolean heartbeats) {
        List<String> all = new ArrayList<>(captured);
        if (heartbeats) {
            all.add(heartbeatTable);
        }
        return all;
    }

    /** What the configured user lacks here of what Parity needs to watch these tables (this side's names). */
    public List<String> missingPrivileges(List<String> tables) throws SQLException {
        try (Connection c = endpoint.connect()) {
            return adapter.missingPrivileges(c, tables, endpoint.user());
        }
    }

    public void prepareCapture(List<String> captureList) throws SQLException {
        try (Connection c = endpoint.connect()) {
            adapter.prepareCapture(c, names, captureList);
        }
    }

    /** Whether this side's capture has committed offsets from an earlier run (it resumes rather than starts). */
    public boolean hasOffsets() {
        return java.nio.file.Files.exists(names.offsets(side));
    }

    /** The current structure of these tables on this side, by this side's names. */
    public Map<String, dev.parity.ingest.schema.TableSchema> schemas(List<PlannedTable> tables) throws SQLException {
        try (Connection c = endpoint.connect()) {
            return adapter.schema(c, tables.stream().map(t -> t.name(side)).toList());
        }
    }

    /** A key-range scan of one table on this side with its structure as read, or why there is none. */
    public dev.parity.ingest.verify.TableScan.Result scanPlan(PlannedTable t, dev.parity.ingest.schema.TableSchema schema, int pageRows) {
        return scanPlan(t, schema, pageRows, oneSided.of(t.mappedId()));
    }

    /**
     * {@link #scanPlan}, leaving out exactly {@code oneSidedColumns}: a read of both sides plans each with the one set it
     * settled on, so a comparison that changes meanwhile never hashes its two sides over different columns.
     */
    public dev.parity.ingest.verify.TableScan.Result scanPlan(PlannedTable t, dev.parity.ingest.schema.TableSchema schema, int pageRows,
                                                             java.util.Set<String> oneSidedColumns) {
        String name = t.name(side);
        TableInfo info = tables.stream().filter(i -> i.qualifiedName().equals(name)).findFirst().orElse(null);
        if (schema == null || info == null) {
            return new dev.parity.ingest.verify.TableScan.Result(null, "not found on the " + side.label());
        }
        // Without heartbeats there is no heartbeat row to read: reads then carry no seq (-1).
        // Rows are compared over the columns both sides have: the one-sided ones are not read at all.
        return dev.parity.ingest.verify.TableScan.plan(engine(), name, t.mappedId(), info.key(), schema, heartbeats ? heartbeatTable : null,
                pageRows, columnRules.getOrDefault(t.mappedId(), Map.of()), oneSidedColumns);
    }

    /**
     * This side's rows of exactly these keys, each with its canonical row, in one short read-only
     * snapshot (the drill-down on demand, the repair script); the table's structure is read first.
     */
    public dev.parity.ingest.verify.TableScan.Page readKeys(PlannedTable t, List<Map<String, Object>> keys) throws SQLException {
        dev.parity.ingest.schema.TableSchema schema = schemas(List.of(t)).get(t.name(side));
        dev.parity.ingest.verify.TableScan.Result plan = scanPlan(t, schema, Math.max(1, keys.size()));
        if (plan.scan() == null) {
            throw new IllegalStateException(t.mappedId() + " cannot be read on the " + side.label() + ": " + plan.problem());
        }
        try (Connection c = connect()) {
            dev.parity.ingest.verify.TableScan.prepare(c, engine());
            return plan.scan().readKeys(c, keys);
        }
    }

    /**
     * Debezium keys a table's events by its primary key; a table identified by a unique index instead is
     * named in {@code message.key.columns} ({@code table-regex:col,col;...}) so its events carry that key.
     */
    Map<String, String> keyColumns(List<String> captureList) {
        String spec = tables.stream().filter(i -> i.keyedByIndex() && captureList.contains(i.qualifiedName()))
                .map(i -> java.util.regex.Pattern.quote(i.qualifiedName()) + ":" + String.join(",", i.key()))
                .collect(java.util.stream.Collectors.joining(";"));
        return spec.isEmpty() ? Map.of() : Map.of("message.key.columns", spec);
    }

    /**
     * The Debezium connector this side needs on the user's Kafka Connect cluster ({@code capture.mode: connect},
     * {@code parity connect-config}): the embedded engine's settings, made fit for Connect
     * ({@link dev.parity.ingest.connect.ConnectorConfig}).
     *
     * @param kafkaBootstrap the cluster Connect writes to (for a binlog connector's schema history)
     */
    public Map<String, String> connectorConfig(List<String> captureList, String kafkaBootstrap) {
        return dev.parity.ingest.connect.ConnectorConfig.from(adapter.debezium(names, captureList, keyColumns(captureList)), topicPrefix(),
                kafkaBootstrap, passwordVariable());
    }

    /** The connector's name on a Connect cluster: the embedded engine's. */
    public String connectorName() {
        return names.engineName();
    }

    /** The environment variable a Connect worker's {@code env} config provider reads this side's password from. */
    public String passwordVariable() {
        return "PARITY_" + side.label().toUpperCase(java.util.Locale.ROOT) + "_PASSWORD";
    }

    /**
     * The connector's {@code topic.prefix} on Kafka Connect: its topics are {@code <prefix>.<namespace>.<table>}, and a
     * binlog connector's schema changes go to the topic {@code <prefix>} itself, which must not collide with Parity's
     * own side topic ({@code parity.<name>.<side>}: Kafka treats {@code .} and {@code _} alike in topic names).
     */
    public String topicPrefix() {
        return "cdc_" + names.engineName().replaceAll("[^A-Za-z0-9_]", "_");
    }

    /**
     * Starts reading this side's changes from the topics its connector writes on Kafka Connect
     * ({@code capture.mode: connect}); the counterpart of {@link #startCapture}.
     */
    public dev.parity.ingest.connect.ConnectCapture startConnectCapture(SideTopics topics, TableMapping captured, CaptureStatus status, Clock clock,
                                                                       Runnable onSchemaChange) {
        RecordMapper mapper = new RecordMapper(side, captured, heartbeatTable, adapter.positions()).rules(columnRules)
                .oneSided(oneSided).onSchemaChange(onSchemaChange);
        var capture = new dev.parity.ingest.connect.ConnectCapture(side.label(), topics.kafka(), "parity-" + names.engineName().substring(7) + "-connect",
                topicPrefix(), heartbeatTable, engine() == Engine.POSTGRESQL ? dev.parity.ingest.connect.Positions.POSTGRES
                : dev.parity.ingest.connect.Positions.BINLOG, mapper, topics.producer(side), status, clock);
        capture.start();
        return capture;
    }

    /**
     * Starts this side's capture into {@code sink} (its side topic); {@code captured} maps this side's table names to mapped
     * ids and names the tables without key. {@code firstRun} overrides connector settings for the first launch only (which tables, if any,
     * the connector snapshots when Parity's initial load reads the others).
     */
    public CaptureEngine startCapture(dev.parity.ingest.kafka.CaptureSink sink, TableMapping captured, List<String> captureList, CaptureStatus status,
                                      Clock clock, Runnable onSchemaChange, Map<String, String> firstRun) {
        RecordMapper mapper = new RecordMapper(side, captured, heartbeatTable, adapter.positions()).rules(columnRules)
                .oneSided(oneSided).onSchemaChange(onSchemaChange);
        CaptureEngine engine = new CaptureEngine(side.label(), adapter.debezium(names, captureList, keyColumns(captureList)), mapper, sink,
                status, clock);
        if (!firstRun.isEmpty()) {
            engine.firstRun(firstRun);
        }
        engine.start();
        return engine;
    }
}
