package dev.parity.reconciler.state;

import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Side;
import java.util.Objects;

/**
 * Both sides' state of one row key. A side never seen is null; a side whose row was deleted keeps a
 * {@link SideState} with a null hash until the other side agrees, then the key is dropped.
 *
 * @param firstMismatchMillis wall-clock time the key was first seen mismatched; {@link #NEVER} while equal
 * @param mismatch            the key's verdict and due heartbeat while it is mismatched, null while equal (or, in a state
 *                            stored before format 5, unknown): the mismatch index is rebuilt from these when a task starts
 *                            instead of being changelogged (README, "Disk")
 */
public record KeyState(SideState source, SideState target, long firstMismatchMillis, MismatchEntry mismatch) {
    public static final long NEVER = -1;
    public static final KeyState EMPTY = new KeyState(null, null, NEVER);

    public KeyState(SideState source, SideState target, long firstMismatchMillis) {
        this(source, target, firstMismatchMillis, null);
    }

    public SideState side(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    public KeyState with(Side side, SideState state) {
        return side == Side.SOURCE ? new KeyState(state, target, firstMismatchMillis, mismatch) : new KeyState(source, state, firstMismatchMillis, mismatch);
    }

    public KeyState withFirstMismatch(long millis) {
        return new KeyState(source, target, millis, mismatch);
    }

    /** With the key's mismatch entry (null: equal). */
    public KeyState withMismatch(MismatchEntry entry) {
        return new KeyState(source, target, firstMismatchMillis, entry);
    }

    /** Both sides without commit times and positions (an equal key keeps only hashes and stamps). */
    public KeyState withoutProvenance() {
        return new KeyState(source == null ? null : source.withoutProvenance(), target == null ? null : target.withoutProvenance(),
                firstMismatchMillis, mismatch);
    }

    public Hash128 hash(Side side) {
        SideState s = side(side);
        return s == null ? null : s.hash();
    }

    /** Equal when both sides hold the same row hash or neither holds the row. */
    public boolean matches() {
        return Objects.equals(hash(Side.SOURCE), hash(Side.TARGET));
    }

    /**
     * Both sides hold the row, each under a known and a different shape: written under different table
     * structures (one side altered before the other), so their hashes say nothing about the rows' values.
     * Such a key is not compared but re-read (README, "How it decides").
     */
    public boolean shapesDiffer() {
        return source != null && target != null && source.exists() && target.exists() && source.shape() != 0 && target.shape() != 0
                && source.shape() != target.shape();
    }

    /** Neither side holds the row: nothing left worth storing. */
    public boolean isGone() {
        return hash(Side.SOURCE) == null && hash(Side.TARGET) == null;
    }
}
