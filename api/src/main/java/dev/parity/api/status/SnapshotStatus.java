package dev.parity.api.status;

import java.util.List;

/**
 * A side's first baseline in progress (or done): rows read per table against the database's own
 * estimate (the planner's, so percentages are approximate), and while it runs an ETA at the rate so far.
 *
 * @param method   {@code PARITY} (Parity's own initial load) or {@code DEBEZIUM} (the connector's snapshot)
 * @param activity what Parity's load is doing; null for a connector snapshot
 * @param problem  the load's last failure, retried; null when none
 */
public record SnapshotStatus(String method, boolean running, String activity, String problem, long rowsDone, long rowsEstimated,
                             Double percent, Double etaSeconds, List<Table> tables) {
    public SnapshotStatus {
        tables = List.copyOf(tables);
    }

    /**
     * @param rowsEstimated null when the database gave no estimate
     * @param rowsResumed   of {@code rowsDone}, those an earlier run of Parity's load read and sent before it stopped (not
     *                      read again: README, "The first baseline"); null when none
     */
    public record Table(String table, long rowsDone, Long rowsEstimated,
                        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Long rowsResumed) {
    }
}
