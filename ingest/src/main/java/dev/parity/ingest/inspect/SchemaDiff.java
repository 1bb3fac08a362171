package dev.parity.ingest.inspect;

import dev.parity.ingest.IngestConfig;
import dev.parity.ingest.engine.SettingDrift;
import dev.parity.ingest.engine.SettingsComparison;
import dev.parity.ingest.schema.SchemaComparison;
import dev.parity.ingest.schema.SchemaDifference;
import dev.parity.ingest.schema.TableSchema;
import dev.parity.ingest.side.PlannedTable;
import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.side.TablePlanner;
import dev.parity.reconciler.model.Side;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A one-shot structural comparison of source and target: every watched table's columns, keys and
 * foreign keys, and the server settings. Reads only; needs no Kafka and no capture prerequisites.
 */
public final class SchemaDiff {
    /**
     * @param differences  table structure
     * @param settings     server settings that differ in meaning
     * @param sourceTables every table found on the source now, qualified (to tell a watched table that disappeared)
     * @param targetTables the same for the target
     * @param named        mapped ids of the tables the filter names now (on the source), each with whether the target has it too
     * @param oneSided     mapped ids of the tables on both sides, each with the columns only one side has (empty: none)
     */
    public record Report(String source, String target, List<SchemaDifference> differences, List<SettingDrift> settings,
                         java.util.Set<String> sourceTables, java.util.Set<String> targetTables, Map<String, Boolean> named,
                         Map<String, java.util.Set<String>> oneSided) {
        public Report {
            differences = List.copyOf(differences);
            settings = List.copyOf(settings);
            sourceTables = java.util.Set.copyOf(sourceTables);
            targetTables = java.util.Set.copyOf(targetTables);
            named = Map.copyOf(named);
            oneSided = Map.copyOf(oneSided);
        }

        public Report(String source, String target, List<SchemaDifference> differences, List<SettingDrift> settings,
                      java.util.Set<String> sourceTables, java.util.Set<String> targetTables, Map<String, Boolean> named) {
            this(source, target, differences, settings, sourceTables, targetTables, named, Map.of());
        }

        /**
         * Tables the filter names now that Parity does not watch: created, or renamed, since it planned its tables
         * (README, "When things fail"). Sorted.
         */
        public List<String> unwatched(java.util.Collection<PlannedTable> watched) {
            java.util.Set<String> ids = watched.stream().map(PlannedTable::mappedId).collect(java.util.stream.Collectors.toSet());
            return named.keySet().stream().filter(id -> !ids.contains(id)).sorted().toList();
        }

        /**
         * What a new plan would change: tables now on both sides that Parity does not watch, and watched tables now on
         * neither (dropped or renamed on both). A table on one side only stays as it is (reported, not re-planned).
         */
        public List<String> planChanges(java.util.Collection<PlannedTable> watched) {
            List<String> out = new ArrayList<>();
            java.util.Set<String> ids = watched.stream().map(PlannedTable::mappedId).collect(java.util.stream.Collectors.toSet());
            named.forEach((id, onTarget) -> {
                if (onTarget && !ids.contains(id)) {
                    out.add(id + " (new)");
                }
            });
            for (PlannedTable t : watched) {
                if (!sourceTables.contains(t.sourceName()) && !targetTables.contains(t.targetName())) {
                    out.add(t.mappedId() + " (gone)");
                }
            }
            java.util.Collections.sort(out);
            return out;
        }

        /** Why a table Parity watches is no longer verifiable, or null while it exists on both sides. */
        public String gone(PlannedTable t) {
            if (!sourceTables.contains(t.sourceName())) {
                return "no longer exists on the source (" + t.sourceName() + ")";
            }
            return targetTables.contains(t.targetName()) ? null : "no longer exists on the target (" + t.targetName() + ")";
        }

        public boolean drift() {
            return !differences.isEmpty() || !settings.isEmpty();
        }
    }

    private SchemaDiff() {
    }

    public static Report run(IngestConfig config) throws SQLException {
        SideDatabase source = new SideDatabase(config, Side.SOURCE);
        SideDatabase target = new SideDatabase(config, Side.TARGET);
        source.inspect();
        target.inspect();
        List<PlannedTable> plan = TablePlanner.plan(config.tables(), source.heartbeatTable(), source.tables(), target.tables());
        List<String> targetNames = target.tables().stream().map(t -> t.qualifiedName()).toList();
        List<PlannedTable> both = plan.stream().filter(t -> targetNames.contains(t.targetName())).toList();
        Map<String, TableSchema> s;
        Map<String, TableSchema> t;
        try (Connection c = source.connect()) {
            s = source.adapter().schema(c, both.stream().map(PlannedTable::sourceName).toList());
        }
        try (Connection c = target.connect()) {
            t = target.adapter().schema(c, both.stream().map(PlannedTable::targetName).toList());
        }
        UnaryOperator<String> toTarget = name -> plan.stream().filter(p -> p.sourceName().equalsIgnoreCase(name))
                .map(PlannedTable::targetName).findFirst().orElse(name);
        boolean sameEngine = source.engine() == target.engine();
        List<SchemaDifference> differences = new ArrayList<>();
        Map<String, java.util.Set<String>> oneSided = new java.util.HashMap<>();
        for (PlannedTable p : plan) {
            if (!targetNames.contains(p.targetName())) {
                differences.add(new SchemaDifference(p.mappedId(), "table", p.sourceName(), null, "missing on the target (" + p.targetName() + ")"));
            } else if (s.containsKey(p.sourceName()) && t.containsKey(p.targetName())) {
                differences.addAll(SchemaComparison.compare(s.get(p.sourceName()), t.get(p.targetName()), toTarget, sameEngine));
                oneSided.put(p.mappedId(), dev.parity.ingest.schema.OneSidedColumns.between(s.get(p.sourceName()), t.get(p.targetName())));
            }
        }
        return new Report(source.endpoint().toString(), target.endpoint().toString(), differences,
                SettingsComparison.compare(source.engine(), source.settings(), target.engine(), target.settings()),
                names(source), names(target), plan.stream().collect(java.util.stream.Collectors.toMap(PlannedTable::mappedId,
                        p -> targetNames.contains(p.targetName()), (a, b) -> a)), oneSided);
    }

    private static java.util.Set<String> names(SideDatabase side) {
        return side.tables().stream().map(dev.parity.ingest.jdbc.TableInfo::qualifiedName).collect(java.util.stream.Collectors.toSet());
    }
}
