package dev.parity.reconciler.topology;

import dev.parity.reconciler.model.Chunking;
import java.time.Duration;
import java.util.Objects;

/**
 * What the topology needs to know.
 *
 * @param extraHeartbeats heartbeats a mismatch must persist past its fences before it is judged
 *                        DIVERGENT; 0 where the replica applies in the source's commit order
 * @param grace           null: verdicts by heartbeat order. Otherwise there are no heartbeats (no write
 *                        access to the source) and a mismatch is DIVERGENT once it has persisted this
 *                        long since the key's last change: weaker, since lag above it reads as divergence
 * @param link            what the processors share with the application in this process (the load window, input positions)
 * @param auditOnStart    each task rebuilds its chunk digests and mismatch counts from its key states when it starts:
 *                        needed under at-least-once processing, where a crash can leave the stores' changelogs out of
 *                        step with each other (README, "When things fail")
 */
public record ReconcilerSettings(String sourceTopic, String targetTopic, Chunking chunking, int extraHeartbeats, Duration grace,
                                 ReconcilerLink link, boolean auditOnStart) {
    public ReconcilerSettings(String sourceTopic, String targetTopic, Chunking chunking, int extraHeartbeats, Duration grace, ReconcilerLink link) {
        this(sourceTopic, targetTopic, chunking, extraHeartbeats, grace, link, false);
    }

    public ReconcilerSettings(String sourceTopic, String targetTopic, Chunking chunking, int extraHeartbeats) {
        this(sourceTopic, targetTopic, chunking, extraHeartbeats, null, new ReconcilerLink());
    }

    public ReconcilerSettings(String sourceTopic, String targetTopic, Chunking chunking, int extraHeartbeats, Duration grace) {
        this(sourceTopic, targetTopic, chunking, extraHeartbeats, grace, new ReconcilerLink());
    }

    public ReconcilerSettings {
        if (grace != null && (grace.isNegative() || grace.isZero())) {
            throw new IllegalArgumentException("grace must be positive");
        }
        Objects.requireNonNull(sourceTopic, "sourceTopic");
        Objects.requireNonNull(targetTopic, "targetTopic");
        Objects.requireNonNull(chunking, "chunking");
        Objects.requireNonNull(link, "link");
        if (extraHeartbeats < 0) {
            throw new IllegalArgumentException("extraHeartbeats must be >= 0");
        }
    }

    /** These settings, with every task auditing its stores when it starts (see {@link StateAudit}): for at-least-once processing. */
    public ReconcilerSettings withAuditOnStart(boolean audit) {
        return new ReconcilerSettings(sourceTopic, targetTopic, chunking, extraHeartbeats, grace, link, audit);
    }

    public boolean byGracePeriod() {
        return grace != null;
    }
}
