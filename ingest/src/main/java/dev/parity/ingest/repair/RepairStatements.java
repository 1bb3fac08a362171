package dev.parity.ingest.repair;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.ingest.schema.TypeFamily;
import dev.parity.reconciler.canonical.CanonicalValue;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The statements of one repair script ({@link RepairScript}) in one dialect: what guards each, how the script counts
 * those that changed nothing, and the literals of every canonical value (README, "Repair").
 */
final class RepairStatements {
    private static final DateTimeFormatter SQL_DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private final Engine engine;
    private final RepairScript.Via via;
    private final String table;
    private final Map<String, ColumnInfo> columns;
    private final List<String> lines = new ArrayList<>();
    private final java.util.Set<String> unguarded = new java.util.TreeSet<>();
    private final List<String> targetOnly = new ArrayList<>();
    int inserts;
    int updates;
    int deletes;
    int equal;

    RepairStatements(Engine engine, RepairScript.Via via, String table, Map<String, ColumnInfo> columns) {
        this.engine = engine;
        this.via = via;
        this.table = table;
        this.columns = columns;
    }

    private boolean binlog() {
        return engine.isBinlog();
    }

    void comment(String text) {
        lines.add("-- " + text);
    }

    void delete(Map<String, Object> key, Map<String, CanonicalValue> tv) {
        deletes++;
        String where = where(engine, key, columns);
        if (via == RepairScript.Via.TARGET) {
            counted(key, "DELETE FROM " + table + " WHERE " + where + guard(key, tv));
        } else if (binlog()) {
            lockedRead("", "", where);
            lines.add("DELETE FROM " + table + " WHERE " + where + " AND @parity_found = 0" + guard(key, tv) + ";");
        } else {
            targetOnly.add(key + " (only the target has it)");
            deletes--;
        }
    }

    void insert(Map<String, Object> key, Map<String, CanonicalValue> sv) {
        inserts++;
        String where = where(engine, key, columns);
        String cols = sv.keySet().stream().map(c -> quote(engine, c)).collect(Collectors.joining(", "));
        if (via == RepairScript.Via.TARGET) {
            String vals = sv.entrySet().stream().map(e -> literal(engine, e.getValue(), columns.get(e.getKey()))).collect(Collectors.joining(", "));
            counted(key, binlog()
                    ? "INSERT INTO " + table + " (" + cols + ") SELECT " + vals + " FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM " + table + " WHERE " + where + ")"
                    : "INSERT INTO " + table + " (" + cols + ") VALUES (" + vals + ") ON CONFLICT DO NOTHING");
        } else if (binlog()) {
            String vars = variables(sv.size());
            lockedRead(", " + cols, ", " + vars, where);
            // No NOT EXISTS here: MySQL logs a user variable with the statement only where the statement evaluated it, so
            // the row must be produced on the source too; the key there makes it a no-op update of the key to itself.
            String k = quote(engine, key.keySet().iterator().next());
            lines.add("INSERT INTO " + table + " (" + cols + ") SELECT " + vars + " FROM DUAL WHERE @parity_found = 1 ON DUPLICATE KEY UPDATE "
                    + k + " = " + k + ";");
        } else {
            targetOnly.add(key + " (only the source has it)");
            inserts--;
        }
    }

    void update(Map<String, Object> key, Map<String, CanonicalValue> sv, Map<String, CanonicalValue> tv, List<String> differing) {
        updates++;
        String where = where(engine, key, columns);
        // MySQL/MariaDB update a TIMESTAMP/DATETIME column declared ON UPDATE CURRENT_TIMESTAMP whenever another column of
        // the row changes, unless the statement assigns it: such columns are assigned their own value.
        String held = binlog() ? columns.values().stream().filter(c -> !differing.contains(c.name()) && sv.containsKey(c.name())
                        && (c.family() == TypeFamily.TIMESTAMP || c.family() == TypeFamily.DATETIME))
                .map(c -> ", " + quote(engine, c.name()) + " = " + quote(engine, c.name())).sorted().collect(Collectors.joining()) : "";
        if (via == RepairScript.Via.TARGET) {
            String set = differing.stream().map(c -> quote(engine, c) + " = " + literal(engine, sv.get(c), columns.get(c))).collect(Collectors.joining(", "));
            counted(key, "UPDATE " + table + " SET " + set + held + " WHERE " + where + guard(key, tv));
        } else if (binlog()) {
            String cols = differing.stream().map(c -> quote(engine, c)).collect(Collectors.joining(", "));
            String vars = variables(differing.size());
            String set = java.util.stream.IntStream.range(0, differing.size()).mapToObj(i -> quote(engine, differing.get(i)) + " = " + variable(i))
                    .collect(Collectors.joining(", "));
            lockedRead(", " + cols, ", " + vars, where);
            lines.add("UPDATE " + table + " SET " + set + held + " WHERE " + where + " AND @parity_found = 1;");
        } else {
            lines.add("UPDATE " + table + " SET " + differing.stream().map(c -> quote(engine, c) + " = " + quote(engine, c))
                    .collect(Collectors.joining(", ")) + " WHERE " + where + ";");
        }
    }

    /**
     * The source's row of a key read under a lock: {@code @parity_found} 1 when it is there (0 otherwise), and its
     * columns {@code cols} into the user variables {@code vars} ({@code --via source}: the statement after it writes them back).
     */
    private void lockedRead(String cols, String vars, String where) {
        lines.add("SET @parity_found = 0;");
        lines.add("SELECT 1" + cols + " INTO @parity_found" + vars + " FROM " + table + " WHERE " + where + " FOR UPDATE;");
    }

    /** A target statement followed by what counts it when it changed no row. */
    private void counted(Map<String, Object> key, String statement) {
        String name = quoteString(key.toString());
        if (binlog()) {
            lines.add(statement + ";");
            lines.add("SET @parity_unchanged = @parity_unchanged + (ROW_COUNT() = 0), @parity_unchanged_keys = IF(ROW_COUNT() = 0,"
                    + " CONCAT_WS(' ', @parity_unchanged_keys, " + name + "), @parity_unchanged_keys);");
        } else {
            lines.add("WITH changed AS (" + statement + " RETURNING 1) INSERT INTO parity_repair_unchanged SELECT " + name
                    + " WHERE NOT EXISTS (SELECT FROM changed);");
        }
    }

    /**
     * {@code AND} each non-key column equals the value read, null-safe; a column whose equality SQL does not state
     * exactly (MySQL/MariaDB FLOAT and BIT, spatial and unknown types) is left out and named in the header.
     */
    private String guard(Map<String, Object> key, Map<String, CanonicalValue> values) {
        java.util.Set<String> keyColumns = new java.util.HashSet<>();
        key.keySet().forEach(k -> keyColumns.add(k.toLowerCase(Locale.ROOT)));
        StringBuilder b = new StringBuilder();
        values.forEach((name, value) -> {
            ColumnInfo c = columns.get(name);
            if (keyColumns.contains(name)) {
                return;
            }
            String test = c == null ? null : equals(c, value);
            if (test == null) {
                unguarded.add(name);
            } else {
                b.append(" AND ").append(test);
            }
        });
        return b.toString();
    }

    private String equals(ColumnInfo c, CanonicalValue v) {
        String col = quote(engine, c.name());
        String lit = literal(engine, v, c);
        boolean isNull = v.type() == dev.parity.reconciler.canonical.LogicalType.NULL;
        return switch (c.family()) {
            case GEOMETRY, OTHER -> null;
            case FLOAT32, BITS -> binlog() ? null : col + " IS NOT DISTINCT FROM " + lit;
            case JSON -> {
                if (isNull) {
                    yield col + " IS NULL";
                }
                yield switch (engine) {
                    case MYSQL -> col + " = CAST(" + lit + " AS JSON)";
                    case MARIADB -> "JSON_EQUALS(" + col + ", " + lit + ")";
                    default -> "jsonb".equalsIgnoreCase(c.nativeType()) ? col + " = " + lit : col + "::jsonb = " + lit + "::jsonb";
                };
            }
            case STRING, CHAR, TEXT -> binlog() && c.collation() != null && c.collation().contains("_")
                    ? col + " COLLATE " + c.collation().substring(0, c.collation().indexOf('_')) + "_bin <=> " + lit
                    : binlog() ? col + " <=> " + lit : col + " IS NOT DISTINCT FROM " + lit;
            default -> binlog() ? col + " <=> " + lit : col + " IS NOT DISTINCT FROM " + lit;
        };
    }

    /** The user variable that carries the {@code i}-th value (from 0) of a source row read under a lock. */
    private static String variable(int i) {
        return "@parity_v" + (i + 1);
    }

    private static String variables(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(RepairStatements::variable).collect(Collectors.joining(", "));
    }

    /** What the header says about how the statements are guarded, and what is left for another script. */
    List<String> explanation() {
        List<String> h = new ArrayList<>();
        if (via == RepairScript.Via.TARGET) {
            h.add("Each statement is guarded by the target row it was computed from: an UPDATE or DELETE changes the row only while the target");
            h.add("still holds the values read, an INSERT only while the key is absent. One that changes nothing found the row changed since");
            h.add("(replication or a write): it is left as it is, not put back to an older value. The last query counts those statements and");
            h.add("names their keys; Parity judges them again as their changes arrive (repair them again if they stay DIVERGENT).");
            if (!unguarded.isEmpty()) {
                h.add("Not compared by the guards (SQL equality is not exact for their types): " + String.join(", ", unguarded) + ".");
            }
        } else if (binlog()) {
            h.add("It changes no row on the source: each statement reads the source's current values under a lock and writes them back.");
            h.add("The session logs statements (binlog_format = STATEMENT: a row that does not change is not logged as a row event), so");
            h.add("replication applies each on the target in order, with the source's values. Needs the privilege to set the session's");
            h.add("binlog_format (MySQL SESSION_VARIABLES_ADMIN or SYSTEM_VARIABLES_ADMIN, MariaDB BINLOG ADMIN or SUPER).");
        } else {
            h.add("Each UPDATE sets the row's differing columns to themselves: no value changes on the source, and logical replication");
            h.add("sends the whole current row, which the subscriber applies. Triggers on the source table run for these updates. A large");
            h.add("value stored out of line (TOAST) that does not change is not sent: repair such a column with the target script.");
            if (!targetOnly.isEmpty()) {
                h.add("A row only one side has cannot travel by replication without changing the source; repair these keys with the target");
                h.add("script (parity repair without --via source): " + String.join(" ", targetOnly));
            }
        }
        return h;
    }

    void script(StringBuilder sql) {
        if (binlog()) {
            sql.append("SET SESSION time_zone = '+00:00';\n");
            sql.append("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_AUTO_VALUE_ON_ZERO';\n");
            if (via == RepairScript.Via.SOURCE) {
                sql.append("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n");
                sql.append("SET SESSION binlog_format = 'STATEMENT';\n");
            } else {
                sql.append("SET @parity_unchanged = 0, @parity_unchanged_keys = NULL;\n");
            }
            sql.append("START TRANSACTION;\n");
        } else {
            sql.append("SET TIME ZONE 'UTC';\n");
            sql.append("SET standard_conforming_strings = on;\n");
            sql.append("BEGIN;\n");
            if (via == RepairScript.Via.TARGET) {
                sql.append("CREATE TEMPORARY TABLE parity_repair_unchanged (key text) ON COMMIT DROP;\n");
            }
        }
        lines.forEach(l -> sql.append(l).append('\n'));
        if (via == RepairScript.Via.TARGET) {
            sql.append(binlog()
                    ? "SELECT @parity_unchanged AS statements_that_changed_nothing, @parity_unchanged_keys AS their_keys;\n"
                    : "SELECT count(*) AS statements_that_changed_nothing, string_agg(key, ' ') AS their_keys FROM parity_repair_unchanged;\n");
        }
        sql.append("COMMIT;\n");
        if (via == RepairScript.Via.SOURCE && binlog()) {
            sql.append("SET SESSION binlog_format = 'ROW';\n");
        }
    }

    static String where(Engine engine, Map<String, Object> key, Map<String, ColumnInfo> columns) {
        return key.entrySet().stream().map(e -> quote(engine, e.getKey()) + " = " + keyLiteral(engine, e.getValue(), columns.get(e.getKey())))
                .collect(Collectors.joining(" AND "));
    }

    private static String keyLiteral(Engine engine, Object display, ColumnInfo column) {
        if (display instanceof Number n) {
            return n.toString();
        }
        String lit = quoteString(String.valueOf(display));
        return engine.isBinlog() || column == null ? lit : "CAST(" + lit + " AS " + column.nativeType() + ")";
    }

    /**
     * One value as a literal of the target's dialect. On PostgreSQL every value is a quoted literal,
     * which the column's own type parses (so an integer 1 read from a MySQL TINYINT(1) becomes a
     * boolean, a digit string a numeric); MySQL/MariaDB take numbers bare and the rest quoted.
     */
    static String literal(Engine engine, CanonicalValue v, ColumnInfo column) {
        Object x = v.value();
        boolean pg = !engine.isBinlog();
        return switch (v.type()) {
            case NULL -> "NULL";
            case BOOLEAN -> pg ? ((Boolean) x ? "'true'" : "'false'") : ((Boolean) x ? "1" : "0");
            case INTEGER, BIG_INTEGER -> pg ? quoteString(x.toString()) : x.toString();
            case DECIMAL -> pg ? quoteString(((BigDecimal) x).toPlainString()) : ((BigDecimal) x).toPlainString();
            case FLOAT -> {
                double d = (Double) x;
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    yield pg ? quoteString(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity") : "NULL";
                }
                yield pg ? quoteString(Double.toString(d)) : Double.toString(d);
            }
            case STRING, JSON -> quoteString((String) x);
            case BYTES -> pg ? "'\\x" + HexFormat.of().formatHex((byte[]) x) + "'" : "X'" + HexFormat.of().formatHex((byte[]) x) + "'";
            case DATE -> quoteString(LocalDate.ofEpochDay((Long) x).toString());
            case TIME -> quoteString(LocalTime.ofNanoOfDay((Long) x * 1000L).toString());
            case LOCAL_DATE_TIME -> quoteString(LocalDateTime.ofInstant(CanonicalValue.instant((Long) x), ZoneOffset.UTC).format(SQL_DATE_TIME));
            case TIMESTAMP -> pg
                    ? quoteString(CanonicalValue.instant((Long) x).toString())
                    : quoteString(LocalDateTime.ofInstant(CanonicalValue.instant((Long) x), ZoneOffset.UTC).format(SQL_DATE_TIME)); // session is UTC
        };
    }

    static String quoteString(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static String quote(Engine engine, String identifier) {
        return engine.isBinlog() ? "`" + identifier.replace("`", "``") + "`" : "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static String quoteQualified(Engine engine, String qualified) {
        int dot = qualified.indexOf('.');
        return quote(engine, qualified.substring(0, dot)) + "." + quote(engine, qualified.substring(dot + 1));
    }
}
