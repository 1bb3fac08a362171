package dev.parity.reconciler.model;

/**
 * What ingest produces to a side's topic. Row changes are keyed by the canonical row key;
 * heartbeats are written to every partition of the side's topic (see {@link Heartbeat}); the
 * verification sweep adds {@link Observation}s of rows read outside the stream, Parity's initial load
 * {@link Baseline}s of both sides of a key; a {@link Truncate} goes to every partition, like a heartbeat.
 */
public sealed interface CaptureEvent permits RowChange, Heartbeat, Observation, Baseline, BaselineBatch, Truncate, ChangeBatch {
    Side side();

    /** Commit time of the change in its database, microseconds since the epoch (UTC). */
    long commitMicros();
}
