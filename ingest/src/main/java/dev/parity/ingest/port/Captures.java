package dev.parity.ingest.port;

import dev.parity.reconciler.model.CapturePhase;
import dev.parity.ingest.CaptureStatus;
import dev.parity.reconciler.model.Side;
import java.util.Objects;

/** Both sides' captures as a workflow sees them: what each is doing, and the heartbeats it delivered. */
public record Captures(CaptureStatus source, CaptureStatus target) {
    public Captures {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
    }

    public CaptureStatus of(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    /** Whether both captures stream (their snapshots, if any, done). */
    public boolean streaming() {
        return source.phase() == CapturePhase.STREAMING && target.phase() == CapturePhase.STREAMING;
    }
}
