package dev.parity.reconciler.model;

import java.util.List;

/**
 * Many keys of Parity's initial load in one Kafka record: the keys of one source page and its target
 * range that fall in one partition, read under the same two heartbeats. The same as one {@link Baseline}
 * per key, at a fraction of the per-record cost (the reconciler's, the broker's, the loader's). The
 * Kafka record key is the first entry's row key, so the record lands in the partition of all of them.
 */
public record BaselineBatch(long sourceGuard, long targetGuard, long readAtMicros, List<Entry> entries) implements CaptureEvent {
    /** One key: its row hash on each side, null where the range held no such row. */
    public record Entry(byte[] key, Hash128 sourceHash, Hash128 targetHash) {
    }

    public BaselineBatch {
        entries = List.copyOf(entries);
        if (sourceGuard < 0 || targetGuard < 0) {
            throw new IllegalArgumentException("a baseline needs both sides' heartbeat guards, got " + sourceGuard + " and " + targetGuard);
        }
    }

    /** Travels on the source's topic. */
    @Override
    public Side side() {
        return Side.SOURCE;
    }

    @Override
    public long commitMicros() {
        return readAtMicros;
    }

    /** One entry as the per-key event the reconciler applies. */
    public Baseline baseline(Entry e) {
        return new Baseline(e.sourceHash(), sourceGuard, e.targetHash(), targetGuard, readAtMicros);
    }
}
