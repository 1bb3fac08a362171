package dev.parity.ingest.debezium;

import dev.parity.reconciler.model.CaptureEvent;

/**
 * A Debezium record turned into Parity's event: a row change with its canonical key, or a heartbeat
 * ({@code key} null) to broadcast to every partition.
 */
public record MappedRecord(byte[] key, CaptureEvent event) {
    public boolean isBroadcast() {
        return key == null;
    }
}
