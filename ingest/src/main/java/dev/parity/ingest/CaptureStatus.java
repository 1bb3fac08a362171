package dev.parity.ingest;

import dev.parity.reconciler.model.CapturePhase;
import dev.parity.reconciler.model.CaptureEvent;
import dev.parity.reconciler.model.Side;
import java.time.Instant;

/**
 * What one side's capture is doing, for status and metrics. Written by the capture thread,
 * read by the API: fields are volatile, each read is a consistent single value.
 */
public final class CaptureStatus {
    private final Side side;
    private volatile CapturePhase phase = CapturePhase.STARTING;
    private volatile Instant lastEventAt;
    private volatile Instant lastSeenAt;
    private volatile Instant lastHeartbeatAt;
    private volatile Instant streamingSince;
    private volatile long lastCommitMicros = -1;
    private volatile long events;
    private volatile String error;
    private volatile long restarts;
    private volatile java.util.Map<String, Long> snapshotRows = java.util.Map.of();
    private volatile Instant snapshotStartedAt;
    private volatile boolean connected = true;
    private volatile Instant connectedSince;

    public CaptureStatus(Side side) {
        this.side = side;
    }

    public Side side() {
        return side;
    }

    public CapturePhase phase() {
        return phase;
    }

    /** Parity's clock when the last event of this side was acknowledged by Kafka; null before any. */
    public Instant lastEventAt() {
        return lastEventAt;
    }

    /**
     * Parity's clock when the connector last delivered anything, its own heartbeats included: proof
     * the capture is connected and reading even when the database is idle. Null before any.
     */
    public Instant lastSeenAt() {
        return lastSeenAt;
    }

    public void seen(Instant now) {
        lastSeenAt = now;
    }

    /** Commit time of the last event produced, micros; -1 before any. */
    public long lastCommitMicros() {
        return lastCommitMicros;
    }

    public long events() {
        return events;
    }

    /** Why the capture stopped; null while it runs. */
    public String error() {
        return error;
    }

    public void snapshotting() {
        if (phase == CapturePhase.STARTING) {
            phase = CapturePhase.SNAPSHOTTING;
            snapshotStartedAt = Instant.now();
        }
    }

    /** Rows the snapshot has read per table, as the connector reports them (updated twice a second). */
    public java.util.Map<String, Long> snapshotRows() {
        return snapshotRows;
    }

    public void snapshotRows(java.util.Map<String, Long> rows) {
        if (!rows.isEmpty()) {
            snapshotRows = java.util.Map.copyOf(rows);
        }
    }

    /** When the snapshot began; null if there was none. */
    public Instant snapshotStartedAt() {
        return snapshotStartedAt;
    }

    public void streaming() {
        if (phase != CapturePhase.STOPPED && phase != CapturePhase.STREAMING) {
            streamingSince = Instant.now();
            phase = CapturePhase.STREAMING;
            error = null;
            connected = true;
        }
    }

    /** The capture failed and is being started again; {@code reason} says why it failed until it streams. */
    public void restarting(String reason) {
        error = reason;
        restarts++;
        phase = CapturePhase.STARTING;
    }

    /** How often the capture failed and was restarted since Parity started. */
    public long restarts() {
        return restarts;
    }

    /** When the capture started streaming (its snapshot, if any, complete); null before. */
    public Instant streamingSince() {
        return streamingSince;
    }

    /**
     * Parity's clock when this side's capture last delivered one of Parity's heartbeats: proof the
     * stream itself advances, which a connector that merely reconnects (and emits its own heartbeats)
     * does not give. Null before any.
     */
    private volatile long lastHeartbeatSeq = -1;

    public Instant lastHeartbeatAt() {
        return lastHeartbeatAt;
    }

    /** The newest heartbeat seq this capture has had acknowledged by Kafka on every partition; -1 before any. */
    public long lastHeartbeatSeq() {
        return lastHeartbeatSeq;
    }

    public void produced(CaptureEvent event, Instant now) {
        if (event instanceof dev.parity.reconciler.model.Heartbeat h) {
            lastHeartbeatAt = now;
            lastHeartbeatSeq = Math.max(lastHeartbeatSeq, h.seq());
        }
        lastEventAt = now;
        lastCommitMicros = Math.max(lastCommitMicros, event.commitMicros());
        events++;
    }

    /**
     * Whether the connector reports its connection to the database up. True until it says otherwise
     * (while starting it has none to report); a lost connection is known at once, not after silence.
     */
    public boolean connected() {
        return connected;
    }

    /** When the connection last came (back) up while streaming; null if it never went down. */
    public Instant connectedSince() {
        return connectedSince;
    }

    /** What the connector reports of its streaming connection (only while streaming). */
    public void connection(boolean up, Instant now) {
        if (up && !connected) {
            connectedSince = now;
        }
        connected = up;
    }

    public void stopped(String reason) {
        error = reason;
        phase = CapturePhase.STOPPED;
    }
}
