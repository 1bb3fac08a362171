package dev.parity.ingest.repair;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.schema.ColumnInfo;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.ingest.side.Databases;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.verify.TableScan;
import dev.parity.reconciler.canonical.CanonicalReader;
import dev.parity.reconciler.canonical.CanonicalValue;
import dev.parity.reconciler.model.Side;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * SQL, in the target's dialect, that makes the given rows of the target equal to the source (README,
 * "Repair"): both sides read by key now, in one snapshot each (the source's at a heartbeat, named in
 * the header); a row only the source has is INSERTed, one only the target has is DELETEd, one that
 * differs gets an UPDATE of exactly its differing columns. One transaction, with the session settings
 * the literals rely on set first (UTC, and on MySQL/MariaDB strict mode and no backslash escapes, so
 * a value that still does not fit fails loudly instead of being cut again). Parity never runs it.
 */
public final class RepairScript {
    private static final DateTimeFormatter SQL_DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private RepairScript() {
    }

    /** What was written: the script and how many statements of each kind. */
    public record Result(String sql, int inserts, int updates, int deletes, int alreadyEqual) {
    }

    /**
     * @param header extra comment lines for the header (for instance the table's schema differences)
     */
    public static Result build(Databases dbs, PlannedTable t, List<Map<String, Object>> keys, List<String> header, Instant now) throws SQLException {
        Map<Side, TableScan.Page> pages = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            pages.put(side, dbs.of(side).readKeys(t, keys));
        }
        TableSchema targetSchema = dbs.target().schemas(List.of(t)).get(t.targetName());
        Engine engine = dbs.target().engine();
        Map<String, ColumnInfo> targetColumns = new HashMap<>();
        targetSchema.columns().forEach(c -> targetColumns.put(c.name(), c));
        Map<ByteBuffer, TableScan.Row> source = pages.get(Side.SOURCE).byKey();
        Map<ByteBuffer, TableScan.Row> target = pages.get(Side.TARGET).byKey();
        List<ByteBuffer> all = new ArrayList<>(source.keySet());
        target.keySet().stream().filter(k -> !source.containsKey(k)).forEach(all::add);
        String table = quoteQualified(engine, t.targetName());
        List<String> statements = new ArrayList<>();
        int inserts = 0;
        int updates = 0;
        int deletes = 0;
        int equal = 0;
        for (ByteBuffer k : all) {
            TableScan.Row s = source.get(k);
            TableScan.Row r = target.get(k);
            Map<String, Object> key = CanonicalReader.keyColumns(k.array());
            String where = where(engine, key, targetColumns);
            if (s == null) {
                statements.add("DELETE FROM " + table + " WHERE " + where + ";");
                deletes++;
                continue;
            }
            Map<String, CanonicalValue> sv = CanonicalReader.rowValues(s.canonical());
            if (r == null) {
                String cols = sv.keySet().stream().map(c -> quote(engine, c)).collect(Collectors.joining(", "));
                String vals = sv.entrySet().stream().map(e -> literal(engine, e.getValue(), targetColumns.get(e.getKey())))
                        .collect(Collectors.joining(", "));
                statements.add("INSERT INTO " + table + " (" + cols + ") VALUES (" + vals + ");");
                inserts++;
                continue;
            }
            Map<String, CanonicalValue> tv = CanonicalReader.rowValues(r.canonical());
            Map<String, String> set = new LinkedHashMap<>();
            sv.forEach((c, v) -> {
                if (!Objects.equals(v, tv.get(c))) {
                    set.put(c, literal(engine, v, targetColumns.get(c)));
                }
            });
            if (set.isEmpty()) {
                statements.add("-- " + key + " is already equal");
                equal++;
                continue;
            }
            statements.add("UPDATE " + table + " SET " + set.entrySet().stream().map(e -> quote(engine, e.getKey()) + " = " + e.getValue())
                    .collect(Collectors.joining(", ")) + " WHERE " + where + ";");
            updates++;
        }
        for (Map<String, Object> key : keys) {
            // asked for but on neither side: nothing to do, said so
            boolean found = all.stream().anyMatch(b -> CanonicalReader.keyColumns(b.array()).equals(normalise(key)));
            if (!found) {
                statements.add("-- " + key + " is on neither side");
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("-- Parity repair for ").append(t.mappedId()).append(" on the target (").append(t.targetName()).append(", ")
                .append(engine.name().toLowerCase(Locale.ROOT)).append(")\n");
        out.append("-- written ").append(now).append("; source rows read at heartbeat ").append(pages.get(Side.SOURCE).heartbeatSeq())
                .append(", target rows at heartbeat ").append(pages.get(Side.TARGET).heartbeatSeq()).append('\n');
        out.append("-- ").append(inserts).append(" insert(s), ").append(updates).append(" update(s), ").append(deletes).append(" delete(s); keys: ")
                .append(all.stream().limit(50).map(b -> CanonicalReader.keyColumns(b.array()).toString()).collect(Collectors.joining(" ")))
                .append(all.size() > 50 ? " … (" + all.size() + " in all)" : "").append('\n');
        out.append("-- Review it, then run it on the TARGET only. Parity does not run it.\n");
        header.forEach(h -> out.append("-- ").append(h).append('\n'));
        if (engine.isBinlog()) {
            out.append("SET SESSION time_zone = '+00:00';\n");
            out.append("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_AUTO_VALUE_ON_ZERO';\n");
            out.append("START TRANSACTION;\n");
        } else {
            out.append("SET TIME ZONE 'UTC';\n");
            out.append("SET standard_conforming_strings = on;\n");
            out.append("BEGIN;\n");
        }
        statements.forEach(st -> out.append(st).append('\n'));
        out.append("COMMIT;\n");
        return new Result(out.toString(), inserts, updates, deletes, equal);
    }

    private static Map<String, Object> normalise(Map<String, Object> key) {
        Map<String, Object> out = new LinkedHashMap<>();
        key.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v instanceof Integer i ? Long.valueOf(i) : v));
        return out;
    }

    private static String where(Engine engine, Map<String, Object> key, Map<String, ColumnInfo> columns) {
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

    private static String quoteString(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static String quote(Engine engine, String identifier) {
        return engine.isBinlog() ? "`" + identifier.replace("`", "``") + "`" : "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String quoteQualified(Engine engine, String qualified) {
        int dot = qualified.indexOf('.');
        return quote(engine, qualified.substring(0, dot)) + "." + quote(engine, qualified.substring(dot + 1));
    }

}
