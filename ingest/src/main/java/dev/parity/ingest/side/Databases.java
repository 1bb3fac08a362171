package dev.parity.ingest.side;

import dev.parity.ingest.engine.Engine;
import dev.parity.ingest.engine.SettingDrift;
import dev.parity.ingest.engine.SettingsComparison;
import dev.parity.reconciler.model.Side;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Both sides' databases: the port a workflow takes to read them. */
public record Databases(SideDatabase source, SideDatabase target) {
    /** Both sides, sharing one registry of one-sided columns (the source's). */
    public Databases {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        target.comparing(source.oneSided());
    }

    /** The columns only one side has, by table: left out of every row hash on both sides. */
    public dev.parity.ingest.schema.OneSidedColumns oneSided() {
        return source.oneSided();
    }

    /**
     * Reads both sides' structure of {@code tables} and notes the columns only one side has (README, "Schema drift while
     * monitoring"); returns the mapped ids whose one-sided columns changed, whose rows must be compared again.
     */
    public List<String> compareColumns(List<PlannedTable> tables) throws java.sql.SQLException {
        Map<String, dev.parity.ingest.schema.TableSchema> s = source.schemas(tables);
        Map<String, dev.parity.ingest.schema.TableSchema> t = target.schemas(tables);
        List<String> changed = new java.util.ArrayList<>();
        for (PlannedTable p : tables) {
            if (s.containsKey(p.sourceName()) && t.containsKey(p.targetName())
                    && oneSided().set(p.mappedId(), dev.parity.ingest.schema.OneSidedColumns.between(s.get(p.sourceName()), t.get(p.targetName())))) {
                changed.add(p.mappedId());
            }
        }
        return changed;
    }

    public SideDatabase of(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    /** Each side's server settings, as read at start. */
    public Map<Side, Map<String, String>> settings() {
        return Map.of(Side.SOURCE, source.settings(), Side.TARGET, target.settings());
    }

    /** The settings that differ between the sides in meaning, as read at start. */
    public List<SettingDrift> settingDrift() {
        return SettingsComparison.compare(source.engine(), source.settings(), target.engine(), target.settings());
    }

    /** Each side's engine. */
    public Map<Side, Engine> engines() {
        return Map.of(Side.SOURCE, source.engine(), Side.TARGET, target.engine());
    }
}
