package dev.parity.reconciler.topology;

import dev.parity.reconciler.model.Chunking;
import java.util.Objects;

/**
 * What the topology needs to know.
 *
 * @param extraHeartbeats heartbeats a mismatch must persist past its fences before it is judged
 *                        DIVERGENT; 0 where the replica applies in the source's commit order
 */
public record ReconcilerSettings(String sourceTopic, String targetTopic, Chunking chunking, int extraHeartbeats) {
    public ReconcilerSettings {
        Objects.requireNonNull(sourceTopic, "sourceTopic");
        Objects.requireNonNull(targetTopic, "targetTopic");
        Objects.requireNonNull(chunking, "chunking");
        if (extraHeartbeats < 0) {
            throw new IllegalArgumentException("extraHeartbeats must be >= 0");
        }
    }
}
