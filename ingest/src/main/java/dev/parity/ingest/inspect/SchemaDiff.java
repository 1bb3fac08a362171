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
     */
    public record Report(String source, String target, List<SchemaDifference> differences, List<SettingDrift> settings,
                         java.util.Set<String> sourceTables, java.util.Set<String> targetTables) {
        public Report {
            differences = List.copyOf(differences);
            settings = List.copyOf(settings);
            sourceTables = java.util.Set.copyOf(sourceTables);
            targetTables = java.util.Set.copyOf(targetTables);
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
        for (PlannedTable p : plan) {
            if (!targetNames.contains(p.targetName())) {
                differences.add(new SchemaDifference(p.mappedId(), "table", p.sourceName(), null, "missing on the target (" + p.targetName() + ")"));
            } else if (s.containsKey(p.sourceName()) && t.containsKey(p.targetName())) {
                differences.addAll(SchemaComparison.compare(s.get(p.sourceName()), t.get(p.targetName()), toTarget, sameEngine));
            }
        }
        return new Report(source.endpoint().toString(), target.endpoint().toString(), differences,
                SettingsComparison.compare(source.engine(), source.settings(), target.engine(), target.settings()),
                names(source), names(target));
    }

    private static java.util.Set<String> names(SideDatabase side) {
        return side.tables().stream().map(dev.parity.ingest.jdbc.TableInfo::qualifiedName).collect(java.util.stream.Collectors.toSet());
    }
}
