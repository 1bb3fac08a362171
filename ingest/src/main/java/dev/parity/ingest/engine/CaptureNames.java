package dev.parity.ingest.engine;

import dev.parity.reconciler.model.Side;
import java.nio.file.Path;

/**
 * What one side's capture is called and where it keeps its files: the one place that names what Parity
 * creates in a watched database (README, "What Parity creates in your databases"), so {@code parity cleanup} finds it all.
 *
 * @param slot        PostgreSQL replication slot
 * @param publication PostgreSQL publication
 * @param serverId    MySQL/MariaDB replica server id the capture presents; unique in the replication topology
 * @param stateDir    directory for offsets and schema history
 */
public record CaptureNames(String engineName, String slot, String publication, long serverId, Path stateDir) {
    /**
     * The names of instance {@code name}'s capture of one side.
     *
     * @param serverId the configured replica server id; null for one derived from the name
     */
    public static CaptureNames of(String name, Side side, Long serverId, Path stateDir) {
        return new CaptureNames("parity-" + name + "-" + side.label(), slot(name, side), publication(name),
                serverId != null ? serverId : defaultServerId(name, side), stateDir);
    }

    /** The PostgreSQL replication slot of instance {@code name} on one side. */
    public static String slot(String name, Side side) {
        return "parity_" + name + "_" + side.label();
    }

    /** The PostgreSQL publication of instance {@code name} (same name on both sides). */
    public static String publication(String name) {
        return "parity_" + name;
    }

    /** A replica server id for the capture, stable per instance and side, unlikely to clash with real servers. */
    public static long defaultServerId(String name, Side side) {
        return 5_400_000L + Math.floorMod(name.hashCode(), 100_000) * 2L + side.ordinal();
    }

    /** Where one side's capture keeps its committed offsets. */
    public Path offsets(Side side) {
        return stateDir.resolve(side.label() + ".offsets");
    }
}
