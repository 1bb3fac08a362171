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
    public Databases {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
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
