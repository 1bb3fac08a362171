package dev.parity.ingest.inspect;

import dev.parity.ingest.side.SideDatabase;
import dev.parity.ingest.IngestConfig;
import dev.parity.reconciler.model.Side;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** What Parity created in the watched databases, listed and dropped by {@code parity cleanup}. Parity must be stopped. */
public final class Cleanup {
    private Cleanup() {
    }

    /** What Parity created on each side ("source jdbc:…" → descriptions), for {@code parity cleanup}. */
    public static Map<String, List<String>> list(IngestConfig config) throws SQLException {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (Side side : Side.values()) {
            SideDatabase s = new SideDatabase(config, side);
            try (var c = s.endpoint().connect()) {
                out.put(s.endpoint().toString(), s.adapter().created(c, s.names(), s.heartbeatTable()));
            }
        }
        return out;
    }

    /** Drops what {@link #list} lists, target first. */
    public static void drop(IngestConfig config) throws SQLException {
        drop(config, true);
    }

    /** Drops what {@link #list} lists, target first; the heartbeat table only if {@code heartbeatTable}. */
    public static void drop(IngestConfig config, boolean heartbeatTable) throws SQLException {
        for (Side side : List.of(Side.TARGET, Side.SOURCE)) {
            SideDatabase s = new SideDatabase(config, side);
            try (var c = s.endpoint().connect()) {
                s.adapter().dropCreated(c, s.names(), heartbeatTable ? s.heartbeatTable() : null);
            }
        }
    }

}
