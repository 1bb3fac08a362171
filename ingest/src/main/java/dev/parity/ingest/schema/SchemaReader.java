package dev.parity.ingest.schema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads table structure through {@code information_schema}, which PostgreSQL, MySQL and MariaDB all
 * offer; the engine-specific parts (type names, unsigned, index catalogue) are the subclasses'.
 */
public abstract class SchemaReader {
    /** Columns: table, name, data_type, char length, numeric precision, numeric scale, datetime precision, nullable, default, full type, collation. */
    protected abstract String columnsSql(int tables);

    /** Unique keys and the primary key: table, index name, is_primary, column, in column order. */
    protected abstract String keysSql(int tables);

    /** Foreign keys: table, constraint, column, referenced table, referenced column, in column order. */
    protected abstract String foreignKeysSql(int tables);

    protected abstract TypeFamily family(String dataType, String fullType);

    /** The type as the diff prints it, e.g. {@code varchar(200)}. */
    protected abstract String nativeType(String dataType, String fullType, Long length, Integer precision, Integer scale, Integer fsp);

    public Map<String, TableSchema> read(Connection c, List<String> tables) throws SQLException {
        Map<String, List<ColumnInfo>> columns = new TreeMap<>();
        Map<String, List<String>> pk = new TreeMap<>();
        Map<String, Map<String, List<String>>> uniques = new TreeMap<>();
        Map<String, Map<String, StringBuilder[]>> fks = new TreeMap<>();
        if (tables.isEmpty()) {
            return Map.of();
        }
        try (ResultSet rs = query(c, columnsSql(tables.size()), tables)) {
            while (rs.next()) {
                String dataType = rs.getString(3).toLowerCase(Locale.ROOT);
                String full = rs.getString(10) == null ? dataType : rs.getString(10).toLowerCase(Locale.ROOT);
                Long length = nullableLong(rs, 4);
                Integer precision = nullableInt(rs, 5);
                Integer scale = nullableInt(rs, 6);
                Integer fsp = nullableInt(rs, 7);
                TypeFamily family = family(dataType, full);
                Integer p = family == TypeFamily.TIME || family == TypeFamily.DATETIME || family == TypeFamily.TIMESTAMP ? fsp : precision;
                columns.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(new ColumnInfo(rs.getString(2).toLowerCase(Locale.ROOT),
                        nativeType(dataType, full, length, precision, scale, fsp), family, length, p, scale,
                        "YES".equalsIgnoreCase(rs.getString(8)), rs.getString(9), rs.getString(11)));
            }
        }
        try (ResultSet rs = query(c, keysSql(tables.size()), tables)) {
            while (rs.next()) {
                String column = rs.getString(4).toLowerCase(Locale.ROOT);
                if (rs.getBoolean(3)) {
                    pk.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(column);
                } else {
                    uniques.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>()).computeIfAbsent(rs.getString(2), i -> new ArrayList<>()).add(column);
                }
            }
        }
        try (ResultSet rs = query(c, foreignKeysSql(tables.size()), tables)) {
            while (rs.next()) {
                String referenced = rs.getString(4);
                StringBuilder[] fk = fks.computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
                        .computeIfAbsent(rs.getString(2), n -> new StringBuilder[] {new StringBuilder(), new StringBuilder(referenced)});
                fk[0].append(fk[0].length() == 0 ? "" : ",").append(rs.getString(3).toLowerCase(Locale.ROOT));
                fk[1].append(fk[1].indexOf("(") < 0 ? "(" : ",").append(rs.getString(5).toLowerCase(Locale.ROOT));
            }
        }
        Map<String, TableSchema> out = new TreeMap<>();
        columns.forEach((table, cols) -> out.put(table, new TableSchema(table, cols, pk.getOrDefault(table, List.of()),
                new ArrayList<>(uniques.getOrDefault(table, Map.of()).values()),
                fks.getOrDefault(table, Map.of()).values().stream().map(f -> f[0] + " → " + f[1] + ")").sorted().toList())));
        return out;
    }

    private static ResultSet query(Connection c, String sql, List<String> tables) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < tables.size(); i++) {
            ps.setString(i + 1, tables.get(i));
        }
        ps.closeOnCompletion();
        return ps.executeQuery();
    }

    protected static String in(int n) {
        return String.join(",", java.util.Collections.nCopies(n, "?"));
    }

    private static Long nullableLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static Integer nullableInt(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }
}
