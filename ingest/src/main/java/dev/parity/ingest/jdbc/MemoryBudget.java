package dev.parity.ingest.jdbc;

/**
 * How much of the heap each place that holds rows may fill (README, "When things fail": big rows). Every such
 * place is bounded by bytes, never by a count of rows alone, and sized from the heap this process was given, so
 * a table of 10 MB values in a 256 MB heap is read, captured and compared a few rows at a time:
 * <ul>
 *   <li>each capture's queue of events waiting to be mapped ({@link #captureQueueBytes}; two captures, and one
 *       batch taken from each queue is as large again at most);</li>
 *   <li>each read's rows in the driver's fetch buffer ({@link #fetchBytes}; the load reads on both sides at once,
 *       the sweep on one, the drill-down and the repair on one at a time);</li>
 *   <li>rows kept whole for a comparison ({@link #keptRowBytes});</li>
 *   <li>each Kafka producer's records not yet acknowledged ({@link #producerBytes}).</li>
 * </ul>
 * Together they stay near half the heap at worst; the rest is Kafka Streams, the producers and the embedded broker.
 */
public final class MemoryBudget {
    private static final long MB = 1L << 20;

    private MemoryBudget() {
    }

    /** One capture's waiting events: 1/16 of the heap, from 4 to 64 MB. */
    public static long captureQueueBytes() {
        return share(16, 4 * MB, 64 * MB);
    }

    /** One read's fetch buffer: 1/32 of the heap, from 2 to 32 MB (at least one row is always fetched). */
    public static long fetchBytes() {
        return share(32, 2 * MB, 32 * MB);
    }

    /** Whole rows one drill-down batch or repair script holds per side: 1/32 of the heap, from 2 to 32 MB. */
    public static long keptRowBytes() {
        return share(32, 2 * MB, 32 * MB);
    }

    /** One producer's unacknowledged records: 1/64 of the heap, from 1 to 32 MB (Kafka's default). */
    public static long producerBytes() {
        return share(64, MB, 32 * MB);
    }

    static long share(int divisor, long min, long max) {
        return Math.max(min, Math.min(max, Runtime.getRuntime().maxMemory() / divisor));
    }
}
