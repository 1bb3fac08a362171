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
        builder.addStateStore(store(StoreNames.KEYS, StateSerdes.keyState(), false, persistent));
        // The chunk store is hot (every change touches one of 2^bits chunks): caching it coalesces writes.
        builder.addStateStore(store(StoreNames.CHUNKS, StateSerdes.chunkState(), true, persistent));
        builder.addStateStore(store(StoreNames.MISMATCHES, StateSerdes.mismatch(), false, persistent));
        builder.addStateStore(store(StoreNames.PENDING, Serdes.ByteArray(), false, persistent));
        builder.addStateStore(store(StoreNames.WATERMARKS, StateSerdes.watermark(), false, persistent));
        builder.stream(List.of(settings.sourceTopic(), settings.targetTopic()), Consumed.with(Serdes.Bytes(), (Serde<CaptureEvent>) new CaptureEventSerde()))
                .process(() -> new ReconcileProcessor(settings),
                        StoreNames.KEYS, StoreNames.CHUNKS, StoreNames.MISMATCHES, StoreNames.PENDING, StoreNames.WATERMARKS);
        return builder.build();
    }

    private static <V> StoreBuilder<?> store(String name, Serde<V> serde, boolean cached, boolean persistent) {
        var b = Stores.keyValueStoreBuilder(persistent ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name),
                Serdes.Bytes(), serde);
        return cached ? b.withCachingEnabled() : b.withCachingDisabled();
    }

}
