package dev.parity.reconciler.rules;

import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.state.Provenance;
import dev.parity.reconciler.state.SideState;
import dev.parity.reconciler.state.Watermark;
import java.util.Objects;

/**
 * The read-over rule (README, "How it decides"): when a value read outside the change stream (by the
 * verification sweep or Parity's initial load) may take the place of a key's captured state on one side.
 *
 * <p>The read ran in one database snapshot that also read that side's heartbeat row, seq {@code guard}:
 * in the database's commit order the snapshot lies after heartbeat {@code guard} and before {@code guard + 1}.
 * It is taken only once the side's stream has delivered a heartbeat after {@code guard} (so every logged
 * change the snapshot saw is in the state) and only where the captured state is older than the snapshot.
 * A newer captured change wins, whichever arrives first.
 */
public final class ReadOver {
    private ReadOver() {
    }

    /**
     * Whether a side's state of a key is older than a snapshot read after heartbeat {@code guard}. A
     * state stamped {@code guard} or later may come from after the snapshot. An unstamped one (initial
     * snapshot, stream start) predates the stream's first heartbeat. No state at all means absent since
     * the stream began, or forgotten after a deletion: the watermark's forgotten stamp bounds when.
     */
    public static boolean predates(SideState state, Watermark wm, long guard) {
        if (state == null) {
            return wm.firstSeq() <= guard && wm.forgottenStamp() < guard;
        }
        return state.stamp() == SideState.NONE ? wm.firstSeq() <= guard : stampPredates(state, guard);
    }

    /**
     * The stamp half of {@link #predates}, for a reader that has no watermark at hand (the sweep's own
     * pre-filter: the reconciler applies the whole rule again when the read arrives).
     */
    public static boolean stampPredates(SideState state, long guard) {
        return state.stamp() == SideState.NONE || state.stamp() < guard;
    }

    /**
     * The state a value read outside the stream gives a side, or null when the side keeps its own:
     * when its captured state may be newer than the read, or already says the same.
     *
     * @param read  the row hash read; null when the read found no such row
     * @param stamp the stamp the taken value gets (never earlier than {@code guard}: a later stamp only delays a verdict)
     */
    public static SideState readOver(SideState current, Watermark wm, Hash128 read, long guard, long stamp, long readAtMicros,
                                     String position, Provenance provenance) {
        return readOver(current, wm, read, guard, stamp, readAtMicros, position, provenance, 0);
    }

    /** {@link #readOver}, the value read having {@code shape} (0: unknown). */
    public static SideState readOver(SideState current, Watermark wm, Hash128 read, long guard, long stamp, long readAtMicros,
                                     String position, Provenance provenance, int shape) {
        boolean same = Objects.equals(current == null ? null : current.hash(), read);
        return same || !predates(current, wm, guard) ? null : new SideState(read, readAtMicros, position, stamp, provenance, shape);
    }

    /**
     * Whether a read still differs from the captured state and is worth sending: the hashes differ and
     * the state is not newer than the read (the sweep's filter before sending; the reconciler decides).
     */
    public static boolean worthSending(SideState current, Hash128 read, long guard) {
        return !Objects.equals(current == null ? null : current.hash(), read) && (current == null || stampPredates(current, guard));
    }
}
