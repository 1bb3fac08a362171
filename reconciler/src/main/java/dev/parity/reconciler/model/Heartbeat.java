package dev.parity.reconciler.model;

import java.util.Objects;

/**
 * A heartbeat (or readiness fence) row as captured on one side. Ingest writes it to every partition
 * of its side's topic, so each partition sees every heartbeat of its side in stream order.
 *
 * @param seq            the database-incremented sequence number: consecutive in commit order
 * @param writtenAtMicros Parity's clock when the heartbeat was written to the source
 * @param fenceId        the readiness fence's id; null for an ordinary heartbeat
 */
public record Heartbeat(Side side, long seq, long writtenAtMicros, long commitMicros, String fenceId)
        implements CaptureEvent {
    public Heartbeat {
        Objects.requireNonNull(side, "side");
    }
}
