package dev.parity.api.runtime;

import dev.parity.api.config.ParityConfig;
import dev.parity.reconciler.model.Side;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** What Parity created in the watched databases, listed and dropped by {@code parity cleanup}. Parity must be stopped. */
public final class Cleanup {
    private Cleanup() {
    }

    /** What Parity created on each side ("source jdbc:…" → descriptions), for {@code parity cleanup}. */
    public static Map<String, List<String>> list(ParityConfig config) throws SQLException {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (Side side : Side.values()) {
            SideSetup s = new SideSetup(config, side, config.stateDir().resolve("capture"));
            try (var c = s.endpoint.connect()) {
                out.put(s.endpoint.toString(), s.adapter.created(c, s.names, s.heartbeatTable));
            }
        }
        return out;
    }

    /** Drops what {@link #list} lists, target first. */
    public static void drop(ParityConfig config) throws SQLException {
        drop(config, true);
    }

    /** Drops what {@link #list} lists, target first; the heartbeat table only if {@code heartbeatTable}. */
    public static void drop(ParityConfig config, boolean heartbeatTable) throws SQLException {
        for (Side side : List.of(Side.TARGET, Side.SOURCE)) {
            SideSetup s = new SideSetup(config, side, config.stateDir().resolve("capture"));
            try (var c = s.endpoint.connect()) {
                s.adapter.dropCreated(c, s.names, heartbeatTable ? s.heartbeatTable : null);
            }
        }
    }

}
