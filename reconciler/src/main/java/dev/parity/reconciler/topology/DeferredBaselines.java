package dev.parity.reconciler.topology;

import dev.parity.reconciler.model.Baseline;
import dev.parity.reconciler.model.CaptureEventSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Initial-load records that reached the reconciler before a heartbeat of the other topic they must
 * follow (see {@code ReconcileProcessor#applyBaseline}), kept in a changelogged store until it comes.
 * Nearly always empty, so the count lets heartbeats skip looking.
 */
final class DeferredBaselines {
    private final KeyValueStore<Bytes, byte[]> store;
    private long count;

    DeferredBaselines(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                count++;
            }
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Keeps a baseline; a later read of the same key (a restarted load) replaces an earlier one. */
    void defer(byte[] rowKey, Baseline b) {
        Bytes k = Bytes.wrap(rowKey);
        if (store.get(k) == null) {
            count++;
        }
        store.put(k, CaptureEventSerde.encode(b));
    }

    /** Removes and returns, by row key, the deferred baselines that may now be applied. */
    List<Map.Entry<byte[], Baseline>> takeReady(Predicate<Baseline> ready) {
        List<Map.Entry<byte[], Baseline>> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                var e = it.next();
                Baseline b = (Baseline) CaptureEventSerde.decode(e.value);
                if (ready.test(b)) {
                    out.add(Map.entry(e.key.get(), b));
                }
            }
        }
        for (Map.Entry<byte[], Baseline> e : out) {
            store.delete(Bytes.wrap(e.getKey()));
            count--;
        }
        return out;
    }
}
