package dev.parity.ingest.side;

import java.util.List;

/**
 * A table Parity was asked to watch, as resolved on both sides.
 *
 * @param key     the columns identifying a row on both sides; empty for a table without key, whose rows are
 *                identified by their whole content and counted as copies ({@link #byContent})
 * @param problem why the table cannot be verified (no replica identity, missing on the target...); null when it is captured
 */
public record PlannedTable(String mappedId, String sourceName, String targetName, List<String> key, String problem) {
    public PlannedTable {
        key = List.copyOf(key);
    }

    /** The table's name on one side. */
    public String name(dev.parity.reconciler.model.Side side) {
        return side == dev.parity.reconciler.model.Side.SOURCE ? sourceName : targetName;
    }

    public boolean captured() {
        return problem == null;
    }

    /** A captured table without key: each distinct row is a key, its copies the value (README, "Tables without a key"). */
    public boolean byContent() {
        return captured() && key.isEmpty();
    }
}
