package dev.parity.reconciler.state;

/** The state of a key or chunk. */
public enum Verdict {
    IN_SYNC,
    /** Hashes differ but replication or capture has not caught up past the key's fences: no verdict yet. */
    PENDING,
    /** Hashes differ after both streams passed the key's fences: the target really differs. */
    DIVERGENT
}
