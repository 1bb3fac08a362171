package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.CaptureEngine;
import dev.parity.ingest.CaptureStatus;
import dev.parity.ingest.debezium.RecordMapper;
import dev.parity.ingest.debezium.TableMapping;
import dev.parity.ingest.engine.CaptureNames;
import dev.parity.ingest.engine.DatabaseAdapter;
import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.jdbc.Endpoint;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.ingest.kafka.ChangeProducer;
import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.model.Side;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One side of a Parity instance: its database adapter, what was found there, and its capture. */
final class SideSetup {
    private static final Logger LOG = LoggerFactory.getLogger(SideSetup.class);

    final Side side;
    final Endpoint endpoint;
    final DatabaseAdapter adapter;
    final CaptureNames names;
    final String heartbeatTable;
    private List<TableInfo> tables = List.of();
    private Map<String, String> settings = Map.of();
    private String applyOrderRisk;
    private Map<String, Long> estimatedRows = Map.of();

    SideSetup(ParityConfig config, Side side, Path captureDir) {
        ParityConfig.Database db = side == Side.SOURCE ? config.source() : config.target();
        this.side = side;
        this.endpoint = new Endpoint(side, db.url(), db.user(), db.password());
        Engine engine = db.engine() != null ? db.engine() : Engine.fromUrl(db.url());
        this.adapter = DatabaseAdapter.of(engine, endpoint);
        this.names = new CaptureNames("parity-" + config.name() + "-" + side.label(), ParityRuntime.slotName(config.name(), side),
                ParityRuntime.publicationName(config.name()), db.serverId() != null ? db.serverId() : defaultServerId(config.name(), side),
                captureDir);
        this.heartbeatTable = adapter.heartbeatTable(config.heartbeat().table());
    }

    /** A replica server id for the capture, stable per instance and side, unlikely to clash with real servers. */
    static long defaultServerId(String name, Side side) {
        return 5_400_000L + Math.floorMod(name.hashCode(), 100_000) * 2L + side.ordinal();
    }

    Engine engine() {
        return adapter.engine();
    }

    List<TableInfo> tables() {
        return tables;
    }

    Map<String, String> settings() {
        return settings;
    }

    /** The database's row-count estimates at start, per table; for snapshot progress. */
    Map<String, Long> estimatedRows() {
        return estimatedRows;
    }

    /** Target: why the replica may apply out of commit order; null when order is assured. */
    String applyOrderRisk() {
        return applyOrderRisk;
    }

    /** Reads tables and settings only: nothing checked, nothing written (for {@code parity schema-diff}). */
    void inspect() throws SQLException {
        try (Connection c = endpoint.connect()) {
            tables = adapter.tables(c);
            settings = adapter.settings(c);
        }
    }

    /**
     * Checks the server can be captured, lists its tables and settings, and readies the heartbeat
     * (on the source: creates it; on the target: only checks). Returns problems that do not stop Parity.
     */
    List<String> prepare(boolean heartbeats) throws SQLException {
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
    List<String> captureList(List<String> captured, boolean heartbeats) {
        List<String> all = new ArrayList<>(captured);
        if (heartbeats) {
            all.add(heartbeatTable);
        }
        return all;
    }

    void prepareCapture(List<String> captureList) throws SQLException {
        try (Connection c = endpoint.connect()) {
            adapter.prepareCapture(c, names, captureList);
        }
    }

    /** Whether this side's capture has committed offsets from an earlier run (it resumes rather than starts). */
    boolean hasOffsets() {
        return java.nio.file.Files.exists(names.offsets(side));
    }

    /** The current structure of these tables on this side, by this side's names. */
    Map<String, dev.parity.ingest.schema.TableSchema> schemas(List<PlannedTable> tables) throws SQLException {
        try (Connection c = endpoint.connect()) {
            return adapter.schema(c, tables.stream().map(t -> t.name(side)).toList());
        }
    }

    /** A key-range scan of one table on this side with its structure as read, or why there is none. */
    dev.parity.ingest.verify.TableScan.Result scanPlan(PlannedTable t, dev.parity.ingest.schema.TableSchema schema, int pageRows) {
        String name = t.name(side);
        TableInfo info = tables.stream().filter(i -> i.qualifiedName().equals(name)).findFirst().orElse(null);
        if (schema == null || info == null) {
            return new dev.parity.ingest.verify.TableScan.Result(null, "not found on the " + side.label());
        }
        return dev.parity.ingest.verify.TableScan.plan(engine(), name, t.mappedId(), info.primaryKey(), schema, heartbeatTable, pageRows);
    }

    /**
     * Starts this side's capture; {@code captured} maps this side's table names to mapped ids.
     * {@code firstRun} overrides connector settings for the first launch only (which tables, if any,
     * the connector snapshots when Parity's initial load reads the others).
     */
    CaptureEngine startCapture(Map<String, Object> kafkaProps, String topic, int partitions, Chunking chunking,
                               Map<String, String> captured, List<String> captureList, CaptureStatus status, Clock clock,
                               Runnable onSchemaChange, Map<String, String> firstRun) {
        RecordMapper mapper = new RecordMapper(side, new TableMapping(captured), heartbeatTable, adapter.positions())
                .onSchemaChange(onSchemaChange);
        ChangeProducer producer = new ChangeProducer(kafkaProps, topic, partitions, chunking);
        CaptureEngine engine = new CaptureEngine(side.label(), adapter.debezium(names, captureList, Map.of()), mapper, producer, status, clock);
        if (!firstRun.isEmpty()) {
            // Parity reads (some of) the baseline itself (InitialLoad): the connector snapshots only the rest, or nothing.
            engine.firstRun(firstRun);
        }
        engine.start();
        return engine;
    }
}
