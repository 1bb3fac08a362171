package dev.parity.ingest.side;

import java.util.List;

/**
 * A table Parity was asked to watch, as resolved on both sides.
 *
 * @param problem why the table cannot be verified (no primary key, missing on the target...); null when it is captured
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
}
