package dev.parity.reconciler.topology;

/** The reconciler's state stores (RocksDB, changelogged). */
public final class StoreNames {
    /** row key → {@link dev.parity.reconciler.state.KeyState}. */
    public static final String KEYS = "parity-keys";
    /** [table][chunk] → {@link dev.parity.reconciler.state.ChunkState}. */
    public static final String CHUNKS = "parity-chunks";
    /** [table][chunk][row key] → {@link dev.parity.reconciler.state.MismatchEntry}, for every key that differs. */
    public static final String MISMATCHES = "parity-mismatches";
    /** [due][row key] → empty, for every PENDING key: re-judged when both streams pass {@code due}. */
    public static final String PENDING = "parity-pending";
    /** row key → an encoded {@link dev.parity.reconciler.model.Baseline} that arrived before the streams passed its reads. */
    public static final String DEFERRED = "parity-deferred";
    /** side label → {@link dev.parity.reconciler.state.Watermark} of this partition. */
    public static final String WATERMARKS = "parity-watermarks";

    /** Every store a query may read, with the serde of its values (the keys are raw bytes). */
    private static final java.util.Map<String, org.apache.kafka.common.serialization.Serde<?>> VALUE_SERDES = java.util.Map.of(
            KEYS, dev.parity.reconciler.state.StateSerdes.keyState(),
            CHUNKS, dev.parity.reconciler.state.StateSerdes.chunkState(),
            MISMATCHES, dev.parity.reconciler.state.StateSerdes.mismatch(),
            PENDING, org.apache.kafka.common.serialization.Serdes.ByteArray(),
            DEFERRED, org.apache.kafka.common.serialization.Serdes.ByteArray(),
            WATERMARKS, dev.parity.reconciler.state.StateSerdes.watermark());

    private StoreNames() {
    }

    /** The serde of a store's values, for instances that send entries to each other; throws on an unknown name. */
    @SuppressWarnings("unchecked")
    public static <V> org.apache.kafka.common.serialization.Serde<V> valueSerde(String store) {
        var serde = VALUE_SERDES.get(store);
        if (serde == null) {
            throw new IllegalArgumentException("no reconciler store named " + store);
        }
        return (org.apache.kafka.common.serialization.Serde<V>) serde;
    }

    /**
     * The input partition whose task holds {@code key} in {@code store}: every entry of a chunk lives with the
     * chunk (README, "How it decides"), so the key alone says where to ask. -1 for the watermarks, which every
     * partition holds under the same key.
     */
    public static int partitionOf(String store, byte[] key, dev.parity.reconciler.model.Chunking chunking, int partitions) {
        return switch (store) {
            case KEYS, DEFERRED -> chunking.partitionOf(key, partitions);
            case CHUNKS -> dev.parity.reconciler.model.Chunking.partitionOf(dev.parity.reconciler.state.StoreKeys.parseChunk(key).chunk(), partitions);
            case MISMATCHES -> dev.parity.reconciler.model.Chunking.partitionOf(dev.parity.reconciler.state.StoreKeys.chunkOfMismatch(key), partitions);
            case PENDING -> chunking.partitionOf(dev.parity.reconciler.state.StoreKeys.rowKeyOfPending(key), partitions);
            case WATERMARKS -> -1;
            default -> throw new IllegalArgumentException("no reconciler store named " + store);
        };
    }
}
