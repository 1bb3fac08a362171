package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.ingest.engine.SettingDrift;
import dev.parity.ingest.engine.SettingsComparison;
import dev.parity.ingest.schema.SchemaComparison;
import dev.parity.ingest.schema.SchemaDifference;
import dev.parity.ingest.schema.TableSchema;
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
    /** @param differences table structure; @param settings server settings that differ in meaning */
    public record Report(String source, String target, List<SchemaDifference> differences, List<SettingDrift> settings) {
        public boolean drift() {
            return !differences.isEmpty() || !settings.isEmpty();
        }
    }

    private SchemaDiff() {
    }

    public static Report run(ParityConfig config) throws SQLException {
        SideSetup source = new SideSetup(config, Side.SOURCE, config.stateDir().resolve("capture"));
        SideSetup target = new SideSetup(config, Side.TARGET, config.stateDir().resolve("capture"));
        source.inspect();
        target.inspect();
        List<PlannedTable> plan = TablePlanner.plan(config.tables(), source.heartbeatTable, source.tables(), target.tables());
        List<String> targetNames = target.tables().stream().map(t -> t.qualifiedName()).toList();
        List<PlannedTable> both = plan.stream().filter(t -> targetNames.contains(t.targetName())).toList();
        Map<String, TableSchema> s;
        Map<String, TableSchema> t;
        try (Connection c = source.endpoint.connect()) {
            s = source.adapter.schema(c, both.stream().map(PlannedTable::sourceName).toList());
        }
        try (Connection c = target.endpoint.connect()) {
            t = target.adapter.schema(c, both.stream().map(PlannedTable::targetName).toList());
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
        return new Report(source.endpoint.toString(), target.endpoint.toString(), differences,
                SettingsComparison.compare(source.engine(), source.settings(), target.engine(), target.settings()));
    }
}
