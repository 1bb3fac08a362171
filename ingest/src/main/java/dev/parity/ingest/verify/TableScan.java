package dev.parity.ingest.verify;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.RowHashing;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads one table of one side in primary-key order, a page per short read-only transaction, and
 * turns every row into the canonical key and row hash the change stream would give it. Each page's
 * transaction also reads the side's heartbeat row, so the page is known to lie between heartbeats
 * {@code seq} and {@code seq + 1} of that database's commit order (see {@code Observation}).
 *
 * <p>Pages are keyset-paginated ({@code WHERE (pk) > (last) ORDER BY pk LIMIT n}): each is an index
 * range read, no transaction stays open between pages, and nothing is written.
 */
public final class TableScan {
    /** Rows fetched per round trip: a range read may be large, and PostgreSQL's driver otherwise buffers all of it. */
    private static final int FETCH_ROWS = 5_000;
    /**
     * The most row data a read holds in the driver's buffer at once ({@code MemoryBudget.fetchBytes}). Rows are
     * fetched one at first, then as many as fit this budget at the largest row size seen lately: a table of 10 MB
     * values is read a row or a few per round trip, one of 100-byte rows {@link #FETCH_ROWS} at a time, and memory
     * stays bounded either way.
     */
    private static final long FETCH_BYTES = dev.parity.ingest.jdbc.MemoryBudget.fetchBytes();
    private static final int FIRST_FETCH = 1;
    private final Engine engine;
    /** The statements this scan reads with. */
    private final ScanSql statements;
    private final String mappedId;
    private final List<String> keyColumns;
    private final Map<String, ColumnInfo> columns;
    private RowPlan plan;
    private final int shape;
    /** Opt-in comparison rules of this table's columns; empty: exact. */
    private Map<String, dev.parity.reconciler.canonical.ColumnRule> rules = Map.of();
    /** Columns the other side lacks (lower case): read with the rest, left out of the key, the hash and the shape. */
    private java.util.Set<String> leftOut = java.util.Set.of();
    /** Set while a read by key runs: rows keep their canonical bytes. */
    private boolean withCanonical;
    /** Set while a read for a lookup on the other side runs: rows keep their key columns' JDBC values. */
    private boolean withKeyValues;

    /**
     * One row as read: its canonical key and row hash, (reads by key only) the whole canonical row the
     * hash is computed over, to decode its column values, and (reads for a lookup on the other side
     * only) its key columns' JDBC values in key order.
     */
    public record Row(byte[] key, Hash128 hash, byte[] canonical, Object[] keyValues) {
        public Row(byte[] key, Hash128 hash) {
            this(key, hash, null, null);
        }
    }

    /**
     * @param heartbeatSeq the heartbeat seq read in the page's snapshot
     * @param lastKey      the page's last primary-key values, to continue after; null once the table is done
     */
    public record Page(long heartbeatSeq, List<Row> rows, Object[] lastKey) {
        public boolean last() {
            return lastKey == null;
        }

        /** The page's rows by canonical key. */
        public Map<java.nio.ByteBuffer, Row> byKey() {
            Map<java.nio.ByteBuffer, Row> out = new java.util.HashMap<>();
            rows.forEach(r -> out.put(java.nio.ByteBuffer.wrap(r.key()), r));
            return out;
        }
    }

    /**
     * @param table      this side's table, {@code namespace.table}
     * @param mappedId   the table id keys carry (the source's name)
     * @param keyColumns primary-key columns as the database names them
     * @param heartbeatTable this side's heartbeat table, {@code namespace.table}; null reads no heartbeat (seq -1)
     */
    /** Lately the largest row's canonical size, decaying; sizes this scan's fetches (see {@link #FETCH_BYTES}). */
    private volatile long rowBytes;

    /**
     * How many whole rows of this table fit in {@code bytes} at the largest row size seen lately (at least one; all
     * of {@code wanted} before any row was read): the drill-down and the repair read keys in batches of this size.
     */
    public int rowsWithin(long bytes, int wanted) {
        long size = rowBytes;
        return size == 0 ? wanted : (int) Math.max(1, Math.min(wanted, bytes / size));
    }

    /** Rows per fetch for the row sizes seen so far. */
    private int fetchRows() {
        long bytes = rowBytes;
        return bytes == 0 ? FIRST_FETCH : (int) Math.max(1, Math.min(FETCH_ROWS, FETCH_BYTES / bytes));
    }

    /** Notes one row's size, and resizes the result set's fetches when the fitting number moved by half or more. */
    private void sized(ResultSet rs, int bytes) {
        int before = fetchRows();
        rowBytes = Math.max(bytes, rowBytes - rowBytes / 64);
        int now = fetchRows();
        if (now != before && (now >= 2 * before || 2 * now <= before)) {
            try {
                rs.setFetchSize(now);
            } catch (SQLException e) {
                // a driver that cannot resize mid-read keeps its first size, which was small
            }
        }
    }

    private TableScan(Engine engine, String table, String mappedId, List<String> keyColumns, TableSchema schema, String heartbeatTable,
                      int pageRows) {
        this.engine = engine;
        this.mappedId = mappedId;
        this.keyColumns = List.copyOf(keyColumns);
        this.columns = schema.columns().stream().collect(Collectors.toMap(ColumnInfo::name, c -> c));
        this.shape = RowHashing.shape(columns.keySet());
        this.statements = new ScanSql(engine, table, keyColumns, columns, heartbeatTable, pageRows);
    }

    /**
     * A scan of the table, or why it cannot be scanned to the same values the change stream gives:
     * a column of a type whose JDBC reading is not verified. No key columns: a table without key, read
     * whole and counted by content ({@link #read}).
     */
    public static Result plan(Engine engine, String table, String mappedId, List<String> keyColumns, TableSchema schema,
                              String heartbeatTable, int pageRows) {
        return plan(engine, table, mappedId, keyColumns, schema, heartbeatTable, pageRows, Map.of());
    }

    /** {@link #plan}, values compared under the table's opt-in column rules (config {@code tables.columns}). */
    public static Result plan(Engine engine, String table, String mappedId, List<String> keyColumns, TableSchema schema,
                              String heartbeatTable, int pageRows, Map<String, dev.parity.reconciler.canonical.ColumnRule> rules) {
        return plan(engine, table, mappedId, keyColumns, schema, heartbeatTable, pageRows, rules, java.util.Set.of());
    }

    /**
     * {@link #plan}, rows compared over the columns both sides have: {@code leftOut} (lower-case names, only one side
     * has them: README, "Schema drift while monitoring") are neither read into the hash nor part of the shape.
     */
    public static Result plan(Engine engine, String table, String mappedId, List<String> keyColumns, TableSchema schema,
                              String heartbeatTable, int pageRows, Map<String, dev.parity.reconciler.canonical.ColumnRule> rules,
                              java.util.Set<String> leftOut) {
        schema = schema.without(leftOut);
        List<ColumnInfo> unreadable = schema.columns().stream().filter(c -> JdbcValueReader.of(engine, c) == null).toList();
        List<ColumnInfo> blocking = unreadable.stream().filter(c -> !ignored(rules, c.name())).toList();
        if (!blocking.isEmpty()) {
            return new Result(null, "no verified reading of column type " + blocking.stream().map(c -> c.name() + " " + c.nativeType())
                    .collect(Collectors.joining(", ")) + " on " + engine.name().toLowerCase(Locale.ROOT), blocking);
        }
        TableScan scan = new TableScan(engine, table, mappedId, keyColumns, schema, heartbeatTable, pageRows);
        scan.rules = Map.copyOf(rules);
        scan.leftOut = java.util.Set.copyOf(leftOut);
        return new Result(scan, null, List.of());
    }

    private static boolean ignored(Map<String, dev.parity.reconciler.canonical.ColumnRule> rules, String column) {
        dev.parity.reconciler.canonical.ColumnRule r = rules.get(column.toLowerCase(Locale.ROOT));
        return r != null && r.ignored();
    }

    /**
     * A scan, or the reason there is none.
     *
     * @param unreadable the columns whose type Parity cannot read to the value the change stream gives (and that
     *                   config still compares): the reason there is no scan; empty when there is one
     */
    public record Result(TableScan scan, String problem, List<ColumnInfo> unreadable) {
        public Result {
            unreadable = List.copyOf(unreadable);
        }

        public Result(TableScan scan, String problem) {
            this(scan, problem, List.of());
        }
    }

    /**
     * Readies a connection for scanning: read-only, repeatable-read snapshots per page, and (MySQL,
     * MariaDB) a UTC session so TIMESTAMP values print as UTC instants. Changes only this session.
     */
    public static void prepare(Connection c, Engine engine) throws SQLException {
        c.setAutoCommit(true);
        if (engine.isBinlog()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET time_zone = '+00:00'");
            }
        }
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        c.setAutoCommit(false);
    }

    /**
     * Reads the page after {@code after} (null: the first page) in one snapshot, with its heartbeat seq.
     * A table without key is one page, the whole table in one snapshot: one row per distinct content,
     * its key the canonical row, its hash the copies found ({@code RowHashing.copies}); at most
     * {@link #MAX_DISTINCT_ROWS} distinct rows are counted in memory.
     */
    public Page read(Connection c, Object[] after) throws SQLException {
        if (byContent()) {
            return readContent(c);
        }
        return readSql(c, after == null ? statements.selectFirst : statements.selectNext, after);
    }

    /** Distinct rows of a table without key one read may count (about 100 bytes each in memory, plus the row). */
    public static final int MAX_DISTINCT_ROWS = 2_000_000;

    /** The shape of the rows this scan reads: the table's columns as its structure was read ({@code RowHashing.shape}). */
    public int shape() {
        return shape;
    }

    /** A table without key: its rows are identified by their content (README, "Tables without a key"). */
    public boolean byContent() {
        return keyColumns.isEmpty();
    }

    private Page readContent(Connection c) throws SQLException {
        return inSnapshot(c, () -> {
            long seq = heartbeat(c);
            Map<java.nio.ByteBuffer, long[]> copies = new java.util.LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(statements.from)) {
                ps.setFetchSize(fetchRows());
                try (ResultSet rs = ps.executeQuery()) {
                    RowPlan p = plan(rs.getMetaData());
                    CanonicalWriter w = new CanonicalWriter();
                    while (rs.next()) {
                        byte[] content = p.row(w, rs, mappedId, true).canonical();
                        sized(rs, content.length);
                        long[] n = copies.computeIfAbsent(java.nio.ByteBuffer.wrap(content), k -> new long[1]);
                        n[0]++;
                        if (copies.size() > MAX_DISTINCT_ROWS) {
                            throw new SQLException("more than " + MAX_DISTINCT_ROWS + " distinct rows: too many to count in one read");
                        }
                    }
                }
            }
            List<Row> rows = new ArrayList<>(copies.size());
            copies.forEach((k, n) -> rows.add(new Row(k.array(), RowHashing.copies(k.array(), n[0]), k.array(), null)));
            return new Page(seq, rows, null);
        });
    }

    /** Work done in one read-only snapshot: committed when it returns, rolled back when it throws. */
    private interface SnapshotRead {
        Page read() throws SQLException;
    }

    private static Page inSnapshot(Connection c, SnapshotRead work) throws SQLException {
        try {
            Page page = work.read();
            c.commit();
            return page;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        }
    }

    private long heartbeat(Connection c) throws SQLException {
        if (statements.heartbeat == null) {
            return -1;
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(statements.heartbeat)) {
            if (!rs.next()) {
                throw new SQLException("the heartbeat row (id = 1) is missing: " + statements.heartbeat);
            }
            return rs.getLong(1);
        }
    }

    private void requireKey(String what) {
        if (byContent()) {
            throw new IllegalStateException("a table without key has no rows to " + what + " by key: it is read whole (" + mappedId + ")");
        }
    }

    /**
     * {@link #read}, each row also keeping its key columns' JDBC values, to look the same keys up on
     * the other side ({@link #readKeyValues}).
     */
    public Page readWithKeyValues(Connection c, Object[] after) throws SQLException {
        requireKey("look up");
        withKeyValues = true;
        try {
            return read(c, after);
        } finally {
            withKeyValues = false;
        }
    }

    /**
     * Reads the rows of exactly these keys, given as the JDBC values a {@link #readWithKeyValues} on
     * {@code keysFrom} returned (absent ones are simply not returned), in one snapshot with its heartbeat
     * seq: {@code WHERE (pk) IN ((…), …)}, an index lookup per key. The values bind as they came on the
     * same engine; across engines, PostgreSQL takes each as text cast to its column's type and
     * MySQL/MariaDB take UUIDs and dates in their text form (see {@code BaselinePlan} for which key
     * types Parity's load pairs this way).
     */
    public Page readKeyValues(Connection c, List<Object[]> keys, Engine keysFrom) throws SQLException {
        requireKey("look up");
        if (keysFrom == engine) {
            return readIn(c, keys, false);
        }
        List<Object[]> bound = new ArrayList<>(keys.size());
        for (Object[] key : keys) {
            Object[] v = new Object[key.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = key[i] == null ? null : crossEngine(key[i]);
            }
            bound.add(v);
        }
        return readIn(c, bound, !engine.isBinlog());
    }

    /** A key value read on another engine, as this engine binds it (see {@link #readKeyValues}). */
    private Object crossEngine(Object v) {
        if (!engine.isBinlog()) {
            return v instanceof byte[] b ? "\\x" + java.util.HexFormat.of().formatHex(b) : v.toString();
        }
        if (v instanceof java.util.UUID u) {
            return u.toString();
        }
        return v instanceof java.sql.Date d ? d.toLocalDate() : v;
    }

    /**
     * Reads every row with a key after {@code after} (null: from the start) up to and including
     * {@code upTo} (null: to the end), in one snapshot with its heartbeat seq: the other side's range
     * of a page, for a load that reads both sides by the same key ranges.
     */
    public Page readRange(Connection c, Object[] after, Object[] upTo) throws SQLException {
        requireKey("read by range");
        String sql = statements.range(after != null, upTo != null);
        Object[] args = after == null ? upTo : upTo == null ? after : concat(after, upTo);
        return readSql(c, sql, args);
    }

    /**
     * Reads the rows of exactly these keys (display values, as {@code CanonicalReader.keyColumns} gives
     * them; absent ones are simply not returned) in one snapshot with its heartbeat seq, each with its
     * whole canonical row: {@code WHERE (pk) IN ((…), …)}, an index lookup per key. On PostgreSQL each
     * parameter is text cast to its column's type, which does not compare text with other types implicitly.
     */
    public Page readKeys(Connection c, List<Map<String, Object>> keys) throws SQLException {
        requireKey("read");
        List<Object[]> values = new ArrayList<>(keys.size());
        for (Map<String, Object> key : keys) {
            Object[] v = new Object[keyColumns.size()];
            for (int i = 0; i < v.length; i++) {
                Object x = key.get(keyColumns.get(i).toLowerCase(Locale.ROOT));
                v[i] = engine.isBinlog() || x == null ? x : x.toString();
            }
            values.add(v);
        }
        withCanonical = true;
        try {
            return readIn(c, values, !engine.isBinlog());
        } finally {
            withCanonical = false;
        }
    }

    /**
     * {@code WHERE (pk) IN ((…), …)} over these key values (in key-column order), in one snapshot with
     * its heartbeat seq; {@code cast}: each parameter is text cast to its column's type (PostgreSQL).
     */
    private Page readIn(Connection c, List<Object[]> keys, boolean cast) throws SQLException {
        if (keys.isEmpty()) {
            return new Page(-1, List.of(), null);
        }
        String sql = statements.in(keys.size(), cast);
        Object[] args = new Object[keys.size() * keyColumns.size()];
        int i = 0;
        for (Object[] key : keys) {
            for (Object v : key) {
                args[i++] = v;
            }
        }
        return readSql(c, sql, args);
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private Page readSql(Connection c, String sql, Object[] args) throws SQLException {
        return inSnapshot(c, () -> {
            long seq = heartbeat(c);
            List<Row> rows = new ArrayList<>();
            Object[] last = null;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(fetchRows());
                for (int i = 0; args != null && i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    RowPlan p = plan(rs.getMetaData());
                    CanonicalWriter w = new CanonicalWriter();
                    while (rs.next()) {
                        Row row = p.row(w, rs, mappedId, withCanonical);
                        sized(rs, w.sink().size());
                        last = p.key(rs);
                        rows.add(withKeyValues ? new Row(row.key(), row.hash(), row.canonical(), last) : row);
                    }
                }
            }
            return new Page(seq, rows, rows.isEmpty() ? null : last);
        });
    }

    private RowPlan plan(ResultSetMetaData md) throws SQLException {
        if (plan == null) {
            plan = RowPlan.of(md, engine, columns, keyColumns, rules, leftOut);
        }
        return plan;
    }

}
