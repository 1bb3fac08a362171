package dev.parity.ingest.kafka;

import dev.parity.ingest.debezium.MappedRecord;
import java.util.List;

/**
 * Where a capture delivers its mapped records: Parity's side topic ({@link ChangeProducer}), or nowhere, to measure
 * what capturing alone costs (the capture floor of {@code parity bench --one-core-seconds}: README, "CLI and HTTP
 * API"). A capture marks its batch's offsets processed only after {@link #deliver} returns, so a crash replays, never
 * skips.
 */
@FunctionalInterface
public interface CaptureSink extends AutoCloseable {
    /** Discards every record: the capture's cost without Kafka's or the reconciler's. */
    CaptureSink DISCARD = (batch, capture) -> { };

    /**
     * Delivers one batch of a capture, in order; returns once every record is durable where it goes.
     *
     * @throws IllegalStateException when they are not (the capture then fails and commits nothing past its last batch)
     */
    void deliver(List<MappedRecord> batch, String capture) throws InterruptedException;

    @Override
    default void close() {
    }
}
