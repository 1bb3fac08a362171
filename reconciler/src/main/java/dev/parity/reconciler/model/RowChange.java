package dev.parity.reconciler.model;

import java.util.Objects;

/**
 * One row's new state on one side. The Kafka record key is the canonical row key.
 *
 * @param hash     the row hash after the change; null exactly when {@code op} is DELETE
 * @param position the change's position in its database's log (LSN, GTID, binlog file:pos); never null
 * @param snapshot true when the row came from the initial snapshot rather than the change stream
 */
public record RowChange(Side side, Op op, Hash128 hash, long commitMicros, String position, boolean snapshot)
        implements CaptureEvent {

    public enum Op { UPSERT, DELETE }

    public RowChange {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(position, "position");
        if ((op == Op.DELETE) != (hash == null)) {
            throw new IllegalArgumentException("a DELETE has no hash and an UPSERT needs one");
        }
    }

    public static RowChange upsert(Side side, Hash128 hash, long commitMicros, String position, boolean snapshot) {
        return new RowChange(side, Op.UPSERT, hash, commitMicros, position, snapshot);
    }

    public static RowChange delete(Side side, long commitMicros, String position) {
        return new RowChange(side, Op.DELETE, null, commitMicros, position, false);
    }
}
