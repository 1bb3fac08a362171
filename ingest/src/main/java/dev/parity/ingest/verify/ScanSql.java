package dev.parity.ingest.verify;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The statements a {@link TableScan} reads one table with, on one engine: keyset pages ({@code WHERE (pk) > (last)
 * ORDER BY pk LIMIT n}), key ranges, key look-ups, and the side's heartbeat row. Identifiers are quoted for the engine;
 * every value is a bind parameter.
 */
final class ScanSql {
    private final Engine engine;
    private final List<String> keyColumns;
    private final Map<String, ColumnInfo> columns;
    /** {@code SELECT * FROM <table>}: a table without key is read whole with it. */
    final String from;
    final String selectFirst;
    final String selectNext;
    /** Null without a heartbeat table. */
    final String heartbeat;
    private final String qualifiedTable;
    private final String order;
    private final String keyTuple;

    /** @param columns the table's columns by lower-case name (a key parameter's cast on PostgreSQL names its type) */
    ScanSql(Engine engine, String table, List<String> keyColumns, Map<String, ColumnInfo> columns, String heartbeatTable, int pageRows) {
        this.engine = engine;
        this.keyColumns = List.copyOf(keyColumns);
        this.columns = columns;
        this.order = keyColumns.stream().map(this::quote).collect(Collectors.joining(", "));
        this.qualifiedTable = quoteQualified(table);
        this.from = "SELECT *" + exactFloats() + " FROM " + qualifiedTable;
        this.selectFirst = from + " ORDER BY " + order + " LIMIT " + pageRows;
        this.keyTuple = keyColumns.size() == 1 ? order : "(" + order + ")";
        this.selectNext = from + " WHERE " + keyTuple + " > " + paramTuple() + " ORDER BY " + order + " LIMIT " + pageRows;
        this.heartbeat = heartbeatTable == null ? null : "SELECT seq FROM " + quoteQualified(heartbeatTable) + " WHERE id = 1";
    }

    /**
     * MySQL and MariaDB send a FLOAT as text with six significant digits, which is not the value stored (45/7 is
     * stored as 6.4285712… and sent as 6.42857): each FLOAT column is read a second time as a DOUBLE, which is
     * exact, under {@link RowPlan#EXACT_PREFIX} and its name; the row plan reads that one.
     */
    private String exactFloats() {
        if (!engine.isBinlog()) {
            return "";
        }
        return columns.values().stream().filter(c -> c.family() == dev.parity.ingest.schema.TypeFamily.FLOAT32).map(ColumnInfo::name).sorted()
                .map(n -> ", (" + quote(n) + " + 0E0) AS " + quote(RowPlan.EXACT_PREFIX + n)).collect(Collectors.joining());
    }

    /** Rows with a key after one key (if {@code after}) and up to another (if {@code upTo}), in key order. */
    String range(boolean after, boolean upTo) {
        List<String> where = new ArrayList<>();
        if (after) {
            where.add(keyTuple + " > " + paramTuple());
        }
        if (upTo) {
            where.add(keyTuple + " <= " + paramTuple());
        }
        return from + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + " ORDER BY " + order;
    }

    /**
     * The rows of {@code keys} keys ({@code WHERE (pk) IN ((…), …)}); {@code cast}: each parameter is text cast to its
     * column's type (PostgreSQL, which does not compare text with other types implicitly).
     */
    String in(int keys, boolean cast) {
        if (!engine.isBinlog() && keyColumns.size() > 1) {
            // PostgreSQL plans (a, b) IN ((…), …) as one OR per key, checked against every row of a
            // sequential scan: quadratic over a load. Each key looked up by the index instead, through a
            // LATERAL subquery kept from being flattened (OFFSET 0) into a hash join over the whole table.
            String one = "(" + keyColumns.stream().map(this::param).collect(Collectors.joining(", ")) + ")";
            List<String> names = new ArrayList<>();
            List<String> on = new ArrayList<>();
            for (int i = 0; i < keyColumns.size(); i++) {
                names.add("k" + i);
                on.add("x." + quote(keyColumns.get(i)) + " = k.k" + i);
            }
            return "SELECT t.* FROM (VALUES " + String.join(", ", Collections.nCopies(keys, one)) + ") AS k("
                    + String.join(", ", names) + ") CROSS JOIN LATERAL (SELECT * FROM " + qualifiedTable + " x WHERE " + String.join(" AND ", on)
                    + " OFFSET 0) t";
        }
        String one = keyColumns.size() == 1 ? (cast ? param(keyColumns.get(0)) : "?")
                : "(" + keyColumns.stream().map(k -> cast ? param(k) : "?").collect(Collectors.joining(", ")) + ")";
        return from + " WHERE " + keyTuple + " IN (" + String.join(", ", Collections.nCopies(keys, one)) + ")";
    }

    private String paramTuple() {
        return keyColumns.size() == 1 ? "?" : "(" + String.join(", ", Collections.nCopies(keyColumns.size(), "?")) + ")";
    }

    /** A key parameter on PostgreSQL: text cast to the column's type, so one form binds every key type. */
    private String param(String keyColumn) {
        ColumnInfo info = columns.get(keyColumn.toLowerCase(Locale.ROOT));
        return "CAST(? AS " + (info == null ? "text" : info.nativeType()) + ")";
    }

    private String quote(String identifier) {
        return engine.isBinlog() ? "`" + identifier.replace("`", "``") + "`" : "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private String quoteQualified(String qualified) {
        int dot = qualified.indexOf('.');
        return quote(qualified.substring(0, dot)) + "." + quote(qualified.substring(dot + 1));
    }
}
