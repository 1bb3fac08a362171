package dev.parity.reconciler.model;

import java.util.Objects;

/**
 * A row as the verification sweep read it from one side's database, outside the change stream: the
 * way Parity learns of writes that no log recorded (MySQL/MariaDB {@code SET sql_log_bin = 0}, a column
 * rewritten in place by {@code ALTER TABLE}, a {@code TRUNCATE} with the log off). The Kafka record key is the canonical row key.
 *
 * <p>The read ran in one snapshot that also read that side's heartbeat row, seq {@code guardSeq}: the
 * snapshot lies between heartbeats {@code guardSeq} and {@code guardSeq + 1} in that database's commit
 * order. The reconciler applies it only where no captured change of the key could be newer (see
 * {@code ReconcileProcessor#applyObservation}); otherwise the stream knows better and it is dropped.
 *
 * @param hash        the row hash read; null when the sweep found no such row
 * @param guardSeq    the heartbeat seq read in the same snapshot as the row (for an absence: the one
 *                    read when the table's scan began)
 * @param stamp       the stamp the key's state takes when applied: the latest heartbeat before which
 *                    the row was seen so, never earlier than {@code guardSeq} (a later stamp only
 *                    delays a verdict; an earlier one could raise a false alarm)
 * @param readAtMicros Parity's clock when the row was read
 * @param shape       the row's shape as read ({@link RowHashing#shape}); unknown for an absence
 */
public record Observation(Side side, Hash128 hash, long guardSeq, long stamp, long readAtMicros, int shape) implements CaptureEvent {
    /** The position the applied state shows: how the value was learnt. */
    public static final String POSITION_PREFIX = "re-read@hb";

    public Observation {
        Objects.requireNonNull(side, "side");
        if (stamp < guardSeq || guardSeq < 0) {
            throw new IllegalArgumentException("an observation's stamp " + stamp + " precedes its guard " + guardSeq);
        }
    }

    public Observation(Side side, Hash128 hash, long guardSeq, long stamp, long readAtMicros) {
        this(side, hash, guardSeq, stamp, readAtMicros, RowHashing.UNKNOWN_SHAPE);
    }

    @Override
    public long commitMicros() {
        return readAtMicros;
    }

    public boolean present() {
        return hash != null;
    }

    public String position() {
        return POSITION_PREFIX + stamp;
    }
}
