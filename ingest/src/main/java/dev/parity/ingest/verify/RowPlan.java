package dev.parity.ingest.verify;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.reconciler.canonical.CanonicalWriter;
import dev.parity.reconciler.canonical.ColumnRule;
import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.RowHashing;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a {@link TableScan} turns one result row into the canonical key and row hash the change stream would give it:
 * the columns in canonical (lower-case name) order, each with its engine's verified reader, and the key columns again
 * in index order to page on.
 */
final class RowPlan {
    private record Col(String name, int index, JdbcValueReader reader) {
    }

    private final Col[] key;
    private final Col[] all;
    private final int[] keyOrder;
    private final Map<String, ColumnRule> rules;

    private RowPlan(Col[] key, Col[] all, int[] keyOrder, Map<String, ColumnRule> rules) {
        this.key = key;
        this.all = all;
        this.keyOrder = keyOrder;
        this.rules = rules;
    }

    /** Prefixes the label of a column read a second time, exactly (a MySQL/MariaDB FLOAT as a DOUBLE: see ScanSql). */
    static final String EXACT_PREFIX = "parity_exact_";

    /**
     * The plan for a result's columns, which must all be among the table's as its structure was read
     * ({@code columns}, by lower-case name) or {@code leftOut} (only one side has them: skipped); a column not compared
     * ({@code tables.columns … compare: false}) is written as NULL whatever it holds.
     */
    static RowPlan of(ResultSetMetaData md, Engine engine, Map<String, ColumnInfo> columns, List<String> keyColumns,
                      Map<String, ColumnRule> rules, java.util.Set<String> leftOut) throws SQLException {
        TreeMap<String, Integer> byName = new TreeMap<>();
        Map<String, Integer> exact = new java.util.HashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            String name = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
            if (name.startsWith(EXACT_PREFIX)) {
                exact.put(name.substring(EXACT_PREFIX.length()), i);
            } else if (!leftOut.contains(name)) { // only one side has it: rows are compared over the others
                byName.put(name, i);
            }
        }
        exact.forEach((name, i) -> byName.computeIfPresent(name, (n, plain) -> i)); // the exact reading of a FLOAT (ScanSql)
        List<Col> all = new ArrayList<>();
        byName.forEach((name, index) -> {
            ColumnInfo info = columns.get(name);
            if (info == null) {
                throw new IllegalStateException("column " + name + " appeared since the table's structure was read");
            }
            JdbcValueReader reader = JdbcValueReader.of(engine, info);
            all.add(new Col(name, index, reader != null ? reader : (w, rs, i) -> w.nullValue()));
        });
        List<String> keyLower = keyColumns.stream().map(k -> k.toLowerCase(Locale.ROOT)).toList();
        Col[] key = all.stream().filter(col -> keyLower.contains(col.name)).toArray(Col[]::new);
        int[] keyOrder = keyColumns.stream().mapToInt(k -> byName.get(k.toLowerCase(Locale.ROOT))).toArray();
        return new RowPlan(key, all.toArray(Col[]::new), keyOrder, rules);
    }

    /** The current row as its canonical key and hash ({@code keepCanonical}: with its whole canonical bytes too). */
    TableScan.Row row(CanonicalWriter w, ResultSet rs, String table, boolean keepCanonical) throws SQLException {
        w.reset().table(table).rules(rules);
        for (Col c : key) {
            w.column(c.name);
            c.reader.write(w, rs, c.index);
        }
        byte[] keyBytes = Arrays.copyOf(w.sink().array(), w.sink().size());
        w.beginRow();
        for (Col c : all) {
            w.column(c.name);
            c.reader.write(w, rs, c.index);
        }
        Hash128 hash = RowHashing.hash128(w.sink().array(), 0, w.sink().size());
        return new TableScan.Row(keyBytes, hash, keepCanonical ? Arrays.copyOf(w.sink().array(), w.sink().size()) : null, null);
    }

    /** The current row's key column values, in key order: where the next page starts. */
    Object[] key(ResultSet rs) throws SQLException {
        Object[] out = new Object[keyOrder.length];
        for (int i = 0; i < keyOrder.length; i++) {
            out[i] = rs.getObject(keyOrder[i]);
        }
        return out;
    }
}
