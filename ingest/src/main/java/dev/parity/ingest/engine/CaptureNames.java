package dev.parity.ingest.engine;

import java.nio.file.Path;

/**
 * What one side's capture is called and where it keeps its files.
 *
 * @param slot        PostgreSQL replication slot
 * @param publication PostgreSQL publication
 * @param serverId    MySQL/MariaDB replica server id the capture presents; unique in the replication topology
 * @param stateDir    directory for offsets and schema history
 */
public record CaptureNames(String engineName, String slot, String publication, long serverId, Path stateDir) {
    /** Where one side's capture keeps its committed offsets. */
    public Path offsets(dev.parity.reconciler.model.Side side) {
        return stateDir.resolve(side.label() + ".offsets");
    }
}
