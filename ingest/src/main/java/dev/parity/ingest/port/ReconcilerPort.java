package dev.parity.ingest.port;

import dev.parity.reconciler.model.Side;
import dev.parity.reconciler.query.ReconcilerView;
import dev.parity.reconciler.rules.HeartbeatProgress;
import dev.parity.reconciler.topology.ReconcilerLink;

/**
 * What a workflow (the initial load, the verification sweep) sees of the reconciler: its stores, and
 * how far each side's stream has come on every partition.
 *
 * @param partitions of each side's topic
 * @param link       what the reconciler's processors share with this process (the initial load's window)
 */
public record ReconcilerPort(ReconcilerView view, int partitions, ReconcilerLink link) {
    /** The initial load is applied: no load record can still come (see {@link ReconcilerLink}). */
    public void loadApplied() {
        link.closeLoadWindow();
    }

    /**
     * Whether the reconciler has processed, on every partition, a heartbeat of {@code side}'s stream
     * after {@code seq} ({@code -1}: any heartbeat). False while its stores cannot be queried (start-up,
     * rebalancing): nothing is taken as passed that was not seen passed.
     */
    public boolean passed(Side side, long seq) {
        try {
            return HeartbeatProgress.passed(view.watermarks(side), partitions, seq);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
