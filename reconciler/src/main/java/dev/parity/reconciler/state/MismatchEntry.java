package dev.parity.reconciler.state;

/**
 * A mismatched key's entry in the mismatch index.
 *
 * @param verdict PENDING or DIVERGENT
 * @param due     heartbeat seq both streams must reach before the key can be judged ({@link #UNKNOWN_DUE}
 *                while a side's fence is not yet known); in grace-period mode, the wall-clock millis
 *                at which the key's grace runs out
 */
public record MismatchEntry(Verdict verdict, long due) {
    public static final long UNKNOWN_DUE = Long.MAX_VALUE;

    public MismatchEntry {
        if (verdict == Verdict.IN_SYNC) {
            throw new IllegalArgumentException("an in-sync key has no mismatch entry");
        }
    }
}
