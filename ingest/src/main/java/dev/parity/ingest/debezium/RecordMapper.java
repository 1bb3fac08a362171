package dev.parity.ingest.debezium;

import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Heartbeat;
import dev.parity.reconciler.model.RowChange;
import dev.parity.reconciler.model.RowHashing;
import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.model.Truncate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium change records of one side into Parity events. Debezium types stop here.
 *
 * <p>Not thread-safe: one per capture engine, called from its single batch thread.
 */
public final class RecordMapper {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RecordMapper.class);
    /** Columns of the heartbeat table, written by the heartbeat writer. */
    public static final String HB_SEQ = "seq";
    public static final String HB_WRITTEN_AT = "written_at_us";
    public static final String HB_FENCE = "fence_id";

    private final Side side;
    private final TableMapping mapping;
    private final String heartbeatTable;
    private final PositionFormat positions;
    private final CanonicalWriter writer = new CanonicalWriter();
    /** Per row shape: its fields in canonical order with their lower-case names, computed once per shape. */
    private final Map<Schema, Column[]> sortedFields = new IdentityHashMap<>();

    private record Column(Field field, String name) {
    }
    /** Each table's row shape as last seen, to notice a structure change from the events themselves. */
    private final Map<String, Schema> rowShapes = new java.util.HashMap<>();
    private Runnable onSchemaChange = () -> { };

    /**
     * @param heartbeatTable this side's heartbeat table as schema.table; its rows become heartbeats
     */
    public RecordMapper(Side side, TableMapping mapping, String heartbeatTable, PositionFormat positions) {
        this.side = side;
        this.mapping = mapping;
        this.heartbeatTable = heartbeatTable;
        this.positions = positions;
    }

    /**
     * Called (on the capture thread) when this side's structure changed: a DDL event (MySQL/MariaDB),
     * or a row whose shape differs from its table's previous rows (any engine, PostgreSQL included).
     */
    /** Opt-in comparison rules by mapped table id, then column (config {@code tables.columns}). */
    private Map<String, Map<String, dev.parity.reconciler.canonical.ColumnRule>> rules = Map.of();

    public RecordMapper rules(Map<String, Map<String, dev.parity.reconciler.canonical.ColumnRule>> byTable) {
        this.rules = byTable;
        return this;
    }

    /** The columns only one side has, by table: left out of row hashes and shapes (README, "Schema drift while monitoring"). */
    private dev.parity.ingest.schema.OneSidedColumns oneSided = new dev.parity.ingest.schema.OneSidedColumns();

    public RecordMapper oneSided(dev.parity.ingest.schema.OneSidedColumns registry) {
        this.oneSided = registry;
        return this;
    }

    public RecordMapper onSchemaChange(Runnable listener) {
        this.onSchemaChange = listener;
        return this;
    }

    /** The event for a record; null for records that carry no row change (tombstones, Debezium heartbeats, DDL other than TRUNCATE). */
    public MappedRecord map(SourceRecord record) {
        if (!(record.value() instanceof Struct value)) {
            return null;
        }
        if (value.schema().field("op") == null) {
            if (value.schema().field("ddl") != null) {
                onSchemaChange.run(); // a binlog connector's schema change event
            }
            return null;
        }
        String op = value.getString("op");
        Struct source = value.getStruct("source");
        String schema = namespace(source);
        String table = source.getString("table");
        long commitMicros = commitMicros(source);
        String qualified = schema + "." + table;
        if (heartbeatTable.equals(qualified)) {
            return heartbeat(value.getStruct("after"), commitMicros);
        }
        String mapped = mapping.mappedId(qualified);
        if (mapped != null && "t".equals(op)) { // one event per table truncated, on every engine
            return new MappedRecord(null, new Truncate(side, mapped, commitMicros, positions.position(source, record.sourceOffset())));
        }
        if (mapped != null && mapping.byContent(qualified)) {
            throw new IllegalStateException("a change of " + qualified + ", a table without key, is mapped by mapAll");
        }
        if (mapped == null || !(record.key() instanceof Struct key)) {
            return null;
        }
        writer.reset().table(mapped).rules(rules.get(mapped));
        writeSorted(key, Set.of());
        int keyLength = writer.sink().size();
        byte[] keyBytes = Arrays.copyOf(writer.sink().array(), keyLength);
        String position = positions.position(source, record.sourceOffset());
        if ("d".equals(op)) {
            return new MappedRecord(keyBytes, RowChange.delete(side, commitMicros, position));
        }
        Struct after = value.getStruct("after");
        Schema previous = rowShapes.put(mapped, after.schema());
        if (previous != null && previous != after.schema() && !previous.equals(after.schema())) {
            onSchemaChange.run();
        }
        Set<String> skip = oneSided.of(mapped);
        writer.beginRow();
        writeSorted(after, skip);
        Hash128 hash = RowHashing.hash128(writer.sink().array(), 0, writer.sink().size());
        return new MappedRecord(keyBytes, RowChange.upsert(side, hash, commitMicros, position, isSnapshot(source), shape(after.schema(), skip)));
    }

    /**
     * Every event of a record: one, or none ({@link #map}), except a row of a table without key, which
     * is its own key (README, "Tables without a key"): an insert (or snapshot row) adds one copy of the
     * new row, a delete removes one of the old row, and an update does both, the old row's copy first.
     */
    public List<MappedRecord> mapAll(SourceRecord record) {
        if (record.value() instanceof Struct value && value.schema().field("op") != null && value.schema().field("source") != null) {
            String op = value.getString("op");
            Struct source = value.getStruct("source");
            String qualified = namespace(source) + "." + source.getString("table");
            String mapped = mapping.mappedId(qualified);
            if (mapped != null && mapping.byContent(qualified) && !"t".equals(op)) {
                return copies(mapped, op, value, source, record);
            }
        }
        MappedRecord one = map(record);
        return one == null ? List.of() : List.of(one);
    }

    private List<MappedRecord> copies(String mapped, String op, Struct value, Struct source, SourceRecord record) {
        long commitMicros = commitMicros(source);
        String position = positions.position(source, record.sourceOffset());
        boolean snapshot = isSnapshot(source);
        List<MappedRecord> out = new ArrayList<>(2);
        Struct before = value.getStruct("before");
        Struct after = value.getStruct("after");
        if ("u".equals(op) || "d".equals(op)) {
            if (before == null) {
                // Only if the table's replica identity or the binlog row image changed since start: the copy
                // removed is unknown, so its count stays one too high on this side until the sweep re-reads it.
                LOG.warn("{} has no key and an {} on the {} carried no old row: full old rows are needed (PostgreSQL REPLICA IDENTITY FULL,"
                        + " MySQL/MariaDB binlog_row_image=FULL); its copies are counted again by the next sweep round", mapped,
                        "u".equals(op) ? "UPDATE" : "DELETE", side.label());
            } else {
                out.add(new MappedRecord(contentKey(mapped, before), RowChange.copy(side, -1, commitMicros, position, false)));
            }
        }
        if (!"d".equals(op) && after != null) {
            Schema previous = rowShapes.put(mapped, after.schema());
            if (previous != null && previous != after.schema() && !previous.equals(after.schema())) {
                onSchemaChange.run();
            }
            out.add(new MappedRecord(contentKey(mapped, after), RowChange.copy(side, 1, commitMicros, position, snapshot)));
        }
        return out;
    }

    /** The canonical row with no key columns: the key of a row identified by its content. */
    private byte[] contentKey(String mapped, Struct row) {
        writer.reset().table(mapped).rules(rules.get(mapped)).beginRow();
        writeSorted(row, oneSided.of(mapped));
        return Arrays.copyOf(writer.sink().array(), writer.sink().size());
    }

    private MappedRecord heartbeat(Struct after, long commitMicros) {
        if (after == null) {
            return null; // the heartbeat row deleted: nothing to deliver
        }
        Object fence = after.get(HB_FENCE);
        return new MappedRecord(null, new Heartbeat(side, ((Number) after.get(HB_SEQ)).longValue(),
                ((Number) after.get(HB_WRITTEN_AT)).longValue(), commitMicros, fence == null ? null : fence.toString()));
    }

    /** A row schema's shape (its columns compared: all but {@code skip}), computed once per schema while nothing is skipped. */
    private int shape(Schema schema, Set<String> skip) {
        if (!skip.isEmpty()) {
            return RowHashing.shape(schema.fields().stream().map(RecordMapper::columnName).filter(c -> !skip.contains(c)).toList());
        }
        return shapes.computeIfAbsent(schema, sc -> RowHashing.shape(sc.fields().stream().map(RecordMapper::columnName).toList()));
    }

    private final Map<Schema, Integer> shapes = new IdentityHashMap<>();

    /** Writes the struct's columns in canonical order, but those in {@code skip} (one side's only: not compared). */
    private void writeSorted(Struct struct, Set<String> skip) {
        for (Column c : sortedFields.computeIfAbsent(struct.schema(), RecordMapper::sort)) {
            if (!skip.isEmpty() && skip.contains(c.name())) {
                continue;
            }
            Field f = c.field();
            writer.column(c.name());
            ValueEncoder.write(writer, f.schema(), struct.get(f));
        }
    }

    /**
     * Column names fold to lower case: PostgreSQL folds unquoted names, MySQL and MariaDB compare column
     * names case-insensitively, so {@code CustomerId} and {@code customerid} are one column across engines.
     */
    static String columnName(Field f) {
        return f.name().toLowerCase(Locale.ROOT);
    }

    private static Column[] sort(Schema schema) {
        return schema.fields().stream().map(f -> new Column(f, columnName(f))).sorted(Comparator.comparing(Column::name)).toArray(Column[]::new);
    }

    /** The table a change's {@code source} block names, as {@code namespace.table}. */
    public static String qualifiedTable(Struct source) {
        return namespace(source) + "." + source.getString("table");
    }

    /** PostgreSQL names a table's schema; MySQL and MariaDB its database. */
    private static String namespace(Struct source) {
        return source.schema().field("schema") != null && source.get("schema") != null ? source.getString("schema") : source.getString("db");
    }

    private static long commitMicros(Struct source) {
        if (source.schema().field("ts_us") != null && source.get("ts_us") != null) {
            return source.getInt64("ts_us");
        }
        return source.getInt64("ts_ms") * 1_000L;
    }

    public static boolean isSnapshot(Struct source) {
        Object s = source.get("snapshot");
        return s != null && !"false".equals(s.toString()) && !"incremental".equals(s.toString());
    }

    /** Whether the record is the last one of the initial snapshot. */
    public static boolean isLastSnapshotRecord(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
            return false;
        }
        Object s = value.getStruct("source").get("snapshot");
        return s != null && "last".equals(s.toString());
    }
}
