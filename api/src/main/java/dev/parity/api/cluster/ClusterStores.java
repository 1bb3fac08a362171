package dev.parity.api.cluster;

import dev.parity.reconciler.model.Chunking;
import dev.parity.reconciler.query.StoreAccess;
import dev.parity.reconciler.topology.StoreNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The reconciler's stores across every instance of the application (README, "Deployment"): each partition is
 * read where it is the active task, here directly, elsewhere over that instance's API. Kafka Streams' metadata
 * ({@code application.server}) says who holds what; an answer is given only when every partition has exactly
 * one active owner and each owner confirms it still holds what it was asked for, so a partition mid-move
 * makes the query fail (status says STALE and why) instead of answering from part of the keys. Opening a
 * partition's answer is retried with fresh metadata for up to {@link #RETRY_MS}: a rebalance that settles
 * meanwhile is ridden through.
 */
public final class ClusterStores implements StoreAccess {
    static final long RETRY_MS = 5_000;

    private final KafkaStreams streams;
    private final HostInfo self;
    private final String topic;
    private final int partitions;
    private final Chunking chunking;
    private final PeerClient peers;

    /**
     * @param self  this instance's {@code application.server}
     * @param topic the input topic whose partitions name the tasks (the source side's)
     * @param token the API token every instance shares
     */
    public ClusterStores(KafkaStreams streams, HostInfo self, String topic, int partitions, Chunking chunking, String token,
                         javax.net.ssl.SSLContext tls) {
        this.streams = streams;
        this.self = self;
        this.topic = topic;
        this.partitions = partitions;
        this.chunking = chunking;
        this.peers = new PeerClient(token, tls);
    }

    @Override
    public <V> ReadOnlyKeyValueStore<Bytes, V> store(String name) {
        return new ClusterStore<>(name);
    }

    /** The active owner of every partition; throws while any partition has none, or two. */
    Map<Integer, HostInfo> owners() {
        Map<Integer, HostInfo> owners = new TreeMap<>();
        Set<Integer> twice = new TreeSet<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            m.topicPartitions().stream().filter(tp -> tp.topic().equals(topic)).forEach(tp -> {
                if (owners.put(tp.partition(), m.hostInfo()) != null) {
                    twice.add(tp.partition());
                }
            });
        }
        Set<Integer> none = new TreeSet<>();
        for (int p = 0; p < partitions; p++) {
            if (!owners.containsKey(p)) {
                none.add(p);
            }
        }
        if (!none.isEmpty() || !twice.isEmpty()) {
            throw new InvalidStateStoreException("partitions " + (none.isEmpty() ? twice : none) + " of " + topic
                    + " have " + (none.isEmpty() ? "two active owners" : "no active owner") + " (moving between instances)");
        }
        return owners;
    }

    /** Runs {@code open} on the owners of {@code parts}, grouped by instance; retried with fresh metadata on failure. */
    private <T> List<T> onOwners(Set<Integer> parts, OwnerCall<T> open) {
        long deadline = System.currentTimeMillis() + RETRY_MS;
        long backoff = 100;
        while (true) {
            List<T> opened = new ArrayList<>();
            try {
                Map<HostInfo, List<Integer>> byHost = new HashMap<>();
                Map<Integer, HostInfo> owners = owners();
                parts.forEach(p -> byHost.computeIfAbsent(owners.get(p), h -> new ArrayList<>()).add(p));
                for (Map.Entry<HostInfo, List<Integer>> e : byHost.entrySet()) {
                    opened.add(open.call(e.getKey(), e.getValue()));
                }
                return opened;
            } catch (InvalidStateStoreException e) {
                opened.forEach(StoreIterators::closeQuietly);
                if (System.currentTimeMillis() + backoff > deadline) {
                    throw e;
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, 1_000);
            }
        }
    }

    @FunctionalInterface
    private interface OwnerCall<T> {
        T call(HostInfo host, List<Integer> partitions);
    }

    private Set<Integer> allPartitions() {
        Set<Integer> all = new TreeSet<>();
        for (int p = 0; p < partitions; p++) {
            all.add(p);
        }
        return all;
    }

    private <V> ReadOnlyKeyValueStore<Bytes, V> local(String name, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<Bytes, V>keyValueStore()).withPartition(partition));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidStateStoreException("interrupted while waiting for partitions to settle", e);
        }
    }

    private final class ClusterStore<V> implements ReadOnlyKeyValueStore<Bytes, V> {
        private final String name;
        private final Deserializer<V> values;

        ClusterStore(String name) {
            this.name = name;
            this.values = StoreNames.<V>valueSerde(name).deserializer();
        }

        @Override
        public V get(Bytes key) {
            int p = StoreNames.partitionOf(name, key.get(), chunking, partitions);
            Set<Integer> parts = p < 0 ? allPartitions() : Set.of(p);
            for (V v : onOwners(parts, (host, ps) -> host.equals(self) ? localGet(ps, key) : remoteGet(host, ps, key))) {
                if (v != null) {
                    return v;
                }
            }
            return null;
        }

        private V localGet(List<Integer> ps, Bytes key) {
            for (int p : ps) {
                V v = ClusterStores.this.<V>local(name, p).get(key);
                if (v != null) {
                    return v;
                }
            }
            return null;
        }

        private V remoteGet(HostInfo host, List<Integer> ps, Bytes key) {
            try (PeerClient.Answer a = peers.send(host, new StoreWire.Request(name, StoreWire.Op.GET, ps, key.get(), null))) {
                byte[][] e = a.next();
                V v = e == null ? null : values.deserialize(null, e[1]);
                if (e != null && a.next() != null) {
                    throw new InvalidStateStoreException("instance " + host + " answered one key twice");
                }
                return v;
            }
        }

        @Override
        public KeyValueIterator<Bytes, V> range(Bytes from, Bytes to) {
            return scan(StoreWire.Op.RANGE, from == null ? null : from.get(), to == null ? null : to.get());
        }

        @Override
        public KeyValueIterator<Bytes, V> all() {
            return scan(StoreWire.Op.ALL, null, null);
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, V> prefixScan(P prefix, PS serializer) {
            return scan(StoreWire.Op.PREFIX, serializer.serialize(null, prefix), null);
        }

        @Override
        public long approximateNumEntries() {
            long n = 0;
            for (long c : onOwners(allPartitions(), (host, ps) -> {
                if (host.equals(self)) {
                    return ps.stream().mapToLong(p -> local(name, p).approximateNumEntries()).sum();
                }
                try (PeerClient.Answer a = peers.send(host, new StoreWire.Request(name, StoreWire.Op.COUNT, ps, null, null))) {
                    return a.count();
                }
            })) {
                n += c;
            }
            return n;
        }

        /** Every owner's entries one after the other (not in key order across partitions, as a local composite store). */
        private KeyValueIterator<Bytes, V> scan(StoreWire.Op op, byte[] a, byte[] b) {
            List<KeyValueIterator<Bytes, V>> parts = onOwners(allPartitions(), (host, ps) -> host.equals(self) ? localScan(ps, op, a, b)
                    : new StoreIterators.Remote<>(peers.send(host, new StoreWire.Request(name, op, ps, a, b)), values));
            return new StoreIterators.Concat<>(parts);
        }

        private KeyValueIterator<Bytes, V> localScan(List<Integer> ps, StoreWire.Op op, byte[] a, byte[] b) {
            List<KeyValueIterator<Bytes, V>> its = new ArrayList<>();
            try {
                for (int p : ps) {
                    ReadOnlyKeyValueStore<Bytes, V> s = local(name, p);
                    its.add(switch (op) {
                        case ALL -> s.all();
                        case PREFIX -> s.prefixScan(Bytes.wrap(a), new org.apache.kafka.common.serialization.BytesSerializer());
                        case RANGE -> s.range(a == null ? null : Bytes.wrap(a), b == null ? null : Bytes.wrap(b));
                        default -> throw new IllegalStateException(op + " is not a scan");
                    });
                }
                return new StoreIterators.Concat<>(its);
            } catch (RuntimeException e) {
                its.forEach(StoreIterators::closeQuietly);
                throw e;
            }
        }
    }
}
