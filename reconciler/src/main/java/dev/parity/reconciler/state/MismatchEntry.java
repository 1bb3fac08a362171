package dev.parity.reconciler.state;

/**
 * A mismatched key's entry in the mismatch index.
 *
 * @param verdict PENDING or DIVERGENT
 * @param due     heartbeat seq both streams must reach before the key can be judged (one of the unknown dues
 *                while a side's fence is not yet known); in grace-period mode, the wall-clock millis
 *                at which the key's grace runs out
 */
public record MismatchEntry(Verdict verdict, long due) {
    /**
     * Unknown dues say whose heartbeat can make them known, so that a heartbeat wakes only the keys it can
     * decide: re-judging every undecided key on every heartbeat of either stream is quadratic under a flood
     * of one-sided changes (each of 100,000 target changes waits for the target's next heartbeat while the
     * source's keep coming).
     */
    /** The target's fence is not delivered yet (also: both sides' are not): the target's next heartbeat decides. */
    public static final long UNKNOWN_DUE = Long.MAX_VALUE;
    /** Only the source's fence is not delivered yet: the source's next heartbeat decides. */
    public static final long UNKNOWN_SOURCE_DUE = Long.MAX_VALUE - 1;
    /** A side holds no state while Parity's initial load may still deliver it: its read (or the load's end) decides. */
    public static final long AWAITING_LOAD = Long.MAX_VALUE - 2;

    /**
     * The two sides' rows have different shapes (one side's table altered before the other's): no heartbeat
     * decides; the re-read the reconciler asked for does, or the key's next change.
     */
    public static final long AWAITING_REREAD = Long.MAX_VALUE - 3;

    /** Whether a due is one of the unknown ones rather than a heartbeat seq. */
    public static boolean unknown(long due) {
        return due >= AWAITING_REREAD;
    }

    public MismatchEntry {
        if (verdict == Verdict.IN_SYNC) {
            throw new IllegalArgumentException("an in-sync key has no mismatch entry");
        }
    }
}
