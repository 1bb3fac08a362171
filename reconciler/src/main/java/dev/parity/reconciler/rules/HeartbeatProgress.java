package dev.parity.reconciler.rules;

import dev.parity.reconciler.state.Watermark;
import java.util.List;

/**
 * How far one side's stream has come, by heartbeat seq, over all partitions (README, "How it decides").
 * Heartbeats are broadcast to every partition of a side's topic, so "the stream has passed heartbeat h"
 * means: every partition has delivered a heartbeat after h. A partition that has delivered none, or a
 * partition count not yet known, never counts as passed.
 */
public final class HeartbeatProgress {
    private HeartbeatProgress() {
    }

    /** Whether one partition's stream has delivered a heartbeat after {@code seq}; false without a watermark. */
    public static boolean passed(Watermark mark, long seq) {
        return mark != null && mark.seq() > seq;
    }

    /**
     * Whether every one of {@code partitions} partitions has delivered a heartbeat after {@code seq}
     * ({@code -1}: any heartbeat at all). False while fewer partitions than that have a watermark, and
     * when {@code partitions} is not positive (unknown): nothing is passed before it is known.
     */
    public static boolean passed(List<Watermark> marks, int partitions, long seq) {
        if (partitions <= 0 || marks.size() < partitions) {
            return false;
        }
        for (Watermark w : marks) {
            if (!passed(w, seq)) {
                return false;
            }
        }
        return true;
    }

    /** Whether every partition has delivered heartbeat {@code seq} itself or a later one. */
    public static boolean reached(List<Watermark> marks, int partitions, long seq) {
        return passed(marks, partitions, seq - 1);
    }

    /** How current one side's view is: see {@link #freshness}. */
    public enum Freshness { FRESH, CATCHING_UP, STALE }

    /**
     * Whether the reconciler's view of one side is current. Until every partition has processed a
     * heartbeat written at or after {@code sinceMicros} (this process's start, or the end of the last
     * known fault), state from before may predate changes made meanwhile: CATCHING_UP. The source stream
     * carries heartbeats within seconds, so one older than {@code staleAfterMicros} there means the
     * reconciler or the capture is stuck: STALE. An old one on the target stream is replication lag and
     * is reported as such, not as staleness.
     */
    public static Freshness freshness(List<Watermark> marks, int partitions, boolean sourceSide, long sinceMicros, long nowMicros,
                                      long staleAfterMicros) {
        if (partitions <= 0 || marks.size() < partitions) {
            return Freshness.CATCHING_UP;
        }
        long oldest = Long.MAX_VALUE;
        for (Watermark w : marks) {
            oldest = Math.min(oldest, w.writtenAtMicros());
        }
        if (oldest < sinceMicros) {
            return Freshness.CATCHING_UP;
        }
        return sourceSide && nowMicros - oldest > staleAfterMicros ? Freshness.STALE : Freshness.FRESH;
    }
}
