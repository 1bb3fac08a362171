package dev.parity.reconciler.model;

import java.util.Objects;

/**
 * One row's new state on one side. The Kafka record key is the canonical row key. For a table without
 * key the key is the whole canonical row, and the change adds or removes one copy of it: an UPDATE is a
 * copy of the old row removed and one of the new row added (README, "Tables without a key").
 *
 * @param hash     the row hash after the change; null for a DELETE and for a copy added or removed
 * @param position the change's position in its database's log (LSN, GTID, binlog file:pos); never null
 * @param snapshot true when the row came from the initial snapshot rather than the change stream
 * @param shape    the row's shape ({@link RowHashing#shape}); {@link RowHashing#UNKNOWN_SHAPE} when not an UPSERT
 */
public record RowChange(Side side, Op op, Hash128 hash, long commitMicros, String position, boolean snapshot, int shape)
        implements CaptureEvent {

    public enum Op {
        UPSERT, DELETE, COPY_ADDED, COPY_REMOVED;

        /** +1 or -1 copies of a content-keyed row; 0 for a keyed row's change. */
        public int copies() {
            return this == COPY_ADDED ? 1 : this == COPY_REMOVED ? -1 : 0;
        }
    }

    public RowChange {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(position, "position");
        if ((op == Op.UPSERT) != (hash != null)) {
            throw new IllegalArgumentException("an UPSERT needs a hash and no other change has one");
        }
    }

    public RowChange(Side side, Op op, Hash128 hash, long commitMicros, String position, boolean snapshot) {
        this(side, op, hash, commitMicros, position, snapshot, RowHashing.UNKNOWN_SHAPE);
    }

    public static RowChange upsert(Side side, Hash128 hash, long commitMicros, String position, boolean snapshot) {
        return new RowChange(side, Op.UPSERT, hash, commitMicros, position, snapshot);
    }

    /** An upsert of a row of {@code shape} ({@link RowHashing#shape}). */
    public static RowChange upsert(Side side, Hash128 hash, long commitMicros, String position, boolean snapshot, int shape) {
        return new RowChange(side, Op.UPSERT, hash, commitMicros, position, snapshot, shape);
    }

    public static RowChange delete(Side side, long commitMicros, String position) {
        return new RowChange(side, Op.DELETE, null, commitMicros, position, false);
    }

    /** One copy of a content-keyed row added (+1) or removed (-1). */
    public static RowChange copy(Side side, int delta, long commitMicros, String position, boolean snapshot) {
        return new RowChange(side, delta > 0 ? Op.COPY_ADDED : Op.COPY_REMOVED, null, commitMicros, position, snapshot);
    }
}
