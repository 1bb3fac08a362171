package dev.parity.reconciler.rules;

import dev.parity.reconciler.state.Provenance;
import dev.parity.reconciler.state.SideState;

/**
 * Where a divergence came from, from what the reconciler already knows of the key (README, "Which
 * column, and why"): a write no log recorded (a re-read found it), a difference older than Parity
 * (the initial load, or both sides' snapshots), or by the two sides' heartbeat stamps: replication
 * applies the source's commits in order, so the target applies a change the source made between
 * heartbeats {@code h} and {@code h+1} after applying {@code h} and before {@code h+1} — the same stamp.
 * A target change stamped later than the source's last change is a write on the target outside
 * replication; one stamped the same is the source's change, applied differently (a narrower type,
 * another time zone or encoding, a trigger); a target stamped earlier never followed the source's
 * last change: replication lost it. (Where the replica may apply out of order, the same-stamp case is
 * only the likeliest reading.)
 */
public enum Origin {
    TARGET_WRITE, LOST_CHANGE, UNLOGGED_WRITE, BEFORE_START, APPLIED_DIFFERENTLY;

    /** @param source the source side's state of the key (null: never seen there); likewise {@code target} */
    public static Origin of(SideState source, SideState target) {
        if (provenance(source) == Provenance.REREAD || provenance(target) == Provenance.REREAD) {
            return UNLOGGED_WRITE;
        }
        if (provenance(source) == Provenance.INITIAL_LOAD || provenance(target) == Provenance.INITIAL_LOAD) {
            return BEFORE_START;
        }
        long s = stamp(source);
        long t = stamp(target);
        if (s == SideState.NONE && t == SideState.NONE) {
            return BEFORE_START; // both values are from the snapshots: the difference was there when capture began
        }
        return t > s ? TARGET_WRITE : t == s ? APPLIED_DIFFERENTLY : LOST_CHANGE;
    }

    private static Provenance provenance(SideState s) {
        return s == null ? null : s.provenance();
    }

    private static long stamp(SideState s) {
        return s == null ? SideState.NONE : s.stamp();
    }

    /** What an operator should hear first: someone writing to the target is the most urgent. */
    public String sentence() {
        return switch (this) {
            case TARGET_WRITE -> "a write on the target outside replication";
            case LOST_CHANGE -> "a source change replication did not apply";
            case UNLOGGED_WRITE -> "a write no log recorded (found by re-reading)";
            case BEFORE_START -> "a difference older than Parity (found by the first baseline)";
            case APPLIED_DIFFERENTLY -> "a source change the target applied differently";
        };
    }
}
