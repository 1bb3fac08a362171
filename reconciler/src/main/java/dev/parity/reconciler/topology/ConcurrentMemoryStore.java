package dev.parity.reconciler.topology;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * An in-memory key-value store that interactive queries may iterate while the reconciler writes.
 * Kafka Streams' own in-memory store copies the keys when an iterator opens and looks each value up
 * later, unsynchronised, so a key removed between {@code hasNext()} and {@code next()} throws
 * {@code NoSuchElementException} (seen in {@code parity bench}). This one is a
 * {@link ConcurrentSkipListMap}: iterators are weakly consistent, never throw, and every entry they
 * return is a value the key really had. Changelogging and restore are Kafka Streams' as usual.
 *
 * <p>For the reconciler's small stores only (chunks, mismatches, wake-ups, watermarks): they are
 * touched on nearly every change, and RocksDB's JNI round trips were most of the reconciler's time.
 */
final class ConcurrentMemoryStore implements KeyValueStore<Bytes, byte[]> {
    private final String name;
    /**
     * Ordered as {@link Bytes} orders (unsigned lexicographic, then length), but compared with
     * {@link Arrays#compareUnsigned(byte[], byte[])}, which the JVM vectorises: these keys share long
     * prefixes (the table name), and {@code Bytes}' own byte-by-byte comparator was the reconciler
     * thread's largest cost in a profile under load (BENCHMARKS.md, "Keeping up").
     */
    static final Comparator<Bytes> ORDER = (a, b) -> Arrays.compareUnsigned(a.get(), b.get());

    private final ConcurrentSkipListMap<Bytes, byte[]> map = new ConcurrentSkipListMap<>(ORDER);
    private volatile boolean open;
    /** Parity reads these stores through interactive queries v1 only; no position bounds are ever asked for. */
    private final org.apache.kafka.streams.query.Position position = org.apache.kafka.streams.query.Position.emptyPosition();

    ConcurrentMemoryStore(String name) {
        this.name = name;
    }

    static KeyValueBytesStoreSupplier supplier(String name) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new ConcurrentMemoryStore(name);
            }

            @Override
            public String metricsScope() {
                return "in-memory";
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> {
            if (value == null) {
                map.remove(Bytes.wrap(key));
            } else {
                map.put(Bytes.wrap(key), value);
            }
        });
        open = true;
    }

    @Override
    public void put(Bytes key, byte[] value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        return value == null ? map.get(key) : map.putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public byte[] delete(Bytes key) {
        return map.remove(key);
    }

    @Override
    public byte[] get(Bytes key) {
        return map.get(key);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return new Iter(between(from, to).entrySet().iterator());
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return new Iter(between(from, to).descendingMap().entrySet().iterator());
    }

    /** Keys from {@code from} to {@code to}, both inclusive, either open when null; empty when reversed. */
    private NavigableMap<Bytes, byte[]> between(Bytes from, Bytes to) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            return java.util.Collections.emptyNavigableMap();
        }
        return from == null && to == null ? map
                : from == null ? map.headMap(to, true) : to == null ? map.tailMap(from, true) : map.subMap(from, true, to, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return new Iter(map.entrySet().iterator());
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return new Iter(map.descendingMap().entrySet().iterator());
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
        Bytes from = Bytes.wrap(serializer.serialize(null, prefix));
        Bytes to = Bytes.increment(from);
        return new Iter(map.subMap(from, true, to, false).entrySet().iterator());
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        map.clear();
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public org.apache.kafka.streams.query.Position getPosition() {
        return position;
    }

    /** Weakly consistent: sees the map as it is while iterating; the entries it returns are real. */
    private static final class Iter implements KeyValueIterator<Bytes, byte[]> {
        private final Iterator<Map.Entry<Bytes, byte[]>> it;
        private Map.Entry<Bytes, byte[]> next;

        Iter(Iterator<Map.Entry<Bytes, byte[]>> it) {
            this.it = it;
            this.next = it.hasNext() ? it.next() : null;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            KeyValue<Bytes, byte[]> out = KeyValue.pair(next.getKey(), next.getValue());
            next = it.hasNext() ? it.next() : null;
            return out;
        }

        @Override
        public Bytes peekNextKey() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            return next.getKey();
        }

        @Override
        public void close() {
        }
    }
}
