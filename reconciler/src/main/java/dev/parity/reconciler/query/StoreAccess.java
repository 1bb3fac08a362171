package dev.parity.reconciler.query;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Read access to a reconciler store by name: a running KafkaStreams or a TopologyTestDriver. */
@FunctionalInterface
public interface StoreAccess {
    <V> ReadOnlyKeyValueStore<Bytes, V> store(String name);
}
