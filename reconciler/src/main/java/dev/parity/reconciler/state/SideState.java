package dev.parity.reconciler.state;

import dev.parity.reconciler.model.Hash128;
import java.util.Objects;

/**
 * One side's latest state of one key: the row hash (null once the row is deleted), its commit time
 * and log position (kept while the key is mismatched, for the API; dropped once equal), and its
 * heartbeat stamp.
 *
 * <p>The fence (the first heartbeat the side's stream delivers after the change) is not stored: it
 * is derived from the stamp and the partition's {@link Watermark}, which knows the first heartbeat
 * delivered and any gaps. Storing it would mean rewriting every changed key when its fence arrives.
 *
 * @param hash  row hash; null when the row does not exist on this side
 * @param stamp seq of the last heartbeat this side's stream delivered on the partition before the
 *              change; {@link #NONE} when none had been delivered yet (snapshot rows, stream start)
 * @param provenance how the value was learnt; {@link Provenance#CHANGE_STREAM} once provenance is dropped
 *              (an equal key: a later mismatch comes from a later change, which brings its own)
 * @param shape the row's shape ({@code RowHashing.shape}), kept like provenance while the key is mismatched;
 *              unknown (0) once dropped, for a deletion, or where the value came without one
 */
public record SideState(Hash128 hash, long commitMicros, String position, long stamp, Provenance provenance, int shape) {
    public static final long NONE = -1;
    /** Commit time not kept: equal keys drop their provenance (see {@link #withoutProvenance()}). */
    public static final long UNKNOWN_COMMIT = Long.MIN_VALUE;

    public SideState {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(provenance, "provenance");
    }

    /** A value delivered by the side's change stream. */
    public SideState(Hash128 hash, long commitMicros, String position, long stamp) {
        this(hash, commitMicros, position, stamp, Provenance.CHANGE_STREAM);
    }

    /** A value of unknown shape. */
    public SideState(Hash128 hash, long commitMicros, String position, long stamp, Provenance provenance) {
        this(hash, commitMicros, position, stamp, provenance, 0);
    }

    /** Whether anything beyond hash and stamp is kept (see {@link #withoutProvenance()}). */
    public boolean hasProvenance() {
        return commitMicros != UNKNOWN_COMMIT || !position.isEmpty() || provenance != Provenance.CHANGE_STREAM || shape != 0;
    }

    public boolean exists() {
        return hash != null;
    }

    /**
     * The state without commit time and log position: a key equal on both sides needs only its hashes
     * and stamps, and most keys are equal most of the time, so this is what keeps the state small.
     */
    public SideState withoutProvenance() {
        return hasProvenance() ? new SideState(hash, UNKNOWN_COMMIT, "", stamp, Provenance.CHANGE_STREAM, 0) : this;
    }
}
