package dev.parity.reconciler.model;

/**
 * One key as Parity's own initial load read it from both databases, instead of a connector snapshot:
 * the same primary-key range read on each side in one short snapshot that also read that side's
 * heartbeat row. The Kafka record key is the canonical row key; it travels on the source's topic.
 *
 * <p>Both sides of a key arrive in one record, so the key is judged once with both values in place and
 * never looks one-sided in between. Each side is taken only where that side's captured state predates
 * its read (as for an {@link Observation}); a newer captured change wins, whichever arrives first.
 *
 * @param sourceHash  the row hash read on the source; null when the range held no such row there
 * @param sourceGuard the source heartbeat seq read in the same snapshot as the source's range
 * @param targetHash  the same for the target
 * @param targetGuard the target heartbeat seq read in the same snapshot as the target's range
 * @param readAtMicros Parity's clock when the ranges were read
 */
public record Baseline(Hash128 sourceHash, long sourceGuard, Hash128 targetHash, long targetGuard, long readAtMicros)
        implements CaptureEvent {
    /** The position an applied side shows: how the value was learnt. */
    public static final String POSITION_PREFIX = "snapshot@hb";

    public Baseline {
        if (sourceGuard < 0 || targetGuard < 0) {
            throw new IllegalArgumentException("a baseline needs both sides' heartbeat guards, got " + sourceGuard + " and " + targetGuard);
        }
    }

    /** Travels on the source's topic. */
    @Override
    public Side side() {
        return Side.SOURCE;
    }

    @Override
    public long commitMicros() {
        return readAtMicros;
    }

    public Hash128 hash(Side side) {
        return side == Side.SOURCE ? sourceHash : targetHash;
    }

    public long guard(Side side) {
        return side == Side.SOURCE ? sourceGuard : targetGuard;
    }
}
