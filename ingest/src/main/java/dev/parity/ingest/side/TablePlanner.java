package dev.parity.ingest.side;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.jdbc.TableFilter;
import dev.parity.ingest.jdbc.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Decides which tables are captured, each by the columns that identify its rows on both sides (its
 * primary key, or a unique index over NOT NULL columns: {@link TableInfo#choose}), or, where neither side
 * has either, by the rows' whole content, counted as copies (an empty key: README, "Tables without a
 * key"). Tables a side cannot capture, keyed on one side only, or missing on the target are listed with
 * the reason, never skipped silently: status reports them as unverified.
 */
public final class TablePlanner {
    private TablePlanner() {
    }

    public static List<PlannedTable> plan(IngestConfig.Tables tables, String heartbeatTable, List<TableInfo> source, List<TableInfo> target) {
        TableFilter filter = new TableFilter(tables.include(), tables.exclude());
        Map<String, TableInfo> targets = target.stream().collect(Collectors.toMap(TableInfo::qualifiedName, Function.identity()));
        List<PlannedTable> out = new ArrayList<>();
        for (TableInfo s : source) {
            if (s.qualifiedName().equals(heartbeatTable) || !filter.matches(s.qualifiedName())) {
                continue;
            }
            String targetName = targetName(tables.map(), s, targets);
            TableInfo t = targets.get(targetName);
            String problem = null;
            if (s.captureProblem() != null) {
                problem = "on the source, " + s.captureProblem();
            } else if (t == null) {
                problem = "missing on the target (" + targetName + ")";
            } else if (t.captureProblem() != null) {
                problem = "on the target, " + t.captureProblem();
            } else if (s.keyed() != t.keyed()) {
                TableInfo keyed = s.keyed() ? s : t;
                problem = "no primary key or unique index over NOT NULL columns on the " + (s.keyed() ? "target" : "source") + ", but "
                        + keyed.keyDescription() + " on the " + (s.keyed() ? "source" : "target")
                        + ": rows cannot be paired by key, nor by content under a key on one side only (give both sides the same key)";
            } else if (!lower(t.key()).equals(lower(s.key()))) {
                problem = "primary keys differ: source " + s.keyDescription() + ", target " + t.keyDescription();
            }
            out.add(new PlannedTable(s.qualifiedName(), s.qualifiedName(), targetName, s.key(), problem));
        }
        return out;
    }

    /**
     * The {@code tables.columns} rules that name no watched table or no column of it on the source (a
     * typo would otherwise loosen nothing, silently), one sentence each.
     *
     * @param sourceColumns each watched table's lower-case column names on the source, by mapped id
     */
    public static List<String> unusedColumnRules(IngestConfig.Tables tables, Map<String, java.util.Set<String>> sourceColumns) {
        List<String> out = new ArrayList<>();
        tables.columns().forEach((table, rules) -> rules.keySet().forEach(column -> {
            java.util.Set<String> known = sourceColumns.get(table);
            if (known == null) {
                out.add("tables.columns." + table + "." + column + ": no watched table " + table + ": the rule applies to nothing");
            } else if (!known.contains(column)) {
                out.add("tables.columns." + table + "." + column + ": " + table + " has no column " + column + " on the source: the rule applies to nothing");
            }
        }));
        return out;
    }

    private static List<String> lower(List<String> columns) {
        return columns.stream().map(c -> c.toLowerCase(java.util.Locale.ROOT)).sorted().toList();
    }

    /**
     * The target table for a source table: an exact entry of {@code tables.map}, else a namespace
     * entry ({@code "shop.*": "public.*"}: MySQL database to PostgreSQL schema), else the same name;
     * where that misses only by letter case (PostgreSQL folds unquoted names), the one target table
     * that matches ignoring case.
     */
    static String targetName(Map<String, String> map, TableInfo source, Map<String, TableInfo> targets) {
        String exact = map.get(source.qualifiedName());
        if (exact != null) {
            return exact;
        }
        String mappedNamespace = map.get(source.schema() + ".*");
        String name = mappedNamespace != null && mappedNamespace.endsWith(".*")
                ? mappedNamespace.substring(0, mappedNamespace.length() - 2) + "." + source.name()
                : source.qualifiedName();
        if (targets.containsKey(name)) {
            return name;
        }
        List<String> byCase = targets.keySet().stream().filter(n -> n.equalsIgnoreCase(name)).toList();
        return byCase.size() == 1 ? byCase.get(0) : name;
    }
}
