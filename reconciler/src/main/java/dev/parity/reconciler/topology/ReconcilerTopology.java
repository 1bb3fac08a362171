package dev.parity.reconciler.topology;

import dev.parity.reconciler.model.CaptureEvent;
import dev.parity.reconciler.model.CaptureEventSerde;
import dev.parity.reconciler.state.StateSerdes;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The reconciler topology: both sides' topics, co-partitioned by chunk, read by one source node so
 * that partition p of each lands in the same task, and applied by {@link ReconcileProcessor}.
 * No repartition: ingest already placed every key by {@link dev.parity.reconciler.model.Chunking}.
 */
public final class ReconcilerTopology {
    private ReconcilerTopology() {
    }

    /** The production topology: RocksDB stores. */
    public static Topology build(ReconcilerSettings settings) {
        return build(settings, true);
    }

    /** @param persistent false for in-memory stores, for tests that exercise the rules, not the storage */
    static Topology build(ReconcilerSettings settings, boolean persistent) {
        StreamsBuilder builder = new StreamsBuilder();
        stores(persistent).forEach(builder::addStateStore);
        builder.stream(List.of(settings.sourceTopic(), settings.targetTopic()), Consumed.with(Serdes.Bytes(), (Serde<CaptureEvent>) new CaptureEventSerde()))
                .process(() -> new ReconcileProcessor(settings),
                        StoreNames.KEYS, StoreNames.CHUNKS, StoreNames.MISMATCHES, StoreNames.PENDING, StoreNames.WATERMARKS,
                        StoreNames.DEFERRED);
        return builder.build();
    }

    /** The reconciler's stores, as the topology declares them (for benchmarks that drive the processor directly). */
    public static List<StoreBuilder<?>> stores(boolean persistent) {
        // Only the per-key state grows with the tables: it lives in RocksDB. The others stay small
        // (chunks: 2^bits per table; mismatches and wake-ups: keys changed within the lag, rebuilt from the key states; watermarks: two
        // per partition; deferred: initial-load records that overtook a heartbeat of the other topic) and are read or written on nearly every change, so they live in memory,
        // restored from their changelogs after a restart, in a store the API may scan while the
        // reconciler writes (see ConcurrentMemoryStore). The chunk store is also cached, to coalesce
        // its changelog writes.
        return List.of(
                store(StoreNames.KEYS, StateSerdes.keyState(), false, persistent),
                small(StoreNames.CHUNKS, StateSerdes.chunkState(), true),
                index(StoreNames.MISMATCHES, StateSerdes.mismatch()),
                index(StoreNames.PENDING, Serdes.ByteArray()),
                small(StoreNames.WATERMARKS, StateSerdes.watermark(), false),
                small(StoreNames.DEFERRED, Serdes.ByteArray(), false));
    }

    /** The processor the topology runs, for benchmarks that drive it directly with real stores. */
    public static org.apache.kafka.streams.processor.api.Processor<org.apache.kafka.common.utils.Bytes, CaptureEvent, Void, Void> processor(
            ReconcilerSettings settings) {
        return new ReconcileProcessor(settings);
    }

    private static <V> StoreBuilder<?> small(String name, Serde<V> serde, boolean cached) {
        var b = Stores.keyValueStoreBuilder(ConcurrentMemoryStore.supplier(name), Serdes.Bytes(), serde).withLoggingEnabled(CHANGELOG);
        return cached ? b.withCachingEnabled() : b.withCachingDisabled();
    }

    /**
     * The mismatch index and the wake-up index, in memory and not changelogged: each mismatched key's state carries its
     * entry (verdict, due heartbeat), and both indexes are rebuilt from the key states when a task starts
     * ({@link PartitionJudge#rebuildIndexes}). Logged, each cost two changelog records per replicated change (put while
     * the target lags, delete once equal) and deletion markers kept on disk.
     */
    private static <V> StoreBuilder<?> index(String name, Serde<V> serde) {
        return Stores.keyValueStoreBuilder(ConcurrentMemoryStore.supplier(name), Serdes.Bytes(), serde).withLoggingDisabled().withCachingDisabled();
    }

    private static <V> StoreBuilder<?> store(String name, Serde<V> serde, boolean cached, boolean persistent) {
        var b = Stores.keyValueStoreBuilder(persistent ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name),
                Serdes.Bytes(), serde).withLoggingEnabled(CHANGELOG);
        return cached ? b.withCachingEnabled() : b.withCachingDisabled();
    }

    /**
     * How every topic of Parity's rolls its segments (README, "Disk"): at 8 MB or 10 minutes, so compaction (changelogs)
     * and purging (side topics) reach them; Kafka's defaults, 1 GB or 7 days, are never reached here.
     */
    public static final java.util.Map<String, String> SEGMENTS = java.util.Map.of(
            org.apache.kafka.common.config.TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024),
            org.apache.kafka.common.config.TopicConfig.SEGMENT_MS_CONFIG, Long.toString(java.time.Duration.ofMinutes(10).toMillis()));

    /**
     * The topic settings of every store's changelog: each store is overwritten in place key by key, so a compacted
     * changelog is as big as the keys it holds — once its {@link #SEGMENTS} roll and the cleaner runs (a quarter of a log
     * overwritten is enough). Deletion markers keep Kafka's day: each store's keys are rows, chunks or partitions, so they
     * are bounded by the keys too.
     */
    public static final java.util.Map<String, String> CHANGELOG = withDirtyRatio(SEGMENTS);

    private static java.util.Map<String, String> withDirtyRatio(java.util.Map<String, String> segments) {
        java.util.Map<String, String> c = new java.util.HashMap<>(segments);
        c.put(org.apache.kafka.common.config.TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.25");
        return java.util.Map.copyOf(c);
    }

    /** Every changelogged store's name, for the names of their changelogs ({@code <application id>-<store>-changelog}). */
    public static List<String> storeNames() {
        return List.of(StoreNames.KEYS, StoreNames.CHUNKS, StoreNames.WATERMARKS, StoreNames.DEFERRED);
    }

}
