package dev.parity.reconciler.state;

/**
 * How Parity learnt one side's value of a key (README, "How it decides"): the API's {@code detectedBy}.
 * Kept in the state beside the log position, never parsed back out of a position string.
 */
public enum Provenance {
    /** A change the side's log recorded, delivered by its capture (also the connectors' snapshot rows). */
    CHANGE_STREAM,
    /** A row the verification sweep read that differed from every change the log recorded: a write no log recorded. */
    REREAD,
    /** A row Parity's own initial load read: a difference older than Parity. */
    INITIAL_LOAD
}
