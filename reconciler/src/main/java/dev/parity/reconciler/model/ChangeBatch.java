package dev.parity.reconciler.model;

import java.util.List;
import java.util.Objects;

/**
 * One side's captured events of one partition, in capture order, in one Kafka record: the row changes of a capture's
 * batch that fall in the partition, with its heartbeats and TRUNCATEs where they came (README, "How it decides"). The
 * same as one record per event, at a fraction of the per-record cost (the producer's, the broker's, the reconciler's):
 * the reconciler applies the entries one by one, in order, as if each had been its own record.
 */
public record ChangeBatch(Side side, List<Entry> entries) implements CaptureEvent {
    /**
     * One event and the row key it applies to (a row change's); a heartbeat or a TRUNCATE, which go to every partition,
     * carry none.
     */
    public record Entry(byte[] key, CaptureEvent event) {
        public Entry {
            Objects.requireNonNull(event, "event");
            if (event instanceof ChangeBatch || event instanceof BaselineBatch) {
                throw new IllegalArgumentException("a change batch carries single events, not " + event.getClass().getSimpleName());
            }
            if (event instanceof RowChange && key == null) {
                throw new IllegalArgumentException("a row change needs its row key");
            }
        }

        /** Equal by the key's bytes, not by the array's identity. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && java.util.Arrays.equals(key, e.key) && event.equals(e.event);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Arrays.hashCode(key) + event.hashCode();
        }

        @Override
        public String toString() {
            return "Entry[" + (key == null ? "no key" : java.util.HexFormat.of().formatHex(key)) + ", " + event + "]";
        }
    }

    public ChangeBatch {
        Objects.requireNonNull(side, "side");
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a change batch carries at least one event");
        }
        for (Entry e : entries) {
            if (e.event().side() != side) {
                throw new IllegalArgumentException("a change batch of the " + side.label() + " carries an event of the " + e.event().side().label());
            }
        }
    }

    /** The commit time of its last event. */
    @Override
    public long commitMicros() {
        return entries.get(entries.size() - 1).event().commitMicros();
    }
}
