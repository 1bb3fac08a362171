package dev.parity.reconciler.state;

import java.util.Map;
import java.util.TreeMap;

/**
 * The heartbeats one side's stream has delivered on one partition.
 *
 * @param seq           newest heartbeat seq delivered; the partition's S or T
 * @param firstSeq      first heartbeat seq delivered since the stream began: the fence of changes
 *                      stamped {@link SideState#NONE}
 * @param writtenAtMicros Parity's clock when heartbeat {@code seq} was written to the source
 * @param arrivedAtMillis Parity's clock when heartbeat {@code seq} was processed here
 * @param gaps          delivered seq → next delivered seq where that is not seq + 1 (rare; bounded)
 * @param forgottenStamp the newest stamp this side gave a deletion of a key the partition has since
 *                      forgotten (deleted on both sides and settled); {@link SideState#NONE} if none.
 *                      A key with no state may have been forgotten: the sweep's observations of such
 *                      keys are trusted only when read after this stamp.
 */
public record Watermark(long seq, long firstSeq, long writtenAtMicros, long arrivedAtMillis, Map<Long, Long> gaps,
                        long forgottenStamp) {
    static final int MAX_GAPS = 256;

    public Watermark {
        gaps = Map.copyOf(gaps);
    }

    public static Watermark first(long seq, long writtenAtMicros, long arrivedAtMillis) {
        return new Watermark(seq, seq, writtenAtMicros, arrivedAtMillis, Map.of(), SideState.NONE);
    }

    /** The watermark after heartbeat {@code next} (> seq) is delivered. */
    public Watermark advance(long next, long writtenAt, long arrivedAt) {
        Map<Long, Long> g = gaps;
        if (next != seq + 1) {
            TreeMap<Long, Long> t = new TreeMap<>(gaps);
            t.put(seq, next);
            while (t.size() > MAX_GAPS) {
                t.pollFirstEntry();
            }
            g = t;
        }
        return new Watermark(next, firstSeq, writtenAt, arrivedAt, g, forgottenStamp);
    }

    /** This watermark after a key whose deletion on this side was stamped {@code stamp} was forgotten. */
    public Watermark forgot(long stamp) {
        return stamp <= forgottenStamp ? this : new Watermark(seq, firstSeq, writtenAtMicros, arrivedAtMillis, gaps, stamp);
    }

    /**
     * The fence of a change stamped {@code stamp}: the next heartbeat delivered after it. Using
     * "stamp + 1" blindly would be early across a gap, and an early fence is a false alarm.
     */
    public long fenceOf(long stamp) {
        if (stamp == SideState.NONE) {
            return firstSeq;
        }
        Long afterGap = gaps.get(stamp);
        return afterGap != null ? afterGap : stamp + 1;
    }
}
