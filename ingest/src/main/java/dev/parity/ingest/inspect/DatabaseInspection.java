package dev.parity.ingest.inspect;

import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.jdbc.TableInfo;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.reconciler.model.Side;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Read-only checks straight against the databases, for the readiness gate. */
public final class DatabaseInspection {
    /** Migration-history tables of Flyway, Rails/golang-migrate and Liquibase. */
    static final Set<String> MIGRATION_TABLES = Set.of("flyway_schema_history", "schema_migrations", "databasechangelog");

    /** Rows of a foreign key on the target whose parent row does not exist. */
    public record Orphans(String table, String foreignKey, long count, List<String> samples) {
    }

    private DatabaseInspection() {
    }

    /** Per side: each migration-history table found → its rows, in a stable order, as text. */
    public static Map<Side, Map<String, List<String>>> migrationHistory(IngestConfig config) throws SQLException {
        Map<Side, Map<String, List<String>>> out = new LinkedHashMap<>();
        for (Side side : Side.values()) {
            SideDatabase s = new SideDatabase(config, side);
            s.inspect();
            Map<String, List<String>> tables = new TreeMap<>();
            try (Connection c = s.endpoint().connect()) {
                for (TableInfo t : s.tables()) {
                    if (MIGRATION_TABLES.contains(t.name().toLowerCase(Locale.ROOT))) {
                        tables.put(t.name().toLowerCase(Locale.ROOT), rows(c, t.qualifiedName()));
                    }
                }
            }
            out.put(side, tables);
        }
        return out;
    }

    private static List<String> rows(Connection c, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, String> row = new TreeMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String col = md.getColumnLabel(i).toLowerCase(Locale.ROOT);
                    // When and how long a migration ran differ legitimately between servers; what ran must not.
                    if (!col.contains("installed_on") && !col.contains("execution_time") && !col.contains("dateexecuted")
                            && !col.contains("orderexecuted") && !col.contains("deployment_id") && !col.contains("installed_rank")) {
                        row.put(col, rs.getString(i));
                    }
                }
                out.add(row.toString());
            }
        }
        out.sort(String::compareTo);
        return out;
    }

    /** Every foreign key of the target's watched tables checked with one anti-join each. */
    public static List<Orphans> foreignKeyOrphans(IngestConfig config, List<String> targetTables) throws SQLException {
        SideDatabase target = new SideDatabase(config, Side.TARGET);
        List<Orphans> out = new ArrayList<>();
        try (Connection c = target.endpoint().connect()) {
            for (TableSchema t : target.adapter().schema(c, targetTables).values()) {
                for (String fk : t.foreignKeys()) {
                    String[] cols = fk.substring(0, fk.indexOf(" → ")).split(",");
                    String ref = fk.substring(fk.indexOf(" → ") + 3, fk.indexOf('('));
                    String[] refCols = fk.substring(fk.indexOf('(') + 1, fk.length() - 1).split(",");
                    StringBuilder notNull = new StringBuilder();
                    StringBuilder join = new StringBuilder();
                    for (int i = 0; i < cols.length; i++) {
                        notNull.append(i == 0 ? "" : " AND ").append("c.").append(cols[i]).append(" IS NOT NULL");
                        join.append(i == 0 ? "" : " AND ").append("p.").append(refCols[i]).append(" = c.").append(cols[i]);
                    }
                    String where = " FROM " + t.table() + " c WHERE " + notNull + " AND NOT EXISTS (SELECT 1 FROM " + ref + " p WHERE " + join + ")";
                    long count;
                    List<String> samples = new ArrayList<>();
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*)" + where)) {
                        rs.next();
                        count = rs.getLong(1);
                    }
                    if (count > 0) {
                        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                                "SELECT " + String.join(", ", (t.primaryKey().isEmpty() ? List.of(cols) : t.primaryKey()).stream().map(k -> "c." + k).toList())
                                        + where + " LIMIT 5")) {
                            while (rs.next()) {
                                samples.add(rs.getString(1));
                            }
                        }
                        out.add(new Orphans(t.table(), fk, count, samples));
                    }
                }
            }
        }
        return out;
    }
}
