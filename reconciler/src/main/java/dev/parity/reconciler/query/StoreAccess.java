package dev.parity.reconciler.query;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Read access to a reconciler store by name: a running KafkaStreams or a TopologyTestDriver. */
@FunctionalInterface
public interface StoreAccess {
    <V> ReadOnlyKeyValueStore<Bytes, V> store(String name);

    /**
     * The store of one partition only, where this access can reach it directly: a key's look-up then reads the one store
     * that can hold it instead of trying each partition's in turn. By default every partition's, as {@link #store(String)}.
     */
    default <V> ReadOnlyKeyValueStore<Bytes, V> store(String name, int partition) {
        return store(name);
    }
}
