package dev.parity.api.cluster;

import com.sun.net.httpserver.HttpExchange;
import dev.parity.reconciler.topology.StoreNames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers another instance's store query from the partitions this instance holds as active tasks
 * ({@code POST /internal/v1/store}, token required: row keys are row values). A partition asked for and not
 * held here (it moved since the asker's metadata) is refused with 409, never answered empty.
 */
public final class StoreEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(StoreEndpoint.class);
    private static final org.apache.kafka.common.serialization.BytesSerializer KEYS = new org.apache.kafka.common.serialization.BytesSerializer();

    private final KafkaStreams streams;
    private final String topic;

    /** @param topic the input topic whose partitions name the tasks (the source side's) */
    public StoreEndpoint(KafkaStreams streams, String topic) {
        this.streams = streams;
        this.topic = topic;
    }

    /** The partitions this instance holds as active tasks now. */
    public Set<Integer> held() {
        return Ownership.held(streams, topic);
    }

    public void handle(HttpExchange ex) throws IOException {
        StoreWire.Request r;
        try {
            r = StoreWire.Request.read(new DataInputStream(new BufferedInputStream(ex.getRequestBody())));
        } catch (IOException e) {
            refuse(ex, 400, "malformed store query: " + e.getMessage());
            return;
        }
        Serializer<Object> values;
        try {
            values = StoreNames.<Object>valueSerde(r.store()).serializer();
        } catch (IllegalArgumentException e) {
            refuse(ex, 400, e.getMessage());
            return;
        }
        Set<Integer> held = Ownership.held(streams, topic);
        List<Integer> notHeld = r.partitions().stream().filter(p -> !held.contains(p)).toList();
        if (!notHeld.isEmpty()) {
            refuse(ex, 409, "this instance does not hold partitions " + notHeld + " of " + topic + " (they moved)");
            return;
        }
        List<ReadOnlyKeyValueStore<Bytes, Object>> stores = new ArrayList<>();
        for (int p : r.partitions()) {
            stores.add(streams.store(StoreQueryParameters.fromNameAndType(r.store(), QueryableStoreTypes.<Bytes, Object>keyValueStore()).withPartition(p)));
        }
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, 0);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ex.getResponseBody(), 64 * 1024));
        try {
            long count = 0;
            for (ReadOnlyKeyValueStore<Bytes, Object> store : stores) {
                switch (r.op()) {
                    case GET -> {
                        Object v = store.get(Bytes.wrap(r.a()));
                        if (v != null) {
                            StoreWire.entry(out, r.a(), values.serialize(null, v));
                        }
                    }
                    case COUNT -> count += store.approximateNumEntries();
                    default -> {
                        try (KeyValueIterator<Bytes, Object> it = scan(store, r)) {
                            while (it.hasNext()) {
                                KeyValue<Bytes, Object> kv = it.next();
                                StoreWire.entry(out, kv.key.get(), values.serialize(null, kv.value));
                            }
                        }
                    }
                }
            }
            if (r.op() == StoreWire.Op.COUNT) {
                StoreWire.count(out, count);
            }
            StoreWire.end(out);
            out.close();
        } catch (InvalidStateStoreException | IOException e) {
            // The partition moved (or the asker went away) mid-answer: the stream ends without its end mark,
            // which the asker reads as a failed query, not as fewer entries.
            LOG.debug("store query on {} cut short: {}", r.store(), e.getMessage());
        }
    }

    private static KeyValueIterator<Bytes, Object> scan(ReadOnlyKeyValueStore<Bytes, Object> store, StoreWire.Request r) {
        return switch (r.op()) {
            case ALL -> store.all();
            case PREFIX -> store.prefixScan(Bytes.wrap(r.a()), KEYS);
            case RANGE -> store.range(r.a() == null ? null : Bytes.wrap(r.a()), r.b() == null ? null : Bytes.wrap(r.b()));
            default -> throw new IllegalStateException(r.op() + " is not a scan");
        };
    }

    private static void refuse(HttpExchange ex, int code, String message) throws IOException {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, body.length);
        try (var out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
