package dev.parity.reconciler.state;

import dev.parity.reconciler.model.Hash128;
import dev.parity.reconciler.model.Side;
import java.util.Objects;

/**
 * Both sides' state of one row key. A side never seen is null; a side whose row was deleted keeps a
 * {@link SideState} with a null hash until the other side agrees, then the key is dropped.
 *
 * @param firstMismatchMillis wall-clock time the key was first seen mismatched; {@link #NEVER} while equal
 */
public record KeyState(SideState source, SideState target, long firstMismatchMillis) {
    public static final long NEVER = -1;
    public static final KeyState EMPTY = new KeyState(null, null, NEVER);

    public SideState side(Side side) {
        return side == Side.SOURCE ? source : target;
    }

    public KeyState with(Side side, SideState state) {
        return side == Side.SOURCE ? new KeyState(state, target, firstMismatchMillis) : new KeyState(source, state, firstMismatchMillis);
    }

    public KeyState withFirstMismatch(long millis) {
        return new KeyState(source, target, millis);
    }

    /** Both sides without commit times and positions (an equal key keeps only hashes and stamps). */
    public KeyState withoutProvenance() {
        return new KeyState(source == null ? null : source.withoutProvenance(), target == null ? null : target.withoutProvenance(),
                firstMismatchMillis);
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
